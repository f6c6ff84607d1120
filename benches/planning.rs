//! The three city-wide planning questions of the Decision on the whole-city area `hanoi`
//! (motorbike, the default rule of 30 minutes or 5 km, res-8 candidates anywhere in the city),
//! each timed as `motcua optimise` asks it: the travel-time matrix and the solve together, the
//! road graph built once before the timed runs (as a running server holds it).
//!
//! - consolidation: the head office and the 30 branches fixed, the fewest of the 2024 desks
//!   that keep every decidable resident covered
//!   (`motcua optimise --consolidate --points-set branches-2025,desks-2024 --fixed-kind head_office,branch --solver heuristic`);
//! - LSCP: the fewest new flexible points that cover every decidable resident
//!   (`motcua optimise --model lscp --solver heuristic`);
//! - MCLP: the best 5 new points (`motcua optimise --model mclp --add 5 --solver heuristic`).
//!
//! Target: each answer within 5 s on the reference machine (2 cores). Before the timed runs the
//! bench prints each answer once (points, people covered before and after), so a run reports
//! what was answered beside how fast.
//!
//! Run: `cargo bench --features cbc --bench planning`.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use motcua::optimise::{ModelKind, Solver};
use motcua::scenario::{AreaOptions, PlacementRequest, Scenario, StudyArea, load_point_set};

fn questions(area: &StudyArea) -> Vec<(&'static str, Scenario, PlacementRequest)> {
    let data_dir = AreaOptions::default().data_dir;
    let networks =
        load_point_set(&data_dir, "branches-2025,desks-2024").expect("the shipped point sets load");
    let heuristic = PlacementRequest {
        solver: Solver::Heuristic,
        ..PlacementRequest::default()
    };
    vec![
        (
            "consolidate_desks_2024",
            Scenario {
                points: networks,
                ..area.baseline()
            },
            PlacementRequest {
                consolidate: true,
                ..heuristic.clone()
            },
        ),
        (
            "lscp",
            area.baseline(),
            PlacementRequest {
                model: ModelKind::Lscp,
                ..heuristic.clone()
            },
        ),
        ("mclp_5", area.baseline(), heuristic),
    ]
}

fn planning(c: &mut Criterion) {
    let started = Instant::now();
    let area = StudyArea::open("hanoi", &AreaOptions::default()).expect("the hanoi area opens");
    let opened_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    area.network(area.baseline().mode)
        .expect("the road graph builds");
    println!(
        "hanoi: area opened in {opened_s:.2} s, motorbike graph ready in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let quiet = |_: f64, _: &str| {};
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("planning_hanoi");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    for (name, scenario, request) in questions(&area) {
        let started = Instant::now();
        let plan = area
            .placement()
            .suggest(&scenario, &request, &quiet, &cancel)
            .expect("the question is answered");
        println!(
            "{name}: {} added, {} closed, covered {:.0} -> {:.0} of {:.0}; {:.2} s (matrix {:.2} s, solve {:.2} s)",
            plan.added.len(),
            plan.removed.len(),
            plan.covered_before,
            plan.covered_after,
            area.meta().population_in_study_area,
            started.elapsed().as_secs_f64(),
            plan.matrix_s,
            plan.solve_s,
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    area.placement()
                        .suggest(&scenario, &request, &quiet, &cancel)
                        .expect("the question is answered"),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, planning);
criterion_main!(benches);
