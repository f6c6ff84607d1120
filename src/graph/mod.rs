//! Road graphs per travel mode, built from the raw OSM ways of [`crate::ingest`].
//!
//! Terminology:
//! - A *travel mode* (motorbike, car, bicycle, walk) decides which ways are usable, in which
//!   direction and how fast; the numbers live in a [`SpeedProfile`] (`data/profiles/<mode>.toml`).
//! - A [`RoadGraph`] is the directed graph of one mode in compact arrays (CSR). Every OSM node
//!   used by a usable way is a graph node, so every edge is one straight segment and the geometry
//!   of a route is the sequence of its nodes. Only the largest strongly connected component is
//!   kept, so every node can reach every other one.
//! - A [`Snap`] is where a place meets the road network of one mode ([`SnapIndex`]).
//!
//! How a way becomes edges (see [`SpeedProfile::way_rule`] and the profile files):
//! - its `highway` class must have a speed in the profile (motorbikes have none for motorways,
//!   cars none for footways), and `area=yes` ways are skipped;
//! - access tags are read per direction from the most specific key the profile lists down to
//!   `access` (`motorcycle` > `motor_vehicle` > `vehicle` > `access` for motorbikes, each as
//!   `key:forward`/`key:backward` first); the profile lists the values that open and those that
//!   block (`no`, `private`, `psv`, `military` …), other values do not decide; some classes
//!   (footways for bicycles) need an explicit opening value (see [`access`]);
//! - one-way keys are read most specific first (`oneway:motorcycle`, `oneway:motor_vehicle`,
//!   `oneway:vehicle`, `oneway`); `yes`/`1`/`true` keep the drawn direction, `-1`/`reverse` the
//!   opposite, `alternating` both, `reversible` neither; roundabouts and motorways are one-way
//!   unless tagged otherwise; bicycles ride contra-flow lanes (`cycleway=opposite_lane`); walking
//!   reads only `oneway:foot`;
//! - a `barrier=*` node the mode cannot pass (a locked gate, a wall; by its access tags first)
//!   splits the road there: each side is usable up to the barrier, none through it;
//! - travel time = length / speed, speed = min(class speed, profile maximum, posted `maxspeed`
//!   where honoured), length by haversine; speed bands (`SpeedProfile::bands`) scale a trip's
//!   travel time by the hour of departure at evaluation, never the graph;
//! - parallel edges between the same two nodes keep the fastest.
//!
//! Units are in the names: `travel_s` seconds, `length_m` metres, `_kmh` km/h. Coordinates are
//! `(lon, lat)` in WGS84 degrees.

pub mod access;
mod build;
pub mod cache;
mod profile;
mod projection;
pub mod sketch;
mod snap;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

pub use access::{Access, AccessRules, BarrierRules, Oneway, OnewayRules, Unlisted, WayDirection};
pub use build::{MIN_EDGE_LENGTH_M, NO_NAME, RoadGraph};
pub use profile::{BandAt, FREE_FLOW, SpeedBand, SpeedProfile, WayRule, parse_maxspeed_kmh};
pub use projection::LocalProjection;
pub use snap::{Snap, SnapIndex};

use crate::ingest::IngestError;

/// Dense index of a node in a [`RoadGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// Dense index of a directed edge in a [`RoadGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeId(pub u32);

/// How people travel to a receiving point. Motorbike is the default in Hanoi.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum TravelMode {
    #[default]
    Motorbike,
    Car,
    Bicycle,
    Walk,
}

impl TravelMode {
    /// Every mode, motorbike first.
    pub const ALL: [TravelMode; 4] = [
        TravelMode::Motorbike,
        TravelMode::Car,
        TravelMode::Bicycle,
        TravelMode::Walk,
    ];

    /// The lowercase name used in files, URLs and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::Motorbike => "motorbike",
            TravelMode::Car => "car",
            TravelMode::Bicycle => "bicycle",
            TravelMode::Walk => "walk",
        }
    }
}

impl fmt::Display for TravelMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TravelMode {
    type Err = GraphError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Vietnamese names without diacritics are accepted too (xe-may, o-to, xe-dap, di-bo).
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "motorbike" | "motorcycle" | "xe-may" | "xemay" => Ok(TravelMode::Motorbike),
            "car" | "o-to" | "oto" => Ok(TravelMode::Car),
            "bicycle" | "bike" | "xe-dap" | "xedap" => Ok(TravelMode::Bicycle),
            "walk" | "foot" | "di-bo" | "dibo" => Ok(TravelMode::Walk),
            _ => Err(GraphError::UnknownTravelMode {
                given: s.to_string(),
            }),
        }
    }
}

/// Why a road graph, a speed profile or a graph cache could not be made.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// A travel mode name that is not one of the four.
    #[error("unknown travel mode {given:?}; expected one of motorbike, car, bicycle, walk")]
    UnknownTravelMode { given: String },
    /// The speed profile file cannot be read.
    #[error("cannot read speed profile {path}: {source}")]
    ProfileUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The speed profile is not valid TOML or misses a field.
    #[error("speed profile {label} is invalid: {message}")]
    ProfileSyntax { label: String, message: String },
    /// A value in the speed profile is out of range.
    #[error(
        "speed profile {label}: field {field} = {} is out of range; expected {expected}",
        crate::number::readable(.value)
    )]
    ProfileValue {
        label: String,
        field: String,
        value: f64,
        expected: &'static str,
    },
    /// A list in the speed profile names a value twice or in two lists that contradict.
    #[error("speed profile {label}: {field} lists {value:?} {problem}")]
    ProfileList {
        label: String,
        field: String,
        value: String,
        problem: &'static str,
    },
    /// No way of the extract can be used by this mode (or none survives the connectivity check).
    #[error(
        "no usable roads for {mode}: {ways} highway ways in the extract, {usable_ways} usable by this mode, \
         {nodes_kept} nodes in the largest connected part; check the extract and data/profiles/{mode}.toml"
    )]
    NoUsableRoads {
        mode: TravelMode,
        ways: usize,
        usable_ways: usize,
        nodes_kept: usize,
    },
    /// The graph would need more nodes or edges than a `u32` id can name.
    #[error("road graph for {mode} is too large: {count} {what}; at most {max} are supported")]
    TooLarge {
        mode: TravelMode,
        what: &'static str,
        count: usize,
        max: u32,
    },
    /// The OSM file behind a cached graph could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The graph cache directory or file could not be written.
    #[error("cannot write graph cache {path}: {source}")]
    CacheWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Mean Earth radius in metres (IUGG), used by every distance in the project.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two `(lon, lat)` points in degrees.
///
/// ```
/// use motcua::graph::haversine_m;
/// // Hoàn Kiếm lake to the Temple of Literature: about 1.7 km.
/// let d = haversine_m((105.8523, 21.0288), (105.8355, 21.0287));
/// assert!((d - 1_743.0).abs() < 10.0);
/// ```
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travel_mode_names_round_trip() {
        for mode in TravelMode::ALL {
            assert_eq!(mode.to_string().parse::<TravelMode>().unwrap(), mode);
            assert_eq!(serde_json::to_string(&mode).unwrap(), format!("\"{mode}\""));
        }
        assert_eq!("Xe máy".parse::<TravelMode>().ok(), None);
        assert_eq!(
            "xe-may".parse::<TravelMode>().unwrap(),
            TravelMode::Motorbike
        );
        let err = "boat".parse::<TravelMode>().unwrap_err().to_string();
        assert!(err.contains("\"boat\""), "{err}");
    }

    #[test]
    fn haversine_of_one_degree_of_latitude() {
        let d = haversine_m((105.85, 21.0), (105.85, 22.0));
        assert!((d - 111_195.0).abs() < 1.0, "{d}");
    }
}
