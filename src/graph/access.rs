//! Reading OpenStreetMap access, one-way and barrier tags for one travel mode.
//!
//! The rules follow the OSM wiki (Key:access, Key:oneway, Key:barrier) and the behaviour the
//! car, bicycle and foot profiles of mature routers are tested for; the profile files
//! (`data/profiles/<mode>.toml`) name the keys and values, this module only reads them:
//!
//! - **Access.** The profile lists its keys most specific first (`motorcycle`, `motor_vehicle`,
//!   `vehicle`, `access` for motorbikes). For each direction of a way, each key is read as
//!   `key:forward` (or `key:backward`) and then `key`; the first value that *decides* wins. A
//!   value decides when the profile lists it as opening (`yes`, `designated`, `destination` …)
//!   or blocking (`no`, `private`, `psv`, `military` …). A value it does not list (a typo,
//!   `unknown`, a lane list) does not decide: the next, broader key is read, so an unclear
//!   value can neither open a closed road nor close an open one. A semicolon list
//!   (`agricultural;forestry`) opens when one of its values opens, else blocks when one blocks.
//! - **One-way.** The profile lists its one-way keys most specific first (`oneway:motorcycle`,
//!   `oneway:motor_vehicle`, `oneway:vehicle`, `oneway`); the first known value decides.
//!   `yes`/`1`/`true` keep the drawn direction, `-1`/`reverse` the opposite one, `no`/`0`/`false`
//!   both (and cancel an implied one-way); `alternating` (a narrow passage taken in turns, e.g.
//!   behind a traffic light) is usable both ways, `reversible` (direction switched a few times a
//!   day) neither. Without a deciding key, listed classes (`motorway`) and junctions
//!   (`roundabout`, `circular`) are one-way. A contra-flow lane (`cycleway=opposite_lane` …)
//!   opens the closed direction unless the mode's own key (the first listed) decided.
//! - **Barriers.** A node with `barrier=*` is passable or not: access keys on the node decide
//!   first (a gate with `access=private` blocks, a bollard with `motorcycle=yes` lets motorbikes
//!   through), else the barrier type (listed as passing or blocking, others by the profile's
//!   default). Access tags on nodes that are not barriers (crossings, entrances) are not read:
//!   they describe the crossing, not passage along the road.

use serde::{Deserialize, Serialize};

use crate::ingest::tag_value as tag;

/// Which access keys a mode reads and which values open or block it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRules {
    /// Access keys, most specific first; the first one with a deciding value decides.
    pub keys: Vec<String>,
    /// Values that open the way to the mode.
    pub open: Vec<String>,
    /// Values that close the way to the general public of the mode.
    pub blocked: Vec<String>,
    /// Highway classes usable only when an access key opens them explicitly.
    #[serde(default)]
    pub explicit_only: Vec<String>,
}

/// What the access tags say for one direction (or for a node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A key opens it.
    Open,
    /// A key closes it.
    Blocked,
    /// No key decides: the highway class decides.
    Unsaid,
}

/// A direction along a way, relative to the order of its nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WayDirection {
    Forward,
    Backward,
}

impl WayDirection {
    fn suffix(self) -> &'static str {
        match self {
            WayDirection::Forward => "forward",
            WayDirection::Backward => "backward",
        }
    }
}

impl AccessRules {
    /// How one value reads: `None` when the profile does not know it.
    pub fn value(&self, value: &str) -> Option<Access> {
        let listed = |list: &[String], v: &str| list.iter().any(|x| x == v);
        let mut blocked = false;
        for part in value.split(';').map(str::trim) {
            if listed(&self.open, part) {
                return Some(Access::Open);
            }
            blocked |= listed(&self.blocked, part);
        }
        blocked.then_some(Access::Blocked)
    }

    /// What the tags say for travel in `direction` (`None`: a node, no direction).
    pub fn decide(&self, tags: &[(String, String)], direction: Option<WayDirection>) -> Access {
        for key in &self.keys {
            let directed = direction.and_then(|d| tag(tags, &format!("{key}:{}", d.suffix())));
            for value in [directed, tag(tags, key)].into_iter().flatten() {
                if let Some(access) = self.value(value) {
                    return access;
                }
            }
        }
        Access::Unsaid
    }

    /// Whether a way of `class` may be used in `direction`.
    pub fn allows(&self, tags: &[(String, String)], class: &str, direction: WayDirection) -> bool {
        match self.decide(tags, Some(direction)) {
            Access::Open => true,
            Access::Blocked => false,
            Access::Unsaid => !self.explicit_only.iter().any(|c| c == class),
        }
    }
}

/// What one one-way value says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oneway {
    /// Only in the order of the way's nodes.
    Forward,
    /// Only against it.
    Backward,
    /// Both ways (`no`, and `alternating`: both directions are served, in turns).
    Both,
    /// Neither (`reversible`: the direction changes by time of day, none can be relied on).
    Neither,
}

impl Oneway {
    /// Reads a one-way value; `None` for values no router knows.
    pub fn parse(value: &str) -> Option<Oneway> {
        match value.trim() {
            "yes" | "1" | "true" => Some(Oneway::Forward),
            "-1" | "reverse" => Some(Oneway::Backward),
            "no" | "0" | "false" | "alternating" => Some(Oneway::Both),
            "reversible" => Some(Oneway::Neither),
            _ => None,
        }
    }

    /// `(forward, backward)` usability.
    pub fn directions(self) -> (bool, bool) {
        match self {
            Oneway::Forward => (true, false),
            Oneway::Backward => (false, true),
            Oneway::Both => (true, true),
            Oneway::Neither => (false, false),
        }
    }
}

/// Which one-way keys a mode reads, which ways are one-way by default, and contra-flow lanes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnewayRules {
    /// One-way keys, most specific first; the first known value decides. Empty: no one-ways.
    pub keys: Vec<String>,
    /// Highway classes that are one-way unless a key says otherwise.
    #[serde(default)]
    pub implied_by_class: Vec<String>,
    /// `junction=*` values that make a way one-way unless a key says otherwise.
    #[serde(default)]
    pub implied_by_junction: Vec<String>,
    /// Keys that can map a lane for this mode against the traffic (`cycleway`, `cycleway:left`).
    #[serde(default)]
    pub contraflow_keys: Vec<String>,
    /// Values of those keys that mean such a lane (`opposite`, `opposite_lane`).
    #[serde(default)]
    pub contraflow_values: Vec<String>,
}

impl OnewayRules {
    /// `(forward, backward)`: in which directions a way of `class` may be travelled.
    pub fn directions(&self, tags: &[(String, String)], class: &str) -> (bool, bool) {
        let decided = self
            .keys
            .iter()
            .enumerate()
            .find_map(|(i, k)| tag(tags, k).and_then(Oneway::parse).map(|o| (i, o)));
        let (forward, backward) = match decided {
            Some((_, oneway)) => oneway.directions(),
            None => {
                let implied = self.implied_by_class.iter().any(|c| c == class)
                    || tag(tags, "junction")
                        .is_some_and(|j| self.implied_by_junction.iter().any(|x| x == j));
                (true, !implied)
            }
        };
        let own_key_decided = matches!(decided, Some((0, _)));
        if forward != backward && !own_key_decided && self.has_contraflow(tags) {
            return (true, true);
        }
        (forward, backward)
    }

    fn has_contraflow(&self, tags: &[(String, String)]) -> bool {
        self.contraflow_keys.iter().any(|k| {
            tag(tags, k).is_some_and(|v| self.contraflow_values.iter().any(|x| x == v.trim()))
        })
    }
}

/// What a `barrier=*` value not listed in [`BarrierRules`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unlisted {
    Pass,
    Block,
}

/// Which barrier nodes a mode can pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BarrierRules {
    /// Barrier types the mode passes.
    #[serde(default)]
    pub pass: Vec<String>,
    /// Barrier types that stop the mode.
    #[serde(default)]
    pub block: Vec<String>,
    /// What every other type does.
    pub unlisted: Unlisted,
}

impl BarrierRules {
    /// Whether a barrier of type `barrier` stops the mode when no access key on it decides.
    pub fn blocks(&self, barrier: &str) -> bool {
        let barrier = barrier.trim();
        if self.pass.iter().any(|b| b == barrier) {
            false
        } else if self.block.iter().any(|b| b == barrier) {
            true
        } else {
            self.unlisted == Unlisted::Block
        }
    }
}

/// The first value listed twice, in both lists or in one.
pub(crate) fn overlap<'a>(a: &'a [String], b: &[String]) -> Option<&'a str> {
    a.iter()
        .enumerate()
        .find(|&(i, v)| b.contains(v) || a[..i].contains(v))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn rules() -> AccessRules {
        AccessRules {
            keys: vec!["motorcar".into(), "vehicle".into(), "access".into()],
            open: vec!["yes".into(), "destination".into()],
            blocked: vec!["no".into(), "agricultural".into(), "forestry".into()],
            explicit_only: vec!["footway".into()],
        }
    }

    #[test]
    fn semicolon_lists_open_if_one_value_opens() {
        let r = rules();
        assert_eq!(r.value("agricultural;forestry"), Some(Access::Blocked));
        assert_eq!(r.value("agricultural; destination"), Some(Access::Open));
        assert_eq!(r.value("unknown"), None);
        assert_eq!(r.value("unknown;no"), Some(Access::Blocked));
    }

    #[test]
    fn an_unknown_specific_value_leaves_the_broader_key_in_force() {
        let r = rules();
        let t = tags(&[("access", "no"), ("motorcar", "sometimes")]);
        assert_eq!(r.decide(&t, Some(WayDirection::Forward)), Access::Blocked);
    }

    #[test]
    fn directed_keys_come_before_their_plain_key() {
        let r = rules();
        let t = tags(&[("vehicle", "yes"), ("vehicle:backward", "no")]);
        assert_eq!(r.decide(&t, Some(WayDirection::Forward)), Access::Open);
        assert_eq!(r.decide(&t, Some(WayDirection::Backward)), Access::Blocked);
        // Nodes have no direction: the directed keys are not read.
        assert_eq!(r.decide(&t, None), Access::Open);
    }

    #[test]
    fn listing_a_value_twice_is_found() {
        let a: Vec<String> = vec!["yes".into(), "no".into()];
        assert_eq!(overlap(&a, &["no".into()]), Some("no"));
        assert_eq!(overlap(&a, &[]), None);
        let twice: Vec<String> = vec!["yes".into(), "yes".into()];
        assert_eq!(overlap(&twice, &[]), Some("yes"));
    }
}
