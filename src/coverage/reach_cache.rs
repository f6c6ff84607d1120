//! The cells each receiving point reaches within the time limit, kept between evaluations.
//!
//! A planner moves one point at a time, and every evaluation with load and queues needs, per
//! point, the cells within the time limit (one sweep of the hierarchy per eight points: most of
//! the time of such an evaluation). A point that did not move reaches the same cells, so its
//! row is kept, keyed by where it stands and the limit. The cache is bounded by the pairs it
//! holds; beyond that the oldest rows go first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::routing::matrix::Reach;

/// Most (cell, point) pairs kept: 24 bytes each, so about 25 MB.
pub const MAX_CACHED_PAIRS: usize = 1 << 20;

/// Where a point stands and the time limit, exactly (bit patterns): a row is reused only for
/// the very same question.
pub type ReachKey = (u64, u64, u64);

pub fn reach_key(lon: f64, lat: f64, max_travel_s: f64) -> ReachKey {
    (lon.to_bits(), lat.to_bits(), max_travel_s.to_bits())
}

#[derive(Default)]
struct Rows {
    rows: HashMap<ReachKey, Arc<Vec<Reach>>>,
    /// Insertion order, oldest first.
    order: VecDeque<ReachKey>,
    pairs: usize,
}

/// Rows of reached cells by point; see the module documentation.
#[derive(Default)]
pub struct ReachCache {
    inner: Mutex<Rows>,
}

impl ReachCache {
    pub fn get(&self, key: &ReachKey) -> Option<Arc<Vec<Reach>>> {
        self.lock().rows.get(key).cloned()
    }

    /// Keeps `row` under `key`, dropping the oldest rows while more than
    /// [`MAX_CACHED_PAIRS`] pairs are held. A row larger than the whole budget is not kept.
    pub fn put(&self, key: ReachKey, row: Arc<Vec<Reach>>) {
        if row.len() > MAX_CACHED_PAIRS {
            return;
        }
        let mut inner = self.lock();
        if inner.rows.contains_key(&key) {
            return;
        }
        inner.pairs += row.len();
        inner.rows.insert(key, row);
        inner.order.push_back(key);
        while inner.pairs > MAX_CACHED_PAIRS {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.rows.remove(&oldest) {
                inner.pairs -= gone.len();
            }
        }
    }

    /// Pairs held now.
    pub fn pairs(&self) -> usize {
        self.lock().pairs
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rows> {
        // The map only ever holds whole rows: a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clone for ReachCache {
    /// A copy starts empty: the rows are a cache, not state.
    fn clone(&self) -> Self {
        ReachCache::default()
    }
}

impl std::fmt::Debug for ReachCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReachCache({} pairs)", self.pairs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize) -> Arc<Vec<Reach>> {
        Arc::new(
            (0..n)
                .map(|i| Reach {
                    demand: i as u32,
                    travel_s: i as f64,
                    length_m: 0.0,
                })
                .collect(),
        )
    }

    #[test]
    fn the_oldest_rows_go_first_beyond_the_budget() {
        let cache = ReachCache::default();
        let half = MAX_CACHED_PAIRS / 2;
        cache.put(reach_key(1.0, 1.0, 1800.0), row(half));
        cache.put(reach_key(2.0, 2.0, 1800.0), row(half));
        assert_eq!(cache.pairs(), 2 * half);
        cache.put(reach_key(3.0, 3.0, 1800.0), row(10));
        assert!(cache.get(&reach_key(1.0, 1.0, 1800.0)).is_none());
        assert!(cache.get(&reach_key(2.0, 2.0, 1800.0)).is_some());
        assert!(cache.get(&reach_key(3.0, 3.0, 1800.0)).is_some());
        assert!(cache.pairs() <= MAX_CACHED_PAIRS);
        // Another limit is another question.
        assert!(cache.get(&reach_key(3.0, 3.0, 900.0)).is_none());
    }
}
