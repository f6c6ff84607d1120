//! What a boundary polygon must be before it is indexed: not too large, and with rings that do
//! not cross.
//!
//! A polygon whose rings cross has no inside that a point lookup can answer, and one with long
//! crossing edges makes every lookup test most of them (a 200,000-vertex scribble kept a run
//! busy for minutes). geo's `Validation` states the rule, but 0.33 tests every pair of a ring's
//! edges, which is hours for such a ring, so the crossing test here asks an R-tree for the
//! edges whose boxes meet and stops at the first crossing, within a fixed budget of tests.
//!
//! Rings may touch at a point (a hole meeting the exterior, a ring pinched at a vertex): the
//! even-odd lookup answers those correctly. Holes are not checked to lie inside their exterior,
//! for the same reason.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// The most vertices one feature may have over all its rings: twenty times the most detailed
/// real boundary shipped (the province outline, 5,354), far more than any ward needs.
pub const MAX_FEATURE_VERTICES: usize = 100_000;

/// Edge pairs whose boxes meet that the crossing test looks at, per edge. Real boundaries need
/// about three (an edge and its two neighbours); a valid shape whose every edge's box spans
/// the others (a fan of thousands of long spikes) is refused rather than tested for minutes.
const MAX_BOX_PAIRS_PER_EDGE: usize = 64;

/// One edge as the crossing test indexes it.
#[derive(Debug, Clone, Copy)]
struct Edge {
    /// Ring of the edge over the whole feature (rings of every polygon, in order).
    ring: usize,
    /// Position of the edge in its ring.
    position: usize,
    /// Number of edges of its ring.
    ring_edges: usize,
    line: Line<f64>,
}

impl Edge {
    /// True for consecutive edges of one ring, which always share a vertex.
    fn adjacent(&self, other: &Edge) -> bool {
        if self.ring != other.ring {
            return false;
        }
        let (a, b) = (
            self.position.min(other.position),
            self.position.max(other.position),
        );
        b == a + 1 || (a == 0 && b + 1 == self.ring_edges)
    }
}

/// Checks a feature's polygons; the error says what is wrong in words for the user.
pub(super) fn check_feature(shape: &MultiPolygon<f64>) -> Result<(), String> {
    let rings: Vec<&geo::LineString<f64>> = shape
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .collect();
    let vertices: usize = rings.iter().map(|r| r.0.len()).sum();
    if vertices > MAX_FEATURE_VERTICES {
        return Err(format!(
            "the polygon has {vertices} vertices; expected at most {MAX_FEATURE_VERTICES} (simplify the outline, e.g. ogr2ogr -simplify 0.00001)"
        ));
    }
    let mut edges = Vec::with_capacity(vertices);
    for (ring, line_string) in rings.iter().enumerate() {
        let ring_edges = line_string.0.len().saturating_sub(1);
        for (position, line) in line_string.lines().enumerate() {
            edges.push(Edge {
                ring,
                position,
                ring_edges,
                line,
            });
        }
    }
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = edges
        .iter()
        .enumerate()
        .map(|(k, e)| {
            GeomWithData::new(
                Rectangle::from_corners(corner(e.line.start), corner(e.line.end)),
                k,
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut budget = MAX_BOX_PAIRS_PER_EDGE * edges.len();
    for (k, edge) in edges.iter().enumerate() {
        let envelope = AABB::from_corners(corner(edge.line.start), corner(edge.line.end));
        for other in tree.locate_in_envelope_intersecting(envelope) {
            if budget == 0 {
                return Err(format!(
                    "the polygon's edges overlap too often to index (more than {MAX_BOX_PAIRS_PER_EDGE} boxes per edge); simplify the outline"
                ));
            }
            budget -= 1;
            let j = other.data;
            if j <= k || edge.adjacent(&edges[j]) {
                continue;
            }
            let at = match line_intersection(edge.line, edges[j].line) {
                Some(LineIntersection::SinglePoint {
                    intersection,
                    is_proper: true,
                }) => intersection,
                Some(LineIntersection::Collinear { intersection })
                    if intersection.start != intersection.end =>
                {
                    intersection.start
                }
                _ => continue,
            };
            let rings = if edge.ring == edges[j].ring {
                format!("ring {} crosses itself", edge.ring)
            } else {
                format!("rings {} and {} cross", edge.ring, edges[j].ring)
            };
            return Err(format!(
                "{rings} near ({:.6}, {:.6}); expected rings that do not cross (fix it with ST_MakeValid or QGIS's Fix geometries)",
                at.x, at.y
            ));
        }
    }
    Ok(())
}

fn corner(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn feature(rings: Vec<Vec<(f64, f64)>>) -> MultiPolygon<f64> {
        let mut rings = rings.into_iter().map(LineString::from);
        let exterior = rings.next().expect("an exterior");
        MultiPolygon::new(vec![Polygon::new(exterior, rings.collect())])
    }

    #[test]
    fn a_square_with_a_hole_touching_its_exterior_is_accepted() {
        let shape = feature(vec![
            vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)],
            vec![(0.0, 2.0), (2.0, 1.0), (3.0, 2.0), (2.0, 3.0), (0.0, 2.0)],
        ]);
        assert_eq!(check_feature(&shape), Ok(()));
    }

    #[test]
    fn a_bow_tie_is_refused_with_its_crossing() {
        // (0,0) -> (2,2) -> (2,0) -> (0,2) -> (0,0): the diagonals cross at (1, 1).
        let shape = feature(vec![vec![
            (0.0, 0.0),
            (2.0, 2.0),
            (2.0, 0.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]]);
        let e = check_feature(&shape).expect_err("self-crossing");
        assert!(
            e.starts_with("ring 0 crosses itself near (1.000000, 1.000000)"),
            "{e}"
        );
    }

    #[test]
    fn a_hole_crossing_the_exterior_is_refused() {
        let shape = feature(vec![
            vec![(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)],
            vec![(3.0, 1.0), (5.0, 1.0), (5.0, 2.0), (3.0, 2.0), (3.0, 1.0)],
        ]);
        let e = check_feature(&shape).expect_err("hole sticks out");
        assert!(e.starts_with("rings 0 and 1 cross near (4.000000, "), "{e}");
    }
}
