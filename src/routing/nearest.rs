//! The k receiving points a traveller reaches first from where they stand, with the routes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Attachment, along_shared_segment, seeds_from, seeds_towards};
use crate::graph::{EdgeId, NodeId, RoadGraph};

/// One reachable destination, ranked by travel time.
#[derive(Clone, Debug, PartialEq)]
pub struct Reached {
    /// Index into the destinations given to [`k_nearest`].
    pub destination: usize,
    pub travel_s: f64,
    pub length_m: f64,
    /// The route as (lon, lat) from the traveller's position on the road to the destination's.
    pub route: Vec<(f64, f64)>,
}

#[derive(Clone, Copy)]
struct Label {
    travel_s: f64,
    length_m: f64,
    parent_edge: u32,
}

const NONE: u32 = u32::MAX;

/// Best arrival found so far at a destination: travel time, length, the node it was reached
/// from and the edge taken from there (`NONE`/`None` for a direct run along a shared segment).
type BestArrival = (f64, f64, u32, Option<EdgeId>);

/// Forward Dijkstra from `origin` that stops once `k` destinations are settled. Destinations
/// are pushed into the same queue as nodes (as "virtual" entries past the node range) when an
/// end of their edge is settled, so they come out in exact travel-time order.
pub fn k_nearest(
    graph: &RoadGraph,
    origin: &Attachment,
    destinations: &[Option<Attachment>],
    k: usize,
) -> Vec<Reached> {
    let n = graph.num_nodes();
    // Which destinations hang off each node: (destination, edge from the node towards it).
    let mut hanging: Vec<Vec<(u32, EdgeId)>> = vec![Vec::new(); n];
    let mut best_dest: Vec<Option<BestArrival>> = vec![None; destinations.len()];
    for (d, att) in destinations.iter().enumerate() {
        let Some(att) = att else { continue };
        for seed in seeds_towards(graph, att, d as u32) {
            let edge = if graph.tail[att.snap.edge.0 as usize] == seed.node {
                att.snap.edge
            } else {
                att.snap.reverse.unwrap_or(att.snap.edge)
            };
            hanging[seed.node.0 as usize].push((d as u32, edge));
        }
        if let Some((t, l)) = along_shared_segment(graph, origin, att) {
            best_dest[d] = Some((t, l, NONE, None));
        }
    }

    let mut labels = vec![
        Label {
            travel_s: f64::INFINITY,
            length_m: f64::INFINITY,
            parent_edge: NONE,
        };
        n
    ];
    let mut settled = vec![false; n];
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    for seed in seeds_from(graph, origin, 0) {
        let i = seed.node.0 as usize;
        if seed.travel_s < labels[i].travel_s {
            labels[i] = Label {
                travel_s: seed.travel_s,
                length_m: seed.length_m,
                parent_edge: NONE,
            };
            heap.push(Reverse((seed.travel_s.to_bits(), seed.node.0)));
        }
    }
    for (d, best) in best_dest.iter().enumerate() {
        if let Some((t, ..)) = best {
            heap.push(Reverse((t.to_bits(), (n + d) as u32)));
        }
    }

    let mut out = Vec::with_capacity(k);
    let mut done = vec![false; destinations.len()];
    while let Some(Reverse((key, id))) = heap.pop() {
        if out.len() >= k {
            break;
        }
        let id = id as usize;
        if id >= n {
            let d = id - n;
            let Some((t, l, via_node, via_edge)) = best_dest[d] else {
                continue;
            };
            if done[d] || t.to_bits() != key {
                continue;
            }
            done[d] = true;
            out.push(Reached {
                destination: d,
                travel_s: t,
                length_m: l,
                route: route(
                    graph,
                    origin,
                    &labels,
                    via_node,
                    via_edge,
                    destinations[d].as_ref(),
                ),
            });
            continue;
        }
        if settled[id] {
            continue;
        }
        settled[id] = true;
        let here = labels[id];
        for &(d, edge) in &hanging[id] {
            let d = d as usize;
            let Some(att) = &destinations[d] else {
                continue;
            };
            let e = edge.0 as usize;
            let part = if edge == att.snap.edge {
                att.snap.fraction
            } else {
                1.0 - att.snap.fraction
            };
            let t = here.travel_s + part * f64::from(graph.travel_s[e]) + att.access_s;
            let l = here.length_m + part * f64::from(graph.length_m[e]) + att.access_m();
            if !done[d] && best_dest[d].is_none_or(|(bt, ..)| t < bt) {
                best_dest[d] = Some((t, l, id as u32, Some(edge)));
                heap.push(Reverse((t.to_bits(), (n + d) as u32)));
            }
        }
        for e in graph.out_edges(NodeId(id as u32)) {
            let v = graph.head[e].0 as usize;
            let t = here.travel_s + f64::from(graph.travel_s[e]);
            if !settled[v] && t < labels[v].travel_s {
                labels[v] = Label {
                    travel_s: t,
                    length_m: here.length_m + f64::from(graph.length_m[e]),
                    parent_edge: e as u32,
                };
                heap.push(Reverse((t.to_bits(), v as u32)));
            }
        }
    }
    out
}

/// Geometry of the path: origin's point on the road, the nodes walked, the destination's point.
fn route(
    graph: &RoadGraph,
    origin: &Attachment,
    labels: &[Label],
    via_node: u32,
    via_edge: Option<EdgeId>,
    destination: Option<&Attachment>,
) -> Vec<(f64, f64)> {
    let mut nodes = Vec::new();
    if via_node != NONE && via_edge.is_some() {
        let mut current = via_node as usize;
        nodes.push(current);
        for _ in 0..graph.num_nodes() {
            let e = labels[current].parent_edge;
            if e == NONE {
                break;
            }
            current = graph.tail[e as usize].0 as usize;
            nodes.push(current);
        }
        nodes.reverse();
    }
    let mut coords = vec![(origin.snap.lon, origin.snap.lat)];
    coords.extend(nodes.into_iter().map(|i| graph.coord(NodeId(i as u32))));
    if let Some(d) = destination {
        coords.push((d.snap.lon, d.snap.lat));
    }
    coords.dedup();
    coords
}
