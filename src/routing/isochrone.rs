//! Isochrones: the area from which a receiving point is reached within a time, drawn from the
//! travel times themselves (not a buffer around the point).
//!
//! Every edge is walked in short steps; each step's position gets the time to reach a source
//! from there (run to the edge's head, then the node's time). The H3 cell of each step keeps the
//! smallest time seen, and the isochrone for `t` is the union of cells whose time is `<= t`.
//! Because a larger `t` only adds cells, the 10-minute polygon always lies inside the 20-minute
//! one. Cells of [`ISOCHRONE_RESOLUTION`] (edge about 66 m) keep the outline close to the roads.

use std::collections::HashMap;

use geo::MultiPolygon;
use h3o::{CellIndex, LatLng, Resolution};

use super::TravelTimes;
use crate::graph::RoadGraph;

/// H3 resolution of the cells isochrones are built from.
pub const ISOCHRONE_RESOLUTION: Resolution = Resolution::Ten;
/// Length of the steps along edges, in metres (shorter than a cell edge, so no cell along a
/// road is skipped).
const STEP_M: f64 = 30.0;

/// For each cell touched by the road network, the best time from there to a source (only cells
/// within `max_s`).
pub fn cell_times(graph: &RoadGraph, times: &TravelTimes, max_s: f64) -> HashMap<CellIndex, f64> {
    let mut best: HashMap<CellIndex, f64> = HashMap::new();
    for e in 0..graph.num_edges() {
        let (u, v) = (graph.tail[e], graph.head[e]);
        let at_head = times.travel_s[v.0 as usize];
        if !at_head.is_finite() {
            continue;
        }
        let edge_s = f64::from(graph.travel_s[e]);
        // Even the tail end of the edge is too far: nothing on it qualifies.
        if at_head > max_s {
            continue;
        }
        let (a, b) = (graph.coord(u), graph.coord(v));
        let steps = (f64::from(graph.length_m[e]) / STEP_M).ceil().max(1.0) as usize;
        for i in 0..=steps {
            let x = i as f64 / steps as f64;
            let t = at_head + (1.0 - x) * edge_s;
            if t > max_s {
                continue;
            }
            let lon = a.0 + (b.0 - a.0) * x;
            let lat = a.1 + (b.1 - a.1) * x;
            let Ok(ll) = LatLng::new(lat, lon) else {
                continue;
            };
            let cell = ll.to_cell(ISOCHRONE_RESOLUTION);
            best.entry(cell)
                .and_modify(|old| *old = old.min(t))
                .or_insert(t);
        }
    }
    best
}

/// The polygon of all cells with a time `<= limit_s`; empty when no cell qualifies.
pub fn polygon(cells: &HashMap<CellIndex, f64>, limit_s: f64) -> MultiPolygon {
    let within: Vec<CellIndex> = cells
        .iter()
        .filter(|&(_, &t)| t <= limit_s)
        .map(|(&c, _)| c)
        .collect();
    if within.is_empty() {
        return MultiPolygon::new(Vec::new());
    }
    h3o::geom::SolventBuilder::new()
        .build()
        .dissolve(within)
        .unwrap_or_else(|_| MultiPolygon::new(Vec::new()))
}
