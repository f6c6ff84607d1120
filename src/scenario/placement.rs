//! Placement suggestions: where new receiving points serve the most people, and which desks a
//! consolidation keeps, built on [`crate::optimise`] with travel-time matrices from the area's
//! road graph.
//!
//! Demand is every populated cell the road data reaches (weight: people). Candidate sites are
//! the centres of those cells plus the scenario's own points. A pair enters the matrix when the
//! travel time is within the cut-off; under the OR rule with a straight-line radius, a pair
//! within the radius also counts as covered (its cost is set to the time limit), so the models
//! optimise the rule the report checks.
//!
//! At a time ([`PlacementTime::At`]) a pair counts only when the point is open on arrival and
//! at that hour's speeds; over a week ([`PlacementTime::Week`]) each demand row is a cell at
//! one class of hours (hours alike in speed and in which points are open), weighted by its
//! people times its hours, so the models maximise person-hours covered. A point of unknown
//! hours never covers anyone then: the report counts such residents as unknown.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use serde::Serialize;

use super::area::StudyArea;
use super::timed::{WindowState, window_state};
use super::{
    Candidates, CoverageMeasure, PlacementRequest, PlacementTime, PointKind, ReceivingPoint,
    Scenario, ScenarioError, group_thousands,
};
use crate::coverage::{Combine, RadiusKind, RoadFacts};
use crate::graph::{EARTH_RADIUS_M, haversine_m};
use crate::hours::{Hours, OpenState};
use crate::optimise::{
    CandidateIndex, Consolidation, Control, CostEntry, DemandGroups, DemandIndex, GroupIndex,
    Model, ModelKind, Problem, ProblemSpec, Solution, SolveOptions,
};
use crate::routing::{Attachment, Metric, matrix};

/// A new point the optimiser proposes, with what it adds.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SuggestedPoint {
    pub point: ReceivingPoint,
    /// The phase (1-based) that opens it; 1 for a plan without phases.
    pub phase: usize,
    /// People covered by this point and by no other (what closing it again would lose).
    pub adds_population: f64,
    /// "adds 12,400 people within the rule in Láng and Ô Chợ Dừa".
    pub explanation: String,
    /// The same in Vietnamese: "phủ thêm 12.400 người theo quy tắc ở Láng và Ô Chợ Dừa".
    pub explanation_vi: String,
}

/// One phase of a plan: what is open and covered once its points are added.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementPhase {
    /// New points open after this phase, earlier phases' included.
    pub new_sites: usize,
    /// Every point open after this phase: the scenario's (less any closed) and the new ones.
    pub open_sites: usize,
    /// People covered under the scenario's rule after this phase.
    pub covered_after: f64,
    pub objective: f64,
    /// With several phases: how much keeping the earlier phases' points costs against choosing
    /// this many points freely (0 = nothing), relative to the free choice.
    pub price_of_nesting: Option<f64>,
}

/// The optimiser's answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementPlan {
    pub model: ModelKind,
    /// True when the plan closes desks instead of adding points.
    pub consolidate: bool,
    /// New points of every phase, in phase order.
    pub added: Vec<SuggestedPoint>,
    /// Ids of points a consolidation would close.
    pub removed: Vec<String>,
    /// One entry per phase (one for a plan without phases).
    pub phases: Vec<PlacementPhase>,
    /// Every point open after the plan, the scenario's kept ones included (as spopt's
    /// `p_facilities` and ArcGIS's facilities count them).
    pub open_sites: usize,
    /// Points the plan adds.
    pub new_sites: usize,
    /// What `covered_before`, `covered_after`, the phases' `covered_after` and the points'
    /// `adds_population` count: people, or person-hours of the week.
    pub measure: CoverageMeasure,
    /// The moment the plan was judged at (Hanoi time), if one.
    pub at: Option<String>,
    /// People (or person-hours) covered under the scenario's rule before and after the change.
    pub covered_before: f64,
    pub covered_after: f64,
    /// The last phase's objective, bound and gap.
    pub objective: f64,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub solve_s: f64,
    pub matrix_s: f64,
    pub solver: String,
}

impl PlacementPlan {
    /// `scenario` once the plan is carried out: closed points gone, new ones added.
    pub fn apply(&self, scenario: &Scenario) -> Scenario {
        let mut after = scenario.clone();
        after.points.retain(|p| !self.removed.contains(&p.id));
        after
            .points
            .extend(self.added.iter().map(|a| a.point.clone()));
        after
    }
}

/// The placement problem of a scenario, before a model is chosen.
pub struct PlacementProblem {
    pub problem: Problem,
    /// Candidate index → the point it would be (existing points keep theirs).
    pub sites: Vec<ReceivingPoint>,
    /// Candidate indices of the scenario's own points.
    pub existing: Vec<usize>,
    /// Demand index → index of its cell among the area's cells (the cells the rule can serve:
    /// those on the roads, and under OR with a straight radius every cell).
    /// At a time or over a week a cell has one row per class of hours: the cell of each.
    pub demand_cells: Vec<usize>,
    pub time_limit_s: f64,
    pub matrix_s: f64,
}

/// What a placement matrix is built for.
#[derive(Clone, Debug)]
pub struct MatrixSpec {
    /// Pairs up to this travel time, seconds (at the hour's speeds when timed).
    pub cutoff_s: f64,
    /// Covering models: the pairs the coverage rule holds for, at their travel time capped at
    /// the limit (plus straight-line coverage under OR). Time models: every pair's time.
    pub coverage_semantics: bool,
    /// Close desks: only the points of these kinds stay fixed open.
    pub consolidating: Option<Vec<PointKind>>,
    /// Demand is assigned within capacities: every pair stays (no pruning).
    pub capacitated: bool,
    pub candidates: Candidates,
    pub time: PlacementTime,
    /// Opening hours of the points proposed on candidate cells.
    pub new_point_hours: String,
}

impl MatrixSpec {
    /// Pairs within `cutoff_s` with every point open, new points on `candidates`.
    pub fn new(cutoff_s: f64, coverage_semantics: bool, candidates: Candidates) -> MatrixSpec {
        MatrixSpec {
            cutoff_s,
            coverage_semantics,
            consolidating: None,
            capacitated: false,
            candidates,
            time: PlacementTime::AnyTime,
            new_point_hours: PlacementRequest::NEW_POINT_HOURS.to_string(),
        }
    }
}

/// One class of hours of a timed matrix: departures alike in speed and in open points.
struct Slot {
    /// The class's first departure; `None` when every point counts as open.
    at: Option<chrono::NaiveDateTime>,
    /// The speed band's factor (travel times are free-flow times divided by it).
    factor: f64,
    /// Hours of the week in the class: the weight of its rows.
    hours: f64,
}

const POINT_PREFIX: &str = "point:";
const CELL_PREFIX: &str = "cell:";

/// The placement questions of one study area: its matrices, and plans made on them.
pub struct Placement<'a> {
    area: &'a StudyArea,
}

impl<'a> Placement<'a> {
    pub fn new(area: &'a StudyArea) -> Placement<'a> {
        Placement { area }
    }

    /// Builds the demand × candidate matrix for `scenario` as `spec` says: travel times up to
    /// its cut-off (plus straight-line coverage under the OR rule for covering models),
    /// existing points as candidates fixed open unless consolidating (then only the points of
    /// the kinds it names stay fixed), at the time it names.
    ///
    /// With the existing points fixed and no capacities (`capacitated` false), a place is
    /// always served by its nearest open point, so a pair no nearer than the place's nearest
    /// existing point can never serve it and is left out. Every model's answer is the same;
    /// in a city already well served most pairs go (six million of them for p-median on
    /// urban Hanoi), and with them most of the time and memory.
    pub fn problem(
        &self,
        scenario: &Scenario,
        spec: &MatrixSpec,
        progress: &(dyn Fn(f64, &str) + Sync),
    ) -> Result<PlacementProblem, ScenarioError> {
        let started = std::time::Instant::now();
        let (coverage_semantics, capacitated) = (spec.coverage_semantics, spec.capacitated);
        let consolidating = spec.consolidating.as_deref();
        let candidates = &spec.candidates;
        let network = self.area.network(scenario.mode)?;
        let graph = &network.graph;
        let max_snap = crate::coverage::DEFAULT_MAX_SNAP_M;
        let cells = &network.cells;
        let rule = scenario.rule.to_rule();
        // Under OR with a straight radius a pair can hold by the straight line alone, so cells
        // and sites beyond the road data take part; under any other rule, and for the time
        // models, a pair needs roads at both ends.
        let straight_or = coverage_semantics
            && rule.combine == Combine::Or
            && rule.radius_kind == RadiusKind::Straight;
        let demand: Vec<usize> = (0..cells.cells.len())
            .filter(|&i| straight_or || cells.attachments[i].is_some())
            .collect();
        if demand.is_empty() {
            return Err(ScenarioError::InvalidRequest(
                "no populated cell of the study area is reached by the road data".into(),
            ));
        }
        let mut sites: Vec<ReceivingPoint> = Vec::new();
        let mut site_attachments: Vec<Option<Attachment>> = Vec::new();
        let mut existing = Vec::new();
        for p in &scenario.points {
            existing.push(sites.len());
            site_attachments.push(network.attach(p.lon, p.lat, max_snap));
            sites.push(p.clone());
        }
        if let (None, Candidates::Points(list)) = (consolidating, candidates) {
            for p in list {
                site_attachments.push(network.attach(p.lon, p.lat, max_snap));
                let mut site = p.clone();
                site.id = format!("{CELL_PREFIX}{}", p.id);
                sites.push(site);
            }
        }
        if let (None, Candidates::Cells(candidate_resolution)) = (consolidating, candidates) {
            let candidate_resolution = *candidate_resolution;
            // One candidate per cell of the candidate resolution: its most populated demand cell.
            let mut best_child: BTreeMap<h3o::CellIndex, usize> = BTreeMap::new();
            for &i in &demand {
                let c = &cells.cells[i];
                let parent = c.cell.parent(candidate_resolution).unwrap_or(c.cell);
                let entry = best_child.entry(parent).or_insert(i);
                if c.population > cells.cells[*entry].population {
                    *entry = i;
                }
            }
            for &i in best_child.values() {
                let c = &cells.cells[i];
                site_attachments.push(cells.attachments[i]);
                let ward = c.ward.and_then(|w| cells.ward_names.get(w)).cloned();
                sites.push(ReceivingPoint {
                    id: format!("{CELL_PREFIX}{}", c.cell),
                    name: match &ward {
                        Some(w) => format!("Điểm tiếp nhận mới — {w}"),
                        None => "Điểm tiếp nhận mới".to_string(),
                    },
                    kind: PointKind::FlexiblePoint,
                    lon: c.lon,
                    lat: c.lat,
                    opening_hours: spec.new_point_hours.clone(),
                    approximate: true,
                    address: ward,
                    counters: None,
                    unit: None,
                });
            }
        }
        let demand_attachments: Vec<Option<Attachment>> =
            demand.iter().map(|&i| cells.attachments[i]).collect();
        // The hours each site keeps, parsed once per distinct text, and the classes of hours
        // the matrix has rows for.
        let mut texts: Vec<&str> = Vec::new();
        let site_text: Vec<usize> = sites
            .iter()
            .map(|s| {
                let text = s.hours_text();
                texts.iter().position(|t| *t == text).unwrap_or_else(|| {
                    texts.push(text);
                    texts.len() - 1
                })
            })
            .collect();
        let hours: Vec<Hours> = texts.iter().map(|t| Hours::lenient(t)).collect();
        let (slots, states) = slots(&spec.time, &network.profile, &hours, rule.max_travel_s)?;
        let fastest = slots.iter().map(|s| s.factor).fold(1.0_f64, f64::max);
        let total = site_attachments.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let tick = || {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if n.is_multiple_of(64) || n == total {
                progress(0.6 * n as f64 / total as f64, "travel-time matrix");
            }
        };
        // Free-flow times: the fastest hour's cut-off bounds every hour's.
        let rows = matrix::reach_by_candidate(
            graph,
            &cells.search,
            Some(cells.hierarchy()),
            &site_attachments,
            &demand_attachments,
            Metric::Time,
            spec.cutoff_s * fastest,
            &tick,
        );
        // Under OR with a network radius a pair also holds along its shortest road path,
        // whatever the time: a second matrix, on lengths up to the radius.
        let shortest = (coverage_semantics
            && rule.combine == Combine::Or
            && rule.radius_kind == RadiusKind::Network)
            .then(|| {
                matrix::reach_by_candidate(
                    graph,
                    &cells.search,
                    None,
                    &site_attachments,
                    &demand_attachments,
                    Metric::Length,
                    rule.max_radius_m,
                    &|| {},
                )
            });

        let radius = WithinRadius::new(rule.max_radius_m);
        let demand_places: Vec<Place> = demand
            .iter()
            .map(|&i| Place::new(cells.cells[i].lon, cells.cells[i].lat))
            .collect();
        let site_places: Vec<Place> = sites.iter().map(|s| Place::new(s.lon, s.lat)).collect();
        let n_demand = demand.len();
        // Time models: the travel time of every pair within the cut-off. Covering models: the
        // pairs the coverage rule holds for (`CoverageRule::pair_holds`, the report's own
        // test), at their travel time capped at the limit, so "cost within the limit" means
        // "covered" to every model. Each class of hours has its own rows: a pair enters one
        // when the site is open on arrival, at the class's speeds.
        let entries_at = |c: usize, s: usize| -> Vec<CostEntry> {
            let slot = &slots[s];
            let state = states[site_text[c]][s];
            if matches!(state, WindowState::Closed | WindowState::Unknown) {
                return Vec::new();
            }
            // A site that opens or closes within the window serves those who arrive while it
            // is open; pairs with no road time within the cut-off have no arrival to check.
            let open_on_arrival = |travel_s: Option<f64>| match (state, slot.at, travel_s) {
                (WindowState::Open, _, _) => true,
                (_, Some(at), Some(t)) => {
                    let arrival = at + chrono::Duration::milliseconds((t * 1e3) as i64);
                    hours[site_text[c]].state(arrival) == OpenState::Open
                }
                _ => false,
            };
            let entry = |d: u32, cost: f64| CostEntry {
                demand: DemandIndex(s as u32 * n_demand as u32 + d),
                candidate: CandidateIndex(c as u32),
                cost,
            };
            let time_row = &rows[c];
            if !coverage_semantics {
                return time_row
                    .iter()
                    .map(|r| (r.demand, r.travel_s / slot.factor))
                    .filter(|&(_, t)| t <= spec.cutoff_s && open_on_arrival(Some(t)))
                    .map(|(d, t)| entry(d, t))
                    .collect();
            }
            let length_row: &[matrix::Reach] = shortest.as_ref().map_or(&[], |s| &s[c]);
            let judge = |d: u32,
                         by_time: Option<&matrix::Reach>,
                         by_length: Option<&matrix::Reach>| {
                let travel_s = by_time
                    .map(|r| r.travel_s / slot.factor)
                    .filter(|&t| t <= spec.cutoff_s);
                let road =
                    if site_attachments[c].is_some() && demand_attachments[d as usize].is_some() {
                        // Pairs missing from a row lie beyond its cut-off, which is the limit or more.
                        let beyond = f64::INFINITY;
                        RoadFacts::Reached {
                            travel_s: travel_s.unwrap_or(beyond),
                            radius_m: match (rule.combine, rule.radius_kind) {
                                (Combine::Or, RadiusKind::Network) => {
                                    by_length.map_or(beyond, |r| r.length_m)
                                }
                                _ => by_time.map_or(beyond, |r| r.length_m),
                            },
                        }
                    } else {
                        RoadFacts::Unknown
                    };
                let within = radius.holds(&site_places[c], &demand_places[d as usize]);
                (rule.pair_holds(road, within) && open_on_arrival(travel_s)).then(|| {
                    entry(
                        d,
                        travel_s.map_or(rule.max_travel_s, |t| t.min(rule.max_travel_s)),
                    )
                })
            };
            // Rows are sorted by demand: walk the demands a pair can hold for.
            let mut by_time = time_row.iter().peekable();
            let mut by_length = length_row.iter().peekable();
            if straight_or {
                return (0..n_demand as u32)
                    .filter_map(|d| {
                        let t = by_time.next_if(|r| r.demand == d);
                        judge(d, t, None)
                    })
                    .collect();
            }
            let mut out = Vec::new();
            loop {
                let d = match (by_time.peek(), by_length.peek()) {
                    (Some(t), Some(l)) => t.demand.min(l.demand),
                    (Some(t), None) => t.demand,
                    (None, Some(l)) => l.demand,
                    (None, None) => break,
                };
                let t = by_time.next_if(|r| r.demand == d);
                let l = by_length.next_if(|r| r.demand == d);
                out.extend(judge(d, t, l));
            }
            out
        };
        let entries = |c: usize| -> Vec<CostEntry> {
            (0..slots.len()).flat_map(|s| entries_at(c, s)).collect()
        };
        // The existing points come first among the candidates; each place's nearest one.
        let prune = consolidating.is_none() && !capacitated;
        let mut nearest_existing = vec![f64::INFINITY; n_demand * slots.len()];
        if prune {
            for c in 0..existing.len() {
                for e in entries(c) {
                    let best = &mut nearest_existing[e.demand.index()];
                    *best = best.min(e.cost);
                }
            }
        }
        let costs: Vec<CostEntry> = rows
            .par_iter()
            .enumerate()
            .flat_map_iter(|(c, _)| {
                let mut own = entries(c);
                if prune {
                    // Ties go to the existing point, which comes first in every row.
                    let is_existing = c < existing.len();
                    own.retain(|e| {
                        let nearest = nearest_existing[e.demand.index()];
                        e.cost < nearest || (is_existing && e.cost == nearest)
                    });
                }
                own
            })
            .collect();
        // Row `s * n + d` is demand cell `d` at class `s`.
        let rows_of = |f: &dyn Fn(usize, &Slot) -> String| -> Vec<String> {
            slots
                .iter()
                .flat_map(|slot| demand.iter().map(move |&i| f(i, slot)))
                .collect()
        };
        let groups = DemandGroups {
            names: cells
                .ward_names
                .iter()
                .cloned()
                .chain(["(no ward)".to_string()])
                .collect(),
            of_demand: slots
                .iter()
                .flat_map(|_| {
                    demand.iter().map(|&i| {
                        GroupIndex(cells.cells[i].ward.unwrap_or(cells.ward_names.len()) as u32)
                    })
                })
                .collect(),
        };
        let problem_spec = ProblemSpec {
            demand_ids: rows_of(&|i, slot| match (slots.len(), slot.at) {
                (2.., Some(at)) => format!("{}@{}", cells.cells[i].cell, at.format("%a %H:%M")),
                _ => cells.cells[i].cell.to_string(),
            }),
            weights: slots
                .iter()
                .flat_map(|slot| {
                    demand
                        .iter()
                        .map(|&i| cells.cells[i].population * slot.hours)
                })
                .collect(),
            candidate_ids: sites
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i < existing.len() {
                        format!("{POINT_PREFIX}{}", s.id)
                    } else {
                        s.id.clone()
                    }
                })
                .collect(),
            costs,
            fixed: if let Some(kept) = consolidating {
                scenario
                    .points
                    .iter()
                    .filter(|p| kept.contains(&p.kind))
                    .map(|p| format!("{POINT_PREFIX}{}", p.id))
                    .collect()
            } else {
                scenario
                    .points
                    .iter()
                    .map(|p| format!("{POINT_PREFIX}{}", p.id))
                    .collect()
            },
            capacities: None,
            groups: Some(groups),
        };
        let problem = Problem::new(problem_spec)?;
        Ok(PlacementProblem {
            problem,
            sites,
            existing,
            demand_cells: slots.iter().flat_map(|_| demand.iter().copied()).collect(),
            time_limit_s: rule.max_travel_s,
            matrix_s: started.elapsed().as_secs_f64(),
        })
    }

    /// Suggests new points (or a consolidation) for `scenario` and says what each adds; with
    /// phases, one nested plan per phase ([`crate::optimise::plan_phases`]) on one matrix.
    pub fn suggest(
        &self,
        scenario: &Scenario,
        request: &PlacementRequest,
        progress: &(dyn Fn(f64, &str) + Sync),
        cancel: &AtomicBool,
    ) -> Result<PlacementPlan, ScenarioError> {
        scenario.validate()?;
        request.validate_for(scenario)?;
        if request.consolidate {
            // Each kind kept open must be there: a typo would otherwise close every desk.
            super::points_of_kinds(
                &scenario.points,
                &request.fixed_kinds,
                &format!("scenario {:?}", scenario.name),
            )?;
        }
        // Before the matrix is built, so a bad limit costs nothing.
        crate::optimise::check_time_limit(request.time_limit_s)?;
        let kind = request.model;
        let t = scenario.rule.max_minutes * 60.0;
        let coverage = kind.is_covering();
        // p-median and p-center look at travel times beyond the limit too (up to twice it).
        let cutoff = if coverage { t } else { 2.0 * t };
        progress(0.0, "building the travel-time matrix");
        let spec = MatrixSpec {
            cutoff_s: cutoff,
            coverage_semantics: coverage,
            consolidating: request.consolidate.then(|| request.fixed_kinds.clone()),
            capacitated: request.capacity.is_some() || request.capacity_from_counters,
            candidates: request.candidates.clone(),
            time: request.time.clone(),
            new_point_hours: request.new_point_hours.clone(),
        };
        let pp = self.problem(scenario, &spec, progress)?;
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ScenarioError::Cancelled);
        }
        let n = pp.problem.n_candidates();
        let capacities = match request.capacity {
            Some(c) => Some(vec![c; n]),
            None if request.capacity_from_counters => {
                let service = super::ServiceRequest::default();
                let by_id: std::collections::HashMap<&str, &ReceivingPoint> =
                    scenario.points.iter().map(|p| (p.id.as_str(), p)).collect();
                let flexible = crate::coverage::PointService {
                    counters: PointKind::FlexiblePoint.default_counters(),
                    open_days_per_week: crate::coverage::demand::DEFAULT_OPEN_DAYS_PER_WEEK,
                };
                Some(
                    (0..n)
                        .map(|j| {
                            let point =
                                by_id.get(pp.problem.candidate_id(CandidateIndex(j as u32)));
                            crate::coverage::load::capacity_residents(
                                &point.map_or(flexible, |p| p.service()),
                                &service.demand,
                                service.max_wait_min,
                            )
                        })
                        .collect(),
                )
            }
            None => None,
        };
        let pp = match capacities {
            Some(caps) => PlacementProblem {
                problem: pp.problem.with_capacities(caps)?,
                ..pp
            },
            None => pp,
        };
        let options = SolveOptions {
            solver: request.solver,
            time_limit_s: request.time_limit_s,
            seed: request.seed,
            capacitated: request.capacity.is_some() || request.capacity_from_counters,
            fairness: request
                .min_ward_share
                .map(crate::optimise::Fairness::MinGroupShare),
            ..SolveOptions::default()
        };
        let scaled = |f: f64, m: &str| progress(0.6 + 0.35 * f, m);
        let control = Control {
            progress: Some(&scaled),
            cancel: Some(cancel),
        };
        // (solution, price of nesting) per phase.
        let solutions: Vec<(Solution, Option<f64>)> = if request.consolidate {
            let desks: Vec<String> = scenario
                .points
                .iter()
                .filter(|p| !request.fixed_kinds.contains(&p.kind))
                .map(|p| format!("{POINT_PREFIX}{}", p.id))
                .collect();
            let target = match request.keep {
                Some(k) => Consolidation::Keep(k),
                None => Consolidation::KeepCoverage,
            };
            vec![(
                crate::optimise::consolidate(&pp.problem, &desks, t, target, &options, &control)?,
                None,
            )]
        } else {
            let sizes = request.phase_sizes();
            let model = model_of(kind, sizes[0], t, cutoff);
            if sizes.len() == 1 {
                vec![(
                    crate::optimise::solve(&pp.problem, &model, &options, &control)?,
                    None,
                )]
            } else {
                crate::optimise::plan_phases(&pp.problem, &model, &sizes, &options, &control)?
                    .phases
                    .into_iter()
                    .map(|phase| (phase.solution, Some(phase.price_of_nesting)))
                    .collect()
            }
        };
        progress(0.95, "checking the plan against the coverage rule");

        let network = self.area.network(scenario.mode)?;
        let cells = &network.cells;
        let demand_cells = &pp.demand_cells;
        let covered_before = self.covered(scenario, &request.time)?;
        let before_s = travel_before(&pp, cutoff);
        let ward_names = self.area.ward_names();
        let time_model = !coverage && !request.consolidate;
        let mut added: Vec<SuggestedPoint> = Vec::new();
        // Ids and names the scenario already uses: a suggestion accepted and saved, then asked
        // again, must not take an id twice, and two suggestions in one ward must read apart.
        let mut ids_taken: HashSet<String> = scenario.points.iter().map(|p| p.id.clone()).collect();
        let mut names_taken: HashSet<String> =
            scenario.points.iter().map(|p| p.name.clone()).collect();
        let mut phases = Vec::with_capacity(solutions.len());
        // Candidates open before the phase at hand: the fixed ones, then each phase's choice.
        let mut earlier: Vec<bool> = (0..pp.problem.n_candidates())
            .map(|c| pp.problem.is_fixed(CandidateIndex(c as u32)))
            .collect();
        let mut after_scenario = scenario.clone();
        let mut removed: Vec<String> = Vec::new();
        for (k, (solution, price_of_nesting)) in solutions.iter().enumerate() {
            // A covering model with nothing left to cover would propose points that add no
            // one: when the open points already cover all the model can, propose none.
            let nothing_to_add = !time_model
                && !request.consolidate
                && solution.covered_weight <= covered_by(&pp.problem, &earlier, t) + 0.5;
            let mut open: Vec<bool> = vec![false; pp.problem.n_candidates()];
            for c in &solution.selected {
                open[c.index()] = true;
            }
            let is_new = |i: usize| i >= pp.existing.len() && !earlier[i];
            // Points that cover only people other new points cover too are dropped, one at a
            // time, so the list holds no point that adds nobody.
            if !time_model && !request.consolidate {
                let full = covered_by(&pp.problem, &open, t);
                let mut new_sites: Vec<&crate::optimise::SiteReport> = solution
                    .sites
                    .iter()
                    .filter(|s| is_new(s.candidate.index()))
                    .collect();
                new_sites.sort_by(|a, b| a.served_weight.total_cmp(&b.served_weight));
                for s in new_sites {
                    open[s.candidate.index()] = false;
                    if covered_by(&pp.problem, &open, t) + 0.5 < full {
                        open[s.candidate.index()] = true;
                    }
                }
            }
            for site in solution
                .sites
                .iter()
                .filter(|s| !nothing_to_add && open[s.candidate.index()])
            {
                let i = site.candidate.index();
                if !is_new(i) {
                    continue;
                }
                let mut point = pp.sites[i].clone();
                point.id = unused(&mut ids_taken, |n| format!("new-{n}"));
                let name = point.name.clone();
                point.name = unused(&mut names_taken, |n| match n {
                    1 => name.clone(),
                    n => format!("{name} ({n})"),
                });
                added.push(SuggestedPoint {
                    explanation: String::new(),
                    explanation_vi: String::new(),
                    adds_population: 0.0,
                    point,
                    phase: k + 1,
                });
                let suggested = added.last_mut().expect("just pushed");
                describe(
                    suggested,
                    site,
                    &open,
                    &pp.problem,
                    &solution.assignment,
                    &Described {
                        time_model: time_model || request.consolidate,
                        cutoff,
                        t,
                        demand_cells,
                        before_s: &before_s,
                        measure: request.time.measure(),
                        cell_wards: &cells.cells,
                        ward_names,
                    },
                );
            }
            if request.consolidate {
                let selected: Vec<usize> = solution.selected.iter().map(|c| c.index()).collect();
                removed = pp
                    .existing
                    .iter()
                    .filter(|&&i| !selected.contains(&i))
                    .map(|&i| pp.sites[i].id.clone())
                    .collect();
                after_scenario.points.retain(|p| !removed.contains(&p.id));
            }
            after_scenario.points.extend(
                added
                    .iter()
                    .filter(|a| a.phase == k + 1)
                    .map(|a| a.point.clone()),
            );
            let covered_after = self.covered(&after_scenario, &request.time)?;
            phases.push(PlacementPhase {
                new_sites: added.len(),
                open_sites: after_scenario.points.len(),
                covered_after,
                objective: solution.objective,
                price_of_nesting: *price_of_nesting,
            });
            for c in &solution.selected {
                earlier[c.index()] = true;
            }
        }
        progress(1.0, "done");
        let (last, _) = solutions.last().expect("at least one phase");
        let last_phase = phases.last().expect("at least one phase");
        Ok(PlacementPlan {
            model: kind,
            consolidate: request.consolidate,
            open_sites: last_phase.open_sites,
            new_sites: added.len(),
            measure: request.time.measure(),
            at: match &request.time {
                PlacementTime::At(at) => Some(at.format("%Y-%m-%dT%H:%M").to_string()),
                _ => None,
            },
            covered_before,
            covered_after: last_phase.covered_after,
            objective: last.objective,
            bound: last.bound,
            gap: last.gap,
            solve_s: solutions.iter().map(|(s, _)| s.solve_s).sum(),
            matrix_s: pp.matrix_s,
            solver: format!("{:?}", last.solver).to_lowercase(),
            added,
            removed,
            phases,
        })
    }

    /// People covered under the scenario's rule as `time` judges: with every point open, at
    /// the moment, or summed over the week's hours (person-hours).
    fn covered(&self, scenario: &Scenario, time: &PlacementTime) -> Result<f64, ScenarioError> {
        Ok(match time {
            PlacementTime::AnyTime => {
                self.area
                    .evaluate(scenario)?
                    .report
                    .summary
                    .population_covered
            }
            PlacementTime::At(at) => {
                self.area
                    .evaluate_at(scenario, *at)?
                    .evaluation
                    .report
                    .summary
                    .population_covered
            }
            PlacementTime::Week(week) => self
                .area
                .sweep_week(scenario, week)?
                .hours
                .iter()
                .map(|h| h.population_covered)
                .sum(),
        })
    }
}

/// The classes of hours a matrix has rows for, and each hours text's state over each class's
/// arrival window (`states[text][slot]`). Without a time: one class, every point open. Over a
/// week: the 168 hours grouped where the speed factor and every text's state agree (an hour
/// in which some point opens or closes is a class of its own, since who arrives in time
/// depends on the hour).
fn slots(
    time: &PlacementTime,
    profile: &crate::graph::SpeedProfile,
    hours: &[Hours],
    window_s: f64,
) -> Result<(Vec<Slot>, Vec<Vec<WindowState>>), ScenarioError> {
    let departures: Vec<chrono::NaiveDateTime> = match time {
        PlacementTime::AnyTime => {
            let slot = Slot {
                at: None,
                factor: 1.0,
                hours: 1.0,
            };
            return Ok((vec![slot], vec![vec![WindowState::Open]; hours.len()]));
        }
        PlacementTime::At(at) => vec![*at],
        PlacementTime::Week(week) => {
            let monday = week.monday()?.and_hms_opt(0, 0, 0).unwrap_or_default();
            (0..super::WEEK_HOURS)
                .map(|h| monday + chrono::Duration::hours(h as i64))
                .collect()
        }
    };
    let mut slots: Vec<Slot> = Vec::new();
    let mut states: Vec<Vec<WindowState>> = vec![Vec::new(); hours.len()];
    let mut class_of: std::collections::HashMap<(u64, Vec<WindowState>, usize), usize> =
        std::collections::HashMap::new();
    for (h, &at) in departures.iter().enumerate() {
        let factor = profile.band_at(at).factor;
        let here: Vec<WindowState> = hours
            .iter()
            .map(|hours| window_state(hours, at, window_s))
            .collect();
        let own = if here.contains(&WindowState::Changing) {
            h
        } else {
            usize::MAX
        };
        let key = (factor.to_bits(), here.clone(), own);
        match class_of.get(&key) {
            Some(&s) => slots[s].hours += 1.0,
            None => {
                class_of.insert(key, slots.len());
                slots.push(Slot {
                    at: Some(at),
                    factor,
                    hours: 1.0,
                });
                for (t, state) in here.into_iter().enumerate() {
                    states[t].push(state);
                }
            }
        }
    }
    Ok((slots, states))
}

/// The optimiser's model for `kind` with `p` new sites, coverage within `t` seconds and, for
/// p-median, places beyond `cutoff` counted at `cutoff`.
fn model_of(kind: ModelKind, p: usize, t: f64, cutoff: f64) -> Model {
    match kind {
        ModelKind::Mclp => Model::Mclp { p, radius: t },
        ModelKind::PMedian => Model::PMedian {
            p,
            unassigned_cost: Some(cutoff),
        },
        ModelKind::PCenter => Model::PCenter { p },
        ModelKind::Lscp => Model::Lscp {
            radius: t,
            target: crate::optimise::CoverageTarget::AllDemand,
        },
    }
}

/// Each demand row's travel time (cost) to its nearest existing point, the cut-off when none
/// reaches it within: what a new point's time is compared with, on the matrix's own terms.
fn travel_before(pp: &PlacementProblem, cutoff: f64) -> Vec<f64> {
    (0..pp.problem.n_demand())
        .map(|d| {
            let (candidates, costs) = pp.problem.row(DemandIndex(d as u32));
            candidates
                .iter()
                .zip(costs)
                .filter(|(c, _)| c.index() < pp.existing.len())
                .map(|(_, &cost)| cost)
                .fold(cutoff, f64::min)
        })
        .collect()
}

/// What [`describe`] reads besides the site.
struct Described<'a> {
    /// Explain by travel time (time models, consolidation) rather than by people added.
    time_model: bool,
    cutoff: f64,
    t: f64,
    demand_cells: &'a [usize],
    /// Each demand row's travel time to its nearest existing point (the cut-off when none).
    before_s: &'a [f64],
    measure: CoverageMeasure,
    cell_wards: &'a [crate::coverage::CellInput],
    ward_names: &'a [String],
}

/// Fills in what a proposed site adds and the sentence saying so.
fn describe(
    suggested: &mut SuggestedPoint,
    site: &crate::optimise::SiteReport,
    open: &[bool],
    problem: &Problem,
    assignment: &[Option<CandidateIndex>],
    d: &Described,
) {
    let i = site.candidate.index();
    // What closing this point again would lose, among the points finally proposed.
    let adds = if d.time_model {
        site.marginal_weight
    } else {
        let mut without = open.to_vec();
        without[i] = false;
        covered_by(problem, open, d.t) - covered_by(problem, &without, d.t)
    };
    // Who this site serves: people, their wards, their travel time before and after.
    let (mut people, mut before_s, mut after_s) = (0.0, 0.0, 0.0);
    let mut by_ward: BTreeMap<usize, f64> = BTreeMap::new();
    for (demand, a) in assignment.iter().enumerate() {
        if *a != Some(site.candidate) {
            continue;
        }
        let w = problem.weights()[demand];
        let cell = d.demand_cells[demand];
        people += w;
        before_s += w * d.before_s[demand];
        after_s += w * problem
            .cost(DemandIndex(demand as u32), site.candidate)
            .unwrap_or(d.cutoff);
        if let Some(ward) = d.cell_wards[cell].ward {
            *by_ward.entry(ward).or_default() += w;
        }
    }
    let mut wards: Vec<(usize, f64)> = by_ward.into_iter().collect();
    wards.sort_by(|a, b| b.1.total_cmp(&a.1));
    let names: Vec<&str> = wards
        .iter()
        .take(2)
        .filter_map(|(w, _)| d.ward_names.get(*w).map(String::as_str))
        .collect();
    let (place, place_vi) = if names.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(" in {}", names.join(" and ")),
            format!(" ở {}", names.join(" và ")),
        )
    };
    // Over a week the weights are person-hours, and the sentence says so.
    let (unit_en, unit_vi) = d.measure.unit();
    let people_en = |x: f64| format!("{} {unit_en}", group_thousands(x.round() as i64));
    // Vietnamese groups thousands with "." and writes decimals with ",".
    let people_vi = |x: f64| format!("{} {unit_vi}", super::vi_thousands(x));
    let minutes_vi = |s: f64| format!("{:.1}", s / 60.0).replace('.', ",");
    (suggested.explanation, suggested.explanation_vi) = if d.time_model && people > 0.0 {
        let (before, after) = (before_s / people, after_s / people);
        (
            format!(
                "serves {}{place}, cutting their mean travel from {:.1} to {:.1} min",
                people_en(people),
                before / 60.0,
                after / 60.0
            ),
            format!(
                "phục vụ {}{place_vi}, giảm thời gian đi trung bình từ {} xuống {} phút",
                people_vi(people),
                minutes_vi(before),
                minutes_vi(after)
            ),
        )
    } else {
        (
            format!("adds {} within the rule{place}", people_en(adds)),
            format!("phủ thêm {} theo quy tắc{place_vi}", people_vi(adds)),
        )
    };
    suggested.adds_population = adds;
}

/// A place on the sphere: degrees for the great-circle formula, a unit vector for chords.
struct Place {
    lon: f64,
    lat: f64,
    unit: [f64; 3],
}

impl Place {
    fn new(lon: f64, lat: f64) -> Place {
        let (lon_r, lat_r) = (lon.to_radians(), lat.to_radians());
        Place {
            lon,
            lat,
            unit: [
                lat_r.cos() * lon_r.cos(),
                lat_r.cos() * lon_r.sin(),
                lat_r.sin(),
            ],
        }
    }
}

/// "Within this straight-line radius", asked for millions of pairs: the squared chord
/// between unit vectors orders pairs as the great-circle distance does, at a few
/// multiplications each. Pairs within a hair of the radius are decided by [`haversine_m`],
/// so every answer equals the coverage report's.
struct WithinRadius {
    radius_m: f64,
    /// Squared chord of the radius on the unit sphere.
    chord2: f64,
}

impl WithinRadius {
    fn new(radius_m: f64) -> WithinRadius {
        let half = radius_m / (2.0 * EARTH_RADIUS_M);
        WithinRadius {
            radius_m,
            chord2: (2.0 * half.sin()).powi(2),
        }
    }

    fn holds(&self, a: &Place, b: &Place) -> bool {
        let chord2: f64 = (0..3).map(|k| (a.unit[k] - b.unit[k]).powi(2)).sum();
        if (chord2 - self.chord2).abs() > 1e-9 * self.chord2 {
            return chord2 < self.chord2;
        }
        haversine_m((a.lon, a.lat), (b.lon, b.lat)) <= self.radius_m
    }
}

/// Weight covered within `radius` by the open candidates.
fn covered_by(problem: &Problem, open: &[bool], radius: f64) -> f64 {
    (0..problem.n_demand())
        .filter(|&d| {
            let (candidates, costs) = problem.row(DemandIndex(d as u32));
            candidates
                .iter()
                .zip(costs)
                .any(|(c, &cost)| open[c.index()] && cost <= radius)
        })
        .map(|d| problem.weights()[d])
        .sum()
}

/// The first of `label(1)`, `label(2)`, … not in `taken`, which then holds it.
fn unused(taken: &mut HashSet<String>, label: impl Fn(usize) -> String) -> String {
    let found = (1..)
        .map(&label)
        .find(|l| !taken.contains(l))
        .expect("an unbounded sequence of labels has a free one");
    taken.insert(found.clone());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chord_tests_decide_as_the_great_circle_distance() {
        // Pairs around Hanoi at distances spread over the radius, many within a metre of it.
        let radius = WithinRadius::new(5_000.0);
        let centre = Place::new(105.85, 21.03);
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for k in 0..20_000 {
            let bearing = next() * std::f64::consts::TAU;
            let metres = if k % 2 == 0 {
                next() * 10_000.0
            } else {
                5_000.0 + (next() - 0.5) * 1e-3
            };
            let (lon, lat) = crate::graph::LocalProjection::around((centre.lon, centre.lat))
                .to_lon_lat([metres * bearing.sin(), metres * bearing.cos()]);
            let other = Place::new(lon, lat);
            let expected = haversine_m((centre.lon, centre.lat), (other.lon, other.lat)) <= 5_000.0;
            assert_eq!(radius.holds(&centre, &other), expected, "{metres} m");
        }
    }
}
