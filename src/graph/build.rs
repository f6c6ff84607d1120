//! Building the directed road graph of one travel mode in CSR form.

use std::collections::HashMap;
use std::ops::Range;

use super::{EdgeId, GraphError, NodeId, SpeedProfile, TravelMode, haversine_m};
use crate::ingest::OsmData;

/// Shortest edge length in metres. Two distinct OSM nodes at the same spot would otherwise give
/// an edge of zero length and zero time, which routing code may treat as "no edge".
pub const MIN_EDGE_LENGTH_M: f64 = 0.01;

/// Directed road graph for one travel mode, compact arrays (CSR). Every OSM node used by a
/// usable way is a graph node, so every edge is one straight segment (route geometry = nodes);
/// a barrier node the mode cannot pass becomes one dead-end node per road segment touching it,
/// all at its place and with its OSM id. Only the largest strongly connected component is kept.
///
/// ```
/// use motcua::graph::{sketch::{Sketch, test_profile}, RoadGraph, TravelMode};
/// let osm = Sketch::new("a-b-c").way("abc", &[("highway", "residential")]).build();
/// let graph = RoadGraph::build(&osm, &test_profile(TravelMode::Motorbike))?;
/// assert_eq!((graph.num_nodes(), graph.num_edges()), (3, 4));
/// # Ok::<(), motcua::graph::GraphError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RoadGraph {
    pub mode: TravelMode,
    /// Longitude per node, WGS84 degrees.
    pub lon: Vec<f64>,
    /// Latitude per node, WGS84 degrees.
    pub lat: Vec<f64>,
    /// OSM node id per node, for tracing a node back to the map; the sides of a barrier share it.
    pub osm_id: Vec<i64>,
    /// len = nodes + 1; out edges of n are `first_out[n]..first_out[n+1]`.
    pub first_out: Vec<u32>,
    /// Head (end) node per edge.
    pub head: Vec<NodeId>,
    /// Tail (start) node per edge.
    pub tail: Vec<NodeId>,
    /// Travel time per edge in seconds, always finite and > 0.
    pub travel_s: Vec<f32>,
    /// Great-circle length per edge in metres, always finite and > 0.
    pub length_m: Vec<f32>,
    /// Index into `names` per edge; `u32::MAX` when the way has no name.
    pub edge_name: Vec<u32>,
    /// Street names (`name`, else `ref`), each once.
    pub names: Vec<String>,
    /// Reverse CSR, len = nodes + 1: edges whose head is n are
    /// `in_edges[first_in[n]..first_in[n+1]]`.
    pub first_in: Vec<u32>,
    pub in_edges: Vec<EdgeId>,
}

/// Marks an edge without a street name in [`RoadGraph::edge_name`].
pub const NO_NAME: u32 = u32::MAX;

struct RawEdge {
    tail: u32,
    head: u32,
    travel_s: f32,
    length_m: f32,
    name: u32,
}

impl RoadGraph {
    /// Builds the graph of `profile.mode` from raw OSM ways: usable ways by the profile's rules,
    /// one edge per segment and usable direction (parallel edges keep the fastest), lengths by
    /// haversine, then only the largest strongly connected component.
    pub fn build(osm: &OsmData, profile: &SpeedProfile) -> Result<RoadGraph, GraphError> {
        let mode = profile.mode;
        if osm.nodes.len() >= u32::MAX as usize {
            return Err(GraphError::TooLarge {
                mode,
                what: "OSM nodes",
                count: osm.nodes.len(),
                max: u32::MAX - 1,
            });
        }
        let no_roads = |usable_ways, nodes_kept| GraphError::NoUsableRoads {
            mode,
            ways: osm.ways.len(),
            usable_ways,
            nodes_kept,
        };

        // Raw edges between positions: `0..osm.nodes.len()` are the OSM nodes, the positions
        // after them are copies of barrier nodes the mode cannot pass, one per road segment
        // touching the barrier, so that each side is usable up to it and none through it.
        let n_osm = osm.nodes.len();
        let mut blocked = vec![false; n_osm];
        for b in &osm.barriers {
            if let Some(i) = osm.node_index(b.id)
                && profile.barrier_blocks(&b.tags)
            {
                blocked[i] = true;
            }
        }
        let mut copy_of: Vec<u32> = Vec::new();
        let mut copy = |idx: usize| -> u32 {
            copy_of.push(idx as u32);
            (n_osm + copy_of.len() - 1) as u32
        };
        let mut names: Vec<String> = Vec::new();
        let mut name_ids: HashMap<&str, u32> = HashMap::new();
        let mut raw: Vec<RawEdge> = Vec::new();
        let mut usable_ways = 0usize;
        for way in &osm.ways {
            let Some(rule) = profile.way_rule(way) else {
                continue;
            };
            usable_ways += 1;
            let name = match way.tag("name").or_else(|| way.tag("ref")) {
                Some(n) if !n.is_empty() => *name_ids.entry(n).or_insert_with(|| {
                    names.push(n.to_string());
                    (names.len() - 1) as u32
                }),
                _ => NO_NAME,
            };
            let speed_m_per_s = rule.speed_kmh / 3.6;
            // The previous node: its position in `osm.nodes` and the position edges leave from.
            let mut prev: Option<(usize, u32)> = None;
            for &id in &way.nodes {
                // A node missing from the extract (cut at its border) breaks the way there.
                let Some(idx) = osm.node_index(id) else {
                    prev = None;
                    continue;
                };
                if let Some((p, from)) = prev
                    && p == idx
                {
                    // The same node twice in a row: no segment.
                    prev = Some((p, from));
                    continue;
                }
                let (to, next_from) = if blocked[idx] {
                    (copy(idx), copy(idx))
                } else {
                    (idx as u32, idx as u32)
                };
                if let Some((p, from)) = prev {
                    let (a, b) = (&osm.nodes[p], &osm.nodes[idx]);
                    let length_m =
                        haversine_m((a.lon, a.lat), (b.lon, b.lat)).max(MIN_EDGE_LENGTH_M);
                    let travel_s = (length_m / speed_m_per_s) as f32;
                    let length_m = length_m as f32;
                    if rule.forward {
                        raw.push(RawEdge {
                            tail: from,
                            head: to,
                            travel_s,
                            length_m,
                            name,
                        });
                    }
                    if rule.backward {
                        raw.push(RawEdge {
                            tail: to,
                            head: from,
                            travel_s,
                            length_m,
                            name,
                        });
                    }
                }
                prev = Some((idx, next_from));
            }
        }
        // OSM node position behind each position.
        let source = |pos: usize| -> usize {
            if pos < n_osm {
                pos
            } else {
                copy_of[pos - n_osm] as usize
            }
        };
        let n_pos = n_osm + copy_of.len();
        if n_pos >= u32::MAX as usize {
            return Err(GraphError::TooLarge {
                mode,
                what: "OSM nodes and barrier sides",
                count: n_pos,
                max: u32::MAX - 1,
            });
        }
        if raw.is_empty() {
            return Err(no_roads(usable_ways, 0));
        }
        // Positive finite f32 bits order like the values.
        raw.sort_unstable_by_key(|e| {
            (
                (u64::from(e.tail) << 32) | u64::from(e.head),
                e.travel_s.to_bits(),
            )
        });
        raw.dedup_by(|later, first| later.tail == first.tail && later.head == first.head);

        // Largest strongly connected component over the positions.
        let first_out = csr_offsets(n_pos, raw.iter().map(|e| e.tail));
        let heads: Vec<u32> = raw.iter().map(|e| e.head).collect();
        let component = strongly_connected_components(&first_out, &heads);
        let mut size: HashMap<u32, usize> = HashMap::new();
        // Count only positions that carry edges; the others are not graph nodes.
        let mut touched = vec![false; n_pos];
        for e in &raw {
            touched[e.tail as usize] = true;
            touched[e.head as usize] = true;
        }
        for (i, &c) in component.iter().enumerate() {
            if touched[i] {
                *size.entry(c).or_default() += 1;
            }
        }
        // Ties go to the lowest component id, so the result does not depend on hash order.
        let Some((&best, &best_size)) = size.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        else {
            return Err(no_roads(usable_ways, 0));
        };
        if best_size < 2 {
            return Err(no_roads(usable_ways, best_size));
        }

        // Renumber kept nodes in position order: OSM id order, then barrier sides (monotonic,
        // so edges stay sorted by tail).
        let mut new_id = vec![u32::MAX; n_pos];
        let mut lon = Vec::with_capacity(best_size);
        let mut lat = Vec::with_capacity(best_size);
        let mut osm_id = Vec::with_capacity(best_size);
        for i in 0..n_pos {
            let node = &osm.nodes[source(i)];
            if touched[i] && component[i] == best {
                new_id[i] = lon.len() as u32;
                lon.push(node.lon);
                lat.push(node.lat);
                osm_id.push(node.id);
            }
        }
        raw.retain(|e| new_id[e.tail as usize] != u32::MAX && new_id[e.head as usize] != u32::MAX);
        if raw.len() >= u32::MAX as usize {
            return Err(GraphError::TooLarge {
                mode,
                what: "edges",
                count: raw.len(),
                max: u32::MAX - 1,
            });
        }
        let n = lon.len();
        let tail: Vec<NodeId> = raw
            .iter()
            .map(|e| NodeId(new_id[e.tail as usize]))
            .collect();
        let head: Vec<NodeId> = raw
            .iter()
            .map(|e| NodeId(new_id[e.head as usize]))
            .collect();
        let first_out = csr_offsets(n, tail.iter().map(|t| t.0));
        let first_in = csr_offsets(n, head.iter().map(|h| h.0));
        let mut fill: Vec<u32> = first_in[..n].to_vec();
        let mut in_edges = vec![EdgeId(0); raw.len()];
        for (e, h) in head.iter().enumerate() {
            let slot = &mut fill[h.0 as usize];
            in_edges[*slot as usize] = EdgeId(e as u32);
            *slot += 1;
        }

        // Drop names no kept edge uses, so the table stays small.
        let mut name_map = vec![NO_NAME; names.len()];
        let mut kept_names = Vec::new();
        let edge_name = raw
            .iter()
            .map(|e| {
                if e.name == NO_NAME {
                    return NO_NAME;
                }
                let slot = &mut name_map[e.name as usize];
                if *slot == NO_NAME {
                    *slot = kept_names.len() as u32;
                    kept_names.push(std::mem::take(&mut names[e.name as usize]));
                }
                *slot
            })
            .collect();

        Ok(RoadGraph {
            mode,
            lon,
            lat,
            osm_id,
            first_out,
            travel_s: raw.iter().map(|e| e.travel_s).collect(),
            length_m: raw.iter().map(|e| e.length_m).collect(),
            head,
            tail,
            edge_name,
            names: kept_names,
            first_in,
            in_edges,
        })
    }

    pub fn num_nodes(&self) -> usize {
        self.lon.len()
    }

    pub fn num_edges(&self) -> usize {
        self.head.len()
    }

    /// Edge indices leaving `n`.
    pub fn out_edges(&self, n: NodeId) -> Range<usize> {
        let i = n.0 as usize;
        self.first_out[i] as usize..self.first_out[i + 1] as usize
    }

    /// Edges arriving at `n`.
    pub fn in_edges(&self, n: NodeId) -> &[EdgeId] {
        let i = n.0 as usize;
        &self.in_edges[self.first_in[i] as usize..self.first_in[i + 1] as usize]
    }

    /// `(lon, lat)` of a node.
    pub fn coord(&self, n: NodeId) -> (f64, f64) {
        (self.lon[n.0 as usize], self.lat[n.0 as usize])
    }

    /// The street name of an edge, if its way had one.
    pub fn name_of(&self, e: EdgeId) -> Option<&str> {
        match self.edge_name[e.0 as usize] {
            NO_NAME => None,
            i => self.names.get(i as usize).map(String::as_str),
        }
    }

    /// The edge from `tail` to `head`, if there is one.
    pub fn find_edge(&self, tail: NodeId, head: NodeId) -> Option<EdgeId> {
        self.out_edges(tail)
            .find(|&e| self.head[e] == head)
            .map(|e| EdgeId(e as u32))
    }

    /// Bounding box `[west, south, east, north]` of the nodes (`None` for an empty graph).
    pub fn bbox(&self) -> Option<[f64; 4]> {
        let fold = |v: &[f64], f: fn(f64, f64) -> f64| v.iter().copied().reduce(f);
        Some([
            fold(&self.lon, f64::min)?,
            fold(&self.lat, f64::min)?,
            fold(&self.lon, f64::max)?,
            fold(&self.lat, f64::max)?,
        ])
    }

    /// Sum of edge lengths in metres (each direction counted).
    pub fn total_length_m(&self) -> f64 {
        self.length_m.iter().map(|&l| f64::from(l)).sum()
    }

    /// Checks the structure: CSR offsets, edge endpoints, the reverse CSR against the forward
    /// one, finite positive times and lengths, coordinates in WGS84 range, name indices.
    pub fn check_invariants(&self) -> Result<(), String> {
        let n = self.num_nodes();
        let m = self.num_edges();
        if self.lat.len() != n || self.osm_id.len() != n {
            return Err(format!(
                "per-node arrays differ in length: lon {n}, lat {}, osm_id {}",
                self.lat.len(),
                self.osm_id.len()
            ));
        }
        for (what, len) in [
            ("tail", self.tail.len()),
            ("travel_s", self.travel_s.len()),
            ("length_m", self.length_m.len()),
            ("edge_name", self.edge_name.len()),
            ("in_edges", self.in_edges.len()),
        ] {
            if len != m {
                return Err(format!(
                    "{what} has {len} entries, expected {m} (one per edge)"
                ));
            }
        }
        check_offsets("first_out", &self.first_out, n, m)?;
        check_offsets("first_in", &self.first_in, n, m)?;
        for v in 0..n {
            for e in self.out_edges(NodeId(v as u32)) {
                if self.tail[e].0 as usize != v {
                    return Err(format!(
                        "edge {e} is listed under node {v} but its tail is {}",
                        self.tail[e].0
                    ));
                }
                if self.head[e].0 as usize >= n {
                    return Err(format!(
                        "edge {e} has head {} beyond {n} nodes",
                        self.head[e].0
                    ));
                }
            }
        }
        let mut seen = vec![false; m];
        for v in 0..n {
            for &EdgeId(e) in self.in_edges(NodeId(v as u32)) {
                let e = e as usize;
                if e >= m || seen[e] {
                    return Err(format!("reverse CSR lists edge {e} twice or out of range"));
                }
                seen[e] = true;
                if self.head[e].0 as usize != v {
                    return Err(format!(
                        "edge {e} is an in-edge of {v} but its head is {}",
                        self.head[e].0
                    ));
                }
            }
        }
        for e in 0..m {
            let (t, l) = (self.travel_s[e], self.length_m[e]);
            let positive = |x: f32| x.is_finite() && x > 0.0;
            if !(positive(t) && positive(l)) {
                return Err(format!(
                    "edge {e} has travel_s {t} and length_m {l}; both must be finite and > 0"
                ));
            }
            let name = self.edge_name[e];
            if name != NO_NAME && name as usize >= self.names.len() {
                return Err(format!(
                    "edge {e} names entry {name} of {} names",
                    self.names.len()
                ));
            }
        }
        for v in 0..n {
            let (lon, lat) = (self.lon[v], self.lat[v]);
            // Ranges reject NaN and infinities too.
            if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
                return Err(format!(
                    "node {v} has coordinates ({lon}, {lat}) outside WGS84"
                ));
            }
        }
        Ok(())
    }
}

fn check_offsets(what: &str, offsets: &[u32], n: usize, m: usize) -> Result<(), String> {
    if offsets.len() != n + 1 {
        return Err(format!(
            "{what} has {} entries, expected {}",
            offsets.len(),
            n + 1
        ));
    }
    if offsets[0] != 0 || offsets[n] as usize != m {
        return Err(format!(
            "{what} must run from 0 to {m}, runs from {} to {}",
            offsets[0], offsets[n]
        ));
    }
    if let Some(i) = offsets.windows(2).position(|w| w[0] > w[1]) {
        return Err(format!("{what} decreases at node {i}"));
    }
    Ok(())
}

/// CSR offsets (len n + 1) for items grouped by `keys`, which must be sorted when used for the
/// forward arrays; for the reverse arrays only the counts matter.
fn csr_offsets(n: usize, keys: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut offsets = vec![0u32; n + 1];
    for k in keys {
        offsets[k as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    offsets
}

/// Tarjan's strongly connected components on a CSR graph, with an explicit call stack so that
/// long chains (10^6 nodes) cannot overflow the thread stack. Returns a component id per node.
pub(crate) fn strongly_connected_components(first_out: &[u32], head: &[u32]) -> Vec<u32> {
    const UNSEEN: u32 = u32::MAX;
    let n = first_out.len() - 1;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut next_index = 0u32;
    let mut next_component = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        calls.push((root, first_out[root as usize]));
        while let Some(&(v, pos)) = calls.last() {
            let vi = v as usize;
            if pos < first_out[vi + 1] {
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                let w = head[pos as usize];
                let wi = w as usize;
                if index[wi] == UNSEEN {
                    index[wi] = next_index;
                    low[wi] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[wi] = true;
                    calls.push((w, first_out[wi]));
                } else if on_stack[wi] {
                    low[vi] = low[vi].min(index[wi]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u as usize] = low[u as usize].min(low[vi]);
            }
            if low[vi] == index[vi] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component[w as usize] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scc(n: usize, edges: &[(u32, u32)]) -> Vec<u32> {
        let mut edges = edges.to_vec();
        edges.sort();
        let first_out = csr_offsets(n, edges.iter().map(|e| e.0));
        let head: Vec<u32> = edges.iter().map(|e| e.1).collect();
        strongly_connected_components(&first_out, &head)
    }

    #[test]
    fn cycle_is_one_component_and_tail_is_apart() {
        let c = scc(4, &[(0, 1), (1, 2), (2, 0), (2, 3)]);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[2], c[3]);
    }

    #[test]
    fn long_chain_does_not_overflow_the_stack() {
        let n = 1_000_000u32;
        let mut edges: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        edges.push((n - 1, 0));
        let c = scc(n as usize, &edges);
        assert!(c.iter().all(|&x| x == c[0]));
    }

    #[test]
    fn matches_petgraph_on_random_graphs() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |bound: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % u64::from(bound)) as u32
        };
        for _ in 0..50 {
            let n = 2 + next(30);
            let m = next(3 * n);
            let edges: Vec<(u32, u32)> = (0..m).map(|_| (next(n), next(n))).collect();
            let ours = scc(n as usize, &edges);
            let mut g = petgraph::graph::DiGraph::<(), ()>::new();
            for _ in 0..n {
                g.add_node(());
            }
            g.extend_with_edges(edges.iter().copied());
            let mut theirs = vec![0usize; n as usize];
            for (i, comp) in petgraph::algo::kosaraju_scc(&g).iter().enumerate() {
                for v in comp {
                    theirs[v.index()] = i;
                }
            }
            for a in 0..n as usize {
                for b in 0..n as usize {
                    assert_eq!(ours[a] == ours[b], theirs[a] == theirs[b]);
                }
            }
        }
    }
}
