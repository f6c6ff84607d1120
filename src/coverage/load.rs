//! Load, queues and fairness of one evaluation: catchments ([`super::catchment`]) turned into
//! peak-hour arrivals ([`super::demand`]), queues at each point ([`super::queue`]), and the
//! access and inequality figures ([`super::fairness`]), overall and per ward.

use serde::Serialize;

use super::catchment::Catchments;
use super::demand::DemandAssumptions;
use super::fairness::{self, Inequality};
use super::queue::{self, Queue, QueueLevel};
use super::{CellStatus, CoverageReport};

/// What load needs of one receiving point besides where it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointService {
    pub counters: u32,
    /// Days a week it opens (from its opening hours).
    pub open_days_per_week: u32,
}

/// One point's load at its peak hour.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PointLoad {
    /// Residents in its catchment.
    pub residents: f64,
    /// Of them, those the rule covers.
    pub residents_covered: f64,
    /// Residents of unknown cells nearest it, kept out of the load.
    pub residents_unknown_nearby: f64,
    pub visits_per_year: f64,
    pub peak_arrivals_per_hour: f64,
    pub counters: u32,
    pub open_days_per_week: u32,
    /// ρ, arrivals' work over the counters; `None` without counters while people arrive.
    pub utilisation: Option<f64>,
    pub level: QueueLevel,
    /// Expected wait in line, minutes; `None` when overloaded (no steady state).
    pub wait_min: Option<f64>,
    /// Counters for an expected wait within the asked limit; `None` beyond
    /// [`queue::MAX_COUNTERS`].
    pub counters_needed: Option<u32>,
    /// Residents the point's counters serve within the wait limit (its capacity).
    pub capacity_residents: f64,
}

/// The load figures summed over the points.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LoadSummary {
    pub assumptions: DemandAssumptions,
    /// The wait limit `counters_needed` and capacities are for, minutes.
    pub max_wait_min: f64,
    /// Residents in some catchment.
    pub residents_assigned: f64,
    /// Residents of unknown cells, in no catchment.
    pub residents_unknown: f64,
    /// Residents whose point is overloaded (ρ ≥ 1).
    pub residents_at_overloaded: f64,
    /// Residents whose point is strained (0.85 ≤ ρ < 1).
    pub residents_at_strained: f64,
    pub points_overloaded: usize,
    pub points_strained: usize,
    /// Counters the points have, and would need for the wait limit (points beyond
    /// [`queue::MAX_COUNTERS`] count that many).
    pub counters_total: u64,
    pub counters_needed_total: u64,
    /// Expected wait averaged over the residents of points with one, minutes.
    pub mean_wait_min: Option<f64>,
}

/// Access and inequality figures of a set of residents.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Fairness {
    /// Inequality of road travel time (minutes) across the residents who have one.
    pub travel_min: Option<Inequality>,
    /// Resident-weighted mean E2SFCA access, counters per 10,000 residents, over the residents
    /// the road data reaches; `None` when it was not computed or nobody is reached.
    pub e2sfca_per_10k: Option<f64>,
    /// Inequality of E2SFCA access across the same residents.
    pub e2sfca: Option<Inequality>,
}

/// One ward's load and fairness.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WardService {
    pub name: String,
    pub population: f64,
    pub residents_at_overloaded: f64,
    pub residents_at_strained: f64,
    pub fairness: Fairness,
}

/// Everything of load, queues and fairness for one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceReport {
    pub catchments: Catchments,
    /// One per point, in the points' order.
    pub points: Vec<PointLoad>,
    pub summary: LoadSummary,
    pub fairness: Fairness,
    /// Theil T of travel time split within and between wards.
    pub theil_within_wards: f64,
    pub theil_between_wards: f64,
    /// Worst first: most residents at overloaded then strained points.
    pub wards: Vec<WardService>,
    /// E2SFCA access per cell (counters per 10,000 residents), same order as the report's
    /// cells; empty when not computed.
    pub access_per_10k: Vec<Option<f64>>,
}

/// E2SFCA from the pairs within the rule's time: `reach[j]` the (cell, travel_s) of point `j`.
pub struct AccessPairs<'a> {
    pub reach: &'a [Vec<(u32, f64)>],
    pub max_travel_s: f64,
}

impl ServiceReport {
    /// Load, queues and fairness of `report` for points with `services`, under `assumptions`,
    /// sizing counters for an expected wait of `max_wait_min`. `access`, when given, adds the
    /// E2SFCA figures.
    pub fn new(
        report: &CoverageReport,
        catchments: Catchments,
        services: &[PointService],
        assumptions: &DemandAssumptions,
        max_wait_min: f64,
        ward_names: &[String],
        access: Option<AccessPairs>,
    ) -> ServiceReport {
        let points: Vec<PointLoad> = catchments
            .points
            .iter()
            .zip(services)
            .map(|(k, s)| point_load(k, s, assumptions, max_wait_min))
            .collect();
        let access_per_10k: Vec<Option<f64>> = match &access {
            Some(a) => {
                let supply: Vec<f64> = services.iter().map(|s| f64::from(s.counters)).collect();
                let population: Vec<f64> = report.cells.iter().map(|c| c.population).collect();
                let judged: Vec<bool> = report.cells.iter().map(|c| c.on_roads).collect();
                fairness::e2sfca(a.reach, &supply, &population, &judged, a.max_travel_s)
                    .into_iter()
                    .map(|x| x.map(|x| x * 1e4))
                    .collect()
            }
            None => Vec::new(),
        };
        let level_of_cell = |i: usize| {
            catchments.of_cell[i]
                .and_then(|p| points.get(p))
                .map(|p| p.level)
        };
        // Per ward: residents by level, travel times, access.
        let n_wards = ward_names.len();
        let mut ward_over = vec![0.0; n_wards];
        let mut ward_strained = vec![0.0; n_wards];
        let mut ward_pop = vec![0.0; n_wards];
        let mut ward_travel: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n_wards];
        let mut ward_access: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n_wards];
        let mut travel = Vec::with_capacity(report.cells.len());
        let mut all_access = Vec::new();
        for (i, c) in report.cells.iter().enumerate() {
            let level = level_of_cell(i);
            let time = c
                .travel_s
                .filter(|_| c.status != CellStatus::Unknown)
                .map(|t| (t / 60.0, c.population));
            let acc = access_per_10k
                .get(i)
                .copied()
                .flatten()
                .map(|a| (a, c.population));
            travel.extend(time);
            all_access.extend(acc);
            if let Some(w) = c.ward.filter(|&w| w < n_wards) {
                ward_pop[w] += c.population;
                match level {
                    Some(QueueLevel::Overloaded) => ward_over[w] += c.population,
                    Some(QueueLevel::Strained) => ward_strained[w] += c.population,
                    _ => {}
                }
                ward_travel[w].extend(time);
                ward_access[w].extend(acc);
            }
        }
        let fairness_of = |travel: &[(f64, f64)], access: &[(f64, f64)]| Fairness {
            travel_min: fairness::inequality(travel),
            e2sfca_per_10k: fairness::inequality(access).map(|e| e.mean),
            e2sfca: fairness::inequality(access),
        };
        let (theil_within_wards, theil_between_wards) = fairness::theil_decomposition(&ward_travel);
        let mut wards: Vec<WardService> = (0..n_wards)
            .filter(|&w| ward_pop[w] > 0.0)
            .map(|w| WardService {
                name: ward_names[w].clone(),
                population: ward_pop[w],
                residents_at_overloaded: ward_over[w],
                residents_at_strained: ward_strained[w],
                fairness: fairness_of(&ward_travel[w], &ward_access[w]),
            })
            .collect();
        wards.sort_by(|a, b| {
            b.residents_at_overloaded
                .total_cmp(&a.residents_at_overloaded)
                .then(b.residents_at_strained.total_cmp(&a.residents_at_strained))
                .then(a.name.cmp(&b.name))
        });
        let summary = summarise(&points, &catchments, assumptions, max_wait_min);
        ServiceReport {
            fairness: fairness_of(&travel, &all_access),
            catchments,
            points,
            summary,
            theil_within_wards,
            theil_between_wards,
            wards,
            access_per_10k,
        }
    }
}

fn point_load(
    k: &super::catchment::Catchment,
    s: &PointService,
    assumptions: &DemandAssumptions,
    max_wait_min: f64,
) -> PointLoad {
    let arrivals = assumptions.peak_arrivals_per_hour(k.residents, s.open_days_per_week);
    let q = Queue {
        arrivals_per_hour: arrivals,
        service_min: assumptions.service_min,
        counters: s.counters,
    };
    PointLoad {
        residents: k.residents,
        residents_covered: k.covered,
        residents_unknown_nearby: k.unknown_nearby,
        visits_per_year: assumptions.visits_per_year(k.residents),
        peak_arrivals_per_hour: arrivals,
        counters: s.counters,
        open_days_per_week: s.open_days_per_week,
        utilisation: Some(q.utilisation()).filter(|u| u.is_finite()),
        level: q.level(),
        wait_min: q.mean_wait_min(),
        counters_needed: queue::counters_needed(arrivals, assumptions.service_min, max_wait_min),
        capacity_residents: capacity_residents(s, assumptions, max_wait_min),
    }
}

/// Residents a point serves with an expected wait of at most `max_wait_min` at its peak hour:
/// its capacity, in the coverage within capacity and in the capacitated placement models.
pub fn capacity_residents(
    s: &PointService,
    assumptions: &DemandAssumptions,
    max_wait_min: f64,
) -> f64 {
    let arrivals = queue::arrivals_within_wait(s.counters, assumptions.service_min, max_wait_min);
    assumptions.residents_for_arrivals(arrivals, s.open_days_per_week)
}

fn summarise(
    points: &[PointLoad],
    catchments: &Catchments,
    assumptions: &DemandAssumptions,
    max_wait_min: f64,
) -> LoadSummary {
    let at = |level| {
        points
            .iter()
            .filter(|p| p.level == level)
            .map(|p| p.residents)
            .sum()
    };
    let count = |level| points.iter().filter(|p| p.level == level).count();
    let waited: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| p.wait_min.map(|w| (w, p.residents)))
        .collect();
    let waited_pop: f64 = waited.iter().map(|w| w.1).sum();
    LoadSummary {
        assumptions: *assumptions,
        max_wait_min,
        residents_assigned: catchments.assigned(),
        residents_unknown: catchments.unknown,
        residents_at_overloaded: at(QueueLevel::Overloaded),
        residents_at_strained: at(QueueLevel::Strained),
        points_overloaded: count(QueueLevel::Overloaded),
        points_strained: count(QueueLevel::Strained),
        counters_total: points.iter().map(|p| u64::from(p.counters)).sum(),
        counters_needed_total: points
            .iter()
            .map(|p| u64::from(p.counters_needed.unwrap_or(queue::MAX_COUNTERS)))
            .sum(),
        mean_wait_min: (waited_pop > 0.0)
            .then(|| waited.iter().map(|w| w.0 * w.1).sum::<f64>() / waited_pop),
    }
}
