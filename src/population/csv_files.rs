//! Population from CSV files: points (`lon,lat,population`) and H3 cells (`h3,population`).

use std::path::Path;

use h3o::{CellIndex, LatLng, Resolution};

use super::{PopulationError, PopulationGrid, finish_grid};

pub(super) const LON_COLUMNS: &[&str] = &["lon", "lng", "longitude"];
pub(super) const LAT_COLUMNS: &[&str] = &["lat", "latitude"];
pub(super) const H3_COLUMNS: &[&str] = &["h3", "h3_index", "hex_id"];
const POPULATION_COLUMNS: &[&str] = &["population", "pop"];

/// An open CSV with its header resolved.
struct CsvTable {
    path: std::path::PathBuf,
    reader: csv::Reader<std::fs::File>,
    header: Vec<String>,
}

impl CsvTable {
    fn open(path: &Path) -> Result<Self, PopulationError> {
        let delimiter =
            crate::text::csv_delimiter_of_file(path).map_err(|source| PopulationError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        let reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_path(path)
            .map_err(|e| io_or_csv(path, e))?;
        let mut table = CsvTable {
            path: path.to_path_buf(),
            reader,
            header: Vec::new(),
        };
        let header = table.reader.headers().map_err(|e| io_or_csv(path, e))?;
        table.header = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        if table.header.iter().all(String::is_empty) {
            return Err(PopulationError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(table)
    }

    fn column(&self, names: &[&str], expected: &str) -> Result<usize, PopulationError> {
        self.header
            .iter()
            .position(|h| names.contains(&h.as_str()))
            .ok_or_else(|| PopulationError::MissingColumn {
                path: self.path.clone(),
                column: names[0].to_string(),
                found: self.header.clone(),
                expected: expected.to_string(),
            })
    }

    /// Calls `row` for every data record with its 1-based line number.
    fn for_each_record(
        &mut self,
        mut row: impl FnMut(u64, &csv::StringRecord) -> Result<(), PopulationError>,
    ) -> Result<usize, PopulationError> {
        let mut record = csv::StringRecord::new();
        let mut count = 0;
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    row(line, &record)?;
                    count += 1;
                }
                Err(e) => return Err(io_or_csv(&self.path, e)),
            }
        }
        Ok(count)
    }
}

pub(super) fn io_or_csv(path: &Path, error: csv::Error) -> PopulationError {
    let line = error.position().map_or(0, |p| p.line());
    if error.is_io_error() {
        match error.into_kind() {
            csv::ErrorKind::Io(source) => PopulationError::Read {
                path: path.to_path_buf(),
                source,
            },
            other => PopulationError::Read {
                path: path.to_path_buf(),
                source: std::io::Error::other(format!("{other:?}")),
            },
        }
    } else {
        PopulationError::Csv {
            path: path.to_path_buf(),
            line,
            source: error,
        }
    }
}

/// Parses a finite number from a field, naming the field on failure.
pub(super) fn number(
    path: &Path,
    line: u64,
    field: &str,
    text: Option<&str>,
) -> Result<f64, PopulationError> {
    let text = text.unwrap_or("");
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| PopulationError::InvalidNumber {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            value: text.to_string(),
        })
}

/// Parses a population field: finite and not negative.
pub(super) fn population(
    path: &Path,
    line: u64,
    field: &str,
    text: Option<&str>,
) -> Result<f64, PopulationError> {
    let value = number(path, line, field, text)?;
    if value < 0.0 {
        return Err(PopulationError::NegativePopulation {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            value,
        });
    }
    Ok(value)
}

/// Loads `lon,lat,population` rows and sums them into the cells at `resolution` that contain
/// each point. Column names are matched case-insensitively (`lng`/`longitude`, `latitude`,
/// `pop` are accepted too); other columns are ignored.
pub fn load_point_csv(
    path: &Path,
    resolution: Resolution,
) -> Result<PopulationGrid, PopulationError> {
    let mut table = CsvTable::open(path)?;
    let expected = "a CSV with columns lon,lat,population";
    let lon_col = table.column(LON_COLUMNS, expected)?;
    let lat_col = table.column(LAT_COLUMNS, expected)?;
    let pop_col = table.column(POPULATION_COLUMNS, expected)?;
    let pop_name = table.header[pop_col].clone();
    let mut pairs = Vec::new();
    let rows = table.for_each_record(|line, record| {
        let lon = number(path, line, "lon", record.get(lon_col))?;
        let lat = number(path, line, "lat", record.get(lat_col))?;
        let people = population(path, line, &pop_name, record.get(pop_col))?;
        let out_of_range = || PopulationError::CoordinateOutOfRange {
            path: path.to_path_buf(),
            line,
            lon,
            lat,
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
            return Err(out_of_range());
        }
        let ll = LatLng::new(lat, lon).map_err(|_| out_of_range())?;
        pairs.push((ll.to_cell(resolution), people));
        Ok(())
    })?;
    if rows == 0 {
        return Err(PopulationError::Empty {
            path: path.to_path_buf(),
        });
    }
    finish_grid(path, resolution, pairs)
}

/// Loads `h3,population` rows (hex cell ids, as in Kontur's population dataset). Cells finer
/// than `resolution` are summed into their parent; a cell coarser than `resolution` is an error,
/// because splitting it would invent a distribution.
pub fn load_h3_csv(path: &Path, resolution: Resolution) -> Result<PopulationGrid, PopulationError> {
    let mut table = CsvTable::open(path)?;
    let expected = "a CSV with columns h3,population";
    let h3_col = table.column(H3_COLUMNS, expected)?;
    let pop_col = table.column(POPULATION_COLUMNS, expected)?;
    let pop_name = table.header[pop_col].clone();
    let mut pairs = Vec::new();
    let rows = table.for_each_record(|line, record| {
        let text = record.get(h3_col).unwrap_or("");
        let cell = parse_cell(text).ok_or_else(|| PopulationError::InvalidH3 {
            path: path.to_path_buf(),
            line,
            value: text.to_string(),
        })?;
        let people = population(path, line, &pop_name, record.get(pop_col))?;
        let parent = cell
            .parent(resolution)
            .ok_or_else(|| PopulationError::ResolutionTooFine {
                path: path.to_path_buf(),
                line,
                cell: cell.to_string(),
                cell_resolution: u8::from(cell.resolution()),
                requested: u8::from(resolution),
            })?;
        pairs.push((parent, people));
        Ok(())
    })?;
    if rows == 0 {
        return Err(PopulationError::Empty {
            path: path.to_path_buf(),
        });
    }
    finish_grid(path, resolution, pairs)
}

/// An H3 cell from its hex form (Kontur, h3-py) or, failing that, its decimal u64 form.
fn parse_cell(text: &str) -> Option<CellIndex> {
    let text = text.trim();
    text.parse::<CellIndex>().ok().or_else(|| {
        text.parse::<u64>()
            .ok()
            .and_then(|v| CellIndex::try_from(v).ok())
    })
}
