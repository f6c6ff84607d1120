//! Which cells lie near a place: a bucket grid over the cell centres, so that "every cell
//! within 5 km of this point" reads a few hundred cells instead of the whole city.

use crate::graph::LocalProjection;

/// Cell centres bucketed on a square grid in the local metric frame. Answers are candidates
/// (a superset within a 10 % margin); the caller decides each by the great circle.
pub struct CellGrid {
    frame: LocalProjection,
    bucket_m: f64,
    /// The south-west corner of the grid, metres in `frame`.
    min: [f64; 2],
    nx: usize,
    ny: usize,
    /// Members of bucket `b` are `members[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    members: Vec<u32>,
}

impl CellGrid {
    /// A grid over `places` (lon, lat) with buckets about `bucket_m` wide; pick the radius the
    /// questions will ask, so that each reads at most nine buckets.
    pub fn new(places: &[(f64, f64)], bucket_m: f64) -> CellGrid {
        let bucket_m = if bucket_m.is_finite() && bucket_m > 1.0 {
            bucket_m
        } else {
            1_000.0
        };
        // Scaled at the parallel nearest the equator: east-west distances are never
        // shortened, only lengthened a little towards the poles (within the margin of `near`
        // up to a span of about 25 degrees of latitude, a whole country).
        let widest = places
            .iter()
            .map(|p| p.1)
            .min_by(|a, b| a.abs().total_cmp(&b.abs()))
            .unwrap_or(0.0);
        let frame = LocalProjection::around((0.0, widest));
        let projected: Vec<[f64; 2]> = places.iter().map(|&p| frame.to_metres(p)).collect();
        let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in &projected {
            for k in 0..2 {
                min[k] = min[k].min(p[k]);
                max[k] = max[k].max(p[k]);
            }
        }
        if projected.is_empty() {
            (min, max) = ([0.0; 2], [0.0; 2]);
        }
        // At most a few million buckets, whatever the extent and bucket size.
        let (span_x, span_y) = (max[0] - min[0], max[1] - min[1]);
        let bucket_m = bucket_m.max((span_x * span_y / 4e6).sqrt());
        let nx = (span_x / bucket_m) as usize + 1;
        let ny = (span_y / bucket_m) as usize + 1;
        let mut grid = CellGrid {
            frame,
            bucket_m,
            min,
            nx,
            ny,
            starts: vec![0; nx * ny + 1],
            members: vec![0; places.len()],
        };
        let bucket_of: Vec<usize> = projected
            .iter()
            .map(|&xy| {
                let (x, y) = grid.bucket(xy);
                y * nx + x
            })
            .collect();
        for &b in &bucket_of {
            grid.starts[b + 1] += 1;
        }
        for b in 0..nx * ny {
            grid.starts[b + 1] += grid.starts[b];
        }
        let mut next = grid.starts.clone();
        for (i, &b) in bucket_of.iter().enumerate() {
            grid.members[next[b] as usize] = i as u32;
            next[b] += 1;
        }
        grid
    }

    fn bucket(&self, [x, y]: [f64; 2]) -> (usize, usize) {
        let bx = ((x - self.min[0]) / self.bucket_m).max(0.0) as usize;
        let by = ((y - self.min[1]) / self.bucket_m).max(0.0) as usize;
        (bx.min(self.nx - 1), by.min(self.ny - 1))
    }

    /// Calls `visit` with every place within `radius_m` of (lon, lat), and some a little beyond
    /// (a 10 % margin, and the rest of the buckets read), in no particular order.
    pub fn near(&self, lon: f64, lat: f64, radius_m: f64, mut visit: impl FnMut(usize)) {
        if radius_m.is_nan() || radius_m < 0.0 || !lon.is_finite() || !lat.is_finite() {
            return;
        }
        let reach = radius_m * 1.1;
        let [x, y] = self.frame.to_metres((lon, lat));
        let (x0, y0) = self.bucket([x - reach, y - reach]);
        let (x1, y1) = self.bucket([x + reach, y + reach]);
        for y in y0..=y1 {
            let row = y * self.nx;
            let (from, to) = (self.starts[row + x0], self.starts[row + x1 + 1]);
            for &i in &self.members[from as usize..to as usize] {
                visit(i as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::haversine_m;
    use proptest::prelude::*;

    proptest! {
        /// Every place within the radius is visited, exactly once.
        #[test]
        fn near_finds_every_place_within_the_radius(
            places in proptest::collection::vec((105.3f64..106.1, 20.5f64..21.4), 0..400),
            centre in (105.3f64..106.1, 20.5f64..21.4),
            radius_m in 0.0f64..20_000.0,
            bucket_m in 500.0f64..10_000.0,
        ) {
            let grid = CellGrid::new(&places, bucket_m);
            let mut seen = vec![0u32; places.len()];
            grid.near(centre.0, centre.1, radius_m, |i| seen[i] += 1);
            for (i, &p) in places.iter().enumerate() {
                prop_assert!(seen[i] <= 1);
                if haversine_m(p, centre) <= radius_m {
                    prop_assert_eq!(seen[i], 1, "place {} at {:?} missed", i, p);
                }
            }
        }
    }

    #[test]
    fn an_empty_grid_visits_nothing() {
        let grid = CellGrid::new(&[], 5_000.0);
        let mut n = 0;
        grid.near(105.8, 21.0, 5_000.0, |_| n += 1);
        assert_eq!(n, 0);
    }
}
