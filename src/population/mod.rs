//! Where people live, as population counts on H3 cells.
//!
//! Every demand figure in motcua is a [`PopulationGrid`]: one H3 resolution, cells sorted by
//! index, each cell once, no empty cells. A cell stands for the people living in it and is
//! placed at its centre when travel times are computed. Grids come from three kinds of file,
//! all auto-detected by [`load_population`]:
//!
//! - a point CSV `lon,lat,population` (each row added to the cell containing the point);
//! - an H3 CSV `h3,population` as Kontur publishes it (hex cell ids; finer cells are summed into
//!   their parent at the requested resolution);
//! - a single-band GeoTIFF in EPSG:4326 such as WorldPop (each pixel's count goes to the cell
//!   containing the pixel centre, see [`geotiff`]);
//! - an OpenStreetMap file in any form `--osm` reads, whose `place=*` nodes carry a
//!   `population` tag (each count on the cell of its node, see [`osm_places`]).
//!
//! For Hanoi no gridded product is shipped, so [`prepare`] builds one from the 2019 census.

mod csv_files;
pub mod geotiff;
pub mod osm_places;
pub mod prepare;

use std::io::Read;
use std::path::{Path, PathBuf};

use h3o::{CellIndex, LatLng, Resolution};

pub use csv_files::{load_h3_csv, load_point_csv};
pub use geotiff::load_geotiff;
pub use osm_places::load_osm_places;

/// People living in one H3 cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PopulatedCell {
    pub cell: CellIndex,
    /// Residents (may be fractional for modelled products such as WorldPop).
    pub population: f64,
}

impl PopulatedCell {
    /// Centre of the cell as (lon, lat) WGS84 degrees.
    pub fn centre(&self) -> (f64, f64) {
        cell_centre(self.cell)
    }
}

/// Centre of an H3 cell as (lon, lat) WGS84 degrees.
pub fn cell_centre(cell: CellIndex) -> (f64, f64) {
    let ll = LatLng::from(cell);
    (ll.lng(), ll.lat())
}

/// Population on H3 cells of one resolution: sorted by cell, no duplicates, no zero cells.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationGrid {
    pub resolution: Resolution,
    pub cells: Vec<PopulatedCell>,
}

impl PopulationGrid {
    /// Builds a grid from (cell, population) pairs that are already at `resolution` or finer:
    /// finer cells are summed into their parent, duplicates are summed, zero cells dropped.
    ///
    /// Returns the first cell coarser than `resolution` as an error, since population cannot be
    /// split without extra assumptions.
    pub fn aggregate(
        resolution: Resolution,
        pairs: impl IntoIterator<Item = (CellIndex, f64)>,
    ) -> Result<Self, CellIndex> {
        let mut items: Vec<(CellIndex, f64)> = Vec::new();
        for (cell, population) in pairs {
            let cell = cell.parent(resolution).ok_or(cell)?;
            items.push((cell, population));
        }
        items.sort_unstable_by_key(|(cell, _)| *cell);
        let mut cells: Vec<PopulatedCell> = Vec::with_capacity(items.len());
        for (cell, population) in items {
            match cells.last_mut() {
                Some(last) if last.cell == cell => last.population += population,
                _ => cells.push(PopulatedCell { cell, population }),
            }
        }
        cells.retain(|c| c.population > 0.0);
        Ok(PopulationGrid { resolution, cells })
    }

    /// Total population.
    pub fn total(&self) -> f64 {
        self.cells.iter().map(|c| c.population).sum()
    }

    /// Number of populated cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// True when nobody lives on the grid.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The populated cells in cell order.
    pub fn iter(&self) -> std::slice::Iter<'_, PopulatedCell> {
        self.cells.iter()
    }

    /// Population of one cell (0 when the cell is not on the grid).
    pub fn population_of(&self, cell: CellIndex) -> f64 {
        self.cells
            .binary_search_by_key(&cell, |c| c.cell)
            .map_or(0.0, |i| self.cells[i].population)
    }

    /// Checks the invariants every grid must hold; returns a description of the first breach.
    pub fn check_invariants(&self) -> Result<(), String> {
        for pair in self.cells.windows(2) {
            if pair[0].cell >= pair[1].cell {
                return Err(format!("cells not strictly sorted at {}", pair[1].cell));
            }
        }
        for c in &self.cells {
            if c.cell.resolution() != self.resolution {
                return Err(format!(
                    "cell {} is not at resolution {}",
                    c.cell, self.resolution
                ));
            }
            if !(c.population.is_finite() && c.population > 0.0) {
                return Err(format!("cell {} has population {}", c.cell, c.population));
            }
        }
        Ok(())
    }
}

/// The grid a loader hands back: `pairs` (cells already at `resolution`) summed per cell,
/// refused when a cell or the total overflows to infinity.
fn finish_grid(
    path: &Path,
    resolution: Resolution,
    pairs: impl IntoIterator<Item = (CellIndex, f64)>,
) -> Result<PopulationGrid, PopulationError> {
    // Every cell was computed at `resolution`, so aggregation cannot meet a coarser one.
    let grid = PopulationGrid::aggregate(resolution, pairs).unwrap_or(PopulationGrid {
        resolution,
        cells: Vec::new(),
    });
    if !grid.total().is_finite() {
        let largest = grid
            .cells
            .iter()
            .max_by(|a, b| a.population.total_cmp(&b.population))
            .map_or((String::new(), f64::INFINITY), |c| {
                (c.cell.to_string(), c.population)
            });
        return Err(PopulationError::InfiniteTotal {
            path: path.to_path_buf(),
            cell: largest.0,
            cell_population: largest.1,
        });
    }
    Ok(grid)
}

impl<'a> IntoIterator for &'a PopulationGrid {
    type Item = &'a PopulatedCell;
    type IntoIter = std::slice::Iter<'a, PopulatedCell>;
    fn into_iter(self) -> Self::IntoIter {
        self.cells.iter()
    }
}

/// Errors met while reading or building population data. File errors carry the path and, for
/// text files, the 1-based line of the offending record.
#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    /// The file could not be opened or read.
    #[error("cannot read population file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output file could not be written.
    #[error("cannot write population file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The CSV itself is malformed (wrong number of fields, invalid UTF-8).
    #[error("{}:{line}: malformed CSV record: {source}", path.display())]
    Csv {
        path: PathBuf,
        line: u64,
        source: csv::Error,
    },
    /// A JSON input (road lines) is not valid JSON.
    #[error("{} is not valid JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// A required column is not in the header.
    #[error("{}: no column \"{column}\" in the header (found: {}); expected {expected}", path.display(), found.join(", "))]
    MissingColumn {
        path: PathBuf,
        column: String,
        found: Vec<String>,
        expected: String,
    },
    /// A field that must be a finite number is not.
    #[error("{}:{line}: field \"{field}\" is {value:?}; expected a finite number", path.display())]
    InvalidNumber {
        path: PathBuf,
        line: u64,
        field: String,
        value: String,
    },
    /// A population below zero.
    #[error(
        "{}:{line}: field \"{field}\" is {}; population cannot be negative",
        path.display(),
        crate::number::readable(.value),
    )]
    NegativePopulation {
        path: PathBuf,
        line: u64,
        field: String,
        value: f64,
    },
    /// A point outside WGS84 ranges (often lat/lon swapped or projected metres).
    #[error(
        "{}:{line}: point (lon {}, lat {}) is out of range; expected lon in -180..=180 and lat in -90..=90",
        path.display(),
        crate::number::readable(.lon),
        crate::number::readable(.lat),
    )]
    CoordinateOutOfRange {
        path: PathBuf,
        line: u64,
        lon: f64,
        lat: f64,
    },
    /// A string that is not a valid H3 cell index.
    #[error("{}:{line}: field \"h3\" is {value:?}; expected an H3 cell index in hex such as 8941aa0e903ffff", path.display())]
    InvalidH3 {
        path: PathBuf,
        line: u64,
        value: String,
    },
    /// The data is coarser than the resolution asked for.
    #[error(
        "{}:{line}: cell {cell} is at H3 resolution {cell_resolution}, coarser than the requested {requested}; load at resolution {cell_resolution} or coarser",
        path.display()
    )]
    ResolutionTooFine {
        path: PathBuf,
        line: u64,
        cell: String,
        cell_resolution: u8,
        requested: u8,
    },
    /// Counts that are each finite but add up past what a number can hold (1e308 twice in one
    /// cell, say): every sum and share after this would be infinite.
    #[error(
        "{}: the population adds up to infinity (cell {cell} alone holds {}); expected counts of people",
        path.display(),
        crate::number::readable(.cell_population),
    )]
    InfiniteTotal {
        path: PathBuf,
        cell: String,
        cell_population: f64,
    },
    /// The file holds no data rows or no valid pixels.
    #[error("{}: no population records found; expected at least one data row or pixel", path.display())]
    Empty { path: PathBuf },
    /// The TIFF is corrupt, truncated or uses a feature the decoder lacks.
    #[error("{}: cannot decode GeoTIFF: {reason}", path.display())]
    Tiff { path: PathBuf, reason: String },
    /// The raster declares more pixels than a population raster needs.
    #[error("{}: the raster declares {width} x {height} pixels; expected at most {max_pixels} pixels (crop it to the study area)", path.display())]
    RasterTooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// The raster is a valid TIFF but not one this loader can place on the map.
    #[error("{}: unsupported raster: {reason}", path.display())]
    UnsupportedRaster { path: PathBuf, reason: String },
    /// A pixel with a negative count that is not the nodata value.
    #[error(
        "{}: pixel (row {row}, column {col}) holds {}; population cannot be negative (set GDAL_NODATA for fill values)",
        path.display(),
        crate::number::readable(.value),
    )]
    NegativePixel {
        path: PathBuf,
        row: u32,
        col: u32,
        value: f64,
    },
    /// A pixel holding an infinite count.
    #[error("{}: pixel (row {row}, column {col}) holds {value}; expected a finite count of people (or GDAL_NODATA)", path.display())]
    InfinitePixel {
        path: PathBuf,
        row: u32,
        col: u32,
        value: f64,
    },
    /// A pixel centre falls outside WGS84 ranges (wrong georeferencing or not EPSG:4326).
    #[error(
        "{}: pixel (row {row}, column {col}) has centre (lon {}, lat {}) out of range; expected EPSG:4326 degrees",
        path.display(),
        crate::number::readable(.lon),
        crate::number::readable(.lat),
    )]
    PixelOutOfRange {
        path: PathBuf,
        row: u32,
        col: u32,
        lon: f64,
        lat: f64,
    },
    /// The file type could not be recognised.
    #[error("{}: unknown population format; expected .csv with columns h3,population or lon,lat,population, a GeoTIFF (.tif), or OpenStreetMap place=* nodes with a population tag (.osm.pbf, OSM XML, Overpass JSON)", path.display())]
    UnknownFormat { path: PathBuf },
    /// A census row names a district the district boundaries do not have.
    #[error("{}:{line}: ward {ward:?} is in district {district:?}, which is not in the district boundaries", path.display())]
    UnknownDistrict {
        path: PathBuf,
        line: u64,
        ward: String,
        district: String,
    },
    /// A district polygon could not be covered with H3 cells.
    #[error("district {district:?} cannot be tiled with H3 cells: {reason}")]
    Tiling { district: String, reason: String },
    /// A ward ended up with no cell to hold its people (its district has no cell at all).
    #[error(
        "ward {ward:?} in district {district:?} has no H3 cell to hold its {population} people; try a finer resolution"
    )]
    WardWithoutCells {
        ward: String,
        district: String,
        population: u64,
    },
    /// Boundary data needed by the census builder could not be loaded.
    #[error(transparent)]
    Boundary(#[from] crate::boundary::BoundaryError),
    /// An OpenStreetMap file that cannot be read.
    #[error(transparent)]
    Osm(#[from] crate::ingest::IngestError),
    /// An OpenStreetMap file without a `place=*` node carrying a count of people.
    #[error(
        "{}: no place=* node with a population tag holding a count of people ({places} place nodes in all); expected OpenStreetMap places such as an Overpass answer to node[place][population]",
        path.display()
    )]
    NoOsmPlaces { path: PathBuf, places: usize },
}

/// Whether a file's first bytes are OpenStreetMap's: a PBF, OSM XML or GraphML root, Overpass
/// JSON (a JSON object naming `"elements"`), or gzip or bzip2 compression (no other
/// population file comes compressed).
fn is_osm(head: &[u8]) -> bool {
    use crate::ingest::{Compression, OsmFormat, detect::format_of};
    match format_of(head) {
        Some(OsmFormat::OverpassJson) => head.windows(10).any(|w| w == b"\"elements\""),
        Some(_) => true,
        None => Compression::detect(head) != Compression::None,
    }
}

/// Loads a population file, choosing the loader from the extension and, failing that, the
/// first bytes: `.tif`/`.tiff` or a TIFF signature -> GeoTIFF; OpenStreetMap's forms -> the
/// places' `population` tags; a CSV whose header has an `h3` column -> H3 CSV; a CSV with
/// `lon`/`lat` columns -> point CSV.
///
/// ```no_run
/// use motcua::population::load_population;
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/population/hanoi_population_2019_h3r9.csv");
/// let grid = load_population(path.as_ref(), h3o::Resolution::Nine)?;
/// println!("{} people on {} cells", grid.total(), grid.len());
/// # Ok::<(), motcua::population::PopulationError>(())
/// ```
pub fn load_population(
    path: &Path,
    resolution: Resolution,
) -> Result<PopulationGrid, PopulationError> {
    let mut head = [0u8; 4096];
    let read = {
        let mut file = std::fs::File::open(path).map_err(|source| PopulationError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut n = 0;
        loop {
            match file.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => {
                    n += k;
                    if n == head.len() {
                        break;
                    }
                }
                Err(source) => {
                    return Err(PopulationError::Read {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            }
        }
        n
    };
    let head = &head[..read];
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let is_tiff_magic = head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
        || head.starts_with(b"II+\0")
        || head.starts_with(b"MM\0+");
    if extension == "tif" || extension == "tiff" || is_tiff_magic {
        return load_geotiff(path, resolution);
    }
    if head.is_empty() {
        return Err(PopulationError::Empty {
            path: path.to_path_buf(),
        });
    }
    if is_osm(head) {
        return load_osm_places(path, resolution);
    }
    let first_line = String::from_utf8_lossy(head);
    let header: Vec<String> = first_line
        .lines()
        .next()
        .unwrap_or_default()
        .split([',', ';', '\t'])
        .map(|h| {
            h.trim_start_matches('\u{feff}')
                .trim()
                .trim_matches('"')
                .to_ascii_lowercase()
        })
        .collect();
    let has = |names: &[&str]| header.iter().any(|h| names.contains(&h.as_str()));
    if has(csv_files::H3_COLUMNS) {
        load_h3_csv(path, resolution)
    } else if has(csv_files::LON_COLUMNS) && has(csv_files::LAT_COLUMNS) {
        load_point_csv(path, resolution)
    } else {
        Err(PopulationError::UnknownFormat {
            path: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_sums_children_and_duplicates_and_drops_zero_cells() {
        let ll = LatLng::new(21.0278, 105.8342).expect("valid point");
        let fine = ll.to_cell(Resolution::Ten);
        let parent = ll.to_cell(Resolution::Nine);
        let other = LatLng::new(21.0, 105.8)
            .expect("valid point")
            .to_cell(Resolution::Nine);
        let grid = PopulationGrid::aggregate(
            Resolution::Nine,
            [(fine, 2.0), (parent, 3.0), (other, 0.0), (parent, 1.5)],
        )
        .expect("all cells at 9 or finer");
        assert_eq!(grid.len(), 1);
        assert_eq!(grid.population_of(parent), 6.5);
        assert_eq!(grid.total(), 6.5);
        grid.check_invariants().expect("invariants");
        let coarse = ll.to_cell(Resolution::Eight);
        assert_eq!(
            PopulationGrid::aggregate(Resolution::Nine, [(coarse, 1.0)]),
            Err(coarse)
        );
    }
}
