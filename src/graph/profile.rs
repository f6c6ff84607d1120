//! Speed profiles: which ways a travel mode may use, in which direction, and how fast.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{GraphError, TravelMode};
use crate::ingest::OsmWay;

/// Per-mode rules read from `data/profiles/<mode>.toml`; the file comments explain each number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedProfile {
    pub mode: TravelMode,
    /// Access tags, least specific first; the most specific key present on a way decides.
    pub access_keys: Vec<String>,
    /// One-way tags, most specific first; the first key present decides. Empty: ignore one-ways.
    pub oneway_keys: Vec<String>,
    /// Whether a posted `maxspeed` lower than the class speed lowers the speed.
    pub honour_maxspeed: bool,
    /// No edge is faster than this, in km/h.
    pub max_speed_kmh: f64,
    /// Rush-hour speed = speed x `peak_factor`, applied when `peak` is set.
    pub peak_factor: f64,
    /// Straight-line speed from a place to the road it snaps to, in km/h.
    pub access_speed_kmh: f64,
    /// Highway classes usable only when the most specific access key says yes.
    #[serde(default)]
    pub explicit_access_only: Vec<String>,
    /// Speed per `highway=*` class in km/h; a class absent here is not usable by the mode.
    pub speed_kmh: BTreeMap<String, f64>,
    /// Rush-hour conditions: set with [`SpeedProfile::with_peak`], never read from the file.
    #[serde(default, skip_deserializing)]
    pub peak: bool,
}

/// What a profile makes of one way: usable directions and speed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WayRule {
    /// Usable in the order of the way's nodes.
    pub forward: bool,
    /// Usable against the order of the way's nodes.
    pub backward: bool,
    /// Travel speed in km/h, peak factor included when the profile is at peak.
    pub speed_kmh: f64,
}

const EMBEDDED_MOTORBIKE: &str = include_str!("../../data/profiles/motorbike.toml");
const EMBEDDED_CAR: &str = include_str!("../../data/profiles/car.toml");
const EMBEDDED_BICYCLE: &str = include_str!("../../data/profiles/bicycle.toml");
const EMBEDDED_WALK: &str = include_str!("../../data/profiles/walk.toml");

impl SpeedProfile {
    /// Reads and checks a profile file.
    pub fn load(path: &Path) -> Result<Self, GraphError> {
        let text =
            crate::text::read_text(path).map_err(|source| GraphError::ProfileUnreadable {
                path: path.to_path_buf(),
                source,
            })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks profile text; `label` names it in error messages.
    pub fn parse(text: &str, label: &str) -> Result<Self, GraphError> {
        let profile: SpeedProfile =
            toml::from_str(text).map_err(|e| GraphError::ProfileSyntax {
                label: label.to_string(),
                message: e.to_string().trim().replace('\n', " "),
            })?;
        profile.validate(label)?;
        Ok(profile)
    }

    /// The profile shipped in `data/profiles/<mode>.toml`, compiled into the binary.
    pub fn embedded(mode: TravelMode) -> Self {
        let text = Self::embedded_text(mode);
        match Self::parse(text, mode.as_str()) {
            Ok(p) => p,
            // The embedded files are checked by the unit tests; reaching this is a build defect.
            Err(e) => panic!("embedded profile data/profiles/{mode}.toml is invalid: {e}"),
        }
    }

    /// The text of the embedded profile of `mode`.
    pub fn embedded_text(mode: TravelMode) -> &'static str {
        match mode {
            TravelMode::Motorbike => EMBEDDED_MOTORBIKE,
            TravelMode::Car => EMBEDDED_CAR,
            TravelMode::Bicycle => EMBEDDED_BICYCLE,
            TravelMode::Walk => EMBEDDED_WALK,
        }
    }

    /// Straight-line speed from a place to the road, in km/h (not affected by peak).
    pub fn access_speed_kmh(&self) -> f64 {
        self.access_speed_kmh
    }

    /// The same profile under rush-hour (`true`) or free-flow (`false`) conditions.
    pub fn with_peak(&self, peak: bool) -> Self {
        SpeedProfile {
            peak,
            ..self.clone()
        }
    }

    /// A canonical text of the profile (TOML of its fields), so that two profiles with the same
    /// rules hash the same whatever the comments of their files.
    pub fn canonical_text(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("{self:?} ({e})"))
    }

    fn validate(&self, label: &str) -> Result<(), GraphError> {
        let bad = |field: String, value: f64, expected: &'static str| GraphError::ProfileValue {
            label: label.to_string(),
            field,
            value,
            expected,
        };
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(self.max_speed_kmh) || self.max_speed_kmh > 200.0 {
            return Err(bad(
                "max_speed_kmh".into(),
                self.max_speed_kmh,
                "a speed in (0, 200] km/h",
            ));
        }
        if !positive(self.peak_factor) || self.peak_factor > 1.5 {
            return Err(bad(
                "peak_factor".into(),
                self.peak_factor,
                "a factor in (0, 1.5]",
            ));
        }
        if !positive(self.access_speed_kmh) || self.access_speed_kmh > 200.0 {
            return Err(bad(
                "access_speed_kmh".into(),
                self.access_speed_kmh,
                "a speed in (0, 200] km/h",
            ));
        }
        for (class, &v) in &self.speed_kmh {
            if !positive(v) || v > 200.0 {
                return Err(bad(
                    format!("speed_kmh.{class}"),
                    v,
                    "a speed in (0, 200] km/h",
                ));
            }
        }
        Ok(())
    }

    /// Whether the mode may use the way, in which directions, and how fast; `None` when the
    /// class is not in the profile, access tags forbid the mode, or no direction is left.
    pub fn way_rule(&self, way: &OsmWay) -> Option<WayRule> {
        let class = way.tag("highway")?;
        let class_speed = *self.speed_kmh.get(class)?;
        if way.tag("area") == Some("yes") {
            return None;
        }
        match self.access(way) {
            Access::Blocked => return None,
            Access::Default if self.explicit_access_only.iter().any(|c| c == class) => return None,
            Access::Default | Access::Allowed => {}
        }
        let (forward, backward) = self.directions(way, class);
        if !forward && !backward {
            return None;
        }
        let mut speed = class_speed.min(self.max_speed_kmh);
        if self.honour_maxspeed
            && let Some(limit) = way.tag("maxspeed").and_then(parse_maxspeed_kmh)
        {
            speed = speed.min(limit);
        }
        if self.peak {
            speed *= self.peak_factor;
        }
        Some(WayRule {
            forward,
            backward,
            speed_kmh: speed,
        })
    }

    fn access(&self, way: &OsmWay) -> Access {
        for key in self.access_keys.iter().rev() {
            if let Some(value) = way.tag(key) {
                return match value.trim() {
                    "no" | "private" => Access::Blocked,
                    "yes" | "designated" | "permissive" | "destination" => Access::Allowed,
                    _ => Access::Default,
                };
            }
        }
        Access::Default
    }

    fn directions(&self, way: &OsmWay, class: &str) -> (bool, bool) {
        if self.oneway_keys.is_empty() {
            return (true, true);
        }
        let tagged = self.oneway_keys.iter().find_map(|k| way.tag(k));
        match tagged.map(str::trim) {
            Some("yes" | "1" | "true") => (true, false),
            Some("-1" | "reverse") => (false, true),
            // Direction changes by time of day: no fixed direction can be relied on.
            Some("reversible" | "alternating") => (false, false),
            Some(_) => (true, true),
            None => {
                let roundabout = matches!(way.tag("junction"), Some("roundabout" | "circular"));
                // OSM convention: motorways are one-way unless tagged otherwise.
                (true, !(roundabout || class == "motorway"))
            }
        }
    }
}

enum Access {
    Blocked,
    Default,
    Allowed,
}

/// Parses an OSM `maxspeed` value into km/h: `"50"`, `"50 km/h"`, `"50kmh"`, `"30 mph"`; for a
/// list (`"50;40"`) the first value. `None` for symbolic values (`"VN:urban"`, `"walk"`, `"none"`).
///
/// ```
/// use motcua::graph::parse_maxspeed_kmh;
/// assert_eq!(parse_maxspeed_kmh("50 km/h"), Some(50.0));
/// assert!((parse_maxspeed_kmh("30 mph").unwrap() - 48.28).abs() < 0.01);
/// assert_eq!(parse_maxspeed_kmh("VN:urban"), None);
/// ```
pub fn parse_maxspeed_kmh(value: &str) -> Option<f64> {
    let first = value.split(';').next()?.trim().to_ascii_lowercase();
    let (number, factor) = if let Some(n) = first.strip_suffix("mph") {
        (n, 1.609_344)
    } else if let Some(n) = first
        .strip_suffix("km/h")
        .or_else(|| first.strip_suffix("kmh"))
        .or_else(|| first.strip_suffix("kph"))
    {
        (n, 1.0)
    } else {
        (first.as_str(), 1.0)
    };
    let v: f64 = number.trim().parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_parse_and_name_their_mode() {
        for mode in TravelMode::ALL {
            assert_eq!(SpeedProfile::embedded(mode).mode, mode);
        }
    }

    #[test]
    fn motorbikes_are_kept_off_motorways() {
        let p = SpeedProfile::embedded(TravelMode::Motorbike);
        assert!(!p.speed_kmh.contains_key("motorway"));
    }

    #[test]
    fn bad_value_names_the_field() {
        let text = SpeedProfile::embedded_text(TravelMode::Car)
            .replace("peak_factor = 0.55", "peak_factor = -1.0");
        let err = SpeedProfile::parse(&text, "car.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("peak_factor"), "{err}");
        assert!(err.contains("car.toml"), "{err}");
    }
}
