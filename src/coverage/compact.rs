//! Coverage cells in a compact, columnar form for maps on slow networks.
//!
//! A city's cells as GeoJSON hexagons weigh 15 MB (1.3 MB compressed), and most of it — the
//! hexagons, their population and ward — never changes while a planner edits points. So the
//! hexagons travel once per study area as a [`CellBasemap`], and each evaluation sends only what an
//! edit changes as [`CellColumns`]: one status letter, a travel time and a catchment per cell,
//! in the grid's order. Both carry the grid's `grid_id`; a client joins them only when the ids
//! match.
//!
//! The hexagons are integer coordinates in millionths of a degree (about 0.1 m, the precision
//! of the GeoJSON form), delta-encoded twice: each cell's first vertex against the previous
//! cell's first vertex, and each step from vertex to vertex against the same step of the
//! previous cell. Neighbouring H3 cells have nearly the same shape, so most numbers are 0 or ±1
//! and compress to little.

use serde::Serialize;

use super::{CellInput, CellResult, CellStatus};

/// Integer coordinate units per degree in [`CellBasemap::rings`].
pub const GRID_SCALE: u32 = 1_000_000;

/// The hexagons of a study area's populated cells, with what does not change between edits.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CellBasemap {
    /// Fingerprint of the cell list (xxh3 of the H3 indexes, hex).
    pub grid_id: String,
    /// Coordinate units per degree (`GRID_SCALE`).
    pub scale: u32,
    /// Vertices of each cell's boundary (the ring is closed by repeating the first).
    pub sizes: Vec<u8>,
    /// For each cell, its first vertex as (lon, lat) minus the previous cell's first vertex, then
    /// each step to the next vertex minus the same step of the previous cell (zero when the
    /// previous cell has fewer vertices); all in 1/`scale` degree. The first cell's "previous"
    /// is (0, 0) with no steps.
    pub rings: Vec<i64>,
    /// H3 index of each cell.
    pub h3: Vec<String>,
    /// Residents of each cell (2019 census, rounded to whole people).
    pub population: Vec<u64>,
    /// Index into `wards` of each cell's ward; null outside every ward.
    pub ward: Vec<Option<u32>>,
    /// Ward names, indexed by `ward`.
    pub wards: Vec<String>,
}

/// What an evaluation says of each cell of a [`CellBasemap`], in the grid's order.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CellColumns {
    /// The grid these columns belong to.
    pub grid_id: String,
    /// One letter per cell: `c` covered, `u` uncovered, `n` unknown (no road data decides it).
    pub status: String,
    /// Travel time to the point reached first, whole seconds; null where no road leads to one.
    pub travel_s: Vec<Option<u32>>,
    /// Index into `point_ids` of the point whose catchment holds the cell; null for none.
    pub catchment: Vec<Option<u32>>,
    /// The scenario's point ids, in its order.
    pub point_ids: Vec<String>,
}

/// The fingerprint of a list of cells, shared by a grid and the columns of its evaluations.
pub fn grid_id<'a>(cells: impl IntoIterator<Item = &'a h3o::CellIndex>) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for cell in cells {
        hasher.update(&u64::from(*cell).to_le_bytes());
    }
    format!("{:016x}", hasher.digest())
}

impl CellBasemap {
    /// The grid of `cells` (a study area's cells, in its order); `ward_names` names the wards.
    pub fn new(cells: &[CellInput], ward_names: &[String]) -> CellBasemap {
        let mut sizes = Vec::with_capacity(cells.len());
        let mut rings = Vec::with_capacity(cells.len() * 14);
        let mut previous_first = [0i64; 2];
        let mut previous_steps: Vec<[i64; 2]> = Vec::new();
        for c in cells {
            let vertices: Vec<[i64; 2]> = c
                .cell
                .boundary()
                .iter()
                .map(|ll| [to_units(ll.lng()), to_units(ll.lat())])
                .collect();
            let Some(&first) = vertices.first() else {
                sizes.push(0);
                continue;
            };
            sizes.push(u8::try_from(vertices.len()).unwrap_or(u8::MAX));
            rings.extend([first[0] - previous_first[0], first[1] - previous_first[1]]);
            let steps: Vec<[i64; 2]> = vertices
                .windows(2)
                .map(|w| [w[1][0] - w[0][0], w[1][1] - w[0][1]])
                .collect();
            for (k, step) in steps.iter().enumerate() {
                let before = previous_steps.get(k).copied().unwrap_or([0, 0]);
                rings.extend([step[0] - before[0], step[1] - before[1]]);
            }
            previous_first = first;
            previous_steps = steps;
        }
        CellBasemap {
            grid_id: grid_id(cells.iter().map(|c| &c.cell)),
            scale: GRID_SCALE,
            sizes,
            rings,
            h3: cells.iter().map(|c| c.cell.to_string()).collect(),
            population: cells
                .iter()
                .map(|c| c.population.round().max(0.0) as u64)
                .collect(),
            ward: cells
                .iter()
                .map(|c| c.ward.and_then(|w| u32::try_from(w).ok()))
                .collect(),
            wards: ward_names.to_vec(),
        }
    }

    /// The boundary rings back as (lon, lat) degrees, closed: what a client decodes.
    pub fn decode(&self) -> Vec<Vec<[f64; 2]>> {
        let scale = f64::from(self.scale);
        let mut out = Vec::with_capacity(self.sizes.len());
        let mut at = 0;
        let mut previous_first = [0i64; 2];
        let mut previous_steps: Vec<[i64; 2]> = Vec::new();
        for &size in &self.sizes {
            let size = usize::from(size);
            if size == 0 {
                out.push(Vec::new());
                continue;
            }
            let first = [
                previous_first[0] + self.rings[at],
                previous_first[1] + self.rings[at + 1],
            ];
            at += 2;
            let mut ring = vec![first];
            let mut steps = Vec::with_capacity(size - 1);
            for k in 0..size - 1 {
                let before = previous_steps.get(k).copied().unwrap_or([0, 0]);
                let step = [before[0] + self.rings[at], before[1] + self.rings[at + 1]];
                at += 2;
                let last = ring[ring.len() - 1];
                ring.push([last[0] + step[0], last[1] + step[1]]);
                steps.push(step);
            }
            ring.push(first);
            out.push(
                ring.iter()
                    .map(|p| [p[0] as f64 / scale, p[1] as f64 / scale])
                    .collect(),
            );
            previous_first = first;
            previous_steps = steps;
        }
        out
    }
}

impl CellColumns {
    /// The columns of an evaluation's `cells`; `catchment_of_cell` gives each cell's catchment
    /// point by index (empty: none known), `point_ids` names the points.
    pub fn new(
        cells: &[CellResult],
        catchment_of_cell: &[Option<usize>],
        point_ids: &[String],
    ) -> CellColumns {
        CellColumns {
            grid_id: grid_id(cells.iter().map(|c| &c.cell)),
            status: cells
                .iter()
                .map(|c| match c.status {
                    CellStatus::Covered => 'c',
                    CellStatus::Uncovered => 'u',
                    CellStatus::Unknown => 'n',
                })
                .collect(),
            travel_s: cells
                .iter()
                .map(|c| {
                    c.travel_s
                        .map(|s| s.round().clamp(0.0, f64::from(u32::MAX)) as u32)
                })
                .collect(),
            catchment: (0..cells.len())
                .map(|i| {
                    catchment_of_cell
                        .get(i)
                        .copied()
                        .flatten()
                        .and_then(|p| u32::try_from(p).ok())
                })
                .collect(),
            point_ids: point_ids.to_vec(),
        }
    }
}

/// Degrees to integer units of 1/[`GRID_SCALE`] degree (rounded like the GeoJSON form).
fn to_units(degrees: f64) -> i64 {
    (degrees * f64::from(GRID_SCALE)).round() as i64
}
