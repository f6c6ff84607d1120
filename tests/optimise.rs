//! Tests of the placement optimiser: hand-written instances with known answers, the brute-force
//! oracle against the heuristic and the MIP on random instances, requirements (fixed sites,
//! coverage, capacities, group shares, nesting) and error messages.
// Most cases compare the heuristic with the exact MIP, which needs the `cbc` feature
// (scripts/test.sh builds with it).
#![cfg(feature = "cbc")]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use motcua::optimise::io::{MatrixRunArgs, solve_from_files};
use motcua::optimise::{
    CandidateIndex, Consolidation, Control, CoverageTarget, DemandGroups, DemandIndex, Fairness,
    GroupIndex, Model, ModelKind, OptimiseError, Problem, ProblemSpec, SolveOptions, Solver,
    SolverUsed, consolidate, lagrangian_bound, plan_phases, solve, solve_brute_force,
};
use proptest::prelude::*;

/// Short MIP limit so the suite stays fast.
const TIME_LIMIT_S: f64 = 5.0;

fn options(solver: Solver) -> SolveOptions {
    SolveOptions {
        solver,
        time_limit_s: TIME_LIMIT_S,
        ..SolveOptions::default()
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/optimise")
}

/// A line of five demand points 0..4 at 100 s spacing, candidates at each point; travel costs
/// 100 s per step, cut off beyond 300 s.
///
/// ```text
/// d0 -- d1 -- d2 -- d3 -- d4      weights 10, 1, 1, 1, 10
/// c0    c1    c2    c3    c4
/// ```
fn line_problem(fixed: &[usize]) -> Problem {
    let weights = [10.0, 1.0, 1.0, 1.0, 10.0];
    let costs: Vec<Vec<Option<f64>>> = (0..5)
        .map(|j: i32| {
            (0..5)
                .map(|i: i32| {
                    let d = ((j - i).abs() * 100) as f64;
                    (d <= 300.0).then_some(d)
                })
                .collect()
        })
        .collect();
    Problem::from_dense(&weights, &costs, fixed).expect("valid line problem")
}

#[test]
fn mclp_two_sites_cover_the_whole_line() {
    let p = line_problem(&[]);
    for solver in [Solver::Heuristic, Solver::Exact, Solver::Auto] {
        let s = solve(
            &p,
            &Model::Mclp {
                p: 2,
                radius: 100.0,
            },
            &options(solver),
            &Control::none(),
        )
        .unwrap();
        assert_eq!(s.objective, 23.0, "{solver:?}");
        assert_eq!(s.covered_weight, s.total_weight);
        assert_eq!(s.selected.len(), 2);
    }
}

#[test]
fn mclp_one_site_at_radius_one_step_covers_three_points() {
    let p = line_problem(&[]);
    let s = solve(
        &p,
        &Model::Mclp {
            p: 1,
            radius: 100.0,
        },
        &options(Solver::Heuristic),
        &Control::none(),
    )
    .unwrap();
    // c1 covers d0, d1, d2 = 12; c3 covers d2, d3, d4 = 12; lower index wins.
    assert_eq!(s.objective, 12.0);
    assert_eq!(s.selected_ids, vec!["c1"]);
    assert_eq!(s.sites[0].marginal_weight, 12.0);
}

#[test]
fn pmedian_and_pcenter_on_the_line() {
    let p = line_problem(&[]);
    let s = solve(
        &p,
        &Model::PMedian {
            p: 2,
            unassigned_cost: None,
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap();
    // Sites at both ends: d1 and d3 cost 100 each, d2 costs 200 → 400.
    assert_eq!(s.objective, 400.0);
    assert!(s.proven_optimal);
    assert_eq!(s.gap, Some(0.0));
    let c = solve(
        &p,
        &Model::PCenter { p: 1 },
        &options(Solver::Exact),
        &Control::none(),
    )
    .unwrap();
    assert_eq!(c.objective, 200.0);
    assert_eq!(c.selected_ids, vec!["c2"]);
    let h = solve(
        &p,
        &Model::PCenter { p: 1 },
        &options(Solver::Heuristic),
        &Control::none(),
    )
    .unwrap();
    assert_eq!(h.objective, 200.0);
}

#[test]
fn lagrangian_bounds_are_tight_on_the_line() {
    let p = line_problem(&[]);
    let median = Model::PMedian {
        p: 2,
        unassigned_cost: None,
    };
    let b = lagrangian_bound(&p, &median, 400.0, 1.0).unwrap().unwrap();
    assert!((360.0..=400.0).contains(&b), "p-median bound {b}");
    let cover = Model::Mclp {
        p: 1,
        radius: 100.0,
    };
    let b = lagrangian_bound(&p, &cover, 12.0, 1.0).unwrap().unwrap();
    assert!((12.0..=13.2).contains(&b), "MCLP bound {b}");
    assert_eq!(
        lagrangian_bound(&p, &Model::PCenter { p: 1 }, 0.0, 1.0).unwrap(),
        None
    );
}

#[test]
fn lscp_covers_everything_with_two_sites() {
    let p = line_problem(&[]);
    let model = Model::Lscp {
        radius: 100.0,
        target: CoverageTarget::AllDemand,
    };
    for solver in [Solver::Heuristic, Solver::Exact] {
        let s = solve(&p, &model, &options(solver), &Control::none()).unwrap();
        assert_eq!(s.objective, 2.0, "{solver:?}");
        assert_eq!(s.covered_weight, s.total_weight);
    }
}

#[test]
fn fixed_sites_stay_and_count_on_top_of_p() {
    let p = line_problem(&[2]);
    let s = solve(
        &p,
        &Model::Mclp {
            p: 2,
            radius: 100.0,
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap();
    assert_eq!(s.selected.len(), 3);
    assert!(s.selected.contains(&CandidateIndex(2)));
    assert!(s.sites.iter().any(|site| site.fixed && site.id == "c2"));
    assert_eq!(s.covered_weight, 23.0);
}

#[test]
fn capacities_hold_in_heuristic_and_exact() {
    // Two heavy points share one cheap site with capacity 10; the other site is far.
    let p = Problem::from_dense(
        &[8.0, 8.0, 4.0],
        &[
            vec![Some(10.0), Some(50.0), None],
            vec![Some(10.0), None, Some(40.0)],
            vec![Some(20.0), Some(30.0), Some(30.0)],
        ],
        &[],
    )
    .unwrap()
    .with_capacities(vec![10.0, 10.0, 10.0])
    .unwrap();
    let caps = [10.0, 10.0, 10.0];
    for model in [
        Model::Mclp { p: 2, radius: 45.0 },
        Model::PMedian {
            p: 2,
            unassigned_cost: Some(1000.0),
        },
    ] {
        let mut results = Vec::new();
        for solver in [Solver::Heuristic, Solver::Exact] {
            let opts = SolveOptions {
                capacitated: true,
                ..options(solver)
            };
            let s = solve(&p, &model, &opts, &Control::none()).unwrap();
            for site in &s.sites {
                assert!(
                    site.served_weight <= caps[site.candidate.index()] + 1e-6,
                    "{model:?} {solver:?}: {site:?}"
                );
            }
            results.push(s);
        }
        let (h, e) = (&results[0], &results[1]);
        if model.kind().maximises() {
            assert!(h.objective <= e.objective + 1e-6);
        } else {
            assert!(h.objective >= e.objective - 1e-6);
        }
    }
}

fn grouped_problem() -> Problem {
    // Group "north" (d0, d1) is big and near c0; group "south" (d2, d3) is small and near c1;
    // c2 reaches half of the north and all of the south.
    Problem::from_dense(
        &[100.0, 100.0, 10.0, 10.0],
        &[
            vec![Some(5.0), None, Some(5.0)],
            vec![Some(5.0), None, None],
            vec![None, Some(5.0), Some(5.0)],
            vec![Some(50.0), Some(5.0), Some(5.0)],
        ],
        &[],
    )
    .unwrap()
    .with_groups(DemandGroups {
        names: vec!["north".into(), "south".into()],
        of_demand: vec![GroupIndex(0), GroupIndex(0), GroupIndex(1), GroupIndex(1)],
    })
    .unwrap()
}

#[test]
fn group_shares_hold_or_fail_clearly() {
    let p = grouped_problem();
    let model = Model::Mclp { p: 1, radius: 10.0 };
    // Without fairness c0 wins (200 against 120 and 20).
    let plain = solve(&p, &model, &options(Solver::Heuristic), &Control::none()).unwrap();
    assert_eq!(plain.selected_ids, vec!["c0"]);
    for fairness in [Fairness::MinGroupShare(0.5), Fairness::MaximiseWorstGroup] {
        for solver in [Solver::Heuristic, Solver::Exact] {
            let opts = SolveOptions {
                fairness: Some(fairness),
                ..options(solver)
            };
            let s = solve(&p, &model, &opts, &Control::none()).unwrap();
            assert_eq!(s.selected_ids, vec!["c2"], "{fairness:?} {solver:?}");
            assert!(s.group_shares.iter().all(|g| g.share >= 0.5 - 1e-9));
            let b = solve_brute_force(&p, &model, &opts).unwrap();
            assert_eq!(b.selected_ids, s.selected_ids);
        }
    }
    // Both groups at 90 % cannot be had with one site.
    let opts = SolveOptions {
        fairness: Some(Fairness::MinGroupShare(0.9)),
        ..options(Solver::Heuristic)
    };
    let err = solve(&p, &model, &opts, &Control::none()).unwrap_err();
    assert!(
        matches!(err, OptimiseError::GroupShareNotReached { .. }),
        "{err}"
    );
    let err = solve(
        &p,
        &model,
        &SolveOptions {
            solver: Solver::Exact,
            ..opts
        },
        &Control::none(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no feasible solution"), "{err}");
}

#[test]
fn nested_phases_contain_earlier_phases() {
    let p = random_problem(7, 40, 15, 0.4);
    let plan = plan_phases(
        &p,
        &Model::Mclp {
            p: 0,
            radius: 600.0,
        },
        &[2, 4, 7],
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap();
    assert_eq!(plan.phases.len(), 3);
    for w in plan.phases.windows(2) {
        for c in &w[0].solution.selected {
            assert!(w[1].solution.selected.contains(c));
        }
        assert!(w[1].solution.objective >= w[0].solution.objective - 1e-9);
    }
    for phase in &plan.phases {
        assert_eq!(phase.solution.selected.len(), phase.new_sites);
        assert!(phase.price_of_nesting >= 0.0);
        assert!(phase.unconstrained.objective >= phase.solution.objective - 1e-9);
    }
    assert_eq!(plan.curve().len(), 3);
    let err = plan_phases(
        &p,
        &Model::Mclp { p: 0, radius: 1.0 },
        &[5, 3],
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("strictly increasing"), "{err}");
}

#[test]
fn consolidation_keeps_coverage_with_fewer_sites() {
    let p = line_problem(&[]);
    let existing: Vec<String> = ["c0", "c1", "c3", "c4"].map(String::from).to_vec();
    let s = consolidate(
        &p,
        &existing,
        100.0,
        Consolidation::KeepCoverage,
        &options(Solver::Exact),
        &Control::none(),
    )
    .unwrap();
    // All four cover 23 within 100 s; two of them do too (c1 + c3, for instance).
    assert_eq!(s.covered_weight, 23.0);
    assert_eq!(s.selected.len(), 2);
    assert_eq!(s.objective, 2.0);
    let keep_one = consolidate(
        &p,
        &existing,
        100.0,
        Consolidation::Keep(1),
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap();
    assert_eq!(keep_one.selected.len(), 1);
    assert_eq!(keep_one.covered_weight, 12.0);
    // A fixed head office is always kept.
    let with_head = line_problem(&[2]);
    let s = consolidate(
        &with_head,
        &existing,
        100.0,
        Consolidation::Keep(2),
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap();
    assert!(s.selected_ids.contains(&"c2".to_string()));
    assert_eq!(s.selected.len(), 2);
}

#[test]
fn progress_and_cancellation() {
    let p = random_problem(3, 60, 30, 0.3);
    let calls = std::sync::Mutex::new(Vec::new());
    let progress = |f: f64, m: &str| calls.lock().unwrap().push((f, m.to_string()));
    let control = Control {
        progress: Some(&progress),
        cancel: None,
    };
    solve(
        &p,
        &Model::Mclp {
            p: 5,
            radius: 500.0,
        },
        &options(Solver::Heuristic),
        &control,
    )
    .unwrap();
    let calls = calls.into_inner().unwrap();
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|(f, _)| (0.0..=1.0).contains(f)));
    let cancel = AtomicBool::new(true);
    let control = Control {
        progress: None,
        cancel: Some(&cancel),
    };
    let err = solve(
        &p,
        &Model::Mclp {
            p: 5,
            radius: 500.0,
        },
        &options(Solver::Auto),
        &control,
    )
    .unwrap_err();
    assert!(matches!(err, OptimiseError::Cancelled));
}

#[test]
fn same_seed_same_answer() {
    let p = random_problem(11, 80, 30, 0.3);
    let opts = SolveOptions {
        restarts: 3,
        seed: 42,
        ..options(Solver::Heuristic)
    };
    let model = Model::PMedian {
        p: 6,
        unassigned_cost: Some(5000.0),
    };
    let a = solve(&p, &model, &opts, &Control::none()).unwrap();
    let b = solve(&p, &model, &opts, &Control::none()).unwrap();
    assert_eq!(a.selected, b.selected);
    assert_eq!(a.solver, SolverUsed::Heuristic);
}

/// Objective of `open` computed straight from the rows: covered weight (MCLP) or weighted
/// cost with `penalty` for unassigned weight (p-median).
fn direct_objective(problem: &Problem, open: &[bool], model: &Model) -> f64 {
    let mut total = 0.0;
    for (j, &w) in problem.weights().iter().enumerate() {
        let (cands, costs) = problem.row(motcua::optimise::DemandIndex(j as u32));
        let nearest = cands.iter().position(|c| open[c.index()]).map(|k| costs[k]);
        total += match (*model, nearest) {
            (Model::Mclp { radius, .. }, Some(c)) if c <= radius => w,
            (Model::Mclp { .. }, _) => 0.0,
            (Model::PMedian { .. }, Some(c)) => w * c,
            (
                Model::PMedian {
                    unassigned_cost, ..
                },
                None,
            ) => w * unassigned_cost.unwrap_or(0.0),
            _ => unreachable!("only MCLP and p-median here"),
        };
    }
    total
}

#[test]
fn heuristic_plans_admit_no_improving_swap() {
    let problem = random_problem(5, 150, 40, 0.4);
    for model in [
        Model::Mclp {
            p: 6,
            radius: 350.0,
        },
        Model::PMedian {
            p: 6,
            unassigned_cost: Some(2000.0),
        },
    ] {
        let s = solve(
            &problem,
            &model,
            &options(Solver::Heuristic),
            &Control::none(),
        )
        .unwrap();
        let mut open = vec![false; problem.n_candidates()];
        for c in &s.selected {
            open[c.index()] = true;
        }
        let here = direct_objective(&problem, &open, &model);
        assert!(
            (here - s.objective).abs() < 1e-6,
            "{here} vs {}",
            s.objective
        );
        for c_in in 0..open.len() {
            for c_out in 0..open.len() {
                if open[c_in] || !open[c_out] {
                    continue;
                }
                open[c_in] = true;
                open[c_out] = false;
                let there = direct_objective(&problem, &open, &model);
                open[c_in] = false;
                open[c_out] = true;
                if model.kind().maximises() {
                    assert!(
                        there <= here + 1e-6,
                        "swap {c_out} -> {c_in} improves {model:?}"
                    );
                } else {
                    assert!(
                        there >= here - 1e-6,
                        "swap {c_out} -> {c_in} improves {model:?}"
                    );
                }
            }
        }
    }
}

// ---- errors -------------------------------------------------------------------------------

#[test]
fn clear_errors_for_bad_requests() {
    let p = line_problem(&[0]);
    let err = solve(
        &p,
        &Model::Mclp {
            p: 5,
            radius: 100.0,
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "asked for 5 new sites but only 4 candidates are not already fixed (1 fixed); lower the number of facilities"
    );
    let err = solve(
        &p,
        &Model::Mclp {
            p: 1,
            radius: f64::NAN,
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("coverage radius NaN is invalid"),
        "{err}"
    );
    let far = Problem::from_dense(&[1.0, 2.0], &[vec![Some(10.0)], vec![None]], &[]).unwrap();
    let err = solve(
        &far,
        &Model::Lscp {
            radius: 50.0,
            target: CoverageTarget::AllDemand,
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "demand \"d1\" has no candidate site within 50, so it cannot be covered; raise the radius, add a candidate or ask for a share of the weight"
    );
    let err = solve(
        &far,
        &Model::Lscp {
            radius: 50.0,
            target: CoverageTarget::WeightShare(0.5),
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("covers only 1"), "{err}");
    let err = solve(
        &far,
        &Model::PMedian {
            p: 1,
            unassigned_cost: None,
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("demand \"d1\" (weight 2) reaches no candidate"),
        "{err}"
    );
    // With an unassigned cost the same request is fine.
    let s = solve(
        &far,
        &Model::PMedian {
            p: 1,
            unassigned_cost: Some(100.0),
        },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap();
    assert_eq!(s.objective, 10.0 + 200.0);
    let err = solve(
        &far,
        &Model::PCenter { p: 1 },
        &options(Solver::Auto),
        &Control::none(),
    )
    .unwrap_err();
    assert!(matches!(err, OptimiseError::UnreachableDemand { .. }));
    let opts = SolveOptions {
        capacitated: true,
        ..options(Solver::Auto)
    };
    let err = solve(
        &p,
        &Model::Mclp { p: 1, radius: 1.0 },
        &opts,
        &Control::none(),
    )
    .unwrap_err();
    assert!(matches!(err, OptimiseError::CapacitiesMissing));
}

#[test]
fn clear_errors_for_bad_problems() {
    let err = Problem::from_dense(&[], &[], &[]).unwrap_err();
    assert!(matches!(err, OptimiseError::EmptyDemand), "{err}");
    let err = Problem::from_dense(&[-1.0], &[vec![Some(1.0)]], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "demand \"d0\" has weight -1; weights must be finite and >= 0"
    );
    let err = Problem::from_dense(&[1.0], &[vec![Some(f64::NAN)]], &[]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cost from demand \"d0\" to candidate \"c0\" is NaN"),
        "{err}"
    );
    let err = Problem::from_dense(&[1.0], &[vec![Some(1.0)]], &[3]).unwrap_err();
    assert!(
        matches!(err, OptimiseError::IndexOutOfRange { .. }),
        "{err}"
    );
    let p = line_problem(&[]);
    let err = p.with_fixed(vec!["nowhere".into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "candidate id \"nowhere\" is not among the candidate sites"
    );
    let mut spec = p.to_spec();
    spec.demand_ids[1] = "d0".into();
    let err = Problem::new(spec).unwrap_err();
    assert_eq!(
        err.to_string(),
        "demand id \"d0\" appears more than once; demand ids must be unique"
    );
    let mut spec = p.to_spec();
    let first = spec.costs[0];
    spec.costs.push(first);
    let err = Problem::new(spec).unwrap_err();
    assert!(matches!(err, OptimiseError::DuplicatePair { .. }), "{err}");
}

// ---- files ----------------------------------------------------------------------------------

#[test]
fn solve_from_fixture_files() {
    let dir = fixtures();
    let mut args = MatrixRunArgs::new(
        dir.join("costs.csv"),
        dir.join("demand.csv"),
        ModelKind::Mclp,
    );
    args.facilities = Some(1);
    args.radius = Some(1000.0);
    args.time_limit_s = TIME_LIMIT_S;
    let report = solve_from_files(&args).unwrap();
    // Candidates come from the matrix: ward_office covers cell_a (1200), school covers cell_b
    // (800) and cell_e (0), market covers cell_c (300).
    assert_eq!(report.selected, vec!["ward_office"]);
    assert_eq!(report.covered_weight, 1200.0);
    assert_eq!(report.total_weight, 2350.0);
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "model",
        "selected",
        "objective",
        "covered_weight",
        "total_weight",
        "mean_cost",
        "max_cost",
        "bound",
        "gap",
        "solve_s",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["model"], "mclp");

    // p-median with fixed school and capacities from the candidates file.
    args.model = ModelKind::PMedian;
    args.candidates_file = Some(dir.join("candidates.csv"));
    args.fixed = vec!["school".into()];
    args.unassigned_cost = Some(10_000.0);
    // --facilities counts every open site, the fixed school included (as spopt and ArcGIS).
    args.facilities = Some(2);
    let report = solve_from_files(&args).unwrap();
    assert!(report.selected.contains(&"school".to_string()));
    assert_eq!(report.selected.len(), 2);
    assert_eq!((report.open_sites, report.new_sites), (2, 1));
    assert_eq!(json["selected"][0], "ward_office");
    // --add counts the new ones only: the same plan.
    args.facilities = None;
    args.add = Some(1);
    assert_eq!(solve_from_files(&args).unwrap().selected, report.selected);
    // Fewer open sites than fixed ones is a question with no answer, said so.
    args.add = None;
    args.facilities = Some(0);
    let err = solve_from_files(&args).unwrap_err();
    assert_eq!(
        err.to_string(),
        "facilities = 0 counts every open site, but 1 are already fixed open; give at least 1 (or add = K for K new sites)"
    );
    args.facilities = Some(2);
    args.add = Some(1);
    assert!(matches!(
        solve_from_files(&args),
        Err(OptimiseError::BothCounts { .. })
    ));
}

#[test]
fn file_errors_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let costs = dir.path().join("costs.csv");
    let demand = dir.path().join("demand.csv");
    std::fs::write(&demand, "demand_id,weight\na,1\nb,lots\n").unwrap();
    std::fs::write(&costs, "demand_id,candidate_id,cost\na,x,5\n").unwrap();
    let mut args = MatrixRunArgs::new(costs.clone(), demand.clone(), ModelKind::Mclp);
    args.facilities = Some(1);
    args.radius = Some(10.0);
    let err = solve_from_files(&args).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: field \"weight\": \"lots\" is not a number",
            demand.display()
        )
    );
    std::fs::write(&demand, "demand_id,weight\na,1\nb,2\n").unwrap();
    std::fs::write(&costs, "demand_id,candidate_id,cost\na,x,5\nzz,x,4\n").unwrap();
    let err = solve_from_files(&args).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}:3: field \"demand_id\": \"zz\" is not in",
            costs.display()
        )),
        "{err}"
    );
    std::fs::write(&costs, "demand,candidate_id,cost\na,x,5\n").unwrap();
    let err = solve_from_files(&args).unwrap_err();
    assert!(
        err.to_string().contains("missing column \"demand_id\""),
        "{err}"
    );
    std::fs::write(&costs, "demand_id,candidate_id,cost\na,x,-5\n").unwrap();
    let err = solve_from_files(&args).unwrap_err();
    assert!(
        err.to_string()
            .contains(":2: field \"cost\": -5 is invalid"),
        "{err}"
    );
    std::fs::write(&costs, "demand_id,candidate_id,cost\na,x,5\n").unwrap();
    args.radius = None;
    let err = solve_from_files(&args).unwrap_err();
    assert_eq!(
        err.to_string(),
        "model mclp needs a coverage radius in the matrix's cost unit"
    );
    let err = "median".parse::<ModelKind>().unwrap_err();
    assert!(err.to_string().contains("unknown model \"median\""));
}

// ---- the oracle -------------------------------------------------------------------------

/// Deterministic random instance: demand and candidates on a unit square (metres × 1000), cost
/// = distance in seconds at 10 m/s with a detour factor, pairs beyond the cut-off dropped.
fn random_problem(seed: u64, n_demand: usize, n_candidates: usize, cutoff_share: f64) -> Problem {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let demand: Vec<(f64, f64, f64)> = (0..n_demand)
        .map(|_| (next() * 1000.0, next() * 1000.0, (next() * 100.0).round()))
        .collect();
    let sites: Vec<(f64, f64)> = (0..n_candidates)
        .map(|_| (next() * 1000.0, next() * 1000.0))
        .collect();
    let cutoff = cutoff_share * 1414.0;
    let costs: Vec<Vec<Option<f64>>> = demand
        .iter()
        .map(|&(x, y, _)| {
            sites
                .iter()
                .map(|&(sx, sy)| {
                    let d = ((x - sx).powi(2) + (y - sy).powi(2)).sqrt();
                    (d <= cutoff).then_some((d * 1.3).round())
                })
                .collect()
        })
        .collect();
    let weights: Vec<f64> = demand.iter().map(|d| d.2).collect();
    Problem::from_dense(&weights, &costs, &[]).unwrap()
}

fn compare_with_oracle(problem: &Problem, model: &Model) -> Result<(), TestCaseError> {
    let oracle = solve_brute_force(problem, model, &options(Solver::Exact));
    let heuristic = solve(
        problem,
        model,
        &options(Solver::Heuristic),
        &Control::none(),
    );
    let exact = solve(problem, model, &options(Solver::Exact), &Control::none());
    match oracle {
        Err(_) => {
            prop_assert!(
                exact.is_err(),
                "exact found {:?} where brute force found none",
                exact
            );
            prop_assert!(heuristic.is_err());
        }
        Ok(o) => {
            let e = exact.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let tol = 1e-6 * (1.0 + o.objective.abs());
            prop_assert!(
                (e.objective - o.objective).abs() <= tol,
                "exact {} vs brute force {} for {:?}",
                e.objective,
                o.objective,
                model
            );
            if let Ok(h) = heuristic {
                if model.kind().maximises() {
                    prop_assert!(h.objective <= o.objective + tol);
                } else {
                    prop_assert!(h.objective >= o.objective - tol);
                }
                for c in problem.fixed() {
                    prop_assert!(h.selected.contains(c));
                }
            }
            for c in problem.fixed() {
                prop_assert!(e.selected.contains(c));
            }
            if let Some(b) = e.bound {
                if model.kind().maximises() {
                    prop_assert!(b >= o.objective - tol);
                } else {
                    prop_assert!(b <= o.objective + tol);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn pairs_in_any_order_give_the_same_problem(
        seed in 0u64..10_000,
        n_demand in 1usize..25,
        n_candidates in 1usize..=10,
        cutoff_share in 0.1f64..0.8,
    ) {
        // Listed by candidate then demand (a matrix built one candidate at a time) the list is
        // taken as the columns; in any other order it goes the general way.
        let spec = random_problem(seed, n_demand, n_candidates, cutoff_share).to_spec();
        let mut by_candidate = spec.costs.clone();
        by_candidate.sort_by_key(|e| (e.candidate, e.demand));
        let mut reversed = by_candidate.clone();
        reversed.reverse();
        let problems: Vec<Problem> = [by_candidate, reversed, spec.costs.clone()]
            .into_iter()
            .map(|costs| Problem::new(ProblemSpec { costs, ..spec.clone() }).unwrap())
            .collect();
        for other in &problems[1..] {
            for j in 0..problems[0].n_demand() {
                prop_assert_eq!(problems[0].row(DemandIndex(j as u32)), other.row(DemandIndex(j as u32)));
            }
            for i in 0..problems[0].n_candidates() {
                let i = CandidateIndex(i as u32);
                prop_assert_eq!(problems[0].column(i), other.column(i));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn solvers_agree_with_brute_force(
        seed in 0u64..10_000,
        n_demand in 1usize..25,
        n_candidates in 1usize..=10,
        cutoff_share in 0.1f64..0.8,
        p_share in 0.0f64..1.0,
        n_fixed in 0usize..3,
        radius_share in 0.05f64..0.6,
    ) {
        let base = random_problem(seed, n_demand, n_candidates, cutoff_share);
        let n_fixed = n_fixed.min(n_candidates.saturating_sub(1));
        let fixed: Vec<String> = (0..n_fixed).map(|i| format!("c{}", i * 3 % n_candidates)).collect();
        let problem = base.with_fixed(fixed).unwrap();
        let free = problem.n_candidates() - problem.fixed().len();
        let p = ((free as f64) * p_share).floor() as usize;
        let radius = (radius_share * 1414.0).round();
        compare_with_oracle(&problem, &Model::Mclp { p, radius })?;
        compare_with_oracle(&problem, &Model::PMedian { p, unassigned_cost: Some(3000.0) })?;
        compare_with_oracle(&problem, &Model::PMedian { p, unassigned_cost: None })?;
        compare_with_oracle(&problem, &Model::PCenter { p })?;
        compare_with_oracle(&problem, &Model::Lscp { radius, target: CoverageTarget::WeightShare(0.5) })?;
        compare_with_oracle(&problem, &Model::Lscp { radius, target: CoverageTarget::AllDemand })?;
    }

    #[test]
    fn lagrangian_bounds_are_valid(
        seed in 0u64..10_000,
        n_candidates in 2usize..=10,
        p_share in 0.0f64..1.0,
        radius_share in 0.05f64..0.6,
        fixed in proptest::bool::ANY,
    ) {
        let base = random_problem(seed, 30, n_candidates, 0.5);
        let problem = if fixed { base.with_fixed(vec!["c1".into()]).unwrap() } else { base };
        let free = problem.n_candidates() - problem.fixed().len();
        let p = ((free as f64) * p_share).floor() as usize;
        let radius = (radius_share * 1414.0).round();
        for model in [Model::Mclp { p, radius }, Model::PMedian { p, unassigned_cost: Some(2000.0) }] {
            let opt = solve_brute_force(&problem, &model, &options(Solver::Exact)).unwrap();
            let h = solve(&problem, &model, &options(Solver::Heuristic), &Control::none()).unwrap();
            let b = lagrangian_bound(&problem, &model, h.objective, 0.5).unwrap().unwrap();
            let tol = 1e-6 * (1.0 + opt.objective.abs());
            prop_assert!(b.is_finite());
            if model.kind().maximises() {
                prop_assert!(b >= opt.objective - tol, "bound {} below optimum {}", b, opt.objective);
            } else {
                prop_assert!(b <= opt.objective + tol, "bound {} above optimum {}", b, opt.objective);
            }
        }
    }

    #[test]
    fn lscp_covers_what_it_claims(seed in 0u64..10_000, radius_share in 0.1f64..0.6, share in 0.0f64..1.0) {
        let problem = random_problem(seed, 40, 30, 0.7);
        let radius = (radius_share * 1414.0).round();
        let model = Model::Lscp { radius, target: CoverageTarget::WeightShare(share) };
        if let Ok(s) = solve(&problem, &model, &options(Solver::Heuristic), &Control::none()) {
            prop_assert!(s.covered_weight >= share * s.total_weight * (1.0 - 1e-9) - 1e-9);
            prop_assert_eq!(s.objective as usize, s.selected.len());
        }
    }
}

#[test]
fn model_names_round_trip_and_say_their_kind() {
    for model in ModelKind::ALL {
        assert_eq!(model.name().parse::<ModelKind>().unwrap(), model);
        assert_eq!(
            serde_json::to_value(model).unwrap(),
            serde_json::json!(model.name())
        );
        assert_eq!(
            model.is_covering(),
            matches!(model, ModelKind::Mclp | ModelKind::Lscp)
        );
    }
    assert_eq!("P-Median".parse::<ModelKind>().unwrap(), ModelKind::PMedian);
}

#[test]
fn solver_faults_are_not_the_users() {
    let fault = OptimiseError::Solver {
        message: "CBC stopped".into(),
    };
    assert!(!fault.is_user_error());
    assert!(OptimiseError::InvalidRadius { radius: -1.0 }.is_user_error());
}
