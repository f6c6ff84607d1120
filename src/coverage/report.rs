//! Per-cell results and their sums: overall, per ward, per district.

use serde::Serialize;
use serde_json::{Value, json};

/// Where a cell stands against the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    Covered,
    Uncovered,
    /// The road extract does not reach the cell: its travel time is unknown.
    NoRoadData,
}

impl CellStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Covered => "covered",
            CellStatus::Uncovered => "uncovered",
            CellStatus::NoRoadData => "no_road_data",
        }
    }
}

/// One populated H3 cell against the rule.
#[derive(Clone, Debug, PartialEq)]
pub struct CellResult {
    pub cell: h3o::CellIndex,
    pub population: f64,
    /// Fastest travel time to any receiving point (access legs included); `None` when no point
    /// can be reached by road from here.
    pub travel_s: Option<f64>,
    /// Network distance: along the fastest path, or the shortest road distance when the radius
    /// is measured along the network.
    pub network_m: Option<f64>,
    /// Great-circle distance to the nearest receiving point.
    pub straight_m: f64,
    /// Index of the receiving point reached first (by road; by straight line when no road leads
    /// to one).
    pub nearest_point: Option<usize>,
    pub by_time: bool,
    pub by_radius: bool,
    pub status: CellStatus,
    pub ward: Option<usize>,
    pub district: Option<usize>,
}

/// The headline numbers. Population figures are people; shares are 0..=1.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoverageSummary {
    pub population_total: f64,
    pub population_covered: f64,
    pub population_uncovered: f64,
    /// People in cells the road data does not reach; neither covered nor uncovered.
    pub population_no_road_data: f64,
    /// Of those, the people within the radius of a point by straight line.
    pub population_no_road_data_within_radius: f64,
    /// People (with road data) beyond the travel-time limit.
    pub uncovered_by_time: f64,
    /// People (with road data) beyond the radius.
    pub uncovered_by_radius: f64,
    /// People (with road data) beyond both.
    pub uncovered_by_both: f64,
    /// Under AND: people uncovered although each limit holds, each for a different point (one
    /// within the time, another within the radius, none within both). Zero under OR.
    pub uncovered_no_single_point: f64,
    /// covered / (covered + uncovered): the share of people the road data lets us judge.
    pub covered_share: f64,
    /// Population-weighted mean travel time over people who can reach a point by road.
    pub mean_travel_s: f64,
    /// Population-weighted 95th percentile of the same.
    pub p95_travel_s: f64,
    /// Populated cells evaluated.
    pub cells: usize,
}

/// Sums for one ward or district.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionStats {
    pub name: String,
    pub population: f64,
    pub covered: f64,
    pub uncovered: f64,
    pub no_road_data: f64,
    pub covered_share: f64,
    pub mean_travel_s: f64,
}

/// Everything an evaluation found.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverageReport {
    pub summary: CoverageSummary,
    pub cells: Vec<CellResult>,
    /// Worst first: lowest covered share, then most people uncovered.
    pub wards: Vec<RegionStats>,
    pub districts: Vec<RegionStats>,
    /// Indices of the points no usable road reaches within the snapping limit: they count for
    /// the radius only.
    pub off_network_points: Vec<usize>,
    /// Time of the searches (points attached, one multi-source Dijkstra per metric).
    pub search_ms: f64,
    /// Time of the pass over the cells and the sums.
    pub aggregate_ms: f64,
}

#[derive(Default, Clone)]
struct Sums {
    population: f64,
    covered: f64,
    uncovered: f64,
    no_road_data: f64,
    travel_weighted: f64,
    travel_population: f64,
}

impl Sums {
    fn add(&mut self, c: &CellResult) {
        self.population += c.population;
        match c.status {
            CellStatus::Covered => self.covered += c.population,
            CellStatus::Uncovered => self.uncovered += c.population,
            CellStatus::NoRoadData => self.no_road_data += c.population,
        }
        if let Some(t) = c.travel_s {
            self.travel_weighted += t * c.population;
            self.travel_population += c.population;
        }
    }

    fn share(&self) -> f64 {
        share(self.covered, self.covered + self.uncovered)
    }

    fn mean_travel_s(&self) -> f64 {
        if self.travel_population > 0.0 {
            self.travel_weighted / self.travel_population
        } else {
            0.0
        }
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

impl CoverageReport {
    pub fn from_cells(
        cells: Vec<CellResult>,
        ward_names: &[String],
        district_names: &[String],
    ) -> Self {
        let mut total = Sums::default();
        let (mut by_time, mut by_radius, mut by_both, mut nrd_radius) = (0.0, 0.0, 0.0, 0.0);
        let mut split = 0.0;
        let mut wards = vec![Sums::default(); ward_names.len()];
        let mut districts = vec![Sums::default(); district_names.len()];
        let mut travel: Vec<(f64, f64)> = Vec::with_capacity(cells.len());
        for c in &cells {
            total.add(c);
            if let Some(w) = c.ward.and_then(|w| wards.get_mut(w)) {
                w.add(c);
            }
            if let Some(d) = c.district.and_then(|d| districts.get_mut(d)) {
                d.add(c);
            }
            if c.status == CellStatus::NoRoadData {
                if c.by_radius {
                    nrd_radius += c.population;
                }
            } else {
                match (c.by_time, c.by_radius) {
                    (false, false) => {
                        by_time += c.population;
                        by_radius += c.population;
                        by_both += c.population;
                    }
                    (false, true) => by_time += c.population,
                    (true, false) => by_radius += c.population,
                    (true, true) if c.status == CellStatus::Uncovered => split += c.population,
                    (true, true) => {}
                }
            }
            if let Some(t) = c.travel_s {
                travel.push((t, c.population));
            }
        }
        let summary = CoverageSummary {
            population_total: total.population,
            population_covered: total.covered,
            population_uncovered: total.uncovered,
            population_no_road_data: total.no_road_data,
            population_no_road_data_within_radius: nrd_radius,
            uncovered_by_time: by_time,
            uncovered_by_radius: by_radius,
            uncovered_by_both: by_both,
            uncovered_no_single_point: split,
            covered_share: total.share(),
            mean_travel_s: total.mean_travel_s(),
            p95_travel_s: weighted_quantile(&mut travel, 0.95),
            cells: cells.len(),
        };
        CoverageReport {
            summary,
            cells,
            wards: region_table(&wards, ward_names),
            districts: region_table(&districts, district_names),
            off_network_points: Vec::new(),
            search_ms: 0.0,
            aggregate_ms: 0.0,
        }
    }

    /// Cells as a GeoJSON FeatureCollection of hexagons, for maps and QGIS.
    /// `point_ids` names the receiving points by index.
    pub fn cells_geojson(&self, point_ids: &[String], ward_names: &[String]) -> Value {
        let features: Vec<Value> = self
            .cells
            .iter()
            .map(|c| {
                let mut ring: Vec<[f64; 2]> = c
                    .cell
                    .boundary()
                    .iter()
                    .map(|ll| [round6(ll.lng()), round6(ll.lat())])
                    .collect();
                if let Some(&first) = ring.first() {
                    ring.push(first);
                }
                json!({
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {
                        "h3": c.cell.to_string(),
                        "population": round2(c.population),
                        "travel_s": c.travel_s.map(round1),
                        "distance_m": c.network_m.map(round1),
                        "straight_m": round1(c.straight_m),
                        "status": c.status.as_str(),
                        "by_time": c.by_time,
                        "by_radius": c.by_radius,
                        "nearest_point_id": c.nearest_point.and_then(|p| point_ids.get(p)),
                        "ward": c.ward.and_then(|w| ward_names.get(w)),
                    }
                })
            })
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    }
}

fn region_table(sums: &[Sums], names: &[String]) -> Vec<RegionStats> {
    let mut rows: Vec<RegionStats> = sums
        .iter()
        .zip(names)
        .filter(|(s, _)| s.population > 0.0)
        .map(|(s, name)| RegionStats {
            name: name.clone(),
            population: s.population,
            covered: s.covered,
            uncovered: s.uncovered,
            no_road_data: s.no_road_data,
            covered_share: s.share(),
            mean_travel_s: s.mean_travel_s(),
        })
        .collect();
    // Regions the road data does not reach at all cannot be judged: they go last, so the top
    // of the table is where the rule is known to fail.
    let judged = |r: &RegionStats| r.covered + r.uncovered > 0.0;
    rows.sort_by(|a, b| {
        judged(b)
            .cmp(&judged(a))
            .then(a.covered_share.total_cmp(&b.covered_share))
            .then(b.uncovered.total_cmp(&a.uncovered))
            .then(b.no_road_data.total_cmp(&a.no_road_data))
            .then(a.name.cmp(&b.name))
    });
    rows
}

/// The value below which `q` of the total weight lies (weights are people).
pub fn weighted_quantile(values: &mut [(f64, f64)], q: f64) -> f64 {
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = values.iter().map(|v| v.1).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let target = q * total;
    let mut acc = 0.0;
    for &(v, w) in values.iter() {
        acc += w;
        if acc >= target {
            return v;
        }
    }
    values.last().map_or(0.0, |v| v.0)
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
