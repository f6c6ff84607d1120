//! Every form `--osm` reads gives the same roads: one network around Hoàn Kiếm lake as PBF, OSM
//! XML (each node listed twice), Overpass JSON and OSMnx GraphML (`tests/fixtures/ingest/`);
//! the shipped central extract written as XML and JSON reads back to the same data; bad files
//! get one-line errors naming the file; receiving points come from tagged offices.

use std::io::Write;
use std::path::{Path, PathBuf};

use motcua::graph::{RoadGraph, SpeedProfile, TravelMode};
use motcua::ingest::overpass::write_overpass_json;
use motcua::ingest::xml::write_xml;
use motcua::ingest::{ElementKind, IngestError, OsmFormat, ReadOptions, read_osm, read_osm_with};
use motcua::scenario::{
    AreaOptions, OsmPointsRequest, OsmPointsUse, PointKind, REPLACE_WITHIN_M, ScenarioError,
    StudyArea,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

fn area_pbf(area: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("data/areas/{area}/roads.osm.pbf"))
}

const FORMS: [(&str, OsmFormat); 4] = [
    ("hoan_kiem.osm.pbf", OsmFormat::Pbf),
    ("hoan_kiem.osm", OsmFormat::Xml),
    ("hoan_kiem.json", OsmFormat::OverpassJson),
    ("hoan_kiem.graphml", OsmFormat::GraphMl),
];

/// A file in a fresh temporary folder.
fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// The error reading `bytes` saved as `name` gives; it must be one line naming the file.
fn refused(name: &str, bytes: &[u8]) -> IngestError {
    let (_dir, path) = temp_file(name, bytes);
    let err = match read_osm(&path) {
        Ok(osm) => panic!("{name} was read: {} ways", osm.ways.len()),
        Err(e) => e,
    };
    let text = err.to_string();
    assert!(text.contains(name), "{text}");
    assert!(!text.contains('\n'), "{text}");
    err
}

/// A graph as a sorted list of arcs by position, so that graphs whose node numbering differs
/// (GraphML gives inner points ids of its own) can be compared: (tail, head) positions in 1e-7
/// degrees, length in mm, travel time in ms.
fn arcs(graph: &RoadGraph) -> Vec<[i64; 6]> {
    let at = |n: u32| {
        let n = n as usize;
        [
            (graph.lon[n] * 1e7).round() as i64,
            (graph.lat[n] * 1e7).round() as i64,
        ]
    };
    let mut arcs: Vec<[i64; 6]> = (0..graph.num_edges())
        .map(|e| {
            let (t, h) = (at(graph.tail[e].0), at(graph.head[e].0));
            [
                t[0],
                t[1],
                h[0],
                h[1],
                (f64::from(graph.length_m[e]) * 1e3).round() as i64,
                (f64::from(graph.travel_s[e]) * 1e3).round() as i64,
            ]
        })
        .collect();
    arcs.sort_unstable();
    arcs
}

#[test]
fn every_form_of_one_network_gives_the_same_graph() {
    for mode in [TravelMode::Motorbike, TravelMode::Car, TravelMode::Walk] {
        let profile = SpeedProfile::embedded(mode);
        let graphs: Vec<(&str, RoadGraph)> = FORMS
            .iter()
            .map(|(name, _)| {
                let osm = read_osm(&fixture(name)).unwrap_or_else(|e| panic!("{e}"));
                (*name, RoadGraph::build(&osm, &profile).unwrap())
            })
            .collect();
        let (first, reference) = &graphs[0];
        let one_way = |g: &RoadGraph| {
            (0..g.num_edges())
                .filter(|&e| g.find_edge(g.head[e], g.tail[e]).is_none())
                .count()
        };
        assert!(
            reference.num_edges() >= 8,
            "{mode}: {}",
            reference.num_edges()
        );
        for (name, graph) in &graphs[1..] {
            assert_eq!(
                (graph.num_nodes(), graph.num_edges(), one_way(graph)),
                (
                    reference.num_nodes(),
                    reference.num_edges(),
                    one_way(reference)
                ),
                "{mode}: {name} against {first}"
            );
            assert_eq!(
                arcs(graph),
                arcs(reference),
                "{mode}: {name} against {first}"
            );
        }
    }
}

#[test]
fn pbf_xml_and_json_give_the_same_ways_and_nodes() {
    let pbf = read_osm(&fixture("hoan_kiem.osm.pbf")).unwrap();
    for name in ["hoan_kiem.osm", "hoan_kiem.json"] {
        let other = read_osm(&fixture(name)).unwrap();
        assert_eq!(other.ways, pbf.ways, "{name}");
        assert_eq!(other.nodes.len(), pbf.nodes.len(), "{name}");
        for (a, b) in other.nodes.iter().zip(&pbf.nodes) {
            assert_eq!(a.id, b.id);
            // PBF stores 1e-7 degrees as integers; the text forms parse the decimals.
            assert!((a.lon - b.lon).abs() < 1e-9 && (a.lat - b.lat).abs() < 1e-9);
        }
    }
}

#[test]
fn the_form_is_told_by_content_and_reported() {
    for (name, form) in FORMS {
        let extract = read_osm_with(&fixture(name), &ReadOptions::default()).unwrap();
        assert_eq!(extract.format, Some(form), "{name}");
        // The same bytes under a misleading name read the same way.
        let (_dir, path) = temp_file("roads.txt", &std::fs::read(fixture(name)).unwrap());
        assert_eq!(
            read_osm(&path).unwrap(),
            extract.roads,
            "{name} as roads.txt"
        );
    }
}

#[test]
fn xml_listing_every_node_twice_is_read_once() {
    let text = std::fs::read_to_string(fixture("hoan_kiem.osm")).unwrap();
    let listed = text.matches("<node ").count();
    let osm = read_osm(&fixture("hoan_kiem.osm")).unwrap();
    assert_eq!(listed, 2 * osm.nodes.len());
    assert_eq!((osm.ways.len(), osm.nodes.len()), (46, 385));
}

#[test]
fn gzip_and_bzip2_xml_read_as_the_plain_file() {
    let plain = std::fs::read(fixture("hoan_kiem.osm")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&plain).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&plain).unwrap();
    let expected = read_osm(&fixture("hoan_kiem.osm")).unwrap();
    for (name, bytes) in [
        ("roads.osm.gz", gz.finish().unwrap()),
        ("roads.osm.bz2", bz.finish().unwrap()),
    ] {
        let (_dir, path) = temp_file(name, &bytes);
        assert_eq!(read_osm(&path).unwrap(), expected, "{name}");
    }
}

/// The central extract written as XML and as Overpass JSON (plain and gzip) reads back to the
/// same data and the same graph.
#[test]
fn central_extract_round_trips_through_xml_and_json() {
    let pbf = read_osm(&area_pbf("hanoi-central")).unwrap();
    let profile = SpeedProfile::embedded(TravelMode::Motorbike);
    let graph = RoadGraph::build(&pbf, &profile).unwrap();
    let mut xml = Vec::new();
    write_xml(&pbf, &mut xml).unwrap();
    let mut json = Vec::new();
    write_overpass_json(&pbf, &mut json).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&xml).unwrap();
    for (name, bytes) in [
        ("central.osm", xml.clone()),
        ("central.json", json),
        ("central.osm.gz", gz.finish().unwrap()),
    ] {
        let (_dir, path) = temp_file(name, &bytes);
        let back = read_osm(&path).unwrap();
        assert!(back.ways == pbf.ways, "{name} reads back to other ways");
        // serde_json parses decimals to within one unit in the last place, not always exactly.
        let same_nodes = back.nodes.len() == pbf.nodes.len()
            && back.nodes.iter().zip(&pbf.nodes).all(|(a, b)| {
                a.id == b.id && (a.lon - b.lon).abs() < 1e-12 && (a.lat - b.lat).abs() < 1e-12
            });
        assert!(same_nodes, "{name} reads back to other nodes");
        let (back, expected) = (
            arcs(&RoadGraph::build(&back, &profile).unwrap()),
            arcs(&graph),
        );
        // The same arcs between the same positions; lengths and times within a unit of rounding.
        assert_eq!(back.len(), expected.len(), "{name}");
        for (a, b) in back.iter().zip(&expected) {
            assert_eq!(a[..4], b[..4], "{name}");
            assert!(
                (a[4] - b[4]).abs() <= 1 && (a[5] - b[5]).abs() <= 1,
                "{name}: {a:?} {b:?}"
            );
        }
    }
}

#[test]
fn every_form_gives_the_same_coverage() {
    let reports: Vec<_> = FORMS
        .iter()
        .map(|(name, _)| {
            let options = AreaOptions {
                roads: Some(fixture(name)),
                cache_dir: None,
                ..AreaOptions::default()
            };
            let area = StudyArea::open("hanoi-central", &options).unwrap();
            let report = area.evaluate(&area.baseline()).unwrap().report;
            let cells: Vec<_> = report
                .cells
                .iter()
                .map(|c| {
                    (
                        c.cell,
                        c.status,
                        c.travel_s.map(|t| (t * 1e3).round() as i64),
                    )
                })
                .collect();
            (
                report.summary.population_total,
                report.summary.population_covered,
                cells,
            )
        })
        .collect();
    assert!(!reports[0].2.is_empty());
    for (i, r) in reports.iter().enumerate().skip(1) {
        assert_eq!(r, &reports[0], "{} against {}", FORMS[i].0, FORMS[0].0);
    }
}

// ---- bad input: one line naming the file and what was expected, never a panic ----

#[test]
fn a_file_in_no_form_read_lists_the_forms() {
    let err = refused("roads.osm", b"<html><body>rate limited</body></html>");
    assert!(matches!(err, IngestError::UnknownFormat { .. }), "{err}");
    assert!(
        err.to_string().contains("Overpass JSON, OSMnx GraphML"),
        "{err}"
    );
    let err = refused("roads.osm.pbf", &[0x50, 0x4b, 3, 4, 0, 0, 0, 0]);
    assert!(err.to_string().contains("bytes 50 4b 03 04"), "{err}");
    let err = refused("empty.osm", b"");
    assert!(matches!(err, IngestError::Empty { .. }), "{err}");
}

#[test]
fn truncated_text_forms_are_refused() {
    for name in ["hoan_kiem.osm", "hoan_kiem.json", "hoan_kiem.graphml"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let err = refused(name, &bytes[..bytes.len() / 2]);
        assert!(
            matches!(err, IngestError::Malformed { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}

#[test]
fn a_cut_at_any_point_is_an_error_or_a_smaller_network_never_a_panic() {
    for name in ["hoan_kiem.osm", "hoan_kiem.json", "hoan_kiem.graphml"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        for cut in (0..bytes.len()).step_by(1_009) {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            if let Err(e) = read_osm(&path) {
                assert!(!e.to_string().contains('\n'), "{e}");
            }
        }
    }
}

#[test]
fn graphml_without_coordinates_is_refused() {
    let text = std::fs::read_to_string(fixture("hoan_kiem.graphml")).unwrap();
    let x_key = text
        .lines()
        .find(|l| l.contains("attr.name=\"x\""))
        .expect("an x key");
    let err = refused("no_x.graphml", text.replace(x_key, "").as_bytes());
    assert!(err.to_string().contains("x = longitude"), "{err}");
}

#[test]
fn graphml_edges_naming_missing_nodes_are_refused() {
    let text = std::fs::read_to_string(fixture("hoan_kiem.graphml")).unwrap();
    let start = text.find("<node id=\"").unwrap();
    let end = start + text[start..].find("</node>").unwrap() + "</node>".len();
    let err = refused(
        "missing.graphml",
        format!("{}{}", &text[..start], &text[end..]).as_bytes(),
    );
    assert!(matches!(err, IngestError::Invalid { .. }), "{err}");
    assert!(
        err.to_string().contains("which the file does not have"),
        "{err}"
    );
}

#[test]
fn overpass_json_without_elements_is_refused() {
    let err = refused(
        "answer.json",
        br#"{"version": 0.6, "remark": "runtime error"}"#,
    );
    assert!(err.to_string().contains("\"elements\""), "{err}");
}

// ---- issue 13, item 5: coordinates and PBF header features ----

/// A PBF (written by osmium) whose two nodes lie at (200, 95) and (-200, -95).
#[test]
fn issue13_item5_pbf_coordinates_out_of_range() {
    let err = read_osm(&fixture("bad_coordinates.osm.pbf")).unwrap_err();
    assert!(matches!(err, IngestError::BadCoordinate { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("bad_coordinates.osm.pbf"), "{text}");
    assert!(
        text.contains("node 1: longitude 200 is outside -180..180"),
        "{text}"
    );
}

#[test]
fn issue13_item5_text_forms_coordinates_out_of_range() {
    let xml = r#"<osm version="0.6"><node id="7" lat="95" lon="105.8"/><node id="8" lat="21" lon="105.8"/>
        <way id="1"><nd ref="7"/><nd ref="8"/><tag k="highway" v="residential"/></way></osm>"#;
    let err = refused("far.osm", xml.as_bytes());
    assert!(
        err.to_string()
            .contains("node 7: latitude 95 is outside -90..90"),
        "{err}"
    );
    let xml = xml.replace("lat=\"95\"", "lat=\"NaN\"");
    let err = refused("nan.osm", xml.as_bytes());
    assert!(err.to_string().contains("node 7: latitude NaN"), "{err}");
    let json = r#"{"elements": [{"type": "node", "id": 9, "lat": 21.0, "lon": -200.5}]}"#;
    let err = refused("far.json", json.as_bytes());
    assert!(
        err.to_string().contains("node 9: longitude -200.5"),
        "{err}"
    );
    let text = std::fs::read_to_string(fixture("hoan_kiem.graphml")).unwrap();
    let x_key = text
        .lines()
        .find(|l| l.contains("attr.name=\"x\""))
        .unwrap();
    let id = x_key
        .split("id=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let open = format!("<data key=\"{id}\">");
    let at = text.find(&open).unwrap() + open.len();
    let end = at + text[at..].find('<').unwrap();
    let err = refused(
        "far.graphml",
        format!("{}1e9{}", &text[..at], &text[end..]).as_bytes(),
    );
    assert!(
        err.to_string().contains("longitude 1000000000 is outside"),
        "{err}"
    );
}

/// PBF headers written by osmium without compression, with the feature name patched in place
/// (same length, so the framing still holds).
#[test]
fn issue13_item5_pbf_unknown_required_feature() {
    let bytes = std::fs::read(fixture("hoan_kiem_raw.osm.pbf")).unwrap();
    assert!(read_osm(&fixture("hoan_kiem_raw.osm.pbf")).is_ok());
    let at = bytes
        .windows(10)
        .position(|w| w == b"DenseNodes")
        .expect("DenseNodes in the header");
    let mut patched = bytes.clone();
    patched[at..at + 10].copy_from_slice(b"SparseRoad");
    let err = refused("future.osm.pbf", &patched);
    assert!(
        matches!(err, IngestError::UnsupportedFeature { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("\"SparseRoad\""), "{err}");
}

#[test]
fn issue13_item5_pbf_history_file_is_refused() {
    let err = read_osm(&fixture("hoan_kiem.osh.pbf")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("\"HistoricalInformation\""), "{text}");
    assert!(text.contains("use a current extract"), "{text}");
}

// ---- receiving points from OpenStreetMap ----

const OFFICE_TAGS: &str = "amenity=townhall,amenity=post_office,office=government";

#[test]
fn points_from_tags_on_a_fixture_with_a_townhall_way_and_post_office_nodes() {
    let options = ReadOptions {
        features: OFFICE_TAGS.parse().unwrap(),
        require_roads: true,
    };
    let extract = read_osm_with(&fixture("offices.osm"), &options).unwrap();
    let found: Vec<(ElementKind, i64, usize)> = extract
        .features
        .iter()
        .map(|f| (f.kind, f.id, f.matched))
        .collect();
    // Sorted by kind and id: the cafe is not asked for.
    assert_eq!(
        found,
        [
            (ElementKind::Node, -22, 2),
            (ElementKind::Node, -21, 1),
            (ElementKind::Node, -20, 1),
            (ElementKind::Way, -10, 0),
        ]
    );
    // The town hall's outline is a 0.0004° square: its centroid is its centre.
    let hall = &extract.features[3];
    assert!((hall.lon - 105.8520).abs() < 1e-9 && (hall.lat - 21.0286).abs() < 1e-9);
    // The offices' own nodes are not roads.
    assert_eq!(extract.roads.ways.len(), 2);
    assert_eq!(extract.roads.nodes.len(), 5);

    let points = motcua::scenario::points_from_features(&extract.features, &options.features);
    let hall = points.iter().find(|p| p.id == "osm-way--10").unwrap();
    assert_eq!(hall.name, "Ủy ban nhân dân phường Hoàn Kiếm");
    assert_eq!(hall.kind, PointKind::WardDesk);
    assert_eq!(hall.opening_hours, "Mo-Fr 08:00-17:00; Sa 08:00-12:00");
    assert_eq!(hall.address.as_deref(), Some("126, Hàng Trống"));
    assert!(!hall.approximate);
    let post = points.iter().find(|p| p.id == "osm-node--20").unwrap();
    assert_eq!(
        (post.name.as_str(), post.kind),
        ("Bưu cục Hàng Trống", PointKind::FlexiblePoint)
    );
    let unnamed = points.iter().find(|p| p.id == "osm-node--22").unwrap();
    assert_eq!(unnamed.name, "office=government (osm-node--22)");
}

fn open_with_points(request: OsmPointsRequest) -> Result<StudyArea, ScenarioError> {
    let options = AreaOptions {
        roads: Some(fixture("hoan_kiem.osm")),
        cache_dir: None,
        osm_points: Some(request),
        ..AreaOptions::default()
    };
    StudyArea::open("hanoi-central", &options)
}

#[test]
fn offices_from_their_own_file_become_the_point_set_and_are_counted_per_tag() {
    let area = open_with_points(OsmPointsRequest {
        tags: OFFICE_TAGS.parse().unwrap(),
        file: Some(fixture("offices.osm")),
        use_as: OsmPointsUse::Only,
        replace_within_m: REPLACE_WITHIN_M,
    })
    .unwrap();
    assert_eq!(area.points().len(), 4);
    let summary = area.osm_points().unwrap();
    let counts: Vec<(&str, usize)> = summary
        .found_per_tag
        .iter()
        .map(|(t, n)| (t.as_str(), *n))
        .collect();
    assert_eq!(
        counts,
        [
            ("amenity=townhall", 1),
            ("amenity=post_office", 2),
            ("office=government", 1)
        ]
    );
    assert!(
        summary.describe().contains("amenity=post_office 2"),
        "{}",
        summary.describe()
    );
    let evaluation = area.evaluate(&area.baseline()).unwrap();
    assert!(evaluation.report.summary.population_covered > 0.0);
}

#[test]
fn offices_from_the_roads_file_itself() {
    let options = AreaOptions {
        roads: Some(fixture("offices.osm")),
        cache_dir: None,
        osm_points: Some(OsmPointsRequest {
            tags: "amenity=post_office".parse().unwrap(),
            file: None,
            use_as: OsmPointsUse::Only,
            replace_within_m: REPLACE_WITHIN_M,
        }),
        ..AreaOptions::default()
    };
    let area = StudyArea::open("hanoi-central", &options).unwrap();
    let ids: Vec<&str> = area.points().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["osm-node--21", "osm-node--20"]);
}

/// The fixture's town hall is about 430 m from the shipped (approximate) Hoàn Kiếm ward desk
/// and about 680 m from Cửa Nam's: the nearer desk moves to it, the other stays.
#[test]
fn a_real_town_hall_replaces_the_nearest_approximate_ward_desk() {
    let area = open_with_points(OsmPointsRequest {
        tags: OFFICE_TAGS.parse().unwrap(),
        file: Some(fixture("offices.osm")),
        use_as: OsmPointsUse::ReplaceApproximate,
        replace_within_m: REPLACE_WITHIN_M,
    })
    .unwrap();
    let shipped = StudyArea::open(
        "hanoi-central",
        &AreaOptions {
            cache_dir: None,
            ..AreaOptions::default()
        },
    )
    .unwrap();
    assert_eq!(area.points().len(), shipped.points().len());
    let summary = area.osm_points().unwrap();
    assert_eq!(summary.replaced.len(), 1, "{:?}", summary.replaced);
    let moved = &summary.replaced[0];
    assert_eq!(
        (moved.point_id.as_str(), moved.osm_id.as_str()),
        ("ward-00070", "osm-way--10")
    );
    assert!(
        (400.0..460.0).contains(&moved.distance_m),
        "{}",
        moved.distance_m
    );
    let desk = area.points().iter().find(|p| p.id == "ward-00070").unwrap();
    assert_eq!(
        (desk.lon, desk.lat, desk.approximate),
        (105.8520, 21.0286, false)
    );
    assert_eq!(desk.name, "Bộ phận Một cửa Phường Hoàn Kiếm");
    let other = area.points().iter().find(|p| p.id == "ward-00082").unwrap();
    assert!(other.approximate);
}

#[test]
fn a_tag_list_matching_nothing_is_one_line_naming_the_file() {
    let err = open_with_points(OsmPointsRequest {
        tags: "amenity=library".parse().unwrap(),
        file: Some(fixture("offices.osm")),
        use_as: OsmPointsUse::Only,
        replace_within_m: REPLACE_WITHIN_M,
    })
    .err()
    .expect("nothing matches");
    assert!(matches!(err, ScenarioError::NoOsmPoints { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("offices.osm has no node or way tagged amenity=library"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}
