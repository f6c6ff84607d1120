//! A mode's road graph with motcua's travel time from every node to its nearest receiving
//! point: what `motcua export-graph` writes so other tools (NetworkX, QGIS) can check it.

use std::sync::Arc;

use super::area::{ModeNetwork, StudyArea};
use super::{ReceivingPoint, ScenarioError};
use crate::graph::TravelMode;
use crate::routing::{self, Direction, Metric};

/// Where a receiving point enters the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphSeed {
    pub point_id: String,
    pub node: u32,
    /// Seconds of the access leg from the point to `node`.
    pub travel_s: f64,
}

/// Travel times on one mode's graph from every node to the nearest of some points.
pub struct GraphTimes {
    pub mode: TravelMode,
    pub network: Arc<ModeNetwork>,
    /// Per node: seconds to the nearest point and that point's id; `None` when none is reached.
    pub nearest: Vec<Option<(f64, String)>>,
    pub seeds: Vec<GraphSeed>,
}

impl GraphTimes {
    /// One multi-source search from `points` towards them over `mode`'s graph of `area`.
    pub fn new(
        area: &StudyArea,
        mode: TravelMode,
        points: &[ReceivingPoint],
    ) -> Result<GraphTimes, ScenarioError> {
        let network = area.network(mode)?;
        let graph = &network.graph;
        let seeds: Vec<routing::Seed> = network
            .attach_points(points)
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().map(|a| (i, a)))
            .flat_map(|(i, a)| routing::seeds_towards(graph, a, i as u32))
            .collect();
        let times = routing::multi_source(
            &network.cells.search,
            &seeds,
            Direction::ToSources,
            Metric::Time,
            None,
        );
        let nearest = (0..graph.num_nodes())
            .map(|n| {
                let source = times.source[n];
                (source != routing::NO_SOURCE)
                    .then(|| (times.travel_s[n], points[source as usize].id.clone()))
            })
            .collect();
        let seeds = seeds
            .iter()
            .map(|s| GraphSeed {
                point_id: points[s.source as usize].id.clone(),
                node: s.node.0,
                travel_s: s.travel_s,
            })
            .collect();
        Ok(GraphTimes {
            mode,
            network,
            nearest,
            seeds,
        })
    }
}
