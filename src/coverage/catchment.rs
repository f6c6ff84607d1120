//! Whom each receiving point serves: every populated cell goes to one point, the one its
//! residents would go to, so the catchments partition everyone the data can place.
//!
//! A cell goes to the point it reaches first by road (the time metric the rule measures). A
//! cell served by the radius alone — covered although no point is within the time — goes to
//! the point nearest in a straight line, which is what the radius looks at; so does a cell no
//! road joins to any point. Under a radius measured along the roads the point reached first
//! stands in for the nearest by road. Cells whose verdict is *unknown* (the road data cannot
//! say) belong to no catchment: they are counted apart, beside the point nearest them in a
//! straight line, and add no load.

use std::collections::BTreeMap;

use super::{CellResult, CellStatus, CoverageReport, RadiusKind};

/// The point serving a cell, or `None` for unknown cells (and when there are no points).
pub fn serving_point(cell: &CellResult, radius_kind: RadiusKind) -> Option<usize> {
    if cell.status == CellStatus::Unknown {
        return None;
    }
    let radius_only = cell.status == CellStatus::Covered && !cell.by_time;
    match cell.travel_s {
        Some(_) if !radius_only || radius_kind == RadiusKind::Network => cell.nearest_point,
        _ => cell.straight_point,
    }
}

/// One point's catchment.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Catchment {
    /// Residents assigned to the point (covered and uncovered).
    pub residents: f64,
    /// Of them, the residents the rule covers.
    pub covered: f64,
    /// Populated cells assigned.
    pub cells: usize,
    /// Residents of unknown cells nearest this point in a straight line: not in `residents`,
    /// not in the load; what the point might also serve if roads showed them near.
    pub unknown_nearby: f64,
    /// Residents assigned, per ward index (wards with none left out).
    #[schema(value_type = Object)]
    pub by_ward: BTreeMap<usize, f64>,
}

/// Every point's catchment and who falls in none.
#[derive(Clone, Debug, PartialEq)]
pub struct Catchments {
    /// For each cell of the report (same order), the point serving it.
    pub of_cell: Vec<Option<usize>>,
    /// One per point, in the points' order.
    pub points: Vec<Catchment>,
    /// Residents of unknown cells: in no catchment.
    pub unknown: f64,
    /// Residents of decided cells with no point to go to (a scenario without points).
    pub unassigned: f64,
}

impl Catchments {
    /// The catchments of `points_len` points in an evaluated report.
    pub fn new(report: &CoverageReport, points_len: usize, radius_kind: RadiusKind) -> Self {
        let mut points = vec![Catchment::default(); points_len];
        let (mut unknown, mut unassigned) = (0.0, 0.0);
        let of_cell: Vec<Option<usize>> = report
            .cells
            .iter()
            .map(|c| {
                let serving = serving_point(c, radius_kind).filter(|&p| p < points_len);
                match serving {
                    Some(p) => {
                        let k = &mut points[p];
                        k.residents += c.population;
                        k.cells += 1;
                        if c.status == CellStatus::Covered {
                            k.covered += c.population;
                        }
                        if let Some(w) = c.ward {
                            *k.by_ward.entry(w).or_insert(0.0) += c.population;
                        }
                    }
                    None if c.status == CellStatus::Unknown => {
                        unknown += c.population;
                        if let Some(k) = c.straight_point.and_then(|p| points.get_mut(p)) {
                            k.unknown_nearby += c.population;
                        }
                    }
                    None => unassigned += c.population,
                }
                serving
            })
            .collect();
        Catchments {
            of_cell,
            points,
            unknown,
            unassigned,
        }
    }

    /// Residents in some catchment.
    pub fn assigned(&self) -> f64 {
        self.points.iter().map(|p| p.residents).sum()
    }
}
