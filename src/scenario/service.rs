//! A scenario's load, queues and fairness beside its coverage, and coverage within capacity:
//! who is covered when each point serves no more residents than its counters can take within
//! the wait limit.

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::{Evaluation, Scenario, ScenarioError, ServiceRequest, StudyArea};
use crate::coverage::load::AccessPairs;
use crate::coverage::{
    Catchments, CellGrid, CellInput, CellStatus, Combine, CoverageReport, CoverageRule,
    PointLocation, PointService, RadiusKind, RoadFacts, ServiceReport,
};
use crate::graph::haversine_m;
use crate::routing::matrix::Reach;

/// Coverage within the rule and within the points' capacities.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CapacityCoverage {
    /// Residents covered by a point that meets the rule and has room for them, assigned nearest
    /// first (AccessMod's capacity-limited catchments).
    pub covered: f64,
    /// covered / everyone in the study area.
    pub covered_share: f64,
    /// Residents the rule covers who find every point within the rule full.
    pub beyond_capacity: f64,
    /// Residents each point takes, in the points' order (at most its capacity).
    pub per_point: Vec<f64>,
}

impl StudyArea {
    /// [`StudyArea::evaluate`], then catchments, load and queues, fairness and coverage within
    /// capacity under `request`.
    pub fn evaluate_service(
        &self,
        scenario: &Scenario,
        request: &ServiceRequest,
    ) -> Result<Evaluation, ScenarioError> {
        request.validate()?;
        let mut evaluation = self.evaluate(scenario)?;
        let network = self.network(scenario.mode)?;
        let started = Instant::now();
        let rule = scenario.rule.to_rule();
        let locations = super::locations(&scenario.points);
        let reach = network.cells.reach_within(
            &network.graph,
            &network.index,
            &locations,
            rule.max_travel_s,
        );
        let reach_ms = started.elapsed().as_secs_f64() * 1e3;
        let started = Instant::now();
        let report = &evaluation.report;
        let services: Vec<PointService> = scenario.points.iter().map(|p| p.service()).collect();
        let times: Vec<Vec<(u32, f64)>> = reach
            .iter()
            .map(|row| row.iter().map(|r| (r.demand, r.travel_s)).collect())
            .collect();
        let service = ServiceReport::new(
            report,
            Catchments::new(report, scenario.points.len(), rule.radius_kind),
            &services,
            &request.demand,
            request.max_wait_min,
            self.ward_names(),
            Some(AccessPairs {
                reach: &times,
                max_travel_s: rule.max_travel_s,
            }),
        );
        let capacities: Vec<f64> = service
            .points
            .iter()
            .map(|p| p.capacity_residents)
            .collect();
        let capacity = capacity_coverage(
            report,
            &network.cells.cells,
            &reach,
            &locations,
            &rule,
            &capacities,
            network.profile.access_speed_kmh() / 3.6,
        );
        evaluation.timings_ms.insert("reach".into(), reach_ms);
        evaluation
            .timings_ms
            .insert("service".into(), started.elapsed().as_secs_f64() * 1e3);
        evaluation.service = Some(service);
        evaluation.capacity = Some(capacity);
        Ok(evaluation)
    }
}

/// The pairs (cost, cell, point) the rule accepts, nearest first, then the nearest-first
/// assignment within `capacities`. A pair within the time limit costs its travel time; a pair
/// the straight radius alone accepts (under OR) costs the straight line at the access speed,
/// after every pair reached in time at that distance. Unknown cells take no part. Under a radius
/// measured along the roads only the pairs within the time limit are weighed: the pairs beyond
/// it would need one more search per point. `cell_places` are the report's cells as evaluated
/// (same order).
pub fn capacity_coverage(
    report: &CoverageReport,
    cell_places: &[CellInput],
    reach: &[Vec<Reach>],
    points: &[PointLocation],
    rule: &CoverageRule,
    capacities: &[f64],
    access_mps: f64,
) -> CapacityCoverage {
    let cells = &report.cells;
    let by_straight_radius =
        rule.combine == Combine::Or && rule.radius_kind == RadiusKind::Straight;
    let grid = by_straight_radius.then(|| {
        let places: Vec<(f64, f64)> = cell_places.iter().map(|c| (c.lon, c.lat)).collect();
        CellGrid::new(&places, rule.max_radius_m)
    });
    let mut pairs: Vec<(f64, usize, usize)> = points
        .par_iter()
        .enumerate()
        .flat_map_iter(|(j, p)| {
            let mut in_reach = vec![false; cells.len()];
            let mut out = Vec::new();
            for r in reach.get(j).into_iter().flatten() {
                let i = r.demand as usize;
                let c = &cells[i];
                in_reach[i] = true;
                if c.status == CellStatus::Unknown {
                    continue;
                }
                // The cell's centre as evaluated: far cheaper than H3's own conversion, which
                // per pair was most of this function's time.
                let place = &cell_places[i];
                let straight_m = haversine_m((place.lon, place.lat), (p.lon, p.lat));
                let road = RoadFacts::Reached {
                    travel_s: r.travel_s,
                    radius_m: r.length_m,
                };
                if rule.pair_holds(road, straight_m <= rule.max_radius_m) {
                    out.push((r.travel_s, i, j));
                }
            }
            if let Some(grid) = &grid {
                grid.near(p.lon, p.lat, rule.max_radius_m, |i| {
                    if in_reach[i] || cells[i].status == CellStatus::Unknown {
                        return;
                    }
                    let place = &cell_places[i];
                    let straight_m = haversine_m((place.lon, place.lat), (p.lon, p.lat));
                    if straight_m <= rule.max_radius_m {
                        out.push((straight_m / access_mps, i, j));
                    }
                });
            }
            out
        })
        .collect();
    pairs.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let population: Vec<f64> = cells.iter().map(|c| c.population).collect();
    let flows = crate::optimise::assign_nearest_first(pairs, &population, capacities);
    let mut per_point = vec![0.0; points.len()];
    for f in &flows {
        per_point[f.site] += f.amount;
    }
    let covered: f64 = per_point.iter().sum();
    let total = report.summary.population_total;
    CapacityCoverage {
        covered,
        covered_share: if total > 0.0 { covered / total } else { 0.0 },
        beyond_capacity: (report.summary.population_covered - covered).max(0.0),
        per_point,
    }
}

/// One point's catchment and queue as reports and the API list them.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PointServiceDoc {
    pub id: String,
    pub name: String,
    pub kind: super::PointKind,
    pub lon: f64,
    pub lat: f64,
    #[serde(flatten)]
    pub load: crate::coverage::PointLoad,
    /// Residents it takes in the nearest-first assignment within capacity.
    pub served_within_capacity: f64,
}

/// Load, queues, fairness and coverage within capacity, for the JSON summary and the API.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceDoc {
    pub load: crate::coverage::LoadSummary,
    /// City-wide (the study area's) access and inequality.
    pub fairness: crate::coverage::Fairness,
    /// Theil T of travel time within wards and between them (they add up to the whole).
    pub theil_within_wards: f64,
    pub theil_between_wards: f64,
    /// Covered within the rule and within the points' capacities.
    pub within_capacity: CapacityCoverage,
    /// In the scenario's order.
    pub points: Vec<PointServiceDoc>,
    /// Worst first: most residents at overloaded, then strained points.
    pub wards: Vec<crate::coverage::WardService>,
}

impl ServiceDoc {
    /// The figures of an evaluation made by [`StudyArea::evaluate_service`]; `None` for one
    /// made without them.
    pub fn new(scenario: &Scenario, evaluation: &Evaluation) -> Option<ServiceDoc> {
        let (service, capacity) = (evaluation.service.as_ref()?, evaluation.capacity.as_ref()?);
        let points = scenario
            .points
            .iter()
            .zip(&service.points)
            .enumerate()
            .map(|(j, (p, load))| PointServiceDoc {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: p.kind,
                lon: p.lon,
                lat: p.lat,
                load: load.clone(),
                served_within_capacity: capacity.per_point.get(j).copied().unwrap_or(0.0),
            })
            .collect();
        Some(ServiceDoc {
            load: service.summary.clone(),
            fairness: service.fairness.clone(),
            theil_within_wards: service.theil_within_wards,
            theil_between_wards: service.theil_between_wards,
            within_capacity: CapacityCoverage {
                per_point: Vec::new(),
                ..capacity.clone()
            },
            points,
            wards: service.wards.clone(),
        })
    }
}
