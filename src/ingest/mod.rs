//! OpenStreetMap PBF -> raw nodes and highway ways.
//!
//! This is the only module that knows the `osmpbf` crate. It keeps every `highway=*` way with
//! all its tags, the nodes those ways use, and the tags of those nodes that carry `barrier=*`
//! (gates, bollards), nothing else: the graph builder decides per travel mode which ways are
//! usable and which barriers it can pass. Blocks are decoded in parallel (rayon). Files up to 64 MiB are
//! decoded once; larger ones (a country extract) in two passes, ways first and then only the
//! nodes they reference, so memory follows the road network rather than the whole file.

use std::io::{Cursor, SeekFrom};
use std::path::{Path, PathBuf};

use osmpbf::{BlobDecode, BlobReader, BlobType, Element};
use rayon::prelude::*;

/// Why an OSM PBF file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file does not exist or cannot be opened.
    #[error("cannot read OSM file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file has no bytes at all.
    #[error("OSM file {label} is empty (0 bytes); expected an .osm.pbf extract")]
    Empty { label: String },
    /// The bytes are not a valid PBF: cut short, corrupted, or another format.
    #[error(
        "OSM file {label} is not a valid .osm.pbf (truncated or corrupt?) near byte {offset}: {message}"
    )]
    Corrupt {
        label: String,
        offset: u64,
        message: String,
    },
    /// The file is a valid PBF but holds no `highway=*` way, so no road graph can come of it.
    #[error(
        "OSM file {label} has no highway=* ways ({ways_seen} ways in total); expected a road extract"
    )]
    NoHighways { label: String, ways_seen: usize },
}

/// One OSM node used by a kept way, in WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OsmNode {
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
}

/// The value of tag `key` in a list of `(key, value)` tags, as ways and barriers keep them.
pub fn tag_value<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// One `highway=*` way: its node references in order and all its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsmWay {
    pub id: i64,
    pub nodes: Vec<i64>,
    pub tags: Vec<(String, String)>,
}

impl OsmWay {
    /// The value of tag `key`, if the way has it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        tag_value(&self.tags, key)
    }
}

/// A node with a `barrier=*` tag (gate, bollard, lift gate …) and all its tags, which may say
/// who may pass (`access=private`, `motorcycle=yes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsmBarrier {
    pub id: i64,
    pub tags: Vec<(String, String)>,
}

impl OsmBarrier {
    /// The value of tag `key`, if the node has it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        tag_value(&self.tags, key)
    }
}

/// The road part of an OSM extract.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OsmData {
    /// Only the nodes used by kept ways, sorted by id, no duplicates.
    pub nodes: Vec<OsmNode>,
    /// `highway=*` ways only, sorted by id. A way may name nodes missing from `nodes` when the
    /// extract was cut at its border; the graph builder breaks the way there.
    pub ways: Vec<OsmWay>,
    /// The nodes of `nodes` that carry `barrier=*`, sorted by id. A reader may push every
    /// barrier node it sees: [`OsmData::normalise`] drops those no kept way uses.
    pub barriers: Vec<OsmBarrier>,
}

impl OsmData {
    /// The node with this OSM id (binary search: `nodes` is sorted).
    pub fn node(&self, id: i64) -> Option<&OsmNode> {
        self.node_index(id).map(|i| &self.nodes[i])
    }

    /// Position of the node with this OSM id in `nodes`.
    pub fn node_index(&self, id: i64) -> Option<usize> {
        self.nodes.binary_search_by_key(&id, |n| n.id).ok()
    }

    /// The barrier at the node with this OSM id, if it is one.
    pub fn barrier(&self, id: i64) -> Option<&OsmBarrier> {
        self.barriers
            .binary_search_by_key(&id, |b| b.id)
            .ok()
            .map(|i| &self.barriers[i])
    }

    /// Bounding box of all nodes as `[west, south, east, north]`, `None` when there are none.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        let first = self.nodes.first()?;
        let mut b = [first.lon, first.lat, first.lon, first.lat];
        for n in &self.nodes {
            b[0] = b[0].min(n.lon);
            b[1] = b[1].min(n.lat);
            b[2] = b[2].max(n.lon);
            b[3] = b[3].max(n.lat);
        }
        Some(b)
    }

    /// Sorts nodes, ways and barriers by id, drops repeated elements (Overpass output repeats
    /// nodes) and nodes and barriers that no way uses. Used by the readers and the test sketches.
    pub fn normalise(&mut self) {
        self.ways.sort_by_key(|w| w.id);
        self.ways.dedup_by_key(|w| w.id);
        self.nodes.sort_by_key(|n| n.id);
        self.nodes.dedup_by_key(|n| n.id);
        let mut used: Vec<i64> = self
            .ways
            .iter()
            .flat_map(|w| w.nodes.iter().copied())
            .collect();
        used.sort_unstable();
        used.dedup();
        self.nodes.retain(|n| used.binary_search(&n.id).is_ok());
        self.barriers.sort_by_key(|b| b.id);
        self.barriers.dedup_by_key(|b| b.id);
        self.barriers
            .retain(|b| used.binary_search(&b.id).is_ok() && b.tag("barrier").is_some());
    }
}

/// Reads the highway ways of an `.osm.pbf` file and the nodes they use.
///
/// ```no_run
/// let osm = motcua::ingest::read_pbf(std::path::Path::new("data/areas/hanoi-urban/roads.osm.pbf"))?;
/// println!("{} highway ways", osm.ways.len());
/// # Ok::<(), motcua::ingest::IngestError>(())
/// ```
pub fn read_pbf(path: &Path) -> Result<OsmData, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    read_pbf_bytes(&bytes, &path.display().to_string())
}

/// Reads PBF bytes already in memory; `label` names the source in error messages.
pub fn read_pbf_bytes(bytes: &[u8], label: &str) -> Result<OsmData, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    }
    read_blocks(bytes, label, bytes.len() <= SINGLE_PASS_MAX_BYTES)
}

/// Small files are decoded once, keeping every node; large ones twice, keeping only the nodes
/// the highway ways use.
fn read_blocks(bytes: &[u8], label: &str, single_pass: bool) -> Result<OsmData, IngestError> {
    let blobs = split_blobs(bytes, label)?;

    // Pass 1: highway ways, and which blocks hold nodes at all.
    let pass1: Vec<BlockContent> = blobs
        .par_iter()
        .map(|(offset, blob)| block_content(blob, *offset, label, single_pass))
        .collect::<Result<_, _>>()?;
    let ways_seen = pass1.iter().map(|b| b.ways_seen).sum();
    let mut ways: Vec<OsmWay> = Vec::new();
    let mut nodes: Vec<OsmNode> = Vec::new();
    let mut barriers: Vec<OsmBarrier> = Vec::new();
    let mut node_blocks = Vec::new();
    for (i, block) in pass1.into_iter().enumerate() {
        ways.extend(block.highways);
        nodes.extend(block.nodes);
        barriers.extend(block.barriers);
        if block.has_nodes {
            node_blocks.push(i);
        }
    }
    if ways.is_empty() {
        return Err(IngestError::NoHighways {
            label: label.to_string(),
            ways_seen,
        });
    }
    if !single_pass {
        let mut wanted: Vec<i64> = ways.iter().flat_map(|w| w.nodes.iter().copied()).collect();
        wanted.par_sort_unstable();
        wanted.dedup();
        // Pass 2: only the nodes the kept ways reference.
        let node_parts: Vec<Vec<OsmNode>> = node_blocks
            .par_iter()
            .map(|&i| {
                let (offset, blob) = &blobs[i];
                block_nodes(blob, *offset, label, &wanted)
            })
            .collect::<Result<_, _>>()?;
        nodes = node_parts.into_iter().flatten().collect();
    }
    let mut osm = OsmData {
        nodes,
        ways,
        barriers,
    };
    osm.normalise();
    Ok(osm)
}

/// Files up to this size are decoded in one pass (all their nodes fit easily in memory).
const SINGLE_PASS_MAX_BYTES: usize = 64 << 20;

struct BlockContent {
    highways: Vec<OsmWay>,
    /// Every node of the block, when reading in one pass.
    nodes: Vec<OsmNode>,
    /// Every barrier node of the block (few: kept in both passes' first).
    barriers: Vec<OsmBarrier>,
    ways_seen: usize,
    has_nodes: bool,
}

impl BlockContent {
    /// Keeps the node if it is a barrier; most nodes have no tags, so this is cheap.
    fn keep_barrier<'a>(
        &mut self,
        id: i64,
        tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) {
        if tags.clone().any(|(k, _)| k == "barrier") {
            self.barriers.push(OsmBarrier {
                id,
                tags: tags.map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            });
        }
    }
}

fn corrupt(label: &str, offset: u64, err: impl std::fmt::Display) -> IngestError {
    IngestError::Corrupt {
        label: label.to_string(),
        offset,
        message: err.to_string(),
    }
}

/// Reads the blob framing sequentially (cheap: no decompression) and checks the file starts
/// with an OSM header, so that a file of another format is refused with a clear message.
fn split_blobs(bytes: &[u8], label: &str) -> Result<Vec<(u64, osmpbf::Blob)>, IngestError> {
    let mut reader =
        BlobReader::new_seekable(Cursor::new(bytes)).map_err(|e| corrupt(label, 0, e))?;
    let mut blobs: Vec<(u64, osmpbf::Blob)> = Vec::new();
    let mut end = 0u64;
    while let Some(blob) = reader.next() {
        let blob = blob.map_err(|e| corrupt(label, end, e))?;
        if blobs.is_empty() && !matches!(blob.get_type(), BlobType::OsmHeader) {
            return Err(corrupt(label, 0, "the first block is not an OSMHeader"));
        }
        blobs.push((end, blob));
        end = reader
            .seek_raw(SeekFrom::Current(0))
            .map_err(|e| corrupt(label, end, e))?;
    }
    if blobs.is_empty() {
        return Err(corrupt(label, 0, "no complete block"));
    }
    // The reader stops quietly when fewer than 4 bytes are left: a cut file.
    if end < bytes.len() as u64 {
        return Err(corrupt(
            label,
            end,
            format!(
                "{} stray bytes after the last complete block",
                bytes.len() as u64 - end
            ),
        ));
    }
    Ok(blobs)
}

fn block_content(
    blob: &osmpbf::Blob,
    offset: u64,
    label: &str,
    keep_nodes: bool,
) -> Result<BlockContent, IngestError> {
    let mut out = BlockContent {
        highways: Vec::new(),
        nodes: Vec::new(),
        barriers: Vec::new(),
        ways_seen: 0,
        has_nodes: false,
    };
    let block = match blob.decode().map_err(|e| corrupt(label, offset, e))? {
        BlobDecode::OsmData(block) => block,
        BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => return Ok(out),
    };
    for element in block.elements() {
        match element {
            Element::Node(n) => {
                out.has_nodes = true;
                if keep_nodes {
                    out.nodes.push(OsmNode {
                        id: n.id(),
                        lon: n.lon(),
                        lat: n.lat(),
                    });
                }
                out.keep_barrier(n.id(), n.tags());
            }
            Element::DenseNode(n) => {
                out.has_nodes = true;
                if keep_nodes {
                    out.nodes.push(OsmNode {
                        id: n.id(),
                        lon: n.lon(),
                        lat: n.lat(),
                    });
                }
                out.keep_barrier(n.id(), n.tags());
            }
            Element::Way(way) => {
                out.ways_seen += 1;
                if !way.tags().any(|(k, _)| k == "highway") {
                    continue;
                }
                out.highways.push(OsmWay {
                    id: way.id(),
                    nodes: way.refs().collect(),
                    tags: way
                        .tags()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                });
            }
            Element::Relation(_) => {}
        }
    }
    Ok(out)
}

fn block_nodes(
    blob: &osmpbf::Blob,
    offset: u64,
    label: &str,
    wanted: &[i64],
) -> Result<Vec<OsmNode>, IngestError> {
    let block = match blob.decode().map_err(|e| corrupt(label, offset, e))? {
        BlobDecode::OsmData(block) => block,
        BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => return Ok(Vec::new()),
    };
    let mut nodes = Vec::new();
    let mut keep = |id: i64, lon: f64, lat: f64| {
        if wanted.binary_search(&id).is_ok() {
            nodes.push(OsmNode { id, lon, lat });
        }
    };
    for element in block.elements() {
        match element {
            Element::Node(n) => keep(n.id(), n.lon(), n.lat()),
            Element::DenseNode(n) => keep(n.id(), n.lon(), n.lat()),
            Element::Way(_) | Element::Relation(_) => {}
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_two_passes_read_the_same_data() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data/areas/hanoi-urban/roads.osm.pbf");
        let bytes = std::fs::read(path).unwrap();
        let one = read_blocks(&bytes, "urban", true).unwrap();
        let two = read_blocks(&bytes, "urban", false).unwrap();
        assert_eq!(one, two);
        assert!(one.ways.iter().all(|w| w.tag("highway").is_some()));
        assert!(
            one.ways
                .iter()
                .flat_map(|w| &w.nodes)
                .all(|&id| one.node(id).is_some())
        );
    }
}
