//! Placement suggestions: where new receiving points serve the most people, and which desks a
//! consolidation keeps, built on [`crate::optimise`] with travel-time matrices from the area's
//! road graph.
//!
//! Demand is every populated cell the road data reaches (weight: people). Candidate sites are
//! the centres of those cells plus the scenario's own points. A pair enters the matrix when the
//! travel time is within the cut-off; under the OR rule with a straight-line radius, a pair
//! within the radius also counts as covered (its cost is set to the time limit), so the models
//! optimise the rule the report checks.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use serde::Serialize;

use super::area::StudyArea;
use super::{
    Candidates, PlacementRequest, PointKind, ReceivingPoint, Scenario, ScenarioError,
    group_thousands,
};
use crate::coverage::{Combine, RadiusKind, RoadFacts};
use crate::graph::{EARTH_RADIUS_M, haversine_m};
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
    /// People covered under the scenario's rule before and after the change.
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
    pub demand_cells: Vec<usize>,
    pub time_limit_s: f64,
    pub matrix_s: f64,
}

const POINT_PREFIX: &str = "point:";
const CELL_PREFIX: &str = "cell:";

impl StudyArea {
    /// Builds the demand × candidate matrix for `scenario`: travel times up to `cutoff_s`
    /// (plus straight-line coverage under the OR rule when `coverage_semantics`), existing
    /// points as candidates fixed open unless `consolidating` (then only the points of the kinds
    /// it names stay fixed).
    ///
    /// With the existing points fixed and no capacities (`capacitated` false), a place is
    /// always served by its nearest open point, so a pair no nearer than the place's nearest
    /// existing point can never serve it and is left out. Every model's answer is the same;
    /// in a city already well served most pairs go (six million of them for p-median on
    /// urban Hanoi), and with them most of the time and memory.
    #[allow(clippy::too_many_arguments)]
    pub fn placement_problem(
        &self,
        scenario: &Scenario,
        cutoff_s: f64,
        coverage_semantics: bool,
        consolidating: Option<&[PointKind]>,
        capacitated: bool,
        candidates: &Candidates,
        progress: &(dyn Fn(f64, &str) + Sync),
    ) -> Result<PlacementProblem, ScenarioError> {
        let started = std::time::Instant::now();
        let network = self.network(scenario.mode)?;
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
                    opening_hours: "Mo-Fr 08:00-17:00; Sa 08:00-12:00".into(),
                    approximate: true,
                    address: ward,
                    counters: None,
                    unit: None,
                });
            }
        }
        let demand_attachments: Vec<Option<Attachment>> =
            demand.iter().map(|&i| cells.attachments[i]).collect();
        let total = site_attachments.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let tick = || {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if n.is_multiple_of(64) || n == total {
                progress(0.6 * n as f64 / total as f64, "travel-time matrix");
            }
        };
        let rows = matrix::reach_by_candidate(
            graph,
            &cells.search,
            Some(cells.hierarchy()),
            &site_attachments,
            &demand_attachments,
            Metric::Time,
            cutoff_s,
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
        // Time models: the travel time of every pair within the cut-off. Covering models: the
        // pairs the coverage rule holds for (`CoverageRule::pair_holds`, the report's own
        // test), at their travel time capped at the limit, so "cost within the limit" means
        // "covered" to every model.
        let entries = |c: usize| -> Vec<CostEntry> {
            let entry = |d: u32, cost: f64| CostEntry {
                demand: DemandIndex(d),
                candidate: CandidateIndex(c as u32),
                cost,
            };
            let time_row = &rows[c];
            if !coverage_semantics {
                return time_row
                    .iter()
                    .map(|r| entry(r.demand, r.travel_s))
                    .collect();
            }
            let length_row: &[matrix::Reach] = shortest.as_ref().map_or(&[], |s| &s[c]);
            let judge = |d: u32,
                         by_time: Option<&matrix::Reach>,
                         by_length: Option<&matrix::Reach>| {
                let road =
                    if site_attachments[c].is_some() && demand_attachments[d as usize].is_some() {
                        // Pairs missing from a row lie beyond its cut-off, which is the limit or more.
                        let beyond = f64::INFINITY;
                        RoadFacts::Reached {
                            travel_s: by_time.map_or(beyond, |r| r.travel_s),
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
                rule.pair_holds(road, within).then(|| {
                    entry(
                        d,
                        by_time.map_or(rule.max_travel_s, |r| r.travel_s.min(rule.max_travel_s)),
                    )
                })
            };
            // Rows are sorted by demand: walk the demands a pair can hold for.
            let mut by_time = time_row.iter().peekable();
            let mut by_length = length_row.iter().peekable();
            if straight_or {
                return (0..demand.len() as u32)
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
        // The existing points come first among the candidates; each place's nearest one.
        let prune = consolidating.is_none() && !capacitated;
        let mut nearest_existing = vec![f64::INFINITY; demand.len()];
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
        let groups = DemandGroups {
            names: cells
                .ward_names
                .iter()
                .cloned()
                .chain(["(no ward)".to_string()])
                .collect(),
            of_demand: demand
                .iter()
                .map(|&i| GroupIndex(cells.cells[i].ward.unwrap_or(cells.ward_names.len()) as u32))
                .collect(),
        };
        let spec = ProblemSpec {
            demand_ids: demand
                .iter()
                .map(|&i| cells.cells[i].cell.to_string())
                .collect(),
            weights: demand.iter().map(|&i| cells.cells[i].population).collect(),
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
        let problem = Problem::new(spec)?;
        Ok(PlacementProblem {
            problem,
            sites,
            existing,
            demand_cells: demand,
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
        let pp = self.placement_problem(
            scenario,
            cutoff,
            coverage,
            request.consolidate.then_some(&request.fixed_kinds[..]),
            request.capacity.is_some() || request.capacity_from_counters,
            &request.candidates,
            progress,
        )?;
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

        let network = self.network(scenario.mode)?;
        let cells = &network.cells;
        let demand_cells = &pp.demand_cells;
        let before = self.evaluate(scenario)?;
        let ward_names = self.ward_names();
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
                        before: &before,
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
            let covered_after = self
                .evaluate(&after_scenario)?
                .report
                .summary
                .population_covered;
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
            covered_before: before.report.summary.population_covered,
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

/// What [`describe`] reads besides the site.
struct Described<'a> {
    /// Explain by travel time (time models, consolidation) rather than by people added.
    time_model: bool,
    cutoff: f64,
    t: f64,
    demand_cells: &'a [usize],
    before: &'a super::Evaluation,
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
        before_s += w * d.before.report.cells[cell].travel_s.unwrap_or(d.cutoff);
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
    let people_en = |x: f64| group_thousands(x.round() as i64);
    // Vietnamese groups thousands with "." and writes decimals with ",".
    let people_vi = super::vi_thousands;
    let minutes_vi = |s: f64| format!("{:.1}", s / 60.0).replace('.', ",");
    (suggested.explanation, suggested.explanation_vi) = if d.time_model && people > 0.0 {
        let (before, after) = (before_s / people, after_s / people);
        (
            format!(
                "serves {} people{place}, cutting their mean travel from {:.1} to {:.1} min",
                people_en(people),
                before / 60.0,
                after / 60.0
            ),
            format!(
                "phục vụ {} người{place_vi}, giảm thời gian đi trung bình từ {} xuống {} phút",
                people_vi(people),
                minutes_vi(before),
                minutes_vi(after)
            ),
        )
    } else {
        (
            format!("adds {} people within the rule{place}", people_en(adds)),
            format!("phủ thêm {} người theo quy tắc{place_vi}", people_vi(adds)),
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
            let (dlat, dlon) = (
                metres * bearing.cos() / 111_195.0,
                metres * bearing.sin() / (111_195.0 * centre.lat.to_radians().cos()),
            );
            let other = Place::new(centre.lon + dlon, centre.lat + dlat);
            let expected = haversine_m((centre.lon, centre.lat), (other.lon, other.lat)) <= 5_000.0;
            assert_eq!(radius.holds(&centre, &other), expected, "{metres} m");
        }
    }
}
