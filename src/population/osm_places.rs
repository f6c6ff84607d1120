//! Population from OpenStreetMap's places: the `population` tag of `place=*` nodes (the centre
//! of a ward, a commune, a village), each count put on the cell holding its node.
//!
//! OpenStreetMap tags a city with everyone in it and its wards (`place=suburb`, `quarter`)
//! with their own people, so counting every node would count people twice. The nodes of the
//! places that contain others ([`CONTAINING_PLACES`]: `city`, `district`, `province` …) are
//! therefore left out whenever a finer place carries a population, and taken only when none
//! does. Ways and areas are not read: the places with a population are mapped as nodes, and an
//! area's population is that of the boundary, not of a point.

use std::path::Path;

use h3o::{LatLng, Resolution};

use super::{PopulationError, PopulationGrid, finish_grid};
use crate::ingest::{ElementKind, ReadOptions, read_osm_with};

/// Values of `place=*` that contain other places and whose population is theirs summed.
pub const CONTAINING_PLACES: &[&str] = &[
    "country",
    "state",
    "region",
    "province",
    "district",
    "county",
    "municipality",
    "city",
];

/// A `population` value as a count of people: digits, with spaces or commas between the
/// thousands tolerated (`12 345`, `12,345`); anything else is not a count.
fn people(value: &str) -> Option<f64> {
    let digits: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<f64>().ok().filter(|p| p.is_finite())
}

/// The population grid of the `place=*` nodes of an OSM file (any form `--osm` reads) that
/// carry a `population` tag.
pub fn load_osm_places(
    path: &Path,
    resolution: Resolution,
) -> Result<PopulationGrid, PopulationError> {
    let options = ReadOptions {
        features: "place=*".parse()?,
        require_roads: false,
    };
    let features = read_osm_with(path, &options)?.features;
    let nodes: Vec<_> = features
        .iter()
        .filter(|f| f.kind == ElementKind::Node)
        .collect();
    let mut counted: Vec<(bool, f64, f64, f64)> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    for node in &nodes {
        let Some(value) = node.tag("population") else {
            continue;
        };
        match people(value) {
            Some(p) => {
                let containing = node
                    .tag("place")
                    .is_some_and(|place| CONTAINING_PLACES.contains(&place));
                counted.push((containing, node.lon, node.lat, p));
            }
            None => unreadable.push(format!("node {} population={value:?}", node.id)),
        }
    }
    if !unreadable.is_empty() {
        tracing::warn!(
            "{}: {} place nodes have a population that is not a count of people and are left out, e.g. {}",
            path.display(),
            unreadable.len(),
            unreadable[0]
        );
    }
    let finer_exist = counted.iter().any(|c| !c.0);
    let mut pairs = Vec::with_capacity(counted.len());
    let mut left_out = 0usize;
    for (containing, lon, lat, p) in counted {
        if containing && finer_exist {
            left_out += 1;
            continue;
        }
        // Every node's coordinates were checked as the file was read.
        if let Ok(ll) = LatLng::new(lat, lon) {
            pairs.push((ll.to_cell(resolution), p));
        }
    }
    if left_out > 0 {
        tracing::info!(
            "{}: {left_out} place nodes that contain others (city, district ...) are left out: finer places carry their people",
            path.display()
        );
    }
    if pairs.is_empty() {
        return Err(PopulationError::NoOsmPlaces {
            path: path.to_path_buf(),
            places: nodes.len(),
        });
    }
    finish_grid(path, resolution, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_digits_with_thousands_separators_at_most() {
        assert_eq!(people("12345"), Some(12_345.0));
        assert_eq!(people(" 12 345 "), Some(12_345.0));
        assert_eq!(people("12,345"), Some(12_345.0));
        for bad in ["", "about 5000", "1.2e4", "-3", "12.5", "unknown"] {
            assert_eq!(people(bad), None, "{bad:?}");
        }
    }
}
