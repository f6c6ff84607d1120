//! The study extent: where an area's populated cells are evaluated. A box for the detailed
//! areas (where an extract maps the street grid nearly completely), or an outline (the province
//! for the whole-city area), whatever the roads cover.

use std::path::Path;

use geo::BoundingRect;
use serde_json::{Value, json};

use super::ScenarioError;
use crate::boundary::Regions;

/// Where an area's cells are evaluated.
#[derive(Clone, Debug)]
pub enum StudyExtent {
    /// `[west, south, east, north]` in degrees.
    Box([f64; 4]),
    /// The union of the polygons of a boundary file (the province outline, say).
    Outline { regions: Regions, bbox: [f64; 4] },
}

impl StudyExtent {
    /// Reads an outline from a GeoJSON file of polygons.
    pub fn outline(path: &Path) -> Result<StudyExtent, ScenarioError> {
        let regions = Regions::from_geojson_file(path, "name")?;
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for r in regions.regions() {
            if let Some(b) = r.shape.bounding_rect() {
                bbox = [
                    bbox[0].min(b.min().x),
                    bbox[1].min(b.min().y),
                    bbox[2].max(b.max().x),
                    bbox[3].max(b.max().y),
                ];
            }
        }
        if !bbox.iter().all(|x| x.is_finite()) {
            return Err(ScenarioError::InvalidRequest(format!(
                "the study outline {} holds no polygon",
                path.display()
            )));
        }
        Ok(StudyExtent::Outline { regions, bbox })
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        match self {
            StudyExtent::Box(b) => lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3],
            StudyExtent::Outline { regions, .. } => regions.locate(lon, lat).is_some(),
        }
    }

    /// `[west, south, east, north]`.
    pub fn bbox(&self) -> [f64; 4] {
        match self {
            StudyExtent::Box(b) => *b,
            StudyExtent::Outline { bbox, .. } => *bbox,
        }
    }

    /// The extent as one GeoJSON Feature (property `kind`: `study_extent`), an outline
    /// dissolved into its outer border so a map draws the province, not its districts.
    pub fn feature(&self) -> Value {
        let geometry = match self {
            StudyExtent::Box([w, s, e, n]) => json!({
                "type": "Polygon",
                "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
            }),
            StudyExtent::Outline { regions, .. } => {
                let shapes: Vec<&geo::MultiPolygon> =
                    regions.regions().iter().map(|r| &r.shape).collect();
                super::area::multipolygon_json(&geo::unary_union(shapes))
            }
        };
        json!({"type": "Feature", "geometry": geometry, "properties": {"kind": "study_extent"}})
    }
}

/// Where a roads file has roads: the convex hull of its road nodes. Extracts are cut by a box or
/// a polygon, so the hull is close to the cut; `None` for a file with fewer than three nodes.
pub fn road_data_outline(osm: &crate::ingest::OsmData) -> Option<geo::Polygon> {
    use geo::ConvexHull;
    if osm.nodes.len() < 3 {
        return None;
    }
    let points: geo::MultiPoint = osm
        .nodes
        .iter()
        .map(|n| geo::Point::new(n.lon, n.lat))
        .collect();
    Some(points.convex_hull())
}
