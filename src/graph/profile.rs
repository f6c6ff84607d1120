//! Speed profiles: which ways a travel mode may use, in which direction, and how fast.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::access::{Access, AccessRules, BarrierRules, OnewayRules, WayDirection, overlap};
use super::{GraphError, TravelMode};
use crate::ingest::{OsmWay, tag_value};

/// Per-mode rules read from `data/profiles/<mode>.toml`; the file comments explain each number
/// and each listed value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedProfile {
    pub mode: TravelMode,
    /// Whether a posted `maxspeed` lower than the class speed lowers the speed.
    pub honour_maxspeed: bool,
    /// No edge is faster than this, in km/h.
    pub max_speed_kmh: f64,
    /// Straight-line speed from a place to the road it snaps to, in km/h.
    pub access_speed_kmh: f64,
    /// Access keys and the values that open or block the mode (`[access]`).
    pub access: AccessRules,
    /// One-way keys, implied one-ways and contra-flow lanes (`[oneway]`).
    pub oneway: OnewayRules,
    /// Which `barrier=*` nodes the mode passes (`[barriers]`).
    pub barriers: BarrierRules,
    /// Speed per `highway=*` class in km/h; a class absent here is not usable by the mode.
    pub speed_kmh: BTreeMap<String, f64>,
    /// Speeds by hour of the week (`[[bands]]`): the first band whose hours hold at the moment
    /// of departure scales every travel time of the trip; outside all of them speeds are the
    /// class speeds above ([`FREE_FLOW`]).
    #[serde(default)]
    pub bands: Vec<SpeedBand>,
}

/// The name of the speeds outside every band of a profile: the class speeds as written.
pub const FREE_FLOW: &str = "free_flow";

/// Travel speeds over some hours of the week, as a factor of the class speeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeedBand {
    /// A short name (`morning_peak`), as reports and the API print it.
    pub name: String,
    /// When it holds, in OpenStreetMap `opening_hours` syntax (`Mo-Fr 07:00-09:00`), Hanoi time.
    pub hours: String,
    /// Speed = class speed x factor, so travel time = free-flow time / factor. The whole trip,
    /// access leg included, is taken at the factor of its departure: congestion in the rush
    /// fills the alleys (ngõ) as well as the arterials, and a 30-minute trip rarely crosses
    /// from one band into the next.
    pub factor: f64,
}

/// The speed band a moment falls in.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BandAt {
    pub name: String,
    pub factor: f64,
}

/// What a profile makes of one way: usable directions and speed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WayRule {
    /// Usable in the order of the way's nodes.
    pub forward: bool,
    /// Usable against the order of the way's nodes.
    pub backward: bool,
    /// Travel speed in km/h at the class speeds (bands scale travel times afterwards).
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

    /// Straight-line speed from a place to the road, in km/h, at the class speeds.
    pub fn access_speed_kmh(&self) -> f64 {
        self.access_speed_kmh
    }

    /// The band a departure at `at` (Hanoi time) falls in: the first whose hours hold, else
    /// [`FREE_FLOW`] at factor 1.
    pub fn band_at(&self, at: chrono::NaiveDateTime) -> BandAt {
        self.bands
            .iter()
            .find(|b| {
                crate::hours::Hours::lenient(&b.hours).state(at) == crate::hours::OpenState::Open
            })
            .map_or(
                BandAt {
                    name: FREE_FLOW.to_string(),
                    factor: 1.0,
                },
                |b| BandAt {
                    name: b.name.clone(),
                    factor: b.factor,
                },
            )
    }

    /// The band called `name` ([`FREE_FLOW`] included), if the profile has it.
    pub fn band_factor(&self, name: &str) -> Option<f64> {
        if name == FREE_FLOW {
            return Some(1.0);
        }
        self.bands.iter().find(|b| b.name == name).map(|b| b.factor)
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
        for (i, band) in self.bands.iter().enumerate() {
            if !positive(band.factor) || band.factor > 1.5 {
                return Err(bad(
                    format!("bands[{i}].factor"),
                    band.factor,
                    "a factor in (0, 1.5]",
                ));
            }
            let name_ok = !band.name.is_empty()
                && band.name != FREE_FLOW
                && band
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
            if !name_ok || self.bands[..i].iter().any(|b| b.name == band.name) {
                return Err(GraphError::ProfileList {
                    label: label.to_string(),
                    field: format!("bands[{i}].name"),
                    value: band.name.clone(),
                    problem: "is empty, twice, free_flow or not lower_snake_case",
                });
            }
            if let Err(e) = crate::hours::Hours::parse(&band.hours) {
                return Err(GraphError::ProfileList {
                    label: label.to_string(),
                    field: format!("bands[{i}].hours"),
                    value: format!("{} ({e})", band.hours),
                    problem: "is not opening_hours syntax",
                });
            }
        }
        if !positive(self.access_speed_kmh) || self.access_speed_kmh > 200.0 {
            return Err(bad(
                "access_speed_kmh".into(),
                self.access_speed_kmh,
                "a speed in (0, 200] km/h",
            ));
        }
        let bad_list = |field: &str, value: &str, problem: &'static str| GraphError::ProfileList {
            label: label.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            problem,
        };
        if self.access.keys.is_empty() {
            return Err(bad_list(
                "access.keys",
                "",
                "is empty; list at least the key \"access\"",
            ));
        }
        if let Some(v) = overlap(&self.access.open, &self.access.blocked) {
            return Err(bad_list(
                "access.open",
                v,
                "twice, or also in access.blocked",
            ));
        }
        if let Some(v) = overlap(&self.access.blocked, &[]) {
            return Err(bad_list("access.blocked", v, "twice"));
        }
        if let Some(v) = overlap(&self.barriers.pass, &self.barriers.block) {
            return Err(bad_list(
                "barriers.pass",
                v,
                "twice, or also in barriers.block",
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
    /// class is not in the profile, or access and one-way tags leave no direction.
    pub fn way_rule(&self, way: &OsmWay) -> Option<WayRule> {
        let class = way.tag("highway")?;
        let class_speed = *self.speed_kmh.get(class)?;
        if way.tag("area") == Some("yes") {
            return None;
        }
        let (forward, backward) = self.oneway.directions(&way.tags, class);
        let forward = forward && self.access.allows(&way.tags, class, WayDirection::Forward);
        let backward = backward && self.access.allows(&way.tags, class, WayDirection::Backward);
        if !forward && !backward {
            return None;
        }
        let mut speed = class_speed.min(self.max_speed_kmh);
        if self.honour_maxspeed
            && let Some(limit) = way.tag("maxspeed").and_then(parse_maxspeed_kmh)
        {
            speed = speed.min(limit);
        }
        Some(WayRule {
            forward,
            backward,
            speed_kmh: speed,
        })
    }

    /// Whether a node with these tags stops the mode: only `barrier=*` nodes can; their access
    /// keys decide first, then the barrier type.
    pub fn barrier_blocks(&self, tags: &[(String, String)]) -> bool {
        let Some(barrier) = tag_value(tags, "barrier") else {
            return false;
        };
        match self.access.decide(tags, None) {
            Access::Open => false,
            Access::Blocked => true,
            Access::Unsaid => self.barriers.blocks(barrier),
        }
    }
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
        let text = SpeedProfile::embedded_text(TravelMode::Car).replacen(
            "factor = 0.55",
            "factor = -1.0",
            1,
        );
        let err = SpeedProfile::parse(&text, "car.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bands[0].factor"), "{err}");
        assert!(err.contains("car.toml"), "{err}");
    }

    #[test]
    fn a_value_both_open_and_blocked_is_refused() {
        let text = SpeedProfile::embedded_text(TravelMode::Motorbike)
            .replace("\"discouraged\",", "\"discouraged\", \"private\",");
        let err = SpeedProfile::parse(&text, "motorbike.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("access.open") && err.contains("\"private\""),
            "{err}"
        );
    }

    #[test]
    fn a_barrier_both_passing_and_blocking_is_refused() {
        let text = SpeedProfile::embedded_text(TravelMode::Motorbike).replace(
            "block = [\"cycle_barrier\"]",
            "block = [\"cycle_barrier\", \"gate\"]",
        );
        let err = SpeedProfile::parse(&text, "motorbike.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("barriers.pass") && err.contains("\"gate\""),
            "{err}"
        );
    }

    #[test]
    fn canonical_text_reads_back_as_the_same_profile() {
        for mode in TravelMode::ALL {
            let p = SpeedProfile::embedded(mode);
            let text = p.canonical_text();
            let again = SpeedProfile::parse(&text, "canonical").unwrap();
            assert_eq!(again, p, "{mode}");
        }
    }
}
