//! The coverage rule itself, stated once: what "within 30 minutes of travel OR 5 km" says of
//! one resident and one receiving point, given what the data knows of the pair.
//!
//! Both the per-cell evaluation ([`super::PreparedCells::evaluate`]) and the optimiser's coverage
//! matrix (`scenario` placement) decide pairs with [`CoverageRule::pair_verdict`], so the plan an
//! optimiser proposes is judged by the same rule the report applies to it.
//!
//! The verdict has three values. Where the road data does not reach one end of a pair, its
//! travel time and road distance are unknown; the rule may still be decided by what is known
//! (the straight-line distance, and a lower bound on the travel time from the fastest road
//! speed). A resident is covered when some point's pair holds, uncovered when every pair fails,
//! and *unknown* otherwise: never counted as covered or uncovered.

use serde::{Deserialize, Serialize};

/// How the radius part of the rule is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RadiusKind {
    /// As the crow flies (what "within a 5 km radius" says literally).
    #[default]
    Straight,
    /// Along the shortest road path (stricter where rivers and rail cut the city).
    Network,
}

/// How the time and radius criteria combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// Served when either criterion holds (the Decision's wording: "30 minutes or 5 km").
    #[default]
    Or,
    /// Served only when one receiving point meets both limits: some point is reached within the
    /// time and also lies within the radius (for a network radius, along the fastest path to
    /// it). Often that is the point reached first, but not always: a fast road to a far point
    /// does not hide a slower point close by, so adding a point never lowers coverage.
    And,
}

/// The service promise being checked. The travel mode is the graph's, and what counts as "no
/// road data" is the snapping limit the cells were attached with ([`DEFAULT_MAX_SNAP_M`]): the
/// rule holds only the limits themselves.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageRule {
    pub max_travel_s: f64,
    pub max_radius_m: f64,
    pub radius_kind: RadiusKind,
    pub combine: Combine,
}

impl Default for CoverageRule {
    /// The Centre's promise: 30 minutes of travel or 5 km as the crow flies. The one place this
    /// default is written; the scenario's rule and every shell read it from here.
    fn default() -> Self {
        CoverageRule {
            max_travel_s: 30.0 * 60.0,
            max_radius_m: 5_000.0,
            radius_kind: RadiusKind::Straight,
            combine: Combine::Or,
        }
    }
}

/// Default distance beyond which a place is "off the road data". Half a kilometre: the longest
/// alleys of the old quarters are shorter, while a gap in an extract is usually wider.
pub const DEFAULT_MAX_SNAP_M: f64 = 500.0;

/// What the data says of a criterion or of the whole rule (three-valued logic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Holds,
    Fails,
    /// The data cannot decide: it lacks the roads the verdict needs.
    Unknown,
}

impl Verdict {
    pub(crate) fn from_bool(holds: bool) -> Verdict {
        if holds {
            Verdict::Holds
        } else {
            Verdict::Fails
        }
    }

    /// Either holds: holds if one holds, fails only if both fail.
    pub fn or(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Holds, _) | (_, Verdict::Holds) => Verdict::Holds,
            (Verdict::Fails, Verdict::Fails) => Verdict::Fails,
            _ => Verdict::Unknown,
        }
    }

    /// Both hold: fails if one fails, holds only if both hold.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Fails, _) | (_, Verdict::Fails) => Verdict::Fails,
            (Verdict::Holds, Verdict::Holds) => Verdict::Holds,
            _ => Verdict::Unknown,
        }
    }
}

/// What the road data knows of the way between a resident and a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RoadFacts {
    /// One end lies beyond the snapping limit of every usable road: time and road distance are
    /// unknown.
    Unknown,
    /// Both ends are on the road data and no road path joins them.
    Unreachable,
    /// Both ends are on the road data.
    Reached {
        /// Fastest travel time, access legs included.
        travel_s: f64,
        /// The road distance the radius is measured on: under OR the shortest road path, under
        /// AND the length of the fastest path (one trip must meet both limits).
        radius_m: f64,
    },
}

/// Everything the rule looks at for one resident and one receiving point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairFacts {
    pub road: RoadFacts,
    /// Great-circle distance.
    pub straight_m: f64,
}

impl CoverageRule {
    /// The rule for one pair. `fastest_speed_mps` is the highest speed of any road of the
    /// mode's graph: no trip is faster than the straight line at that speed, which decides the
    /// time criterion for pairs far apart even without roads.
    pub fn pair_verdict(&self, pair: &PairFacts, fastest_speed_mps: f64) -> Verdict {
        self.decide(
            pair.road,
            pair.straight_m <= self.max_radius_m,
            pair.straight_m,
            fastest_speed_mps,
        )
    }

    /// Whether the pair holds, for callers that know only on which side of the radius the
    /// straight line falls (the optimiser tests millions of pairs by chord length). The answer
    /// equals `pair_verdict(..) == Verdict::Holds`: a pair without roads can hold only by the
    /// straight radius, so the distance matters to it only through that test.
    pub fn pair_holds(&self, road: RoadFacts, within_straight_radius: bool) -> bool {
        let straight_m = if within_straight_radius {
            0.0
        } else {
            f64::INFINITY
        };
        self.decide(road, within_straight_radius, straight_m, f64::INFINITY) == Verdict::Holds
    }

    fn decide(
        &self,
        road: RoadFacts,
        within_straight_radius: bool,
        straight_m: f64,
        fastest_speed_mps: f64,
    ) -> Verdict {
        let (time, network) = match road {
            RoadFacts::Reached { travel_s, radius_m } => (
                Verdict::from_bool(travel_s <= self.max_travel_s),
                Verdict::from_bool(radius_m <= self.max_radius_m),
            ),
            RoadFacts::Unreachable => (Verdict::Fails, Verdict::Fails),
            RoadFacts::Unknown => {
                let too_far_to_ride = straight_m > fastest_speed_mps * self.max_travel_s;
                // A road path is never shorter than the straight line.
                let too_far_by_road = !within_straight_radius;
                (
                    if too_far_to_ride {
                        Verdict::Fails
                    } else {
                        Verdict::Unknown
                    },
                    if too_far_by_road {
                        Verdict::Fails
                    } else {
                        Verdict::Unknown
                    },
                )
            }
        };
        let radius = match self.radius_kind {
            RadiusKind::Straight => Verdict::from_bool(within_straight_radius),
            RadiusKind::Network => network,
        };
        match self.combine {
            Combine::Or => time.or(radius),
            Combine::And => time.and(radius),
        }
    }

    /// The verdict for a resident none of whose pairs with reachable points holds, from the
    /// points whose pairs the road data cannot judge (the nearest of them `nearest_unknown_m`
    /// away by straight line): unknown when such a pair could still hold, else uncovered.
    /// This is [`Self::pair_verdict`] of that nearest pair, whose straight distance is all the
    /// rule can know of it; nearer pairs are never less likely to hold.
    pub fn beyond_the_roads(&self, nearest_unknown_m: f64, fastest_speed_mps: f64) -> Verdict {
        let pair = PairFacts {
            road: RoadFacts::Unknown,
            straight_m: nearest_unknown_m,
        };
        match self.pair_verdict(&pair, fastest_speed_mps) {
            Verdict::Fails => Verdict::Fails,
            // With a straight radius the pair may hold outright; callers ask only when it did not.
            _ => Verdict::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: f64 = 50.0 / 3.6;

    fn rule(combine: Combine, radius_kind: RadiusKind) -> CoverageRule {
        CoverageRule {
            combine,
            radius_kind,
            ..CoverageRule::default()
        }
    }

    fn pair(road: RoadFacts, straight_m: f64) -> PairFacts {
        PairFacts { road, straight_m }
    }

    #[test]
    fn within_the_straight_radius_holds_under_or_without_roads() {
        let or = rule(Combine::Or, RadiusKind::Straight);
        let p = pair(RoadFacts::Unknown, 4_000.0);
        assert_eq!(or.pair_verdict(&p, FAST), Verdict::Holds);
        let and = rule(Combine::And, RadiusKind::Straight);
        assert_eq!(and.pair_verdict(&p, FAST), Verdict::Unknown);
        let network = rule(Combine::Or, RadiusKind::Network);
        assert_eq!(network.pair_verdict(&p, FAST), Verdict::Unknown);
    }

    #[test]
    fn beyond_the_radius_without_roads_is_unknown_under_or_and_fails_under_and() {
        let p = pair(RoadFacts::Unknown, 8_000.0);
        assert_eq!(
            rule(Combine::Or, RadiusKind::Straight).pair_verdict(&p, FAST),
            Verdict::Unknown
        );
        assert_eq!(
            rule(Combine::And, RadiusKind::Straight).pair_verdict(&p, FAST),
            Verdict::Fails
        );
        assert_eq!(
            rule(Combine::And, RadiusKind::Network).pair_verdict(&p, FAST),
            Verdict::Fails
        );
    }

    #[test]
    fn too_far_to_ride_in_time_fails_even_without_roads() {
        // 30 minutes at 50 km/h is 25 km.
        let p = pair(RoadFacts::Unknown, 26_000.0);
        assert_eq!(
            rule(Combine::Or, RadiusKind::Straight).pair_verdict(&p, FAST),
            Verdict::Fails
        );
    }

    #[test]
    fn reached_pairs_are_decided() {
        let or_network = rule(Combine::Or, RadiusKind::Network);
        let slow_but_near = pair(
            RoadFacts::Reached {
                travel_s: 3_000.0,
                radius_m: 4_500.0,
            },
            3_000.0,
        );
        assert_eq!(
            or_network.pair_verdict(&slow_but_near, FAST),
            Verdict::Holds
        );
        let and = rule(Combine::And, RadiusKind::Straight);
        assert_eq!(and.pair_verdict(&slow_but_near, FAST), Verdict::Fails);
        let unreachable = pair(RoadFacts::Unreachable, 6_000.0);
        assert_eq!(
            rule(Combine::Or, RadiusKind::Straight).pair_verdict(&unreachable, FAST),
            Verdict::Fails
        );
    }

    #[test]
    fn pair_holds_agrees_with_pair_verdict() {
        let roads = [
            RoadFacts::Unknown,
            RoadFacts::Unreachable,
            RoadFacts::Reached {
                travel_s: 1_000.0,
                radius_m: 3_000.0,
            },
            RoadFacts::Reached {
                travel_s: 2_500.0,
                radius_m: 3_000.0,
            },
            RoadFacts::Reached {
                travel_s: 1_000.0,
                radius_m: 7_000.0,
            },
            RoadFacts::Reached {
                travel_s: 2_500.0,
                radius_m: 7_000.0,
            },
        ];
        for combine in [Combine::Or, Combine::And] {
            for kind in [RadiusKind::Straight, RadiusKind::Network] {
                let r = rule(combine, kind);
                for road in roads {
                    for straight_m in [0.0, 2_000.0, 5_000.0, 5_001.0, 20_000.0, 40_000.0] {
                        let verdict = r.pair_verdict(&pair(road, straight_m), FAST);
                        assert_eq!(
                            r.pair_holds(road, straight_m <= r.max_radius_m),
                            verdict == Verdict::Holds,
                            "{combine:?} {kind:?} {road:?} {straight_m}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn three_valued_logic_tables() {
        use Verdict::*;
        for (a, b, or, and) in [
            (Holds, Holds, Holds, Holds),
            (Holds, Fails, Holds, Fails),
            (Holds, Unknown, Holds, Unknown),
            (Fails, Fails, Fails, Fails),
            (Fails, Unknown, Unknown, Fails),
            (Unknown, Unknown, Unknown, Unknown),
        ] {
            assert_eq!(a.or(b), or);
            assert_eq!(b.or(a), or);
            assert_eq!(a.and(b), and);
            assert_eq!(b.and(a), and);
        }
    }
}
