//! Which cells lie near a place: a bucket grid over the cell centres, so that "every cell
//! within 5 km of this point" reads a few hundred cells instead of the whole city.

/// Cell centres bucketed on a square grid in a local flat projection. Answers are candidates
/// (a superset within a 10 % margin); the caller decides each by the great circle.
pub struct CellGrid {
    bucket_m: f64,
    lon0: f64,
    lat0: f64,
    metres_per_lon: f64,
    nx: usize,
    ny: usize,
    /// Members of bucket `b` are `members[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    members: Vec<u32>,
}

const METRES_PER_LAT: f64 = 111_320.0;

impl CellGrid {
    /// A grid over `places` (lon, lat) with buckets about `bucket_m` wide; pick the radius the
    /// questions will ask, so that each reads at most nine buckets.
    pub fn new(places: &[(f64, f64)], bucket_m: f64) -> CellGrid {
        let bucket_m = if bucket_m.is_finite() && bucket_m > 1.0 {
            bucket_m
        } else {
            1_000.0
        };
        let (mut lon0, mut lat0, mut lon1, mut lat1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(lon, lat) in places {
            lon0 = lon0.min(lon);
            lat0 = lat0.min(lat);
            lon1 = lon1.max(lon);
            lat1 = lat1.max(lat);
        }
        if places.is_empty() {
            (lon0, lat0, lon1, lat1) = (0.0, 0.0, 0.0, 0.0);
        }
        // The widest parallel of the extent: buckets are never narrower than asked.
        let widest = if lat0.abs() < lat1.abs() { lat0 } else { lat1 };
        let metres_per_lon = (widest.to_radians().cos() * METRES_PER_LAT).max(1.0);
        // At most a few million buckets, whatever the extent and bucket size.
        let span_x = (lon1 - lon0) * metres_per_lon;
        let span_y = (lat1 - lat0) * METRES_PER_LAT;
        let bucket_m = bucket_m.max((span_x * span_y / 4e6).sqrt());
        let nx = (span_x / bucket_m) as usize + 1;
        let ny = (span_y / bucket_m) as usize + 1;
        let mut grid = CellGrid {
            bucket_m,
            lon0,
            lat0,
            metres_per_lon,
            nx,
            ny,
            starts: vec![0; nx * ny + 1],
            members: vec![0; places.len()],
        };
        let bucket_of: Vec<usize> = places
            .iter()
            .map(|&(lon, lat)| {
                let (x, y) = grid.bucket(lon, lat);
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

    fn bucket(&self, lon: f64, lat: f64) -> (usize, usize) {
        let x = ((lon - self.lon0) * self.metres_per_lon / self.bucket_m).max(0.0) as usize;
        let y = ((lat - self.lat0) * METRES_PER_LAT / self.bucket_m).max(0.0) as usize;
        (x.min(self.nx - 1), y.min(self.ny - 1))
    }

    /// Calls `visit` with every place within `radius_m` of (lon, lat), and some a little beyond
    /// (a 10 % margin, and the rest of the buckets read), in no particular order.
    pub fn near(&self, lon: f64, lat: f64, radius_m: f64, mut visit: impl FnMut(usize)) {
        if radius_m.is_nan() || radius_m < 0.0 || !lon.is_finite() || !lat.is_finite() {
            return;
        }
        let reach = radius_m * 1.1;
        let dlon = reach / self.metres_per_lon;
        let dlat = reach / METRES_PER_LAT;
        let (x0, y0) = self.bucket(lon - dlon, lat - dlat);
        let (x1, y1) = self.bucket(lon + dlon, lat + dlat);
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
