//! Placement on the embedded Hanoi data (hanoi-urban, motorbike, the current points fixed):
//! building the travel-time matrix for every populated cell as demand with candidates at
//! H3 resolution 9 (every populated cell) and 8 (one per ~0.7 km²), then MCLP and p-median
//! with p = 5, 10, 30 by the heuristic. Before the timed runs it prints, once per case, the
//! heuristic's objective against the best bound known (CBC's or the Lagrangian one) and the
//! gap, so a run of the bench reports quality beside speed.
//!
//! Run: `cargo bench --features cbc --bench placement`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use h3o::Resolution;
use motcua::coverage::Combine;
use motcua::optimise::{Control, Model, SolveOptions, Solver, solve};
use motcua::scenario::{AreaOptions, Candidates, RuleSpec, Scenario, StudyArea};

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

fn placement(c: &mut Criterion) {
    let area = StudyArea::open(
        "hanoi-urban",
        &AreaOptions {
            cache_dir: None,
            ..AreaOptions::default()
        },
    )
    .expect("embedded area opens");
    let s = scenario(&area);
    let t = s.rule.max_minutes * 60.0;
    let quiet = |_: f64, _: &str| {};

    let mut group = c.benchmark_group("placement_matrix_hanoi_urban");
    group.sample_size(10);
    for res in [Resolution::Nine, Resolution::Eight] {
        let candidates = Candidates::Cells(res);
        let pp = area
            .placement_problem(&s, t, true, false, &candidates, &quiet)
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
                        .placement_problem(&s, t, true, false, cands, &quiet)
                        .expect("matrix builds");
                    assert!(pp.problem.n_pairs() > 0);
                    pp.problem.n_candidates()
                })
            },
        );
    }
    group.finish();

    let pp = area
        .placement_problem(
            &s,
            t,
            true,
            false,
            &Candidates::Cells(Resolution::Nine),
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

criterion_group!(benches, placement);
criterion_main!(benches);
