//! Facts about the road graph, each on a network small enough to draw, plus checks on the two
//! real Hanoi extracts shipped in `data/areas/`.

use std::path::{Path, PathBuf};

use motcua::graph::cache::{CacheStatus, load_or_build};
use motcua::graph::sketch::{Sketch, test_profile};
use motcua::graph::{GraphError, RoadGraph, SnapIndex, SpeedProfile, TravelMode};
use motcua::ingest::{IngestError, read_pbf, read_pbf_bytes};

use TravelMode::{Bicycle, Car, Motorbike, Walk};

fn area_pbf(area: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/areas")
        .join(area)
        .join("roads.osm.pbf")
}

fn graph(sketch: &Sketch, mode: TravelMode) -> RoadGraph {
    let g = RoadGraph::build(&sketch.build(), &test_profile(mode)).expect("sketch builds");
    g.check_invariants().expect("invariants");
    g
}

/// Whether the graph has the edge between two sketch nodes.
fn has_edge(g: &RoadGraph, s: &Sketch, from: char, to: char) -> bool {
    match (s.node(g, from), s.node(g, to)) {
        (Some(a), Some(b)) => g.find_edge(a, b).is_some(),
        _ => false,
    }
}

fn travel_s(g: &RoadGraph, s: &Sketch, from: char, to: char) -> f32 {
    let e = g
        .find_edge(s.node(g, from).unwrap(), s.node(g, to).unwrap())
        .expect("edge exists");
    g.travel_s[e.0 as usize]
}

/// A square whose top side `ab` carries the tags under test; the other three sides are a
/// two-way residential street, so the square stays connected whatever `ab` allows.
fn square(tags: &[(&str, &str)]) -> Sketch {
    Sketch::new(
        "
        a-b
        | |
        c-d
        ",
    )
    .way("ab", tags)
    .way("bdca", &[("highway", "residential")])
}

fn directions(tags: &[(&str, &str)], mode: TravelMode) -> (bool, bool) {
    let s = square(tags);
    let g = graph(&s, mode);
    (has_edge(&g, &s, 'a', 'b'), has_edge(&g, &s, 'b', 'a'))
}

// ---- one-ways ----

#[test]
fn oneway_yes_allows_only_the_drawn_direction() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "yes")], Motorbike),
        (true, false)
    );
}

#[test]
fn oneway_1_is_the_same_as_yes() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "1")], Motorbike),
        (true, false)
    );
}

#[test]
fn oneway_true_is_the_same_as_yes() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "true")], Car),
        (true, false)
    );
}

#[test]
fn oneway_minus_1_allows_only_the_opposite_direction() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "-1")], Motorbike),
        (false, true)
    );
}

#[test]
fn oneway_reversible_is_not_usable_by_vehicles() {
    assert_eq!(
        directions(
            &[("highway", "primary"), ("oneway", "reversible")],
            Motorbike
        ),
        (false, false)
    );
}

#[test]
fn oneway_reversible_is_walkable_both_ways() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "reversible")], Walk),
        (true, true)
    );
}

#[test]
fn oneway_no_allows_both_directions() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "no")], Motorbike),
        (true, true)
    );
}

#[test]
fn roundabout_implies_oneway() {
    assert_eq!(
        directions(
            &[("highway", "primary"), ("junction", "roundabout")],
            Motorbike
        ),
        (true, false)
    );
}

#[test]
fn oneway_bicycle_no_lets_bicycles_ride_both_ways() {
    let tags = [
        ("highway", "residential"),
        ("oneway", "yes"),
        ("oneway:bicycle", "no"),
    ];
    assert_eq!(directions(&tags, Bicycle), (true, true));
    assert_eq!(directions(&tags, Motorbike), (true, false));
}

#[test]
fn oneway_motorcycle_no_lets_motorbikes_ride_both_ways_but_not_cars() {
    let tags = [
        ("highway", "tertiary"),
        ("oneway", "yes"),
        ("oneway:motorcycle", "no"),
    ];
    assert_eq!(directions(&tags, Motorbike), (true, true));
    assert_eq!(directions(&tags, Car), (true, false));
}

#[test]
fn walking_ignores_oneways() {
    assert_eq!(
        directions(&[("highway", "primary"), ("oneway", "yes")], Walk),
        (true, true)
    );
}

// ---- access ----

fn usable(tags: &[(&str, &str)], mode: TravelMode) -> bool {
    directions(tags, mode) != (false, false)
}

#[test]
fn motor_vehicle_no_blocks_motorbike_and_car_only() {
    let tags = [("highway", "residential"), ("motor_vehicle", "no")];
    assert!(!usable(&tags, Motorbike));
    assert!(!usable(&tags, Car));
    assert!(usable(&tags, Bicycle));
    assert!(usable(&tags, Walk));
}

#[test]
fn motorcycle_yes_overrides_access_no() {
    let tags = [
        ("highway", "residential"),
        ("access", "no"),
        ("motorcycle", "yes"),
    ];
    assert!(usable(&tags, Motorbike));
    assert!(!usable(&tags, Car));
    assert!(!usable(&tags, Walk));
}

#[test]
fn foot_no_blocks_walking_only() {
    let tags = [("highway", "primary"), ("foot", "no")];
    assert!(!usable(&tags, Walk));
    assert!(usable(&tags, Motorbike));
}

#[test]
fn access_private_blocks_every_mode() {
    let tags = [("highway", "service"), ("access", "private")];
    for mode in TravelMode::ALL {
        assert!(!usable(&tags, mode), "{mode}");
    }
}

#[test]
fn footway_is_for_walking_only() {
    let tags = [("highway", "footway")];
    assert!(usable(&tags, Walk));
    assert!(!usable(&tags, Motorbike));
    assert!(!usable(&tags, Car));
    assert!(!usable(&tags, Bicycle));
}

#[test]
fn footway_with_bicycle_yes_is_open_to_bicycles() {
    assert!(usable(
        &[("highway", "footway"), ("bicycle", "yes")],
        Bicycle
    ));
}

#[test]
fn steps_are_for_walking_only() {
    let tags = [("highway", "steps")];
    assert!(usable(&tags, Walk));
    assert!(!usable(&tags, Bicycle));
}

#[test]
fn motorbikes_are_banned_from_motorways_but_cars_are_not() {
    let tags = [("highway", "motorway"), ("oneway", "no")];
    assert!(!usable(&tags, Motorbike));
    assert!(usable(&tags, Car));
}

// ---- speeds ----

#[test]
fn sketch_speed_is_ten_seconds_per_cell() {
    let s = square(&[("highway", "primary")]);
    assert!((travel_s(&graph(&s, Motorbike), &s, 'a', 'b') - 20.0).abs() < 0.01);
}

#[test]
fn lower_maxspeed_is_honoured() {
    let s = square(&[("highway", "primary"), ("maxspeed", "18")]);
    assert!((travel_s(&graph(&s, Motorbike), &s, 'a', 'b') - 40.0).abs() < 0.01);
}

#[test]
fn higher_maxspeed_is_capped_at_the_class_speed() {
    let s = square(&[("highway", "primary"), ("maxspeed", "100 km/h")]);
    assert!((travel_s(&graph(&s, Motorbike), &s, 'a', 'b') - 20.0).abs() < 0.01);
}

#[test]
fn maxspeed_in_mph_is_converted() {
    // 10 mph = 16.09 km/h: 200 m take 44.7 s.
    let s = square(&[("highway", "primary"), ("maxspeed", "10 mph")]);
    assert!((travel_s(&graph(&s, Car), &s, 'a', 'b') - 44.74).abs() < 0.05);
}

#[test]
fn walking_ignores_maxspeed() {
    let s = square(&[("highway", "primary"), ("maxspeed", "5")]);
    assert!((travel_s(&graph(&s, Walk), &s, 'a', 'b') - 20.0).abs() < 0.01);
}

#[test]
fn speed_bands_follow_the_hour_of_the_week() {
    let at = |s: &str| motcua::hours::parse_moment(s).unwrap();
    let p = test_profile(Motorbike);
    assert_eq!(p.band_at(at("Mo 08:00")).name, "morning_peak");
    assert_eq!(p.band_at(at("Mo 08:00")).factor, 0.5);
    assert_eq!(p.band_at(at("Mo 09:00")).name, motcua::graph::FREE_FLOW);
    assert_eq!(p.band_at(at("Sa 08:00")).factor, 1.0);
}

#[test]
fn embedded_motorbike_peaks_are_slower_than_free_flow_and_nights_faster() {
    let p = SpeedProfile::embedded(Motorbike);
    let at = |s: &str| p.band_at(motcua::hours::parse_moment(s).unwrap());
    assert!(at("Tu 08:00").factor < 1.0);
    assert!(at("Th 17:30").factor < at("Th 12:00").factor);
    assert_eq!(at("Th 12:00").factor, 1.0);
    assert!(at("Su 02:00").factor > 1.0);
    assert_eq!(at("Sa 10:00").name, "weekend");
}

#[test]
fn a_band_that_is_not_opening_hours_syntax_is_refused() {
    let text = SpeedProfile::embedded_text(Car).replacen("Mo-Fr 06:30-09:00", "weekdays 6:30", 1);
    let err = SpeedProfile::parse(&text, "car.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bands[0].hours") && err.contains("car.toml"),
        "{err}"
    );
}

// ---- connectivity ----

#[test]
fn only_the_largest_strongly_connected_component_is_kept() {
    // Square abdc is strongly connected; e hangs off it by a one-way street (can be reached but
    // not left); f-g is an island.
    let s = Sketch::new(
        "
        a-b-e   f-g
        | |
        c-d
        ",
    )
    .way("abdca", &[("highway", "residential")])
    .way("be", &[("highway", "residential"), ("oneway", "yes")])
    .way("fg", &[("highway", "residential")]);
    let g = graph(&s, Motorbike);
    assert_eq!(g.num_nodes(), 4);
    for gone in ['e', 'f', 'g'] {
        assert!(s.node(&g, gone).is_none(), "{gone} should be dropped");
    }
}

#[test]
fn no_usable_road_is_a_clear_error() {
    let only_footways = Sketch::new("a-b").way("ab", &[("highway", "footway")]);
    let err = RoadGraph::build(&only_footways.build(), &test_profile(Car)).unwrap_err();
    assert!(
        matches!(err, GraphError::NoUsableRoads { mode: Car, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no usable roads for car"), "{err}");
}

// ---- snapping ----

/// A street a-b-c with a footway d-e parallel to it, 100 m to the south.
fn street_and_footway() -> Sketch {
    Sketch::new(
        "
        a-b-c
        d-e
        ",
    )
    .way("abc", &[("highway", "residential")])
    .way("de", &[("highway", "footway")])
    .way("ad", &[("highway", "footway")])
}

#[test]
fn snapping_uses_the_edges_of_the_mode() {
    let s = street_and_footway();
    // 70 m south of b: nearer the footway (30 m) than the street (70 m).
    let (lon, lat) = s.node_coord('b');
    let lat = lat - 70.0 / 111_195.0;
    let walk = graph(&s, Walk);
    let snap = SnapIndex::new(&walk).snap(&walk, lon, lat, 500.0).unwrap();
    assert!((snap.distance_m - 30.0).abs() < 1.0, "{snap:?}");
    let moto = graph(&s, Motorbike);
    let snap = SnapIndex::new(&moto).snap(&moto, lon, lat, 500.0).unwrap();
    assert!((snap.distance_m - 70.0).abs() < 1.0, "{snap:?}");
}

#[test]
fn snap_reports_fraction_point_and_both_directions() {
    let s = Sketch::new("a---b").way("ab", &[("highway", "residential")]);
    let g = graph(&s, Motorbike);
    let (a, b) = (s.node_coord('a'), s.node_coord('b'));
    // A quarter of the way from a to b, 20 m north.
    let lon = a.0 + 0.25 * (b.0 - a.0);
    let lat = a.1 + 20.0 / 111_195.0;
    let snap = SnapIndex::new(&g).snap(&g, lon, lat, 100.0).unwrap();
    let e = snap.edge.0 as usize;
    let from_tail = if g.tail[e] == s.node(&g, 'a').unwrap() {
        snap.fraction
    } else {
        1.0 - snap.fraction
    };
    assert!((from_tail - 0.25).abs() < 1e-6, "{snap:?}");
    assert!((snap.distance_m - 20.0).abs() < 0.1);
    assert!((snap.lon - lon).abs() < 1e-9 && (snap.lat - a.1).abs() < 1e-9);
    let r = snap.reverse.expect("two-way street");
    assert_eq!(
        (g.tail[r.0 as usize], g.head[r.0 as usize]),
        (g.head[e], g.tail[e])
    );
}

#[test]
fn one_way_snap_has_no_reverse_edge() {
    let s = square(&[("highway", "primary"), ("oneway", "yes")]);
    let g = graph(&s, Motorbike);
    let (a, b) = (s.node_coord('a'), s.node_coord('b'));
    let snap = SnapIndex::new(&g)
        .snap(&g, (a.0 + b.0) / 2.0, a.1 + 10.0 / 111_195.0, 50.0)
        .unwrap();
    assert_eq!(snap.reverse, None);
}

#[test]
fn snap_farther_than_the_limit_is_none() {
    let s = Sketch::new("a-b").way("ab", &[("highway", "residential")]);
    let g = graph(&s, Motorbike);
    let (lon, lat) = s.node_coord('a');
    assert!(
        SnapIndex::new(&g)
            .snap(&g, lon, lat + 0.01, 500.0)
            .is_none()
    );
}

// ---- real extracts ----

/// (mode, nodes, edges) of the largest strongly connected component, reviewed by eye against
/// the figures of the data sources (largest drivable SCC: 28,971 nodes for hanoi-urban, 28,811
/// for hanoi-central, with access=no/private as the only restriction). Motorbikes lose the
/// motorways and the 317 service ways tagged motor_vehicle=no in 2017; cars lose the 942
/// alleys tagged motorcar=no in 2025; walking gains footways, paths and steps. In 2025 closed
/// barriers (gates with access=private or no, 201-305 of the 687 barrier nodes by mode) cut off
/// 520-1,121 nodes of gated compounds, and access=permit closes the Ba Đình precinct to walkers.
/// A change here means the build rules or a profile changed: look, then update.
fn pinned_counts(area: &str) -> [(TravelMode, usize, usize); 4] {
    match area {
        "hanoi-urban" => [
            (Motorbike, 27_586, 57_872),
            (Car, 28_015, 58_296),
            (Bicycle, 29_571, 62_068),
            (Walk, 33_082, 75_788),
        ],
        _ => [
            (Motorbike, 27_793, 55_737),
            (Car, 23_731, 45_553),
            (Bicycle, 28_490, 57_189),
            (Walk, 44_419, 102_132),
        ],
    }
}

fn check_area(area: &str) {
    let osm = read_pbf(&area_pbf(area)).unwrap();
    let mut counts = Vec::new();
    for mode in TravelMode::ALL {
        let g = RoadGraph::build(&osm, &SpeedProfile::embedded(mode)).unwrap();
        g.check_invariants()
            .unwrap_or_else(|e| panic!("{area} {mode}: {e}"));
        counts.push((mode, g.num_nodes(), g.num_edges()));
    }
    assert_eq!(counts, pinned_counts(area).to_vec(), "{area}");
}

/// Nodes reached from node 0 following edges forwards (`forward`) or backwards.
fn reached(g: &RoadGraph, forward: bool) -> usize {
    let mut seen = vec![false; g.num_nodes()];
    let mut stack = vec![motcua::graph::NodeId(0)];
    seen[0] = true;
    while let Some(n) = stack.pop() {
        let next: Vec<_> = if forward {
            g.out_edges(n).map(|e| g.head[e]).collect()
        } else {
            g.in_edges(n).iter().map(|e| g.tail[e.0 as usize]).collect()
        };
        for m in next {
            if !seen[m.0 as usize] {
                seen[m.0 as usize] = true;
                stack.push(m);
            }
        }
    }
    seen.iter().filter(|&&s| s).count()
}

#[test]
fn every_node_of_a_real_graph_reaches_and_is_reached_by_every_other() {
    let osm = read_pbf(&area_pbf("hanoi-central")).unwrap();
    for mode in TravelMode::ALL {
        let g = RoadGraph::build(&osm, &SpeedProfile::embedded(mode)).unwrap();
        assert_eq!(reached(&g, true), g.num_nodes(), "{mode} forward");
        assert_eq!(reached(&g, false), g.num_nodes(), "{mode} backward");
    }
}

#[test]
fn hanoi_urban_graphs_hold_invariants_and_pinned_counts() {
    check_area("hanoi-urban");
}

#[test]
fn hanoi_central_graphs_hold_invariants_and_pinned_counts() {
    check_area("hanoi-central");
}

/// Undirected road length in km (a two-way segment counted once).
fn network_km(g: &RoadGraph) -> f64 {
    (0..g.num_edges())
        .filter(|&e| {
            g.find_edge(g.head[e], g.tail[e])
                .is_none_or(|r| r.0 as usize > e)
        })
        .map(|e| f64::from(g.length_m[e]) / 1000.0)
        .sum()
}

#[test]
fn hanoi_urban_drivable_network_is_about_as_long_as_its_source_says() {
    // The source reports ~2,032 km of drivable road before the connectivity check.
    let osm = read_pbf(&area_pbf("hanoi-urban")).unwrap();
    let car = RoadGraph::build(&osm, &SpeedProfile::embedded(Car)).unwrap();
    let km = network_km(&car);
    assert!((1_850.0..2_032.0).contains(&km), "{km} km");
}

#[test]
fn hanoi_urban_extract_reads_its_highways() {
    let osm = read_pbf(&area_pbf("hanoi-urban")).unwrap();
    assert_eq!(osm.ways.len(), 7185, "one way per line of the 2017 export");
    let [w, s, e, n] = osm.bbox().unwrap();
    assert!(w > 105.5 && e < 106.0 && s > 20.8 && n < 21.2);
    assert!(osm.nodes.windows(2).all(|p| p[0].id < p[1].id));
}

// ---- bad inputs ----

/// The error for bytes that must be refused (without printing the data if they are not).
fn refused(bytes: &[u8], label: &str) -> IngestError {
    match read_pbf_bytes(bytes, label) {
        Ok(osm) => panic!("{label} was read: {} ways", osm.ways.len()),
        Err(e) => e,
    }
}

#[test]
fn missing_file_names_the_path() {
    let err = read_pbf(Path::new("/nonexistent/roads.osm.pbf")).unwrap_err();
    assert!(matches!(err, IngestError::Unreadable { .. }));
    assert!(
        err.to_string().contains("/nonexistent/roads.osm.pbf"),
        "{err}"
    );
}

#[test]
fn empty_file_is_refused() {
    let err = refused(&[], "empty.osm.pbf");
    assert!(err.to_string().contains("empty.osm.pbf is empty"), "{err}");
}

#[test]
fn truncated_file_is_reported_as_corrupt() {
    let bytes = std::fs::read(area_pbf("hanoi-urban")).unwrap();
    let err = refused(&bytes[..bytes.len() / 2], "cut.osm.pbf");
    assert!(matches!(err, IngestError::Corrupt { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("cut.osm.pbf is not a valid .osm.pbf"),
        "{err}"
    );
}

#[test]
fn stray_bytes_after_the_last_block_are_reported() {
    let mut bytes = std::fs::read(area_pbf("hanoi-urban")).unwrap();
    bytes.extend([0, 0]);
    let err = refused(&bytes, "tail.osm.pbf");
    assert!(err.to_string().contains("2 stray bytes"), "{err}");
}

#[test]
fn other_format_is_reported_as_corrupt() {
    let err = refused(b"<?xml version='1.0'?><osm></osm>", "roads.osm");
    assert!(matches!(err, IngestError::Corrupt { .. }), "{err}");
}

/// Splits a PBF into its blocks (4-byte length, BlobHeader, Blob) by reading the `datasize`
/// field (3) of each BlobHeader.
fn pbf_blocks(bytes: &[u8]) -> Vec<&[u8]> {
    fn varint(b: &[u8], pos: &mut usize) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = b[*pos];
            *pos += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
        }
        v
    }
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let header_len = u32::from_be_bytes(bytes[start..start + 4].try_into().unwrap()) as usize;
        let header = &bytes[start + 4..start + 4 + header_len];
        let (mut pos, mut datasize) = (0, 0);
        while pos < header.len() {
            let key = varint(header, &mut pos);
            match key & 7 {
                0 => {
                    let v = varint(header, &mut pos);
                    if key >> 3 == 3 {
                        datasize = v as usize;
                    }
                }
                2 => {
                    let len = varint(header, &mut pos) as usize;
                    pos += len;
                }
                other => panic!("unexpected wire type {other}"),
            }
        }
        let end = start + 4 + header_len + datasize;
        blocks.push(&bytes[start..end]);
        start = end;
    }
    blocks
}

#[test]
fn pbf_without_highways_is_refused() {
    // The header block and the first data block of a sorted extract: nodes only.
    let bytes = std::fs::read(area_pbf("hanoi-urban")).unwrap();
    let blocks = pbf_blocks(&bytes);
    assert!(blocks.len() > 2);
    let nodes_only = [blocks[0], blocks[1]].concat();
    let err = refused(&nodes_only, "nodes.osm.pbf");
    assert!(matches!(err, IngestError::NoHighways { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("nodes.osm.pbf has no highway=* ways"),
        "{err}"
    );
}

// ---- cache ----

fn cache_case() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let area = dir.path().join("hanoi-urban");
    std::fs::create_dir_all(&area).unwrap();
    let pbf = area.join("roads.osm.pbf");
    std::fs::copy(area_pbf("hanoi-urban"), &pbf).unwrap();
    (dir, pbf)
}

fn load(pbf: &Path, dir: &Path) -> (RoadGraph, CacheStatus) {
    load_or_build(pbf, &SpeedProfile::embedded(Motorbike), Some(dir)).unwrap()
}

fn cache_file(dir: &Path, pbf: &Path) -> PathBuf {
    motcua::graph::cache::cache_path(dir, pbf, Motorbike)
}

#[test]
fn cache_hit_gives_the_same_graph() {
    let (dir, pbf) = cache_case();
    let (built, status) = load(&pbf, dir.path());
    assert_eq!(status, CacheStatus::Built);
    let (cached, status) = load(&pbf, dir.path());
    assert_eq!(status, CacheStatus::Hit);
    assert_eq!(cached, built);
}

#[test]
fn cache_is_rebuilt_when_the_extract_changes() {
    let (dir, pbf) = cache_case();
    load(&pbf, dir.path());
    std::fs::copy(area_pbf("hanoi-central"), &pbf).unwrap();
    let (g, status) = load(&pbf, dir.path());
    assert!(
        matches!(&status, CacheStatus::Rebuilt(r) if r.contains("stale")),
        "{status:?}"
    );
    assert_eq!(load(&pbf, dir.path()).0, g);
}

#[test]
fn one_graph_serves_every_hour_speed_bands_leave_the_cache_alone() {
    let (dir, pbf) = cache_case();
    load(&pbf, dir.path());
    let mut other_bands = SpeedProfile::embedded(Motorbike);
    other_bands.bands[0].factor = 0.3;
    let (_, status) = load_or_build(&pbf, &other_bands, Some(dir.path())).unwrap();
    assert_eq!(status, CacheStatus::Hit, "bands scale times, not the graph");
}

#[test]
fn cache_is_rebuilt_when_the_profile_changes() {
    let (dir, pbf) = cache_case();
    load(&pbf, dir.path());
    let mut faster = SpeedProfile::embedded(Motorbike);
    faster.speed_kmh.insert("primary".into(), 45.0);
    let (_, status) = load_or_build(&pbf, &faster, Some(dir.path())).unwrap();
    assert!(
        matches!(&status, CacheStatus::Rebuilt(r) if r.contains("stale")),
        "{status:?}"
    );
}

#[test]
fn truncated_cache_is_rebuilt() {
    let (dir, pbf) = cache_case();
    load(&pbf, dir.path());
    let file = cache_file(dir.path(), &pbf);
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 100]).unwrap();
    let (_, status) = load(&pbf, dir.path());
    assert!(
        matches!(&status, CacheStatus::Rebuilt(r) if r.contains("truncated")),
        "{status:?}"
    );
    assert_eq!(load(&pbf, dir.path()).1, CacheStatus::Hit);
}

#[test]
fn flipped_byte_in_cache_is_rebuilt() {
    let (dir, pbf) = cache_case();
    load(&pbf, dir.path());
    let file = cache_file(dir.path(), &pbf);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&file, &bytes).unwrap();
    let (_, status) = load(&pbf, dir.path());
    assert!(
        matches!(&status, CacheStatus::Rebuilt(r) if r.contains("corrupt")),
        "{status:?}"
    );
}

#[test]
fn no_cache_dir_builds_every_time() {
    let (_dir, pbf) = cache_case();
    let (_, status) = load_or_build(&pbf, &SpeedProfile::embedded(Walk), None).unwrap();
    assert_eq!(status, CacheStatus::Built);
}

#[test]
fn unwritable_cache_dir_still_gives_a_graph() {
    let (dir, pbf) = cache_case();
    let not_a_dir = dir.path().join("plain-file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let (g, status) = load(&pbf, &not_a_dir);
    assert_ne!(status, CacheStatus::Hit);
    assert!(g.num_nodes() > 0);
}

// ---- profiles ----

fn profile_path(mode: TravelMode) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/profiles")
        .join(format!("{mode}.toml"))
}

#[test]
fn profile_files_load_as_the_embedded_profiles() {
    for mode in TravelMode::ALL {
        assert_eq!(
            SpeedProfile::load(&profile_path(mode)).unwrap(),
            SpeedProfile::embedded(mode)
        );
    }
}

#[test]
fn missing_profile_file_names_the_path() {
    let err = SpeedProfile::load(Path::new("/nonexistent/boat.toml")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/boat.toml"), "{err}");
}

#[test]
fn misspelt_profile_field_is_refused() {
    let text = SpeedProfile::embedded_text(Walk).replace("max_speed_kmh", "max_sped_kmh");
    let err = SpeedProfile::parse(&text, "walk.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("walk.toml") && err.contains("max_sped_kmh"),
        "{err}"
    );
}

#[test]
fn profiles_rank_modes_sensibly_on_a_primary_road() {
    let kmh = |mode| SpeedProfile::embedded(mode).speed_kmh["primary"];
    assert!(
        kmh(Motorbike) > kmh(Car),
        "motorbikes filter through Hanoi traffic"
    );
    assert!(kmh(Car) > kmh(Bicycle));
    assert!(kmh(Bicycle) > kmh(Walk));
}

// ---- sketches ----

#[test]
fn grid_city_is_almost_entirely_strongly_connected() {
    let osm = motcua::graph::sketch::grid_city(40, 7);
    let g = RoadGraph::build(&osm, &test_profile(Motorbike)).unwrap();
    g.check_invariants().unwrap();
    assert!(
        g.num_nodes() >= 40 * 40 * 99 / 100,
        "{} nodes",
        g.num_nodes()
    );
}

#[test]
fn grid_city_is_the_same_for_the_same_seed() {
    use motcua::graph::sketch::grid_city;
    assert_eq!(grid_city(20, 3), grid_city(20, 3));
    assert_ne!(grid_city(20, 3), grid_city(20, 4));
}

// ---- random networks ----

mod random_networks {
    use super::*;
    use motcua::ingest::{OsmBarrier, OsmData, OsmNode, OsmWay};
    use proptest::prelude::*;

    const CLASSES: [&str; 6] = [
        "primary",
        "residential",
        "footway",
        "motorway",
        "service",
        "steps",
    ];
    const EXTRA: [(&str, &str); 7] = [
        ("oneway", "yes"),
        ("oneway", "-1"),
        ("junction", "roundabout"),
        ("access", "private"),
        ("motorcycle", "yes"),
        ("maxspeed", "20"),
        ("name", "Phố Huế"),
    ];
    /// Barrier types: one that stops every mode, one that stops cars only, one that stops none.
    const BARRIERS: [&str; 3] = ["wall", "bollard", "gate"];

    fn network() -> impl Strategy<Value = OsmData> {
        let way = (
            proptest::collection::vec(0i64..12, 2..6),
            0..CLASSES.len(),
            proptest::option::of(0..EXTRA.len()),
        );
        let barriers = proptest::collection::vec((0i64..12, 0..BARRIERS.len()), 0..4);
        (proptest::collection::vec(way, 1..25), barriers).prop_map(|(ways, barriers)| {
            let mut osm = OsmData {
                // 12 nodes on a 4 x 3 grid, 100 m apart; node 5 and 6 share a spot.
                nodes: (0..12)
                    .map(|i| {
                        let (col, row) = if i == 6 { (1, 1) } else { (i % 4, i / 4) };
                        let (lon, lat) =
                            motcua::graph::sketch::cell_coord(col as usize, row as usize);
                        OsmNode { id: i, lon, lat }
                    })
                    .collect(),
                ways: ways
                    .into_iter()
                    .enumerate()
                    .map(|(i, (nodes, class, extra))| {
                        let mut tags = vec![("highway".to_string(), CLASSES[class].to_string())];
                        if let Some(x) = extra {
                            tags.push((EXTRA[x].0.to_string(), EXTRA[x].1.to_string()));
                        }
                        OsmWay {
                            id: i as i64 + 1,
                            nodes,
                            tags,
                        }
                    })
                    .collect(),
                barriers: barriers
                    .into_iter()
                    .map(|(id, b)| OsmBarrier {
                        id,
                        tags: vec![("barrier".to_string(), BARRIERS[b].to_string())],
                    })
                    .collect(),
            };
            osm.normalise();
            osm
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the ways, a graph is either refused with NoUsableRoads or strongly connected
        /// and consistent.
        #[test]
        fn built_graphs_are_consistent_and_strongly_connected(osm in network()) {
            for mode in TravelMode::ALL {
                match RoadGraph::build(&osm, &test_profile(mode)) {
                    Ok(g) => {
                        prop_assert!(g.check_invariants().is_ok(), "{:?}", g.check_invariants());
                        prop_assert!(g.num_nodes() >= 2);
                        prop_assert_eq!(reached(&g, true), g.num_nodes());
                        prop_assert_eq!(reached(&g, false), g.num_nodes());
                    }
                    Err(GraphError::NoUsableRoads { .. }) => {}
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                }
            }
        }
    }
}
