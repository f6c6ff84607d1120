//! Reading GeoJSON FeatureCollections of areas with `serde_json`, checking every coordinate.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use super::{BoundaryError, Region};

/// Parses a FeatureCollection into regions, in feature order.
pub(super) fn parse_feature_collection(
    text: &str,
    path: &Path,
    name_property: &str,
) -> Result<Vec<Region>, BoundaryError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value = serde_json::from_str(text).map_err(|source| BoundaryError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let features = root
        .get("features")
        .and_then(Value::as_array)
        .filter(|_| root.get("type").and_then(Value::as_str) == Some("FeatureCollection"))
        .ok_or_else(|| BoundaryError::NotFeatureCollection {
            path: path.to_path_buf(),
        })?;
    if features.is_empty() {
        return Err(BoundaryError::Empty {
            path: path.to_path_buf(),
        });
    }
    features
        .iter()
        .enumerate()
        .map(|(i, feature)| parse_feature(feature, path, i, name_property))
        .collect()
}

fn parse_feature(
    feature: &Value,
    path: &Path,
    index: usize,
    name_property: &str,
) -> Result<Region, BoundaryError> {
    let malformed = |reason: &str| BoundaryError::MalformedGeometry {
        path: path.to_path_buf(),
        feature: index,
        reason: reason.to_string(),
    };
    let geometry = feature
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or_else(|| malformed("no geometry; expected a Polygon or MultiPolygon object"))?;
    let kind = geometry
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("geometry has no \"type\""))?;
    let coordinates = geometry
        .get("coordinates")
        .ok_or_else(|| malformed("geometry has no \"coordinates\""))?;
    let shape = match kind {
        "Polygon" => MultiPolygon::new(vec![parse_polygon(coordinates, path, index)?]),
        "MultiPolygon" => parse_multi_polygon(coordinates, path, index)?,
        other => {
            return Err(BoundaryError::NonPolygonGeometry {
                path: path.to_path_buf(),
                feature: index,
                found: other.to_string(),
            });
        }
    };

    super::validity::check_feature(&shape).map_err(|reason| BoundaryError::InvalidPolygon {
        path: path.to_path_buf(),
        feature: index,
        reason,
    })?;

    let mut properties = BTreeMap::new();
    if let Some(map) = feature.get("properties").and_then(Value::as_object) {
        for (key, value) in map {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            properties.insert(key.clone(), text);
        }
    }
    let name = properties
        .remove(name_property)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| BoundaryError::MissingName {
            path: path.to_path_buf(),
            feature: index,
            property: name_property.to_string(),
        })?;
    Ok(Region::new(name, properties, shape))
}

/// Parses MultiPolygon coordinates: an array of polygons.
pub(super) fn parse_multi_polygon(
    value: &Value,
    path: &Path,
    feature: usize,
) -> Result<MultiPolygon<f64>, BoundaryError> {
    let parts = value
        .as_array()
        .ok_or_else(|| BoundaryError::MalformedGeometry {
            path: path.to_path_buf(),
            feature,
            reason: "MultiPolygon coordinates must be an array of polygons".into(),
        })?;
    if parts.is_empty() {
        return Err(BoundaryError::MalformedGeometry {
            path: path.to_path_buf(),
            feature,
            reason: "MultiPolygon has no polygons".into(),
        });
    }
    let polygons = parts
        .iter()
        .map(|p| parse_polygon(p, path, feature))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MultiPolygon::new(polygons))
}

/// Parses Polygon coordinates: exterior ring then holes.
fn parse_polygon(
    value: &Value,
    path: &Path,
    feature: usize,
) -> Result<Polygon<f64>, BoundaryError> {
    let rings = value
        .as_array()
        .ok_or_else(|| BoundaryError::MalformedGeometry {
            path: path.to_path_buf(),
            feature,
            reason: "Polygon coordinates must be an array of rings".into(),
        })?;
    let mut rings = rings.iter().map(|r| parse_ring(r, path, feature));
    let exterior = rings
        .next()
        .ok_or_else(|| BoundaryError::MalformedGeometry {
            path: path.to_path_buf(),
            feature,
            reason: "Polygon has no exterior ring".into(),
        })??;
    let holes = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

fn parse_ring(
    value: &Value,
    path: &Path,
    feature: usize,
) -> Result<LineString<f64>, BoundaryError> {
    let malformed = |reason: String| BoundaryError::MalformedGeometry {
        path: path.to_path_buf(),
        feature,
        reason,
    };
    let positions = value
        .as_array()
        .ok_or_else(|| malformed("a ring must be an array of [lon, lat] positions".into()))?;
    if positions.len() < 4 {
        return Err(malformed(format!(
            "a ring has {} positions; expected at least 4 (closed triangle)",
            positions.len()
        )));
    }
    let mut coords = Vec::with_capacity(positions.len());
    for position in positions {
        let pair = position.as_array().filter(|p| p.len() >= 2);
        let (lon, lat) = match pair.map(|p| (p[0].as_f64(), p[1].as_f64())) {
            Some((Some(lon), Some(lat))) => (lon, lat),
            _ => {
                return Err(malformed(format!(
                    "position {position} is not a [lon, lat] pair of numbers"
                )));
            }
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(BoundaryError::CoordinateOutOfRange {
                path: path.to_path_buf(),
                feature,
                lon,
                lat,
            });
        }
        coords.push(Coord { x: lon, y: lat });
    }
    // LineString rings are closed by Polygon::new if the file left them open.
    Ok(LineString::new(coords))
}
