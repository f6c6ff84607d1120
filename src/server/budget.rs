//! The per-client budget of anonymous costly requests: a token bucket per client address and
//! [`Cost`] class. A request with the write token is never counted; one without it spends one
//! token of its client's bucket, and an empty bucket answers 429 with `Retry-After`. Sizes are
//! in [`super::limits::SERVER_LIMITS`].

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::extract::has_write_token;
use crate::server::limits::{Cost, ServerLimits};

/// What is left of one client's budget of one class.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Every client's buckets.
pub struct ClientBudgets {
    limits: ServerLimits,
    buckets: Mutex<HashMap<(IpAddr, Cost), Bucket>>,
}

impl ClientBudgets {
    pub fn new(limits: ServerLimits) -> ClientBudgets {
        ClientBudgets {
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one request of `client`'s `cost` budget at `now`; `Err(seconds)` when it is spent,
    /// with the wait until one request is given back.
    pub fn take(&self, client: IpAddr, cost: Cost, now: Instant) -> Result<(), u64> {
        let (burst, per_minute) = cost.budget(&self.limits);
        let burst = f64::from(burst);
        let per_s = f64::from(per_minute) / 60.0;
        // A poisoned map holds only whole buckets: keep using it.
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= self.limits.max_tracked_clients
            && !buckets.contains_key(&(client, cost))
        {
            forget_fullest(&mut buckets, now, burst, per_s);
        }
        let bucket = buckets.entry((client, cost)).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed_s = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed_s * per_s).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if per_s > 0.0 {
            Err(((1.0 - bucket.tokens) / per_s).ceil().max(1.0) as u64)
        } else {
            Err(60)
        }
    }

    /// Clients remembered now.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }
}

/// Drops the half of the buckets closest to full: forgetting them costs their clients at most
/// what they had left, so a flood of new addresses cannot grow memory without bound.
fn forget_fullest(
    buckets: &mut HashMap<(IpAddr, Cost), Bucket>,
    now: Instant,
    burst: f64,
    per_s: f64,
) {
    let level = |b: &Bucket| {
        (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_s).min(burst)
    };
    let mut levels: Vec<f64> = buckets.values().map(level).collect();
    let middle = levels.len() / 2;
    levels.select_nth_unstable_by(middle, f64::total_cmp);
    let cut = levels[middle];
    buckets.retain(|_, b| level(b) < cut);
}

/// The address a request came from; requests built in tests (no socket) share one.
fn client_of(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| {
            addr.ip()
        })
}

fn charge(parts: &Parts, state: &AppState, cost: Cost) -> Result<(), ApiError> {
    if has_write_token(parts, state) {
        return Ok(());
    }
    let (burst, per_minute) = cost.budget(state.limits());
    state
        .budgets()
        .take(client_of(parts), cost, Instant::now())
        .map_err(|wait_s| {
            ApiError::too_many_requests(
                format!(
                    "this address has made its {burst} {} requests without the write token; one more is given back every {:.0} s (try again in {wait_s} s), or send `Authorization: Bearer <token>`",
                    match cost {
                        Cost::Area => "whole-area",
                        Cost::Place => "per-place",
                    },
                    60.0 / f64::from(per_minute.max(1)),
                ),
                wait_s,
            )
        })
}

/// Proof that a whole-area computation may run: the write token, or the client's budget.
pub struct AreaBudget;

impl FromRequestParts<AppState> for AreaBudget {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        charge(parts, state, Cost::Area).map(|()| AreaBudget)
    }
}

/// Proof that a per-place question may run: the write token, or the client's budget.
pub struct PlaceBudget;

impl FromRequestParts<AppState> for PlaceBudget {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        charge(parts, state, Cost::Place).map(|()| PlaceBudget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::limits::SERVER_LIMITS;
    use std::time::Duration;

    #[test]
    fn a_bucket_empties_and_refills_at_its_rate() {
        let limits = ServerLimits {
            anonymous_area_burst: 2,
            anonymous_area_per_minute: 60,
            ..SERVER_LIMITS
        };
        let budgets = ClientBudgets::new(limits);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let t0 = Instant::now();
        assert_eq!(budgets.take(a, Cost::Area, t0), Ok(()));
        assert_eq!(budgets.take(a, Cost::Area, t0), Ok(()));
        assert_eq!(budgets.take(a, Cost::Area, t0), Err(1));
        // Another client and another class have budgets of their own.
        assert_eq!(budgets.take(b, Cost::Area, t0), Ok(()));
        assert_eq!(budgets.take(a, Cost::Place, t0), Ok(()));
        // One a second comes back.
        let t1 = t0 + Duration::from_millis(1_100);
        assert_eq!(budgets.take(a, Cost::Area, t1), Ok(()));
        assert_eq!(budgets.take(a, Cost::Area, t1), Err(1));
    }

    #[test]
    fn many_clients_are_bounded() {
        let limits = ServerLimits {
            max_tracked_clients: 100,
            ..SERVER_LIMITS
        };
        let budgets = ClientBudgets::new(limits);
        let now = Instant::now();
        for i in 0..10_000u32 {
            let _ = budgets.take(IpAddr::from(i.to_be_bytes()), Cost::Place, now);
        }
        assert!(budgets.tracked() <= 100, "{} tracked", budgets.tracked());
    }
}
