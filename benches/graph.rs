//! Reading the default extract and building each mode's graph (target: read + build <= 150 ms
//! in release), snapping, and building grid cities of growing size.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use motcua::graph::sketch::{grid_city, test_profile};
use motcua::graph::{RoadGraph, SnapIndex, SpeedProfile, TravelMode};
use motcua::ingest::read_pbf;

fn hanoi_urban(c: &mut Criterion) {
    let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/areas/hanoi-urban/roads.osm.pbf");
    let osm = read_pbf(&pbf).expect("default extract reads");
    let mut group = c.benchmark_group("hanoi-urban");
    group.sample_size(20);
    group.bench_function("read_pbf", |b| {
        b.iter(|| {
            let osm = read_pbf(black_box(&pbf)).unwrap();
            assert_eq!(osm.ways.len(), 7185);
        })
    });
    for mode in TravelMode::ALL {
        let profile = SpeedProfile::embedded(mode);
        let expected = RoadGraph::build(&osm, &profile).unwrap().num_edges();
        group.bench_with_input(BenchmarkId::new("build", mode), &profile, |b, profile| {
            b.iter(|| {
                let g = RoadGraph::build(black_box(&osm), profile).unwrap();
                assert_eq!(g.num_edges(), expected);
            })
        });
        group.bench_with_input(
            BenchmarkId::new("read_and_build", mode),
            &profile,
            |b, profile| {
                b.iter(|| {
                    let g = RoadGraph::build(&read_pbf(black_box(&pbf)).unwrap(), profile).unwrap();
                    assert_eq!(g.num_edges(), expected);
                })
            },
        );
    }
    let graph = RoadGraph::build(&osm, &SpeedProfile::embedded(TravelMode::Motorbike)).unwrap();
    group.bench_function("snap_index_new", |b| {
        b.iter(|| assert!(!SnapIndex::new(black_box(&graph)).is_empty()))
    });
    let index = SnapIndex::new(&graph);
    // 1,000 places on a fixed lattice over the extract's core.
    let places: Vec<(f64, f64)> = (0..1000)
        .map(|i| {
            (
                105.78 + 0.0025 * f64::from(i % 40),
                20.97 + 0.004 * f64::from(i / 40),
            )
        })
        .collect();
    group.bench_function("snap_1000_places", |b| {
        b.iter(|| {
            let snapped = places
                .iter()
                .filter(|&&(lon, lat)| index.snap(&graph, lon, lat, 1000.0).is_some())
                .count();
            assert!(snapped > 900, "{snapped}");
        })
    });
    group.finish();
}

fn grid_cities(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid_city_build");
    group.sample_size(10);
    for n_side in [100usize, 316, 1000] {
        let osm = grid_city(n_side, 42);
        let profile = test_profile(TravelMode::Motorbike);
        group.bench_with_input(
            BenchmarkId::from_parameter(n_side * n_side),
            &osm,
            |b, osm| {
                b.iter(|| {
                    let g = RoadGraph::build(black_box(osm), &profile).unwrap();
                    assert!(g.num_nodes() > n_side * n_side * 9 / 10);
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, hanoi_urban, grid_cities);
criterion_main!(benches);
