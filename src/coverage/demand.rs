//! How many residents come to a receiving point, and when: the assumptions that turn a
//! catchment's residents into arrivals at its peak hour.
//!
//! The Centre publishes no visit counts per point yet, so every figure here is an *assumption*
//! with a stated default (`data/README.md` explains each). A planner changes them to test, say,
//! 30 % or 60 % of procedures done online.

use serde::{Deserialize, Serialize};

/// Weeks in a year (365.25 / 7): visits of a year spread over the weeks a point opens.
pub const WEEKS_PER_YEAR: f64 = 365.25 / 7.0;

/// Days a week a point opens when its opening hours are empty or not understood: Monday to
/// Saturday morning, the desks' usual hours (`Mo-Fr 08:00-17:00; Sa 08:00-12:00`).
pub const DEFAULT_OPEN_DAYS_PER_WEEK: u32 = 6;

/// What the load of a point is computed from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DemandAssumptions {
    /// Procedures a resident starts per year, online or in person (residence, civil status,
    /// land, business papers together). Default 0.5: about four million a year for Hanoi's
    /// eight million residents.
    pub visits_per_resident_year: f64,
    /// Share of procedures done online, 0..=1 (the Decision aims at all of them). Default 0.3.
    pub share_online: f64,
    /// Share of a day's visits that arrive in its busiest hour, 0..=1. Default 0.2: a morning
    /// peak of about twice the mean of an eight-to-nine-hour day.
    pub peak_hour_share: f64,
    /// Minutes one counter spends on one visit. Default 15.
    pub service_min: f64,
}

impl Default for DemandAssumptions {
    fn default() -> Self {
        DemandAssumptions {
            visits_per_resident_year: 0.5,
            share_online: 0.3,
            peak_hour_share: 0.2,
            service_min: 15.0,
        }
    }
}

/// Most visits per resident per year accepted: beyond one a week the figure is a typo.
pub const MAX_VISITS_PER_RESIDENT_YEAR: f64 = 52.0;
/// Longest service time accepted, minutes: a whole working day.
pub const MAX_SERVICE_MIN: f64 = 480.0;

/// An assumption out of range: the field and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} is {value}; expected {expected}")]
pub struct DemandError {
    pub field: &'static str,
    pub value: f64,
    pub expected: String,
}

impl DemandAssumptions {
    /// Checks every field: finite, in its range.
    pub fn validate(&self) -> Result<(), DemandError> {
        let check = |field, value: f64, ok: bool, expected: String| {
            if value.is_finite() && ok {
                Ok(())
            } else {
                Err(DemandError {
                    field,
                    value,
                    expected,
                })
            }
        };
        check(
            "visits_per_resident_year",
            self.visits_per_resident_year,
            (0.0..=MAX_VISITS_PER_RESIDENT_YEAR).contains(&self.visits_per_resident_year),
            format!("visits per resident per year from 0 to {MAX_VISITS_PER_RESIDENT_YEAR}"),
        )?;
        check(
            "share_online",
            self.share_online,
            (0.0..=1.0).contains(&self.share_online),
            "a share from 0 to 1 (0 % to 100 % of procedures online)".into(),
        )?;
        check(
            "peak_hour_share",
            self.peak_hour_share,
            self.peak_hour_share > 0.0 && self.peak_hour_share <= 1.0,
            "a share of a day's visits above 0 and at most 1".into(),
        )?;
        check(
            "service_min",
            self.service_min,
            self.service_min > 0.0 && self.service_min <= MAX_SERVICE_MIN,
            format!("minutes per visit above 0 and at most {MAX_SERVICE_MIN}"),
        )
    }

    /// Visits in person per resident per year.
    pub fn in_person_per_resident_year(&self) -> f64 {
        self.visits_per_resident_year * (1.0 - self.share_online)
    }

    /// Visits in person per year of `residents`.
    pub fn visits_per_year(&self, residents: f64) -> f64 {
        residents * self.in_person_per_resident_year()
    }

    /// Arrivals in the peak hour of an open day at a point serving `residents` and open
    /// `open_days_per_week` days (at least one).
    pub fn peak_arrivals_per_hour(&self, residents: f64, open_days_per_week: u32) -> f64 {
        let days_per_year = WEEKS_PER_YEAR * f64::from(open_days_per_week.max(1));
        self.visits_per_year(residents) / days_per_year * self.peak_hour_share
    }

    /// The residents whose peak-hour arrivals are `arrivals_per_hour`: the inverse of
    /// [`Self::peak_arrivals_per_hour`] (infinite when nobody comes in person).
    pub fn residents_for_arrivals(&self, arrivals_per_hour: f64, open_days_per_week: u32) -> f64 {
        let per_resident = self.peak_arrivals_per_hour(1.0, open_days_per_week);
        if per_resident > 0.0 {
            arrivals_per_hour / per_resident
        } else {
            f64::INFINITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_name_their_field() {
        assert!(DemandAssumptions::default().validate().is_ok());
        for (bad, field) in [
            (
                DemandAssumptions {
                    share_online: 1.2,
                    ..Default::default()
                },
                "share_online",
            ),
            (
                DemandAssumptions {
                    service_min: f64::NAN,
                    ..Default::default()
                },
                "service_min",
            ),
            (
                DemandAssumptions {
                    visits_per_resident_year: -1.0,
                    ..Default::default()
                },
                "visits_per_resident_year",
            ),
            (
                DemandAssumptions {
                    peak_hour_share: 0.0,
                    ..Default::default()
                },
                "peak_hour_share",
            ),
        ] {
            let e = bad.validate().err();
            assert_eq!(e.map(|e| e.field), Some(field));
        }
    }

    #[test]
    fn arrivals_by_hand() {
        // 100,000 residents × 0.5 visits × 70 % in person = 35,000 visits a year; over
        // 52.18 weeks × 6 days = 313.07 days, 111.8 a day; a fifth in the peak hour: 22.36.
        let d = DemandAssumptions::default();
        let peak = d.peak_arrivals_per_hour(100_000.0, 6);
        assert!((peak - 35_000.0 / (365.25 / 7.0 * 6.0) * 0.2).abs() < 1e-9);
        assert!((peak - 22.36).abs() < 0.01);
        assert!((d.residents_for_arrivals(peak, 6) - 100_000.0).abs() < 1e-6);
    }
}
