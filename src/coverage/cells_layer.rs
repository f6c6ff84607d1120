//! The cells of a report as a GeoJSON FeatureCollection of hexagons, for maps and QGIS.
//!
//! A whole-city layer holds tens of thousands of hexagons (15 MB of JSON for `hanoi`). Building
//! it as a `serde_json::Value` tree first cost about fifteen times the text in memory at the
//! peak of a request; [`CellsLayer`] instead writes each feature straight to the serialiser,
//! so a layer costs what its text costs.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::load::ServiceReport;
use super::report::{CellResult, CoverageReport, round1, round2, round6};

/// A report's cells, ready to serialise as GeoJSON; see [`CoverageReport::cells_layer`].
pub struct CellsLayer<'a> {
    report: &'a CoverageReport,
    point_ids: &'a [String],
    ward_names: &'a [String],
    service: Option<&'a ServiceReport>,
}

impl CoverageReport {
    /// The cells as hexagons, named by `point_ids` (index → id) and `ward_names`. With a
    /// `service` report, each hexagon also carries the point whose catchment holds it
    /// (`catchment_point_id`, null for unknown cells) and its E2SFCA access (`access_per_10k`),
    /// so a map can draw a point's catchment.
    pub fn cells_layer<'a>(
        &'a self,
        point_ids: &'a [String],
        ward_names: &'a [String],
        service: Option<&'a ServiceReport>,
    ) -> CellsLayer<'a> {
        CellsLayer {
            report: self,
            point_ids,
            ward_names,
            service,
        }
    }
}

impl Serialize for CellsLayer<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let features = self
            .report
            .cells
            .iter()
            .enumerate()
            .map(|(i, cell)| self.feature(i, cell));
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", "FeatureCollection")?;
        map.serialize_entry("features", &Features(std::cell::Cell::new(Some(features))))?;
        map.end()
    }
}

impl<'a> CellsLayer<'a> {
    fn feature(&self, i: usize, c: &'a CellResult) -> Feature<'a> {
        let mut ring: Vec<[f64; 2]> = c
            .cell
            .boundary()
            .iter()
            .map(|ll| [round6(ll.lng()), round6(ll.lat())])
            .collect();
        if let Some(&first) = ring.first() {
            ring.push(first);
        }
        let catchment = self.service.map(|s| {
            let point = s.catchments.of_cell.get(i).copied().flatten();
            let access = s.access_per_10k.get(i).copied().flatten();
            (
                point
                    .and_then(|p| self.point_ids.get(p))
                    .map(String::as_str),
                access.map(|a| (a * 1e3).round() / 1e3),
            )
        });
        Feature {
            kind: "Feature",
            geometry: Polygon {
                kind: "Polygon",
                coordinates: [ring],
            },
            properties: Properties {
                h3: c.cell.to_string(),
                population: round2(c.population),
                travel_s: c.travel_s.map(round1),
                distance_m: c.network_m.map(round1),
                straight_m: round1(c.straight_m),
                status: c.status.as_str(),
                by_time: c.by_time,
                by_radius: c.by_radius,
                on_roads: c.on_roads,
                nearest_point_id: c
                    .nearest_point
                    .and_then(|p| self.point_ids.get(p))
                    .map(String::as_str),
                ward: c
                    .ward
                    .and_then(|w| self.ward_names.get(w))
                    .map(String::as_str),
                catchment_point_id: catchment.map(|(p, _)| p),
                access_per_10k: catchment.map(|(_, a)| a),
            },
        }
    }
}

/// Serialises an iterator once, as a JSON array, without collecting it.
struct Features<I>(std::cell::Cell<Option<I>>);

impl<'a, I: Iterator<Item = Feature<'a>>> Serialize for Features<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(features) => serializer.collect_seq(features),
            None => serializer.collect_seq(std::iter::empty::<Feature<'a>>()),
        }
    }
}

#[derive(Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    geometry: Polygon,
    properties: Properties<'a>,
}

#[derive(Serialize)]
struct Polygon {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [Vec<[f64; 2]>; 1],
}

#[derive(Serialize)]
struct Properties<'a> {
    h3: String,
    population: f64,
    travel_s: Option<f64>,
    distance_m: Option<f64>,
    straight_m: f64,
    status: &'static str,
    by_time: bool,
    by_radius: bool,
    on_roads: bool,
    nearest_point_id: Option<&'a str>,
    ward: Option<&'a str>,
    /// Only with a service report: absent otherwise (not null), as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    catchment_point_id: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_per_10k: Option<Option<f64>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::report::CellStatus;

    fn report() -> CoverageReport {
        let cell = h3o::LatLng::new(21.0278, 105.8342)
            .unwrap()
            .to_cell(h3o::Resolution::Nine);
        let cells = vec![CellResult {
            cell,
            population: 123.456,
            travel_s: Some(600.04),
            network_m: None,
            straight_m: 1500.06,
            nearest_point: Some(0),
            straight_point: Some(0),
            by_time: true,
            by_radius: true,
            on_roads: true,
            status: CellStatus::Covered,
            ward: Some(0),
            district: None,
        }];
        CoverageReport::from_cells(cells, &["Hoàn Kiếm".into()], &[])
    }

    #[test]
    fn a_layer_is_a_feature_collection_of_closed_hexagons() {
        let report = report();
        let ids = vec!["p1".to_string()];
        let wards = vec!["Hoàn Kiếm".to_string()];
        let layer = serde_json::to_value(report.cells_layer(&ids, &wards, None)).unwrap();
        assert_eq!(layer["type"], "FeatureCollection");
        let feature = &layer["features"][0];
        let ring = feature["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.len(), 7, "six corners and the first again");
        assert_eq!(ring.first(), ring.last());
        let props = &feature["properties"];
        assert_eq!(props["population"], 123.46);
        assert_eq!(props["travel_s"], 600.0);
        assert_eq!(props["distance_m"], serde_json::Value::Null);
        assert_eq!(props["status"], "covered");
        assert_eq!(props["nearest_point_id"], "p1");
        assert_eq!(props["ward"], "Hoàn Kiếm");
        assert!(props.get("catchment_point_id").is_none());
    }
}
