//! OSMnx GraphML -> raw nodes and highway ways, streamed with quick-xml.
//!
//! OSMnx (`ox.save_graphml`) writes a directed multigraph: one `<node>` per OSM node with
//! `x` (longitude) and `y` (latitude), one `<edge>` per direction of travel with the way's
//! tags as attributes. What is used:
//!
//! - node `x`, `y`: the position (required);
//! - edge `highway` (required for the edge to be a road), `oneway` (`True`/`False`, written
//!   back as `yes`/`no`), `maxspeed`, `access` and every other tag-like attribute the speed
//!   profiles read (`junction`, `area`, `motor_vehicle`, `foot`, `name`, `ref`...), passed on as
//!   OSM tags; a list value (`['primary', 'secondary']`, from simplification) counts as its
//!   first item;
//! - edge `geometry` (`LINESTRING (x y, ...)`): its inner points become nodes, so a simplified
//!   graph gives the same segments as the raw ways.
//!
//! Not used: `length` and `travel_time` (lengths are measured from the coordinates, as for
//! every other form, so that the same roads give the same graph), `osmid`, `reversed`, `key`,
//! `bearing`, `grade`, `speed_kph`. Each edge becomes one way of its own; a two-way street
//! listed once per direction is read from its first copy (the `reversed` one is left out).

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::collect::Collector;
use super::xml::{attribute, malformed, required};
use super::{IngestError, OsmExtract, OsmFormat, OsmNode, ReadOptions};

/// Edge attributes OSMnx computes or copies that are not OSM tags.
const NOT_TAGS: [&str; 13] = [
    "osmid",
    "length",
    "geometry",
    "reversed",
    "key",
    "id",
    "u",
    "v",
    "speed_kph",
    "travel_time",
    "bearing",
    "grade",
    "grade_abs",
];

/// Node attributes that are not OSM tags.
const NODE_NOT_TAGS: [&str; 4] = ["x", "y", "osmid", "street_count"];

/// Ids given to the inner points of edge geometries count down from here, far from OSM's.
const GEOMETRY_NODE_ID_START: i64 = -(1 << 52);

/// The element being read.
enum Open {
    Node {
        id: i64,
        data: Vec<(String, String)>,
    },
    Edge(Edge),
}

struct Edge {
    source: i64,
    target: i64,
    /// The GraphML ids, for messages.
    names: (String, String),
    data: Vec<(String, String)>,
}

/// Reads an OSMnx GraphML stream; `label` names the file in messages.
pub(crate) fn read(
    stream: impl BufRead,
    label: &str,
    options: &ReadOptions,
) -> Result<OsmExtract, IngestError> {
    let format = OsmFormat::GraphMl;
    let mut reader = Reader::from_reader(stream);
    let mut buf = Vec::new();
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut ids = NodeIds::default();
    let mut out = Collector::default();
    let mut node_ids: Vec<i64> = Vec::new();
    let mut edges: Vec<Edge> = Vec::new();
    let mut open: Option<Open> = None;
    // The `<data key=...>` being read and its text so far.
    let mut data: Option<(String, String)> = None;
    let mut depth = 0usize;
    let mut saw_root = false;
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(label, format, reader.error_position(), e))?;
        let position = reader.buffer_position();
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty {
                    depth += 1;
                }
                let attr = |name: &str| attribute(e, name, label, position);
                let name = e.local_name();
                match name.as_ref() {
                    b"graphml" => saw_root = true,
                    b"key" => {
                        if let (Some(id), Some(name)) = (attr("id")?, attr("attr.name")?) {
                            keys.insert(id, name);
                        }
                    }
                    b"node" => {
                        let name = required(attr("id")?, label, "<node>", "id", position)?;
                        open = Some(Open::Node {
                            id: ids.get(&name),
                            data: Vec::new(),
                        });
                    }
                    b"edge" => {
                        let source =
                            required(attr("source")?, label, "<edge>", "source", position)?;
                        let target =
                            required(attr("target")?, label, "<edge>", "target", position)?;
                        open = Some(Open::Edge(Edge {
                            source: ids.get(&source),
                            target: ids.get(&target),
                            names: (source, target),
                            data: Vec::new(),
                        }));
                    }
                    b"data" if !empty && open.is_some() => {
                        let key = required(attr("key")?, label, "<data>", "key", position)?;
                        let name = keys.get(&key).cloned().unwrap_or(key);
                        data = Some((name, String::new()));
                    }
                    _ => {}
                }
                if empty && matches!(name.as_ref(), b"node" | b"edge") {
                    close(
                        &mut out,
                        label,
                        options,
                        open.take(),
                        &mut node_ids,
                        &mut edges,
                    )?;
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = &mut data {
                    let s = t
                        .xml10_content()
                        .map_err(|e| malformed(label, format, position, e))?;
                    text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = &mut data {
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &r[..] {
                            b"amp" => Some('&'),
                            b"lt" => Some('<'),
                            b"gt" => Some('>'),
                            b"quot" => Some('"'),
                            b"apos" => Some('\''),
                            _ => None,
                        },
                        Err(e) => return Err(malformed(label, format, position, e)),
                    };
                    let c = resolved.ok_or_else(|| {
                        malformed(label, format, position, "unknown entity reference")
                    })?;
                    text.push(c);
                }
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    b"data" => {
                        if let (
                            Some(pair),
                            Some(Open::Node { data: d, .. } | Open::Edge(Edge { data: d, .. })),
                        ) = (data.take(), open.as_mut())
                        {
                            d.push(pair);
                        }
                    }
                    b"node" | b"edge" => {
                        close(
                            &mut out,
                            label,
                            options,
                            open.take(),
                            &mut node_ids,
                            &mut edges,
                        )?;
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth > 0 || !saw_root {
        let message = if saw_root {
            "the file ends inside an element (cut short?); expected it to close with </graphml>"
        } else {
            "no <graphml> element"
        };
        return Err(malformed(label, format, reader.buffer_position(), message));
    }
    if !keys.values().any(|k| k == "x") || !keys.values().any(|k| k == "y") {
        return Err(IngestError::Invalid {
            label: label.to_string(),
            element: "the GraphML keys".into(),
            message: "declare no x and y node attributes; expected OSMnx GraphML (x = longitude, y = latitude)".into(),
        });
    }
    node_ids.sort_unstable();
    let mut inner = GeometryNodes::default();
    for (i, edge) in edges.into_iter().enumerate() {
        if is_reverse_copy(&edge.data) {
            continue;
        }
        for (id, name) in [(edge.source, &edge.names.0), (edge.target, &edge.names.1)] {
            if node_ids.binary_search(&id).is_err() {
                return Err(IngestError::Invalid {
                    label: label.to_string(),
                    element: format!("edge {} -> {}", edge.names.0, edge.names.1),
                    message: format!("names node {name}, which the file does not have"),
                });
            }
        }
        let mut refs = vec![edge.source];
        let mut tags = Vec::with_capacity(edge.data.len());
        for (key, value) in edge.data {
            if key == "geometry" {
                let coords = linestring(&value).ok_or_else(|| IngestError::Invalid {
                    label: label.to_string(),
                    element: format!("edge {} -> {}", edge.names.0, edge.names.1),
                    message: format!("has geometry {value:?}; expected LINESTRING (x y, ...)"),
                })?;
                let interior = coords.len().saturating_sub(1);
                for &(lon, lat) in coords.iter().take(interior).skip(1) {
                    let (id, new) = inner.id(lon, lat);
                    if new {
                        out.node(label, options, OsmNode { id, lon, lat }, &[], true)?;
                    }
                    refs.push(id);
                }
            } else if !NOT_TAGS.contains(&key.as_str()) {
                tags.push((key, tag_value(value)));
            }
        }
        refs.push(edge.target);
        out.way(options, i as i64 + 1, &refs, &tags);
    }
    out.finish(label, options)
}

/// Hands a finished node to the collector, or keeps a finished edge until every node is known
/// (GraphML does not promise nodes come first).
fn close(
    out: &mut Collector,
    label: &str,
    options: &ReadOptions,
    open: Option<Open>,
    node_ids: &mut Vec<i64>,
    edges: &mut Vec<Edge>,
) -> Result<(), IngestError> {
    match open {
        Some(Open::Node { id, data }) => {
            let value = |k: &str| data.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim());
            let coordinate = |k: &str| -> Result<f64, IngestError> {
                let invalid = |message: String| IngestError::Invalid {
                    label: label.to_string(),
                    element: format!("node {id}"),
                    message,
                };
                let v = value(k).ok_or_else(|| {
                    invalid(format!(
                        "has no {k} coordinate; expected OSMnx GraphML (x = longitude, y = latitude)"
                    ))
                })?;
                v.parse()
                    .map_err(|_| invalid(format!("has {k}={v:?}; expected a decimal number")))
            };
            let node = OsmNode {
                id,
                lon: coordinate("x")?,
                lat: coordinate("y")?,
            };
            let tags: Vec<(String, String)> = data
                .iter()
                .filter(|(k, _)| !NODE_NOT_TAGS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), tag_value(v.clone())))
                .collect();
            node_ids.push(id);
            out.node(label, options, node, &tags, true)
        }
        Some(Open::Edge(edge)) => {
            edges.push(edge);
            Ok(())
        }
        None => Ok(()),
    }
}

/// OSMnx lists a two-way street once per direction and marks the second copy `reversed`; its
/// tags still describe the way in its drawn direction (`oneway:motorcycle=yes` on a street
/// two-way for cars), so it is left out and the first copy, tagged `oneway=no`, gives both
/// directions. Files without `reversed` (older OSMnx) keep both copies, which the graph builder
/// merges.
fn is_reverse_copy(data: &[(String, String)]) -> bool {
    let value = |k: &str| {
        data.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| tag_value(v.clone()))
    };
    value("reversed").as_deref() == Some("yes") && value("oneway").as_deref() == Some("no")
}

/// An OSMnx attribute as an OSM tag value: `True`/`False` as `yes`/`no`, a list as its first
/// item.
fn tag_value(value: String) -> String {
    let v = value.trim();
    match v {
        "True" => return "yes".into(),
        "False" => return "no".into(),
        _ => {}
    }
    if let Some(list) = v.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
        let first = list.split(',').next().unwrap_or("").trim();
        return first.trim_matches(|c| c == '\'' || c == '"').to_string();
    }
    v.to_string()
}

/// The points of a WKT `LINESTRING (x y, x y, ...)`.
fn linestring(wkt: &str) -> Option<Vec<(f64, f64)>> {
    let body = wkt.trim().strip_prefix("LINESTRING")?.trim();
    let body = body.strip_prefix('(')?.strip_suffix(')')?;
    body.split(',')
        .map(|pair| {
            let mut it = pair.split_whitespace().map(str::parse::<f64>);
            match (it.next(), it.next()) {
                (Some(Ok(x)), Some(Ok(y))) => Some((x, y)),
                _ => None,
            }
        })
        .collect()
}

/// GraphML node ids as OSM ids: OSMnx writes the OSM id itself; other ids get numbers of
/// their own.
#[derive(Default)]
struct NodeIds {
    others: HashMap<String, i64>,
}

impl NodeIds {
    fn get(&mut self, name: &str) -> i64 {
        if let Ok(id) = name.trim().parse() {
            return id;
        }
        let next = GEOMETRY_NODE_ID_START / 2 - self.others.len() as i64;
        *self.others.entry(name.to_string()).or_insert(next)
    }
}

/// The nodes made for geometry points: one id per position, shared by the two directions of a
/// street.
#[derive(Default)]
struct GeometryNodes {
    ids: HashMap<(u64, u64), i64>,
}

impl GeometryNodes {
    /// The id of the point at (lon, lat), and whether it is new.
    fn id(&mut self, lon: f64, lat: f64) -> (i64, bool) {
        let next = GEOMETRY_NODE_ID_START - self.ids.len() as i64;
        let mut new = false;
        let id = *self
            .ids
            .entry((lon.to_bits(), lat.to_bits()))
            .or_insert_with(|| {
                new = true;
                next
            });
        (id, new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osmnx_values_become_osm_tags() {
        assert_eq!(tag_value("True".into()), "yes");
        assert_eq!(tag_value("['primary', 'secondary']".into()), "primary");
        assert_eq!(tag_value("50".into()), "50");
    }

    #[test]
    fn wkt_linestrings_are_read() {
        assert_eq!(
            linestring("LINESTRING (105.1 21.2, 105.3 21.4)"),
            Some(vec![(105.1, 21.2), (105.3, 21.4)])
        );
        assert_eq!(linestring("POINT (1 2)"), None);
        assert_eq!(linestring("LINESTRING (1 x)"), None);
    }
}
