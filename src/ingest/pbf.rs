//! `.osm.pbf` -> raw nodes and highway ways (osmpbf, blocks decoded in parallel with rayon).
//!
//! This is the only file that knows the `osmpbf` crate. Files up to 64 MiB are decoded once;
//! larger ones (a country extract) in two passes, ways first and then only the nodes they
//! reference, so memory follows the road network rather than the whole file.

use std::io::{Cursor, SeekFrom};
use std::path::Path;

use osmpbf::{BlobDecode, BlobReader, BlobType, Element};
use rayon::prelude::*;

use super::collect::Collector;
use super::{IngestError, OsmData, OsmExtract, OsmNode, ReadOptions};

/// The `required_features` of a PBF header this reader implements.
pub const SUPPORTED_FEATURES: [&str; 2] = ["OsmSchema-V0.6", "DenseNodes"];

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
    Ok(read_bytes_with(bytes, label, &ReadOptions::default())?.roads)
}

/// Reads a whole PBF stream (the blocks are decoded in parallel, so the bytes are held).
pub(crate) fn read_stream(
    mut stream: impl std::io::Read,
    path: &Path,
    options: &ReadOptions,
) -> Result<OsmExtract, IngestError> {
    let mut bytes = Vec::new();
    stream
        .read_to_end(&mut bytes)
        .map_err(|source| IngestError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    read_bytes_with(&bytes, &path.display().to_string(), options)
}

fn read_bytes_with(
    bytes: &[u8],
    label: &str,
    options: &ReadOptions,
) -> Result<OsmExtract, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    }
    read_blocks(bytes, label, options, bytes.len() <= SINGLE_PASS_MAX_BYTES)
}

/// Small files are decoded once, keeping every node; large ones twice, keeping only the nodes
/// the kept ways use.
fn read_blocks(
    bytes: &[u8],
    label: &str,
    options: &ReadOptions,
    single_pass: bool,
) -> Result<OsmExtract, IngestError> {
    let blobs = split_blobs(bytes, label)?;

    // Pass 1: the kept ways, and which blocks hold nodes at all.
    let pass1: Vec<(Collector, bool)> = blobs
        .par_iter()
        .map(|(offset, blob)| block_content(blob, *offset, label, options, single_pass))
        .collect::<Result<_, _>>()?;
    let mut all = Collector::default();
    let mut node_blocks = Vec::new();
    for (i, (block, has_nodes)) in pass1.into_iter().enumerate() {
        all.absorb(block);
        if has_nodes {
            node_blocks.push(i);
        }
    }
    if !(single_pass || options.require_roads && all.highways.is_empty()) {
        let wanted = all.wanted_nodes();
        // Pass 2: only the nodes the kept ways reference.
        let node_parts: Vec<Vec<OsmNode>> = node_blocks
            .par_iter()
            .map(|&i| {
                let (offset, blob) = &blobs[i];
                block_nodes(blob, *offset, label, &wanted)
            })
            .collect::<Result<_, _>>()?;
        all.nodes = node_parts.into_iter().flatten().collect();
    }
    all.finish(label, options)
}

/// Files up to this size are decoded in one pass (all their nodes fit easily in memory).
const SINGLE_PASS_MAX_BYTES: usize = 64 << 20;

fn corrupt(label: &str, offset: u64, err: impl std::fmt::Display) -> IngestError {
    IngestError::Corrupt {
        label: label.to_string(),
        offset,
        message: err.to_string(),
    }
}

/// Reads the blob framing sequentially (cheap: no decompression) and checks the file starts
/// with an OSM header whose required features are all implemented, so that a file of another
/// format, or one that needs what this reader cannot do, is refused with a clear message.
fn split_blobs(bytes: &[u8], label: &str) -> Result<Vec<(u64, osmpbf::Blob)>, IngestError> {
    let mut reader =
        BlobReader::new_seekable(Cursor::new(bytes)).map_err(|e| corrupt(label, 0, e))?;
    let mut blobs: Vec<(u64, osmpbf::Blob)> = Vec::new();
    let mut end = 0u64;
    while let Some(blob) = reader.next() {
        let blob = blob.map_err(|e| corrupt(label, end, e))?;
        if blobs.is_empty() {
            if !matches!(blob.get_type(), BlobType::OsmHeader) {
                return Err(corrupt(label, 0, "the first block is not an OSMHeader"));
            }
            check_header(&blob, label)?;
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

/// Refuses a header naming a required feature outside [`SUPPORTED_FEATURES`]: the data would
/// be misread otherwise (history files hold several versions of each element).
fn check_header(blob: &osmpbf::Blob, label: &str) -> Result<(), IngestError> {
    let header = blob.to_headerblock().map_err(|e| corrupt(label, 0, e))?;
    for feature in header.required_features() {
        if SUPPORTED_FEATURES.contains(&feature.as_str()) {
            continue;
        }
        let hint = if feature == "HistoricalInformation" {
            ": a history file holds every past version of each element; use a current extract"
        } else {
            ""
        };
        return Err(IngestError::UnsupportedFeature {
            label: label.to_string(),
            feature: feature.clone(),
            hint,
        });
    }
    Ok(())
}

/// The kept elements of one block, and whether it holds nodes at all.
fn block_content(
    blob: &osmpbf::Blob,
    offset: u64,
    label: &str,
    options: &ReadOptions,
    keep_nodes: bool,
) -> Result<(Collector, bool), IngestError> {
    let mut out = Collector::default();
    let mut has_nodes = false;
    let block = match blob.decode().map_err(|e| corrupt(label, offset, e))? {
        BlobDecode::OsmData(block) => block,
        BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => return Ok((out, false)),
    };
    // Tags are copied only for highways, barriers and elements that may carry a tag asked for.
    let filter = &options.features;
    let relevant = |k: &str| k == "highway" || filter.has_key(k);
    let node_relevant = |k: &str| k == "barrier" || filter.has_key(k);
    let no_tags: &[(String, String)] = &[];
    for element in block.elements() {
        let (node, tags) = match element {
            Element::Node(n) => (
                OsmNode {
                    id: n.id(),
                    lon: n.lon(),
                    lat: n.lat(),
                },
                owned_tags_if(n.tags(), node_relevant),
            ),
            Element::DenseNode(n) => (
                OsmNode {
                    id: n.id(),
                    lon: n.lon(),
                    lat: n.lat(),
                },
                owned_tags_if(n.tags(), node_relevant),
            ),
            Element::Way(way) => {
                match owned_tags_if(way.tags(), relevant) {
                    Some(tags) => {
                        out.way(options, way.id(), &way.refs().collect::<Vec<_>>(), &tags)
                    }
                    None => out.ways_seen += 1,
                }
                continue;
            }
            Element::Relation(_) => continue,
        };
        has_nodes = true;
        let tags = tags.as_deref().unwrap_or(no_tags);
        out.node(label, options, node, tags, keep_nodes)?;
    }
    Ok((out, has_nodes))
}

/// The element's tags as owned strings when one of its keys passes `relevant`, else `None`
/// (most elements: nothing is copied for them).
fn owned_tags_if<'a>(
    tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    relevant: impl Fn(&str) -> bool,
) -> Option<Vec<(String, String)>> {
    tags.clone()
        .any(|(k, _)| relevant(k))
        .then(|| tags.map(|(k, v)| (k.to_string(), v.to_string())).collect())
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
        let options = ReadOptions::default();
        let one = read_blocks(&bytes, "urban", &options, true).unwrap().roads;
        let two = read_blocks(&bytes, "urban", &options, false).unwrap().roads;
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
