//! The weekly sweep of the whole city (`hanoi`, motorbike, the current points and their office
//! hours): coverage at the start of each of the 168 hours of the reference week, each hour at
//! its speed band and counting only the points open on arrival. Beside it, one evaluation at a
//! moment (Friday 16:50, when the desks close within the trip window) and the plain
//! evaluation the sweep's hours reuse. Target: the whole sweep within 1 s.
//!
//! Run: `cargo bench --features cbc --bench week`. Loading and the graph are built outside the
//! timed loops; each routine's answer is checked against a first run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use motcua::scenario::{AreaOptions, StudyArea, WeekRequest, parse_at};

fn week(c: &mut Criterion) {
    let options = AreaOptions {
        cache_dir: None,
        ..AreaOptions::default()
    };
    let area = StudyArea::open("hanoi", &options).expect("embedded area opens");
    let scenario = area.baseline();
    let request = WeekRequest::default();
    let expected = area.sweep_week(&scenario, &request).expect("sweep");
    let checksum = |s: &motcua::scenario::WeekSweep| -> f64 {
        s.hours.iter().map(|h| h.population_covered).sum()
    };
    let at = parse_at("2026-12-11T16:50").expect("a moment");
    let closing = area.evaluate_at(&scenario, at).expect("at a moment");
    let mut group = c.benchmark_group("week");
    group.sample_size(10);
    group.bench_function("sweep_168_hours_hanoi", |b| {
        b.iter(|| {
            let s = area
                .sweep_week(black_box(&scenario), &request)
                .expect("sweep");
            assert_eq!(checksum(&s), checksum(&expected));
            s
        })
    });
    group.bench_function("evaluate_at_closing_time_hanoi", |b| {
        b.iter(|| {
            let t = area.evaluate_at(black_box(&scenario), at).expect("at");
            assert_eq!(
                t.evaluation.report.summary.population_covered,
                closing.evaluation.report.summary.population_covered
            );
            t
        })
    });
    group.bench_function("evaluate_plain_hanoi", |b| {
        b.iter(|| area.evaluate(black_box(&scenario)).expect("plain"))
    });
    group.finish();
}

criterion_group!(benches, week);
criterion_main!(benches);
