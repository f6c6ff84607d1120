//! Named administrative areas (wards, districts, the province) as polygons.
//!
//! Coverage results are reported per ward and per district, and the census builder needs to
//! know which district a grid cell lies in. Both only need two things from a boundary file: a
//! name per area and a fast point-in-polygon lookup. [`Regions`] holds the polygons in
//! (lon, lat) WGS84 degrees with an R-tree over the bounding box of every polygon part, so a
//! lookup tests only the few areas whose box contains the point.
//!
//! Boundary files are GeoJSON FeatureCollections of Polygon and MultiPolygon features, read with
//! `serde_json`. The pre-2025 district map of Hanoi arrives in the custom JSON layout of the
//! `dvhcvn` project; [`dvhcvn_to_geojson`] turns it into a FeatureCollection once, as a
//! reproducible data-preparation step.

mod dvhcvn;
mod geojson;
mod validity;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::orient::Direction;
use geo::{BoundingRect, GeodesicArea, Intersects, MultiPolygon, Orient, Point};
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{AABB, RTree};

pub use dvhcvn::{DvhcvnSummary, dvhcvn_to_geojson, dvhcvn_value_to_geojson};
pub use validity::MAX_FEATURE_VERTICES;

/// Dense index of a region inside one [`Regions`] collection (its feature order in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionId(pub u32);

impl RegionId {
    /// Position of the region in [`Regions::regions`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One named area: a ward, a district or the province.
#[derive(Debug, Clone)]
pub struct Region {
    /// The value of the name property chosen when loading.
    pub name: String,
    /// Every other scalar property of the feature, as text (codes, English names, types).
    pub properties: BTreeMap<String, String>,
    /// Outline in (lon, lat) WGS84 degrees.
    pub shape: MultiPolygon<f64>,
    /// Area on the WGS84 ellipsoid, in square kilometres.
    pub area_km2: f64,
}

impl Region {
    /// Builds a region and computes its ellipsoidal area. Rings are re-oriented (exterior
    /// counter-clockwise, holes clockwise) because files differ and the geodesic area of a
    /// clockwise exterior is the rest of the globe.
    pub fn new(
        name: String,
        properties: BTreeMap<String, String>,
        shape: MultiPolygon<f64>,
    ) -> Self {
        let shape = shape.orient(Direction::Default);
        let area_km2 = shape.geodesic_area_unsigned() / 1.0e6;
        Region {
            name,
            properties,
            shape,
            area_km2,
        }
    }

    /// The `code` property, when the boundary file has one (GSO codes for wards and districts).
    pub fn code(&self) -> Option<&str> {
        self.properties.get("code").map(String::as_str)
    }
}

/// Errors met while reading or converting boundary files. Each names the file and, where it
/// applies, the index of the offending feature (0-based, in file order).
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    /// The file could not be opened or read.
    #[error("cannot read boundary file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output file could not be written.
    #[error("cannot write boundary file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not JSON at all.
    #[error("{} is not valid JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The JSON is not a GeoJSON FeatureCollection.
    #[error("{}: expected a GeoJSON FeatureCollection with a \"features\" array", path.display())]
    NotFeatureCollection { path: PathBuf },
    /// The FeatureCollection holds no features.
    #[error("{}: the FeatureCollection has no features; expected at least one polygon", path.display())]
    Empty { path: PathBuf },
    /// A feature has a geometry that is not an area.
    #[error("{}: feature {feature} has geometry type {found}; expected Polygon or MultiPolygon", path.display())]
    NonPolygonGeometry {
        path: PathBuf,
        feature: usize,
        found: String,
    },
    /// A geometry is structurally broken (missing coordinates, short ring, non-numeric value).
    #[error("{}: feature {feature}: {reason}", path.display())]
    MalformedGeometry {
        path: PathBuf,
        feature: usize,
        reason: String,
    },
    /// A polygon too large to index or whose rings cross, so that no point lookup could trust
    /// it.
    #[error("{}: feature {feature}: {reason}", path.display())]
    InvalidPolygon {
        path: PathBuf,
        feature: usize,
        reason: String,
    },
    /// A coordinate is not a valid WGS84 (lon, lat) pair.
    #[error(
        "{}: feature {feature} has coordinate ({}, {}); expected lon in -180..=180 and lat in -90..=90 (WGS84 degrees, lon first)",
        path.display(),
        crate::number::readable(.lon),
        crate::number::readable(.lat),
    )]
    CoordinateOutOfRange {
        path: PathBuf,
        feature: usize,
        lon: f64,
        lat: f64,
    },
    /// The property chosen as the name is absent or empty.
    #[error("{}: feature {feature} has no non-empty property \"{property}\" to name it", path.display())]
    MissingName {
        path: PathBuf,
        feature: usize,
        property: String,
    },
    /// The dvhcvn district file lacks a field the converter needs.
    #[error("{}: {item} has no valid field \"{field}\" (dvhcvn layout: level1_id, name, coordinates, level2s[])", path.display())]
    DvhcvnField {
        path: PathBuf,
        item: String,
        field: String,
    },
}

type IndexEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;
type EdgeEntry = GeomWithData<Line<[f64; 2]>, ()>;

/// Polygons with more vertices than this get their own edge index for point lookups.
const EDGE_INDEX_MIN_VERTICES: usize = 64;

/// One polygon of one region, as the point-location index sees it.
#[derive(Debug, Clone)]
struct Part {
    region: u32,
    polygon: usize,
    /// Easternmost longitude of the polygon: the end of the test ray.
    max_lon: f64,
    /// Ring edges (exterior and holes) of large polygons, so that a lookup tests the few edges
    /// its ray crosses instead of every vertex.
    edges: Option<RTree<EdgeEntry>>,
}

impl Part {
    fn contains(&self, regions: &[Region], lon: f64, lat: f64) -> bool {
        let Some(edges) = &self.edges else {
            let polygon = &regions[self.region as usize].shape.0[self.polygon];
            return polygon.intersects(&Point::new(lon, lat));
        };
        // Even-odd rule along a ray due east; rings of holes count like the exterior.
        let ray = AABB::from_corners([lon, lat], [self.max_lon.max(lon), lat]);
        let mut inside = false;
        for edge in edges.locate_in_envelope_intersecting(ray) {
            let (a, b) = (edge.geom().from, edge.geom().to);
            if (a[1] > lat) != (b[1] > lat) {
                let crossing_lon = a[0] + (lat - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if crossing_lon > lon {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

/// A set of named polygons with a point-location index.
#[derive(Debug, Clone)]
pub struct Regions {
    regions: Vec<Region>,
    parts: Vec<Part>,
    index: RTree<IndexEntry>,
}

impl Regions {
    /// Builds the collection and its index. Ids follow the order of `regions`.
    pub fn new(regions: Vec<Region>) -> Self {
        let mut entries = Vec::new();
        let mut parts = Vec::new();
        for (i, region) in regions.iter().enumerate() {
            for (k, polygon) in region.shape.iter().enumerate() {
                let Some(rect) = polygon.bounding_rect() else {
                    continue;
                };
                let vertices = polygon.exterior().0.len()
                    + polygon.interiors().iter().map(|r| r.0.len()).sum::<usize>();
                let edges = (vertices > EDGE_INDEX_MIN_VERTICES).then(|| {
                    let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
                    let lines: Vec<EdgeEntry> = rings
                        .flat_map(|ring| ring.lines())
                        .map(|l| {
                            GeomWithData::new(
                                Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]),
                                (),
                            )
                        })
                        .collect();
                    RTree::bulk_load(lines)
                });
                let envelope = Rectangle::from_corners(
                    [rect.min().x, rect.min().y],
                    [rect.max().x, rect.max().y],
                );
                entries.push(GeomWithData::new(envelope, parts.len() as u32));
                parts.push(Part {
                    region: i as u32,
                    polygon: k,
                    max_lon: rect.max().x,
                    edges,
                });
            }
        }
        Regions {
            regions,
            parts,
            index: RTree::bulk_load(entries),
        }
    }

    /// Reads a GeoJSON FeatureCollection of Polygon/MultiPolygon features, naming each region
    /// by the string property `name_property` (for example `name`).
    ///
    /// ```no_run
    /// use motcua::boundary::Regions;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/boundaries/hanoi_wards_2025.geojson");
    /// let wards = Regions::from_geojson_file(path.as_ref(), "name")?;
    /// let ward = wards.locate(105.8342, 21.0278).map(|id| wards.name(id));
    /// # Ok::<(), motcua::boundary::BoundaryError>(())
    /// ```
    pub fn from_geojson_file(path: &Path, name_property: &str) -> Result<Self, BoundaryError> {
        let text = crate::text::read_text(path).map_err(|source| BoundaryError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_geojson_str(&text, path, name_property)
    }

    /// Same as [`Regions::from_geojson_file`] for text already in memory; `source` only labels
    /// error messages.
    pub fn from_geojson_str(
        text: &str,
        source: &Path,
        name_property: &str,
    ) -> Result<Self, BoundaryError> {
        let regions = geojson::parse_feature_collection(text, source, name_property)?;
        Ok(Regions::new(regions))
    }

    /// The region whose polygon contains (lon, lat); when two claim it, the smallest id, so the
    /// answer is deterministic. Points exactly on a border may fall on either side of it for
    /// polygons of more than 64 vertices (ray-crossing test), and count as inside for smaller
    /// ones.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<RegionId> {
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        let mut best: Option<u32> = None;
        for entry in self.index.locate_all_at_point([lon, lat]) {
            let part = &self.parts[entry.data as usize];
            if best.is_some_and(|b| b <= part.region) {
                continue;
            }
            if part.contains(&self.regions, lon, lat) {
                best = Some(part.region);
            }
        }
        best.map(RegionId)
    }

    /// Ids of all regions whose bounding box meets the given box (lon/lat degrees); a coarse
    /// pre-filter for callers doing their own geometry.
    pub fn candidates_in_box(&self, min: (f64, f64), max: (f64, f64)) -> Vec<RegionId> {
        let envelope = AABB::from_corners([min.0, min.1], [max.0, max.1]);
        let mut ids: Vec<u32> = self
            .index
            .locate_in_envelope_intersecting(envelope)
            .map(|e| self.parts[e.data as usize].region)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(RegionId).collect()
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True when there are no regions.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// The region behind an id. Ids come from this collection, so they are always in range.
    pub fn get(&self, id: RegionId) -> Option<&Region> {
        self.regions.get(id.index())
    }

    /// Name of a region ("" for an id from another collection).
    pub fn name(&self, id: RegionId) -> &str {
        self.get(id).map_or("", |r| r.name.as_str())
    }

    /// Area of a region in km² (0 for an id from another collection).
    pub fn area_km2(&self, id: RegionId) -> f64 {
        self.get(id).map_or(0.0, |r| r.area_km2)
    }

    /// First region with exactly this name.
    pub fn find_by_name(&self, name: &str) -> Option<RegionId> {
        self.regions
            .iter()
            .position(|r| r.name == name)
            .map(|i| RegionId(i as u32))
    }

    /// All names, in id order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.regions.iter().map(|r| r.name.as_str())
    }

    /// All regions with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (RegionId, &Region)> {
        self.regions
            .iter()
            .enumerate()
            .map(|(i, r)| (RegionId(i as u32), r))
    }

    /// The regions as a slice, indexed by [`RegionId::index`].
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square(x0: f64, y0: f64, side: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (x0, y0),
                (x0 + side, y0),
                (x0 + side, y0 + side),
                (x0, y0 + side),
                (x0, y0),
            ]),
            vec![],
        )])
    }

    fn circle(lon: f64, lat: f64, radius: f64, vertices: usize) -> LineString<f64> {
        let mut ring: Vec<(f64, f64)> = (0..vertices)
            .map(|i| {
                let a = i as f64 / vertices as f64 * std::f64::consts::TAU;
                (lon + radius * a.cos(), lat + radius * a.sin())
            })
            .collect();
        ring.push(ring[0]);
        LineString::from(ring)
    }

    #[test]
    fn large_polygons_use_the_edge_index_and_respect_holes() {
        let ring = Polygon::new(
            circle(105.85, 21.03, 0.05, 200),
            vec![circle(105.85, 21.03, 0.02, 100)],
        );
        let regions = Regions::new(vec![Region::new(
            "ring".into(),
            BTreeMap::new(),
            MultiPolygon::new(vec![ring.clone()]),
        )]);
        assert!(regions.parts[0].edges.is_some());
        for i in 0..2_000 {
            let lon = 105.79 + (i % 50) as f64 * 0.0024 + 1e-7;
            let lat = 20.97 + (i / 50) as f64 * 0.003 + 1e-7;
            let expected = ring
                .intersects(&Point::new(lon, lat))
                .then_some(RegionId(0));
            assert_eq!(regions.locate(lon, lat), expected, "({lon}, {lat})");
        }
        assert_eq!(regions.locate(105.85, 21.03), None, "centre is in the hole");
        assert_eq!(regions.locate(105.885, 21.03), Some(RegionId(0)));
    }

    #[test]
    fn locate_picks_the_containing_square_and_the_lower_id_on_a_shared_edge() {
        let regions = Regions::new(vec![
            Region::new("west".into(), BTreeMap::new(), square(105.0, 21.0, 0.1)),
            Region::new("east".into(), BTreeMap::new(), square(105.1, 21.0, 0.1)),
        ]);
        assert_eq!(regions.locate(105.05, 21.05), Some(RegionId(0)));
        assert_eq!(regions.locate(105.15, 21.05), Some(RegionId(1)));
        assert_eq!(regions.locate(105.1, 21.05), Some(RegionId(0)));
        assert_eq!(regions.locate(105.25, 21.05), None);
        assert_eq!(regions.locate(f64::NAN, 21.05), None);
        // A 0.1° square at 21°N is about 11.1 km x 10.4 km.
        let area = regions.area_km2(RegionId(0));
        assert!((area - 115.0).abs() < 3.0, "area {area}");
    }
}
