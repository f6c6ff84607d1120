//! The coverage rule on networks drawn as text, one fact per test, plus the property that
//! adding a receiving point never lowers coverage.

use motcua::coverage::{
    CellInput, CellStatus, Combine, CoverageRule, PointLocation, PreparedCells, RadiusKind,
};
use motcua::graph::sketch::{Sketch, cell_coord, grid_city, test_profile};
use motcua::graph::{RoadGraph, SnapIndex, SpeedProfile, TravelMode};
use proptest::prelude::*;

/// 12 km/h on every class: 100 m of road (one sketch cell) takes 30 s, so 30 minutes of travel
/// is 6 km of road while the radius is 5 km.
fn slow_profile(mode: TravelMode) -> SpeedProfile {
    let mut p = test_profile(mode);
    for v in p.speed_kmh.values_mut() {
        *v = 12.0;
    }
    p.max_speed_kmh = 12.0;
    p
}

fn cell_at(lon: f64, lat: f64) -> CellInput {
    CellInput {
        cell: h3o::LatLng::new(lat, lon)
            .expect("valid")
            .to_cell(h3o::Resolution::Twelve),
        population: 100.0,
        lon,
        lat,
        ward: Some(0),
        district: None,
    }
}

struct Case {
    graph: RoadGraph,
    index: SnapIndex,
    prepared: PreparedCells,
}

fn case(sketch: &Sketch, profile: &SpeedProfile, cells: Vec<CellInput>) -> Case {
    let graph = RoadGraph::build(&sketch.build(), profile).expect("sketch builds");
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
    Case {
        graph,
        index,
        prepared,
    }
}

fn rule(combine: Combine) -> CoverageRule {
    CoverageRule {
        combine,
        ..CoverageRule::default()
    }
}

/// A straight 7 km road; the receiving point at its west end.
fn long_road() -> Sketch {
    Sketch::new(&format!("a{}b", "-".repeat(69))).way("ab", &[("highway", "residential")])
}

fn statuses(c: &Case, points: &[(f64, f64)], rule: &CoverageRule) -> Vec<(CellStatus, bool, bool)> {
    let points: Vec<PointLocation> = points
        .iter()
        .map(|&(lon, lat)| PointLocation { lon, lat })
        .collect();
    c.prepared
        .evaluate(&c.graph, &c.index, &points, rule)
        .cells
        .iter()
        .map(|r| (r.status, r.by_time, r.by_radius))
        .collect()
}

#[test]
fn within_30_minutes_beyond_5_km_is_covered_by_or_not_by_and() {
    let sketch = long_road();
    // 5.5 km along the road: 1,650 s of travel (< 1,800 s) but 5.5 km away (> 5 km).
    let (lon, lat) = cell_coord(55, 0);
    let c = case(
        &sketch,
        &slow_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    let a = sketch.node_coord('a');
    assert_eq!(
        statuses(&c, &[a], &rule(Combine::Or)),
        vec![(CellStatus::Covered, true, false)]
    );
    assert_eq!(
        statuses(&c, &[a], &rule(Combine::And)),
        vec![(CellStatus::Uncovered, true, false)]
    );
}

#[test]
fn just_past_30_minutes_and_5_km_is_uncovered() {
    let sketch = long_road();
    // 6.1 km: 1,830 s and 6.1 km.
    let (lon, lat) = cell_coord(61, 0);
    let c = case(
        &sketch,
        &slow_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    assert_eq!(
        statuses(&c, &[sketch.node_coord('a')], &rule(Combine::Or)),
        vec![(CellStatus::Uncovered, false, false)]
    );
}

#[test]
fn just_inside_both_limits_is_covered_by_and() {
    let sketch = long_road();
    // 4.9 km: 1,470 s and 4.9 km.
    let (lon, lat) = cell_coord(49, 0);
    let c = case(
        &sketch,
        &slow_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    assert_eq!(
        statuses(&c, &[sketch.node_coord('a')], &rule(Combine::And)),
        vec![(CellStatus::Covered, true, true)]
    );
}

#[test]
fn and_is_met_by_a_near_point_even_when_a_far_one_is_reached_first() {
    // n is 4 km west of the place x along a slow street (1,200 s); f is 5.5 km east along a
    // primary road at 60 km/h (330 s). f is reached first but lies beyond 5 km; n meets both
    // limits, so the place is served under AND.
    let drawing = format!("n{}x{}f", "-".repeat(39), "-".repeat(54));
    let sketch = Sketch::new(&drawing)
        .way("nx", &[("highway", "residential")])
        .way("xf", &[("highway", "primary")]);
    let mut profile = slow_profile(TravelMode::Motorbike);
    profile.speed_kmh.insert("primary".into(), 60.0);
    profile.max_speed_kmh = 60.0;
    let (lon, lat) = sketch.node_coord('x');
    let c = case(&sketch, &profile, vec![cell_at(lon, lat)]);
    let (n, f) = (sketch.node_coord('n'), sketch.node_coord('f'));
    let network = CoverageRule {
        radius_kind: RadiusKind::Network,
        ..rule(Combine::And)
    };
    for r in [rule(Combine::And), network] {
        assert_eq!(
            statuses(&c, &[f], &r),
            vec![(CellStatus::Uncovered, true, false)]
        );
        assert_eq!(
            statuses(&c, &[f, n], &r),
            vec![(CellStatus::Covered, true, true)]
        );
    }
    let report = c.prepared.evaluate(
        &c.graph,
        &c.index,
        &[
            PointLocation { lon: f.0, lat: f.1 },
            PointLocation { lon: n.0, lat: n.1 },
        ],
        &rule(Combine::And),
    );
    // The travel time reported is still that of the fastest trip, to f.
    assert_eq!(report.cells[0].nearest_point, Some(0));
}

#[test]
fn near_by_straight_line_but_far_by_road_is_covered_by_or_only() {
    // The road from a to c goes 4 km east and back: c is 200 m from a as the crow flies but
    // 8.2 km (2,460 s) by road.
    let top = format!("a{}b", "-".repeat(39));
    let bottom = format!("c{}d", "-".repeat(39));
    let pad = " ".repeat(40);
    let drawing = format!("{top}\n{pad}|\n{bottom}");
    let sketch = Sketch::new(&drawing)
        .way("ab", &[("highway", "residential")])
        .way("bd", &[("highway", "residential")])
        .way("dc", &[("highway", "residential")]);
    let (lon, lat) = sketch.node_coord('c');
    let c = case(
        &sketch,
        &slow_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    let a = sketch.node_coord('a');
    assert_eq!(
        statuses(&c, &[a], &rule(Combine::Or)),
        vec![(CellStatus::Covered, false, true)]
    );
    assert_eq!(
        statuses(&c, &[a], &rule(Combine::And)),
        vec![(CellStatus::Uncovered, false, true)]
    );
    let network = CoverageRule {
        radius_kind: RadiusKind::Network,
        ..rule(Combine::Or)
    };
    assert_eq!(
        statuses(&c, &[a], &network),
        vec![(CellStatus::Uncovered, false, false)]
    );
}

fn point_at(sketch: &Sketch, name: char) -> PointLocation {
    let (lon, lat) = sketch.node_coord(name);
    PointLocation { lon, lat }
}

/// One cell at sketch position (col, row) with the receiving point at node `a`: the report.
fn one_cell(
    sketch: &Sketch,
    profile: &SpeedProfile,
    (col, row): (usize, usize),
    rule: &CoverageRule,
) -> motcua::coverage::CoverageReport {
    let (lon, lat) = cell_coord(col, row);
    let c = case(sketch, profile, vec![cell_at(lon, lat)]);
    c.prepared
        .evaluate(&c.graph, &c.index, &[point_at(sketch, 'a')], rule)
}

#[test]
fn within_the_straight_radius_far_from_any_road_is_covered_by_or_unknown_by_and() {
    let sketch = Sketch::new("a---b").way("ab", &[("highway", "residential")]);
    let profile = test_profile(TravelMode::Motorbike);
    // 2 km south of the road: beyond the 500 m snapping limit, but within 5 km of the point.
    let at = (2, 20);
    let or = one_cell(&sketch, &profile, at, &rule(Combine::Or));
    assert_eq!(or.cells[0].status, CellStatus::Covered);
    assert!(or.cells[0].by_radius && !or.cells[0].on_roads && or.cells[0].travel_s.is_none());
    assert_eq!(or.summary.population_no_road_data, 100.0);
    assert_eq!(or.summary.population_no_road_data_covered, 100.0);
    assert_eq!(or.summary.covered_share, 1.0);
    let and = one_cell(&sketch, &profile, at, &rule(Combine::And));
    assert_eq!(and.cells[0].status, CellStatus::Unknown);
    assert_eq!(and.summary.population_unknown, 100.0);
    assert_eq!(
        and.summary.population_covered + and.summary.population_uncovered,
        0.0
    );
    // A radius along the roads needs roads: unknown under OR too.
    let network = CoverageRule {
        radius_kind: RadiusKind::Network,
        ..rule(Combine::Or)
    };
    let by_road = one_cell(&sketch, &profile, at, &network);
    assert_eq!(by_road.cells[0].status, CellStatus::Unknown);
}

#[test]
fn beyond_the_radius_with_no_road_is_unknown() {
    let sketch = Sketch::new("a---b").way("ab", &[("highway", "residential")]);
    let profile = test_profile(TravelMode::Motorbike);
    // 8 km south: no road near, beyond 5 km, near enough to be reached in 30 minutes.
    let or = one_cell(&sketch, &profile, (2, 80), &rule(Combine::Or));
    assert_eq!(or.cells[0].status, CellStatus::Unknown);
    assert_eq!(or.summary.population_unknown, 100.0);
    // Under AND no point within the radius means no point meets both limits, roads or not.
    let and = one_cell(&sketch, &profile, (2, 80), &rule(Combine::And));
    assert_eq!(and.cells[0].status, CellStatus::Uncovered);
}

#[test]
fn a_cell_the_roads_reach_beyond_both_limits_is_uncovered() {
    let sketch = long_road();
    // 6.5 km along the road at 12 km/h: 1,950 s and 6.5 km, both past the limits.
    for combine in [Combine::Or, Combine::And] {
        let report = one_cell(
            &sketch,
            &slow_profile(TravelMode::Motorbike),
            (65, 0),
            &rule(combine),
        );
        assert_eq!(report.cells[0].status, CellStatus::Uncovered, "{combine:?}");
        assert!(report.cells[0].on_roads);
    }
}

#[test]
fn a_point_beyond_the_road_data_leaves_cells_it_might_serve_unknown() {
    let sketch = long_road();
    // The cell is on the road 6.5 km from `a` (uncovered by `a`); a second point stands 5 km
    // south of the road's east end, beyond the road data and just over 5 km from the cell, but
    // within the 6 km that 30 minutes at the road speed could cover: its travel time is
    // unknown, so the cell is too.
    let (lon, lat) = cell_coord(65, 0);
    let c = case(
        &sketch,
        &slow_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    let (far_lon, far_lat) = cell_coord(69, 50);
    let points = [
        point_at(&sketch, 'a'),
        PointLocation {
            lon: far_lon,
            lat: far_lat,
        },
    ];
    let report = c
        .prepared
        .evaluate(&c.graph, &c.index, &points, &rule(Combine::Or));
    assert_eq!(report.off_network_points, vec![1]);
    assert_eq!(report.cells[0].status, CellStatus::Unknown);
}

#[test]
fn a_footway_reaches_walkers_but_not_motorbikes() {
    // The street a-b is 1 km north of the footway c-d; the cell sits on the footway.
    let drawing = format!("a---b{}\nc---d", "\n".repeat(10));
    let sketch = Sketch::new(&drawing)
        .way("ab", &[("highway", "residential")])
        .way("cd", &[("highway", "footway")])
        .way("ac", &[("highway", "footway")]);
    let (lon, lat) = cell_coord(2, 11);
    let a = sketch.node_coord('a');
    let walk = case(
        &sketch,
        &test_profile(TravelMode::Walk),
        vec![cell_at(lon, lat)],
    );
    let ride = case(
        &sketch,
        &test_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    assert_eq!(
        statuses(&walk, &[a], &rule(Combine::And))[0].0,
        CellStatus::Covered
    );
    assert_eq!(
        statuses(&ride, &[a], &rule(Combine::And))[0].0,
        CellStatus::Unknown
    );
}

#[test]
fn the_access_leg_is_counted() {
    // A cell 300 m off the road at 1 m/s adds 300 s to its travel time.
    let sketch = Sketch::new("a---b").way("ab", &[("highway", "residential")]);
    let (lon, lat) = cell_coord(0, 3);
    let c = case(
        &sketch,
        &test_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    let a = sketch.node_coord('a');
    let report = c.prepared.evaluate(
        &c.graph,
        &c.index,
        &[PointLocation { lon: a.0, lat: a.1 }],
        &rule(Combine::Or),
    );
    let t = report.cells[0].travel_s.expect("reachable");
    assert!((t - 300.0).abs() < 2.0, "travel {t}");
}

#[test]
fn summary_splits_the_uncovered_by_criterion() {
    let sketch = long_road();
    let cells = [30, 55, 65]
        .iter()
        .map(|&col| {
            let (lon, lat) = cell_coord(col, 0);
            cell_at(lon, lat)
        })
        .collect();
    let c = case(&sketch, &slow_profile(TravelMode::Motorbike), cells);
    let a = sketch.node_coord('a');
    let report = c.prepared.evaluate(
        &c.graph,
        &c.index,
        &[PointLocation { lon: a.0, lat: a.1 }],
        &rule(Combine::And),
    );
    let s = &report.summary;
    assert_eq!(
        (s.population_covered, s.population_uncovered),
        (100.0, 200.0)
    );
    assert_eq!(
        (
            s.uncovered_by_time,
            s.uncovered_by_radius,
            s.uncovered_by_both
        ),
        (100.0, 200.0, 100.0)
    );
    assert_eq!(report.wards[0].name, "Ward");
    assert!((s.covered_share - 1.0 / 3.0).abs() < 1e-9);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Covered, uncovered and unknown partition the population exactly, for every rule, with
    /// cells on and off the roads and points on and off them.
    #[test]
    fn the_three_statuses_partition_the_population(
        seed in any::<u64>(),
        points in prop::collection::vec((0usize..40, 0usize..40), 1..5),
        minutes in 1.0f64..20.0,
        radius_m in 100.0f64..3_000.0,
        and in any::<bool>(),
        network in any::<bool>(),
    ) {
        let osm = grid_city(20, seed);
        let profile = test_profile(TravelMode::Motorbike);
        let graph = RoadGraph::build(&osm, &profile).expect("grid builds");
        let index = SnapIndex::new(&graph);
        // A 40 × 40 field of cells over a 20 × 20 street grid: a quarter of them on the roads.
        let cells: Vec<CellInput> = (0..40)
            .flat_map(|r| (0..40).map(move |c| (c, r)))
            .step_by(7)
            .map(|(c, r)| {
                let (lon, lat) = cell_coord(c * 2, r * 2);
                CellInput { population: 1.0 + (c * r % 13) as f64, ..cell_at(lon, lat) }
            })
            .collect();
        let prepared = PreparedCells::new(&graph, &index, cells, vec!["Ward".into()], vec![], 3.6, 500.0);
        let rule = CoverageRule {
            max_travel_s: minutes * 60.0,
            max_radius_m: radius_m,
            combine: if and { Combine::And } else { Combine::Or },
            radius_kind: if network { RadiusKind::Network } else { RadiusKind::Straight },
        };
        let points: Vec<PointLocation> = points
            .iter()
            .map(|&(c, r)| {
                let (lon, lat) = cell_coord(c * 2, r * 2);
                PointLocation { lon, lat }
            })
            .collect();
        let report = prepared.evaluate(&graph, &index, &points, &rule);
        let s = &report.summary;
        let total: f64 = prepared.cells.iter().map(|c| c.population).sum();
        prop_assert_eq!(s.population_total, total);
        prop_assert_eq!(s.population_covered + s.population_uncovered + s.population_unknown, total);
        let by_status = |status: CellStatus| -> f64 {
            report.cells.iter().filter(|c| c.status == status).map(|c| c.population).sum()
        };
        prop_assert_eq!(by_status(CellStatus::Covered), s.population_covered);
        prop_assert_eq!(by_status(CellStatus::Unknown), s.population_unknown);
        for w in &report.wards {
            prop_assert_eq!(w.covered + w.uncovered + w.unknown, w.population);
        }
    }

    #[test]
    fn adding_a_point_never_lowers_coverage(
        seed in any::<u64>(),
        points in prop::collection::vec((0usize..20, 0usize..20), 1..4),
        extra in (0usize..20, 0usize..20),
        minutes in 1.0f64..6.0,
        and in any::<bool>(),
    ) {
        let osm = grid_city(20, seed);
        let profile = test_profile(TravelMode::Motorbike);
        let graph = RoadGraph::build(&osm, &profile).expect("grid builds");
        let index = SnapIndex::new(&graph);
        let cells: Vec<CellInput> = (0..20)
            .flat_map(|r| (0..20).map(move |c| (c, r)))
            .step_by(3)
            .map(|(c, r)| {
                let (lon, lat) = cell_coord(c, r);
                cell_at(lon + 0.0002, lat)
            })
            .collect();
        let prepared = PreparedCells::new(&graph, &index, cells, vec!["Ward".into()], vec![], 3.6, 500.0);
        let rule = CoverageRule {
            max_travel_s: minutes * 60.0,
            max_radius_m: 300.0,
            combine: if and { Combine::And } else { Combine::Or },
            ..CoverageRule::default()
        };
        let at = |(c, r): (usize, usize)| {
            let (lon, lat) = cell_coord(c, r);
            PointLocation { lon, lat }
        };
        let before: Vec<PointLocation> = points.iter().map(|&p| at(p)).collect();
        let mut after = before.clone();
        after.push(at(extra));
        let b = prepared.evaluate(&graph, &index, &before, &rule);
        let a = prepared.evaluate(&graph, &index, &after, &rule);
        prop_assert!(a.summary.population_covered >= b.summary.population_covered);
        for (x, y) in a.cells.iter().zip(&b.cells) {
            if let (Some(ta), Some(tb)) = (x.travel_s, y.travel_s) {
                prop_assert!(ta <= tb + 1e-9);
            }
        }
    }
}
