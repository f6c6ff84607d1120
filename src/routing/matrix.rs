//! Candidate × demand travel-time matrices for placement optimisation: one bounded search per
//! candidate site, run in parallel, keeping only the pairs within the cut-off.

use rayon::prelude::*;

use super::{
    Attachment, Direction, Metric, SearchGraph, along_shared_segment, cost_to_sources,
    multi_source_at_junctions, seeds_towards,
};
use crate::graph::RoadGraph;

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
/// `search` must be laid out from `graph`.
pub fn reach_by_candidate(
    graph: &RoadGraph,
    search: &SearchGraph,
    candidates: &[Option<Attachment>],
    demands: &[Option<Attachment>],
    metric: Metric,
    cutoff: f64,
    on_done: &(dyn Fn() + Sync),
) -> Vec<Vec<Reach>> {
    candidates
        .par_iter()
        .map(|candidate| {
            let row = candidate
                .as_ref()
                .map(|c| candidate_row(graph, search, c, demands, metric, cutoff))
                .unwrap_or_default();
            on_done();
            row
        })
        .collect()
}

fn candidate_row(
    graph: &RoadGraph,
    search: &SearchGraph,
    candidate: &Attachment,
    demands: &[Option<Attachment>],
    metric: Metric,
    cutoff: f64,
) -> Vec<Reach> {
    let seeds: Vec<_> = seeds_towards(graph, candidate, 0).collect();
    let times =
        multi_source_at_junctions(search, &seeds, Direction::ToSources, metric, Some(cutoff));
    let mut row = Vec::new();
    for (d, demand) in demands.iter().enumerate() {
        let Some(demand) = demand else { continue };
        let pick = |c: (f64, f64)| match metric {
            Metric::Time => c.0,
            Metric::Length => c.1,
        };
        let via_nodes = cost_to_sources(graph, demand, &times, metric).map(|(t, l, _)| (t, l));
        let direct = along_shared_segment(graph, demand, candidate);
        let best = match (via_nodes, direct) {
            (Some(a), Some(b)) => {
                if pick(b) < pick(a) {
                    b
                } else {
                    a
                }
            }
            (a, b) => match a.or(b) {
                Some(c) => c,
                None => continue,
            },
        };
        if pick(best) <= cutoff {
            row.push(Reach {
                demand: d as u32,
                travel_s: best.0,
                length_m: best.1,
            });
        }
    }
    row
}
