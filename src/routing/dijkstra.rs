//! Multi-source Dijkstra over a [`RoadGraph`], forwards or backwards, optionally bounded.

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

/// One arc of a [`SearchGraph`]: where it leads, which road edge it stands for, its costs.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Arc {
    to: u32,
    edge: u32,
    travel_s: f32,
    length_m: f32,
}

/// Adjacency of one direction, arcs of a node stored together.
#[derive(Clone, Debug, Default)]
struct Adjacency {
    first: Vec<u32>,
    arcs: Vec<Arc>,
}

impl Adjacency {
    fn arcs(&self, node: usize) -> &[Arc] {
        &self.arcs[self.first[node] as usize..self.first[node + 1] as usize]
    }
}

/// A [`RoadGraph`] laid out for searching in both directions: the arcs leaving (or entering) a
/// node sit next to each other with their costs, so a backward search reads memory in order
/// instead of jumping through edge ids. Built once per graph and reused by every search.
#[derive(Clone, Debug, Default)]
pub struct SearchGraph {
    forward: Adjacency,
    backward: Adjacency,
}

impl SearchGraph {
    pub fn new(graph: &RoadGraph) -> SearchGraph {
        let n = graph.num_nodes();
        let mut forward = Adjacency {
            first: Vec::with_capacity(n + 1),
            arcs: Vec::with_capacity(graph.num_edges()),
        };
        let mut backward = Adjacency {
            first: Vec::with_capacity(n + 1),
            arcs: Vec::with_capacity(graph.num_edges()),
        };
        for v in 0..n {
            forward.first.push(forward.arcs.len() as u32);
            for e in graph.out_edges(NodeId(v as u32)) {
                forward.arcs.push(Arc {
                    to: graph.head[e].0,
                    edge: e as u32,
                    travel_s: graph.travel_s[e],
                    length_m: graph.length_m[e],
                });
            }
            backward.first.push(backward.arcs.len() as u32);
            for &EdgeId(e) in graph.in_edges(NodeId(v as u32)) {
                let i = e as usize;
                backward.arcs.push(Arc {
                    to: graph.tail[i].0,
                    edge: e,
                    travel_s: graph.travel_s[i],
                    length_m: graph.length_m[i],
                });
            }
        }
        forward.first.push(forward.arcs.len() as u32);
        backward.first.push(backward.arcs.len() as u32);
        SearchGraph { forward, backward }
    }

    pub fn num_nodes(&self) -> usize {
        self.forward.first.len().saturating_sub(1)
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
    let n = graph.num_nodes();
    let mut out = TravelTimes {
        travel_s: vec![f64::INFINITY; n],
        length_m: vec![f64::INFINITY; n],
        source: vec![NO_SOURCE; n],
        parent_edge: vec![NO_EDGE; n],
    };
    let limit = cutoff.unwrap_or(f64::INFINITY);
    let adjacency = match direction {
        Direction::FromSources => &graph.forward,
        Direction::ToSources => &graph.backward,
    };
    let mut heap = RadixHeap::default();
    for seed in seeds {
        let i = seed.node.0 as usize;
        let cost = match metric {
            Metric::Time => seed.travel_s,
            Metric::Length => seed.length_m,
        };
        if cost.is_nan() || cost < 0.0 || cost > limit || i >= n {
            continue;
        }
        if cost < out.cost(seed.node, metric) {
            out.travel_s[i] = seed.travel_s;
            out.length_m[i] = seed.length_m;
            out.source[i] = seed.source;
            out.parent_edge[i] = NO_EDGE;
            heap.push(key(cost), seed.node.0);
        }
    }
    // Lazy deletion: a node may sit in the heap several times; only the entry carrying its
    // current cost is expanded, and a node's cost never changes once that entry is popped.
    while let Some((k, node)) = heap.pop() {
        let u = node as usize;
        let (time_u, len_u) = (out.travel_s[u], out.length_m[u]);
        let cost_u = match metric {
            Metric::Time => time_u,
            Metric::Length => len_u,
        };
        if k != key(cost_u) {
            continue;
        }
        let src_u = out.source[u];
        for arc in adjacency.arcs(u) {
            let v = arc.to as usize;
            let time_v = time_u + f64::from(arc.travel_s);
            let len_v = len_u + f64::from(arc.length_m);
            let (cost_v, old) = match metric {
                Metric::Time => (time_v, out.travel_s[v]),
                Metric::Length => (len_v, out.length_m[v]),
            };
            if cost_v < old && cost_v <= limit {
                out.travel_s[v] = time_v;
                out.length_m[v] = len_v;
                out.source[v] = src_u;
                out.parent_edge[v] = arc.edge;
                heap.push(key(cost_v), v as u32);
            }
        }
    }
    out
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
