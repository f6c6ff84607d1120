//! OSM XML -> raw nodes and highway ways, streamed with quick-xml.
//!
//! The file is read event by event from a buffered (possibly decompressing) stream, so memory
//! holds the nodes' coordinates and the kept ways, never the text. A node listed twice (merged
//! Overpass answers list each node once per query) is kept once. Relations are skipped, and so
//! are nodes marked `visible="false"` (history and change files).

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};

use super::collect::Collector;
use super::{IngestError, OsmExtract, OsmFormat, OsmNode, ReadOptions};

/// The element being read, between its start and end tags.
enum Open {
    Node(OsmNode),
    Way(i64),
    /// A relation or anything else whose `<tag>` and `<nd>` children are not wanted.
    Other,
}

/// Reads an OSM XML stream; `label` names the file in messages.
pub(crate) fn read(
    stream: impl BufRead,
    label: &str,
    options: &ReadOptions,
) -> Result<OsmExtract, IngestError> {
    let mut reader = Reader::from_reader(stream);
    let mut buf = Vec::new();
    let mut out = Collector::default();
    let mut open: Option<Open> = None;
    let mut refs: Vec<i64> = Vec::new();
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut depth = 0usize;
    let mut saw_root = false;
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(label, OsmFormat::Xml, reader.error_position(), e))?;
        let position = reader.buffer_position();
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if matches!(e.name().as_ref(), b"node" | b"way" | b"relation") {
                    close(&mut out, label, options, open.take(), &refs, &tags)?;
                }
                continue;
            }
            Event::Eof => break,
            _ => {
                continue;
            }
        };
        if !empty {
            depth += 1;
        }
        match element.name().as_ref() {
            b"osm" | b"osmChange" => saw_root = true,
            b"node" => {
                refs.clear();
                tags.clear();
                let [id, lat, lon, visible] =
                    attributes(element, ["id", "lat", "lon", "visible"], label, position)?;
                let id = number(label, "node", id, "id", position)?;
                let node = if visible.is_some_and(|v| v.value.as_ref() == b"false") {
                    None
                } else {
                    let coordinate = |v: Option<Attribute>, what| {
                        let invalid = |message: String| IngestError::Invalid {
                            label: label.to_string(),
                            element: format!("node {id}"),
                            message,
                        };
                        let v = v.ok_or_else(|| invalid(format!("has no {what} attribute")))?;
                        let text = String::from_utf8_lossy(&v.value);
                        text.trim().parse::<f64>().map_err(|_| {
                            invalid(format!("has {what}={text:?}; expected a decimal number"))
                        })
                    };
                    Some(OsmNode {
                        id,
                        lon: coordinate(lon, "lon")?,
                        lat: coordinate(lat, "lat")?,
                    })
                };
                open = Some(node.map_or(Open::Other, Open::Node));
                if empty {
                    close(&mut out, label, options, open.take(), &refs, &tags)?;
                }
            }
            b"way" => {
                refs.clear();
                tags.clear();
                let [id] = attributes(element, ["id"], label, position)?;
                open = Some(Open::Way(number(label, "way", id, "id", position)?));
                if empty {
                    close(&mut out, label, options, open.take(), &refs, &tags)?;
                }
            }
            b"relation" => {
                open = (!empty).then_some(Open::Other);
            }
            b"nd" if matches!(open, Some(Open::Way(_))) => {
                let [r] = attributes(element, ["ref"], label, position)?;
                refs.push(number(label, "nd", r, "ref", position)?);
            }
            b"tag" if matches!(open, Some(Open::Node(_) | Open::Way(_))) => {
                if let [Some(k), Some(v)] = attributes(element, ["k", "v"], label, position)? {
                    tags.push((text(&k, label, position)?, text(&v, label, position)?));
                }
            }
            _ => {}
        }
    }
    if depth > 0 || !saw_root {
        let message = if saw_root {
            "the file ends inside an element (cut short?); expected it to close with </osm>"
        } else {
            "no <osm> element"
        };
        return Err(malformed(
            label,
            OsmFormat::Xml,
            reader.buffer_position(),
            message,
        ));
    }
    out.finish(label, options)
}

/// Hands a finished node or way to the collector.
fn close(
    out: &mut Collector,
    label: &str,
    options: &ReadOptions,
    open: Option<Open>,
    refs: &[i64],
    tags: &[(String, String)],
) -> Result<(), IngestError> {
    match open {
        Some(Open::Node(node)) => out.node(label, options, node, tags, true),
        Some(Open::Way(id)) => {
            out.way(options, id, refs, tags);
            Ok(())
        }
        Some(Open::Other) | None => Ok(()),
    }
}

/// The error for bytes a text reader cannot make sense of.
pub(crate) fn malformed(
    label: &str,
    format: OsmFormat,
    byte: u64,
    message: impl std::fmt::Display,
) -> IngestError {
    IngestError::Malformed {
        label: label.to_string(),
        format,
        place: format!("near byte {byte}"),
        message: message.to_string(),
    }
}

/// The named attributes of an element, in the order asked, read in one pass (`None` for those
/// it lacks).
pub(crate) fn attributes<'e, const N: usize>(
    element: &'e BytesStart,
    names: [&str; N],
    label: &str,
    position: u64,
) -> Result<[Option<Attribute<'e>>; N], IngestError> {
    let mut found = [const { None }; N];
    for attr in element.attributes().with_checks(false) {
        let attr = attr.map_err(|e| malformed(label, OsmFormat::Xml, position, e))?;
        if let Some(i) = names.iter().position(|n| n.as_bytes() == attr.key.as_ref()) {
            found[i] = Some(attr);
        }
    }
    Ok(found)
}

/// An attribute's value as text, entities resolved.
pub(crate) fn text(attr: &Attribute, label: &str, position: u64) -> Result<String, IngestError> {
    attr.unescape_value()
        .map(|v| v.into_owned())
        .map_err(|e| malformed(label, OsmFormat::Xml, position, e))
}

/// The text of attribute `name`, `None` when the element lacks it.
pub(crate) fn attribute(
    element: &BytesStart,
    name: &str,
    label: &str,
    position: u64,
) -> Result<Option<String>, IngestError> {
    let [attr] = attributes(element, [name], label, position)?;
    attr.map(|a| text(&a, label, position)).transpose()
}

/// An attribute that must be there.
pub(crate) fn required(
    value: Option<String>,
    label: &str,
    element: &str,
    what: &str,
    position: u64,
) -> Result<String, IngestError> {
    value.ok_or_else(|| IngestError::Invalid {
        label: label.to_string(),
        element: format!("{element} near byte {position}"),
        message: format!("has no {what} attribute"),
    })
}

/// An integer attribute (an id or a reference) that must be there.
pub(crate) fn number(
    label: &str,
    element: &str,
    value: Option<Attribute>,
    what: &str,
    position: u64,
) -> Result<i64, IngestError> {
    let invalid = |message: String| IngestError::Invalid {
        label: label.to_string(),
        element: format!("<{element}> near byte {position}"),
        message,
    };
    let value = value.ok_or_else(|| invalid(format!("has no {what} attribute")))?;
    let raw = String::from_utf8_lossy(&value.value);
    raw.trim()
        .parse()
        .map_err(|_| invalid(format!("has {what}={raw:?}; expected a whole number")))
}

/// Writes roads as OSM XML (nodes, then ways with their tags), which osmium, JOSM and this
/// reader read: a way to hand a cut of the roads to other tools, and the round-trip check of
/// the reader. Coordinates are written in full (shortest exact decimal), so they read back
/// bit for bit.
pub fn write_xml(osm: &super::OsmData, out: &mut impl std::io::Write) -> std::io::Result<()> {
    use quick_xml::escape::escape;
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<osm version=\"0.6\" generator=\"motcua\">")?;
    for n in &osm.nodes {
        let (id, lat, lon) = (n.id, n.lat, n.lon);
        match osm.barrier(id) {
            None => writeln!(out, "  <node id=\"{id}\" lat=\"{lat}\" lon=\"{lon}\"/>")?,
            Some(barrier) => {
                writeln!(out, "  <node id=\"{id}\" lat=\"{lat}\" lon=\"{lon}\">")?;
                for (k, v) in &barrier.tags {
                    writeln!(out, "    <tag k=\"{}\" v=\"{}\"/>", escape(k), escape(v))?;
                }
                writeln!(out, "  </node>")?;
            }
        }
    }
    for w in &osm.ways {
        writeln!(out, "  <way id=\"{}\">", w.id)?;
        for r in &w.nodes {
            writeln!(out, "    <nd ref=\"{r}\"/>")?;
        }
        for (k, v) in &w.tags {
            writeln!(out, "    <tag k=\"{}\" v=\"{}\"/>", escape(k), escape(v))?;
        }
        writeln!(out, "  </way>")?;
    }
    writeln!(out, "</osm>")
}
