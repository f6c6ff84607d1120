//! A scenario's load, queues and fairness beside its coverage, and coverage within capacity:
//! who is covered when each point serves no more residents than its counters can take within
//! the wait limit.

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::{Evaluation, Scenario, ScenarioError, ServiceRequest, StudyArea};
use crate::coverage::load::AccessPairs;
use crate::coverage::{
    Catchments, CellStatus, Combine, CoverageReport, CoverageRule, PointLocation, PointService,
    RadiusKind, RoadFacts, ServiceReport,
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
        let rule = scenario.rule.to_rule(scenario.mode);
        let locations: Vec<PointLocation> = scenario
            .points
            .iter()
            .map(|p| PointLocation {
                lon: p.lon,
                lat: p.lat,
            })
            .collect();
        let reach = network.cells.reach_within(
            &network.graph,
            &network.index,
            &locations,
            rule.max_travel_s,
        );
        let reach_ms = started.elapsed().as_secs_f64() * 1e3;
        let started = Instant::now();
        let report = &evaluation.report;
        let services: Vec<PointService> = scenario
            .points
            .iter()
            .map(|p| PointService {
                counters: p.counters(),
                open_days_per_week: p.open_days_per_week(),
            })
            .collect();
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
/// it would need one more search per point.
pub fn capacity_coverage(
    report: &CoverageReport,
    reach: &[Vec<Reach>],
    points: &[PointLocation],
    rule: &CoverageRule,
    capacities: &[f64],
    access_mps: f64,
) -> CapacityCoverage {
    let cells = &report.cells;
    let by_straight_radius =
        rule.combine == Combine::Or && rule.radius_kind == RadiusKind::Straight;
    let lat0 = points.iter().map(|p| p.lat).sum::<f64>() / points.len().max(1) as f64;
    let metres_per_lon = lat0.to_radians().cos() * 111_320.0;
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
                let cell = (
                    h3o::LatLng::from(c.cell).lng(),
                    h3o::LatLng::from(c.cell).lat(),
                );
                let straight_m = haversine_m(cell, (p.lon, p.lat));
                let road = RoadFacts::Reached {
                    travel_s: r.travel_s,
                    radius_m: r.length_m,
                };
                if rule.pair_holds(road, straight_m <= rule.max_radius_m) {
                    out.push((r.travel_s, i, j));
                }
            }
            if by_straight_radius {
                // A local flat-earth test first (10 % slack), the great circle to decide.
                let slack = (rule.max_radius_m * 1.1).powi(2);
                for (i, c) in cells.iter().enumerate() {
                    if in_reach[i] || c.status == CellStatus::Unknown {
                        continue;
                    }
                    let ll = h3o::LatLng::from(c.cell);
                    let dx = (ll.lng() - p.lon) * metres_per_lon;
                    let dy = (ll.lat() - p.lat) * 111_320.0;
                    if dx * dx + dy * dy > slack {
                        continue;
                    }
                    let straight_m = haversine_m((ll.lng(), ll.lat()), (p.lon, p.lat));
                    if straight_m <= rule.max_radius_m {
                        out.push((straight_m / access_mps, i, j));
                    }
                }
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
