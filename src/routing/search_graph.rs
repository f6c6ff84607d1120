//! A [`RoadGraph`] laid out for searching: junctions joined by arcs, chains of pass-through
//! nodes between them.

use super::dijkstra::{Label, Metric};
use crate::graph::{EdgeId, NodeId, RoadGraph};

/// One arc of a [`SearchGraph`] between junctions: where it leads, the road edge a path
/// reconstruction follows (the first edge of the arc's road path for a backward arc, the last
/// one for a forward arc), and the costs of the whole path, exact sums of its edges.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Arc {
    pub(super) to: u32,
    pub(super) edge: u32,
    pub(super) travel_s: f64,
    pub(super) length_m: f64,
}

/// Adjacency of one direction, arcs of a junction stored together.
#[derive(Clone, Debug, Default)]
pub(super) struct Adjacency {
    pub(super) first: Vec<u32>,
    pub(super) arcs: Vec<Arc>,
}

impl Adjacency {
    pub(super) fn arcs(&self, junction: usize) -> &[Arc] {
        &self.arcs[self.first[junction] as usize..self.first[junction + 1] as usize]
    }

    pub(super) fn from_lists(n: usize, mut arcs: Vec<(u32, Arc)>) -> Adjacency {
        arcs.sort_by_key(|(from, arc)| (*from, arc.to, arc.edge));
        let (first, arcs) = grouped(n, arcs);
        Adjacency { first, arcs }
    }
}

/// CSR offsets and items for `(group, item)` pairs sorted by group, groups `0..n`.
pub(super) fn grouped<T>(n: usize, items: Vec<(u32, T)>) -> (Vec<u32>, Vec<T>) {
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
pub(super) const NONE: u32 = u32::MAX;

/// Index of the way towards a chain's B end, and towards its A end, in a [`Hop`].
pub(super) const TOWARDS_B: usize = 0;
pub(super) const TOWARDS_A: usize = 1;

/// A maximal run of pass-through nodes between two junctions: nodes `A, x1 .. xk, B` (the
/// positions 0 ..= k + 1) joined by hops `0 .. k`. One-way chains are oriented A → B.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Chain {
    /// First and last node (junctions; the same node for a loop).
    pub(super) a: u32,
    pub(super) b: u32,
    /// Offset of this chain's interior nodes in [`SearchGraph::interior`] and of its hops
    /// (one more than the interior nodes) in [`SearchGraph::hops`].
    pub(super) interior: u32,
    pub(super) hops: u32,
    pub(super) len: u32,
    /// Whether the chain can be travelled towards B, and towards A.
    pub(super) open: [bool; 2],
}

/// One road segment of a chain, in both directions (`edge` is [`NONE`] where it is closed),
/// with the running totals of the chain from A up to the end of this hop, each way, so that
/// the cost between any two positions is one subtraction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Hop {
    pub(super) edge: [u32; 2],
    pub(super) travel_s: [f32; 2],
    pub(super) length_m: [f32; 2],
    pub(super) total_s: [f64; 2],
    pub(super) total_m: [f64; 2],
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
    pub(super) junction_of: Vec<u32>,
    /// Node of each junction.
    pub(super) junctions: Vec<u32>,
    pub(super) forward: Adjacency,
    pub(super) backward: Adjacency,
    pub(super) chains: Vec<Chain>,
    /// Interior nodes of all chains, chain after chain, from A to B.
    pub(super) interior: Vec<u32>,
    /// For each interior node: its chain and its position (A is 0, B is len + 1).
    pub(super) chain_of: Vec<u32>,
    pub(super) position: Vec<u32>,
    pub(super) hops: Vec<Hop>,
}

impl SearchGraph {
    /// `(travel_s, length_m)` along chain `c` between positions `near <= far`, the way `way`
    /// (infinite where closed): one subtraction of running totals.
    pub(super) fn along_chain(&self, c: u32, way: usize, near: usize, far: usize) -> (f64, f64) {
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
    pub(super) fn via_ends(&self, c: u32, p: usize, forwards: bool) -> [(f64, f64); 2] {
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
    pub(super) fn along_from_seeds(
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
