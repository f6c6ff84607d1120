//! Isochrones: the area from which a receiving point is reached within a time, drawn from the
//! travel times themselves (not a buffer around the point).
//!
//! Every edge is walked in short steps; each step's position gets the time to reach a source
//! from there (run to the edge's head, then the node's time). The H3 cell of each step keeps the
//! smallest time seen, and the isochrone for `t` is the union of cells whose time is `<= t`.
//! Because a larger `t` only adds cells, the 10-minute polygon always lies inside the 20-minute
//! one. Cells of [`ISOCHRONE_RESOLUTION`] (edge about 66 m) keep the outline close to the roads.
//!
//! The union of cells is a staircase of hexagon edges, pierced wherever a block between roads
//! has no road of its own. [`band`] is what a map draws: the union with its corners cut
//! (Chaikin, so it reads as an area rather than a grid) and the holes smaller than
//! [`HOLE_FILL_CELLS`] cells filled. Corner cutting moves a boundary by less than a quarter of a
//! cell edge and a cell's centre lies more than four fifths of an edge inside it, so every cell
//! of the union keeps its centre inside the band.

use std::collections::HashMap;

use geo::{ChaikinSmoothing, ChamberlainDuquetteArea, LineString, MultiPolygon, Polygon, Simplify};
use h3o::{CellIndex, LatLng, Resolution};

use super::TravelTimes;
use crate::graph::RoadGraph;

/// H3 resolution of the cells isochrones are built from.
pub const ISOCHRONE_RESOLUTION: Resolution = Resolution::Ten;
/// Holes in a band smaller than this many cells are filled: a block without a road inside a
/// reachable area is reached on foot from the roads around it, and a speckle of holes hides
/// the band's shape. Larger holes (a lake, a park, a walled site) stay.
pub const HOLE_FILL_CELLS: f64 = 6.0;
/// Rounds of Chaikin corner cutting: two turn hexagon corners into curves.
const SMOOTHING_ROUNDS: usize = 2;
/// Tolerance of the simplification after smoothing, in degrees (about 5 m): it drops the
/// vertices smoothing adds along straight runs, which would otherwise quadruple the download.
const SIMPLIFY_DEG: f64 = 5e-5;

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

/// The smallest hole a band keeps, in square metres ([`HOLE_FILL_CELLS`] cells).
pub fn hole_fill_area_m2() -> f64 {
    HOLE_FILL_CELLS * ISOCHRONE_RESOLUTION.area_m2()
}

/// The band of all cells with a time `<= limit_s` as a map draws it: dissolved, corners cut,
/// holes under [`hole_fill_area_m2`] filled; empty when no cell qualifies.
pub fn band(cells: &HashMap<CellIndex, f64>, limit_s: f64) -> MultiPolygon {
    let union = polygon(cells, limit_s);
    let smooth = union
        .chaikin_smoothing(SMOOTHING_ROUNDS)
        .simplify(SIMPLIFY_DEG);
    // Holes are measured after smoothing, which narrows them, so that none left is too small.
    fill_small_holes(&smooth, hole_fill_area_m2())
}

/// `area` without the interior rings smaller than `min_area_m2`.
pub fn fill_small_holes(area: &MultiPolygon, min_area_m2: f64) -> MultiPolygon {
    area.iter()
        .filter(|p| p.exterior().0.len() >= 4)
        .map(|p| {
            let kept = p
                .interiors()
                .iter()
                .filter(|ring| ring.0.len() >= 4 && ring_area_m2(ring) >= min_area_m2)
                .cloned()
                .collect();
            Polygon::new(p.exterior().clone(), kept)
        })
        .collect()
}

/// Area enclosed by a ring of (lon, lat) degrees, in square metres on the sphere.
pub fn ring_area_m2(ring: &LineString) -> f64 {
    Polygon::new(ring.clone(), Vec::new()).chamberlain_duquette_unsigned_area()
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use geo::{Contains, Point};
    use h3o::{CellIndex, LatLng};

    use super::{ISOCHRONE_RESOLUTION, band, hole_fill_area_m2, polygon, ring_area_m2};

    /// Hoàn Kiếm Lake's north shore, a cell to build rings of cells around.
    fn centre() -> CellIndex {
        LatLng::new(21.0305, 105.8525)
            .expect("valid coordinates")
            .to_cell(ISOCHRONE_RESOLUTION)
    }

    /// The cells within `outer` steps of the centre but farther than `inner` steps (none
    /// removed when `inner` is `None`), each reached in `t` seconds.
    fn annulus(outer: u32, inner: Option<u32>, t: f64) -> HashMap<CellIndex, f64> {
        let hole: HashSet<CellIndex> = inner
            .map(|k| centre().grid_disk::<Vec<_>>(k).into_iter().collect())
            .unwrap_or_default();
        centre()
            .grid_disk::<Vec<_>>(outer)
            .into_iter()
            .filter(|c| !hole.contains(c))
            .map(|c| (c, t))
            .collect()
    }

    fn holes(area: &geo::MultiPolygon) -> Vec<f64> {
        area.iter()
            .flat_map(|p| p.interiors().iter().map(ring_area_m2))
            .collect()
    }

    fn contains_centre(area: &geo::MultiPolygon, cell: CellIndex) -> bool {
        let ll = LatLng::from(cell);
        area.contains(&Point::new(ll.lng(), ll.lat()))
    }

    #[test]
    fn a_hole_of_one_cell_is_filled() {
        let cells = annulus(3, Some(0), 60.0);
        assert_eq!(
            holes(&polygon(&cells, 60.0)).len(),
            1,
            "the union has the hole"
        );
        let drawn = band(&cells, 60.0);
        assert!(holes(&drawn).is_empty(), "{:?}", holes(&drawn));
        assert!(
            contains_centre(&drawn, centre()),
            "the filled hole is inside"
        );
    }

    #[test]
    fn a_large_hole_stays_and_no_hole_is_under_the_threshold() {
        // A hole of the 37 cells within three steps: larger than the threshold.
        let cells = annulus(7, Some(3), 60.0);
        let drawn = band(&cells, 60.0);
        let left = holes(&drawn);
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(left.iter().all(|&a| a >= hole_fill_area_m2()), "{left:?}");
        assert!(
            !contains_centre(&drawn, centre()),
            "the lake is not reachable"
        );
    }

    #[test]
    fn every_cell_of_the_union_keeps_its_centre_inside_the_band() {
        // Cells at growing times out from the centre, with a notch and a gap so the outline
        // has concave and convex corners and an island.
        let mut cells: HashMap<CellIndex, f64> = HashMap::new();
        for (k, t) in [(0u32, 0.0), (2, 100.0), (4, 200.0), (6, 300.0)] {
            for c in centre().grid_disk::<Vec<_>>(k) {
                cells.entry(c).or_insert(t);
            }
        }
        let ring_of = |k: u32| -> Vec<CellIndex> {
            let inside: HashSet<CellIndex> =
                centre().grid_disk::<Vec<_>>(k - 1).into_iter().collect();
            centre()
                .grid_disk::<Vec<_>>(k)
                .into_iter()
                .filter(|c| !inside.contains(c))
                .collect()
        };
        for (i, c) in ring_of(5).into_iter().enumerate() {
            if i % 4 == 0 {
                cells.remove(&c);
            }
        }
        let island = ring_of(9)[0];
        cells.insert(island, 250.0);
        for limit in [0.0, 100.0, 200.0, 300.0] {
            let drawn = band(&cells, limit);
            for (&c, &t) in &cells {
                if t <= limit {
                    assert!(
                        contains_centre(&drawn, c),
                        "cell {c} of {t} s outside the {limit} s band"
                    );
                }
            }
            assert!(holes(&drawn).iter().all(|&a| a >= hole_fill_area_m2()));
        }
        assert_eq!(
            band(&cells, 300.0).0.len(),
            2,
            "the island stays its own polygon"
        );
    }

    #[test]
    fn no_cell_no_band() {
        assert!(band(&HashMap::new(), 600.0).0.is_empty());
        assert!(band(&annulus(2, None, 900.0), 600.0).0.is_empty());
    }
}
