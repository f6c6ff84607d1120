//! Road networks drawn as ASCII sketches, for tests and benches.
//!
//! Letters and digits are nodes placed on a grid of [`CELL_M`] metres per character cell
//! (columns go east, lines go south) from a fixed origin in Hanoi; the other characters
//! (`-`, `|`, `/`, spaces) are only there for the reader. Ways are listed separately with their
//! tags, so the result is plain [`OsmData`] and the real graph builder is exercised.
//!
//! ```
//! use motcua::graph::{sketch::{Sketch, test_profile}, RoadGraph, TravelMode};
//! let sketch = Sketch::new("
//!     a-b-c
//!     |   |
//!     d---e
//! ")
//! .way("abc", &[("highway", "primary"), ("oneway", "yes")])
//! .way("ced", &[("highway", "residential")])
//! .way("ad", &[("highway", "residential")]);
//! let graph = RoadGraph::build(&sketch.build(), &test_profile(TravelMode::Motorbike))?;
//! let (a, b) = (sketch.node(&graph, 'a').unwrap(), sketch.node(&graph, 'b').unwrap());
//! let edge = graph.find_edge(a, b).unwrap();
//! assert!((graph.travel_s[edge.0 as usize] - 20.0).abs() < 0.01); // 200 m at 36 km/h
//! # Ok::<(), motcua::graph::GraphError>(())
//! ```

use std::collections::BTreeMap;

use super::{LocalProjection, NodeId, RoadGraph, SpeedProfile, TravelMode};
use crate::ingest::{OsmBarrier, OsmData, OsmNode, OsmWay};

/// Size of one character cell in metres, both across and down.
pub const CELL_M: f64 = 100.0;

/// `(lon, lat)` of the top-left character cell: near Hoàn Kiếm lake.
pub const ORIGIN: (f64, f64) = (105.8500, 21.0300);

/// Speed of every highway class in [`test_profile`]: 36 km/h, 10 s per 100 m cell.
pub const TEST_SPEED_KMH: f64 = 36.0;

/// `(lon, lat)` of the character cell at `col` (east) and `row` (south).
pub fn cell_coord(col: usize, row: usize) -> (f64, f64) {
    LocalProjection::around(ORIGIN).to_lon_lat([col as f64 * CELL_M, -(row as f64 * CELL_M)])
}

/// The OSM node id a sketch gives to node `name` (its Unicode scalar value).
pub fn osm_id(name: char) -> i64 {
    i64::from(u32::from(name))
}

/// A road network drawn as text plus the list of its ways.
#[derive(Clone, Debug, Default)]
pub struct Sketch {
    cells: BTreeMap<char, (usize, usize)>,
    ways: Vec<OsmWay>,
    barriers: Vec<OsmBarrier>,
}

impl Sketch {
    /// Reads node positions from the drawing. Blank first and last lines and the common
    /// indentation are ignored, so the drawing can sit indented in a test.
    ///
    /// # Panics
    /// When a node letter appears twice: the drawing is test input and should fail loudly.
    pub fn new(drawing: &str) -> Self {
        let lines: Vec<&str> = drawing.lines().collect();
        let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
        let end = lines
            .iter()
            .rposition(|l| !l.trim().is_empty())
            .map_or(start, |i| i + 1);
        let lines = &lines[start..end];
        let indent = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).count())
            .min()
            .unwrap_or(0);
        let mut cells = BTreeMap::new();
        for (row, line) in lines.iter().enumerate() {
            for (col, c) in line.chars().skip(indent).enumerate() {
                if c.is_alphanumeric() && cells.insert(c, (col, row)).is_some() {
                    panic!("sketch node {c:?} is drawn twice");
                }
            }
        }
        Sketch {
            cells,
            ways: Vec::new(),
            barriers: Vec::new(),
        }
    }

    /// Adds a way through the named nodes in order (`"abc"`), with its tags.
    ///
    /// # Panics
    /// When a node is not in the drawing.
    pub fn way(mut self, nodes: &str, tags: &[(&str, &str)]) -> Self {
        let refs = nodes
            .chars()
            .map(|c| {
                assert!(
                    self.cells.contains_key(&c),
                    "way {nodes:?} uses node {c:?}, which is not drawn"
                );
                osm_id(c)
            })
            .collect();
        self.ways.push(OsmWay {
            id: self.ways.len() as i64 + 1,
            nodes: refs,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        });
        self
    }

    /// Tags node `name` (`&[("barrier", "gate"), ("access", "private")]`); the graph builder
    /// reads the tags of nodes that carry `barrier=*`.
    ///
    /// # Panics
    /// When the node is not in the drawing.
    pub fn node_tags(mut self, name: char, tags: &[(&str, &str)]) -> Self {
        assert!(
            self.cells.contains_key(&name),
            "tags for node {name:?}, which is not drawn"
        );
        self.barriers.push(OsmBarrier {
            id: osm_id(name),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        });
        self
    }

    /// The sketch as OSM data: ways with ids 1, 2, ... in the order added, nodes used by them.
    pub fn build(&self) -> OsmData {
        let mut osm = OsmData {
            nodes: self
                .cells
                .iter()
                .map(|(&c, &(col, row))| {
                    let (lon, lat) = cell_coord(col, row);
                    OsmNode {
                        id: osm_id(c),
                        lon,
                        lat,
                    }
                })
                .collect(),
            ways: self.ways.clone(),
            barriers: self.barriers.clone(),
        };
        osm.normalise();
        osm
    }

    /// `(lon, lat)` of node `name`.
    ///
    /// # Panics
    /// When the node is not in the drawing.
    pub fn node_coord(&self, name: char) -> (f64, f64) {
        match self.cells.get(&name) {
            Some(&(col, row)) => cell_coord(col, row),
            None => panic!("sketch has no node {name:?}"),
        }
    }

    /// The graph node of sketch node `name`, if the graph kept it.
    pub fn node(&self, graph: &RoadGraph, name: char) -> Option<NodeId> {
        let id = osm_id(name);
        graph
            .osm_id
            .iter()
            .position(|&o| o == id)
            .map(|i| NodeId(i as u32))
    }
}

/// The embedded profile of `mode` (same usable classes, access and one-way rules) with every
/// class at [`TEST_SPEED_KMH`], one speed band (`morning_peak`, Mo-Fr 07:00-09:00) at factor 0.5
/// and an access speed of 3.6 km/h (1 m/s),
/// so that expected times can be worked out by hand.
pub fn test_profile(mode: TravelMode) -> SpeedProfile {
    let mut p = SpeedProfile::embedded(mode);
    for v in p.speed_kmh.values_mut() {
        *v = TEST_SPEED_KMH;
    }
    p.max_speed_kmh = TEST_SPEED_KMH;
    p.bands = vec![super::SpeedBand {
        name: "morning_peak".into(),
        hours: "Mo-Fr 07:00-09:00".into(),
        factor: 0.5,
    }];
    p.access_speed_kmh = 3.6;
    p
}

/// A grid city of `n_side` x `n_side` nodes [`CELL_M`] apart, for scaling benches: every tenth
/// street primary, every fifth secondary, the rest residential in blocks of ten cells, about one
/// residential block in six one-way (eastbound/southbound on even streets, the opposite on odd
/// ones, so the city stays strongly connected). The same seed gives the same city.
pub fn grid_city(n_side: usize, seed: u64) -> OsmData {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // splitmix64: small, seedable, good enough to pick one-ways.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let id = |col: usize, row: usize| (row * n_side + col) as i64 + 1;
    let mut nodes = Vec::with_capacity(n_side * n_side);
    for row in 0..n_side {
        for col in 0..n_side {
            let (lon, lat) = cell_coord(col, row);
            nodes.push(OsmNode {
                id: id(col, row),
                lon,
                lat,
            });
        }
    }
    const BLOCK: usize = 10;
    let mut ways = Vec::new();
    for street in 0..n_side {
        let class = if street % 10 == 0 {
            "primary"
        } else if street % 5 == 0 {
            "secondary"
        } else {
            "residential"
        };
        for horizontal in [true, false] {
            let mut start = 0;
            while start + 1 < n_side {
                let end = (start + BLOCK).min(n_side - 1);
                let refs: Vec<i64> = (start..=end)
                    .map(|i| {
                        if horizontal {
                            id(i, street)
                        } else {
                            id(street, i)
                        }
                    })
                    .collect();
                let mut tags = vec![
                    ("highway".to_string(), class.to_string()),
                    (
                        "name".to_string(),
                        format!("{} {street}", if horizontal { "Phố" } else { "Ngõ" }),
                    ),
                ];
                if class == "residential" && next() % 6 == 0 {
                    let dir = if street % 2 == 0 { "yes" } else { "-1" };
                    tags.push(("oneway".to_string(), dir.to_string()));
                }
                ways.push(OsmWay {
                    id: ways.len() as i64 + 1,
                    nodes: refs,
                    tags,
                });
                start = end;
            }
        }
    }
    OsmData {
        nodes,
        ways,
        barriers: Vec::new(),
    }
}
