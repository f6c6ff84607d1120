//! Population rasters (WorldPop and similar) from single-band GeoTIFF files.
//!
//! Supported: one band of unsigned/signed integers or floats, strips or tiles, any compression
//! the `tiff` crate decodes, georeferenced in EPSG:4326 by `ModelPixelScale` + `ModelTiepoint`
//! (no rotation). A `GDAL_NODATA` value marks empty pixels; NaN pixels are treated as empty too.
//!
//! **Assignment rule.** Each pixel's whole count goes to the H3 cell that contains the pixel's
//! centre. At WorldPop's 3 arc-second pixels (~90 m) and H3 resolution 9 (~174 m edge) this
//! moves people by at most half a pixel; for pixels larger than the cells, prefer a coarser
//! resolution, since cells between pixel centres would stay empty.
//!
//! The raster is read chunk by chunk (strip or tile), so a country-sized file does not have to
//! fit in memory at once.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

use h3o::{CellIndex, LatLng, Resolution};
use tiff::decoder::{ChunkType, Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::{ColorType, TiffError};

use super::{PopulationError, PopulationGrid, finish_grid};

const MODEL_PIXEL_SCALE: u16 = 33550;
const MODEL_TIEPOINT: u16 = 33922;
const MODEL_TRANSFORMATION: u16 = 34264;
const GEO_KEY_DIRECTORY: u16 = 34735;
const GDAL_NODATA: u16 = 42113;

/// The most pixels a raster may declare: a billion, so the world at 30 arc-seconds (43,200 x
/// 21,600) or a country at WorldPop's 3 arc-seconds (Vietnam: about 19,000 x 9,000) loads, while
/// a small file declaring 200,000 x 200,000 pixels (or compressing that many zeros) is refused
/// before it is read.
pub const MAX_RASTER_PIXELS: u64 = 1_000_000_000;

/// The most pixels one strip or tile may hold: 8 Mi, 64 MiB once widened to `f64`. Strips of a
/// few rows and 256 x 256 tiles are far below it; a raster stored as one huge strip has to be
/// rewritten tiled (`gdal_translate -co TILED=YES`).
pub const MAX_CHUNK_PIXELS: u64 = 8 << 20;

/// What the decoder may allocate for one strip or tile and for a tag's values (strip offsets of
/// a tall raster need a few MiB), so that a lying header cannot ask for gigabytes.
fn decoder_limits() -> Limits {
    let mut limits = Limits::default();
    limits.decoding_buffer_size = (MAX_CHUNK_PIXELS * 8) as usize;
    limits.intermediate_buffer_size = (MAX_CHUNK_PIXELS * 8) as usize;
    limits.ifd_value_size = 64 << 20;
    limits
}

const GT_MODEL_TYPE: u16 = 1024;
const GT_RASTER_TYPE: u16 = 1025;
const GEOGRAPHIC_TYPE: u16 = 2048;
const PROJECTED_CS_TYPE: u16 = 3072;
const MODEL_TYPE_GEOGRAPHIC: u16 = 2;
const RASTER_PIXEL_IS_POINT: u16 = 2;
const EPSG_WGS84: u16 = 4326;

/// Where pixel (row, col) lies: the centre of pixel (0, 0) and the step per column and row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Georeference {
    /// Longitude of the centre of the top-left pixel.
    pub origin_lon: f64,
    /// Latitude of the centre of the top-left pixel.
    pub origin_lat: f64,
    /// Degrees of longitude per column (positive).
    pub step_lon: f64,
    /// Degrees of latitude per row (positive; rows go south).
    pub step_lat: f64,
}

impl Georeference {
    /// Centre of pixel (row, col) as (lon, lat).
    pub fn pixel_centre(&self, row: u32, col: u32) -> (f64, f64) {
        (
            self.origin_lon + f64::from(col) * self.step_lon,
            self.origin_lat - f64::from(row) * self.step_lat,
        )
    }
}

fn tiff_error(path: &Path, error: TiffError) -> PopulationError {
    PopulationError::Tiff {
        path: path.to_path_buf(),
        reason: error.to_string(),
    }
}

fn unsupported(path: &Path, reason: impl Into<String>) -> PopulationError {
    PopulationError::UnsupportedRaster {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads the georeferencing tags and checks the raster is EPSG:4326 without rotation.
fn read_georeference<R: std::io::Read + std::io::Seek>(
    decoder: &mut Decoder<R>,
    path: &Path,
) -> Result<Georeference, PopulationError> {
    let find_f64s =
        |decoder: &mut Decoder<R>, tag: u16| -> Result<Option<Vec<f64>>, PopulationError> {
            match decoder
                .find_tag(Tag::Unknown(tag))
                .map_err(|e| tiff_error(path, e))?
            {
                None => Ok(None),
                Some(value) => value
                    .into_f64_vec()
                    .map(Some)
                    .map_err(|e| tiff_error(path, e)),
            }
        };
    let scale = find_f64s(decoder, MODEL_PIXEL_SCALE)?;
    let tiepoint = find_f64s(decoder, MODEL_TIEPOINT)?;
    let (scale, tiepoint) = match (scale, tiepoint) {
        (Some(s), Some(t)) if s.len() >= 2 && t.len() >= 6 => (s, t),
        _ => {
            let why = if find_f64s(decoder, MODEL_TRANSFORMATION)?.is_some() {
                "georeferenced by ModelTransformation (rotated or sheared); expected ModelPixelScale + ModelTiepoint"
            } else {
                "no ModelPixelScale + ModelTiepoint tags; expected a north-up GeoTIFF"
            };
            return Err(unsupported(path, why));
        }
    };
    let (step_lon, step_lat) = (scale[0], scale[1]);
    if !(step_lon.is_finite() && step_lat.is_finite() && step_lon > 0.0 && step_lat > 0.0) {
        return Err(unsupported(
            path,
            format!("pixel scale ({step_lon}, {step_lat}); expected two positive sizes in degrees"),
        ));
    }

    let mut pixel_is_point = false;
    let keys = match decoder
        .find_tag(Tag::Unknown(GEO_KEY_DIRECTORY))
        .map_err(|e| tiff_error(path, e))?
    {
        Some(value) => value.into_u16_vec().map_err(|e| tiff_error(path, e))?,
        None => Vec::new(),
    };
    // Header (version, revision, minor, count) then entries (key, location, count, value);
    // only keys stored inline (location 0) matter here.
    for entry in keys.get(4..).unwrap_or_default().chunks_exact(4) {
        let (key, location, value) = (entry[0], entry[1], entry[3]);
        if location != 0 {
            continue;
        }
        match key {
            GT_MODEL_TYPE if value != MODEL_TYPE_GEOGRAPHIC => {
                return Err(unsupported(
                    path,
                    format!("GTModelType {value} (projected); expected geographic EPSG:4326"),
                ));
            }
            GEOGRAPHIC_TYPE if value != EPSG_WGS84 && value != 32767 => {
                return Err(unsupported(
                    path,
                    format!("EPSG:{value}; expected EPSG:4326 (WGS84)"),
                ));
            }
            PROJECTED_CS_TYPE => {
                return Err(unsupported(
                    path,
                    format!("projected CRS EPSG:{value}; expected EPSG:4326"),
                ));
            }
            GT_RASTER_TYPE => pixel_is_point = value == RASTER_PIXEL_IS_POINT,
            _ => {}
        }
    }

    // The tiepoint ties raster position (i, j) to model (x, y). With PixelIsArea, (0, 0) is the
    // outer corner of the first pixel; with PixelIsPoint it is that pixel's centre.
    let (i, j, x, y) = (tiepoint[0], tiepoint[1], tiepoint[3], tiepoint[4]);
    let half = if pixel_is_point { 0.0 } else { 0.5 };
    Ok(Georeference {
        origin_lon: x + (half - i) * step_lon,
        origin_lat: y - (half - j) * step_lat,
        step_lon,
        step_lat,
    })
}

fn read_nodata<R: std::io::Read + std::io::Seek>(
    decoder: &mut Decoder<R>,
    path: &Path,
) -> Result<Option<f64>, PopulationError> {
    let Some(value) = decoder
        .find_tag(Tag::Unknown(GDAL_NODATA))
        .map_err(|e| tiff_error(path, e))?
    else {
        return Ok(None);
    };
    let text = value.into_string().map_err(|e| tiff_error(path, e))?;
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    match text.to_ascii_lowercase().as_str() {
        "nan" | "-nan" => Ok(Some(f64::NAN)),
        t => t
            .parse::<f64>()
            .map(Some)
            .map_err(|_| unsupported(path, format!("GDAL_NODATA is {text:?}; expected a number"))),
    }
}

fn values_as_f64(chunk: DecodingResult) -> Vec<f64> {
    match chunk {
        DecodingResult::U8(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f64).collect(),
        DecodingResult::F16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::F32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::F64(v) => v,
        DecodingResult::I8(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f64).collect(),
    }
}

/// Loads a single-band EPSG:4326 population GeoTIFF onto H3 cells at `resolution`, each pixel
/// going to the cell of its centre.
pub fn load_geotiff(
    path: &Path,
    resolution: Resolution,
) -> Result<PopulationGrid, PopulationError> {
    let file = std::fs::File::open(path).map_err(|source| PopulationError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut decoder = Decoder::new(BufReader::new(file))
        .map_err(|e| tiff_error(path, e))?
        .with_limits(decoder_limits());
    let (width, height) = decoder.dimensions().map_err(|e| tiff_error(path, e))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_RASTER_PIXELS {
        return Err(PopulationError::RasterTooLarge {
            path: path.to_path_buf(),
            width,
            height,
            max_pixels: MAX_RASTER_PIXELS,
        });
    }
    let (chunk_width, chunk_height) = decoder.chunk_dimensions();
    if u64::from(chunk_width) * u64::from(chunk_height) > MAX_CHUNK_PIXELS {
        return Err(unsupported(
            path,
            format!(
                "strips or tiles of {chunk_width} x {chunk_height} pixels; expected at most {MAX_CHUNK_PIXELS} pixels each (rewrite it tiled: gdal_translate -co TILED=YES)"
            ),
        ));
    }
    match decoder.colortype().map_err(|e| tiff_error(path, e))? {
        ColorType::Gray(_) => {}
        other => {
            return Err(unsupported(
                path,
                format!("colour type {other:?}; expected a single band"),
            ));
        }
    }
    let georeference = read_georeference(&mut decoder, path)?;
    let nodata = read_nodata(&mut decoder, path)?;
    let is_nodata = |v: f64| v.is_nan() || nodata.is_some_and(|n| v == n);

    let (chunk_count, chunks_across) = match decoder.get_chunk_type() {
        ChunkType::Strip => (decoder.strip_count().map_err(|e| tiff_error(path, e))?, 1),
        ChunkType::Tile => (
            decoder.tile_count().map_err(|e| tiff_error(path, e))?,
            width.div_ceil(chunk_width.max(1)),
        ),
    };

    let mut sums: HashMap<CellIndex, f64> = HashMap::new();
    let mut pixels_with_data = 0usize;
    for index in 0..chunk_count {
        let (data_width, data_height) = decoder.chunk_data_dimensions(index);
        let values = values_as_f64(decoder.read_chunk(index).map_err(|e| tiff_error(path, e))?);
        let col0 = (index % chunks_across) * chunk_width;
        let row0 = (index / chunks_across) * chunk_height;
        for r in 0..data_height {
            for c in 0..data_width {
                let Some(&value) = values.get((r * data_width + c) as usize) else {
                    return Err(PopulationError::Tiff {
                        path: path.to_path_buf(),
                        reason: format!(
                            "chunk {index} holds fewer samples than {data_width}x{data_height}"
                        ),
                    });
                };
                if is_nodata(value) {
                    continue;
                }
                let (row, col) = (row0 + r, col0 + c);
                if row >= height || col >= width {
                    continue;
                }
                if value.is_infinite() && value > 0.0 {
                    return Err(PopulationError::InfinitePixel {
                        path: path.to_path_buf(),
                        row,
                        col,
                        value,
                    });
                }
                if value < 0.0 {
                    return Err(PopulationError::NegativePixel {
                        path: path.to_path_buf(),
                        row,
                        col,
                        value,
                    });
                }
                pixels_with_data += 1;
                if value == 0.0 {
                    continue;
                }
                let (lon, lat) = georeference.pixel_centre(row, col);
                let ll = LatLng::new(lat, lon)
                    .ok()
                    .filter(|_| (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
                    .ok_or_else(|| PopulationError::PixelOutOfRange {
                        path: path.to_path_buf(),
                        row,
                        col,
                        lon,
                        lat,
                    })?;
                *sums.entry(ll.to_cell(resolution)).or_insert(0.0) += value;
            }
        }
    }
    if pixels_with_data == 0 {
        return Err(PopulationError::Empty {
            path: path.to_path_buf(),
        });
    }
    finish_grid(path, resolution, sums)
}
