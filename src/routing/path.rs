//! Paths read back from a search's parent edges.

use super::dijkstra::{Direction, NO_EDGE, TravelTimes};
use crate::graph::{NodeId, RoadGraph};

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
