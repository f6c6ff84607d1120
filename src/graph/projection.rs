//! The one local metric projection: flat metres around an origin, for geometry that needs
//! Euclidean distances (the snapping tree, drawn test networks).

use super::EARTH_RADIUS_M;

/// An equirectangular frame around `origin`: metres east and north of it. At city scale it is
/// exact enough (< 0.1 % over 50 km) and keeps distances Euclidean. Coordinates are `(lon, lat)`
/// WGS84 degrees on one side and `[x, y]` metres on the other; convert only at boundaries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalProjection {
    origin: (f64, f64),
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
}

impl LocalProjection {
    /// The frame whose `[0, 0]` is `origin`, scaled at the origin's latitude.
    pub fn around(origin: (f64, f64)) -> LocalProjection {
        let m_per_deg_lat = EARTH_RADIUS_M.to_radians();
        LocalProjection {
            origin,
            m_per_deg_lon: m_per_deg_lat * origin.1.to_radians().cos(),
            m_per_deg_lat,
        }
    }

    /// `(lon, lat)` degrees to `[x, y]` metres east and north of the origin.
    pub fn to_metres(&self, (lon, lat): (f64, f64)) -> [f64; 2] {
        [
            (lon - self.origin.0) * self.m_per_deg_lon,
            (lat - self.origin.1) * self.m_per_deg_lat,
        ]
    }

    /// `[x, y]` metres east and north of the origin to `(lon, lat)` degrees.
    pub fn to_lon_lat(&self, [x, y]: [f64; 2]) -> (f64, f64) {
        (
            self.origin.0 + x / self.m_per_deg_lon,
            self.origin.1 + y / self.m_per_deg_lat,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metres_and_degrees_round_trip() {
        let frame = LocalProjection::around((105.85, 21.03));
        assert_eq!(frame.to_metres((105.85, 21.03)), [0.0, 0.0]);
        let [x, y] = frame.to_metres((105.86, 21.04));
        // 0.01° of latitude is about 1.11 km, of longitude at 21° about 1.04 km.
        assert!(
            (y - 1_111.9).abs() < 1.0 && (x - 1_038.1).abs() < 1.0,
            "{x} {y}"
        );
        let (lon, lat) = frame.to_lon_lat([x, y]);
        assert!((lon - 105.86).abs() < 1e-12 && (lat - 21.04).abs() < 1e-12);
    }
}
