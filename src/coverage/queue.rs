//! The queue at a receiving point in its peak hour, as an M/M/c system: residents arrive at
//! random (Poisson, `arrivals_per_hour`), each counter serves one at a time for an exponential
//! time of mean `service_min`, and whoever finds every counter busy waits in one line.
//!
//! The expected wait is the Erlang C formula. With offered load `a = λ / μ` erlangs and `c`
//! counters, the utilisation is `ρ = a / c`; when `ρ ≥ 1` arrivals outpace service and the line
//! grows without end: there is no steady state and no expected wait to report
//! ([`QueueLevel::Overloaded`]). Below that, `P(wait) = C(c, a)` and the mean wait in line is
//! `C(c, a) / (c μ − λ)`.

use serde::Serialize;

/// Utilisation from which a point is *strained*: waits grow steeply past it (at ρ = 0.85 one
/// counter's mean wait is already 5.7 service times), so planners of service desks and call
/// centres keep peak utilisation below it.
pub const STRAINED_UTILISATION: f64 = 0.85;

/// Utilisation from which a point is *overloaded*: the line never settles.
pub const OVERLOADED_UTILISATION: f64 = 1.0;

/// Most counters [`counters_needed`] will propose: beyond a thousand at one point the answer
/// is "another point", not more counters.
pub const MAX_COUNTERS: u32 = 1_000;

/// How loaded a point is at its peak hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueLevel {
    /// ρ below [`STRAINED_UTILISATION`].
    Fine,
    /// ρ from [`STRAINED_UTILISATION`] up to 1: a steady state exists, but waits are long and
    /// swing widely.
    Strained,
    /// ρ ≥ 1 (or no counter at all): no steady state, no expected wait.
    Overloaded,
}

impl QueueLevel {
    pub const ALL: [QueueLevel; 3] = [
        QueueLevel::Fine,
        QueueLevel::Strained,
        QueueLevel::Overloaded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueLevel::Fine => "fine",
            QueueLevel::Strained => "strained",
            QueueLevel::Overloaded => "overloaded",
        }
    }

    /// The level of a utilisation.
    pub fn of(utilisation: f64) -> QueueLevel {
        if utilisation.is_nan() || utilisation >= OVERLOADED_UTILISATION {
            QueueLevel::Overloaded
        } else if utilisation >= STRAINED_UTILISATION {
            QueueLevel::Strained
        } else {
            QueueLevel::Fine
        }
    }
}

/// One point's queue at its peak hour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Queue {
    pub arrivals_per_hour: f64,
    pub service_min: f64,
    pub counters: u32,
}

impl Queue {
    /// Offered load in erlangs: counters' worth of work arriving per unit of time.
    pub fn offered_erlangs(&self) -> f64 {
        self.arrivals_per_hour * self.service_min / 60.0
    }

    /// ρ = a / c; infinite without counters while anyone arrives.
    pub fn utilisation(&self) -> f64 {
        let a = self.offered_erlangs();
        if self.counters == 0 {
            if a > 0.0 { f64::INFINITY } else { 0.0 }
        } else {
            a / f64::from(self.counters)
        }
    }

    pub fn level(&self) -> QueueLevel {
        QueueLevel::of(self.utilisation())
    }

    /// The probability that an arrival waits (Erlang C); `None` when overloaded.
    pub fn wait_probability(&self) -> Option<f64> {
        (self.level() != QueueLevel::Overloaded)
            .then(|| erlang_c(self.counters, self.offered_erlangs()))
    }

    /// Expected wait in line before a counter, minutes; `None` when overloaded.
    pub fn mean_wait_min(&self) -> Option<f64> {
        let p = self.wait_probability()?;
        if self.arrivals_per_hour <= 0.0 {
            return Some(0.0);
        }
        let per_counter_per_min = 1.0 / self.service_min;
        let arrivals_per_min = self.arrivals_per_hour / 60.0;
        Some(p / (f64::from(self.counters) * per_counter_per_min - arrivals_per_min))
    }
}

/// Erlang C: the probability that an arrival finds all `counters` busy, for an offered load of
/// `erlangs < counters`. Computed through the Erlang B recursion `B(k) = a B(k−1) / (k + a
/// B(k−1))`, which stays within floating point for thousands of counters (the factorial form
/// overflows past 170), then `C = c B / (c − a (1 − B))`.
pub fn erlang_c(counters: u32, erlangs: f64) -> f64 {
    if erlangs <= 0.0 {
        return 0.0;
    }
    let c = f64::from(counters);
    if erlangs >= c {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=counters {
        b = erlangs * b / (f64::from(k) + erlangs * b);
    }
    c * b / (c - erlangs * (1.0 - b))
}

/// The fewest counters for which the expected wait is at most `max_wait_min`, or `None` when
/// even [`MAX_COUNTERS`] are not enough. No arrivals need no counter.
pub fn counters_needed(arrivals_per_hour: f64, service_min: f64, max_wait_min: f64) -> Option<u32> {
    if arrivals_per_hour <= 0.0 {
        return Some(0);
    }
    let erlangs = arrivals_per_hour * service_min / 60.0;
    // Below floor(a) + 1 counters the line never settles; the wait falls as counters are added.
    let first = (erlangs.floor() as u64 + 1).min(u64::from(MAX_COUNTERS) + 1) as u32;
    (first.max(1)..=MAX_COUNTERS).find(|&counters| {
        Queue {
            arrivals_per_hour,
            service_min,
            counters,
        }
        .mean_wait_min()
        .is_some_and(|w| w <= max_wait_min)
    })
}

/// The highest arrival rate (per hour) that `counters` serve with an expected wait of at most
/// `max_wait_min`: the point's capacity as the capacity-aware assignment counts it. The wait
/// rises with the arrival rate, so a bisection finds it (to a millionth of the top rate).
pub fn arrivals_within_wait(counters: u32, service_min: f64, max_wait_min: f64) -> f64 {
    if counters == 0 {
        return 0.0;
    }
    let top = f64::from(counters) * 60.0 / service_min;
    let within = |arrivals_per_hour: f64| {
        Queue {
            arrivals_per_hour,
            service_min,
            counters,
        }
        .mean_wait_min()
        .is_some_and(|w| w <= max_wait_min)
    };
    let (mut low, mut high) = (0.0, top);
    for _ in 0..60 {
        let mid = 0.5 * (low + high);
        if within(mid) {
            low = mid;
        } else {
            high = mid;
        }
        if high - low <= top * 1e-6 {
            break;
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_matches_published_table_values() {
        // The Erlang C table for 10 erlangs (call-centre staffing tables print these to four
        // decimals): 11 agents 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741, 15: 0.1020.
        for (c, p) in [
            (11, 0.6821),
            (12, 0.4494),
            (13, 0.2853),
            (14, 0.1741),
            (15, 0.1020),
        ] {
            assert!(
                (erlang_c(c, 10.0) - p).abs() < 5e-5,
                "{c}: {}",
                erlang_c(c, 10.0)
            );
        }
        // Two servers at one erlang: B = 0.2, C = 0.2 / (1 − 0.5 · 0.8) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // One server: C = ρ, and the M/M/1 wait ρ / (μ − λ).
        let q = Queue {
            arrivals_per_hour: 3.0,
            service_min: 15.0,
            counters: 1,
        };
        assert!((q.wait_probability().unwrap_or(0.0) - 0.75).abs() < 1e-12);
        // μ = 4/h, λ = 3/h: Wq = 0.75 / 1 per hour = 45 minutes.
        assert!((q.mean_wait_min().unwrap_or(0.0) - 45.0).abs() < 1e-9);
    }

    #[test]
    fn thousands_of_counters_stay_finite() {
        let p = erlang_c(2_000, 1_950.0);
        assert!(p.is_finite() && (0.0..=1.0).contains(&p));
    }

    #[test]
    fn levels_at_their_thresholds() {
        assert_eq!(QueueLevel::of(0.84), QueueLevel::Fine);
        assert_eq!(QueueLevel::of(0.85), QueueLevel::Strained);
        assert_eq!(QueueLevel::of(1.0), QueueLevel::Overloaded);
        assert_eq!(QueueLevel::of(f64::NAN), QueueLevel::Overloaded);
        let over = Queue {
            arrivals_per_hour: 8.0,
            service_min: 15.0,
            counters: 2,
        };
        assert_eq!(over.level(), QueueLevel::Overloaded);
        assert_eq!(over.mean_wait_min(), None);
    }

    #[test]
    fn counters_needed_is_the_fewest_meeting_the_wait() {
        // 10 erlangs (40 arrivals per hour of 15 minutes each).
        let needed = counters_needed(40.0, 15.0, 2.0);
        let Some(c) = needed else { panic!("no answer") };
        let wait = |c| {
            Queue {
                arrivals_per_hour: 40.0,
                service_min: 15.0,
                counters: c,
            }
            .mean_wait_min()
        };
        assert!(wait(c).is_some_and(|w| w <= 2.0));
        assert!(wait(c - 1).is_none_or(|w| w > 2.0));
        assert_eq!(counters_needed(0.0, 15.0, 5.0), Some(0));
        assert_eq!(counters_needed(1e9, 15.0, 5.0), None);
    }

    #[test]
    fn capacity_is_where_the_wait_reaches_the_limit() {
        let cap = arrivals_within_wait(12, 15.0, 10.0);
        let at = |arrivals_per_hour| {
            Queue {
                arrivals_per_hour,
                service_min: 15.0,
                counters: 12,
            }
            .mean_wait_min()
        };
        assert!(at(cap).is_some_and(|w| w <= 10.0));
        assert!(at(cap * 1.001).is_none_or(|w| w > 10.0));
        assert_eq!(arrivals_within_wait(0, 15.0, 10.0), 0.0);
    }
}
