//! Telling an OSM file's form and compression from its first bytes.
//!
//! Extensions lie (an Overpass answer saved as `.osm` may be JSON; a `.pbf` may be an HTML
//! error page), so the form is read from the content: magic bytes for compression and PBF, the
//! first element or character for the text forms.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

use super::IngestError;

/// The forms an OSM file can be read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OsmFormat {
    /// `.osm.pbf`, the OpenStreetMap binary format.
    Pbf,
    /// OSM XML (`<osm>`), as the API, JOSM, osmium and Overpass write it.
    Xml,
    /// Overpass API JSON (`{"elements": [...]}`).
    OverpassJson,
    /// GraphML as OSMnx saves it (`<graphml>`: nodes with `x`/`y`, edges with tags).
    GraphMl,
}

impl OsmFormat {
    pub const ALL: [OsmFormat; 4] = [
        OsmFormat::Pbf,
        OsmFormat::Xml,
        OsmFormat::OverpassJson,
        OsmFormat::GraphMl,
    ];

    /// The forms read, for messages that must say what was expected.
    pub const FORMS_READ: &'static str =
        ".osm.pbf, OSM XML (.osm, .osm.gz, .osm.bz2), Overpass JSON, OSMnx GraphML";

    pub fn as_str(self) -> &'static str {
        match self {
            OsmFormat::Pbf => "OSM PBF",
            OsmFormat::Xml => "OSM XML",
            OsmFormat::OverpassJson => "Overpass JSON",
            OsmFormat::GraphMl => "GraphML",
        }
    }
}

impl std::fmt::Display for OsmFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
}

impl Compression {
    /// From the first bytes: gzip `1f 8b`, bzip2 `BZh` and a block size digit.
    pub fn detect(start: &[u8]) -> Compression {
        match start {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Compression::Bzip2,
            _ => Compression::None,
        }
    }
}

/// Bytes read ahead to tell the form: enough for an XML declaration, a long comment and the
/// root element.
const SNIFF_BYTES: usize = 4096;

/// Reads of files and decoders go through a buffer of this size.
const BUFFER_BYTES: usize = 1 << 16;

/// The form of (decompressed) content from its first bytes, `None` when it is in none.
///
/// ```
/// use motcua::ingest::OsmFormat;
/// use motcua::ingest::detect::format_of;
/// assert_eq!(format_of(b"<?xml version='1.0'?>\n<osm version=\"0.6\">"), Some(OsmFormat::Xml));
/// assert_eq!(format_of(b"\xef\xbb\xbf  {\"version\": 0.6, \"elements\": []}"), Some(OsmFormat::OverpassJson));
/// assert_eq!(format_of(b"<html><body>Too many requests</body></html>"), None);
/// ```
pub fn format_of(start: &[u8]) -> Option<OsmFormat> {
    if is_pbf(start) {
        return Some(OsmFormat::Pbf);
    }
    let text = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(start);
    let text = &text[text.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    match text.first()? {
        b'{' => Some(OsmFormat::OverpassJson),
        b'<' => match root_element(text)? {
            "osm" | "osmChange" => Some(OsmFormat::Xml),
            "graphml" => Some(OsmFormat::GraphMl),
            _ => None,
        },
        _ => None,
    }
}

/// A PBF starts with the length of its first BlobHeader (big-endian u32, small) and that
/// header's field 1, the block type, `OSMHeader`.
fn is_pbf(start: &[u8]) -> bool {
    const TYPE: &[u8] = b"OSMHeader";
    start.len() >= 6 + TYPE.len()
        && start[..2] == [0, 0]
        && start[4] == 0x0a
        && usize::from(start[5]) == TYPE.len()
        && &start[6..6 + TYPE.len()] == TYPE
}

/// The name of the first element after the XML declaration, comments and doctype.
fn root_element(text: &[u8]) -> Option<&str> {
    let mut rest = text;
    loop {
        let open = rest.iter().position(|&b| b == b'<')?;
        rest = &rest[open + 1..];
        match rest.first()? {
            b'?' | b'!' => {
                let skip = if rest.starts_with(b"!--") {
                    rest.windows(3).position(|w| w == b"-->")? + 3
                } else {
                    rest.iter().position(|&b| b == b'>')? + 1
                };
                rest = &rest[skip..];
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                    .unwrap_or(rest.len());
                let name = std::str::from_utf8(&rest[..end]).ok()?;
                // `graphml` may carry a namespace prefix.
                return Some(name.rsplit(':').next().unwrap_or(name));
            }
        }
    }
}

/// Opens `path`, undoes its compression as a stream, and tells its form. The stream returned
/// starts at the file's first (decompressed) byte.
pub fn open(path: &Path) -> Result<(OsmFormat, Box<dyn BufRead>), IngestError> {
    let label = path.display().to_string();
    let unreadable = |source| IngestError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut file = BufReader::with_capacity(BUFFER_BYTES, File::open(path).map_err(unreadable)?);
    let magic = file.fill_buf().map_err(unreadable)?.to_vec();
    let compression = Compression::detect(&magic);
    let decoded: Box<dyn Read> = match compression {
        Compression::None => Box::new(file),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(file)),
    };
    let (start, rest) = read_ahead(decoded, SNIFF_BYTES).map_err(|e| IngestError::Decompress {
        label: label.clone(),
        compression,
        message: e.to_string(),
    })?;
    if start.is_empty() {
        return Err(IngestError::Empty { label });
    }
    let format = format_of(&start).ok_or_else(|| IngestError::UnknownFormat {
        label,
        start: describe_start(&start, compression),
    })?;
    let stream = BufReader::with_capacity(BUFFER_BYTES, Cursor::new(start).chain(rest));
    Ok((format, Box::new(stream)))
}

/// Up to `n` first bytes, and the stream after them.
fn read_ahead<R: Read>(mut reader: R, n: usize) -> std::io::Result<(Vec<u8>, R)> {
    let mut start = Vec::with_capacity(n);
    (&mut reader).take(n as u64).read_to_end(&mut start)?;
    Ok((start, reader))
}

/// The first bytes as a person can read them: text quoted, binary in hex.
fn describe_start(start: &[u8], compression: Compression) -> String {
    let head = &start[..start.len().min(24)];
    let printable = head
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ' || b.is_ascii_whitespace());
    let shown = if printable {
        format!("{:?}", String::from_utf8_lossy(head).trim())
    } else {
        let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    };
    match compression {
        Compression::None => shown,
        other => format!("{shown} once its {other:?} compression is undone"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_element_skips_declaration_comments_and_doctype() {
        let text =
            b"<?xml version='1.0'?><!-- a <osm> in a comment --><!DOCTYPE x><graphml xmlns='a'>";
        assert_eq!(format_of(text), Some(OsmFormat::GraphMl));
        assert_eq!(format_of(b"<osm/>"), Some(OsmFormat::Xml));
        assert_eq!(format_of(b"<osmosis>"), None);
        assert_eq!(format_of(b""), None);
    }

    #[test]
    fn compression_is_told_by_magic_bytes() {
        assert_eq!(Compression::detect(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(Compression::detect(b"BZh91AY"), Compression::Bzip2);
        assert_eq!(Compression::detect(b"BZh"), Compression::None);
        assert_eq!(Compression::detect(b"<osm"), Compression::None);
    }
}
