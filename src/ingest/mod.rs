//! OpenStreetMap extracts -> raw nodes, highway ways and the tagged places asked for.
//!
//! This is the only module that knows the file formats and their crates. It reads:
//!
//! | form | how it is recognised | reader |
//! |---|---|---|
//! | `.osm.pbf` | a 4-byte length, then a BlobHeader of type `OSMHeader` | [`pbf`] (osmpbf, parallel over blocks) |
//! | OSM XML (`.osm`, also gzip or bzip2 compressed) | `<osm` is the first element | [`xml`] (quick-xml, streamed) |
//! | Overpass JSON | `{` first, an `"elements"` array | [`overpass`] (serde_json, streamed) |
//! | OSMnx GraphML | `<graphml` is the first element | [`graphml`] (quick-xml, streamed) |
//!
//! The form is told by the file's first bytes, never only by its extension ([`detect`]).
//! Compression is told the same way (gzip `1f 8b`, bzip2 `BZh`) and undone as a stream.
//!
//! Every reader keeps every `highway=*` way with all its tags, the nodes those ways use and
//! the tags of those nodes that carry `barrier=*` (gates, bollards), nothing else: the graph
//! builder decides per travel mode which ways are usable and which barriers it can pass. When asked
//! ([`ReadOptions::features`]), it also keeps the nodes and ways carrying chosen tags (offices,
//! post offices), each as one position ([`OsmFeature`]). Every node's coordinates are checked
//! as it is read: one outside -180..180 / -90..90 stops the read with its id and value.

use std::path::{Path, PathBuf};

mod collect;
pub mod detect;
mod feature;
pub mod graphml;
pub mod overpass;
pub mod pbf;
pub mod xml;

pub use detect::{Compression, OsmFormat};
pub use feature::{ElementKind, OsmFeature, TagFilter};
pub use pbf::{read_pbf, read_pbf_bytes};

/// Why an OSM file could not be read.
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
    #[error(
        "OSM file {label} is empty (0 bytes); expected {}",
        OsmFormat::FORMS_READ
    )]
    Empty { label: String },
    /// The first bytes match none of the forms read.
    #[error(
        "OSM file {label} is in none of the forms read ({}); it starts with {start}",
        OsmFormat::FORMS_READ
    )]
    UnknownFormat { label: String, start: String },
    /// The bytes are not a valid PBF: cut short, corrupted, or another format.
    #[error(
        "OSM file {label} is not a valid .osm.pbf (truncated or corrupt?) near byte {offset}: {message}"
    )]
    Corrupt {
        label: String,
        offset: u64,
        message: String,
    },
    /// The PBF header requires a feature this reader does not implement.
    #[error(
        "OSM file {label} requires the PBF feature {feature:?}, which motcua does not read{hint} (it reads {})",
        pbf::SUPPORTED_FEATURES.join(", ")
    )]
    UnsupportedFeature {
        label: String,
        feature: String,
        /// Why, when the feature is a known one.
        hint: &'static str,
    },
    /// The compressed stream is damaged.
    #[error(
        "OSM file {label} looks {compression:?}-compressed but cannot be decompressed: {message}"
    )]
    Decompress {
        label: String,
        compression: Compression,
        message: String,
    },
    /// A text form (XML, JSON, GraphML) that is cut short or malformed.
    #[error("OSM file {label} is not valid {format} (truncated or malformed?) {place}: {message}")]
    Malformed {
        label: String,
        format: OsmFormat,
        /// Where: "at byte 1234" or "at line 3 column 7".
        place: String,
        message: String,
    },
    /// An element lacks what the form requires (a node without coordinates, an edge naming a
    /// node the file does not have...).
    #[error("OSM file {label}: {element} {message}")]
    Invalid {
        label: String,
        /// The element, e.g. `node 42` or `edge 7 -> 9`.
        element: String,
        message: String,
    },
    /// A node lies outside the globe's coordinate ranges, or a coordinate is not a number.
    #[error("OSM file {label}: node {id}: {message}")]
    BadCoordinate {
        label: String,
        id: i64,
        message: String,
    },
    /// The file holds no `highway=*` way, so no road graph can come of it.
    #[error(
        "OSM file {label} has no highway=* ways ({ways_seen} ways in total); expected a road extract"
    )]
    NoHighways { label: String, ways_seen: usize },
    /// A list of `key=value` tags that cannot be parsed.
    #[error("tag list {list:?}: {message}")]
    TagList { list: String, message: String },
}

/// One OSM node used by a kept way, in WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OsmNode {
    pub id: i64,
    pub lon: f64,
    pub lat: f64,
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

/// The value of tag `key` in a list of `(key, value)` tags, as ways and barriers keep them.
pub fn tag_value<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
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
    /// nodes) and nodes and barriers that no way uses. Used by the readers and by the test sketches.
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

/// What to keep besides the roads.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Nodes and ways carrying any of these tags become [`OsmFeature`]s; empty keeps none.
    pub features: TagFilter,
    /// Refuse a file without `highway=*` ways ([`IngestError::NoHighways`]). Off when the file
    /// is read only for its tagged places.
    pub require_roads: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            features: TagFilter::default(),
            require_roads: true,
        }
    }
}

/// Everything read from one file: the roads and the tagged places asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OsmExtract {
    pub roads: OsmData,
    /// The elements matching [`ReadOptions::features`], sorted by element kind and id.
    pub features: Vec<OsmFeature>,
    /// The form the file was in.
    pub format: Option<OsmFormat>,
}

/// Reads the highway ways of an OSM file in any form read (see the module docs) and the nodes
/// they use.
///
/// ```no_run
/// let osm = motcua::ingest::read_osm(std::path::Path::new("hanoi.osm.bz2"))?;
/// println!("{} highway ways", osm.ways.len());
/// # Ok::<(), motcua::ingest::IngestError>(())
/// ```
pub fn read_osm(path: &Path) -> Result<OsmData, IngestError> {
    Ok(read_osm_with(path, &ReadOptions::default())?.roads)
}

/// Reads an OSM file in any form read, keeping the tagged places `options` asks for.
///
/// ```no_run
/// use motcua::ingest::{read_osm_with, ReadOptions};
/// let options = ReadOptions { features: "amenity=townhall".parse()?, require_roads: false };
/// let extract = read_osm_with(std::path::Path::new("offices.osm"), &options)?;
/// println!("{} town halls", extract.features.len());
/// # Ok::<(), motcua::ingest::IngestError>(())
/// ```
pub fn read_osm_with(path: &Path, options: &ReadOptions) -> Result<OsmExtract, IngestError> {
    let label = path.display().to_string();
    let (format, stream) = detect::open(path)?;
    let mut extract = match format {
        OsmFormat::Pbf => pbf::read_stream(stream, path, options)?,
        OsmFormat::Xml => xml::read(stream, &label, options)?,
        OsmFormat::OverpassJson => overpass::read(stream, &label, options)?,
        OsmFormat::GraphMl => graphml::read(stream, &label, options)?,
    };
    extract.format = Some(format);
    Ok(extract)
}

/// A longitude/latitude pair on the globe: both finite, lon in -180..180, lat in -90..90. The
/// one home of this rule; receiving points and citizens' positions are checked with it too.
pub fn check_lon_lat(lon: f64, lat: f64) -> Result<(), String> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(format!(
            "longitude {} is outside -180..180",
            crate::number::Readable(lon)
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "latitude {} is outside -90..90",
            crate::number::Readable(lat)
        ));
    }
    Ok(())
}

/// [`check_lon_lat`] for node `id` of file `label`.
pub(crate) fn check_node(label: &str, id: i64, lon: f64, lat: f64) -> Result<(), IngestError> {
    check_lon_lat(lon, lat).map_err(|message| IngestError::BadCoordinate {
        label: label.to_string(),
        id,
        message,
    })
}
