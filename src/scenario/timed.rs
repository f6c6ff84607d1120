//! Coverage at a moment of the week, and over a whole week.
//!
//! At a moment `at` a resident leaving home is served by a point only if the point is open
//! when they arrive, `at` + travel time, and the trip runs at the speed band of `at`
//! ([`crate::graph::SpeedProfile::band_at`]). Over the arrival window (`at` to `at` + the
//! rule's time) each point is
//! - *open* throughout: it counts as in a plain evaluation;
//! - *closed* throughout: it does not count;
//! - *changing* (it opens or closes inside the window): it serves the cells whose road travel
//!   time brings them there while it is open, each cell at its own arrival; pairs only the
//!   radius decides (no road time) are not counted for it;
//! - of *unknown* hours at some minute of the window: a cell only such a point could serve is
//!   *unknown*, never covered.
//!
//! A weekly sweep evaluates the start of each of the 168 hours. Hours that share the open
//! points, the unknown ones and the speed factor share one evaluation, so a week of office
//! hours costs a handful of searches.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDateTime, Timelike};
use serde::Serialize;

use super::area::{Evaluation, ModeNetwork, StudyArea};
use super::{Scenario, ScenarioError, WeekRequest};
use crate::coverage::{CellStatus, CoverageReport, CoverageRule, PointLocation};
use crate::graph::BandAt;
use crate::hours::{Hours, OpenState};

/// Minutes between the samples of a point's state over an arrival window.
const SAMPLE_MIN: i64 = 1;

/// The points as a moment sees them (indices into the scenario's points).
#[derive(Clone, Debug, Default, PartialEq)]
struct PointsAt {
    open: Vec<usize>,
    closed: Vec<usize>,
    changing: Vec<usize>,
    unknown: Vec<usize>,
}

/// A coverage evaluation at one moment.
#[derive(Clone, Debug)]
pub struct TimedEvaluation {
    pub at: NaiveDateTime,
    pub band: BandAt,
    pub evaluation: Evaluation,
    /// Points closed for the whole arrival window.
    pub closed_points: Vec<String>,
    /// Points that open or close within it, counted at each cell's arrival.
    pub changing_points: Vec<String>,
    /// Points whose hours are empty or say `unknown` within it.
    pub unknown_hours_points: Vec<String>,
}

/// One hour of a weekly sweep.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HourCoverage {
    /// 0 (Monday 00:00) to 167 (Sunday 23:00).
    pub hour_of_week: usize,
    #[schema(value_type = String, example = "2026-12-07T08:00")]
    pub at: String,
    /// `Mo` to `Su`.
    pub weekday: String,
    pub hour: u32,
    pub band: String,
    pub speed_factor: f64,
    pub open_points: usize,
    pub closed_points: usize,
    pub population_covered: f64,
    pub population_unknown: f64,
    /// covered / the study area's population.
    pub covered_share: f64,
}

/// One ward over the week: its covered share at each hour.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WardWeek {
    pub name: String,
    pub population: f64,
    /// 168 shares, Monday 00:00 first.
    pub covered_share: Vec<f64>,
}

/// Coverage at each hour of one week.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WeekSweep {
    /// The Monday the week starts on (`2026-12-07`).
    pub monday: String,
    pub population_total: f64,
    pub hours: Vec<HourCoverage>,
    /// Wards in the order of the area's ward list.
    pub wards: Vec<WardWeek>,
    /// The worst hours, lowest covered share first (at most 10).
    pub worst_hours: Vec<usize>,
    /// Distinct evaluations the sweep needed.
    pub evaluations: usize,
    /// Time of the sweep, the mode's graph (built once per area) aside.
    pub sweep_ms: f64,
}

/// What a moment's coverage is made of, before the shell-facing sums.
struct Moment {
    report: CoverageReport,
    points: PointsAt,
    band: BandAt,
}

/// Coverage at a moment on one mode's network, point indices into the scenario's points:
/// what [`StudyArea::evaluate_at`] reports, for callers holding a network of their own (a
/// drawn one in tests).
#[derive(Clone, Debug)]
pub struct MomentReport {
    pub report: CoverageReport,
    pub band: BandAt,
    pub closed: Vec<usize>,
    pub changing: Vec<usize>,
    pub unknown: Vec<usize>,
}

/// Coverage of `scenario` on `network` for residents leaving at `at` (Hanoi time).
pub fn coverage_at(network: &ModeNetwork, scenario: &Scenario, at: NaiveDateTime) -> MomentReport {
    let m = moment(
        network,
        scenario,
        &parse_all(scenario),
        at,
        &mut Memo::new(),
    );
    MomentReport {
        report: m.report,
        band: m.band,
        closed: m.points.closed,
        changing: m.points.changing,
        unknown: m.points.unknown,
    }
}

/// Reports already made, by (open points, unknown points, speed factor).
type Memo = HashMap<(Vec<usize>, Vec<usize>, u64), Arc<CoverageReport>>;

impl StudyArea {
    /// Coverage of `scenario` for residents leaving home at `at` (Hanoi time).
    pub fn evaluate_at(
        &self,
        scenario: &Scenario,
        at: NaiveDateTime,
    ) -> Result<TimedEvaluation, ScenarioError> {
        scenario.validate()?;
        let network = self.network(scenario.mode)?;
        let hours: Vec<Hours> = parse_all(scenario);
        let moment = moment(&network, scenario, &hours, at, &mut Memo::new());
        let ids = |v: &[usize]| -> Vec<String> {
            v.iter().map(|&i| scenario.points[i].id.clone()).collect()
        };
        let (closed_points, changing_points, unknown_hours_points) = (
            ids(&moment.points.closed),
            ids(&moment.points.changing),
            ids(&moment.points.unknown),
        );
        let mut evaluation = self.evaluation_from_report(scenario, &network, moment.report);
        evaluation
            .timings_ms
            .insert("speed_factor".into(), moment.band.factor);
        Ok(TimedEvaluation {
            at,
            band: moment.band,
            evaluation,
            closed_points,
            changing_points,
            unknown_hours_points,
        })
    }

    /// Coverage of `scenario` at the start of each hour of the week `request` names.
    pub fn sweep_week(
        &self,
        scenario: &Scenario,
        request: &WeekRequest,
    ) -> Result<WeekSweep, ScenarioError> {
        scenario.validate()?;
        let monday = request.monday()?;
        let network = self.network(scenario.mode)?;
        // The sweep itself: the graph of the mode is built once per area, outside it.
        let started = std::time::Instant::now();
        let hours = parse_all(scenario);
        let mut memo = Memo::new();
        let ward_names = self.ward_names();
        let mut ward_pop = vec![0.0; ward_names.len()];
        for c in self.cells() {
            if let Some(w) = c.ward {
                ward_pop[w] += c.population;
            }
        }
        let mut wards: Vec<WardWeek> = ward_names
            .iter()
            .zip(&ward_pop)
            .map(|(name, &population)| WardWeek {
                name: name.clone(),
                population,
                covered_share: Vec::with_capacity(super::request::WEEK_HOURS),
            })
            .collect();
        let mut out = Vec::with_capacity(super::request::WEEK_HOURS);
        let mut total = 0.0;
        for h in 0..super::request::WEEK_HOURS {
            let at = monday.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::hours(h as i64);
            let m = moment(&network, scenario, &hours, at, &mut memo);
            let s = &m.report.summary;
            total = s.population_total;
            let mut covered_by_ward = vec![0.0; ward_names.len()];
            for c in &m.report.cells {
                if c.status == CellStatus::Covered
                    && let Some(w) = c.ward
                {
                    covered_by_ward[w] += c.population;
                }
            }
            for (w, ward) in wards.iter_mut().enumerate() {
                ward.covered_share
                    .push(share(covered_by_ward[w], ward.population));
            }
            out.push(HourCoverage {
                hour_of_week: h,
                at: at.format("%Y-%m-%dT%H:%M").to_string(),
                weekday: crate::hours::WEEKDAYS[at.weekday().num_days_from_monday() as usize]
                    .to_string(),
                hour: at.hour(),
                band: m.band.name.clone(),
                speed_factor: m.band.factor,
                open_points: m.points.open.len() + m.points.changing.len(),
                closed_points: m.points.closed.len(),
                population_covered: s.population_covered,
                population_unknown: s.population_unknown,
                covered_share: s.covered_share,
            });
        }
        let mut worst: Vec<usize> = (0..out.len()).collect();
        worst.sort_by(|&a, &b| {
            out[a]
                .covered_share
                .total_cmp(&out[b].covered_share)
                .then(a.cmp(&b))
        });
        worst.truncate(10);
        Ok(WeekSweep {
            monday: monday.format("%Y-%m-%d").to_string(),
            population_total: total,
            hours: out,
            wards,
            worst_hours: worst,
            evaluations: memo.len(),
            sweep_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// The scenario's hours, parsed once (points were checked: anything else is unknown).
fn parse_all(scenario: &Scenario) -> Vec<Hours> {
    scenario.points.iter().map(|p| p.hours()).collect()
}

/// A point's hours over an arrival window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum WindowState {
    /// Open at every minute of it: serves as in a plain evaluation.
    Open,
    /// Closed at every minute: serves nobody.
    Closed,
    /// Opens or closes within it: serves each resident who arrives while it is open.
    Changing,
    /// Of unknown hours at some minute: can never make a resident covered.
    Unknown,
}

/// The state of `hours` over `[at, at + window_s]`, sampled every [`SAMPLE_MIN`] minutes.
pub(crate) fn window_state(hours: &Hours, at: NaiveDateTime, window_s: f64) -> WindowState {
    let samples = (window_s / 60.0).ceil() as i64 / SAMPLE_MIN;
    let (mut open, mut closed, mut unknown) = (false, false, false);
    for k in 0..=samples {
        match hours.state(at + Duration::minutes(k * SAMPLE_MIN)) {
            OpenState::Open => open = true,
            OpenState::Closed => closed = true,
            OpenState::Unknown => unknown = true,
        }
    }
    match (unknown, open, closed) {
        (true, _, _) => WindowState::Unknown,
        (false, true, false) => WindowState::Open,
        (false, false, _) => WindowState::Closed,
        (false, true, true) => WindowState::Changing,
    }
}

/// Sorts the points by their state over the arrival window `[at, at + window_s]`.
fn classify(scenario: &Scenario, hours: &[Hours], at: NaiveDateTime, window_s: f64) -> PointsAt {
    let mut out = PointsAt::default();
    // Points of one kind usually share their hours: judge each text once.
    let mut seen: HashMap<&str, WindowState> = HashMap::new();
    for (i, h) in hours.iter().enumerate() {
        let key = scenario.points[i].hours_text();
        let state = *seen
            .entry(key)
            .or_insert_with(|| window_state(h, at, window_s));
        match state {
            WindowState::Open => out.open.push(i),
            WindowState::Closed => out.closed.push(i),
            WindowState::Changing => out.changing.push(i),
            WindowState::Unknown => out.unknown.push(i),
        }
    }
    out
}

/// Where the points `subset` of the scenario stand.
fn locations_of(scenario: &Scenario, subset: &[usize]) -> Vec<PointLocation> {
    subset
        .iter()
        .map(|&i| PointLocation {
            lon: scenario.points[i].lon,
            lat: scenario.points[i].lat,
        })
        .collect()
}

/// The report of `subset` of the scenario's points at `factor`, cell indices of points mapped
/// back to the scenario's, remembered in `memo`.
fn subset_report(
    network: &ModeNetwork,
    scenario: &Scenario,
    rule: &CoverageRule,
    subset: &[usize],
    unknown: &[usize],
    factor: f64,
    memo: &mut Memo,
) -> Arc<CoverageReport> {
    let key = (subset.to_vec(), unknown.to_vec(), factor.to_bits());
    if let Some(r) = memo.get(&key) {
        return r.clone();
    }
    let locations = locations_of(scenario, subset);
    let mut report =
        network
            .cells
            .evaluate_at_speed(&network.graph, &network.index, &locations, rule, factor);
    for c in &mut report.cells {
        c.nearest_point = c.nearest_point.map(|p| subset[p]);
        c.straight_point = c.straight_point.map(|p| subset[p]);
    }
    for p in &mut report.off_network_points {
        *p = subset[*p];
    }
    let report = Arc::new(report);
    memo.insert(key, report.clone());
    report
}

/// Coverage at `at`: the open points' evaluation, the changing points' timed pairs and the
/// unknown points' doubt, combined cell by cell.
fn moment(
    network: &ModeNetwork,
    scenario: &Scenario,
    hours: &[Hours],
    at: NaiveDateTime,
    memo: &mut Memo,
) -> Moment {
    let rule = scenario.rule.to_rule();
    let band = network.profile.band_at(at);
    let points = classify(scenario, hours, at, rule.max_travel_s);
    let base = subset_report(
        network,
        scenario,
        &rule,
        &points.open,
        &[],
        band.factor,
        memo,
    );
    if points.changing.is_empty() && points.unknown.is_empty() {
        return Moment {
            report: (*base).clone(),
            points,
            band,
        };
    }
    let mut covered_late = vec![false; base.cells.len()];
    if !points.changing.is_empty() {
        let locations = locations_of(scenario, &points.changing);
        let rows = network.cells.reach_within(
            &network.graph,
            &network.index,
            &locations,
            rule.max_travel_s * band.factor,
        );
        for (&p, row) in points.changing.iter().zip(&rows) {
            let q = &scenario.points[p];
            for reach in row {
                let cell = reach.demand as usize;
                let travel_s = reach.travel_s / band.factor;
                let arrival = at + Duration::milliseconds((travel_s * 1e3) as i64);
                if hours[p].state(arrival) != OpenState::Open {
                    continue;
                }
                let c = &network.cells.cells[cell];
                let within_radius = match rule.radius_kind {
                    crate::coverage::RadiusKind::Straight => {
                        crate::graph::haversine_m((c.lon, c.lat), (q.lon, q.lat))
                            <= rule.max_radius_m
                    }
                    crate::coverage::RadiusKind::Network => reach.length_m <= rule.max_radius_m,
                };
                if rule.combine == crate::coverage::Combine::Or || within_radius {
                    covered_late[cell] = true;
                }
            }
        }
    }
    let doubt = (!points.unknown.is_empty()).then(|| {
        let mut with_unknown = points.open.clone();
        with_unknown.extend(&points.unknown);
        with_unknown.sort_unstable();
        subset_report(
            network,
            scenario,
            &rule,
            &with_unknown,
            &points.unknown,
            band.factor,
            memo,
        )
    });
    let mut cells = base.cells.clone();
    for (k, c) in cells.iter_mut().enumerate() {
        if c.status == CellStatus::Covered {
            continue;
        }
        if covered_late[k] {
            c.status = CellStatus::Covered;
        } else if let Some(d) = &doubt
            && d.cells[k].status != CellStatus::Uncovered
        {
            c.status = CellStatus::Unknown;
        }
    }
    let mut report = CoverageReport::from_cells(
        cells,
        &network.cells.ward_names,
        &network.cells.district_names,
    );
    report.off_network_points = base.off_network_points.clone();
    report.search_ms = base.search_ms;
    Moment {
        report,
        points,
        band,
    }
}
