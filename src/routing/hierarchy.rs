//! A contraction hierarchy over the junctions of a [`SearchGraph`], for matrices.
//!
//! A matrix needs one search per candidate site over nearly the whole city (30 minutes by
//! motorbike crosses most of it). Contracting the junctions once, least important first, and
//! adding shortcuts wherever a contracted junction lay on the only shortest way between two
//! others lets each search become a small upward search from the site followed by one linear
//! sweep down the hierarchy, with no priority queue (PHAST, Delling et al. 2011). Costs are the
//! same as a Dijkstra's; only ties between equally fast paths may pick a different length.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::dijkstra::{
    Direction, Label, Metric, Seed, Seeding, Targets, UNREACHED, key, seed_junctions,
};
use super::radix_heap::RadixHeap;
use super::search_graph::{NONE, SearchGraph, grouped};

/// One arc of the hierarchy: the other junction (as a sweep position) and the costs of the
/// road path it stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Link {
    other: u32,
    travel_s: f64,
    length_m: f64,
}

/// Junctions contracted in order of importance, for fastest-path (travel time) searches in
/// one [`Direction`]. Junctions are numbered by *sweep position*: the most important first.
#[derive(Clone, Debug)]
pub struct Hierarchy {
    direction: Direction,
    /// Sweep position of each junction.
    position: Vec<u32>,
    /// Arcs towards more important junctions, by sweep position of their tail.
    up_first: Vec<u32>,
    up: Vec<Link>,
    /// Arcs from more important junctions, by sweep position of their head (`other` is the
    /// tail).
    down_first: Vec<u32>,
    down: Vec<Link>,
}

/// Settled junctions after which a witness search gives up (and a shortcut is kept, which is
/// never wrong, only wasteful).
const WITNESS_SETTLE_LIMIT: usize = 64;

/// The graph being contracted: the arcs between junctions not yet contracted, shortcuts
/// included. A junction's arcs leave these lists when it is contracted (they are final then:
/// every later shortcut joins two junctions still here).
struct Working {
    out: Vec<Vec<Link>>,
    inc: Vec<Vec<Link>>,
    /// Scratch for witness searches, reset after each.
    dist: Vec<f64>,
    touched: Vec<u32>,
    heap: RadixHeap,
}

impl Working {
    /// Adds arc `from → to`, or lowers an existing one.
    fn add(&mut self, from: u32, to: u32, travel_s: f64, length_m: f64) {
        if from == to {
            return;
        }
        let lower = |list: &mut Vec<Link>, other: u32| {
            if let Some(l) = list.iter_mut().find(|l| l.other == other) {
                if travel_s < l.travel_s {
                    (l.travel_s, l.length_m) = (travel_s, length_m);
                }
            } else {
                list.push(Link {
                    other,
                    travel_s,
                    length_m,
                });
            }
        };
        lower(&mut self.out[from as usize], to);
        lower(&mut self.inc[to as usize], from);
    }

    /// The shortcuts contracting `v` needs: `(from, to, travel_s, length_m)` for every pair of
    /// neighbours whose only fastest way runs through `v`.
    fn shortcuts(&mut self, v: u32) -> Vec<(u32, u32, f64, f64)> {
        let (ins, outs) = (
            std::mem::take(&mut self.inc[v as usize]),
            std::mem::take(&mut self.out[v as usize]),
        );
        let mut needed = Vec::new();
        for i in &ins {
            let bound = outs
                .iter()
                .filter(|o| o.other != i.other)
                .map(|o| i.travel_s + o.travel_s)
                .fold(f64::NEG_INFINITY, f64::max);
            if bound == f64::NEG_INFINITY {
                continue;
            }
            self.witness_search(i.other, v, bound);
            for o in outs.iter().filter(|o| o.other != i.other) {
                let via = i.travel_s + o.travel_s;
                if self.dist[o.other as usize] > via {
                    needed.push((i.other, o.other, via, i.length_m + o.length_m));
                }
            }
            for &t in &self.touched {
                self.dist[t as usize] = f64::INFINITY;
            }
            self.touched.clear();
        }
        (self.inc[v as usize], self.out[v as usize]) = (ins, outs);
        needed
    }

    /// Fastest times from `from` over junctions other than `skip`, up to `bound`.
    fn witness_search(&mut self, from: u32, skip: u32, bound: f64) {
        self.dist[from as usize] = 0.0;
        self.touched.push(from);
        self.heap.push(key(0.0), from);
        let mut settled = 0;
        while let Some((k, u)) = self.heap.pop() {
            let d = self.dist[u as usize];
            if k != key(d) {
                continue;
            }
            settled += 1;
            if settled > WITNESS_SETTLE_LIMIT || d > bound {
                break;
            }
            for l in &self.out[u as usize] {
                let w = l.other as usize;
                if l.other == skip {
                    continue;
                }
                let next = d + l.travel_s;
                if next < self.dist[w] && next <= bound {
                    if self.dist[w] == f64::INFINITY {
                        self.touched.push(l.other);
                    }
                    self.dist[w] = next;
                    self.heap.push(key(next), l.other);
                }
            }
        }
        self.heap.clear();
    }

    /// Takes `v` out of the graph, with its arcs: `(out, in)`.
    fn remove(&mut self, v: u32) -> (Vec<Link>, Vec<Link>) {
        let (outs, ins) = (
            std::mem::take(&mut self.out[v as usize]),
            std::mem::take(&mut self.inc[v as usize]),
        );
        for o in &outs {
            self.inc[o.other as usize].retain(|l| l.other != v);
        }
        for i in &ins {
            self.out[i.other as usize].retain(|l| l.other != v);
        }
        (outs, ins)
    }
}

impl Hierarchy {
    /// Contracts the junctions of `graph` for searches in `direction`.
    pub fn new(graph: &SearchGraph, direction: Direction) -> Hierarchy {
        let m = graph.junctions.len();
        let adjacency = match direction {
            Direction::FromSources => &graph.forward,
            Direction::ToSources => &graph.backward,
        };
        let mut work = Working {
            out: vec![Vec::new(); m],
            inc: vec![Vec::new(); m],
            dist: vec![f64::INFINITY; m],
            touched: Vec::new(),
            heap: RadixHeap::default(),
        };
        for u in 0..m {
            for arc in adjacency.arcs(u) {
                work.add(u as u32, arc.to, arc.travel_s, arc.length_m);
            }
        }
        // Importance: shortcuts added minus arcs removed, plus neighbours already contracted
        // (which spreads contraction evenly over the map).
        let mut deleted = vec![0i64; m];
        let priority = |work: &mut Working, deleted: &[i64], v: u32| {
            let shortcuts = work.shortcuts(v);
            let removed = (work.inc[v as usize].len() + work.out[v as usize].len()) as i64;
            (
                shortcuts.len() as i64 - removed + deleted[v as usize],
                shortcuts,
            )
        };
        let mut queue: BinaryHeap<Reverse<(i64, u32)>> = (0..m as u32)
            .map(|v| Reverse((priority(&mut work, &deleted, v).0, v)))
            .collect();
        let mut contracted = vec![false; m];
        // Arcs of each junction when it was contracted, all towards more important ones:
        // (junction, arc out), (junction, arc in).
        let mut final_out: Vec<(u32, Link)> = Vec::new();
        let mut final_in: Vec<(u32, Link)> = Vec::new();
        let mut rank = vec![0u32; m];
        let mut next_rank = 0u32;
        while let Some(Reverse((_, v))) = queue.pop() {
            if contracted[v as usize] {
                continue;
            }
            // Lazy update: contract only if still the least important.
            let (now, shortcuts) = priority(&mut work, &deleted, v);
            if queue.peek().is_some_and(|Reverse((top, _))| now > *top) {
                queue.push(Reverse((now, v)));
                continue;
            }
            for (from, to, travel_s, length_m) in shortcuts {
                work.add(from, to, travel_s, length_m);
            }
            let (outs, ins) = work.remove(v);
            for l in outs.iter().chain(&ins) {
                deleted[l.other as usize] += 1;
            }
            final_out.extend(outs.into_iter().map(|l| (v, l)));
            final_in.extend(ins.into_iter().map(|l| (v, l)));
            contracted[v as usize] = true;
            rank[v as usize] = next_rank;
            next_rank += 1;
        }

        // Sweep positions: most important (last contracted) first. An arc out of a junction
        // leads up; an arc into it comes down from a more important one.
        let position: Vec<u32> = rank.iter().map(|&r| m as u32 - 1 - r).collect();
        let at = |v: u32, l: Link| {
            (
                position[v as usize],
                Link {
                    other: position[l.other as usize],
                    ..l
                },
            )
        };
        let mut up: Vec<(u32, Link)> = final_out.into_iter().map(|(v, l)| at(v, l)).collect();
        let mut down: Vec<(u32, Link)> = final_in.into_iter().map(|(v, l)| at(v, l)).collect();
        up.sort_by_key(|(p, l)| (*p, l.other));
        down.sort_by_key(|(p, l)| (*p, l.other));
        let (up_first, up) = grouped(m, up);
        let (down_first, down) = grouped(m, down);
        Hierarchy {
            direction,
            position,
            up_first,
            up,
            down_first,
            down,
        }
    }

    /// Number of arcs, shortcuts included.
    pub fn num_arcs(&self) -> usize {
        self.up.len() + self.down.len()
    }

    /// Fastest paths from (or to) up to [`LANES`] sets of seeds at once, one set per lane, as
    /// [`super::multi_source_at_junctions`] with [`Metric::Time`] would give each: an upward
    /// search per lane, then one sweep down for all of them. The sweep reads each arc once
    /// for every lane, and a junction's lanes sit side by side, so the additions run as
    /// vector instructions. Costs only: sources and parent edges are not kept. `graph` must
    /// be the one the hierarchy was built from.
    pub fn search_many<'h>(
        &'h self,
        graph: &'h SearchGraph,
        seed_sets: &[&[Seed]],
        cutoff: Option<f64>,
    ) -> ManyTimes<'h> {
        assert!(
            seed_sets.len() <= LANES,
            "at most {LANES} searches run together"
        );
        let limit = cutoff.unwrap_or(f64::INFINITY);
        let forwards = self.direction == Direction::FromSources;
        let m = self.position.len();
        let mut travel_s = vec![[f64::INFINITY; LANES]; m];
        let mut length_m = vec![[f64::INFINITY; LANES]; m];
        let mut on_chains = Vec::with_capacity(seed_sets.len());
        let mut heap = RadixHeap::default();
        for (lane, seeds) in seed_sets.iter().enumerate() {
            let Seeding {
                labels,
                seeded,
                on_chains: inside,
            } = seed_junctions(graph, seeds, forwards, Metric::Time, limit);
            for j in seeded {
                let (p, label) = (self.position[j as usize] as usize, labels[j as usize]);
                if label.travel_s < travel_s[p][lane] {
                    travel_s[p][lane] = label.travel_s;
                    length_m[p][lane] = label.length_m;
                    heap.push(key(label.travel_s), p as u32);
                }
            }
            while let Some((k, p)) = heap.pop() {
                let p = p as usize;
                let (t0, l0) = (travel_s[p][lane], length_m[p][lane]);
                if k != key(t0) {
                    continue;
                }
                for l in &self.up[self.up_first[p] as usize..self.up_first[p + 1] as usize] {
                    let (w, t) = (l.other as usize, t0 + l.travel_s);
                    if t < travel_s[w][lane] && t <= limit {
                        travel_s[w][lane] = t;
                        length_m[w][lane] = l0 + l.length_m;
                        heap.push(key(t), l.other);
                    }
                }
            }
            heap.restart();
            on_chains.push(inside);
        }
        for p in 0..m {
            let (mut best_s, mut best_m) = (travel_s[p], length_m[p]);
            for l in &self.down[self.down_first[p] as usize..self.down_first[p + 1] as usize] {
                let (from_s, from_m) = (&travel_s[l.other as usize], &length_m[l.other as usize]);
                for k in 0..LANES {
                    let t = from_s[k] + l.travel_s;
                    if t < best_s[k] {
                        best_s[k] = t;
                        best_m[k] = from_m[k] + l.length_m;
                    }
                }
            }
            travel_s[p] = best_s;
            length_m[p] = best_m;
        }
        let mut seeded_chains: Vec<u32> = on_chains.iter().flatten().map(|s| s.0).collect();
        seeded_chains.sort_unstable();
        seeded_chains.dedup();
        ManyTimes {
            graph,
            position: &self.position,
            travel_s,
            length_m,
            on_chains,
            seeded_chains,
            forwards,
        }
    }
}

/// How many searches [`Hierarchy::search_many`] runs side by side.
pub const LANES: usize = 8;

/// The junction costs of the searches of one [`Hierarchy::search_many`], read per target
/// node for all lanes at once.
#[derive(Clone, Debug)]
pub struct ManyTimes<'h> {
    graph: &'h SearchGraph,
    position: &'h [u32],
    /// By sweep position, one cost per lane (infinite: not reached).
    travel_s: Vec<[f64; LANES]>,
    length_m: Vec<[f64; LANES]>,
    /// Per lane, its seeds inside chains as (chain, position, label), sorted by chain.
    on_chains: Vec<Vec<(u32, u32, Label)>>,
    /// The chains any lane has seeds inside, sorted: targets elsewhere skip the lanes' seeds.
    seeded_chains: Vec<u32>,
    forwards: bool,
}

impl ManyTimes<'_> {
    /// `(travel_s, length_m)` per lane of the `k`-th node of `targets` (resolved for this
    /// search's graph and direction), infinite where not reached. Costs beyond the cut-off
    /// may be given; callers compare with it.
    pub fn reached_target(&self, targets: &Targets, k: usize) -> ([f64; LANES], [f64; LANES]) {
        debug_assert_eq!(targets.direction == Direction::FromSources, self.forwards);
        let r = &targets.resolved[k];
        let mut best_s = [f64::INFINITY; LANES];
        let mut best_m = [f64::INFINITY; LANES];
        for (end, via) in r.ends.into_iter().zip(r.via) {
            if via.0.is_infinite() {
                continue;
            }
            let p = self.position[end as usize] as usize;
            let (at_s, at_m) = (&self.travel_s[p], &self.length_m[p]);
            for k in 0..LANES {
                let t = at_s[k] + via.0;
                if t < best_s[k] {
                    best_s[k] = t;
                    best_m[k] = at_m[k] + via.1;
                }
            }
        }
        if r.chain == NONE || self.seeded_chains.binary_search(&r.chain).is_err() {
            return (best_s, best_m);
        }
        let p = self.graph.position[r.node as usize] as usize;
        for (lane, inside) in self.on_chains.iter().enumerate() {
            if inside.is_empty() {
                continue;
            }
            let from_ends = Label {
                travel_s: best_s[lane],
                length_m: best_m[lane],
                ..UNREACHED
            };
            let best = self.graph.along_from_seeds(
                r.chain,
                p,
                inside,
                self.forwards,
                Metric::Time,
                from_ends,
            );
            (best_s[lane], best_m[lane]) = (best.travel_s, best.length_m);
        }
        (best_s, best_m)
    }
}
