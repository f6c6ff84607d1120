//! A graph cache file beside the extract, so that a server restart does not rebuild the graph.
//!
//! Layout (little-endian): magic `MOTCUAGR`, format version (u32), checksum of the inputs
//! (u64: xxh3 of the PBF bytes, the canonical profile text without its speed bands and
//! the format version), payload length (u64), xxh3 checksum of the payload (u64), payload (the arrays of
//! [`RoadGraph`]). A cache whose inputs changed or whose bytes are damaged is detected, logged
//! with `tracing::warn` and rebuilt; files are written to a temporary name and renamed, so a
//! reader never sees half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::{EdgeId, GraphError, NodeId, RoadGraph, SpeedProfile, TravelMode};
use crate::ingest::{IngestError, read_osm};

const MAGIC: &[u8; 8] = b"MOTCUAGR";
/// Bump when the payload layout or the build rules change, so old caches are rebuilt. The
/// profile's rules are in the input checksum already (its canonical text); this covers the code
/// that reads them. 2: access values per profile, directed access keys, one-way hierarchy by
/// vehicle class, contra-flow lanes and barrier nodes.
pub const FORMAT_VERSION: u32 = 2;
const HEADER_LEN: usize = 8 + 4 + 8 + 8 + 8;

/// Where a graph came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheStatus {
    /// Read from a valid cache file.
    Hit,
    /// Built from the extract; there was no cache file (or no cache directory was given).
    Built,
    /// Built from the extract because the cache file was stale or damaged, for this reason.
    Rebuilt(String),
}

/// The graph of `profile.mode` for the extract `pbf`, from the cache in `cache_dir` when it is
/// valid, else built and (best effort) written there. One graph serves every hour: speed bands
/// scale travel times at evaluation and are not part of the graph.
///
/// ```no_run
/// use motcua::graph::{cache::load_or_build, SpeedProfile, TravelMode};
/// use std::path::Path;
/// let area = Path::new("data/areas/hanoi-urban");
/// let (graph, status) = load_or_build(
///     &area.join("roads.osm.pbf"),
///     &SpeedProfile::embedded(TravelMode::Motorbike),
///     Some(area),
/// )?;
/// println!("{} nodes ({status:?})", graph.num_nodes());
/// # Ok::<(), motcua::graph::GraphError>(())
/// ```
pub fn load_or_build(
    pbf: &Path,
    profile: &SpeedProfile,
    cache_dir: Option<&Path>,
) -> Result<(RoadGraph, CacheStatus), GraphError> {
    let build = || -> Result<RoadGraph, GraphError> { RoadGraph::build(&read_osm(pbf)?, profile) };
    let Some(dir) = cache_dir else {
        return Ok((build()?, CacheStatus::Built));
    };
    let inputs = checksum_inputs(file_checksum(pbf)?, profile);
    let path = cache_path(dir, pbf, profile.mode);
    let stale_reason = match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(format!("cannot read it: {e}")),
        Ok(data) => match decode(&data, inputs) {
            Ok(graph) => return Ok((graph, CacheStatus::Hit)),
            Err(reason) => Some(reason),
        },
    };
    if let Some(reason) = &stale_reason {
        tracing::warn!(cache = %path.display(), %reason, "graph cache is unusable; rebuilding");
    }
    let graph = build()?;
    if let Err(e) = save(&path, &graph, inputs) {
        tracing::warn!(error = %e, "graph cache not written; the graph will be rebuilt next time");
    }
    let status = stale_reason.map_or(CacheStatus::Built, CacheStatus::Rebuilt);
    Ok((graph, status))
}

/// The cache file for an extract and mode: `<dir>/<area>-<stem>-<mode>.motcua-cache`,
/// where `<area>` is the folder of the extract (areas all name their extract `roads.osm.pbf`).
pub fn cache_path(cache_dir: &Path, pbf: &Path, mode: TravelMode) -> PathBuf {
    let file = pbf
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("extract");
    let stem = file.split('.').next().unwrap_or(file);
    let area = pbf
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|f| f.to_str())
        .map(|a| format!("{a}-"))
        .unwrap_or_default();
    cache_dir.join(format!("{area}{stem}-{mode}.motcua-cache"))
}

/// Checksum of everything the graph depends on.
pub fn input_checksum(pbf_bytes: &[u8], profile: &SpeedProfile) -> u64 {
    checksum_inputs(xxh3_64(pbf_bytes), profile)
}

/// xxh3 of a file's bytes, read as a stream (the same value as `xxh3_64` of the whole file),
/// so that a large XML extract need not be held to be checked.
fn file_checksum(path: &Path) -> Result<u64, IngestError> {
    use std::io::Read;
    let unreadable = |source| IngestError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(h.digest()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(e)),
        }
    }
}

/// Checksum of the extract's checksum and the profile's graph rules (not its speed bands,
/// which do not change the graph).
fn checksum_inputs(extract_checksum: u64, profile: &SpeedProfile) -> u64 {
    let mut h = Xxh3::new();
    h.update(&extract_checksum.to_le_bytes());
    let graph_rules = SpeedProfile {
        bands: Vec::new(),
        ..profile.clone()
    };
    h.update(graph_rules.canonical_text().as_bytes());
    h.update(&FORMAT_VERSION.to_le_bytes());
    h.digest()
}

/// Writes `graph` to `path` atomically (temporary file in the same folder, then rename).
pub fn save(path: &Path, graph: &RoadGraph, inputs: u64) -> Result<(), GraphError> {
    let err = |source| GraphError::CacheWrite {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&encode(graph, inputs))?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

/// The whole cache file for `graph`.
pub fn encode(graph: &RoadGraph, inputs: u64) -> Vec<u8> {
    let mut p = Vec::new();
    p.push(mode_code(graph.mode));
    put_u64(&mut p, graph.num_nodes() as u64);
    put_u64(&mut p, graph.num_edges() as u64);
    put_u64(&mut p, graph.names.len() as u64);
    graph.lon.iter().for_each(|v| p.extend(v.to_le_bytes()));
    graph.lat.iter().for_each(|v| p.extend(v.to_le_bytes()));
    graph.osm_id.iter().for_each(|v| p.extend(v.to_le_bytes()));
    graph
        .first_out
        .iter()
        .for_each(|v| p.extend(v.to_le_bytes()));
    graph.head.iter().for_each(|v| p.extend(v.0.to_le_bytes()));
    graph.tail.iter().for_each(|v| p.extend(v.0.to_le_bytes()));
    graph
        .travel_s
        .iter()
        .for_each(|v| p.extend(v.to_le_bytes()));
    graph
        .length_m
        .iter()
        .for_each(|v| p.extend(v.to_le_bytes()));
    graph
        .edge_name
        .iter()
        .for_each(|v| p.extend(v.to_le_bytes()));
    graph
        .first_in
        .iter()
        .for_each(|v| p.extend(v.to_le_bytes()));
    graph
        .in_edges
        .iter()
        .for_each(|v| p.extend(v.0.to_le_bytes()));
    for name in &graph.names {
        put_u64(&mut p, name.len() as u64);
        p.extend(name.as_bytes());
    }
    let mut out = Vec::with_capacity(HEADER_LEN + p.len());
    out.extend(MAGIC);
    out.extend(FORMAT_VERSION.to_le_bytes());
    put_u64(&mut out, inputs);
    put_u64(&mut out, p.len() as u64);
    put_u64(&mut out, xxh3_64(&p));
    out.extend(p);
    out
}

/// Reads a cache file made for inputs with checksum `inputs`; the error says why it is unusable.
pub fn decode(data: &[u8], inputs: u64) -> Result<RoadGraph, String> {
    let mut r = Reader { data, pos: 0 };
    if r.bytes(8)? != MAGIC {
        return Err("not a motcua graph cache (wrong magic)".into());
    }
    let version = u32::from_le_bytes(r.array()?);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, expected {FORMAT_VERSION}"
        ));
    }
    if r.u64()? != inputs {
        return Err("stale: the extract or the speed profile changed".into());
    }
    let len = r.u64()?;
    let checksum = r.u64()?;
    let payload = &data[HEADER_LEN..];
    if payload.len() as u64 != len {
        return Err(format!(
            "truncated or padded: payload is {} bytes, header says {len}",
            payload.len()
        ));
    }
    if xxh3_64(payload) != checksum {
        return Err("corrupt: payload checksum does not match".into());
    }
    let mut r = Reader {
        data: payload,
        pos: 0,
    };
    let mode = match r.bytes(1)?[0] {
        0 => TravelMode::Motorbike,
        1 => TravelMode::Car,
        2 => TravelMode::Bicycle,
        3 => TravelMode::Walk,
        other => return Err(format!("unknown travel mode code {other}")),
    };
    let n = r.count()?;
    let m = r.count()?;
    let names_len = r.count()?;
    let graph = RoadGraph {
        mode,
        lon: r.vec(n, f64::from_le_bytes)?,
        lat: r.vec(n, f64::from_le_bytes)?,
        osm_id: r.vec(n, i64::from_le_bytes)?,
        first_out: r.vec(n + 1, u32::from_le_bytes)?,
        head: r.vec(m, |b| NodeId(u32::from_le_bytes(b)))?,
        tail: r.vec(m, |b| NodeId(u32::from_le_bytes(b)))?,
        travel_s: r.vec(m, f32::from_le_bytes)?,
        length_m: r.vec(m, f32::from_le_bytes)?,
        edge_name: r.vec(m, u32::from_le_bytes)?,
        first_in: r.vec(n + 1, u32::from_le_bytes)?,
        in_edges: r.vec(m, |b| EdgeId(u32::from_le_bytes(b)))?,
        names: (0..names_len)
            .map(|_| {
                let len = r.count()?;
                String::from_utf8(r.bytes(len)?.to_vec())
                    .map_err(|e| format!("bad street name: {e}"))
            })
            .collect::<Result<_, _>>()?,
    };
    if r.pos != payload.len() {
        return Err(format!(
            "{} unexpected bytes after the graph",
            payload.len() - r.pos
        ));
    }
    graph
        .check_invariants()
        .map_err(|e| format!("graph in cache is inconsistent: {e}"))?;
    Ok(graph)
}

fn mode_code(mode: TravelMode) -> u8 {
    match mode {
        TravelMode::Motorbike => 0,
        TravelMode::Car => 1,
        TravelMode::Bicycle => 2,
        TravelMode::Walk => 3,
    }
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend(v.to_le_bytes());
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| format!("truncated: needs {len} bytes at offset {}", self.pos))?;
        let out = &self.data[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A length that must fit in the remaining bytes (guards against huge allocations).
    fn count(&mut self) -> Result<usize, String> {
        let v = self.u64()?;
        usize::try_from(v)
            .ok()
            .filter(|&c| c <= self.data.len())
            .ok_or_else(|| {
                format!(
                    "implausible count {v} in a {} byte payload",
                    self.data.len()
                )
            })
    }

    fn vec<const N: usize, T>(
        &mut self,
        len: usize,
        f: impl Fn([u8; N]) -> T,
    ) -> Result<Vec<T>, String> {
        let raw = self.bytes(len.checked_mul(N).ok_or("length overflow")?)?;
        Ok(raw
            .chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            })
            .collect())
    }
}
