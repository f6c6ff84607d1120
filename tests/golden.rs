//! Golden results on both real study areas: the coverage summary, the worst wards and a
//! citizen's nearest points, rounded so that they are stable, compared with files under
//! `tests/golden/`; and, on the real data, placement matrices without the pairs no nearer than
//! an existing point giving the same plans as full ones. A change in output fails until a person looks at the difference and
//! commits the new file: run `MOTCUA_BLESS=1 cargo test --release --test golden` to rewrite
//! them, then read the diff.

use std::path::PathBuf;

use motcua::coverage::{Combine, RadiusKind};
use motcua::graph::TravelMode;
use motcua::optimise::{Control, Model, SolveOptions, Solver, solve};
use motcua::scenario::{AreaOptions, Candidates, MatrixSpec, RuleSpec, Scenario, StudyArea};
use serde_json::{Value, json};

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"))
}

fn check(name: &str, actual: Value) {
    let path = golden_path(name);
    let text = serde_json::to_string_pretty(&actual).expect("json") + "\n";
    if std::env::var_os("MOTCUA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("golden folder");
        std::fs::write(&path, text).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with MOTCUA_BLESS=1 and review it",
            path.display()
        )
    });
    assert_eq!(
        expected, text,
        "{name} changed; if the change is right, rerun with MOTCUA_BLESS=1 and commit the file"
    );
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn summary_of(area: &StudyArea, scenario: &Scenario) -> Value {
    let eval = area.evaluate(scenario).expect("evaluates");
    let s = &eval.report.summary;
    // The three statuses partition the study area's population.
    let parts = s.population_covered + s.population_uncovered + s.population_unknown;
    assert!((parts - s.population_total).abs() < 1e-6 * s.population_total.max(1.0));
    json!({
        "rule": scenario.rule,
        "mode": scenario.mode,
        "points": scenario.points.len(),
        "off_network_points": eval.off_network_points.len(),
        "cells": s.cells,
        "population_total": s.population_total.round(),
        "population_covered": s.population_covered.round(),
        "population_uncovered": s.population_uncovered.round(),
        "population_unknown": s.population_unknown.round(),
        "population_no_road_data": s.population_no_road_data.round(),
        "population_no_road_data_covered": s.population_no_road_data_covered.round(),
        "uncovered_by_time": s.uncovered_by_time.round(),
        "uncovered_by_radius": s.uncovered_by_radius.round(),
        "covered_share": round(s.covered_share, 4),
        "covered_share_of_decided": round(s.covered_share_of_decided, 4),
        "mean_travel_min": round(s.mean_travel_s / 60.0, 1),
        "p95_travel_min": round(s.p95_travel_s / 60.0, 1),
        "worst_wards": eval.report.wards.iter().take(5).map(|w| json!({
            "name": w.name,
            "covered_share": round(w.covered_share, 3),
            "uncovered": w.uncovered.round(),
            "unknown": w.unknown.round(),
            "no_road_data": w.no_road_data.round(),
            "cut_by_extent": w.cut_by_extent,
        })).collect::<Vec<_>>(),
    })
}

fn open(name: &str) -> StudyArea {
    StudyArea::open(
        name,
        &AreaOptions {
            cache_dir: None,
            ..AreaOptions::default()
        },
    )
    .expect("embedded area opens")
}

fn golden_area(name: &str, citizen: (f64, f64)) {
    let area = open(name);
    let baseline = area.baseline();
    let strict = Scenario {
        rule: RuleSpec {
            combine: Combine::And,
            radius_kind: RadiusKind::Network,
            ..RuleSpec::default()
        },
        ..baseline.clone()
    };
    let walking = Scenario {
        mode: TravelMode::Walk,
        ..baseline.clone()
    };
    let head_offices_only = Scenario {
        points: baseline
            .points
            .iter()
            .filter(|p| p.kind == motcua::scenario::PointKind::HeadOffice)
            .cloned()
            .collect(),
        ..baseline.clone()
    };
    let nearest = area
        .nearest(
            &motcua::scenario::NearestRequest {
                lon: citizen.0,
                lat: citizen.1,
                mode: TravelMode::Motorbike,
                k: 3,
                when: None,
                open_first: false,
            },
            area.points(),
        )
        .expect("citizen inside the area");
    check(
        name,
        json!({
            "area": area.meta().name,
            "roads_vintage": area.meta().roads_vintage,
            "scope": area.meta().scope,
            "population_outside_extent": area.meta().population_outside_extent.round(),
            "baseline_or_straight": summary_of(&area, &baseline),
            "strict_and_network": summary_of(&area, &strict),
            "walking": summary_of(&area, &walking),
            "head_offices_only": summary_of(&area, &head_offices_only),
            "nearest_from": [citizen.0, citizen.1],
            "nearest": nearest.results.iter().map(|r| json!({
                "id": r.point.id,
                "travel_min": round(r.travel_s / 60.0, 1),
                "distance_km": round(r.distance_m / 1000.0, 2),
                "route_points": r.route.len() > 2,
            })).collect::<Vec<_>>(),
        }),
    );
}

#[test]
fn hanoi_urban_golden() {
    // Hoàn Kiếm lake, north shore.
    golden_area("hanoi-urban", (105.8525, 21.0300));
}

#[test]
fn hanoi_central_golden() {
    // Cầu Giấy, near the park.
    golden_area("hanoi-central", (105.7960, 21.0300));
}

/// The whole city: every resident of the 2019 grid, and each of the Decision's networks.
#[test]
fn hanoi_golden() {
    let area = open("hanoi");
    let meta = area.meta();
    assert_eq!(meta.population_in_study_area.round(), 8_053_663.0);
    assert_eq!(meta.population_outside_extent, 0.0);
    let data_dir = AreaOptions::default().data_dir;
    let baseline = area.baseline();
    let mut sets = serde_json::Map::new();
    for set in ["communes-2025", "branches-2025", "desks-2024"] {
        let points = motcua::scenario::load_point_set(&data_dir, set).expect("shipped set");
        let scenario = Scenario {
            points,
            ..baseline.clone()
        };
        sets.insert(set.to_string(), summary_of(&area, &scenario));
    }
    let strict = Scenario {
        rule: RuleSpec {
            combine: Combine::And,
            ..RuleSpec::default()
        },
        ..baseline.clone()
    };
    let phases: Vec<Value> = area
        .compare_phases(TravelMode::Motorbike, RuleSpec::default())
        .expect("phases evaluate")
        .iter()
        .map(|p| {
            json!({
                "phase": p.phase.key,
                "points": p.points,
                "covered": p.summary.population_covered.round(),
                "uncovered": p.summary.population_uncovered.round(),
                "unknown": p.summary.population_unknown.round(),
            })
        })
        .collect();
    check(
        "hanoi",
        json!({
            "area": meta.name,
            "scope": meta.scope,
            "points_source": meta.points_source,
            "point_sets": sets,
            "communes_and": summary_of(&area, &strict),
            "phases": phases,
        }),
    );
}

#[test]
fn pairs_no_nearer_than_an_existing_point_change_no_plan() {
    let area = open("hanoi-central");
    let t = 30.0 * 60.0;
    let and_rule = Scenario {
        rule: RuleSpec {
            combine: Combine::And,
            ..RuleSpec::default()
        },
        ..area.baseline()
    };
    let options = SolveOptions {
        solver: Solver::Heuristic,
        ..SolveOptions::default()
    };
    let cases = [
        (&and_rule, t, true, Model::Mclp { p: 5, radius: t }),
        (
            &and_rule,
            2.0 * t,
            false,
            Model::PMedian {
                p: 5,
                unassigned_cost: Some(2.0 * t),
            },
        ),
        (&and_rule, 2.0 * t, false, Model::PCenter { p: 5 }),
    ];
    for (scenario, cutoff, coverage, model) in cases {
        let build = |full: bool| {
            area.placement()
                .problem(
                    scenario,
                    &MatrixSpec {
                        capacitated: full,
                        ..MatrixSpec::new(
                            cutoff,
                            coverage,
                            Candidates::Cells(h3o::Resolution::Nine),
                        )
                    },
                    &|_, _| {},
                )
                .expect("matrix builds")
        };
        let (pruned, full) = (build(false), build(true));
        assert!(pruned.problem.n_pairs() < full.problem.n_pairs());
        let a = solve(&pruned.problem, &model, &options, &Control::none()).unwrap();
        let b = solve(&full.problem, &model, &options, &Control::none()).unwrap();
        assert_eq!(a.selected, b.selected, "{model:?}");
        assert!(
            (a.objective - b.objective).abs() <= 1e-9 * b.objective.abs().max(1.0),
            "{model:?}: {} vs {}",
            a.objective,
            b.objective
        );
        assert_eq!(a.covered_weight, b.covered_weight, "{model:?}");
    }
}
