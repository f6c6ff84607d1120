//! Coverage at a time (issue 12): opening hours on arrival, speed bands, the three-valued
//! verdict with unknown hours, and the weekly sweep, on networks drawn as text; then the
//! properties that more opening hours never lower coverage and that a week of points open
//! around the clock sweeps to the plain evaluation.

use motcua::coverage::{CellInput, CellStatus, PointLocation, PreparedCells};
use motcua::graph::cache::CacheStatus;
use motcua::graph::sketch::{Sketch, grid_city, test_profile};
use motcua::graph::{RoadGraph, SnapIndex, SpeedProfile, TravelMode};
use motcua::hours::parse_moment;
use motcua::scenario::{ModeNetwork, PointKind, ReceivingPoint, RuleSpec, Scenario, coverage_at};
use proptest::prelude::*;

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

fn network_of(
    osm: &motcua::ingest::OsmData,
    profile: SpeedProfile,
    cells: Vec<CellInput>,
) -> ModeNetwork {
    let graph = RoadGraph::build(osm, &profile).expect("sketch builds");
    let index = SnapIndex::new(&graph);
    let cells = PreparedCells::new(
        &graph,
        &index,
        cells,
        vec!["Ward".into()],
        vec![],
        profile.access_speed_kmh(),
        500.0,
    );
    ModeNetwork {
        graph,
        index,
        profile,
        cells,
        cache: CacheStatus::Built,
        build_ms: 0.0,
    }
}

fn point(id: &str, (lon, lat): (f64, f64), hours: &str) -> ReceivingPoint {
    ReceivingPoint {
        id: id.into(),
        name: id.into(),
        kind: PointKind::WardDesk,
        lon,
        lat,
        opening_hours: hours.into(),
        approximate: false,
        address: None,
        counters: None,
        unit: None,
    }
}

/// 20 minutes or 1 km: on the 9 km road below only the time can cover.
fn scenario(points: Vec<ReceivingPoint>) -> Scenario {
    Scenario {
        name: "t".into(),
        mode: TravelMode::Motorbike,
        rule: RuleSpec {
            max_minutes: 20.0,
            radius_km: 1.0,
            ..RuleSpec::default()
        },
        points,
    }
}

/// A 9 km road, a to b: 90 cells of 100 m at the test speed of 36 km/h, 900 s = 15 minutes.
/// The resident lives at b, the point stands at a.
fn fifteen_minute_ride() -> (ModeNetwork, (f64, f64)) {
    let sketch =
        Sketch::new(&format!("a{}b", "-".repeat(89))).way("ab", &[("highway", "residential")]);
    let (lon, lat) = sketch.node_coord('b');
    let network = network_of(
        &sketch.build(),
        test_profile(TravelMode::Motorbike),
        vec![cell_at(lon, lat)],
    );
    (network, sketch.node_coord('a'))
}

fn status_at(network: &ModeNetwork, points: Vec<ReceivingPoint>, at: &str) -> CellStatus {
    let at = parse_moment(at).expect("a moment");
    coverage_at(network, &scenario(points), at).report.cells[0].status
}

#[test]
fn a_desk_reached_after_closing_time_serves_nobody() {
    let (net, a) = fifteen_minute_ride();
    let desk = || vec![point("desk", a, "Mo-Fr 08:00-17:00")];
    // Friday: leaving at 16:50, 15 minutes on the road, arriving 17:05: closed.
    assert_eq!(
        status_at(&net, desk(), "2026-12-11T16:50"),
        CellStatus::Uncovered
    );
    // Leaving at 16:40 arrives 16:55: open.
    assert_eq!(
        status_at(&net, desk(), "2026-12-11T16:40"),
        CellStatus::Covered
    );
    // Without the hours' limit the same ride is covered (a 24/7 kiosk).
    let kiosk = vec![point("kiosk", a, "24/7")];
    assert_eq!(
        status_at(&net, kiosk, "2026-12-11T16:50"),
        CellStatus::Covered
    );
    let report = coverage_at(
        &net,
        &scenario(desk()),
        parse_moment("2026-12-11T16:50").unwrap(),
    );
    assert_eq!(
        report.changing,
        vec![0],
        "the desk closes within the trip window"
    );
    let report = coverage_at(
        &net,
        &scenario(desk()),
        parse_moment("2026-12-11T18:00").unwrap(),
    );
    assert_eq!(report.closed, vec![0], "closed for the whole window");
}

#[test]
fn the_friday_night_desk_wraps_past_midnight() {
    let (net, a) = fifteen_minute_ride();
    let late = || vec![point("late", a, "Fr 22:00-02:00")];
    // Saturday 01:00 + 15 min = 01:15, still Friday night's opening.
    assert_eq!(
        status_at(&net, late(), "2026-12-12T01:00"),
        CellStatus::Covered
    );
    // 01:50 + 15 min = 02:05: closed.
    assert_eq!(
        status_at(&net, late(), "2026-12-12T01:50"),
        CellStatus::Uncovered
    );
    // Thursday night is not Friday night.
    assert_eq!(
        status_at(&net, late(), "2026-12-11T01:00"),
        CellStatus::Uncovered
    );
}

#[test]
fn public_holidays_and_off_rules_close_the_desk() {
    let (net, a) = fifteen_minute_ride();
    let desk = || vec![point("desk", a, "Mo-Fr 08:00-17:00; PH off")];
    // Wednesday 2 September 2026, National Day, then the Thursday after.
    assert_eq!(
        status_at(&net, desk(), "2026-09-02T09:00"),
        CellStatus::Uncovered
    );
    assert_eq!(
        status_at(&net, desk(), "2026-09-03T09:00"),
        CellStatus::Covered
    );
    let sunday_off = vec![point("desk", a, "Mo-Su 08:00-20:00; Su off")];
    assert_eq!(
        status_at(&net, sunday_off, "Su 10:00"),
        CellStatus::Uncovered
    );
}

#[test]
fn a_cell_only_a_point_of_unknown_hours_reaches_is_unknown() {
    let (net, a) = fifteen_minute_ride();
    let unknown = vec![point("desk", a, "")];
    assert_eq!(status_at(&net, unknown, "Tu 10:00"), CellStatus::Unknown);
    // A closed point beside it does not make it covered, nor uncovered.
    let both = vec![point("desk", a, ""), point("shut", a, "Sa 08:00-12:00")];
    assert_eq!(status_at(&net, both, "Tu 10:00"), CellStatus::Unknown);
    // An open one settles it.
    let open = vec![point("desk", a, ""), point("open", a, "24/7")];
    assert_eq!(status_at(&net, open, "Tu 10:00"), CellStatus::Covered);
}

#[test]
fn the_rush_hour_factor_turns_a_covered_cell_uncovered() {
    let (net, a) = fifteen_minute_ride();
    let kiosk = || vec![point("kiosk", a, "24/7")];
    // Monday 08:00 is in the test profile's morning peak at factor 0.5: 15 minutes become 30,
    // beyond the 20-minute limit. At 10:00 the same ride is 15 minutes.
    let at = parse_moment("Mo 08:00").unwrap();
    let peak = coverage_at(&net, &scenario(kiosk()), at);
    assert_eq!(peak.band.name, "morning_peak");
    assert_eq!(peak.report.cells[0].status, CellStatus::Uncovered);
    assert!((peak.report.cells[0].travel_s.unwrap() - 1800.0).abs() < 1.0);
    assert_eq!(status_at(&net, kiosk(), "Mo 10:00"), CellStatus::Covered);
}

/// A grid city with cells on a 300 m lattice and a few points.
fn grid_case() -> (ModeNetwork, Vec<(f64, f64)>) {
    let osm = grid_city(30, 7);
    let (lon0, lat0) = motcua::graph::sketch::cell_coord(0, 0);
    let (lon1, lat1) = motcua::graph::sketch::cell_coord(29, 29);
    let mut cells = Vec::new();
    for i in 0..10 {
        for j in 0..10 {
            let lon = lon0 + (lon1 - lon0) * (i as f64 + 0.5) / 10.0;
            let lat = lat0 + (lat1 - lat0) * (j as f64 + 0.5) / 10.0;
            cells.push(cell_at(lon, lat));
        }
    }
    let sites = (0..6)
        .map(|k| {
            let (c, r) = [(2, 3), (25, 4), (14, 14), (5, 26), (27, 27), (9, 18)][k];
            motcua::graph::sketch::cell_coord(c, r)
        })
        .collect();
    (
        network_of(&osm, test_profile(TravelMode::Motorbike), cells),
        sites,
    )
}

fn grid_scenario(sites: &[(f64, f64)], hours: &[String], minutes: f64) -> Scenario {
    Scenario {
        name: "grid".into(),
        mode: TravelMode::Motorbike,
        rule: RuleSpec {
            max_minutes: minutes,
            radius_km: 0.4,
            ..RuleSpec::default()
        },
        points: sites
            .iter()
            .zip(hours)
            .enumerate()
            .map(|(i, (&s, h))| point(&format!("p{i}"), s, h))
            .collect(),
    }
}

fn covered(network: &ModeNetwork, scenario: &Scenario, at: chrono::NaiveDateTime) -> f64 {
    coverage_at(network, scenario, at)
        .report
        .summary
        .population_covered
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn more_opening_hours_never_lower_coverage(
        spans in prop::collection::vec((6u32..20, 1u32..6, 0u32..3, 0u32..3), 6),
        hour_of_week in 0u32..168,
        minute in prop::sample::select(vec![0u32, 20, 45, 55]),
        minutes in 1.0f64..4.0,
    ) {
        let (net, sites) = grid_case();
        let fmt = |from: u32, to: u32| format!("Mo-Sa {from:02}:00-{:02}:00", to.min(24));
        let narrow: Vec<String> = spans.iter().map(|&(from, len, _, _)| fmt(from, from + len)).collect();
        let wide: Vec<String> = spans
            .iter()
            .map(|&(from, len, early, late)| fmt(from.saturating_sub(early), from + len + late))
            .collect();
        let at = parse_moment("Mo 00:00").unwrap()
            + chrono::Duration::minutes(i64::from(hour_of_week * 60 + minute));
        let before = covered(&net, &grid_scenario(&sites, &narrow, minutes), at);
        let after = covered(&net, &grid_scenario(&sites, &wide, minutes), at);
        prop_assert!(after >= before, "{at}: {before} covered with {narrow:?}, {after} with {wide:?}");
    }

    #[test]
    fn points_always_open_give_the_plain_evaluation_at_the_hours_speed(
        hour_of_week in 0u32..168,
        minutes in 1.0f64..5.0,
    ) {
        let (net, sites) = grid_case();
        let always = vec!["24/7".to_string(); sites.len()];
        let scenario = grid_scenario(&sites, &always, minutes);
        let at = parse_moment("Mo 00:00").unwrap() + chrono::Duration::hours(i64::from(hour_of_week));
        let timed = coverage_at(&net, &scenario, at);
        let locations: Vec<PointLocation> = sites.iter().map(|&(lon, lat)| PointLocation { lon, lat }).collect();
        let plain = net.cells.evaluate_at_speed(
            &net.graph,
            &net.index,
            &locations,
            &scenario.rule.to_rule(),
            net.profile.band_at(at).factor,
        );
        prop_assert_eq!(&timed.report.summary, &plain.summary);
        prop_assert!(timed.closed.is_empty() && timed.changing.is_empty());
    }
}

#[test]
fn a_week_of_kiosks_sweeps_to_the_plain_evaluation_of_each_band() {
    use motcua::scenario::{AreaOptions, StudyArea, WeekRequest};
    let area = StudyArea::open(
        "hanoi-central",
        &AreaOptions {
            cache_dir: None,
            ..AreaOptions::default()
        },
    )
    .expect("embedded area opens");
    let mut scenario = area.baseline();
    for p in &mut scenario.points {
        p.opening_hours = "24/7".into();
    }
    let sweep = area.sweep_week(&scenario, &WeekRequest::default()).unwrap();
    assert_eq!(sweep.hours.len(), 168);
    let plain = area.evaluate(&scenario).unwrap().report.summary;
    let network = area.network(scenario.mode).unwrap();
    for h in &sweep.hours {
        assert_eq!(h.closed_points, 0);
        if h.speed_factor == 1.0 {
            assert_eq!(h.population_covered, plain.population_covered, "{}", h.at);
        }
        let at = parse_moment(&h.at).unwrap();
        assert_eq!(h.band, network.profile.band_at(at).name);
    }
    // Kiosks open around the clock: the morning rush never covers more than noon, and the
    // worst hours come lowest share first.
    assert_eq!(sweep.hours[8].band, "morning_peak");
    assert!(sweep.hours[8].population_covered <= sweep.hours[12].population_covered);
    let shares: Vec<f64> = sweep
        .worst_hours
        .iter()
        .map(|&h| sweep.hours[h].covered_share)
        .collect();
    assert!(shares.windows(2).all(|w| w[0] <= w[1]), "{shares:?}");
    // Office hours: nobody is covered at night.
    let desks = area.baseline();
    let week = area.sweep_week(&desks, &WeekRequest::default()).unwrap();
    assert_eq!(week.hours[3].population_covered, 0.0, "Monday 03:00");
    assert!(week.hours[10].covered_share > 0.5, "Monday 10:00");
    assert_eq!(week.wards.len(), area.ward_names().len());
    assert!(week.wards.iter().all(|w| w.covered_share.len() == 168));
}

/// A mobile desk with two stops: at the west end of an 18 km road on Tuesday mornings, at the
/// east end on Thursday mornings. Each end's resident is served only on their stop's morning.
#[test]
fn a_mobile_unit_serves_each_stop_only_while_it_stands_there() {
    let sketch =
        Sketch::new(&format!("a{}b", "-".repeat(179))).way("ab", &[("highway", "residential")]);
    let (west, east) = (sketch.node_coord('a'), sketch.node_coord('b'));
    let net = network_of(
        &sketch.build(),
        test_profile(TravelMode::Motorbike),
        vec![cell_at(west.0, west.1), cell_at(east.0, east.1)],
    );
    let stop = |id: &str, at, hours: &str| ReceivingPoint {
        unit: Some("mobile-1".into()),
        kind: PointKind::FlexiblePoint,
        ..point(id, at, hours)
    };
    let stops = vec![
        stop("mobile-1-tue", west, "Tu 08:00-12:00"),
        stop("mobile-1-thu", east, "Th 08:00-12:00"),
    ];
    let s = scenario(stops.clone());
    s.validate().expect("stops that never overlap are one unit");
    let statuses = |at: &str| -> Vec<CellStatus> {
        coverage_at(&net, &s, parse_moment(at).unwrap())
            .report
            .cells
            .iter()
            .map(|c| c.status)
            .collect()
    };
    use CellStatus::{Covered, Uncovered};
    assert_eq!(statuses("Tu 09:00"), vec![Covered, Uncovered]);
    assert_eq!(statuses("Th 09:00"), vec![Uncovered, Covered]);
    assert_eq!(statuses("We 09:00"), vec![Uncovered, Uncovered]);

    // A unit cannot stand in two places at once.
    let mut overlapping = stops.clone();
    overlapping[1].opening_hours = "Tu 11:00-14:00".into();
    let err = scenario(overlapping).validate().unwrap_err().to_string();
    assert!(
        err.contains("mobile-1-tue") && err.contains("mobile-1-thu") && err.contains("Tu 11:00"),
        "{err}"
    );
    // Each stop says when the unit stands there.
    let mut no_hours = stops;
    no_hours[0].opening_hours.clear();
    let err = scenario(no_hours).validate().unwrap_err().to_string();
    assert!(err.contains("no opening_hours"), "{err}");
}
