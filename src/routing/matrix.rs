//! Candidate × demand travel-time matrices for placement optimisation: one bounded search per
//! candidate site (through a contraction hierarchy, [`LANES`] candidates per sweep), run in
//! parallel, keeping only the pairs within the cut-off.

use rayon::prelude::*;

use super::{
    Attachment, Direction, Hierarchy, LANES, Metric, PlaceEnds, SearchGraph, along_shared_segment,
    multi_source_at_junctions, seeds_towards,
};
use crate::graph::{EdgeId, RoadGraph};

/// One demand reaching one candidate: travel time and road length of the best path (best in
/// the searched metric), both access legs included.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reach {
    pub demand: u32,
    pub travel_s: f64,
    pub length_m: f64,
}

/// For each candidate, the demands that reach it within the cut-off (in the searched metric),
/// sorted by demand index. A candidate or demand without an attachment reaches nothing.
/// `search` must be laid out from `graph`; `hierarchy`, when given, from `search` for
/// [`Direction::ToSources`], and is then used for fastest-path matrices.
#[allow(clippy::too_many_arguments)]
pub fn reach_by_candidate(
    graph: &RoadGraph,
    search: &SearchGraph,
    hierarchy: Option<&Hierarchy>,
    candidates: &[Option<Attachment>],
    demands: &[Option<Attachment>],
    metric: Metric,
    cutoff: f64,
    on_done: &(dyn Fn() + Sync),
) -> Vec<Vec<Reach>> {
    // Where each demand meets the road, resolved once for all candidates.
    let ends = PlaceEnds::new(graph, search, demands);
    let hierarchy = hierarchy.filter(|_| metric == Metric::Time);
    let segments: Vec<Option<EdgeId>> = demands
        .iter()
        .map(|d| d.as_ref().map(Attachment::segment))
        .collect();
    let demands = Demands {
        places: demands,
        ends: &ends,
        segments: &segments,
    };
    match hierarchy {
        // Candidates in groups of LANES, each group one sweep of the hierarchy.
        Some(h) => candidates
            .par_chunks(LANES)
            .flat_map_iter(|group| {
                let rows = group_rows(graph, search, h, group, &demands, cutoff);
                for _ in group {
                    on_done();
                }
                rows
            })
            .collect(),
        None => candidates
            .par_iter()
            .map(|candidate| {
                let row = candidate
                    .as_ref()
                    .map(|c| candidate_row(graph, search, c, &demands, metric, cutoff))
                    .unwrap_or_default();
                on_done();
                row
            })
            .collect(),
    }
}

/// The demand side of a matrix, prepared once.
struct Demands<'a> {
    places: &'a [Option<Attachment>],
    ends: &'a PlaceEnds,
    segments: &'a [Option<EdgeId>],
}

fn candidate_row(
    graph: &RoadGraph,
    search: &SearchGraph,
    candidate: &Attachment,
    demands: &Demands,
    metric: Metric,
    cutoff: f64,
) -> Vec<Reach> {
    let seeds: Vec<_> = seeds_towards(graph, candidate, 0).collect();
    let times =
        multi_source_at_junctions(search, &seeds, Direction::ToSources, metric, Some(cutoff));
    row_within(graph, candidate, demands, metric, cutoff, |d| {
        demands.ends.cost(&times, d, metric).map(|c| (c.0, c.1))
    })
}

/// The rows of up to [`LANES`] candidates from one sweep of the hierarchy (fastest paths).
fn group_rows(
    graph: &RoadGraph,
    search: &SearchGraph,
    hierarchy: &Hierarchy,
    group: &[Option<Attachment>],
    demands: &Demands,
    cutoff: f64,
) -> Vec<Vec<Reach>> {
    let seeds: Vec<Vec<_>> = group
        .iter()
        .map(|c| c.iter().flat_map(|c| seeds_towards(graph, c, 0)).collect())
        .collect();
    let seed_sets: Vec<&[_]> = seeds.iter().map(Vec::as_slice).collect();
    let times = hierarchy.search_many(search, &seed_sets, Some(cutoff));
    let n = demands.places.len();
    // Lane-major costs, so that each candidate's row reads its own run.
    let mut travel_s = vec![f64::INFINITY; LANES * n];
    let mut length_m = vec![f64::INFINITY; LANES * n];
    for d in 0..n {
        let (s, m) = demands.ends.costs_many(&times, d);
        for lane in 0..group.len() {
            travel_s[lane * n + d] = s[lane];
            length_m[lane * n + d] = m[lane];
        }
    }
    group
        .iter()
        .enumerate()
        .map(|(lane, candidate)| {
            let Some(candidate) = candidate else {
                return Vec::new();
            };
            let (s, m) = (&travel_s[lane * n..], &length_m[lane * n..]);
            row_within(graph, candidate, demands, Metric::Time, cutoff, |d| {
                s[d].is_finite().then(|| (s[d], m[d]))
            })
        })
        .collect()
}

/// One candidate's row: each demand's cost from the search, or along the road both share
/// when that is better, kept when within the cut-off.
fn row_within(
    graph: &RoadGraph,
    candidate: &Attachment,
    demands: &Demands,
    metric: Metric,
    cutoff: f64,
    searched: impl Fn(usize) -> Option<(f64, f64)>,
) -> Vec<Reach> {
    let pick = |c: (f64, f64)| match metric {
        Metric::Time => c.0,
        Metric::Length => c.1,
    };
    let segment = candidate.segment();
    let reach = |d: usize| {
        let mut best = searched(d);
        if demands.segments[d] == Some(segment)
            && let Some(place) = &demands.places[d]
            && let Some(c) = along_shared_segment(graph, place, candidate)
            && best.is_none_or(|b| pick(c) < pick(b))
        {
            best = Some(c);
        }
        best.filter(|&b| pick(b) <= cutoff).map(|b| Reach {
            demand: d as u32,
            travel_s: b.0,
            length_m: b.1,
        })
    };
    // Room for every demand, then trimmed (in place): rows of a city matrix hold thousands
    // of pairs, and growing each step by step would copy it several times.
    let n = demands.places.len();
    let mut row = Vec::with_capacity(n);
    row.extend((0..n).filter_map(reach));
    row.shrink_to_fit();
    row
}
