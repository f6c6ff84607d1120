//! Candidate × demand travel-time matrices for placement optimisation: one bounded search per
//! candidate site, run in parallel, keeping only the pairs within the cut-off.

use rayon::prelude::*;

use super::{
    Attachment, Direction, Metric, SearchGraph, along_shared_segment, cost_to_sources,
    multi_source, seeds_towards,
};
use crate::graph::RoadGraph;

/// For each candidate, the demands that reach it within the cut-off: `(demand index, cost)`,
/// sorted by demand index. Costs are travel seconds (or metres with [`Metric::Length`]),
/// including both access legs. A candidate or demand without an attachment reaches nothing.
pub fn reach_by_candidate(
    graph: &RoadGraph,
    candidates: &[Option<Attachment>],
    demands: &[Option<Attachment>],
    metric: Metric,
    cutoff: f64,
    on_done: &(dyn Fn() + Sync),
) -> Vec<Vec<(u32, f64)>> {
    let search = SearchGraph::new(graph);
    candidates
        .par_iter()
        .map(|candidate| {
            let row = candidate
                .as_ref()
                .map(|c| candidate_row(graph, &search, c, demands, metric, cutoff))
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
) -> Vec<(u32, f64)> {
    let seeds: Vec<_> = seeds_towards(graph, candidate, 0).collect();
    let times = multi_source(search, &seeds, Direction::ToSources, metric, Some(cutoff));
    let mut row = Vec::new();
    for (d, demand) in demands.iter().enumerate() {
        let Some(demand) = demand else { continue };
        let via_nodes =
            cost_to_sources(graph, demand, &times, metric).map(|(t, l, _)| match metric {
                Metric::Time => t,
                Metric::Length => l,
            });
        let direct = along_shared_segment(graph, demand, candidate).map(|(t, l)| match metric {
            Metric::Time => t,
            Metric::Length => l,
        });
        let best = match (via_nodes, direct) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(c) => c,
                None => continue,
            },
        };
        if best <= cutoff {
            row.push((d as u32, best));
        }
    }
    row
}
