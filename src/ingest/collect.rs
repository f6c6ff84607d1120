//! What every reader does with the elements it meets: check, keep or drop, then assemble.
//!
//! The readers differ only in how they find nodes and ways in their bytes; the rules for what
//! is kept (highways, the nodes they use, the tagged places asked for) live here once.

use rayon::prelude::*;

use super::feature::centroid;
use super::{
    ElementKind, IngestError, OsmBarrier, OsmData, OsmExtract, OsmFeature, OsmNode, OsmWay,
    ReadOptions, check_node,
};

/// The elements kept so far.
#[derive(Default)]
pub(crate) struct Collector {
    pub(crate) nodes: Vec<OsmNode>,
    /// Every barrier node seen (few); those no kept way uses are dropped at the end.
    pub(crate) barriers: Vec<OsmBarrier>,
    pub(crate) highways: Vec<OsmWay>,
    pub(crate) ways_seen: usize,
    pub(crate) feature_nodes: Vec<OsmFeature>,
    /// Ways carrying a tag asked for, with the entry they matched; their position is known
    /// only once all nodes are read.
    pub(crate) feature_ways: Vec<(OsmWay, usize)>,
}

impl Collector {
    /// A node with its tags (empty for most). `keep` is false when the reader keeps only the
    /// nodes it already knows it needs (the PBF reader's first pass over a large file); the
    /// coordinates are checked either way.
    pub(crate) fn node(
        &mut self,
        label: &str,
        options: &ReadOptions,
        node: OsmNode,
        tags: &[(String, String)],
        keep: bool,
    ) -> Result<(), IngestError> {
        check_node(label, node.id, node.lon, node.lat)?;
        if keep {
            self.nodes.push(node);
        }
        if tags.iter().any(|(k, _)| k == "barrier") {
            self.barriers.push(OsmBarrier {
                id: node.id,
                tags: tags.to_vec(),
            });
        }
        if !tags.is_empty()
            && let Some(matched) = options.features.matching(tags)
        {
            self.feature_nodes.push(OsmFeature {
                kind: ElementKind::Node,
                id: node.id,
                lon: node.lon,
                lat: node.lat,
                tags: tags.to_vec(),
                matched,
            });
        }
        Ok(())
    }

    /// A way with its node references and tags; copied only when it is kept.
    pub(crate) fn way(
        &mut self,
        options: &ReadOptions,
        id: i64,
        refs: &[i64],
        tags: &[(String, String)],
    ) {
        self.ways_seen += 1;
        let highway = tags.iter().any(|(k, _)| k == "highway");
        let matched = options.features.matching(tags);
        if !highway && matched.is_none() {
            return;
        }
        let way = OsmWay {
            id,
            nodes: refs.to_vec(),
            tags: tags.to_vec(),
        };
        if let Some(matched) = matched {
            self.feature_ways.push((way.clone(), matched));
        }
        if highway {
            self.highways.push(way);
        }
    }

    /// Adds another part (a PBF block) to this one.
    pub(crate) fn absorb(&mut self, other: Collector) {
        self.nodes.extend(other.nodes);
        self.barriers.extend(other.barriers);
        self.highways.extend(other.highways);
        self.ways_seen += other.ways_seen;
        self.feature_nodes.extend(other.feature_nodes);
        self.feature_ways.extend(other.feature_ways);
    }

    /// Node ids every kept way uses, sorted, once each.
    pub(crate) fn wanted_nodes(&self) -> Vec<i64> {
        let mut wanted: Vec<i64> = self
            .highways
            .iter()
            .chain(self.feature_ways.iter().map(|(w, _)| w))
            .flat_map(|w| w.nodes.iter().copied())
            .collect();
        wanted.par_sort_unstable();
        wanted.dedup();
        wanted
    }

    /// Places the tagged ways at their centroids, then keeps only the nodes the highways use.
    pub(crate) fn finish(
        mut self,
        label: &str,
        options: &ReadOptions,
    ) -> Result<OsmExtract, IngestError> {
        if options.require_roads && self.highways.is_empty() {
            return Err(IngestError::NoHighways {
                label: label.to_string(),
                ways_seen: self.ways_seen,
            });
        }
        self.nodes.par_sort_unstable_by_key(|n| n.id);
        self.nodes.dedup_by_key(|n| n.id);
        let mut features = self.feature_nodes;
        for (way, matched) in self.feature_ways {
            let coords: Vec<(f64, f64)> = way
                .nodes
                .iter()
                .filter_map(|id| self.nodes.binary_search_by_key(id, |n| n.id).ok())
                .map(|i| (self.nodes[i].lon, self.nodes[i].lat))
                .collect();
            // A way whose nodes all lie outside the extract has no position to offer.
            if let Some((lon, lat)) = centroid(&coords) {
                features.push(OsmFeature {
                    kind: ElementKind::Way,
                    id: way.id,
                    lon,
                    lat,
                    tags: way.tags,
                    matched,
                });
            }
        }
        features.sort_by_key(|f| (f.kind, f.id));
        features.dedup_by_key(|f| (f.kind, f.id));
        let mut roads = OsmData {
            nodes: self.nodes,
            ways: self.highways,
            barriers: self.barriers,
        };
        roads.normalise();
        Ok(OsmExtract {
            roads,
            features,
            format: None,
        })
    }
}
