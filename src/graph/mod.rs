//! Placeholder for the road graph module: only the travel mode the server needs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How people travel to a receiving point.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
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
    pub const ALL: [TravelMode; 4] = [
        TravelMode::Motorbike,
        TravelMode::Car,
        TravelMode::Bicycle,
        TravelMode::Walk,
    ];

    pub fn name(self) -> &'static str {
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
        f.write_str(self.name())
    }
}

/// The text was not one of the travel mode names.
#[derive(Debug, thiserror::Error)]
#[error("unknown travel mode {0:?}: expected motorbike, car, bicycle or walk")]
pub struct UnknownTravelMode(pub String);

impl FromStr for TravelMode {
    type Err = UnknownTravelMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TravelMode::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| UnknownTravelMode(s.to_string()))
    }
}
