//! Placeholder for the coverage module: the public types the server translates to JSON.

use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RadiusKind {
    #[default]
    Straight,
    Network,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    #[default]
    Or,
    And,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    Covered,
    Uncovered,
    NoRoadData,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageSummary {
    pub population_total: f64,
    pub population_covered: f64,
    pub population_uncovered: f64,
    pub population_no_road_data: f64,
    pub uncovered_by_time: f64,
    pub uncovered_by_radius: f64,
    pub uncovered_by_both: f64,
    pub covered_share: f64,
    pub mean_travel_s: f64,
    pub p95_travel_s: f64,
    pub cells: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegionStats {
    pub name: String,
    pub population: f64,
    pub covered: f64,
    pub uncovered: f64,
    pub no_road_data: f64,
    pub covered_share: f64,
    pub mean_travel_s: f64,
}

#[derive(Clone, Debug)]
pub struct CellResult {
    pub cell: h3o::CellIndex,
    pub population: f64,
    pub travel_s: Option<f64>,
    pub network_m: Option<f64>,
    pub straight_m: f64,
    pub nearest_point: Option<usize>,
    pub by_time: bool,
    pub by_radius: bool,
    pub status: CellStatus,
    pub ward: Option<usize>,
    pub district: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct CoverageReport {
    pub summary: CoverageSummary,
    pub cells: Vec<CellResult>,
    pub wards: Vec<RegionStats>,
    pub districts: Vec<RegionStats>,
}

impl CoverageReport {
    pub fn cells_geojson(&self, point_ids: &[String], ward_names: &[String]) -> serde_json::Value {
        let features: Vec<_> = self
            .cells
            .iter()
            .map(|c| {
                let ring: Vec<[f64; 2]> = c
                    .cell
                    .boundary()
                    .iter()
                    .chain(c.cell.boundary().iter().take(1))
                    .map(|ll| [ll.lng(), ll.lat()])
                    .collect();
                json!({
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {
                        "h3": c.cell.to_string(),
                        "population": c.population,
                        "travel_s": c.travel_s,
                        "distance_m": c.network_m,
                        "straight_m": c.straight_m,
                        "status": c.status,
                        "by_time": c.by_time,
                        "by_radius": c.by_radius,
                        "nearest_point_id": c.nearest_point.and_then(|i| point_ids.get(i)),
                        "ward": c.ward.and_then(|w| ward_names.get(w)),
                    }
                })
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }
}
