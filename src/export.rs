//! Files people open elsewhere: cells as Parquet (polars, pandas, DuckDB) and GeoJSON (QGIS),
//! ward and district tables as CSV, isochrones as GeoJSON. Every file is written to a temporary
//! name beside its destination and renamed into place, so a crash never leaves half a file
//! where a good one was.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::collections::HashMap;

use polars::prelude::*;
use serde_json::{Value, json};

use crate::coverage::{CoverageReport, RegionStats};
use crate::scenario::{
    AreaMeta, Evaluation, ExportFormat, ExportTable, GraphTimes, ReceivingPoint, Scenario,
    ServiceDoc, SuggestedPoint,
};

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

pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), ExportError> {
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

/// Writes a CSV file of `header` and `rows`, every cell already formatted.
fn write_csv<R: IntoIterator<Item = String>>(
    path: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<(), ExportError> {
    write_atomically(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        fill_csv(&mut out, header, rows).map_err(|message| ExportError::Encode {
            path: path.to_path_buf(),
            message,
        })?;
        out.flush().map_err(|source| ExportError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

fn fill_csv<W: Write, R: IntoIterator<Item = String>>(
    out: &mut csv::Writer<W>,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<(), String> {
    out.write_record(header).map_err(|e| e.to_string())?;
    for row in rows {
        out.write_record(row).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A figure the data cannot give stays empty rather than reading as 0.
fn optional(x: Option<f64>, decimals: usize) -> String {
    x.map_or(String::new(), |x| format!("{x:.decimals$}"))
}

/// Ward or district table, worst first, as CSV.
pub fn write_regions_csv(path: &Path, rows: &[RegionStats]) -> Result<(), ExportError> {
    write_csv(
        path,
        &[
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
        ],
        rows.iter().map(|r| {
            [
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
            ]
        }),
    )
}

/// One row per receiving point: its catchment, load at the peak hour, queue and the counters
/// the wait limit needs (`points.csv`). Figures the model cannot give (the wait of an
/// overloaded point) stay empty.
pub fn write_points_csv(path: &Path, doc: &ServiceDoc) -> Result<(), ExportError> {
    write_csv(
        path,
        &[
            "id",
            "name",
            "kind",
            "lon",
            "lat",
            "counters",
            "open_days_per_week",
            "catchment_residents",
            "catchment_covered",
            "unknown_nearby",
            "visits_per_year",
            "peak_arrivals_per_hour",
            "utilisation",
            "level",
            "wait_min",
            "counters_needed",
            "capacity_residents",
            "served_within_capacity",
        ],
        doc.points.iter().map(|p| {
            let l = &p.load;
            [
                csv_text(&p.id),
                csv_text(&p.name),
                p.kind.as_str().to_string(),
                format!("{:.6}", p.lon),
                format!("{:.6}", p.lat),
                l.counters.to_string(),
                l.open_days_per_week.to_string(),
                format!("{:.0}", l.residents),
                format!("{:.0}", l.residents_covered),
                format!("{:.0}", l.residents_unknown_nearby),
                format!("{:.0}", l.visits_per_year),
                format!("{:.2}", l.peak_arrivals_per_hour),
                optional(l.utilisation, 3),
                l.level.as_str().to_string(),
                optional(l.wait_min, 1),
                l.counters_needed.map_or(String::new(), |c| c.to_string()),
                format!("{:.0}", l.capacity_residents),
                format!("{:.0}", p.served_within_capacity),
            ]
        }),
    )
}

/// Residents of each point's catchment per ward (`catchment_wards.csv`), largest first per point.
pub fn write_catchment_wards(
    path: &Path,
    point_ids: &[String],
    service: &crate::coverage::ServiceReport,
    ward_names: &[String],
) -> Result<(), ExportError> {
    let mut rows = Vec::new();
    for (id, k) in point_ids.iter().zip(&service.catchments.points) {
        let mut wards: Vec<(&usize, &f64)> = k.by_ward.iter().collect();
        wards.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
        for (&w, &people) in wards {
            let name = ward_names.get(w).cloned().unwrap_or_default();
            rows.push([csv_text(id), csv_text(&name), format!("{people:.0}")]);
        }
    }
    write_csv(path, &["point_id", "ward", "residents"], rows)
}

/// Load and fairness per ward (`wards_service.csv`), worst loaded first.
pub fn write_wards_service(path: &Path, doc: &ServiceDoc) -> Result<(), ExportError> {
    write_csv(
        path,
        &[
            "name",
            "population",
            "residents_at_overloaded",
            "residents_at_strained",
            "mean_travel_min",
            "gini_travel",
            "palma_travel",
            "theil_travel",
            "worst_tenth_mean_travel_min",
            "e2sfca_per_10k",
        ],
        doc.wards.iter().map(|w| {
            let t = w.fairness.travel_min.as_ref();
            [
                csv_text(&w.name),
                format!("{:.0}", w.population),
                format!("{:.0}", w.residents_at_overloaded),
                format!("{:.0}", w.residents_at_strained),
                optional(t.map(|t| t.mean), 2),
                optional(t.map(|t| t.gini), 4),
                optional(t.and_then(|t| t.palma), 3),
                optional(t.map(|t| t.theil_t), 4),
                optional(t.map(|t| t.top_tenth_mean), 2),
                optional(w.fairness.e2sfca_per_10k, 4),
            ]
        }),
    )
}

/// The points a plan proposes, as CSV (`csv_path`) and as GeoJSON points (`geojson_path`).
pub fn write_suggested_points(
    csv_path: &Path,
    geojson_path: &Path,
    added: &[SuggestedPoint],
) -> Result<(), ExportError> {
    write_csv(
        csv_path,
        &[
            &POINT_COLUMNS[..],
            &["adds_population", "explanation", "explanation_vi"],
        ]
        .concat(),
        added.iter().map(|a| {
            let mut row = point_cells(&a.point, |x| format!("{x:.6}"));
            row.extend([
                format!("{:.0}", a.adds_population),
                a.explanation.clone(),
                a.explanation_vi.clone(),
            ]);
            row
        }),
    )?;
    let features: Vec<Value> = added
        .iter()
        .map(|a| {
            json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [a.point.lon, a.point.lat]},
                "properties": {"id": a.point.id, "name": a.point.name, "kind": a.point.kind,
                               "adds_population": a.adds_population.round(), "explanation": a.explanation,
                               "explanation_vi": a.explanation_vi},
            })
        })
        .collect();
    write_json(
        geojson_path,
        &json!({"type": "FeatureCollection", "features": features}),
    )
}

/// Each ward's coverage before and after a plan, in the order of `before` (worst first).
pub fn write_ward_comparison(
    path: &Path,
    before: &[RegionStats],
    after: &[RegionStats],
) -> Result<(), ExportError> {
    let after_by_name: HashMap<&str, &RegionStats> =
        after.iter().map(|w| (w.name.as_str(), w)).collect();
    write_csv(
        path,
        &[
            "ward",
            "population",
            "covered_before",
            "covered_after",
            "share_before",
            "share_after",
        ],
        before.iter().map(|b| {
            let a = after_by_name.get(b.name.as_str()).copied().unwrap_or(b);
            [
                b.name.clone(),
                format!("{:.0}", b.population),
                format!("{:.0}", b.covered),
                format!("{:.0}", a.covered),
                format!("{:.4}", b.covered_share),
                format!("{:.4}", a.covered_share),
            ]
        }),
    )
}

/// A mode's road graph and the travel time from every node to its nearest point, as
/// `nodes.csv`, `edges.csv` and `seeds.csv` in `dir`.
pub fn write_graph_times(dir: &Path, times: &GraphTimes) -> Result<(), ExportError> {
    let graph = &times.network.graph;
    write_csv(
        &dir.join("nodes.csv"),
        &["node", "lon", "lat", "travel_s", "nearest_point"],
        (0..graph.num_nodes()).map(|n| {
            let (travel, point) = match &times.nearest[n] {
                Some((travel_s, id)) => (format!("{travel_s:.3}"), id.clone()),
                None => (String::new(), String::new()),
            };
            [
                n.to_string(),
                format!("{:.7}", graph.lon[n]),
                format!("{:.7}", graph.lat[n]),
                travel,
                point,
            ]
        }),
    )?;
    write_csv(
        &dir.join("edges.csv"),
        &["tail", "head", "travel_s", "length_m"],
        (0..graph.num_edges()).map(|e| {
            [
                graph.tail[e].0.to_string(),
                graph.head[e].0.to_string(),
                format!("{}", graph.travel_s[e]),
                format!("{}", graph.length_m[e]),
            ]
        }),
    )?;
    write_csv(
        &dir.join("seeds.csv"),
        &["point", "node", "travel_s"],
        times.seeds.iter().map(|s| {
            [
                s.point_id.clone(),
                s.node.to_string(),
                format!("{}", s.travel_s),
            ]
        }),
    )
}

/// Receiving points as GeoJSON Point features (id, name, kind, opening hours, approximate,
/// address).
pub fn points_geojson(points: &[ReceivingPoint]) -> Value {
    let features: Vec<_> = points
        .iter()
        .map(|p| {
            json!({
                "type": "Feature",
                "id": p.id,
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "id": p.id,
                    "name": p.name,
                    "kind": p.kind,
                    "opening_hours": p.opening_hours,
                    "approximate": p.approximate,
                    "address": p.address,
                    "counters": p.counters,
                    "unit": p.unit,
                }
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// What a scenario's downloads are read with besides its evaluation: where and when.
pub struct DownloadContext<'a> {
    /// The scenario's id (`baseline`, `set-…` or a saved one).
    pub scenario_id: &'a str,
    pub area: &'a AreaMeta,
    /// When the download was made, RFC 3339 in UTC.
    pub exported_at: &'a str,
    /// Ward and former district polygons (GeoJSON FeatureCollections named by `name`).
    pub ward_shapes: &'a Value,
    pub district_shapes: &'a Value,
}

/// The byte-order mark that tells Excel a CSV file is UTF-8 (without it, Vietnamese names
/// open as mojibake in the Windows code page).
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What an empty field of a download means, said in its metadata.
const EMPTY_MEANS: &str = "unknown: the data cannot give this figure (never zero)";

/// One table of a scenario, or its metadata sidecar, as the bytes of one file.
pub fn scenario_download(
    scenario: &Scenario,
    evaluation: &Evaluation,
    context: &DownloadContext,
    format: ExportFormat,
    table: ExportTable,
) -> Result<Vec<u8>, ExportError> {
    let what = PathBuf::from(download_name(context, format, table));
    let json = |value: &Value| {
        serde_json::to_vec_pretty(value).map_err(|e| ExportError::Encode {
            path: what.clone(),
            message: e.to_string(),
        })
    };
    match (table, format) {
        (ExportTable::Metadata, _) => json(&download_metadata(scenario, evaluation, context)),
        (ExportTable::Points, ExportFormat::Csv) => csv_bytes(
            &what,
            &POINT_COLUMNS,
            scenario
                .points
                .iter()
                .map(|p| point_cells(p, |x| x.to_string()))
                .collect::<Vec<_>>(),
        ),
        (ExportTable::Wards | ExportTable::Districts, ExportFormat::Csv) => {
            let rows = regions_of(evaluation, table);
            csv_bytes(&what, &REGION_COLUMNS, rows.iter().map(region_row))
        }
        (ExportTable::Points, ExportFormat::GeoJson) => json(&points_geojson(&scenario.points)),
        (ExportTable::Wards | ExportTable::Districts, ExportFormat::GeoJson) => {
            let shapes = if table == ExportTable::Wards {
                context.ward_shapes
            } else {
                context.district_shapes
            };
            json(&regions_geojson(regions_of(evaluation, table), shapes))
        }
    }
}

/// The file name of a download: `motcua-hanoi-baseline-wards.csv`.
pub fn download_name(
    context: &DownloadContext,
    format: ExportFormat,
    table: ExportTable,
) -> String {
    let extension = match (table, format) {
        (ExportTable::Metadata, _) => "json",
        (_, ExportFormat::Csv) => "csv",
        (_, ExportFormat::GeoJson) => "geojson",
    };
    format!(
        "motcua-{}-{}-{}.{extension}",
        context.area.name,
        context.scenario_id,
        table.as_str()
    )
}

/// The media type of a download.
pub fn download_media_type(format: ExportFormat, table: ExportTable) -> &'static str {
    match (table, format) {
        (ExportTable::Metadata, _) => "application/json",
        (_, ExportFormat::Csv) => "text/csv; charset=utf-8",
        (_, ExportFormat::GeoJson) => "application/geo+json",
    }
}

/// The sidecar every table of a download is read with.
pub fn download_metadata(
    scenario: &Scenario,
    evaluation: &Evaluation,
    context: &DownloadContext,
) -> Value {
    let area = context.area;
    let files: Vec<Value> = ExportTable::ALL
        .iter()
        .filter(|&&t| t != ExportTable::Metadata)
        .flat_map(|&t| {
            ExportFormat::ALL
                .iter()
                .map(move |&f| json!({"table": t.as_str(), "format": f.as_str()}))
        })
        .collect();
    json!({
        "scenario": {"id": context.scenario_id, "name": scenario.name},
        "rule": scenario.rule,
        "mode": scenario.mode,
        "exported_at": context.exported_at,
        "area": {"name": area.name, "title": area.title, "title_vi": area.title_vi},
        "roads": {
            "source": "OpenStreetMap",
            "vintage": area.roads_vintage,
            "note": area.roads_note,
        },
        "population": {
            "source": area.population_scope,
            "source_vi": area.population_scope_vi,
            "in_study_area": area.population_in_study_area,
            "scope": area.scope,
            "scope_vi": area.scope_vi,
        },
        "boundaries": {
            "wards": "2025 wards and communes",
            "districts": "districts before 2025",
        },
        "attribution": area.attribution,
        "summary": evaluation.report.summary,
        "points": scenario.points.len(),
        "wards": evaluation.report.wards.len(),
        "districts": evaluation.report.districts.len(),
        "empty_means": EMPTY_MEANS,
        "files": files,
    })
}

fn regions_of(evaluation: &Evaluation, table: ExportTable) -> &[RegionStats] {
    if table == ExportTable::Districts {
        &evaluation.report.districts
    } else {
        &evaluation.report.wards
    }
}

fn csv_bytes<R: IntoIterator<Item = String>>(
    what: &Path,
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, ExportError> {
    let encode = |message: String| ExportError::Encode {
        path: what.to_path_buf(),
        message,
    };
    let mut out = csv::Writer::from_writer(UTF8_BOM.to_vec());
    fill_csv(&mut out, header, rows).map_err(encode)?;
    out.into_inner().map_err(|e| encode(e.to_string()))
}

/// Columns of the ward and district tables of a download.
const REGION_COLUMNS: [&str; 10] = [
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
];

/// A region's figures, with those it has no data for left empty: a ward without a populated
/// cell has no known population, and 0 would read as "nobody there, all served".
fn region_figures(r: &RegionStats) -> [Option<f64>; 8] {
    let known = r.population > 0.0;
    let some = |x: f64| known.then_some(x);
    [
        some(r.population),
        some(r.covered),
        some(r.uncovered),
        some(r.unknown),
        some(r.no_road_data),
        some(r.covered_share),
        r.covered_share_of_decided.filter(|_| known),
        r.mean_travel_s.filter(|_| known),
    ]
}

fn region_row(r: &RegionStats) -> Vec<String> {
    let figures = region_figures(r);
    let mut row = vec![csv_text(&r.name)];
    row.extend(figures.iter().enumerate().map(|(i, &x)| match i {
        5 | 6 => optional(x, 4),
        7 => optional(x, 1),
        _ => optional(x, 0),
    }));
    row.push(r.cut_by_extent.to_string());
    row
}

/// A point's cells in the order of [`POINT_COLUMNS`], its coordinates written by `coordinate`.
fn point_cells(p: &ReceivingPoint, coordinate: impl Fn(f64) -> String) -> Vec<String> {
    vec![
        csv_text(&p.id),
        csv_text(&p.name),
        p.kind.as_str().to_string(),
        coordinate(p.lon),
        coordinate(p.lat),
        csv_text(&p.opening_hours),
        p.approximate.to_string(),
        csv_text(p.address.as_deref().unwrap_or_default()),
        p.counters.map(|c| c.to_string()).unwrap_or_default(),
        csv_text(p.unit.as_deref().unwrap_or_default()),
    ]
}

/// Regions as Features with their polygons (null geometry for one the boundary files lack)
/// and their figures, unknown ones null.
fn regions_geojson(rows: &[RegionStats], shapes: &Value) -> Value {
    let geometry_of: HashMap<&str, &Value> = shapes["features"]
        .as_array()
        .map(|features| {
            features
                .iter()
                .filter_map(|f| Some((f["properties"]["name"].as_str()?, &f["geometry"])))
                .collect()
        })
        .unwrap_or_default();
    let features: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut properties = serde_json::Map::new();
            properties.insert("name".into(), json!(r.name));
            for (column, value) in REGION_COLUMNS[1..9].iter().zip(region_figures(r)) {
                properties.insert((*column).into(), json!(value));
            }
            properties.insert("cut_by_extent".into(), json!(r.cut_by_extent));
            json!({
                "type": "Feature",
                "geometry": geometry_of.get(r.name.as_str()).copied().cloned().unwrap_or(Value::Null),
                "properties": properties,
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

/// The columns of a receiving point in every table of points, as a points file reads them
/// back (`scenario::read_points`): a stop of a mobile unit keeps its `unit`.
const POINT_COLUMNS: [&str; 10] = [
    "id",
    "name",
    "kind",
    "lon",
    "lat",
    "opening_hours",
    "approximate",
    "address",
    "counters",
    "unit",
];

/// Text for a CSV cell that spreadsheets will not run as a formula: names come from users, and
/// a leading `=`, `+`, `-`, `@` (or tab/CR) would otherwise be evaluated when the file is opened.
fn csv_text(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// A weekly sweep's hours: `week.csv`, one row per hour of the week.
pub fn write_week_csv(path: &Path, sweep: &crate::scenario::WeekSweep) -> Result<(), ExportError> {
    write_csv(
        path,
        &[
            "hour_of_week",
            "at",
            "weekday",
            "hour",
            "band",
            "speed_factor",
            "open_points",
            "closed_points",
            "population_covered",
            "population_unknown",
            "covered_share",
        ],
        sweep.hours.iter().map(|h| {
            [
                h.hour_of_week.to_string(),
                h.at.clone(),
                h.weekday.clone(),
                h.hour.to_string(),
                h.band.clone(),
                format!("{}", h.speed_factor),
                h.open_points.to_string(),
                h.closed_points.to_string(),
                format!("{:.0}", h.population_covered),
                format!("{:.0}", h.population_unknown),
                format!("{:.4}", h.covered_share),
            ]
        }),
    )
}

/// A weekly sweep per ward: `week_wards.csv`, one row per ward and hour.
pub fn write_week_wards_csv(
    path: &Path,
    sweep: &crate::scenario::WeekSweep,
) -> Result<(), ExportError> {
    write_csv(
        path,
        &["ward", "population", "hour_of_week", "covered_share"],
        sweep.wards.iter().flat_map(|w| {
            w.covered_share.iter().enumerate().map(move |(h, share)| {
                [
                    w.name.clone(),
                    format!("{:.0}", w.population),
                    h.to_string(),
                    format!("{share:.4}"),
                ]
            })
        }),
    )
}

/// The weekly curve as an SVG line chart: covered share (0-100 %) against the 168 hours,
/// one gridline a day, the rush-hour bands shaded. Plain SVG, readable in any browser.
pub fn week_svg(sweep: &crate::scenario::WeekSweep, title: &str) -> String {
    let (w, h, left, top, bottom) = (960.0, 320.0, 48.0, 32.0, 40.0);
    let plot_w = w - left - 16.0;
    let plot_h = h - top - bottom;
    let x = |hour: f64| left + plot_w * hour / 168.0;
    let y = |share: f64| top + plot_h * (1.0 - share.clamp(0.0, 1.0));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\n<title>{}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n<text x=\"{left}\" y=\"18\" font-size=\"13\">{}</text>\n",
        xml_text(title),
        xml_text(title)
    );
    for hc in &sweep.hours {
        if hc.speed_factor < 1.0 {
            svg += &format!(
                "<rect x=\"{:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{plot_h}\" fill=\"#fde8d8\"><title>{} x{}</title></rect>\n",
                x(hc.hour_of_week as f64),
                plot_w / 168.0,
                xml_text(&hc.band),
                hc.speed_factor
            );
        }
    }
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let (right, yy, label_x, label) = (left + plot_w, y(pct), left - 4.0, pct * 100.0);
        svg += &format!(
            "<line x1=\"{left}\" x2=\"{right:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{label_x:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label:.0} %</text>\n",
            yy + 4.0
        );
    }
    for (d, name) in crate::hours::WEEKDAYS.iter().enumerate() {
        let x0 = x(d as f64 * 24.0);
        svg += &format!(
            "<line x1=\"{x0:.1}\" x2=\"{x0:.1}\" y1=\"{top}\" y2=\"{:.1}\" stroke=\"#bbb\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{name}</text>\n",
            top + plot_h,
            x(d as f64 * 24.0 + 12.0),
            top + plot_h + 16.0
        );
    }
    let line: Vec<String> = sweep
        .hours
        .iter()
        .map(|hc| {
            format!(
                "{:.1},{:.1} {:.1},{:.1}",
                x(hc.hour_of_week as f64),
                y(hc.covered_share),
                x(hc.hour_of_week as f64 + 1.0),
                y(hc.covered_share)
            )
        })
        .collect();
    svg += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n</svg>\n",
        line.join(" ")
    );
    svg
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("Phường Cầu Giấy"), "Phường Cầu Giấy");
        assert_eq!(csv_text(""), "");
    }
}
