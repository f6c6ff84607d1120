//! Placement on the embedded Hanoi data (hanoi-urban, motorbike, the current points fixed):
//! building the travel-time matrix for every populated cell as demand with candidates at
//! H3 resolution 9 (every populated cell) and 8 (one per ~0.7 km²), then MCLP and p-median
//! with p = 5, 10, 30 by the heuristic. Before the timed runs it prints, once per case, the
//! heuristic's objective against the best bound known (CBC's or the Lagrangian one) and the
//! gap, so a run of the bench reports quality beside speed.
//!
//! `placement_p30_hanoi_urban_r9` times the whole question as `motcua optimise` asks it, 30
//! new points with every res-9 cell a candidate, matrix and solve together: MCLP under the
//! AND and the OR rule (30-minute matrix), p-median over a 60-minute matrix. The contraction
//! hierarchy the matrices run on is built once per area and process; its build time is
//! printed first.
//!
//! Run: `cargo bench --features cbc --bench placement`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use h3o::Resolution;
use motcua::coverage::Combine;
use motcua::optimise::{Control, Model, SolveOptions, Solver, solve};
use motcua::scenario::{AreaOptions, Candidates, MatrixSpec, RuleSpec, Scenario, StudyArea};

fn scenario(area: &StudyArea) -> Scenario {
    // The AND rule leaves people to cover in urban Hanoi (under OR everyone with road data is
    // already covered, and MCLP would have nothing to do).
    Scenario {
        rule: RuleSpec {
            combine: Combine::And,
            ..RuleSpec::default()
        },
        ..area.baseline()
    }
}

/// The embedded area, without a graph cache so that every run builds the same way.
fn hanoi_urban() -> StudyArea {
    StudyArea::open(
        "hanoi-urban",
        &AreaOptions {
            cache_dir: None,
            ..AreaOptions::default()
        },
    )
    .expect("embedded area opens")
}

fn placement(c: &mut Criterion) {
    let area = hanoi_urban();
    let s = scenario(&area);
    let t = s.rule.max_minutes * 60.0;
    let quiet = |_: f64, _: &str| {};

    let mut group = c.benchmark_group("placement_matrix_hanoi_urban");
    group.sample_size(10);
    for res in [Resolution::Nine, Resolution::Eight] {
        let candidates = Candidates::Cells(res);
        let pp = area
            .placement()
            .problem(&s, &MatrixSpec::new(t, true, candidates.clone()), &quiet)
            .expect("matrix builds");
        println!(
            "matrix r{}: {} demand cells x {} candidates, {} pairs within {} min",
            u8::from(res),
            pp.problem.n_demand(),
            pp.problem.n_candidates(),
            pp.problem.n_pairs(),
            s.rule.max_minutes
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("r{}", u8::from(res))),
            &candidates,
            |b, cands| {
                b.iter(|| {
                    let pp = area
                        .placement()
                        .problem(&s, &MatrixSpec::new(t, true, cands.clone()), &quiet)
                        .expect("matrix builds");
                    assert!(pp.problem.n_pairs() > 0);
                    pp.problem.n_candidates()
                })
            },
        );
    }
    group.finish();

    let pp = area
        .placement()
        .problem(
            &s,
            &MatrixSpec::new(t, true, Candidates::Cells(Resolution::Nine)),
            &quiet,
        )
        .expect("matrix builds");
    let problem = &pp.problem;
    let heuristic = SolveOptions {
        solver: Solver::Heuristic,
        ..SolveOptions::default()
    };
    let auto = SolveOptions {
        solver: Solver::Auto,
        time_limit_s: 60.0,
        ..SolveOptions::default()
    };
    let mut group = c.benchmark_group("placement_solve_hanoi_urban_r9");
    group.sample_size(10);
    for p in [5usize, 10, 30] {
        for (name, model) in [
            ("mclp", Model::Mclp { p, radius: t }),
            (
                "pmedian",
                Model::PMedian {
                    p,
                    unassigned_cost: Some(2.0 * t),
                },
            ),
        ] {
            let started = Instant::now();
            let h = solve(problem, &model, &heuristic, &Control::none()).expect("heuristic solves");
            let h_s = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let best = solve(problem, &model, &auto, &Control::none()).expect("auto solves");
            let a_s = started.elapsed().as_secs_f64();
            let gap = best
                .bound
                .map(|b| (h.objective - b).abs() / h.objective.abs().max(1e-9));
            println!(
                "{name} p={p}: heuristic {:.0} in {h_s:.2} s; auto ({:?}) {:.0} in {a_s:.1} s, bound {:?}, heuristic gap to bound {}",
                h.objective,
                best.solver,
                best.objective,
                best.bound.map(|b| b.round()),
                gap.map_or("unknown".to_string(), |g| format!("{:.3} %", g * 100.0)),
            );
            group.bench_with_input(BenchmarkId::new(name, p), &model, |b, m| {
                b.iter(|| {
                    let sol =
                        solve(problem, black_box(m), &heuristic, &Control::none()).expect("solves");
                    assert!(sol.selected.len() <= problem.fixed().len() + p);
                    sol.objective
                })
            });
        }
    }
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    let area = hanoi_urban();
    let network = area
        .network(area.baseline().mode)
        .expect("the motorbike network builds");
    let started = Instant::now();
    network.cells.hierarchy();
    println!(
        "contraction hierarchy: built in {:.3} s (once per area and process)",
        started.elapsed().as_secs_f64()
    );
    let quiet = |_: f64, _: &str| {};
    let candidates = Candidates::Cells(Resolution::Nine);
    let heuristic = SolveOptions {
        solver: Solver::Heuristic,
        ..SolveOptions::default()
    };
    let with_rule = |combine: Combine| Scenario {
        rule: RuleSpec {
            combine,
            ..RuleSpec::default()
        },
        ..area.baseline()
    };
    let t = area.baseline().rule.max_minutes * 60.0;
    // (name, scenario, matrix cut-off, coverage semantics, model), as `motcua optimise`.
    let cases = [
        (
            "mclp_and",
            with_rule(Combine::And),
            t,
            true,
            Model::Mclp { p: 30, radius: t },
        ),
        (
            "mclp_or",
            with_rule(Combine::Or),
            t,
            true,
            Model::Mclp { p: 30, radius: t },
        ),
        (
            "pmedian",
            area.baseline(),
            2.0 * t,
            false,
            Model::PMedian {
                p: 30,
                unassigned_cost: Some(2.0 * t),
            },
        ),
    ];
    let mut group = c.benchmark_group("placement_p30_hanoi_urban_r9");
    group.sample_size(10);
    for (name, scenario, cutoff, coverage, model) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let pp = area
                    .placement()
                    .problem(
                        scenario,
                        &MatrixSpec::new(*cutoff, *coverage, candidates.clone()),
                        &quiet,
                    )
                    .expect("matrix builds");
                solve(&pp.problem, model, &heuristic, &Control::none())
                    .expect("solves")
                    .objective
            })
        });
    }
    group.finish();
}

criterion_group!(benches, end_to_end, placement);
criterion_main!(benches);
