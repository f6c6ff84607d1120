//! Issue 8, item 5: the user's own roads settle what the shipped ones leave unknown. The whole
//! city's extent still comes from the area (the province outline), the roads from `--osm`.
//!
//! The extract is generated: one primary road, drawn as OSM XML, from the most populous cell
//! the shipped roads leave *unknown* (beyond 5 km of every point, no road near it) to the point
//! nearest it. With that road the cell is decided, and covered: about a quarter of an hour by
//! motorbike.

use std::fmt::Write;

use motcua::coverage::CellStatus;
use motcua::scenario::{AreaOptions, StudyArea};

/// Metres between the generated road's nodes (the graph contracts them away).
const NODE_SPACING_M: f64 = 100.0;

fn generated_extract(from: (f64, f64), to: (f64, f64)) -> String {
    let (dx_m, dy_m) = (
        (to.0 - from.0) * 111_320.0 * from.1.to_radians().cos(),
        (to.1 - from.1) * 110_540.0,
    );
    let steps = ((dx_m.hypot(dy_m) / NODE_SPACING_M).ceil() as usize).max(1);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"test\">\n",
    );
    for i in 0..=steps {
        let f = i as f64 / steps as f64;
        let (lon, lat) = (from.0 + f * (to.0 - from.0), from.1 + f * (to.1 - from.1));
        writeln!(
            xml,
            "  <node id=\"{}\" lat=\"{lat:.7}\" lon=\"{lon:.7}\"/>",
            i + 1
        )
        .unwrap();
    }
    xml.push_str("  <way id=\"1\">\n");
    for i in 0..=steps {
        writeln!(xml, "    <nd ref=\"{}\"/>", i + 1).unwrap();
    }
    xml.push_str("    <tag k=\"highway\" v=\"primary\"/>\n  </way>\n</osm>\n");
    xml
}

#[test]
fn a_users_extract_turns_unknown_cells_into_decided_ones() {
    let shipped = StudyArea::open("hanoi", &AreaOptions::default()).expect("hanoi opens");
    let baseline = shipped.baseline();
    let before = shipped.evaluate(&baseline).expect("evaluates").report;
    let unknown = before
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Unknown)
        .max_by(|a, b| a.population.total_cmp(&b.population))
        .expect("the shipped roads leave some cells unknown");
    assert!(!unknown.on_roads);
    let centre = h3o::LatLng::from(unknown.cell);
    let point = &baseline.points[unknown
        .nearest_point
        .expect("the nearest point by straight line")];

    let dir = tempfile::tempdir().expect("temporary directory");
    let roads = dir.path().join("own-roads.osm");
    std::fs::write(
        &roads,
        generated_extract((centre.lng(), centre.lat()), (point.lon, point.lat)),
    )
    .expect("extract written");
    let own = StudyArea::open(
        "hanoi",
        &AreaOptions {
            roads: Some(roads),
            cache_dir: None,
            ..AreaOptions::default()
        },
    )
    .expect("hanoi opens with the user's roads");
    // The extent stays the province: the same residents are asked about.
    assert!(own.meta().extent_is_outline);
    assert_eq!(
        own.meta().population_in_study_area,
        shipped.meta().population_in_study_area
    );
    let after = own.evaluate(&own.baseline()).expect("evaluates").report;
    let cell = after
        .cells
        .iter()
        .find(|c| c.cell == unknown.cell)
        .expect("the same cell");
    assert!(cell.on_roads, "the generated road passes through the cell");
    assert_eq!(
        cell.status,
        CellStatus::Covered,
        "decided by the road: {:?} s to {}",
        cell.travel_s,
        point.name
    );
    assert!(cell.travel_s.expect("a travel time") <= 30.0 * 60.0);
    // Still a partition of the same residents.
    let s = &after.summary;
    let total = s.population_covered + s.population_uncovered + s.population_unknown;
    assert!((total - s.population_total).abs() < 1.0);
}
