//! Per-cell results and their sums: overall, per ward, per district.

use serde::Serialize;

/// Where a cell stands against the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    /// Some receiving point meets the rule.
    Covered,
    /// The data shows that no receiving point meets the rule.
    Uncovered,
    /// The verdict needs roads the data lacks (the cell, or the points that could serve it, lie
    /// beyond the road extract): neither covered nor uncovered.
    Unknown,
}

impl CellStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::Covered => "covered",
            CellStatus::Uncovered => "uncovered",
            CellStatus::Unknown => "unknown",
        }
    }

    /// The label reports print, in English and Vietnamese.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            CellStatus::Covered => ("covered", "được phục vụ"),
            CellStatus::Uncovered => ("uncovered", "chưa được phục vụ"),
            CellStatus::Unknown => (
                "unknown (no road data)",
                "chưa xác định (thiếu dữ liệu đường)",
            ),
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
    /// Index of the receiving point nearest by straight line (`None` without points).
    pub straight_point: Option<usize>,
    /// The time criterion holds (by road).
    pub by_time: bool,
    /// The radius criterion holds.
    pub by_radius: bool,
    /// The cell is within the snapping limit of a road the mode may use.
    pub on_roads: bool,
    pub status: CellStatus,
    pub ward: Option<usize>,
    pub district: Option<usize>,
}

/// The headline numbers. Population figures are people; shares are 0..=1 of the population of
/// the study area (`population_total`), unless named otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoverageSummary {
    /// Everyone in the study area's populated cells.
    pub population_total: f64,
    pub population_covered: f64,
    pub population_uncovered: f64,
    /// People the data cannot decide: neither covered nor uncovered.
    pub population_unknown: f64,
    /// People in cells the road data does not reach, whatever their verdict.
    pub population_no_road_data: f64,
    /// Of those, the people the rule covers all the same (within the straight radius, under OR).
    pub population_no_road_data_covered: f64,
    /// People (uncovered) beyond the travel-time limit.
    pub uncovered_by_time: f64,
    /// People (uncovered) beyond the radius.
    pub uncovered_by_radius: f64,
    /// People (uncovered) beyond both.
    pub uncovered_by_both: f64,
    /// Under AND: people uncovered although each limit holds, each for a different point (one
    /// within the time, another within the radius, none within both). Zero under OR.
    pub uncovered_no_single_point: f64,
    /// covered / total.
    pub covered_share: f64,
    /// uncovered / total.
    pub uncovered_share: f64,
    /// unknown / total.
    pub unknown_share: f64,
    /// covered / (covered + uncovered): the share among the people the data can decide.
    pub covered_share_of_decided: f64,
    /// Population-weighted mean travel time over people who can reach a point by road.
    pub mean_travel_s: f64,
    /// Population-weighted 95th percentile of the same.
    pub p95_travel_s: f64,
    /// The people the two travel-time figures are over.
    pub population_with_travel_time: f64,
    /// Populated cells evaluated.
    pub cells: usize,
}

/// Sums for one ward or district (of the cells of it inside the study area).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RegionStats {
    pub name: String,
    pub population: f64,
    pub covered: f64,
    pub uncovered: f64,
    pub unknown: f64,
    /// People in cells the road data does not reach, whatever their verdict.
    pub no_road_data: f64,
    /// covered / population.
    pub covered_share: f64,
    /// covered / (covered + uncovered); `None` when nobody here can be decided.
    pub covered_share_of_decided: Option<f64>,
    /// `None` when nobody here reaches a point by road.
    pub mean_travel_s: Option<f64>,
    /// The study extent cuts the region: its figures are for the part inside only.
    pub cut_by_extent: bool,
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
    unknown: f64,
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
            CellStatus::Unknown => self.unknown += c.population,
        }
        if !c.on_roads {
            self.no_road_data += c.population;
        }
        if let Some(t) = c.travel_s {
            self.travel_weighted += t * c.population;
            self.travel_population += c.population;
        }
    }

    fn share_of_decided(&self) -> Option<f64> {
        let decided = self.covered + self.uncovered;
        (decided > 0.0).then(|| self.covered / decided)
    }

    fn mean_travel_s(&self) -> Option<f64> {
        (self.travel_population > 0.0).then(|| self.travel_weighted / self.travel_population)
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

impl CoverageReport {
    /// The `n` wards holding the most residents the data cannot decide, most first: where a
    /// current road extract would settle the most.
    pub fn wards_most_unknown(&self, n: usize) -> Vec<&RegionStats> {
        let mut wards: Vec<&RegionStats> = self.wards.iter().filter(|w| w.unknown > 0.0).collect();
        wards.sort_by(|a, b| b.unknown.total_cmp(&a.unknown).then(a.name.cmp(&b.name)));
        wards.truncate(n);
        wards
    }

    pub fn from_cells(
        cells: Vec<CellResult>,
        ward_names: &[String],
        district_names: &[String],
    ) -> Self {
        let mut total = Sums::default();
        let (mut by_time, mut by_radius, mut by_both, mut split) = (0.0, 0.0, 0.0, 0.0);
        let mut covered_without_roads = 0.0;
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
            if !c.on_roads && c.status == CellStatus::Covered {
                covered_without_roads += c.population;
            }
            if c.status == CellStatus::Uncovered {
                match (c.by_time, c.by_radius) {
                    (false, false) => {
                        by_time += c.population;
                        by_radius += c.population;
                        by_both += c.population;
                    }
                    (false, true) => by_time += c.population,
                    (true, false) => by_radius += c.population,
                    (true, true) => split += c.population,
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
            population_unknown: total.unknown,
            population_no_road_data: total.no_road_data,
            population_no_road_data_covered: covered_without_roads,
            uncovered_by_time: by_time,
            uncovered_by_radius: by_radius,
            uncovered_by_both: by_both,
            uncovered_no_single_point: split,
            covered_share: share(total.covered, total.population),
            uncovered_share: share(total.uncovered, total.population),
            unknown_share: share(total.unknown, total.population),
            covered_share_of_decided: total.share_of_decided().unwrap_or(0.0),
            mean_travel_s: total.mean_travel_s().unwrap_or(0.0),
            p95_travel_s: weighted_quantile(&mut travel, 0.95),
            population_with_travel_time: total.travel_population,
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
            unknown: s.unknown,
            no_road_data: s.no_road_data,
            covered_share: share(s.covered, s.population),
            covered_share_of_decided: s.share_of_decided(),
            mean_travel_s: s.mean_travel_s(),
            cut_by_extent: false,
        })
        .collect();
    // Worst first: most of the region's people uncovered, then most unknown (where the data is
    // missing), then the name.
    let uncovered = |r: &RegionStats| share(r.uncovered, r.population);
    let unknown = |r: &RegionStats| share(r.unknown, r.population);
    rows.sort_by(|a, b| {
        uncovered(b)
            .total_cmp(&uncovered(a))
            .then(b.uncovered.total_cmp(&a.uncovered))
            .then(unknown(b).total_cmp(&unknown(a)))
            .then(a.name.cmp(&b.name))
    });
    rows
}

/// A share as a percentage for people to read, rounded *down* to `decimals`: never 100 % while
/// anyone is outside (99.99… % reads "99.9" with one decimal), and never 0 % while anyone is
/// inside (the smallest step instead), so a share of people outside never reads as nobody.
pub fn percent_floor(part: f64, whole: f64, decimals: u32) -> f64 {
    if whole <= 0.0 || part <= 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(decimals as i32);
    let percent = (part / whole * 100.0 * scale).floor() / scale;
    if part < whole && percent >= 100.0 {
        100.0 - 1.0 / scale
    } else if percent <= 0.0 {
        // Someone is inside: show the smallest step rather than nothing.
        1.0 / scale
    } else {
        percent
    }
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
