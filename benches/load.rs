//! What load, queues and fairness add to a coverage evaluation of the whole city (`hanoi`,
//! motorbike, the current points): catchments, queues and the inequality indices from the
//! evaluation alone; the travel-time pairs within the rule's time (one hierarchy sweep per
//! eight points); E2SFCA and the coverage within capacity from those pairs.
//!
//! Run: `cargo bench --features cbc --bench load`. Loading, the graph and the hierarchy are
//! built outside the timed loops; each routine's answer is checked against a first run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use motcua::coverage::load::AccessPairs;
use motcua::coverage::{Catchments, PointService, ServiceReport};
use motcua::graph::TravelMode;
use motcua::scenario::{AreaOptions, ServiceRequest, StudyArea, capacity_coverage};

fn load(c: &mut Criterion) {
    let options = AreaOptions {
        cache_dir: None,
        ..AreaOptions::default()
    };
    let area = StudyArea::open("hanoi", &options).expect("embedded area opens");
    let scenario = area.baseline();
    let network = area
        .network(TravelMode::Motorbike)
        .expect("motorbike graph");
    let rule = scenario.rule.to_rule();
    let points = motcua::scenario::locations(&scenario.points);
    let services: Vec<PointService> = scenario.points.iter().map(|p| p.service()).collect();
    let request = ServiceRequest::default();
    let (graph, index, cells) = (&network.graph, &network.index, &network.cells);
    let report = cells.evaluate(graph, index, &points, &rule);
    let cheap = || {
        ServiceReport::new(
            &report,
            Catchments::new(&report, points.len(), rule.radius_kind),
            &services,
            &request.demand,
            request.max_wait_min,
            area.ward_names(),
            None,
        )
    };
    let expected = cheap();
    cells.hierarchy();
    let reach = cells.reach_within(graph, index, &points, rule.max_travel_s);
    let pairs: usize = reach.iter().map(Vec::len).sum();
    let times: Vec<Vec<(u32, f64)>> = reach
        .iter()
        .map(|row| row.iter().map(|r| (r.demand, r.travel_s)).collect())
        .collect();
    let capacities: Vec<f64> = expected
        .points
        .iter()
        .map(|p| p.capacity_residents)
        .collect();
    let access_mps = network.profile.access_speed_kmh() / 3.6;
    let assign = || {
        capacity_coverage(
            &report,
            &cells.cells,
            &reach,
            &points,
            &rule,
            &capacities,
            access_mps,
        )
    };
    let within = assign();
    eprintln!(
        "hanoi: {} cells, {} points, {pairs} pairs within {} min, {:.0} covered within capacity",
        report.cells.len(),
        points.len(),
        rule.max_travel_s / 60.0,
        within.covered
    );

    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("evaluation", |b| {
        b.iter(|| {
            let r = cells.evaluate(graph, index, black_box(&points), &rule);
            assert_eq!(
                r.summary.population_covered,
                report.summary.population_covered
            );
        })
    });
    g.bench_function("catchments_queues_inequality", |b| {
        b.iter(|| {
            let s = cheap();
            assert_eq!(s.summary, expected.summary);
        })
    });
    g.bench_function("pairs_within_time", |b| {
        b.iter(|| {
            let r = cells.reach_within(graph, index, black_box(&points), rule.max_travel_s);
            assert_eq!(r.iter().map(Vec::len).sum::<usize>(), pairs);
        })
    });
    g.bench_function("e2sfca", |b| {
        b.iter(|| {
            let s = ServiceReport::new(
                &report,
                Catchments::new(&report, points.len(), rule.radius_kind),
                &services,
                &request.demand,
                request.max_wait_min,
                area.ward_names(),
                Some(AccessPairs {
                    reach: &times,
                    max_travel_s: rule.max_travel_s,
                }),
            );
            assert!(s.fairness.e2sfca_per_10k.is_some());
        })
    });
    g.bench_function("coverage_within_capacity", |b| {
        b.iter(|| {
            assert_eq!(assign().covered, within.covered);
        })
    });
    g.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
