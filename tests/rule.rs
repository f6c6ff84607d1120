//! One coverage rule for the report and the optimiser: for every combination of OR/AND and a
//! straight or network radius, the covered population a plan's matrix promises equals the one
//! the coverage report computes for the same points.

use std::sync::OnceLock;

use motcua::coverage::{Combine, RadiusKind};
use motcua::graph::TravelMode;
use motcua::optimise::DemandIndex;
use motcua::scenario::{
    AreaOptions, Candidates, MatrixSpec, PlacementProblem, PlacementTime, RuleSpec, Scenario,
    StudyArea, WeekRequest,
};
use proptest::prelude::*;

/// The scenario's points and the candidates `opened` names (modulo their count) open: the
/// people (or person-hours) the matrix promises them, and the scenario they make.
fn open_some(pp: &PlacementProblem, opened: &[usize], scenario: &Scenario) -> (f64, Scenario) {
    let problem = &pp.problem;
    let n = problem.n_candidates();
    let mut open = vec![false; n];
    for &c in &pp.existing {
        open[c] = true;
    }
    for &c in opened {
        open[c % n] = true;
    }
    let promised: f64 = (0..problem.n_demand())
        .filter(|&d| {
            let (candidates, costs) = problem.row(DemandIndex(d as u32));
            candidates
                .iter()
                .zip(costs)
                .any(|(c, &cost)| open[c.index()] && cost <= pp.time_limit_s)
        })
        .map(|d| problem.weights()[d])
        .sum();
    let plan = Scenario {
        points: pp
            .sites
            .iter()
            .zip(&open)
            .filter(|(_, o)| **o)
            .map(|(s, _)| s.clone())
            .collect(),
        ..scenario.clone()
    };
    (promised, plan)
}

fn area() -> &'static StudyArea {
    static AREA: OnceLock<StudyArea> = OnceLock::new();
    AREA.get_or_init(|| {
        StudyArea::open(
            "hanoi-central",
            &AreaOptions {
                cache_dir: None,
                ..AreaOptions::default()
            },
        )
        .expect("embedded area opens")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_plans_matrix_coverage_equals_the_reported_coverage(
        and in any::<bool>(),
        network in any::<bool>(),
        minutes in 2.0f64..12.0,
        radius_km in 0.3f64..3.0,
        existing in prop::collection::vec(0usize..1000, 1..3),
        opened in prop::collection::vec(0usize..1000, 0..4),
    ) {
        let area = area();
        let all = area.points();
        let points: Vec<_> = existing.iter().map(|&i| all[i % all.len()].clone()).collect();
        let mut points = points;
        points.sort_by(|a, b| a.id.cmp(&b.id));
        points.dedup_by(|a, b| a.id == b.id);
        let rule = RuleSpec {
            max_minutes: minutes,
            radius_km,
            combine: if and { Combine::And } else { Combine::Or },
            radius_kind: if network { RadiusKind::Network } else { RadiusKind::Straight },
        };
        let scenario = Scenario {
            name: "rule check".into(),
            mode: TravelMode::Motorbike,
            rule,
            points,
        };
        let pp = area
            .placement()
            .problem(
                &scenario,
                &MatrixSpec {
                    // Keep every pair: the check is of the pairs, not of the pruning.
                    capacitated: true,
                    ..MatrixSpec::new(minutes * 60.0, true, Candidates::Cells(h3o::Resolution::Seven))
                },
                &|_, _| {},
            )
            .expect("matrix builds");
        let (promised, plan) = open_some(&pp, &opened, &scenario);
        let reported = area.evaluate(&plan).expect("evaluates").report.summary.population_covered;
        prop_assert!(
            (promised - reported).abs() < 1e-6 * reported.max(1.0),
            "{rule:?}: the matrix promises {promised}, the report counts {reported}"
        );
    }
}

/// Hours the timed check draws from: always, office hours, evenings (opening within a rush
/// hour's window), Saturday mornings.
const HOURS: [&str; 4] = [
    "24/7",
    "Mo-Fr 08:00-17:00",
    "Mo-Fr 17:30-21:00",
    "Sa 08:00-12:00",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// At a moment, and over a week in person-hours, what a plan's matrix promises is what the
    /// timed report (`evaluate_at`, `sweep_week`) counts: open on arrival, at the hour's speeds.
    #[test]
    fn a_timed_plans_matrix_coverage_equals_the_timed_report(
        and in any::<bool>(),
        network in any::<bool>(),
        hour_of_week in 0usize..=168,
        existing in prop::collection::vec((0usize..1000, 0usize..4), 1..3),
        new_hours in 0usize..4,
        opened in prop::collection::vec(0usize..1000, 0..3),
    ) {
        let area = area();
        let all = area.points();
        let mut points: Vec<_> = existing
            .iter()
            .map(|&(i, h)| motcua::scenario::ReceivingPoint {
                opening_hours: HOURS[h].to_string(),
                ..all[i % all.len()].clone()
            })
            .collect();
        points.sort_by(|a, b| a.id.cmp(&b.id));
        points.dedup_by(|a, b| a.id == b.id);
        let scenario = Scenario {
            name: "timed rule check".into(),
            mode: TravelMode::Motorbike,
            rule: RuleSpec {
                max_minutes: 10.0,
                radius_km: 1.5,
                combine: if and { Combine::And } else { Combine::Or },
                radius_kind: if network { RadiusKind::Network } else { RadiusKind::Straight },
            },
            points,
        };
        let monday = motcua::hours::reference_monday().and_hms_opt(0, 0, 0).unwrap();
        let time = if hour_of_week == 168 {
            PlacementTime::Week(WeekRequest::default())
        } else {
            PlacementTime::At(monday + chrono::Duration::hours(hour_of_week as i64))
        };
        let pp = area
            .placement()
            .problem(
                &scenario,
                &MatrixSpec {
                    capacitated: true,
                    time: time.clone(),
                    new_point_hours: HOURS[new_hours].to_string(),
                    ..MatrixSpec::new(600.0, true, Candidates::Cells(h3o::Resolution::Seven))
                },
                &|_, _| {},
            )
            .expect("matrix builds");
        let (promised, plan) = open_some(&pp, &opened, &scenario);
        let reported = match &time {
            PlacementTime::At(at) => {
                area.evaluate_at(&plan, *at).expect("evaluates").evaluation.report.summary.population_covered
            }
            PlacementTime::Week(week) => area
                .sweep_week(&plan, week)
                .expect("sweeps")
                .hours
                .iter()
                .map(|h| h.population_covered)
                .sum(),
            PlacementTime::AnyTime => unreachable!(),
        };
        prop_assert!(
            (promised - reported).abs() < 1e-6 * reported.max(1.0),
            "{time:?}, new points {:?}: the matrix promises {promised}, the report counts {reported}",
            HOURS[new_hours]
        );
    }
}
