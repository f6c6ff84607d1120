//! Travel over a [`RoadGraph`]: attaching places to roads, multi-source and bounded Dijkstra,
//! nearest receiving points with their routes, isochrones and candidate × demand matrices.
//!
//! A place (a receiving point, the centre of a population cell, a citizen's position) is not a
//! graph node: it is [`Attachment`]-ed to the nearest road usable by the travel mode. Its
//! *access leg* — the straight line from the place to that road — is walked or ridden at the
//! profile's access speed (it stands for the alley or courtyard the map does not show) and is
//! counted in both travel time and network distance. From the attachment point the traveller
//! goes along the edge to either end, as the edge's direction allows.

pub mod dijkstra;
mod hierarchy;
pub mod isochrone;
pub mod matrix;
pub mod nearest;
pub mod path;
mod radix_heap;
mod search_graph;

use std::collections::HashMap;

pub use dijkstra::{
    Direction, JunctionTimes, Metric, NO_SOURCE, NodeCosts, Seed, Targets, TravelTimes,
    multi_source, multi_source_at_junctions,
};
pub use hierarchy::{Hierarchy, LANES, ManyTimes};
pub use path::path_nodes;
pub use search_graph::SearchGraph;

use crate::graph::{EdgeId, RoadGraph, Snap, SnapIndex};

/// A place attached to the road network of one travel mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attachment {
    pub snap: Snap,
    /// Time of the access leg, at the profile's access speed.
    pub access_s: f64,
}

impl Attachment {
    pub fn access_m(&self) -> f64 {
        self.snap.distance_m
    }

    /// Attaches a place, or `None` when no usable road lies within `max_snap_m`.
    pub fn new(
        graph: &RoadGraph,
        index: &SnapIndex,
        lon: f64,
        lat: f64,
        access_speed_kmh: f64,
        max_snap_m: f64,
    ) -> Option<Attachment> {
        let snap = index.snap(graph, lon, lat, max_snap_m)?;
        Some(Attachment {
            snap,
            access_s: snap.distance_m / (access_speed_kmh / 3.6),
        })
    }

    /// The one segment of road this place sits on, whichever direction is named: lets two
    /// places on the same segment be matched.
    pub fn segment(&self) -> EdgeId {
        match self.snap.reverse {
            Some(r) if r < self.snap.edge => r,
            _ => self.snap.edge,
        }
    }

    /// Fraction along `edge` (0 at its tail), whichever direction of the segment it names.
    fn fraction_on(&self, edge: EdgeId) -> f64 {
        if edge == self.snap.edge {
            self.snap.fraction
        } else {
            1.0 - self.snap.fraction
        }
    }
}

/// Seeds for a [`Direction::ToSources`] search whose source is a destination place: a traveller
/// standing on a node reaches the place by running along the place's edge (from its tail) or
/// along the reverse edge (from the other end), then the access leg.
pub fn seeds_towards(
    graph: &RoadGraph,
    place: &Attachment,
    source: u32,
) -> impl Iterator<Item = Seed> + use<> {
    let snap = &place.snap;
    let e = snap.edge.0 as usize;
    let along = Seed {
        node: graph.tail[e],
        travel_s: place.access_s + snap.fraction * f64::from(graph.travel_s[e]),
        length_m: place.access_m() + snap.fraction * f64::from(graph.length_m[e]),
        source,
    };
    let back = snap.reverse.map(|r| {
        let r = r.0 as usize;
        Seed {
            node: graph.tail[r],
            travel_s: place.access_s + (1.0 - snap.fraction) * f64::from(graph.travel_s[r]),
            length_m: place.access_m() + (1.0 - snap.fraction) * f64::from(graph.length_m[r]),
            source,
        }
    });
    [Some(along), back].into_iter().flatten()
}

/// Seeds for a [`Direction::FromSources`] search that starts at a place: the traveller walks
/// the access leg, then runs along its edge to the head, or along the reverse edge.
pub fn seeds_from(
    graph: &RoadGraph,
    place: &Attachment,
    source: u32,
) -> impl Iterator<Item = Seed> + use<> {
    let snap = &place.snap;
    let e = snap.edge.0 as usize;
    let along = Seed {
        node: graph.head[e],
        travel_s: place.access_s + (1.0 - snap.fraction) * f64::from(graph.travel_s[e]),
        length_m: place.access_m() + (1.0 - snap.fraction) * f64::from(graph.length_m[e]),
        source,
    };
    let back = snap.reverse.map(|r| {
        let r = r.0 as usize;
        Seed {
            node: graph.head[r],
            travel_s: place.access_s + snap.fraction * f64::from(graph.travel_s[r]),
            length_m: place.access_m() + snap.fraction * f64::from(graph.length_m[r]),
            source,
        }
    });
    [Some(along), back].into_iter().flatten()
}

fn pick(metric: Metric, c: &(f64, f64, u32)) -> f64 {
    match metric {
        Metric::Time => c.0,
        Metric::Length => c.1,
    }
}

/// Where many places meet the road, resolved once so that each search's answer for a place
/// is read in a few steps: the ends of the road each place sits on, with the legs to them.
#[derive(Clone, Debug)]
pub struct PlaceEnds {
    targets: Targets,
    /// Per place: (target index, travel_s, length_m) of each way onto the road.
    legs: Vec<Vec<(usize, f64, f64)>>,
}

impl PlaceEnds {
    /// Places travel to the sources of [`Direction::ToSources`] searches over `search`.
    pub fn new(graph: &RoadGraph, search: &SearchGraph, places: &[Option<Attachment>]) -> Self {
        let mut nodes = Vec::new();
        let legs = places
            .iter()
            .map(|place| {
                place
                    .iter()
                    .flat_map(|p| seeds_from(graph, p, 0))
                    .map(|s| {
                        nodes.push(s.node);
                        (nodes.len() - 1, s.travel_s, s.length_m)
                    })
                    .collect()
            })
            .collect();
        PlaceEnds {
            targets: Targets::new(search, &nodes, Direction::ToSources),
            legs,
        }
    }

    /// Best cost from place `k` to the sources of a search over the same graph, leaving the
    /// place by either end of its road: `(travel_s, length_m, source)` in `metric`.
    pub fn cost(&self, times: &JunctionTimes, k: usize, metric: Metric) -> Option<(f64, f64, u32)> {
        self.legs[k]
            .iter()
            .filter_map(|&(t, s, l)| {
                let (ts, ls, source) = times.reached_target(&self.targets, t)?;
                Some((s + ts, l + ls, source))
            })
            .min_by(|a, b| pick(metric, a).total_cmp(&pick(metric, b)))
    }
}

impl PlaceEnds {
    /// [`PlaceEnds::cost`] for every lane of a [`Hierarchy::search_many`] at once, by travel
    /// time: `(travel_s, length_m)` per lane, infinite where not reached.
    pub fn costs_many(&self, times: &ManyTimes, k: usize) -> ([f64; LANES], [f64; LANES]) {
        let mut best_s = [f64::INFINITY; LANES];
        let mut best_m = [f64::INFINITY; LANES];
        for &(t, s, l) in &self.legs[k] {
            let (at_s, at_m) = times.reached_target(&self.targets, t);
            for lane in 0..LANES {
                let total = s + at_s[lane];
                if total < best_s[lane] {
                    best_s[lane] = total;
                    best_m[lane] = l + at_m[lane];
                }
            }
        }
        (best_s, best_m)
    }
}

/// Travel straight along a shared segment from one place to another, when both sit on the
/// same piece of road and the direction allows it: `(travel_s, length_m)` including both access
/// legs. Node-based searches cannot see this path, so callers compare it with theirs.
pub fn along_shared_segment(
    graph: &RoadGraph,
    from: &Attachment,
    to: &Attachment,
) -> Option<(f64, f64)> {
    if from.segment() != to.segment() {
        return None;
    }
    let e = from.snap.edge;
    let (g, f) = (from.snap.fraction, to.fraction_on(e));
    let (edge, part) = if f >= g {
        (e, f - g)
    } else {
        (from.snap.reverse?, g - f)
    };
    let i = edge.0 as usize;
    Some((
        from.access_s + to.access_s + part * f64::from(graph.travel_s[i]),
        from.access_m() + to.access_m() + part * f64::from(graph.length_m[i]),
    ))
}

/// Receiving points grouped by the road segment they sit on, for [`along_shared_segment`].
#[derive(Clone, Debug, Default)]
pub struct SegmentIndex {
    by_segment: HashMap<EdgeId, Vec<u32>>,
}

impl SegmentIndex {
    pub fn new<'a>(places: impl IntoIterator<Item = (u32, &'a Attachment)>) -> Self {
        let mut by_segment: HashMap<EdgeId, Vec<u32>> = HashMap::new();
        for (i, a) in places {
            by_segment.entry(a.segment()).or_default().push(i);
        }
        SegmentIndex { by_segment }
    }

    pub fn on_segment(&self, place: &Attachment) -> &[u32] {
        self.by_segment
            .get(&place.segment())
            .map_or(&[], Vec::as_slice)
    }
}
