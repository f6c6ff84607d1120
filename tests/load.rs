//! Load and queues (issue 11): Erlang C against a seeded discrete-event simulation,
//! catchments that partition the residents, the nearest-first assignment within capacity,
//! and points files whose counters or opening hours are wrong.

use motcua::coverage::queue::{Queue, erlang_c};
use motcua::coverage::{
    Catchments, CellInput, CellResult, CellStatus, Combine, CoverageReport, CoverageRule,
    PointLocation, PreparedCells, RadiusKind,
};
use motcua::graph::sketch::{Sketch, cell_coord, test_profile};
use motcua::graph::{RoadGraph, SnapIndex, TravelMode};
use motcua::optimise::assign_nearest_first;
use proptest::prelude::*;

/// SplitMix64: a small seeded generator, so the simulation is the same on every run.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // 53 random bits in (0, 1].
        ((z >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.next_f64().ln()
    }
}

/// Mean wait in line of `customers` arrivals at an M/M/c queue, first come first served, in
/// batches for a confidence interval: (mean, half-width of the 99 % interval).
fn simulate(q: &Queue, customers: usize, batches: usize, seed: u64) -> (f64, f64) {
    let mut rng = Rng(seed);
    let mean_gap = 60.0 / q.arrivals_per_hour;
    let mut free_at = vec![0.0f64; q.counters as usize];
    let mut now = 0.0;
    let warm_up = customers / 10;
    let mut waits = Vec::with_capacity(customers);
    for k in 0..customers + warm_up {
        now += rng.exponential(mean_gap);
        // The counter that frees first takes the next in line.
        let (i, &at) = free_at
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .expect("counters");
        let start = at.max(now);
        free_at[i] = start + rng.exponential(q.service_min);
        if k >= warm_up {
            waits.push(start - now);
        }
    }
    let per = waits.len() / batches;
    let means: Vec<f64> = waits
        .chunks(per)
        .take(batches)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    let mean = means.iter().sum::<f64>() / batches as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (batches - 1) as f64;
    // t at 99 % with 19 degrees of freedom.
    (mean, 2.861 * (var / batches as f64).sqrt())
}

#[test]
fn erlang_c_wait_lies_within_the_simulation_interval() {
    for (q, seed) in [
        (
            Queue {
                arrivals_per_hour: 40.0,
                service_min: 15.0,
                counters: 12,
            },
            11,
        ),
        (
            Queue {
                arrivals_per_hour: 9.0,
                service_min: 15.0,
                counters: 3,
            },
            12,
        ),
    ] {
        let expected = q.mean_wait_min().expect("a steady state");
        let (mean, half) = simulate(&q, 400_000, 20, seed);
        assert!(
            (mean - expected).abs() <= half,
            "{q:?}: Erlang C {expected:.3} min, simulated {mean:.3} ± {half:.3}"
        );
        let p = erlang_c(q.counters, q.offered_erlangs());
        assert!((0.0..1.0).contains(&p));
    }
}

fn result(population: f64, status: CellStatus, nearest: usize, straight: usize) -> CellResult {
    CellResult {
        cell: h3o::LatLng::new(21.03, 105.85)
            .expect("valid")
            .to_cell(h3o::Resolution::Nine),
        population,
        travel_s: (nearest != straight || status == CellStatus::Uncovered).then_some(600.0),
        network_m: None,
        straight_m: 1_000.0,
        nearest_point: Some(nearest),
        straight_point: Some(straight),
        by_time: nearest != straight,
        by_radius: true,
        on_roads: status != CellStatus::Unknown,
        status,
        ward: Some(0),
        district: None,
    }
}

proptest! {
    #[test]
    fn catchments_partition_the_residents(
        cells in proptest::collection::vec((1.0f64..5_000.0, 0u8..3, 0usize..6, 0usize..6), 1..200),
    ) {
        let points = 6;
        let results: Vec<CellResult> = cells
            .iter()
            .map(|&(pop, s, near, straight)| {
                let status = [CellStatus::Covered, CellStatus::Uncovered, CellStatus::Unknown][s as usize];
                result(pop, status, near, straight)
            })
            .collect();
        let report = CoverageReport::from_cells(results, &["Ward".to_string()], &[]);
        let k = Catchments::new(&report, points, RadiusKind::Straight);
        let total: f64 = report.cells.iter().map(|c| c.population).sum();
        let assigned = k.assigned();
        prop_assert!((assigned + k.unknown + k.unassigned - total).abs() < 1e-6 * total);
        prop_assert!((k.unknown - report.summary.population_unknown).abs() < 1e-6 * total);
        // Every decided cell is in exactly one catchment, every unknown one in none.
        for (c, of) in report.cells.iter().zip(&k.of_cell) {
            prop_assert_eq!(of.is_none(), c.status == CellStatus::Unknown);
        }
        let by_cells: f64 = k.points.iter().map(|p| p.by_ward.values().sum::<f64>()).sum();
        prop_assert!((by_cells - assigned).abs() < 1e-6 * total);
    }

    #[test]
    fn nearest_first_respects_capacity_and_skips_no_point_with_room(
        pairs in proptest::collection::vec((0.0f64..100.0, 0usize..12, 0usize..5), 0..120),
        demand in proptest::collection::vec(0.0f64..50.0, 12),
        capacity in proptest::collection::vec(0.0f64..80.0, 5),
    ) {
        let mut pairs = pairs;
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        pairs.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
        let flows = assign_nearest_first(pairs.clone(), &demand, &capacity);
        let mut load = vec![0.0; capacity.len()];
        let mut served = vec![0.0; demand.len()];
        for f in &flows {
            load[f.site] += f.amount;
            served[f.demand] += f.amount;
        }
        for (l, c) in load.iter().zip(&capacity) {
            prop_assert!(*l <= c + 1e-9, "load {l} over capacity {c}");
        }
        for (s, d) in served.iter().zip(&demand) {
            prop_assert!(*s <= d + 1e-9);
        }
        // Nobody is sent to a site while a site they may use at a lower cost has room left.
        for f in &flows {
            for &(cost, d, c) in &pairs {
                if d == f.demand && cost < f.cost {
                    prop_assert!(
                        capacity[c] - load[c] <= 1e-9,
                        "demand {d} went to {} at {} past site {c} at {cost} with room",
                        f.site, f.cost
                    );
                }
            }
        }
        // And whoever is left unserved has no site with room among theirs.
        for &(_, d, c) in &pairs {
            if demand[d] - served[d] > 1e-9 {
                prop_assert!(capacity[c] - load[c] <= 1e-9);
            }
        }
    }
}

/// 12 km/h on every class: 100 m of road (one sketch cell) takes 30 s.
fn slow_case(cells: Vec<CellInput>) -> (Sketch, RoadGraph, SnapIndex, PreparedCells) {
    let sketch =
        Sketch::new(&format!("a{}b", "-".repeat(69))).way("ab", &[("highway", "residential")]);
    let mut profile = test_profile(TravelMode::Motorbike);
    for v in profile.speed_kmh.values_mut() {
        *v = 12.0;
    }
    profile.max_speed_kmh = 12.0;
    let graph = RoadGraph::build(&sketch.build(), &profile).expect("sketch builds");
    let index = SnapIndex::new(&graph);
    let prepared = PreparedCells::new(
        &graph,
        &index,
        cells,
        vec!["Ward".into()],
        vec![],
        profile.access_speed_kmh(),
        500.0,
    );
    (sketch, graph, index, prepared)
}

fn cell(lon: f64, lat: f64, population: f64) -> CellInput {
    CellInput {
        cell: h3o::LatLng::new(lat, lon)
            .expect("valid")
            .to_cell(h3o::Resolution::Twelve),
        population,
        lon,
        lat,
        ward: Some(0),
        district: None,
    }
}

#[test]
fn cells_go_to_the_point_reached_first_and_unknown_cells_to_none() {
    // A 7 km road with a point at each end. Cell 1 is 1 km from a; cell 2 is 1 km from b;
    // cell 3 lies 2 km north of a, off the roads but within the 5 km radius (straight nearest:
    // a); cell 4 lies 5.5 km north of b, off the roads, beyond the radius and not too far to
    // ride in 30 minutes at 12 km/h (6 km): unknown.
    let north = |lat: f64, km: f64| lat + km / 111.2;
    let (x1, y1) = cell_coord(10, 0);
    let (x2, y2) = cell_coord(59, 0);
    let (x3, y3) = cell_coord(0, 0);
    let (x4, y4) = cell_coord(69, 0);
    let (sketch, graph, index, prepared) = slow_case(vec![
        cell(x1, y1, 100.0),
        cell(x2, y2, 200.0),
        cell(x3, north(y3, 2.0), 300.0),
        cell(x4, north(y4, 5.5), 400.0),
    ]);
    let points: Vec<PointLocation> = ['a', 'b']
        .iter()
        .map(|&n| {
            let (lon, lat) = sketch.node_coord(n);
            PointLocation { lon, lat }
        })
        .collect();
    let rule = CoverageRule {
        combine: Combine::Or,
        ..CoverageRule::default()
    };
    let report = prepared.evaluate(&graph, &index, &points, &rule);
    let statuses: Vec<CellStatus> = report.cells.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        vec![
            CellStatus::Covered,
            CellStatus::Covered,
            CellStatus::Covered,
            CellStatus::Unknown
        ]
    );
    let k = Catchments::new(&report, 2, RadiusKind::Straight);
    assert_eq!(k.of_cell, vec![Some(0), Some(1), Some(0), None]);
    assert_eq!(k.points[0].residents, 400.0);
    assert_eq!(k.points[1].residents, 200.0);
    assert_eq!(k.unknown, 400.0);
    assert_eq!(k.points[1].unknown_nearby, 400.0);
    // The pairs within 30 minutes: a reaches cells 1 (1 km) and 2 (5.9 km, 1,770 s);
    // b reaches cells 2 and 1 likewise; no pair for the cells off the roads.
    let reach = prepared.reach_within(&graph, &index, &points, rule.max_travel_s);
    let cells_of = |j: usize| reach[j].iter().map(|r| r.demand).collect::<Vec<_>>();
    assert_eq!(cells_of(0), vec![0, 1]);
    assert_eq!(cells_of(1), vec![0, 1]);
    // Asked again, with one point moved halfway along the road: the kept row of the point that
    // stayed and the fresh row of the moved one equal a search from nothing.
    let (a, b) = (sketch.node_coord('a'), sketch.node_coord('b'));
    let moved = vec![
        points[0],
        PointLocation {
            lon: (a.0 + b.0) / 2.0,
            lat: (a.1 + b.1) / 2.0,
        },
    ];
    let again = prepared.reach_within(&graph, &index, &moved, rule.max_travel_s);
    let fresh = prepared
        .clone()
        .reach_within(&graph, &index, &moved, rule.max_travel_s);
    assert_eq!(again, fresh);
    assert_eq!(again[0], reach[0]);
}

fn scratch_points(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("points.csv");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

#[test]
fn counters_come_from_the_file_or_the_kind() {
    let (_dir, path) = scratch_points(
        "id,name,lon,lat,kind,counters\nhq,Head office,105.85,21.03,head_office,\nd,Desk,105.86,21.03,ward_desk,4\n",
    );
    let points = motcua::scenario::read_points(&path).expect("reads");
    assert_eq!(points[0].counters(), 20);
    assert_eq!(points[1].counters(), 4);
    assert_eq!(points[1].open_days_per_week(), 6);
}

#[test]
fn bad_counters_and_hours_name_file_line_and_field() {
    for (row, needle) in [
        (
            "d,Desk,105.86,21.03,ward_desk,three,",
            "field counters is \"three\"",
        ),
        (
            "d,Desk,105.86,21.03,ward_desk,-2,",
            "field counters is \"-2\"",
        ),
        (
            "d,Desk,105.86,21.03,ward_desk,NaN,",
            "field counters is \"NaN\"",
        ),
        ("d,Desk,105.86,21.03,ward_desk,0,", "from 1 to 1000"),
        (
            "d,Desk,105.86,21.03,ward_desk,3,mornings only",
            "field opening_hours is \"mornings only\"",
        ),
    ] {
        let (_dir, path) = scratch_points(&format!(
            "id,name,lon,lat,kind,counters,opening_hours\nhq,Head office,105.85,21.03,head_office,,24/7\n{row}\n"
        ));
        let message = motcua::scenario::read_points(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("points.csv, line 3") && message.contains(needle),
            "{row}: {message}"
        );
        assert!(!message.contains('\n'));
    }
}
