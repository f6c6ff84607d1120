//! Conformance of access, one-way and barrier tags for every travel mode, generated from tables.
//!
//! Each row is one small drawn network: a square whose top side `a-x-b` carries the tags under
//! test (and `x`, its middle node, the node tags), the other three sides a plain two-way
//! residential street. Along the tagged way `a` to `b` is 400 m, 40 s at the test speed; round
//! the detour 800 m, 80 s. So "a→b in under 60 s" means the tagged way can be travelled forwards
//! (in the order its nodes are drawn), "b→a in under 60 s" backwards.
//!
//! Expected results per mode, in the order motorbike, car, bicycle, walk: `<>` both directions,
//! `>` forwards only, `<` backwards only, `x` neither. The rows follow the OSM wiki (Key:access,
//! Key:oneway, Key:barrier) and the behaviour OSRM's car, bicycle and foot profiles are tested
//! for; where motcua chooses otherwise, the row says why.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use motcua::graph::sketch::{Sketch, osm_id, test_profile};
use motcua::graph::{NodeId, RoadGraph, TravelMode};

use TravelMode::{Bicycle, Car, Motorbike, Walk};

const MODES: [TravelMode; 4] = [Motorbike, Car, Bicycle, Walk];

/// `(way tags, node tags of x, expected per mode)`; tags as `key=value` separated by spaces, the
/// way's `highway` is `residential` unless given.
type Row = (&'static str, &'static str, [&'static str; 4]);

const ACCESS_VALUES: &[Row] = &[
    ("", "", ["<>", "<>", "<>", "<>"]),
    ("access=yes", "", ["<>", "<>", "<>", "<>"]),
    ("access=permissive", "", ["<>", "<>", "<>", "<>"]),
    ("access=designated", "", ["<>", "<>", "<>", "<>"]),
    // Destination traffic is open: every trip measured starts at a home or ends at a desk.
    ("access=destination", "", ["<>", "<>", "<>", "<>"]),
    ("access=discouraged", "", ["<>", "<>", "<>", "<>"]),
    ("access=no", "", ["x", "x", "x", "x"]),
    // OSRM's car profile routes over private and delivery ways at the ends of a trip; motcua
    // blocks them: a resident has no such permission.
    ("access=private", "", ["x", "x", "x", "x"]),
    ("access=delivery", "", ["x", "x", "x", "x"]),
    ("access=permit", "", ["x", "x", "x", "x"]),
    ("access=customers", "", ["x", "x", "x", "x"]),
    ("access=agricultural", "", ["x", "x", "x", "x"]),
    ("access=forestry", "", ["x", "x", "x", "x"]),
    ("access=psv", "", ["x", "x", "x", "x"]),
    ("access=bus", "", ["x", "x", "x", "x"]),
    ("access=taxi", "", ["x", "x", "x", "x"]),
    ("access=military", "", ["x", "x", "x", "x"]),
    ("access=emergency", "", ["x", "x", "x", "x"]),
    ("access=official", "", ["x", "x", "x", "x"]),
    ("access=restricted", "", ["x", "x", "x", "x"]),
    // Values no profile knows do not decide, and nothing broader is said: the class decides.
    ("access=unknown", "", ["<>", "<>", "<>", "<>"]),
    ("access=some_tag", "", ["<>", "<>", "<>", "<>"]),
    // Semicolon lists: open when one value opens, else blocked when one blocks.
    ("access=agricultural;forestry", "", ["x", "x", "x", "x"]),
    ("access=destination;delivery", "", ["<>", "<>", "<>", "<>"]),
    ("access=no;some_tag", "", ["x", "x", "x", "x"]),
    ("access=some_tag;psv", "", ["x", "x", "x", "x"]),
    // Values naming a mode or a class that contains it.
    (
        "access=no motor_vehicle=motorcycle",
        "",
        ["<>", "x", "x", "x"],
    ),
    ("access=no vehicle=motorcar", "", ["x", "<>", "x", "x"]),
    ("access=no vehicle=bicycle", "", ["x", "x", "<>", "x"]),
    ("access=no foot=foot", "", ["x", "x", "x", "<>"]),
    // use_sidepath: take the path beside it, which is in the graph.
    ("bicycle=use_sidepath", "", ["<>", "<>", "x", "<>"]),
    ("foot=use_sidepath", "", ["<>", "<>", "<>", "x"]),
    ("bicycle=dismount", "", ["<>", "<>", "<>", "<>"]),
];

const ACCESS_HIERARCHY: &[Row] = &[
    ("access=no motorcycle=yes", "", ["<>", "x", "x", "x"]),
    ("access=no motorcar=yes", "", ["x", "<>", "x", "x"]),
    ("access=no motor_vehicle=yes", "", ["<>", "<>", "x", "x"]),
    ("access=no vehicle=yes", "", ["<>", "<>", "<>", "x"]),
    ("access=no bicycle=yes", "", ["x", "x", "<>", "x"]),
    ("access=no foot=yes", "", ["x", "x", "x", "<>"]),
    ("access=yes vehicle=no", "", ["x", "x", "x", "<>"]),
    ("vehicle=no", "", ["x", "x", "x", "<>"]),
    ("motor_vehicle=no", "", ["x", "x", "<>", "<>"]),
    ("motorcycle=no", "", ["x", "<>", "<>", "<>"]),
    ("motorcar=no", "", ["<>", "x", "<>", "<>"]),
    ("bicycle=no", "", ["<>", "<>", "x", "<>"]),
    ("foot=no", "", ["<>", "<>", "<>", "x"]),
    ("motor_vehicle=agricultural", "", ["x", "x", "<>", "<>"]),
    ("motor_vehicle=psv", "", ["x", "x", "<>", "<>"]),
    ("vehicle=delivery", "", ["x", "x", "x", "<>"]),
    ("access=military foot=yes", "", ["x", "x", "x", "<>"]),
    (
        "motor_vehicle=no motorcycle=yes",
        "",
        ["<>", "x", "<>", "<>"],
    ),
    ("motor_vehicle=yes motorcar=no", "", ["<>", "x", "<>", "<>"]),
    ("vehicle=no motor_vehicle=yes", "", ["<>", "<>", "x", "<>"]),
    ("vehicle=yes motor_vehicle=no", "", ["x", "x", "<>", "<>"]),
    (
        "motor_vehicle=no motorcycle=destination",
        "",
        ["<>", "x", "<>", "<>"],
    ),
    (
        "motor_vehicle=no motorcar=destination",
        "",
        ["x", "<>", "<>", "<>"],
    ),
    // An unclear specific value leaves the broader key in force (OSRM would open the way).
    ("access=no motorcycle=sometimes", "", ["x", "x", "x", "x"]),
    (
        "access=no motorcycle=yes|yes|designated",
        "",
        ["x", "x", "x", "x"],
    ),
    (
        "motor_vehicle=no motorcar=some_tag",
        "",
        ["x", "x", "<>", "<>"],
    ),
    // Access per direction: key:forward / key:backward before the key itself.
    ("vehicle:forward=no", "", ["<", "<", "<", "<>"]),
    ("motor_vehicle:backward=no", "", [">", ">", "<>", "<>"]),
    ("access=no motorcycle:forward=yes", "", [">", "x", "x", "x"]),
    (
        "motorcar=yes motorcar:forward=no",
        "",
        ["<>", "<", "<>", "<>"],
    ),
    ("access:forward=no", "", ["<", "<", "<", "<"]),
    (
        "access:backward=private foot=yes",
        "",
        [">", ">", ">", "<>"],
    ),
    (
        "access:backward=no foot:backward=yes",
        "",
        [">", ">", ">", "<>"],
    ),
];

const CLASSES: &[Row] = &[
    // Footways and paths carry motorbikes only where mapped so (Hanoi alleys).
    ("highway=footway", "", ["x", "x", "x", "<>"]),
    ("highway=footway motorcycle=yes", "", ["<>", "x", "x", "<>"]),
    (
        "highway=footway motor_vehicle=yes",
        "",
        ["<>", "x", "x", "<>"],
    ),
    (
        "highway=footway motorcycle=destination",
        "",
        ["<>", "x", "x", "<>"],
    ),
    (
        "highway=footway motorcycle=some_tag",
        "",
        ["x", "x", "x", "<>"],
    ),
    ("highway=footway bicycle=yes", "", ["x", "x", "<>", "<>"]),
    (
        "highway=footway bicycle=designated",
        "",
        ["x", "x", "<>", "<>"],
    ),
    ("highway=footway access=yes", "", ["<>", "x", "<>", "<>"]),
    ("highway=footway foot=no", "", ["x", "x", "x", "x"]),
    ("highway=path", "", ["x", "x", "<>", "<>"]),
    (
        "highway=path motorcycle=permissive",
        "",
        ["<>", "x", "<>", "<>"],
    ),
    ("highway=pedestrian", "", ["x", "x", "x", "<>"]),
    (
        "highway=pedestrian bicycle=dismount",
        "",
        ["x", "x", "<>", "<>"],
    ),
    ("highway=cycleway", "", ["x", "x", "<>", "<>"]),
    ("highway=steps", "", ["x", "x", "x", "<>"]),
    // Vietnam closes expressways to motorbikes, bicycles and pedestrians whatever is mapped.
    ("highway=motorway", "", ["x", ">", "x", "x"]),
    (
        "highway=motorway motorcycle=yes bicycle=yes foot=yes",
        "",
        ["x", ">", "x", "x"],
    ),
    ("highway=motorway oneway=no", "", ["x", "<>", "x", "x"]),
    (
        "highway=motorway oneway:motorcar=no",
        "",
        ["x", "<>", "x", "x"],
    ),
    ("highway=motorway_link", "", ["x", "<>", "x", "x"]),
    // ... and leaves trunk roads open to all (OSRM's bicycle and foot profiles do not).
    ("highway=trunk", "", ["<>", "<>", "<>", "<>"]),
    ("highway=service area=yes", "", ["x", "x", "x", "x"]),
    ("highway=runway motorcar=yes", "", ["x", "x", "x", "x"]),
];

const ONEWAY: &[Row] = &[
    ("oneway=yes", "", [">", ">", ">", "<>"]),
    ("oneway=1", "", [">", ">", ">", "<>"]),
    ("oneway=true", "", [">", ">", ">", "<>"]),
    ("oneway=-1", "", ["<", "<", "<", "<>"]),
    ("oneway=reverse", "", ["<", "<", "<", "<>"]),
    ("oneway=no", "", ["<>", "<>", "<>", "<>"]),
    ("oneway=0", "", ["<>", "<>", "<>", "<>"]),
    ("oneway=false", "", ["<>", "<>", "<>", "<>"]),
    ("oneway=nonsense", "", ["<>", "<>", "<>", "<>"]),
    // Alternating: both directions take turns, so both are served; reversible: none is sure.
    ("oneway=alternating", "", ["<>", "<>", "<>", "<>"]),
    ("oneway=reversible", "", ["x", "x", "x", "<>"]),
    ("junction=roundabout", "", [">", ">", ">", "<>"]),
    ("junction=circular", "", [">", ">", ">", "<>"]),
    (
        "junction=roundabout oneway=no",
        "",
        ["<>", "<>", "<>", "<>"],
    ),
    ("junction=roundabout oneway=-1", "", ["<", "<", "<", "<>"]),
    (
        "junction=roundabout oneway=nonsense",
        "",
        [">", ">", ">", "<>"],
    ),
    (
        "junction=roundabout oneway:bicycle=no",
        "",
        [">", ">", "<>", "<>"],
    ),
    // The hierarchy by vehicle class.
    (
        "oneway=yes oneway:motorcycle=no",
        "",
        ["<>", ">", ">", "<>"],
    ),
    (
        "oneway=yes oneway:motor_vehicle=no",
        "",
        ["<>", "<>", ">", "<>"],
    ),
    ("oneway=yes oneway:vehicle=no", "", ["<>", "<>", "<>", "<>"]),
    ("oneway=yes oneway:motorcar=no", "", [">", "<>", ">", "<>"]),
    ("oneway=yes oneway:bicycle=no", "", [">", ">", "<>", "<>"]),
    ("oneway:vehicle=yes", "", [">", ">", ">", "<>"]),
    ("oneway:motor_vehicle=yes", "", [">", ">", "<>", "<>"]),
    ("oneway:motor_vehicle=-1", "", ["<", "<", "<>", "<>"]),
    ("oneway:motorcar=yes", "", ["<>", ">", "<>", "<>"]),
    ("oneway:motorcycle=yes", "", [">", "<>", "<>", "<>"]),
    ("oneway:bicycle=yes", "", ["<>", "<>", ">", "<>"]),
    ("oneway=yes oneway:motorcycle=-1", "", ["<", ">", ">", "<>"]),
    ("oneway=yes oneway:bicycle=-1", "", [">", ">", "<", "<>"]),
    (
        "oneway=yes oneway:motorcycle=nonsense",
        "",
        [">", ">", ">", "<>"],
    ),
    (
        "oneway=yes oneway:motor_vehicle=alternating",
        "",
        ["<>", "<>", ">", "<>"],
    ),
    ("oneway:vehicle=reversible", "", ["x", "x", "x", "<>"]),
    // oneway:car is not an OSM key: nobody reads it.
    ("oneway:car=yes", "", ["<>", "<>", "<>", "<>"]),
    // Walkers read only oneway:foot.
    ("oneway:foot=yes", "", ["<>", "<>", "<>", ">"]),
    ("oneway:foot=-1", "", ["<>", "<>", "<>", "<"]),
    ("oneway=yes oneway:foot=no", "", [">", ">", ">", "<>"]),
    // One-way and access together.
    ("oneway=yes motorcycle=no", "", ["x", ">", ">", "<>"]),
    ("oneway=-1 access=private", "", ["x", "x", "x", "x"]),
    ("oneway=yes vehicle:forward=no", "", ["x", "x", "x", "<>"]),
];

const CONTRAFLOW: &[Row] = &[
    ("oneway=yes cycleway=opposite", "", [">", ">", "<>", "<>"]),
    (
        "oneway=yes cycleway=opposite_lane",
        "",
        [">", ">", "<>", "<>"],
    ),
    (
        "oneway=yes cycleway=opposite_track",
        "",
        [">", ">", "<>", "<>"],
    ),
    (
        "oneway=yes cycleway=opposite_share_busway",
        "",
        [">", ">", "<>", "<>"],
    ),
    ("oneway=-1 cycleway=opposite", "", ["<", "<", "<>", "<>"]),
    (
        "oneway=-1 cycleway=opposite_lane",
        "",
        ["<", "<", "<>", "<>"],
    ),
    ("oneway=no cycleway=opposite", "", ["<>", "<>", "<>", "<>"]),
    (
        "oneway=yes cycleway:left=opposite_lane",
        "",
        [">", ">", "<>", "<>"],
    ),
    (
        "oneway=yes cycleway:right=opposite_track",
        "",
        [">", ">", "<>", "<>"],
    ),
    (
        "oneway=yes cycleway:both=opposite_lane",
        "",
        [">", ">", "<>", "<>"],
    ),
    ("oneway=yes cycleway=lane", "", [">", ">", ">", "<>"]),
    ("oneway=yes cycleway:right=lane", "", [">", ">", ">", "<>"]),
    // The mode's own key outranks a mapped lane.
    (
        "oneway=yes oneway:bicycle=yes cycleway=opposite",
        "",
        [">", ">", ">", "<>"],
    ),
    (
        "oneway=reversible cycleway=opposite_lane",
        "",
        ["x", "x", "x", "<>"],
    ),
    (
        "oneway=yes cycleway=opposite bicycle=no",
        "",
        [">", ">", "x", "<>"],
    ),
];

const BARRIERS: &[Row] = &[
    ("", "barrier=gate", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=gate access=private", ["x", "x", "x", "x"]),
    ("", "barrier=gate access=no", ["x", "x", "x", "x"]),
    ("", "barrier=gate access=no foot=yes", ["x", "x", "x", "<>"]),
    (
        "",
        "barrier=gate access=no motorcycle=yes",
        ["<>", "x", "x", "x"],
    ),
    (
        "",
        "barrier=gate access=no bicycle=dismount",
        ["x", "x", "<>", "x"],
    ),
    (
        "",
        "barrier=gate access=permissive",
        ["<>", "<>", "<>", "<>"],
    ),
    ("", "barrier=gate access=yes", ["<>", "<>", "<>", "<>"]),
    (
        "",
        "barrier=gate access=destination",
        ["<>", "<>", "<>", "<>"],
    ),
    ("", "barrier=gate access=customers", ["x", "x", "x", "x"]),
    ("", "barrier=gate access=unknown", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=lift_gate", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=lift_gate access=private", ["x", "x", "x", "x"]),
    (
        "",
        "barrier=lift_gate motor_vehicle=no",
        ["x", "x", "<>", "<>"],
    ),
    ("", "barrier=swing_gate", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=sliding_gate", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=entrance", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=no", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=toll_booth", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=border_control", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=height_restrictor", ["<>", "<>", "<>", "<>"]),
    ("", "barrier=cattle_grid", ["<>", "<>", "<>", "<>"]),
    // Bollards keep cars out of a ngõ and let motorbikes, bicycles and walkers through.
    ("", "barrier=bollard", ["<>", "x", "<>", "<>"]),
    ("", "barrier=bollard motorcar=yes", ["<>", "<>", "<>", "<>"]),
    (
        "",
        "barrier=bollard motor_vehicle=no",
        ["x", "x", "<>", "<>"],
    ),
    ("", "barrier=kerb", ["<>", "x", "<>", "<>"]),
    ("", "barrier=cycle_barrier", ["x", "x", "<>", "<>"]),
    ("", "barrier=block", ["x", "x", "<>", "<>"]),
    ("", "barrier=block motorcycle=yes", ["<>", "x", "<>", "<>"]),
    ("", "barrier=chain", ["x", "x", "<>", "<>"]),
    ("", "barrier=jersey_barrier", ["x", "x", "<>", "<>"]),
    ("", "barrier=debris", ["x", "x", "<>", "<>"]),
    ("", "barrier=yes", ["x", "x", "x", "x"]),
    ("", "barrier=wall", ["x", "x", "x", "x"]),
    ("", "barrier=fence", ["x", "x", "x", "x"]),
    ("", "barrier=fence foot=yes", ["x", "x", "x", "<>"]),
    // Access tags on a node that is no barrier (a crossing) say nothing about the road.
    ("", "highway=crossing access=no", ["<>", "<>", "<>", "<>"]),
    ("", "highway=crossing bicycle=no", ["<>", "<>", "<>", "<>"]),
    // A barrier on a one-way street keeps its one-way.
    ("oneway=yes", "barrier=gate", [">", ">", ">", "<>"]),
    (
        "oneway=yes",
        "barrier=gate access=private",
        ["x", "x", "x", "x"],
    ),
];

fn tags(text: &str) -> Vec<(&str, &str)> {
    text.split_whitespace()
        .map(|kv| kv.split_once('=').expect("key=value"))
        .collect()
}

/// Travel time from `from` to `to` in seconds, by Dijkstra over the graph.
fn time_s(g: &RoadGraph, from: NodeId, to: NodeId) -> Option<f32> {
    let mut best = vec![f32::INFINITY; g.num_nodes()];
    let mut heap = BinaryHeap::new();
    best[from.0 as usize] = 0.0;
    heap.push(Reverse((0u32, from.0)));
    while let Some(Reverse((_, v))) = heap.pop() {
        if v == to.0 {
            return Some(best[v as usize]);
        }
        for e in g.out_edges(NodeId(v)) {
            let (h, t) = (g.head[e].0 as usize, best[v as usize] + g.travel_s[e]);
            if t < best[h] {
                best[h] = t;
                // Millisecond keys: the heap needs an order, the times here are whole seconds.
                heap.push(Reverse(((t * 1000.0) as u32, h as u32)));
            }
        }
    }
    None
}

fn square(way: &str, node: &str) -> Sketch {
    let mut way_tags = tags(way);
    if !way_tags.iter().any(|(k, _)| *k == "highway") {
        way_tags.insert(0, ("highway", "residential"));
    }
    let sketch = Sketch::new(
        "
        a-x-b
        |   |
        c---d
        ",
    )
    .way("axb", &way_tags)
    .way("bdca", &[("highway", "residential")]);
    if node.is_empty() {
        sketch
    } else {
        sketch.node_tags('x', &tags(node))
    }
}

/// The directions the tagged way can be travelled by `mode`, in the table's notation.
fn observed(way: &str, node: &str, mode: TravelMode) -> &'static str {
    let s = square(way, node);
    let g = RoadGraph::build(&s.build(), &test_profile(mode)).expect("the square builds");
    g.check_invariants().expect("invariants");
    let (a, b) = (s.node(&g, 'a').unwrap(), s.node(&g, 'b').unwrap());
    // 40 s along the tagged way, 80 s round the detour.
    let direct = |from, to| time_s(&g, from, to).is_some_and(|t| t < 60.0);
    match (direct(a, b), direct(b, a)) {
        (true, true) => "<>",
        (true, false) => ">",
        (false, true) => "<",
        (false, false) => "x",
    }
}

fn check(table: &[Row]) {
    let mut wrong = Vec::new();
    for &(way, node, expected) in table {
        for (mode, want) in MODES.into_iter().zip(expected) {
            let got = observed(way, node, mode);
            if got != want {
                wrong.push(format!(
                    "{mode:9} way [{way}] node [{node}]: expected {want}, got {got}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        table.len() * MODES.len(),
        wrong.join("\n")
    );
}

#[test]
fn access_values_open_or_block_as_the_wiki_defines_them() {
    check(ACCESS_VALUES);
}

#[test]
fn the_most_specific_access_key_decides_per_direction() {
    check(ACCESS_HIERARCHY);
}

#[test]
fn highway_classes_need_the_access_they_need() {
    check(CLASSES);
}

#[test]
fn oneway_keys_follow_the_vehicle_class_hierarchy() {
    check(ONEWAY);
}

#[test]
fn bicycles_ride_contraflow_lanes() {
    check(CONTRAFLOW);
}

#[test]
fn barrier_nodes_stop_the_modes_they_stop() {
    check(BARRIERS);
}

#[test]
fn each_side_of_a_closed_barrier_is_usable_up_to_it() {
    let s = square("", "barrier=gate access=private");
    let g = RoadGraph::build(&s.build(), &test_profile(Motorbike)).unwrap();
    let (a, b) = (s.node(&g, 'a').unwrap(), s.node(&g, 'b').unwrap());
    let sides: Vec<NodeId> = (0..g.num_nodes() as u32)
        .map(NodeId)
        .filter(|&n| g.osm_id[n.0 as usize] == osm_id('x'))
        .collect();
    // One dead end per segment touching the gate, each 200 m (20 s) from its own end only.
    assert_eq!(sides.len(), 2);
    for side in sides {
        let ta = time_s(&g, a, side).unwrap();
        let tb = time_s(&g, b, side).unwrap();
        assert!(
            (ta.min(tb) - 20.0).abs() < 0.01 && ta.max(tb) > 90.0,
            "{ta} {tb}"
        );
        assert_eq!(g.out_edges(side).len(), 1);
        assert_eq!(g.in_edges(side).len(), 1);
        assert_eq!(g.coord(side), s.node_coord('x'));
    }
}

#[test]
fn a_closed_barrier_where_two_ways_meet_separates_them() {
    // The gate g joins two streets; the only other link is the long way round via c and d.
    let s = Sketch::new(
        "
        a-g-b
        |   |
        c---d
        ",
    )
    .way("ag", &[("highway", "residential")])
    .way("gb", &[("highway", "residential")])
    .way("bdca", &[("highway", "residential")])
    .node_tags('g', &[("barrier", "gate"), ("access", "no")]);
    let g = RoadGraph::build(&s.build(), &test_profile(Car)).unwrap();
    let (a, b) = (s.node(&g, 'a').unwrap(), s.node(&g, 'b').unwrap());
    let round_s = |t: Option<f32>| t.map(f32::round);
    assert_eq!(round_s(time_s(&g, a, b)), Some(80.0));
    let open = RoadGraph::build(&s.build(), &test_profile(Walk)).unwrap();
    let (a, b) = (s.node(&open, 'a').unwrap(), s.node(&open, 'b').unwrap());
    assert_eq!(
        round_s(time_s(&open, a, b)),
        Some(80.0),
        "access=no closes it to walkers too"
    );
}

#[test]
fn a_barrier_on_no_usable_way_changes_nothing() {
    let s = Sketch::new("a-b").way("ab", &[("highway", "residential")]);
    let plain = RoadGraph::build(&s.build(), &test_profile(Car)).unwrap();
    // A node that is not drawn on any way is dropped with the other unused nodes.
    let with_stray = Sketch::new("a-b c")
        .way("ab", &[("highway", "residential")])
        .node_tags('c', &[("barrier", "wall")]);
    let osm = with_stray.build();
    assert!(osm.barriers.is_empty());
    assert_eq!(RoadGraph::build(&osm, &test_profile(Car)).unwrap(), plain);
}
