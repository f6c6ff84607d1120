//! One coverage rule for the report and the optimiser: for every combination of OR/AND and a
//! straight or network radius, the covered population a plan's matrix promises equals the one
//! the coverage report computes for the same points.

use std::sync::OnceLock;

use motcua::coverage::{Combine, RadiusKind};
use motcua::graph::TravelMode;
use motcua::optimise::DemandIndex;
use motcua::scenario::{AreaOptions, Candidates, RuleSpec, Scenario, StudyArea};
use proptest::prelude::*;

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
            .placement_problem(
                &scenario,
                minutes * 60.0,
                true,
                None,
                // Keep every pair: the check is of the pairs, not of the pruning.
                true,
                &Candidates::Cells(h3o::Resolution::Seven),
                &|_, _| {},
            )
            .expect("matrix builds");
        let problem = &pp.problem;
        let n = problem.n_candidates();
        let mut open = vec![false; n];
        for &c in &pp.existing {
            open[c] = true;
        }
        for &c in &opened {
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
        let reported = area.evaluate(&plan).expect("evaluates").report.summary.population_covered;
        prop_assert!(
            (promised - reported).abs() < 1e-6 * reported.max(1.0),
            "{rule:?}: the matrix promises {promised}, the report counts {reported}"
        );
    }
}
