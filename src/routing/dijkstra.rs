//! Multi-source Dijkstra over a [`RoadGraph`], forwards or backwards, optionally bounded.

mod hierarchy;

pub use hierarchy::{Hierarchy, LANES, ManyTimes};

use crate::graph::{EdgeId, NodeId, RoadGraph};

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
fn key(cost: f64) -> u64 {
    debug_assert!(cost >= 0.0);
    cost.to_bits()
}

/// One arc of a [`SearchGraph`] between junctions: where it leads, the road edge a path
/// reconstruction follows (the first edge of the arc's road path for a backward arc, the last
/// one for a forward arc), and the costs of the whole path, exact sums of its edges.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Arc {
    to: u32,
    edge: u32,
    travel_s: f64,
    length_m: f64,
}

/// Adjacency of one direction, arcs of a junction stored together.
#[derive(Clone, Debug, Default)]
struct Adjacency {
    first: Vec<u32>,
    arcs: Vec<Arc>,
}

impl Adjacency {
    fn arcs(&self, junction: usize) -> &[Arc] {
        &self.arcs[self.first[junction] as usize..self.first[junction + 1] as usize]
    }

    fn from_lists(n: usize, mut arcs: Vec<(u32, Arc)>) -> Adjacency {
        arcs.sort_by_key(|(from, arc)| (*from, arc.to, arc.edge));
        let (first, arcs) = grouped(n, arcs);
        Adjacency { first, arcs }
    }
}

/// CSR offsets and items for `(group, item)` pairs sorted by group, groups `0..n`.
fn grouped<T>(n: usize, items: Vec<(u32, T)>) -> (Vec<u32>, Vec<T>) {
    let mut first = Vec::with_capacity(n + 1);
    let mut i = 0;
    for g in 0..n as u32 {
        first.push(i as u32);
        while i < items.len() && items[i].0 == g {
            i += 1;
        }
    }
    first.push(items.len() as u32);
    (first, items.into_iter().map(|(_, t)| t).collect())
}

/// Marks "not a junction" in [`SearchGraph::junction_of`] and a closed direction of a hop.
const NONE: u32 = u32::MAX;

/// Index of the way towards a chain's B end, and towards its A end, in a [`Hop`].
const TOWARDS_B: usize = 0;
const TOWARDS_A: usize = 1;

/// A maximal run of pass-through nodes between two junctions: nodes `A, x1 .. xk, B` (the
/// positions 0 ..= k + 1) joined by hops `0 .. k`. One-way chains are oriented A → B.
#[derive(Clone, Debug, PartialEq)]
struct Chain {
    /// First and last node (junctions; the same node for a loop).
    a: u32,
    b: u32,
    /// Offset of this chain's interior nodes in [`SearchGraph::interior`] and of its hops
    /// (one more than the interior nodes) in [`SearchGraph::hops`].
    interior: u32,
    hops: u32,
    len: u32,
    /// Whether the chain can be travelled towards B, and towards A.
    open: [bool; 2],
}

/// One road segment of a chain, in both directions (`edge` is [`NONE`] where it is closed),
/// with the running totals of the chain from A up to the end of this hop, each way, so that
/// the cost between any two positions is one subtraction.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hop {
    edge: [u32; 2],
    travel_s: [f32; 2],
    length_m: [f32; 2],
    total_s: [f64; 2],
    total_m: [f64; 2],
}

/// A [`RoadGraph`] laid out for searching. OSM draws a curved street as many short straight
/// segments, so most nodes (about two thirds in Hanoi) only pass traffic through: one way in
/// and a different one out, or the same two neighbours both ways. The search runs over the
/// other nodes, the *junctions*, joined by arcs that stand for whole runs of pass-through
/// nodes (*chains*); afterwards one linear sweep per chain labels its interior nodes. Results
/// equal a search over every node up to rounding in the last bits, for a fraction of the
/// work. Arcs of a junction sit next to each other with their costs, so the search reads
/// memory in order. Built once per graph and reused by every search.
#[derive(Clone, Debug, Default)]
pub struct SearchGraph {
    /// Junction index of each node, or [`NONE`] for a chain's interior node.
    junction_of: Vec<u32>,
    /// Node of each junction.
    junctions: Vec<u32>,
    forward: Adjacency,
    backward: Adjacency,
    chains: Vec<Chain>,
    /// Interior nodes of all chains, chain after chain, from A to B.
    interior: Vec<u32>,
    /// For each interior node: its chain and its position (A is 0, B is len + 1).
    chain_of: Vec<u32>,
    position: Vec<u32>,
    hops: Vec<Hop>,
}

impl SearchGraph {
    /// `(travel_s, length_m)` along chain `c` between positions `near <= far`, the way `way`
    /// (infinite where closed): one subtraction of running totals.
    fn along_chain(&self, c: u32, way: usize, near: usize, far: usize) -> (f64, f64) {
        let chain = &self.chains[c as usize];
        if !chain.open[way] {
            return (f64::INFINITY, f64::INFINITY);
        }
        let hops = &self.hops[chain.hops as usize..];
        // Totals from A up to position q (towards B: A → q; towards A: q → A).
        let upto = |q: usize| -> (f64, f64) {
            if q == 0 {
                (0.0, 0.0)
            } else {
                (hops[q - 1].total_s[way], hops[q - 1].total_m[way])
            }
        };
        let (a, b) = (upto(near), upto(far));
        (b.0 - a.0, b.1 - a.1)
    }

    /// `(travel_s, length_m)` between position `p` of chain `c` and its ends A and B, the way
    /// labels flow in a search `forwards` from the sources (from A towards B and from B towards
    /// A) or towards them (from the node on to A and on to B); infinite where closed.
    fn via_ends(&self, c: u32, p: usize, forwards: bool) -> [(f64, f64); 2] {
        let end = self.chains[c as usize].len as usize + 1;
        if forwards {
            [
                self.along_chain(c, TOWARDS_B, 0, p),
                self.along_chain(c, TOWARDS_A, p, end),
            ]
        } else {
            [
                self.along_chain(c, TOWARDS_A, 0, p),
                self.along_chain(c, TOWARDS_B, p, end),
            ]
        }
    }

    /// `best` at position `p` of chain `c`, or what the seeds inside that chain bring there
    /// along the chain if it is better. `on_chains` holds a search's seeds inside chains as
    /// (chain, position, label), sorted by chain.
    fn along_from_seeds(
        &self,
        c: u32,
        p: usize,
        on_chains: &[(u32, u32, Label)],
        forwards: bool,
        metric: Metric,
        mut best: Label,
    ) -> Label {
        let chain = &self.chains[c as usize];
        let first = on_chains.partition_point(|s| s.0 < c);
        for &(_, q, seed) in on_chains[first..].iter().take_while(|s| s.0 == c) {
            let q = q as usize;
            // The way from the seed's side to this node's, as the search direction runs.
            let way = match (forwards, q <= p) {
                (true, true) | (false, false) => TOWARDS_B,
                (true, false) | (false, true) => TOWARDS_A,
            };
            let next = if q == p {
                seed
            } else if chain.open[way] {
                seed.plus(self.along_chain(c, way, p.min(q), p.max(q)))
            } else {
                continue;
            };
            if next.cost(metric) < best.cost(metric) {
                best = next;
            }
        }
        best
    }

    pub fn new(graph: &RoadGraph) -> SearchGraph {
        let n = graph.num_nodes();
        let out_neighbours = |v: u32| -> Vec<u32> {
            graph
                .out_edges(NodeId(v))
                .map(|e| graph.head[e].0)
                .collect()
        };
        let passes_through = |v: u32| {
            let mut outs = out_neighbours(v);
            let mut ins: Vec<u32> = graph
                .in_edges(NodeId(v))
                .iter()
                .map(|&EdgeId(e)| graph.tail[e as usize].0)
                .collect();
            outs.sort_unstable();
            ins.sort_unstable();
            match (outs.as_slice(), ins.as_slice()) {
                ([w], [u]) => u != w,
                ([u, w], _) => u != w && outs == ins,
                _ => false,
            }
        };
        let mut is_junction: Vec<bool> = (0..n as u32).map(|v| !passes_through(v)).collect();
        let hop = |from: u32, to: u32| {
            let towards = |t: u32, h: u32| {
                graph
                    .find_edge(NodeId(t), NodeId(h))
                    .map(|EdgeId(e)| (e, graph.travel_s[e as usize], graph.length_m[e as usize]))
            };
            let (b, a) = (towards(from, to), towards(to, from));
            let part =
                |x: Option<(u32, f32, f32)>| x.unwrap_or((NONE, f32::INFINITY, f32::INFINITY));
            let (b, a) = (part(b), part(a));
            Hop {
                edge: [b.0, a.0],
                travel_s: [b.1, a.1],
                length_m: [b.2, a.2],
                total_s: [0.0; 2],
                total_m: [0.0; 2],
            }
        };

        let mut chains: Vec<Chain> = Vec::new();
        let mut interior: Vec<u32> = Vec::new();
        let mut hops: Vec<Hop> = Vec::new();
        let mut visited = vec![false; n];
        // Follows every chain leaving junction `a`; chains met again from their other end are
        // skipped.
        let mut walk_from = |a: u32, is_junction: &[bool], visited: &mut [bool]| {
            for first in out_neighbours(a) {
                if is_junction[first as usize] || visited[first as usize] {
                    continue;
                }
                let chain_interior = interior.len() as u32;
                let chain_hops = hops.len() as u32;
                let (mut prev, mut here) = (a, first);
                hops.push(hop(prev, here));
                while !is_junction[here as usize] {
                    visited[here as usize] = true;
                    interior.push(here);
                    let next = out_neighbours(here)
                        .into_iter()
                        .find(|&w| w != prev)
                        .unwrap_or(prev);
                    (prev, here) = (here, next);
                    hops.push(hop(prev, here));
                }
                let chain_hops_slice = &mut hops[chain_hops as usize..];
                let two_way = chain_hops_slice.iter().all(|h| h.edge[TOWARDS_A] != NONE);
                let mut running = ([0.0f64; 2], [0.0f64; 2]);
                for h in chain_hops_slice.iter_mut() {
                    if !two_way {
                        // A one-way chain is used only towards B.
                        h.edge[TOWARDS_A] = NONE;
                    }
                    for way in [TOWARDS_B, TOWARDS_A] {
                        running.0[way] += f64::from(h.travel_s[way]);
                        running.1[way] += f64::from(h.length_m[way]);
                    }
                    (h.total_s, h.total_m) = running;
                }
                chains.push(Chain {
                    a,
                    b: here,
                    interior: chain_interior,
                    hops: chain_hops,
                    len: interior.len() as u32 - chain_interior,
                    open: [true, two_way],
                });
            }
        };
        for a in 0..n as u32 {
            if is_junction[a as usize] {
                walk_from(a, &is_junction, &mut visited);
            }
        }
        // What is left are rings without a junction: one node of each becomes one.
        for v in 0..n as u32 {
            if !is_junction[v as usize] && !visited[v as usize] {
                is_junction[v as usize] = true;
                walk_from(v, &is_junction, &mut visited);
            }
        }

        let junctions: Vec<u32> = (0..n as u32).filter(|&v| is_junction[v as usize]).collect();
        let mut junction_of = vec![NONE; n];
        for (j, &v) in junctions.iter().enumerate() {
            junction_of[v as usize] = j as u32;
        }
        let mut chain_of = vec![NONE; n];
        let mut position = vec![0; n];
        let mut forward = Vec::with_capacity(graph.num_edges());
        let mut backward = Vec::with_capacity(graph.num_edges());
        let mut link = |from: u32, to: u32, first_edge: u32, last_edge: u32, travel_s, length_m| {
            forward.push((
                from,
                Arc {
                    to,
                    edge: last_edge,
                    travel_s,
                    length_m,
                },
            ));
            backward.push((
                to,
                Arc {
                    to: from,
                    edge: first_edge,
                    travel_s,
                    length_m,
                },
            ));
        };
        for (c, chain) in chains.iter().enumerate() {
            let inner = &interior[chain.interior as usize..][..chain.len as usize];
            for (i, &v) in inner.iter().enumerate() {
                chain_of[v as usize] = c as u32;
                position[v as usize] = i as u32 + 1;
            }
            let chain_hops = &hops[chain.hops as usize..][..chain.len as usize + 1];
            let (ja, jb) = (junction_of[chain.a as usize], junction_of[chain.b as usize]);
            for (way, from, to) in [(TOWARDS_B, ja, jb), (TOWARDS_A, jb, ja)] {
                if !chain.open[way] {
                    continue;
                }
                let whole = &chain_hops[chain.len as usize];
                let (travel_s, length_m) = (whole.total_s[way], whole.total_m[way]);
                let (near_a, near_b) = (
                    chain_hops[0].edge[way],
                    chain_hops[chain.len as usize].edge[way],
                );
                let (first_edge, last_edge) = if way == TOWARDS_B {
                    (near_a, near_b)
                } else {
                    (near_b, near_a)
                };
                link(from, to, first_edge, last_edge, travel_s, length_m);
            }
        }
        // Roads between two junctions stay as they are.
        for e in 0..graph.num_edges() {
            let (t, h) = (graph.tail[e].0 as usize, graph.head[e].0 as usize);
            if is_junction[t] && is_junction[h] {
                link(
                    junction_of[t],
                    junction_of[h],
                    e as u32,
                    e as u32,
                    f64::from(graph.travel_s[e]),
                    f64::from(graph.length_m[e]),
                );
            }
        }
        let m = junctions.len();
        SearchGraph {
            junction_of,
            junctions,
            forward: Adjacency::from_lists(m, forward),
            backward: Adjacency::from_lists(m, backward),
            chains,
            interior,
            chain_of,
            position,
            hops,
        }
    }

    pub fn num_nodes(&self) -> usize {
        self.junction_of.len()
    }

    /// Nodes the search itself visits; the others get their labels from their chain.
    pub fn num_junctions(&self) -> usize {
        self.junctions.len()
    }
}

/// The label of one node during a search.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Label {
    travel_s: f64,
    length_m: f64,
    source: u32,
    parent_edge: u32,
}

const UNREACHED: Label = Label {
    travel_s: f64::INFINITY,
    length_m: f64::INFINITY,
    source: NO_SOURCE,
    parent_edge: NO_EDGE,
};

impl Label {
    fn cost(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Time => self.travel_s,
            Metric::Length => self.length_m,
        }
    }

    /// This label carried a further `(travel_s, length_m)`, with no edge to retrace.
    fn plus(self, (s, m): (f64, f64)) -> Label {
        Label {
            travel_s: self.travel_s + s,
            length_m: self.length_m + m,
            source: self.source,
            parent_edge: NO_EDGE,
        }
    }

    /// This label carried over one hop of a chain, the way `way`.
    fn across(self, hop: &Hop, way: usize) -> Label {
        Label {
            travel_s: self.travel_s + f64::from(hop.travel_s[way]),
            length_m: self.length_m + f64::from(hop.length_m[way]),
            source: self.source,
            parent_edge: hop.edge[way],
        }
    }
}

impl TravelTimes {
    fn label(&self, i: usize) -> Label {
        Label {
            travel_s: self.travel_s[i],
            length_m: self.length_m[i],
            source: self.source[i],
            parent_edge: self.parent_edge[i],
        }
    }

    fn set(&mut self, i: usize, label: Label) {
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
    fn answer(&self, label: Label) -> Option<(f64, f64, u32)> {
        (label.source != NO_SOURCE && label.cost(self.metric) <= self.limit).then_some((
            label.travel_s,
            label.length_m,
            label.source,
        ))
    }

    /// The best of two junction labels carried the given costs (infinite: no way).
    fn best_from_ends(&self, ends: [u32; 2], via: [(f64, f64); 2]) -> Label {
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
    fn has_seeds_on(&self, c: u32) -> bool {
        let first = self.on_chains.partition_point(|s| s.0 < c);
        self.on_chains.get(first).is_some_and(|s| s.0 == c)
    }

    /// The label of any node: a junction's own, or the best of what reaches an interior node
    /// along its chain (from either end, or from a seed on the chain).
    fn label(&self, i: usize) -> Label {
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
    direction: Direction,
    resolved: Vec<Resolved>,
}

#[derive(Clone, Copy, Debug)]
struct Resolved {
    node: u32,
    /// The chain, or [`NONE`] for a junction (then `ends[0]` is the junction, reached at no
    /// cost).
    chain: u32,
    ends: [u32; 2],
    /// `(travel_s, length_m)` between the node and each end, infinite where closed.
    via: [(f64, f64); 2],
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
fn sweep(
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
struct Seeding {
    labels: Vec<Label>,
    /// Junctions that received a label (possibly several times).
    seeded: Vec<u32>,
    /// Seeds inside chains as (chain, position, label), sorted by chain.
    on_chains: Vec<(u32, u32, Label)>,
}

fn seed_junctions(
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

/// A monotone priority queue (radix heap): Dijkstra never pushes a key below the last one
/// popped, so keys can be kept in buckets by the highest bit in which they differ from it, and
/// most pushes and pops cost a few instructions instead of a heap's logarithmic sift.
struct RadixHeap {
    buckets: [Vec<(u64, u32)>; 65],
    last: u64,
    len: usize,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            buckets: std::array::from_fn(|_| Vec::new()),
            last: 0,
            len: 0,
        }
    }
}

impl RadixHeap {
    fn bucket(&self, k: u64) -> usize {
        64 - (k ^ self.last).leading_zeros() as usize
    }

    fn push(&mut self, k: u64, node: u32) {
        debug_assert!(
            k >= self.last,
            "radix heap keys must not go below the last pop"
        );
        let b = self.bucket(k);
        self.buckets[b].push((k, node));
        self.len += 1;
    }

    /// Readies an emptied heap for another search, whose keys start again from zero.
    fn restart(&mut self) {
        debug_assert_eq!(self.len, 0, "only an emptied heap restarts");
        self.last = 0;
    }

    /// Drops what is left (a search that stopped early) and readies the heap for another.
    fn clear(&mut self) {
        if self.len > 0 {
            self.buckets.iter_mut().for_each(Vec::clear);
            self.len = 0;
        }
        self.last = 0;
    }

    fn pop(&mut self) -> Option<(u64, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..65).find(|&i| !self.buckets[i].is_empty())?;
            let items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|e| e.0).min()?;
            for (k, node) in &items {
                let b = self.bucket(*k);
                self.buckets[b].push((*k, *node));
            }
            // Give the emptied bucket its allocation back for later pushes.
            let mut items = items;
            items.clear();
            self.buckets[i] = items;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

/// Nodes of the best path from `target` back to its source, following parent edges: for a
/// [`Direction::FromSources`] search the result runs source → target after reversing; for
/// [`Direction::ToSources`] it already runs target → source. Returns an empty vector when the
/// node was not reached.
pub fn path_nodes(
    graph: &RoadGraph,
    times: &TravelTimes,
    target: NodeId,
    direction: Direction,
) -> Vec<NodeId> {
    if !times.is_reached(target) {
        return Vec::new();
    }
    let mut nodes = vec![target];
    let mut current = target;
    // A path visits each node once, so its length is bounded by the node count; the bound
    // guards against a corrupted parent array looping forever.
    for _ in 0..graph.num_nodes() {
        let e = times.parent_edge[current.0 as usize];
        if e == NO_EDGE {
            break;
        }
        current = match direction {
            Direction::FromSources => graph.tail[e as usize],
            Direction::ToSources => graph.head[e as usize],
        };
        nodes.push(current);
    }
    if direction == Direction::FromSources {
        nodes.reverse();
    }
    nodes
}
