//! A full coverage evaluation of the default study area (hanoi-urban, motorbike, the current
//! receiving points), against the plain baseline of one `petgraph::algo::dijkstra` per point
//! followed by the same per-cell pass; and how one multi-source search scales on grid cities of
//! 10⁴ to 10⁶ nodes.
//!
//! Run: `cargo bench --bench coverage`. Loading and graph building happen outside the timed
//! loops; each timed routine's answer is checked against the other's.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use motcua::coverage::PointLocation;
use motcua::graph::sketch::grid_city;
use motcua::graph::{NodeId, RoadGraph, TravelMode};
use motcua::routing::{self, Direction, Metric, Seed};
use motcua::scenario::{AreaOptions, StudyArea};
use petgraph::graph::DiGraph;

fn coverage(c: &mut Criterion) {
    let options = AreaOptions {
        cache_dir: None,
        ..AreaOptions::default()
    };
    let area = StudyArea::open("hanoi-urban", &options).expect("embedded area opens");
    let scenario = area.baseline();
    let network = area
        .network(TravelMode::Motorbike)
        .expect("motorbike graph");
    let rule = scenario.rule.to_rule();
    let points: Vec<PointLocation> = scenario
        .points
        .iter()
        .map(|p| PointLocation {
            lon: p.lon,
            lat: p.lat,
        })
        .collect();
    let graph = &network.graph;
    let expected = network
        .cells
        .evaluate(graph, &network.index, &points, &rule);

    // Baseline: the same graph as petgraph, reversed (residents travel to the points), one
    // Dijkstra per point, the minimum over points per node.
    let mut reversed: DiGraph<(), f64> =
        DiGraph::with_capacity(graph.num_nodes(), graph.num_edges());
    let ids: Vec<_> = (0..graph.num_nodes())
        .map(|_| reversed.add_node(()))
        .collect();
    for e in 0..graph.num_edges() {
        let (t, h) = (graph.tail[e].0 as usize, graph.head[e].0 as usize);
        reversed.add_edge(ids[h], ids[t], f64::from(graph.travel_s[e]));
    }
    let attached = network.attach_points(&scenario.points);
    let baseline = || {
        let mut best = vec![f64::INFINITY; graph.num_nodes()];
        for a in attached.iter().flatten() {
            for seed in routing::seeds_towards(graph, a, 0) {
                let times =
                    petgraph::algo::dijkstra(&reversed, ids[seed.node.0 as usize], None, |e| {
                        *e.weight()
                    });
                for (node, t) in times {
                    let b = &mut best[node.index()];
                    *b = b.min(t + seed.travel_s);
                }
            }
        }
        let mut covered = 0.0;
        for (cell, a) in network.cells.cells.iter().zip(&network.cells.attachments) {
            let Some(a) = a else { continue };
            let t = routing::seeds_from(graph, a, 0)
                .map(|s| s.travel_s + best[s.node.0 as usize])
                .fold(f64::INFINITY, f64::min);
            if t <= rule.max_travel_s {
                covered += cell.population;
            }
        }
        covered
    };
    // The baseline ignores the radius and same-segment shortcuts, so compare what both see:
    // people within the time limit.
    let by_time: f64 = expected
        .cells
        .iter()
        .filter(|c| c.by_time)
        .map(|c| c.population)
        .sum();
    let base = baseline();
    assert!(
        (base - by_time).abs() / by_time.max(1.0) < 0.01,
        "baseline {base} vs motcua {by_time}"
    );

    let mut group = c.benchmark_group("coverage_hanoi_urban");
    group.sample_size(30);
    group.bench_function("motcua_evaluate", |b| {
        b.iter(|| {
            let report = network
                .cells
                .evaluate(graph, &network.index, black_box(&points), &rule);
            assert_eq!(report.summary.cells, expected.summary.cells);
            report.summary.population_covered
        })
    });
    // The search alone: one multi-source Dijkstra from every point, every node labelled.
    let seeds: Vec<Seed> = attached
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.as_ref().map(|a| (i, a)))
        .flat_map(|(i, a)| routing::seeds_towards(graph, a, i as u32))
        .collect();
    group.bench_function("motcua_search_only", |b| {
        b.iter(|| {
            let times = routing::multi_source(
                &network.cells.search,
                black_box(&seeds),
                Direction::ToSources,
                Metric::Time,
                None,
            );
            times.travel_s.len()
        })
    });
    group.sample_size(10);
    group.bench_function("petgraph_dijkstra_per_point", |b| b.iter(baseline));
    group.finish();
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("multi_source_grid_city");
    group.sample_size(10);
    for n_side in [100usize, 316, 1000] {
        let graph = RoadGraph::build(
            &grid_city(n_side, 7),
            &motcua::graph::SpeedProfile::embedded(TravelMode::Motorbike),
        )
        .expect("grid city builds");
        // One source per 10,000 nodes, spread over the grid.
        let sources = (graph.num_nodes() / 10_000).max(1);
        let seeds: Vec<Seed> = (0..sources)
            .map(|i| Seed {
                node: NodeId(((i * 7919 * 104_729) % graph.num_nodes()) as u32),
                travel_s: 0.0,
                length_m: 0.0,
                source: i as u32,
            })
            .collect();
        let search = routing::SearchGraph::new(&graph);
        group.bench_with_input(
            BenchmarkId::from_parameter(graph.num_nodes()),
            &search,
            |b, g| {
                b.iter(|| {
                    let t =
                        routing::multi_source(g, &seeds, Direction::ToSources, Metric::Time, None);
                    assert!(t.travel_s.iter().all(|x| x.is_finite()));
                    t.travel_s.len()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, coverage, scaling);
criterion_main!(benches);
