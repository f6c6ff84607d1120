//! Routing checked against slow oracles: multi-source Dijkstra against the minimum of
//! single-source runs and against `petgraph::algo::dijkstra`, bounded against unbounded, and
//! routes and isochrones on drawn networks.

use std::collections::HashMap;

use motcua::graph::sketch::{Sketch, test_profile};
use motcua::graph::{NodeId, RoadGraph, SnapIndex, TravelMode};
use motcua::ingest::{OsmData, OsmNode, OsmWay};
use motcua::routing::{self, Attachment, Direction, Metric, NodeCosts, Seed, isochrone, nearest};
use petgraph::graph::DiGraph;
use proptest::prelude::*;

/// A random road network: nodes scattered over about 2 km, ways of 2-4 nodes with random
/// one-way tags. The builder keeps the largest strongly connected part.
fn random_osm(nodes: usize, ways: &[(Vec<usize>, u8)], coords: &[(f64, f64)]) -> OsmData {
    let osm_nodes = (0..nodes)
        .map(|i| OsmNode {
            id: i as i64 + 1,
            lon: 105.80 + coords[i].0 * 0.02,
            lat: 21.00 + coords[i].1 * 0.02,
        })
        .collect();
    let osm_ways = ways
        .iter()
        .enumerate()
        .filter(|(_, (refs, _))| refs.len() >= 2)
        .map(|(i, (refs, oneway))| OsmWay {
            id: i as i64 + 1,
            nodes: refs.iter().map(|&r| (r % nodes) as i64 + 1).collect(),
            tags: vec![
                ("highway".into(), "residential".into()),
                (
                    "oneway".into(),
                    ["no", "yes", "-1"][*oneway as usize % 3].into(),
                ),
            ],
        })
        .collect();
    let mut osm = OsmData {
        nodes: osm_nodes,
        ways: osm_ways,
        barriers: Vec::new(),
    };
    osm.normalise();
    osm
}

/// Either a random tangle of short ways or a few crossings joined by long ways through nodes
/// of their own (the curved streets that searches contract into chains), some one-way, some
/// closing into rings.
fn arb_graph() -> impl Strategy<Value = RoadGraph> {
    prop_oneof![arb_tangle(), arb_streets()]
}

fn arb_streets() -> impl Strategy<Value = RoadGraph> {
    (3usize..10).prop_flat_map(|crossings| {
        let street = (0..crossings, 0..crossings, 0usize..8, 0u8..3);
        (
            Just(crossings),
            prop::collection::vec(street, crossings..crossings * 3),
            prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), crossings + 8 * crossings * 3),
        )
            .prop_filter_map("no usable graph", |(crossings, streets, coords)| {
                // Crossings are nodes 0..crossings; each street adds its own interior nodes.
                let mut next = crossings;
                let ways: Vec<(Vec<usize>, u8)> = streets
                    .iter()
                    .map(|&(from, to, bends, oneway)| {
                        let mut refs = vec![from];
                        refs.extend(next..next + bends);
                        next += bends;
                        refs.push(to);
                        (refs, oneway)
                    })
                    .collect();
                let osm = random_osm(next, &ways, &coords[..next]);
                RoadGraph::build(&osm, &test_profile(TravelMode::Motorbike))
                    .ok()
                    .filter(|g| g.num_nodes() >= 2)
            })
    })
}

fn arb_tangle() -> impl Strategy<Value = RoadGraph> {
    (6usize..30).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), n),
            prop::collection::vec((prop::collection::vec(0usize..n, 2..5), 0u8..3), n..n * 3),
        )
            .prop_filter_map("no usable graph", |(n, coords, ways)| {
                let osm = random_osm(n, &ways, &coords);
                RoadGraph::build(&osm, &test_profile(TravelMode::Motorbike))
                    .ok()
                    .filter(|g| g.num_nodes() >= 2)
            })
    })
}

fn seed(node: u32, source: u32) -> Seed {
    Seed {
        node: NodeId(node),
        travel_s: 0.0,
        length_m: 0.0,
        source,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a.is_infinite() && b.is_infinite()) || (a - b).abs() <= 1e-6 * (1.0 + a.abs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn multi_source_is_min_of_single_sources(graph in arb_graph(), picks in prop::collection::vec(any::<u32>(), 1..5)) {
        let search = routing::SearchGraph::new(&graph);
        let n = graph.num_nodes() as u32;
        let sources: Vec<u32> = picks.iter().map(|p| p % n).collect();
        let seeds: Vec<Seed> = sources.iter().enumerate().map(|(i, &s)| seed(s, i as u32)).collect();
        let multi = routing::multi_source(&search, &seeds, Direction::ToSources, Metric::Time, None);
        let singles: Vec<_> = seeds
            .iter()
            .map(|s| routing::multi_source(&search, std::slice::from_ref(s), Direction::ToSources, Metric::Time, None))
            .collect();
        for v in 0..graph.num_nodes() {
            let best = singles.iter().map(|t| t.travel_s[v]).fold(f64::INFINITY, f64::min);
            prop_assert!(close(multi.travel_s[v], best), "node {v}: {} vs {best}", multi.travel_s[v]);
            let src = multi.source[v] as usize;
            prop_assert!(close(singles[src].travel_s[v], best), "node {v} labelled with a source that is not nearest");
        }
    }

    #[test]
    fn equals_petgraph_dijkstra(graph in arb_graph(), pick in any::<u32>(), forward in any::<bool>()) {
        let n = graph.num_nodes();
        let start = pick % n as u32;
        let mut pg: DiGraph<(), f64> = DiGraph::with_capacity(n, graph.num_edges());
        let ids: Vec<_> = (0..n).map(|_| pg.add_node(())).collect();
        for e in 0..graph.num_edges() {
            let (t, h) = (graph.tail[e].0 as usize, graph.head[e].0 as usize);
            let w = f64::from(graph.travel_s[e]);
            if forward { pg.add_edge(ids[t], ids[h], w); } else { pg.add_edge(ids[h], ids[t], w); }
        }
        let oracle = petgraph::algo::dijkstra(&pg, ids[start as usize], None, |e| *e.weight());
        let search = routing::SearchGraph::new(&graph);
        let direction = if forward { Direction::FromSources } else { Direction::ToSources };
        let ours = routing::multi_source(&search, &[seed(start, 0)], direction, Metric::Time, None);
        for (v, id) in ids.iter().enumerate() {
            let expected = oracle.get(id).copied().unwrap_or(f64::INFINITY);
            prop_assert!(close(ours.travel_s[v], expected), "node {v}: {} vs {expected}", ours.travel_s[v]);
        }
    }

    #[test]
    fn parent_edges_retrace_the_cost(graph in arb_graph(), picks in prop::collection::vec(any::<u32>(), 1..4), forward in any::<bool>(), by_length in any::<bool>()) {
        let metric = if by_length { Metric::Length } else { Metric::Time };
        let direction = if forward { Direction::FromSources } else { Direction::ToSources };
        let n = graph.num_nodes() as u32;
        let seeds: Vec<Seed> = picks.iter().enumerate().map(|(i, p)| seed(p % n, i as u32)).collect();
        let search = routing::SearchGraph::new(&graph);
        let times = routing::multi_source(&search, &seeds, direction, metric, None);
        for v in 0..graph.num_nodes() {
            let nodes = routing::dijkstra::path_nodes(&graph, &times, NodeId(v as u32), direction);
            prop_assert!(!nodes.is_empty(), "node {v} unreached in a connected graph");
            let (mut travel, mut length) = (0.0, 0.0);
            for w in nodes.windows(2) {
                let e = graph.find_edge(w[0], w[1]).expect("path follows edges").0 as usize;
                travel += f64::from(graph.travel_s[e]);
                length += f64::from(graph.length_m[e]);
            }
            let end = if forward { nodes[0] } else { nodes[nodes.len() - 1] };
            prop_assert!(seeds.iter().any(|s| s.node == end), "path of {v} ends at no seed");
            prop_assert!(close(times.travel_s[v], travel), "node {v}: {} vs {travel}", times.travel_s[v]);
            prop_assert!(close(times.length_m[v], length), "node {v}: {} vs {length}", times.length_m[v]);
        }
    }

    #[test]
    fn reading_nodes_on_demand_equals_labelling_all(graph in arb_graph(), picks in prop::collection::vec(any::<u32>(), 1..4), forward in any::<bool>(), by_length in any::<bool>(), cutoff in prop::option::of(0.0f64..600.0)) {
        let metric = if by_length { Metric::Length } else { Metric::Time };
        let direction = if forward { Direction::FromSources } else { Direction::ToSources };
        let n = graph.num_nodes() as u32;
        let seeds: Vec<Seed> = picks.iter().enumerate().map(|(i, p)| Seed { travel_s: f64::from(p % 7), length_m: f64::from(p % 5), ..seed(p % n, i as u32) }).collect();
        let search = routing::SearchGraph::new(&graph);
        let all = routing::multi_source(&search, &seeds, direction, metric, cutoff);
        let lazy = routing::multi_source_at_junctions(&search, &seeds, direction, metric, cutoff);
        for v in 0..n {
            let (a, b) = (all.reached(NodeId(v)), lazy.reached(NodeId(v)));
            prop_assert_eq!(a.is_some(), b.is_some(), "node {}: {:?} vs {:?}", v, a, b);
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert!(close(a.0, b.0) && close(a.1, b.1), "node {}: {:?} vs {:?}", v, a, b);
            }
        }
    }

    #[test]
    fn hierarchy_equals_dijkstra(graph in arb_graph(), lanes in prop::collection::vec(prop::collection::vec(any::<u32>(), 1..4), 1..=routing::LANES), forward in any::<bool>(), cutoff in prop::option::of(0.0f64..600.0)) {
        // Several searches at once, each with its own seeds, read at every node.
        let direction = if forward { Direction::FromSources } else { Direction::ToSources };
        let n = graph.num_nodes() as u32;
        let seed_sets: Vec<Vec<Seed>> = lanes.iter().map(|picks| picks.iter().map(|p| Seed { travel_s: f64::from(p % 7), ..seed(p % n, 0) }).collect()).collect();
        let search = routing::SearchGraph::new(&graph);
        let hierarchy = routing::Hierarchy::new(&search, direction);
        let sets: Vec<&[Seed]> = seed_sets.iter().map(Vec::as_slice).collect();
        let phast = hierarchy.search_many(&search, &sets, cutoff);
        let nodes: Vec<NodeId> = (0..n).map(NodeId).collect();
        let targets = routing::Targets::new(&search, &nodes, direction);
        let limit = cutoff.unwrap_or(f64::INFINITY);
        for (lane, seeds) in seed_sets.iter().enumerate() {
            let dijkstra = routing::multi_source_at_junctions(&search, seeds, direction, Metric::Time, cutoff);
            for v in 0..n {
                let a = dijkstra.reached(NodeId(v));
                let (s, m) = phast.reached_target(&targets, v as usize);
                let b = (s[lane] <= limit).then_some((s[lane], m[lane]));
                prop_assert_eq!(a.is_some(), b.is_some(), "lane {} node {}: {:?} vs {:?}", lane, v, a, b);
                if let (Some(a), Some(b)) = (a, b) {
                    prop_assert!(close(a.0, b.0), "lane {} node {}: {:?} vs {:?}", lane, v, a, b);
                }
            }
        }
    }

    #[test]
    fn bounded_equals_unbounded_then_filtered(graph in arb_graph(), pick in any::<u32>(), cutoff in 0.0f64..600.0, by_length in any::<bool>()) {
        let metric = if by_length { Metric::Length } else { Metric::Time };
        let search = routing::SearchGraph::new(&graph);
        let seeds = [seed(pick % graph.num_nodes() as u32, 0)];
        let full = routing::multi_source(&search, &seeds, Direction::ToSources, metric, None);
        let bounded = routing::multi_source(&search, &seeds, Direction::ToSources, metric, Some(cutoff));
        for v in 0..graph.num_nodes() {
            let c = full.cost(NodeId(v as u32), metric);
            if c <= cutoff {
                prop_assert!(close(bounded.cost(NodeId(v as u32), metric), c));
            } else {
                prop_assert!(bounded.cost(NodeId(v as u32), metric).is_infinite());
            }
        }
    }
}

fn graph_of(sketch: &Sketch, mode: TravelMode) -> (RoadGraph, SnapIndex) {
    let graph = RoadGraph::build(&sketch.build(), &test_profile(mode)).expect("sketch builds");
    let index = SnapIndex::new(&graph);
    (graph, index)
}

fn attach(graph: &RoadGraph, index: &SnapIndex, at: (f64, f64)) -> Attachment {
    Attachment::new(graph, index, at.0, at.1, 3.6, 500.0).expect("on the road")
}

#[test]
fn one_way_street_makes_the_return_trip_longer() {
    // a -> b is one-way; going back from b to a takes the loop b-c-d-a.
    let sketch = Sketch::new(
        "
        a---b
        |   |
        d---c
    ",
    )
    .way("ab", &[("highway", "primary"), ("oneway", "yes")])
    .way("bcda", &[("highway", "primary")]);
    let (graph, index) = graph_of(&sketch, TravelMode::Motorbike);
    let (a, b) = (sketch.node_coord('a'), sketch.node_coord('b'));
    let to_b = nearest::k_nearest(
        &graph,
        &attach(&graph, &index, a),
        &[Some(attach(&graph, &index, b))],
        1,
    );
    let to_a = nearest::k_nearest(
        &graph,
        &attach(&graph, &index, b),
        &[Some(attach(&graph, &index, a))],
        1,
    );
    assert!(
        (to_b[0].travel_s - 40.0).abs() < 0.5,
        "a to b along the one-way: {}",
        to_b[0].travel_s
    );
    assert!(
        (to_a[0].travel_s - 80.0).abs() < 0.5,
        "b to a around the loop (200 + 400 + 200 m): {}",
        to_a[0].travel_s
    );
}

#[test]
fn nearest_ranks_by_time_and_draws_the_route() {
    let sketch = Sketch::new(
        "
        a---b---c-----------d
    ",
    )
    .way("abcd", &[("highway", "residential")]);
    let (graph, index) = graph_of(&sketch, TravelMode::Motorbike);
    let points = [
        sketch.node_coord('d'),
        sketch.node_coord('c'),
        sketch.node_coord('a'),
    ];
    let dest: Vec<_> = points
        .iter()
        .map(|&p| Some(attach(&graph, &index, p)))
        .collect();
    let origin = attach(&graph, &index, sketch.node_coord('b'));
    let found = nearest::k_nearest(&graph, &origin, &dest, 3);
    let order: Vec<usize> = found.iter().map(|r| r.destination).collect();
    // c and a are both 400 m from b: ties keep a stable order; d (1.6 km) comes last.
    assert_eq!(order.len(), 3);
    assert_eq!(order[2], 0);
    assert!((found[2].travel_s - 160.0).abs() < 0.5);
    let route = &found[2].route;
    let end = route.last().expect("a route");
    let d = sketch.node_coord('d');
    assert!((end.0 - d.0).abs() < 1e-6 && (end.1 - d.1).abs() < 1e-6);
    assert!(route.len() >= 3, "the route passes c: {route:?}");
}

#[test]
fn isochrones_are_nested() {
    let sketch = Sketch::new(
        "
        a-----b-----c
        |     |     |
        d-----e-----f
    ",
    )
    .way("abc", &[("highway", "residential")])
    .way("def", &[("highway", "residential")])
    .way("ad", &[("highway", "residential")])
    .way("be", &[("highway", "residential")])
    .way("cf", &[("highway", "residential")]);
    let (graph, index) = graph_of(&sketch, TravelMode::Motorbike);
    let point = attach(&graph, &index, sketch.node_coord('a'));
    let seeds: Vec<_> = routing::seeds_towards(&graph, &point, 0).collect();
    let search = routing::SearchGraph::new(&graph);
    let times = routing::multi_source(&search, &seeds, Direction::ToSources, Metric::Time, None);
    let cells = isochrone::cell_times(&graph, &times, 300.0);
    let within = |limit: f64| -> std::collections::HashSet<_> {
        cells
            .iter()
            .filter(|&(_, &t)| t <= limit)
            .map(|(c, _)| *c)
            .collect()
    };
    let (small, large) = (within(60.0), within(120.0));
    assert!(!small.is_empty() && small.is_subset(&large) && small.len() < large.len());
    let poly = isochrone::polygon(&cells, 60.0);
    assert!(!poly.0.is_empty());
}

#[test]
fn matrix_matches_single_searches() {
    let sketch = Sketch::new(
        "
        a---b---c
        |       |
        d-------e
    ",
    )
    .way("abc", &[("highway", "residential"), ("oneway", "yes")])
    .way("ce", &[("highway", "residential")])
    .way("eda", &[("highway", "residential")]);
    let (graph, index) = graph_of(&sketch, TravelMode::Motorbike);
    let places: Vec<_> = "abcde"
        .chars()
        .map(|c| Some(attach(&graph, &index, sketch.node_coord(c))))
        .collect();
    let search = routing::SearchGraph::new(&graph);
    let hierarchy = routing::Hierarchy::new(&search, Direction::ToSources);
    let mut by_pair = HashMap::new();
    // The same matrix by one Dijkstra per candidate and through the hierarchy.
    for (h, hierarchy) in [None, Some(&hierarchy)].into_iter().enumerate() {
        let rows = routing::matrix::reach_by_candidate(
            &graph,
            &search,
            hierarchy,
            &places,
            &places,
            Metric::Time,
            1e9,
            &|| {},
        );
        for (c, row) in rows.iter().enumerate() {
            for r in row {
                by_pair.insert((r.demand as usize, c, h), r.travel_s);
            }
        }
    }
    for d in 0..places.len() {
        for c in 0..places.len() {
            let expected = if d == c {
                0.0
            } else {
                nearest::k_nearest(&graph, places[d].as_ref().unwrap(), &[places[c]], 1)[0].travel_s
            };
            for h in 0..2 {
                let got = by_pair[&(d, c, h)];
                assert!(
                    (got - expected).abs() < 1e-6,
                    "{d}->{c} ({h}): {got} vs {expected}"
                );
            }
        }
    }
}

#[test]
fn nodes_that_only_pass_traffic_through_are_not_searched() {
    // Only e (where the one-way street leaves) and f (where it arrives) are crossings; the
    // search visits them and labels the others from the chain e-d-c-b-a-g-f between them.
    let sketch = Sketch::new(
        "
        a-b-c-d-e
                |
        g-------f
    ",
    )
    .way("abcde", &[("highway", "residential")])
    .way("ef", &[("highway", "residential"), ("oneway", "yes")])
    .way("fga", &[("highway", "residential")]);
    let (graph, _) = graph_of(&sketch, TravelMode::Motorbike);
    let search = routing::SearchGraph::new(&graph);
    assert_eq!(graph.num_nodes(), 7);
    assert_eq!(search.num_junctions(), 2);
    let g = sketch.node(&graph, 'g').expect("g is kept");
    let times = routing::multi_source(
        &search,
        &[seed(g.0, 0)],
        Direction::FromSources,
        Metric::Length,
        None,
    );
    // From g (inside the chain) to d: 200 m up to a and 600 m along the top street, since the
    // one-way e → f bars the way round by f.
    let d = sketch.node(&graph, 'd').expect("d is kept");
    assert!(
        (times.length_m[d.0 as usize] - 800.0).abs() < 0.5,
        "{}",
        times.length_m[d.0 as usize]
    );
    let f = sketch.node(&graph, 'f').expect("f is kept");
    assert!(
        (times.length_m[f.0 as usize] - 800.0).abs() < 0.5,
        "{}",
        times.length_m[f.0 as usize]
    );
}
