//! Files people open elsewhere: cells as Parquet (polars, pandas, DuckDB) and GeoJSON (QGIS),
//! ward and district tables as CSV, isochrones as GeoJSON. Every file is written to a temporary
//! name beside its destination and renamed into place, so a crash never leaves half a file
//! where a good one was.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;

use crate::coverage::{CoverageReport, RegionStats};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {message}")]
    Encode { path: PathBuf, message: String },
}

/// Writes through `fill` into `path.tmp`, then renames it over `path`.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(io)?;
        let mut writer = std::io::BufWriter::new(file);
        fill(&mut writer)?;
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn write_json(path: &Path, value: &Value) -> Result<(), ExportError> {
    write_atomically(path, |w| {
        serde_json::to_writer(&mut *w, value).map_err(|e| ExportError::Encode {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    })
}

/// One row per populated cell with everything the rule looked at.
pub fn write_cells_parquet(
    path: &Path,
    report: &CoverageReport,
    point_ids: &[String],
    ward_names: &[String],
    district_names: &[String],
) -> Result<(), ExportError> {
    let cells = &report.cells;
    let name_of = |names: &[String], i: Option<usize>| i.and_then(|i| names.get(i)).cloned();
    let encode = |e: PolarsError| ExportError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut df = DataFrame::new_infer_height(vec![
        Column::new(
            "h3".into(),
            cells.iter().map(|c| c.cell.to_string()).collect::<Vec<_>>(),
        ),
        Column::new(
            "lon".into(),
            cells
                .iter()
                .map(|c| h3o::LatLng::from(c.cell).lng())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "lat".into(),
            cells
                .iter()
                .map(|c| h3o::LatLng::from(c.cell).lat())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "population".into(),
            cells.iter().map(|c| c.population).collect::<Vec<_>>(),
        ),
        Column::new(
            "travel_s".into(),
            cells.iter().map(|c| c.travel_s).collect::<Vec<_>>(),
        ),
        Column::new(
            "network_m".into(),
            cells.iter().map(|c| c.network_m).collect::<Vec<_>>(),
        ),
        Column::new(
            "straight_m".into(),
            cells.iter().map(|c| c.straight_m).collect::<Vec<_>>(),
        ),
        Column::new(
            "nearest_point".into(),
            cells
                .iter()
                .map(|c| c.nearest_point.and_then(|p| point_ids.get(p)).cloned())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "by_time".into(),
            cells.iter().map(|c| c.by_time).collect::<Vec<_>>(),
        ),
        Column::new(
            "by_radius".into(),
            cells.iter().map(|c| c.by_radius).collect::<Vec<_>>(),
        ),
        Column::new(
            "on_roads".into(),
            cells.iter().map(|c| c.on_roads).collect::<Vec<_>>(),
        ),
        Column::new(
            "status".into(),
            cells.iter().map(|c| c.status.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "ward".into(),
            cells
                .iter()
                .map(|c| name_of(ward_names, c.ward))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "district".into(),
            cells
                .iter()
                .map(|c| name_of(district_names, c.district))
                .collect::<Vec<_>>(),
        ),
    ])
    .map_err(encode)?;
    write_atomically(path, |w| {
        ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(encode)
    })
}

/// Ward or district table, worst first, as CSV.
pub fn write_regions_csv(path: &Path, rows: &[RegionStats]) -> Result<(), ExportError> {
    write_atomically(path, |w| {
        let encode = |e: csv::Error| ExportError::Encode {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut out = csv::Writer::from_writer(w);
        out.write_record([
            "name",
            "population",
            "covered",
            "uncovered",
            "unknown",
            "no_road_data",
            "covered_share",
            "covered_share_of_decided",
            "mean_travel_s",
            "cut_by_extent",
        ])
        .map_err(encode)?;
        // Figures the data cannot give stay empty rather than reading as 0.
        let optional = |x: Option<f64>, decimals: usize| {
            x.map_or(String::new(), |x| format!("{x:.decimals$}"))
        };
        for r in rows {
            out.write_record([
                r.name.clone(),
                format!("{:.0}", r.population),
                format!("{:.0}", r.covered),
                format!("{:.0}", r.uncovered),
                format!("{:.0}", r.unknown),
                format!("{:.0}", r.no_road_data),
                format!("{:.4}", r.covered_share),
                optional(r.covered_share_of_decided, 4),
                optional(r.mean_travel_s, 1),
                r.cut_by_extent.to_string(),
            ])
            .map_err(encode)?;
        }
        out.flush().map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Plain text lines (a README beside the outputs, say).
pub fn write_text(path: &Path, text: &str) -> Result<(), ExportError> {
    write_atomically(path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|source| ExportError::Io {
                path: path.to_path_buf(),
                source,
            })
    })
}
