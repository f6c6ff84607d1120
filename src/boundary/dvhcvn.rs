//! Conversion of the `daohoangson/dvhcvn` GIS layout to GeoJSON.
//!
//! dvhcvn publishes each province as
//! `{level1_id, name, type, coordinates, bbox, level2s: [{level2_id, name, type, coordinates, bbox}]}`
//! where `type` is the geometry type and `coordinates` the matching GeoJSON coordinates. The
//! converter writes one Feature per level-2 unit (district) with properties `name`, `code`
//! (`level2_id`, the GSO district code) and `type` (the administrative kind read from the name:
//! Quận, Huyện, Thị xã or Thành phố). Coordinates are rounded to 7 decimals (about 1 cm), which
//! keeps the file small without moving any border visibly.

use std::io::Write;
use std::path::Path;

use geo::MultiPolygon;
use serde_json::{Value, json};

use super::BoundaryError;
use super::geojson::parse_multi_polygon;

/// What a conversion produced.
#[derive(Debug, Clone, PartialEq)]
pub struct DvhcvnSummary {
    /// Name of the level-1 unit (the province).
    pub province: String,
    /// Number of level-2 units (districts) written.
    pub districts: usize,
}

/// Reads a dvhcvn GIS file and writes the GeoJSON FeatureCollection of its level-2 units.
///
/// ```no_run
/// use motcua::boundary::dvhcvn_to_geojson;
/// let summary = dvhcvn_to_geojson(
///     "/work/shared/data/raw/dvhcvn/gis_01_hanoi.json".as_ref(),
///     "data/boundaries/hanoi_districts_2019.geojson".as_ref(),
/// )?;
/// assert_eq!(summary.districts, 30);
/// # Ok::<(), motcua::boundary::BoundaryError>(())
/// ```
pub fn dvhcvn_to_geojson(input: &Path, output: &Path) -> Result<DvhcvnSummary, BoundaryError> {
    let text = crate::text::read_text(input).map_err(|source| BoundaryError::Read {
        path: input.to_path_buf(),
        source,
    })?;
    let root: Value = serde_json::from_str(&text).map_err(|source| BoundaryError::Json {
        path: input.to_path_buf(),
        source,
    })?;
    let collection = dvhcvn_value_to_geojson(&root, input)?;
    let features = collection["features"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let summary = DvhcvnSummary {
        province: root["name"].as_str().unwrap_or_default().to_string(),
        districts: features.len(),
    };
    write_feature_collection(features, output)?;
    Ok(summary)
}

/// Converts an already parsed dvhcvn document; `source` only labels error messages.
pub fn dvhcvn_value_to_geojson(root: &Value, source: &Path) -> Result<Value, BoundaryError> {
    let field_error = |item: String, field: &str| BoundaryError::DvhcvnField {
        path: source.to_path_buf(),
        item,
        field: field.to_string(),
    };
    let level2s = root
        .get("level2s")
        .and_then(Value::as_array)
        .ok_or_else(|| field_error("the document".into(), "level2s"))?;
    if level2s.is_empty() {
        return Err(BoundaryError::Empty {
            path: source.to_path_buf(),
        });
    }
    let mut features = Vec::with_capacity(level2s.len());
    for (i, unit) in level2s.iter().enumerate() {
        let item = format!("level2s[{i}]");
        let name = unit
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| field_error(item.clone(), "name"))?;
        let code = unit
            .get("level2_id")
            .and_then(Value::as_str)
            .ok_or_else(|| field_error(item.clone(), "level2_id"))?;
        let coordinates = unit
            .get("coordinates")
            .ok_or_else(|| field_error(item.clone(), "coordinates"))?;
        let shape = match unit.get("type").and_then(Value::as_str) {
            Some("MultiPolygon") => parse_multi_polygon(coordinates, source, i)?,
            Some("Polygon") => {
                parse_multi_polygon(&Value::Array(vec![coordinates.clone()]), source, i)?
            }
            Some(other) => {
                return Err(BoundaryError::NonPolygonGeometry {
                    path: source.to_path_buf(),
                    feature: i,
                    found: other.to_string(),
                });
            }
            None => return Err(field_error(item, "type")),
        };
        features.push(json!({
            "type": "Feature",
            "properties": {"name": name, "code": code, "type": administrative_kind(name)},
            "geometry": {"type": "MultiPolygon", "coordinates": rounded_coordinates(&shape)},
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// The administrative kind at the start of a Vietnamese unit name.
fn administrative_kind(name: &str) -> &'static str {
    [
        "Thị xã",
        "Thành phố",
        "Quận",
        "Huyện",
        "Phường",
        "Xã",
        "Thị trấn",
    ]
    .into_iter()
    .find(|kind| name.starts_with(kind))
    .unwrap_or("")
}

fn round7(v: f64) -> Value {
    let r = (v * 1e7).round() / 1e7;
    serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number)
}

fn rounded_coordinates(shape: &MultiPolygon<f64>) -> Value {
    let ring = |ls: &geo::LineString<f64>| -> Value {
        Value::Array(
            ls.coords()
                .map(|c| Value::Array(vec![round7(c.x), round7(c.y)]))
                .collect(),
        )
    };
    Value::Array(
        shape
            .iter()
            .map(|p| {
                let mut rings = vec![ring(p.exterior())];
                rings.extend(p.interiors().iter().map(ring));
                Value::Array(rings)
            })
            .collect(),
    )
}

/// Writes one feature per line so that diffs of the data file stay readable.
pub(crate) fn write_feature_collection(
    features: &[Value],
    output: &Path,
) -> Result<(), BoundaryError> {
    let write_error = |source| BoundaryError::Write {
        path: output.to_path_buf(),
        source,
    };
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, feature) in features.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&feature.to_string());
    }
    text.push_str("\n]}\n");
    let mut file = std::fs::File::create(output).map_err(write_error)?;
    file.write_all(text.as_bytes()).map_err(write_error)?;
    Ok(())
}
