//! Multi-source Dijkstra over the junctions of a [`SearchGraph`], forwards or backwards,
//! optionally bounded, and the labelling of the chains in between.

use super::radix_heap::RadixHeap;
use super::search_graph::{Chain, Hop, NONE, SearchGraph, TOWARDS_A, TOWARDS_B};
use crate::graph::NodeId;

/// Marks "no source reached this node" in [`TravelTimes::source`].
pub const NO_SOURCE: u32 = u32::MAX;
/// Marks "no edge led here" in [`TravelTimes::parent_edge`] (a seed or an unreached node).
pub const NO_EDGE: u32 = u32::MAX;

/// Which way travel goes relative to the sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Cost from each node *to* the nearest source: the search follows edges backwards.
    /// This is the coverage question: residents travel to a receiving point.
    ToSources,
    /// Cost from the nearest source *to* each node: the search follows edges forwards
    /// (a citizen leaving home towards the points).
    FromSources,
}

/// What the search minimises. The other quantity is carried along the chosen paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Fastest paths (seconds).
    Time,
    /// Shortest paths (metres): the "5 km along the network" reading of the radius.
    Length,
}

/// A starting point of a search: a node with the cost already spent to reach it from the
/// source (for example the part of an edge between a receiving point and the edge's end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seed {
    pub node: NodeId,
    pub travel_s: f64,
    pub length_m: f64,
    /// Index of the source (receiving point) this seed belongs to.
    pub source: u32,
}

/// Result of a search: per node, the cost of the best path and where it leads.
/// Unreached nodes (or nodes beyond the cut-off) hold `f64::INFINITY` and [`NO_SOURCE`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TravelTimes {
    pub travel_s: Vec<f64>,
    pub length_m: Vec<f64>,
    pub source: Vec<u32>,
    /// The edge by which the best path reaches (or leaves, for [`Direction::ToSources`]) each node.
    pub parent_edge: Vec<u32>,
}

impl TravelTimes {
    pub fn is_reached(&self, n: NodeId) -> bool {
        self.source[n.0 as usize] != NO_SOURCE
    }

    /// Cost in the searched metric.
    pub fn cost(&self, n: NodeId, metric: Metric) -> f64 {
        match metric {
            Metric::Time => self.travel_s[n.0 as usize],
            Metric::Length => self.length_m[n.0 as usize],
        }
    }
}

/// Bit pattern of a non-negative f64 orders the same way as the number, which lets the queue
/// hold plain integers instead of a float wrapper.
pub(super) fn key(cost: f64) -> u64 {
    debug_assert!(cost >= 0.0);
    cost.to_bits()
}

/// The label of one node during a search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Label {
    pub(super) travel_s: f64,
    pub(super) length_m: f64,
    pub(super) source: u32,
    pub(super) parent_edge: u32,
}

pub(super) const UNREACHED: Label = Label {
    travel_s: f64::INFINITY,
    length_m: f64::INFINITY,
    source: NO_SOURCE,
    parent_edge: NO_EDGE,
};

impl Label {
    pub(super) fn cost(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Time => self.travel_s,
            Metric::Length => self.length_m,
        }
    }

    /// This label carried a further `(travel_s, length_m)`, with no edge to retrace.
    pub(super) fn plus(self, (s, m): (f64, f64)) -> Label {
        Label {
            travel_s: self.travel_s + s,
            length_m: self.length_m + m,
            source: self.source,
            parent_edge: NO_EDGE,
        }
    }

    /// This label carried over one hop of a chain, the way `way`.
    pub(super) fn across(self, hop: &Hop, way: usize) -> Label {
        Label {
            travel_s: self.travel_s + f64::from(hop.travel_s[way]),
            length_m: self.length_m + f64::from(hop.length_m[way]),
            source: self.source,
            parent_edge: hop.edge[way],
        }
    }
}

impl TravelTimes {
    pub(super) fn label(&self, i: usize) -> Label {
        Label {
            travel_s: self.travel_s[i],
            length_m: self.length_m[i],
            source: self.source[i],
            parent_edge: self.parent_edge[i],
        }
    }

    pub(super) fn set(&mut self, i: usize, label: Label) {
        self.travel_s[i] = label.travel_s;
        self.length_m[i] = label.length_m;
        self.source[i] = label.source;
        self.parent_edge[i] = label.parent_edge;
    }
}

/// Runs one multi-source Dijkstra. Sources with several seeds (a receiving point on the middle
/// of an edge seeds both ends) are fine; the cheapest seed wins. With `cutoff` (in the searched
/// metric), nodes whose cost exceeds it are left unreached, so a bounded search equals an
/// unbounded one filtered to `cost <= cutoff`.
pub fn multi_source(
    graph: &SearchGraph,
    seeds: &[Seed],
    direction: Direction,
    metric: Metric,
    cutoff: Option<f64>,
) -> TravelTimes {
    multi_source_at_junctions(graph, seeds, direction, metric, cutoff).into_travel_times()
}

/// The result of a search before the chains are swept: junction labels and the seeds that
/// fell inside chains. Reading a few nodes with [`NodeCosts::reached`] costs a few
/// subtractions each, so callers that need only some nodes (the ends of the roads their places
/// sit on) skip labelling every node.
#[derive(Clone, Debug)]
pub struct JunctionTimes<'g> {
    graph: &'g SearchGraph,
    labels: Vec<Label>,
    /// Seeds inside chains as (chain, position, label), sorted by chain.
    on_chains: Vec<(u32, u32, Label)>,
    forwards: bool,
    metric: Metric,
    limit: f64,
}

/// Per-node results of a search, read one node at a time.
pub trait NodeCosts {
    /// `(travel_s, length_m, source)` of the best path at `node`, or `None` when unreached.
    fn reached(&self, node: NodeId) -> Option<(f64, f64, u32)>;
}

impl NodeCosts for TravelTimes {
    fn reached(&self, node: NodeId) -> Option<(f64, f64, u32)> {
        let i = node.0 as usize;
        self.is_reached(node)
            .then(|| (self.travel_s[i], self.length_m[i], self.source[i]))
    }
}

impl NodeCosts for JunctionTimes<'_> {
    fn reached(&self, node: NodeId) -> Option<(f64, f64, u32)> {
        self.answer(self.label(node.0 as usize))
    }
}

impl JunctionTimes<'_> {
    /// A label as the caller sees it: reached and within the cut-off.
    pub(super) fn answer(&self, label: Label) -> Option<(f64, f64, u32)> {
        (label.source != NO_SOURCE && label.cost(self.metric) <= self.limit).then_some((
            label.travel_s,
            label.length_m,
            label.source,
        ))
    }

    /// The best of two junction labels carried the given costs (infinite: no way).
    pub(super) fn best_from_ends(&self, ends: [u32; 2], via: [(f64, f64); 2]) -> Label {
        let mut best = UNREACHED;
        for (end, via) in ends.into_iter().zip(via) {
            let label = self.labels[end as usize];
            if label.source == NO_SOURCE || via.0.is_infinite() {
                continue;
            }
            let next = label.plus(via);
            if next.cost(self.metric) < best.cost(self.metric) {
                best = next;
            }
        }
        best
    }

    /// Whether a seed of this search fell inside chain `c`.
    pub(super) fn has_seeds_on(&self, c: u32) -> bool {
        let first = self.on_chains.partition_point(|s| s.0 < c);
        self.on_chains.get(first).is_some_and(|s| s.0 == c)
    }

    /// The label of any node: a junction's own, or the best of what reaches an interior node
    /// along its chain (from either end, or from a seed on the chain).
    pub(super) fn label(&self, i: usize) -> Label {
        let graph = self.graph;
        let j = graph.junction_of[i];
        if j != NONE {
            return self.labels[j as usize];
        }
        let c = graph.chain_of[i];
        let chain = &graph.chains[c as usize];
        let p = graph.position[i] as usize;
        let ends = [
            graph.junction_of[chain.a as usize],
            graph.junction_of[chain.b as usize],
        ];
        let best = self.best_from_ends(ends, graph.via_ends(c, p, self.forwards));
        graph.along_from_seeds(c, p, &self.on_chains, self.forwards, self.metric, best)
    }

    /// Labels every node: junctions as searched, chain interiors by one sweep per chain.
    pub fn into_travel_times(self) -> TravelTimes {
        let graph = self.graph;
        let (metric, limit, forwards) = (self.metric, self.limit, self.forwards);
        let n = graph.num_nodes();
        let mut out = TravelTimes {
            travel_s: vec![f64::INFINITY; n],
            length_m: vec![f64::INFINITY; n],
            source: vec![NO_SOURCE; n],
            parent_edge: vec![NO_EDGE; n],
        };
        for (label, &v) in self.labels.iter().zip(&graph.junctions) {
            if label.source != NO_SOURCE {
                out.set(v as usize, *label);
            }
        }
        let mut seeded = self.on_chains.iter().map(|s| s.0).peekable();
        for &(c, p, label) in &self.on_chains {
            let chain = &graph.chains[c as usize];
            let v = graph.interior[chain.interior as usize + p as usize - 1] as usize;
            if label.cost(metric) < out.cost(NodeId(v as u32), metric) {
                out.set(v, label);
            }
        }
        for (c, chain) in graph.chains.iter().enumerate() {
            while seeded.next_if(|&s| (s as usize) < c).is_some() {}
            let has_seed = seeded.peek().is_some_and(|&s| s as usize == c);
            if has_seed || out.is_reached(NodeId(chain.a)) || out.is_reached(NodeId(chain.b)) {
                sweep(graph, chain, &mut out, forwards, metric);
            }
        }
        if limit.is_finite() {
            for &v in &graph.interior {
                if out.cost(NodeId(v), metric) > limit {
                    out.set(v as usize, UNREACHED);
                }
            }
        }
        out
    }
}

/// Nodes read after each of many searches (the road ends of every demand place in a matrix),
/// resolved once: a junction, or a chain position with its costs to or from the chain's ends
/// in the search direction.
#[derive(Clone, Debug)]
pub struct Targets {
    pub(super) direction: Direction,
    pub(super) resolved: Vec<Resolved>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Resolved {
    pub(super) node: u32,
    /// The chain, or [`NONE`] for a junction (then `ends[0]` is the junction, reached at no
    /// cost).
    pub(super) chain: u32,
    pub(super) ends: [u32; 2],
    /// `(travel_s, length_m)` between the node and each end, infinite where closed.
    pub(super) via: [(f64, f64); 2],
}

impl Targets {
    pub fn new(graph: &SearchGraph, nodes: &[NodeId], direction: Direction) -> Targets {
        let forwards = direction == Direction::FromSources;
        let resolved = nodes
            .iter()
            .map(|&NodeId(v)| {
                let i = v as usize;
                let j = graph.junction_of[i];
                if j != NONE {
                    return Resolved {
                        node: v,
                        chain: NONE,
                        ends: [j, j],
                        via: [(0.0, 0.0), (f64::INFINITY, f64::INFINITY)],
                    };
                }
                let c = graph.chain_of[i];
                let chain = &graph.chains[c as usize];
                Resolved {
                    node: v,
                    chain: c,
                    ends: [
                        graph.junction_of[chain.a as usize],
                        graph.junction_of[chain.b as usize],
                    ],
                    via: graph.via_ends(c, graph.position[i] as usize, forwards),
                }
            })
            .collect();
        Targets {
            direction,
            resolved,
        }
    }
}

impl JunctionTimes<'_> {
    /// [`NodeCosts::reached`] for the `k`-th node of `targets` (resolved for this search's
    /// graph and direction), without walking the chain.
    pub fn reached_target(&self, targets: &Targets, k: usize) -> Option<(f64, f64, u32)> {
        debug_assert_eq!(targets.direction == Direction::FromSources, self.forwards);
        let r = &targets.resolved[k];
        if self.has_seeds_on(r.chain) {
            return self.reached(NodeId(r.node));
        }
        self.answer(self.best_from_ends(r.ends, r.via))
    }
}

/// [`multi_source`] without labelling chain interiors; see [`JunctionTimes`].
pub fn multi_source_at_junctions<'g>(
    graph: &'g SearchGraph,
    seeds: &[Seed],
    direction: Direction,
    metric: Metric,
    cutoff: Option<f64>,
) -> JunctionTimes<'g> {
    let limit = cutoff.unwrap_or(f64::INFINITY);
    let forwards = direction == Direction::FromSources;
    let adjacency = if forwards {
        &graph.forward
    } else {
        &graph.backward
    };
    let Seeding {
        mut labels,
        seeded,
        on_chains,
    } = seed_junctions(graph, seeds, forwards, metric, limit);
    let mut heap = RadixHeap::default();
    for j in seeded {
        heap.push(key(labels[j as usize].cost(metric)), j);
    }
    // Lazy deletion: a junction may sit in the heap several times; only the entry carrying
    // its current cost is expanded, and its cost never changes once that entry is popped.
    while let Some((k, j)) = heap.pop() {
        let here = labels[j as usize];
        if k != key(here.cost(metric)) {
            continue;
        }
        for arc in adjacency.arcs(j as usize) {
            let next = Label {
                travel_s: here.travel_s + arc.travel_s,
                length_m: here.length_m + arc.length_m,
                source: here.source,
                parent_edge: arc.edge,
            };
            let cost = next.cost(metric);
            let v = arc.to as usize;
            if cost < labels[v].cost(metric) && cost <= limit {
                labels[v] = next;
                heap.push(key(cost), arc.to);
            }
        }
    }

    JunctionTimes {
        graph,
        labels,
        on_chains,
        forwards,
        metric,
        limit,
    }
}

/// Labels the interior nodes of one chain from its ends (and from seeds inside it): once from
/// A's side, once from B's. A path that turns back inside a chain is never the cheapest, so
/// two passes suffice.
pub(super) fn sweep(
    graph: &SearchGraph,
    chain: &Chain,
    out: &mut TravelTimes,
    forwards: bool,
    metric: Metric,
) {
    let len = chain.len as usize;
    let inner = &graph.interior[chain.interior as usize..][..len];
    let hops = &graph.hops[chain.hops as usize..][..len + 1];
    let node_at = |p: usize| -> usize {
        if p == 0 {
            chain.a as usize
        } else if p == len + 1 {
            chain.b as usize
        } else {
            inner[p - 1] as usize
        }
    };
    let relax = |out: &mut TravelTimes, from: usize, to: usize, hop: &Hop, way: usize| {
        if out.source[from] == NO_SOURCE {
            return;
        }
        let next = out.label(from).across(hop, way);
        if next.cost(metric) < out.cost(NodeId(to as u32), metric) {
            out.set(to, next);
        }
    };
    // Labels move from A's side to B's: searching from the sources along roads towards B,
    // searching towards them along roads towards A (a node's label comes from the node it
    // travels on to).
    let from_a_way = if forwards { TOWARDS_B } else { TOWARDS_A };
    if chain.open[from_a_way] {
        for p in 1..=len {
            relax(out, node_at(p - 1), node_at(p), &hops[p - 1], from_a_way);
        }
    }
    let from_b_way = if forwards { TOWARDS_A } else { TOWARDS_B };
    if chain.open[from_b_way] {
        for p in (1..=len).rev() {
            relax(out, node_at(p + 1), node_at(p), &hops[p], from_b_way);
        }
    }
}

/// Junction labels from the seeds alone, before any search: a seed on a junction labels it; a
/// seed inside a chain is kept for the chain's interior and carried to the chain's ends.
pub(super) struct Seeding {
    pub(super) labels: Vec<Label>,
    /// Junctions that received a label (possibly several times).
    pub(super) seeded: Vec<u32>,
    /// Seeds inside chains as (chain, position, label), sorted by chain.
    pub(super) on_chains: Vec<(u32, u32, Label)>,
}

pub(super) fn seed_junctions(
    graph: &SearchGraph,
    seeds: &[Seed],
    forwards: bool,
    metric: Metric,
    limit: f64,
) -> Seeding {
    let n = graph.num_nodes();
    let mut labels = vec![UNREACHED; graph.junctions.len()];
    let mut seeded = Vec::new();
    let offer = |labels: &mut [Label], seeded: &mut Vec<u32>, j: u32, label: Label| {
        let cost = label.cost(metric);
        if cost <= limit && cost < labels[j as usize].cost(metric) {
            labels[j as usize] = label;
            seeded.push(j);
        }
    };
    // Seeds inside a chain are kept for its interior and carried to the chain's ends.
    let mut on_chains: Vec<(u32, u32, Label)> = Vec::new();
    for seed in seeds {
        let i = seed.node.0 as usize;
        let label = Label {
            travel_s: seed.travel_s,
            length_m: seed.length_m,
            source: seed.source,
            parent_edge: NO_EDGE,
        };
        let cost = label.cost(metric);
        if cost.is_nan() || cost < 0.0 || cost > limit || i >= n {
            continue;
        }
        let j = graph.junction_of[i];
        if j != NONE {
            offer(&mut labels, &mut seeded, j, label);
            continue;
        }
        let chain = &graph.chains[graph.chain_of[i] as usize];
        let p = graph.position[i] as usize;
        on_chains.push((graph.chain_of[i], p as u32, label));
        // The seed's label flows to the chain's ends against the way labels flow from them
        // into the chain; the first (or last) hop is the edge a path retraces.
        let hops = &graph.hops[chain.hops as usize..][..chain.len as usize + 1];
        let via = graph.via_ends(graph.chain_of[i], p, !forwards);
        let (way_a, way_b) = if forwards {
            (TOWARDS_A, TOWARDS_B)
        } else {
            (TOWARDS_B, TOWARDS_A)
        };
        for (end, via, way, hop) in [
            (chain.a, via[0], way_a, &hops[0]),
            (chain.b, via[1], way_b, &hops[chain.len as usize]),
        ] {
            if chain.open[way] {
                let carried = Label {
                    parent_edge: hop.edge[way],
                    ..label.plus(via)
                };
                offer(
                    &mut labels,
                    &mut seeded,
                    graph.junction_of[end as usize],
                    carried,
                );
            }
        }
    }
    on_chains.sort_by_key(|s| (s.0, s.1));
    Seeding {
        labels,
        seeded,
        on_chains,
    }
}
