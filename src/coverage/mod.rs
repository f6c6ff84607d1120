//! The coverage rule — a resident is served when a receiving point is within 30 minutes of
//! travel OR within 5 km — evaluated for every populated H3 cell, and summed overall and per
//! ward and district.
//!
//! Evaluation is split in two so that a planner moving one point waits milliseconds:
//! [`PreparedCells::new`] does what does not depend on the points (attaching every cell to the
//! road network, finding its ward and district), [`PreparedCells::evaluate`] does the rest (one
//! multi-source search from all points over the reversed graph, then a pass over the cells).
//!
//! Cells farther than the snapping limit ([`DEFAULT_MAX_SNAP_M`]) from any road the mode may use have no road
//! data: the road extract does not reach them, so their travel time is unknown. The rule still
//! decides them where it can ([`CoverageRule::pair_verdict`]): under OR with a straight radius a
//! cell within the radius of a point is covered whatever the roads. Where the verdict needs the
//! missing roads the cell is *unknown*, counted apart and never as covered or uncovered. The same
//! holds for cells whose only candidates are points beyond the road data themselves.

pub mod catchment;
mod cell_grid;
mod cells_layer;
pub mod compact;
pub mod demand;
pub mod fairness;
pub mod load;
pub mod queue;
mod reach_cache;
mod report;
mod rule;

use std::sync::OnceLock;

use rstar::RTree;
use rstar::primitives::GeomWithData;

pub use catchment::{Catchment, Catchments, serving_point};
pub use cell_grid::CellGrid;
pub use cells_layer::CellsLayer;
pub use compact::{CellBasemap, CellColumns};
pub use demand::{DemandAssumptions, DemandError};
pub use fairness::Inequality;
pub use load::{Fairness, LoadSummary, PointLoad, PointService, ServiceReport, WardService};
pub use queue::{Queue, QueueLevel};
pub use report::{
    CellResult, CellStatus, CoverageReport, CoverageSummary, RegionStats, percent_floor,
};
pub use rule::{
    Combine, CoverageRule, DEFAULT_MAX_SNAP_M, PairFacts, RadiusKind, RoadFacts, Verdict,
};

use crate::graph::{LocalProjection, RoadGraph, SnapIndex, haversine_m};
use crate::routing::matrix::reach_by_candidate;
use crate::routing::{
    Attachment, Direction, Hierarchy, Metric, PlaceEnds, SearchGraph, SegmentIndex,
    along_shared_segment, multi_source_at_junctions, seeds_towards,
};

/// A populated cell as coverage needs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellInput {
    pub cell: h3o::CellIndex,
    pub population: f64,
    pub lon: f64,
    pub lat: f64,
    pub ward: Option<usize>,
    pub district: Option<usize>,
}

/// A receiving point as coverage needs it: where it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointLocation {
    pub lon: f64,
    pub lat: f64,
}

/// The point-independent part of an evaluation, built once per travel mode and population.
#[derive(Clone, Debug)]
pub struct PreparedCells {
    pub cells: Vec<CellInput>,
    pub attachments: Vec<Option<Attachment>>,
    pub ward_names: Vec<String>,
    pub district_names: Vec<String>,
    pub access_speed_kmh: f64,
    pub max_snap_m: f64,
    /// The graph laid out for searching, built once.
    pub search: SearchGraph,
    /// The road ends of every cell, resolved once for reading each evaluation's search.
    ends: PlaceEnds,
    /// Contraction hierarchy of `search` towards the sources, built on first use (matrices).
    hierarchy: OnceLock<Hierarchy>,
    /// The highest speed of any edge (m/s): no trip beats the straight line at this speed.
    pub fastest_speed_mps: f64,
    /// Rows of [`PreparedCells::reach_within`] kept for points that did not move.
    reach_cache: reach_cache::ReachCache,
}

impl PreparedCells {
    /// Attaches every cell centre to the graph (in parallel). Cells beyond `max_snap_m` of any
    /// usable road stay unattached: "no road data".
    pub fn new(
        graph: &RoadGraph,
        index: &SnapIndex,
        cells: Vec<CellInput>,
        ward_names: Vec<String>,
        district_names: Vec<String>,
        access_speed_kmh: f64,
        max_snap_m: f64,
    ) -> PreparedCells {
        use rayon::prelude::*;
        let attachments: Vec<Option<Attachment>> = cells
            .par_iter()
            .map(|c| Attachment::new(graph, index, c.lon, c.lat, access_speed_kmh, max_snap_m))
            .collect();
        let search = SearchGraph::new(graph);
        PreparedCells {
            fastest_speed_mps: fastest_speed_mps(graph, access_speed_kmh),
            ends: PlaceEnds::new(graph, &search, &attachments),
            search,
            hierarchy: OnceLock::new(),
            reach_cache: reach_cache::ReachCache::default(),
            cells,
            attachments,
            ward_names,
            district_names,
            access_speed_kmh,
            max_snap_m,
        }
    }

    /// The contraction hierarchy for travel-time matrices towards candidate sites, built the
    /// first time it is asked for (a few hundred milliseconds for a city).
    pub fn hierarchy(&self) -> &Hierarchy {
        self.hierarchy
            .get_or_init(|| Hierarchy::new(&self.search, Direction::ToSources))
    }

    /// Evaluates the rule for the given points. `graph` and `index` must be the ones the cells
    /// were prepared with.
    pub fn evaluate(
        &self,
        graph: &RoadGraph,
        index: &SnapIndex,
        points: &[PointLocation],
        rule: &CoverageRule,
    ) -> CoverageReport {
        self.evaluate_at_speed(graph, index, points, rule, 1.0)
    }

    /// [`Self::evaluate`] with every travel time divided by `speed_factor` (a speed band:
    /// 0.65 in the rush hour makes a 13-minute ride 20 minutes). A uniform factor keeps the
    /// order of arrival, so the same searches serve every hour: the rule is applied to the
    /// free-flow times against `max_travel_s x speed_factor`, and the times reported are scaled.
    pub fn evaluate_at_speed(
        &self,
        graph: &RoadGraph,
        index: &SnapIndex,
        points: &[PointLocation],
        rule: &CoverageRule,
        speed_factor: f64,
    ) -> CoverageReport {
        let free_flow_rule = CoverageRule {
            max_travel_s: rule.max_travel_s * speed_factor,
            ..*rule
        };
        let rule = &free_flow_rule;
        let fastest_speed_mps = self.fastest_speed_mps;
        let started = std::time::Instant::now();
        let attached = self.attach_points(graph, index, points);
        let seeds: Vec<_> = attached
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().map(|a| (i, a)))
            .flat_map(|(i, a)| seeds_towards(graph, a, i as u32))
            .collect();
        let by_time = multi_source_at_junctions(
            &self.search,
            &seeds,
            Direction::ToSources,
            Metric::Time,
            None,
        );
        let by_length = (rule.radius_kind == RadiusKind::Network).then(|| {
            multi_source_at_junctions(
                &self.search,
                &seeds,
                Direction::ToSources,
                Metric::Length,
                None,
            )
        });
        let shared = SegmentIndex::new(
            attached
                .iter()
                .enumerate()
                .filter_map(|(i, a)| a.as_ref().map(|a| (i as u32, a))),
        );
        let straight = StraightLine::new(points);
        // Points beyond the road data: pairs with them have no known travel time.
        let off_network: Vec<PointLocation> = points
            .iter()
            .zip(&attached)
            .filter(|(_, a)| a.is_none())
            .map(|(p, _)| *p)
            .collect();
        let straight_off = StraightLine::new(&off_network);
        let search_ms = started.elapsed().as_secs_f64() * 1e3;
        let started = std::time::Instant::now();

        use rayon::prelude::*;
        let mut results = self
            .cells
            .par_iter()
            .zip(&self.attachments)
            .enumerate()
            .map(|(k, (cell, attachment))| {
                let (straight_m, straight_point) = straight.nearest(cell.lon, cell.lat);
                let mut travel = None;
                let mut network_m = None;
                let mut nearest_point = straight_point;
                // Length of the fastest path, kept for the AND rule's same-point check.
                let mut fastest_m = None;
                if let Some(a) = attachment {
                    let mut best = self.ends.cost(&by_time, k, Metric::Time);
                    for &p in shared.on_segment(a) {
                        if let Some(pa) = &attached[p as usize]
                            && let Some((t, l)) = along_shared_segment(graph, a, pa)
                            && best.is_none_or(|b| t < b.0)
                        {
                            best = Some((t, l, p));
                        }
                    }
                    if let Some((t, l, p)) = best {
                        travel = Some(t);
                        network_m = Some(l);
                        fastest_m = Some(l);
                        nearest_point = Some(p as usize);
                    }
                    if let Some(lengths) = &by_length {
                        let mut shortest = self.ends.cost(lengths, k, Metric::Length).map(|c| c.1);
                        for &p in shared.on_segment(a) {
                            if let Some(pa) = &attached[p as usize]
                                && let Some((_, l)) = along_shared_segment(graph, a, pa)
                            {
                                shortest = Some(shortest.map_or(l, |s: f64| s.min(l)));
                            }
                        }
                        network_m = shortest;
                    }
                }
                let by_time = travel.is_some_and(|t| t <= rule.max_travel_s);
                // The rule is judged on free-flow times against the free-flow limit; the cell
                // reports the time at the hour's speed.
                let free_flow_travel = travel;
                let travel = travel.map(|t| t / speed_factor);
                // Without roads the radius can only be measured in a straight line.
                let by_radius = match rule.radius_kind {
                    RadiusKind::Network if attachment.is_some() => {
                        network_m.is_some_and(|d| d <= rule.max_radius_m)
                    }
                    RadiusKind::Network => false,
                    RadiusKind::Straight => straight_m <= rule.max_radius_m,
                };
                // The pairs the road data judges, taken at their best: the point reached first
                // (and its fastest path under AND), the shortest road distance (network radius
                // under OR) and the nearest point by straight line. Under AND, cells where the
                // point reached first fails but another might pass are settled below.
                let reached = match (free_flow_travel, network_m) {
                    (Some(t), Some(l)) => RoadFacts::Reached {
                        travel_s: t,
                        radius_m: match rule.combine {
                            Combine::Or => l,
                            Combine::And => fastest_m.unwrap_or(l),
                        },
                    },
                    _ if attachment.is_some() => RoadFacts::Unreachable,
                    _ => RoadFacts::Unknown,
                };
                let first_reached =
                    nearest_point
                        .filter(|_| travel.is_some())
                        .map_or(f64::INFINITY, |p| {
                            let q = points[p];
                            haversine_m((cell.lon, cell.lat), (q.lon, q.lat))
                        });
                let verdict = match rule.combine {
                    // Under OR each criterion can be taken at its own best point.
                    Combine::Or => Verdict::from_bool(by_time || by_radius),
                    Combine::And => rule.pair_verdict(
                        &PairFacts {
                            road: reached,
                            straight_m: first_reached,
                        },
                        fastest_speed_mps,
                    ),
                };
                let status = match verdict {
                    Verdict::Holds => CellStatus::Covered,
                    // Nothing the roads show holds: the points the road data cannot judge
                    // (all of them for a cell without roads) decide between uncovered and unknown.
                    _ => {
                        let nearest_unknown_m = if attachment.is_some() {
                            straight_off.nearest(cell.lon, cell.lat).0
                        } else {
                            straight_m
                        };
                        match rule.beyond_the_roads(nearest_unknown_m, fastest_speed_mps) {
                            Verdict::Fails => CellStatus::Uncovered,
                            _ => CellStatus::Unknown,
                        }
                    }
                };
                CellResult {
                    cell: cell.cell,
                    population: cell.population,
                    travel_s: travel,
                    network_m,
                    straight_m,
                    nearest_point,
                    straight_point,
                    by_time,
                    by_radius,
                    on_roads: attachment.is_some(),
                    status,
                    ward: cell.ward,
                    district: cell.district,
                }
            })
            .collect::<Vec<CellResult>>();
        if rule.combine == Combine::And {
            self.settle_and_rule(graph, points, &attached, rule, &mut results);
        }
        let mut report =
            CoverageReport::from_cells(results, &self.ward_names, &self.district_names);
        report.off_network_points = attached
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_none())
            .map(|(i, _)| i)
            .collect();
        report.search_ms = search_ms;
        report.aggregate_ms = started.elapsed().as_secs_f64() * 1e3;
        report
    }
}

impl PreparedCells {
    /// Attaches receiving points as cells are attached (beyond `max_snap_m`: radius only).
    fn attach_points(
        &self,
        graph: &RoadGraph,
        index: &SnapIndex,
        points: &[PointLocation],
    ) -> Vec<Option<Attachment>> {
        points
            .iter()
            .map(|p| {
                Attachment::new(
                    graph,
                    index,
                    p.lon,
                    p.lat,
                    self.access_speed_kmh,
                    self.max_snap_m,
                )
            })
            .collect()
    }

    /// For each point, the cells that reach it by road within `max_travel_s`, with their
    /// travel times and lengths: the pairs the floating catchments and the capacity-aware assignment
    /// weigh. One sweep of the contraction hierarchy per eight points (built on first use), for
    /// the points not asked about before: rows of points that did not move are kept.
    pub fn reach_within(
        &self,
        graph: &RoadGraph,
        index: &SnapIndex,
        points: &[PointLocation],
        max_travel_s: f64,
    ) -> Vec<Vec<crate::routing::matrix::Reach>> {
        let keys: Vec<_> = points
            .iter()
            .map(|p| reach_cache::reach_key(p.lon, p.lat, max_travel_s))
            .collect();
        let mut rows: Vec<Option<std::sync::Arc<Vec<_>>>> =
            keys.iter().map(|k| self.reach_cache.get(k)).collect();
        let missing: Vec<usize> = (0..points.len()).filter(|&j| rows[j].is_none()).collect();
        if !missing.is_empty() {
            let wanted: Vec<PointLocation> = missing.iter().map(|&j| points[j]).collect();
            let attached = self.attach_points(graph, index, &wanted);
            let fresh = reach_by_candidate(
                graph,
                &self.search,
                Some(self.hierarchy()),
                &attached,
                &self.attachments,
                Metric::Time,
                max_travel_s,
                &|| {},
            );
            for (&j, row) in missing.iter().zip(fresh) {
                let row = std::sync::Arc::new(row);
                self.reach_cache.put(keys[j], row.clone());
                rows[j] = Some(row);
            }
        }
        rows.into_iter()
            .map(|row| row.map(|r| r.as_ref().clone()).unwrap_or_default())
            .collect()
    }

    /// Under AND, a cell whose first-reached point is outside the radius may still be served by
    /// another point that meets both limits. Such cells are few, and so are the points within
    /// the radius of them: one search bounded by the time limit from each such point decides
    /// them. A road path is never shorter than the straight line, so points beyond the radius in
    /// a straight line need no search under either radius kind.
    fn settle_and_rule(
        &self,
        graph: &RoadGraph,
        points: &[PointLocation],
        attached: &[Option<Attachment>],
        rule: &CoverageRule,
        results: &mut [CellResult],
    ) {
        let undecided: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status != CellStatus::Covered && r.by_time && r.by_radius)
            .map(|(i, _)| i)
            .collect();
        if undecided.is_empty() {
            return;
        }
        let straight = |cell: usize, p: usize| {
            let (c, q) = (&self.cells[cell], points[p]);
            haversine_m((c.lon, c.lat), (q.lon, q.lat))
        };
        let mut wanted = vec![false; points.len()];
        for &cell in &undecided {
            for (p, w) in wanted.iter_mut().enumerate() {
                if attached[p].is_some()
                    && Some(p) != results[cell].nearest_point
                    && straight(cell, p) <= rule.max_radius_m
                {
                    *w = true;
                }
            }
        }
        let candidates: Vec<usize> = (0..points.len()).filter(|&p| wanted[p]).collect();
        let demands: Vec<Option<Attachment>> =
            undecided.iter().map(|&c| self.attachments[c]).collect();
        let rows = reach_by_candidate(
            graph,
            &self.search,
            None,
            &candidates.iter().map(|&p| attached[p]).collect::<Vec<_>>(),
            &demands,
            Metric::Time,
            rule.max_travel_s,
            &|| {},
        );
        for (&p, row) in candidates.iter().zip(&rows) {
            for reach in row {
                let cell = undecided[reach.demand as usize];
                let within = match rule.radius_kind {
                    RadiusKind::Network => reach.length_m <= rule.max_radius_m,
                    RadiusKind::Straight => straight(cell, p) <= rule.max_radius_m,
                };
                if within {
                    results[cell].status = CellStatus::Covered;
                }
            }
        }
    }
}

type PointEntry = GeomWithData<[f64; 2], usize>;

/// Below this many points a plain scan beats the tree.
const SCAN_LIMIT: usize = 256;

/// Straight-line nearest point lookups in a local equirectangular projection (metres), exact
/// enough at city scale to pick the nearest point, whose great-circle distance is then taken.
struct StraightLine {
    tree: Option<RTree<PointEntry>>,
    projected: Vec<[f64; 2]>,
    points: Vec<PointLocation>,
    frame: LocalProjection,
}

impl StraightLine {
    fn new(points: &[PointLocation]) -> StraightLine {
        let lat0 = if points.is_empty() {
            21.0
        } else {
            points.iter().map(|p| p.lat).sum::<f64>() / points.len() as f64
        };
        let frame = LocalProjection::around((0.0, lat0));
        let projected: Vec<[f64; 2]> = points
            .iter()
            .map(|p| frame.to_metres((p.lon, p.lat)))
            .collect();
        let tree = (points.len() > SCAN_LIMIT).then(|| {
            RTree::bulk_load(
                projected
                    .iter()
                    .enumerate()
                    .map(|(i, &xy)| GeomWithData::new(xy, i))
                    .collect(),
            )
        });
        StraightLine {
            tree,
            projected,
            points: points.to_vec(),
            frame,
        }
    }

    /// Distance in metres to the nearest point, and which point (infinite and `None` without points).
    fn nearest(&self, lon: f64, lat: f64) -> (f64, Option<usize>) {
        let here = self.frame.to_metres((lon, lat));
        let best = match &self.tree {
            Some(tree) => tree.nearest_neighbor(here).map(|e| e.data),
            None => {
                // A plain loop with `<` (coordinates are finite): this scan runs for every
                // cell of every evaluation.
                let mut best = (f64::INFINITY, None);
                for (i, p) in self.projected.iter().enumerate() {
                    let d = (p[0] - here[0]).powi(2) + (p[1] - here[1]).powi(2);
                    if d < best.0 {
                        best = (d, Some(i));
                    }
                }
                best.1
            }
        };
        match best {
            Some(i) => {
                let p = self.points[i];
                (haversine_m((lon, lat), (p.lon, p.lat)), Some(i))
            }
            None => (f64::INFINITY, None),
        }
    }
}

/// The highest speed of any edge of `graph` or of the access legs, in m/s, with a margin for
/// the single-precision edge figures: a lower bound on travel time is the straight line at it.
fn fastest_speed_mps(graph: &RoadGraph, access_speed_kmh: f64) -> f64 {
    let fastest_edge = graph
        .length_m
        .iter()
        .zip(&graph.travel_s)
        .map(|(&l, &t)| f64::from(l) / f64::from(t))
        .fold(0.0, f64::max);
    fastest_edge.max(access_speed_kmh / 3.6) * 1.01
}
