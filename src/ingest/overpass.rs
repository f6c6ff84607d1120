//! Overpass API JSON -> raw nodes and highway ways, streamed with serde_json.
//!
//! The `elements` array is visited one element at a time straight from the (possibly
//! decompressing) stream, so memory holds one element's text at a time plus what is kept,
//! never the file. Elements may repeat (merged answers) and are kept once. Ways written with
//! `out geom` carry their nodes' positions in `geometry`; those positions are used as nodes.

use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::collect::Collector;
use super::{IngestError, OsmExtract, OsmFormat, OsmNode, ReadOptions};

/// Reads an Overpass JSON stream; `label` names the file in messages.
pub(crate) fn read(
    stream: impl BufRead,
    label: &str,
    options: &ReadOptions,
) -> Result<OsmExtract, IngestError> {
    let mut state = State {
        label,
        options,
        out: Collector::default(),
        failure: None,
        saw_elements: false,
    };
    let mut de = serde_json::Deserializer::from_reader(stream);
    let parsed = Root(&mut state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Some(err) = state.failure.take() {
        return Err(err);
    }
    parsed.map_err(|e| {
        let place = format!("at line {} column {}", e.line(), e.column());
        let message = e.to_string();
        IngestError::Malformed {
            label: label.to_string(),
            format: OsmFormat::OverpassJson,
            message: message
                .strip_suffix(&format!(" {place}"))
                .unwrap_or(&message)
                .to_string(),
            place,
        }
    })?;
    if !state.saw_elements {
        return Err(IngestError::Invalid {
            label: label.to_string(),
            element: "the JSON object".into(),
            message: "has no \"elements\" array; expected Overpass JSON ({\"elements\": [...]})"
                .into(),
        });
    }
    state.out.finish(label, options)
}

struct State<'a> {
    label: &'a str,
    options: &'a ReadOptions,
    out: Collector,
    /// An error found inside an element; serde only carries a message, so the typed error
    /// waits here.
    failure: Option<IngestError>,
    saw_elements: bool,
}

impl State<'_> {
    fn element(&mut self, e: Element) -> Result<(), IngestError> {
        match e.kind.as_str() {
            "node" => {
                let (Some(lon), Some(lat)) = (e.lon, e.lat) else {
                    return Err(IngestError::Invalid {
                        label: self.label.to_string(),
                        element: format!("node {}", e.id),
                        message: "has no lat/lon".into(),
                    });
                };
                let node = OsmNode { id: e.id, lon, lat };
                self.out
                    .node(self.label, self.options, node, &e.tags.0, true)
            }
            "way" => {
                for (&id, at) in e.nodes.iter().zip(&e.geometry) {
                    if let Some(at) = at {
                        let node = OsmNode {
                            id,
                            lon: at.lon,
                            lat: at.lat,
                        };
                        self.out.node(self.label, self.options, node, &[], true)?;
                    }
                }
                self.out.way(self.options, e.id, &e.nodes, &e.tags.0);
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// One element as Overpass writes it; other fields (`bounds`, `members`, `timestamp`...) are
/// skipped.
#[derive(Deserialize)]
struct Element {
    #[serde(rename = "type")]
    kind: String,
    id: i64,
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(default)]
    nodes: Vec<i64>,
    #[serde(default)]
    geometry: Vec<Option<LatLon>>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Deserialize)]
struct LatLon {
    lat: f64,
    lon: f64,
}

/// Tags in the order the file lists them (a map would sort them).
#[derive(Default)]
struct Tags(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TagsVisitor;
        impl<'de> Visitor<'de> for TagsVisitor {
            type Value = Tags;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of string tags")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tags, A::Error> {
                let mut tags = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    tags.push((k, v));
                }
                Ok(Tags(tags))
            }
        }
        d.deserialize_map(TagsVisitor)
    }
}

/// The top-level object: only `elements` is read.
struct Root<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Overpass JSON object with an \"elements\" array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "elements" {
                self.0.saw_elements = true;
                map.next_value_seed(Elements(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The `elements` array, handed to the collector element by element.
struct Elements<'s, 'a>(&'s mut State<'a>);

impl<'de> DeserializeSeed<'de> for Elements<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of OSM elements")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<Element>()? {
            if let Err(e) = self.0.element(element) {
                let message = e.to_string();
                self.0.failure = Some(e);
                return Err(de::Error::custom(message));
            }
        }
        Ok(())
    }
}

/// Writes roads as Overpass JSON (one element per line), the counterpart of the reader: for
/// other tools and for the round-trip check. Coordinates read back bit for bit.
pub fn write_overpass_json(
    osm: &super::OsmData,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    use serde_json::json;
    writeln!(
        out,
        "{{\"version\": 0.6, \"generator\": \"motcua\", \"elements\": ["
    )?;
    let mut first = true;
    for n in &osm.nodes {
        let sep = if first { "" } else { ",\n" };
        first = false;
        let mut node = json!({"type": "node", "id": n.id, "lat": n.lat, "lon": n.lon});
        if let Some(barrier) = osm.barrier(n.id) {
            let tags: serde_json::Map<String, serde_json::Value> = barrier
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            node["tags"] = serde_json::Value::Object(tags);
        }
        write!(out, "{sep}{node}")?;
    }
    for w in &osm.ways {
        // Tags in their order (a JSON map would sort them).
        let tags: Vec<String> = w
            .tags
            .iter()
            .map(|(k, v)| format!("{}: {}", json!(k), json!(v)))
            .collect();
        let nodes = json!(w.nodes);
        let sep = if first { "" } else { ",\n" };
        first = false;
        write!(
            out,
            "{sep}{{\"type\": \"way\", \"id\": {}, \"nodes\": {nodes}, \"tags\": {{{}}}}}",
            w.id,
            tags.join(", ")
        )?;
    }
    writeln!(out, "\n]}}")
}
