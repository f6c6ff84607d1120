//! Handlers for saved scenarios and for evaluating drafts.

use std::collections::HashSet;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::graph::TravelMode;
use crate::scenario::{Evaluation, ReceivingPoint, RuleSpec, Scenario};
use crate::server::area::points_geojson;
use crate::server::dto::{
    AreaRef, CoverageQuery, CoverageResult, CreateScenario, Draft, ExportQuery, IsochroneQuery,
    ScenarioDoc, ScenarioList, ScenarioListItem, SummaryDoc, UpdateScenario,
};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath, ApiQuery, WriteAccess};
use crate::server::store::StoredScenario;
use crate::server::{AppState, blocking};

/// Id of the built-in read-only scenario holding the area's current receiving points.
pub const BASELINE_ID: &str = "baseline";
/// Key added to `timings_ms`: milliseconds the server spent in the domain's evaluate call.
pub const SERVER_EVALUATE_KEY: &str = "server_evaluate";
/// Most receiving points one scenario may hold.
pub const MAX_POINTS: usize = 5_000;
/// Longest scenario or point name, in characters.
const MAX_NAME_CHARS: usize = 200;
/// Most isochrone bands one request may ask for.
const MAX_ISOCHRONE_BANDS: usize = 6;
/// Longest isochrone band, in minutes.
const MAX_ISOCHRONE_MINUTES: u32 = 120;

/// Loads a saved scenario, or the baseline.
pub async fn load(state: &AppState, id: String) -> Result<StoredScenario, ApiError> {
    if id == BASELINE_ID {
        return Ok(baseline(state));
    }
    let store = state.store_arc();
    blocking(move || store.get(&id).map_err(ApiError::from)).await
}

fn baseline(state: &AppState) -> StoredScenario {
    StoredScenario {
        id: BASELINE_ID.to_string(),
        version: 1,
        scenario: state.area().baseline(),
        created_at: state.started_at().to_string(),
        updated_at: state.started_at().to_string(),
    }
}

fn doc(stored: StoredScenario) -> ScenarioDoc {
    let read_only = stored.id == BASELINE_ID;
    ScenarioDoc {
        id: stored.id,
        name: stored.scenario.name,
        version: stored.version,
        mode: stored.scenario.mode,
        rule: stored.scenario.rule,
        points: stored.scenario.points,
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        read_only,
    }
}

fn read_only_error() -> ApiError {
    ApiError::conflict(
        "the baseline scenario is read-only (it is the area's current receiving points); create your own copy with POST /api/v1/scenarios and edit that",
    )
}

/// Checks what a client sent before it is saved or computed on; the domain's own
/// `Scenario::validate` runs last for the rules it knows (duplicates, rule ranges).
pub fn check_scenario(s: &Scenario) -> Result<(), ApiError> {
    let name_chars = s.name.trim().chars().count();
    if name_chars == 0 {
        return Err(ApiError::bad_request(
            "the scenario name is empty: give it a name people will recognise",
        ));
    }
    if name_chars > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "the scenario name is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if s.points.is_empty() {
        return Err(ApiError::bad_request(
            "the scenario has no receiving points: give at least one",
        ));
    }
    if s.points.len() > MAX_POINTS {
        return Err(ApiError::bad_request(format!(
            "the scenario has {} receiving points; at most {MAX_POINTS} are accepted",
            s.points.len()
        )));
    }
    let mut ids = HashSet::new();
    for (index, p) in s.points.iter().enumerate() {
        if p.id.trim().is_empty() {
            return Err(ApiError::bad_request(format!(
                "points[{index}] has an empty id; every point needs a unique id"
            )));
        }
        if !ids.insert(p.id.as_str()) {
            return Err(ApiError::bad_request(format!(
                "points[{index}] repeats the id {:?}; point ids must be unique",
                p.id
            )));
        }
        if p.name.chars().count() > MAX_NAME_CHARS || p.id.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::bad_request(format!(
                "points[{index}] has an id or name longer than {MAX_NAME_CHARS} characters"
            )));
        }
        if !p.lon.is_finite()
            || !(-180.0..=180.0).contains(&p.lon)
            || !p.lat.is_finite()
            || !(-90.0..=90.0).contains(&p.lat)
        {
            return Err(ApiError::bad_request(format!(
                "points[{index}] ({:?}) has lon = {}, lat = {}: expected WGS84 degrees, lon in -180..=180 and lat in -90..=90",
                p.id, p.lon, p.lat
            )));
        }
    }
    check_rule(&s.rule)?;
    s.validate()?;
    Ok(())
}

fn check_rule(rule: &RuleSpec) -> Result<(), ApiError> {
    if !rule.max_minutes.is_finite() || rule.max_minutes <= 0.0 || rule.max_minutes > 240.0 {
        return Err(ApiError::bad_request(format!(
            "rule.max_minutes = {} is out of range: expected more than 0 and at most 240",
            rule.max_minutes
        )));
    }
    if !rule.radius_km.is_finite() || rule.radius_km < 0.0 || rule.radius_km > 100.0 {
        return Err(ApiError::bad_request(format!(
            "rule.radius_km = {} is out of range: expected 0 to 100",
            rule.radius_km
        )));
    }
    Ok(())
}

/// A draft from the client as a domain scenario, with defaults filled in.
pub fn draft_scenario(draft: Draft) -> Scenario {
    Scenario {
        name: draft.name.unwrap_or_else(|| "draft".to_string()),
        mode: draft.mode.unwrap_or(TravelMode::Motorbike),
        rule: draft.rule.unwrap_or_default(),
        points: draft.points,
    }
}

/// Saved scenarios of this area, the baseline first.
#[utoipa::path(get, path = "/api/v1/scenarios", tag = "scenarios",
    responses((status = 200, description = "The baseline and every saved scenario", body = ScenarioList)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<ScenarioList>, ApiError> {
    let store = state.store_arc();
    let saved = blocking(move || store.list().map_err(ApiError::from)).await?;
    let base = baseline(&state);
    let mut scenarios = vec![ScenarioListItem {
        id: base.id,
        name: base.scenario.name,
        version: base.version,
        mode: base.scenario.mode,
        points_count: base.scenario.points.len(),
        updated_at: base.updated_at,
        read_only: true,
    }];
    scenarios.extend(saved.into_iter().map(|s| ScenarioListItem {
        id: s.id,
        name: s.name,
        version: s.version,
        mode: s.mode,
        points_count: s.points_count,
        updated_at: s.updated_at,
        read_only: false,
    }));
    Ok(Json(ScenarioList { scenarios }))
}

/// Saves a new scenario (points default to a copy of the baseline).
#[utoipa::path(post, path = "/api/v1/scenarios", tag = "scenarios", request_body = CreateScenario,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ScenarioDoc),
        (status = 400, description = "Invalid scenario", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
    ))]
pub async fn create(
    _auth: WriteAccess,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateScenario>,
) -> Result<(StatusCode, Json<ScenarioDoc>), ApiError> {
    let base = state.area().baseline();
    let scenario = Scenario {
        name: body.name.trim().to_string(),
        mode: body.mode.unwrap_or(base.mode),
        rule: body.rule.unwrap_or(base.rule),
        points: body.points.unwrap_or(base.points),
    };
    check_scenario(&scenario)?;
    let store = state.store_arc();
    let stored = blocking(move || store.create(&scenario).map_err(ApiError::from)).await?;
    Ok((StatusCode::CREATED, Json(doc(stored))))
}

/// One scenario.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, or baseline")),
    responses(
        (status = 200, description = "The scenario", body = ScenarioDoc),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ScenarioDoc>, ApiError> {
    Ok(Json(doc(load(&state, id).await?)))
}

/// Replaces a scenario if `version` is still current; the answer carries version + 1.
#[utoipa::path(put, path = "/api/v1/scenarios/{id}", tag = "scenarios", request_body = UpdateScenario,
    params(("id" = String, Path, description = "Scenario id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = ScenarioDoc),
        (status = 400, description = "Invalid scenario", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
        (status = 409, description = "Stale version, or the read-only baseline", body = ErrorBody),
    ))]
pub async fn update(
    _auth: WriteAccess,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateScenario>,
) -> Result<Json<ScenarioDoc>, ApiError> {
    if id == BASELINE_ID {
        return Err(read_only_error());
    }
    if body.version < 1 {
        return Err(ApiError::bad_request(format!(
            "version = {} is not a scenario version: send the version you loaded (1 or more)",
            body.version
        )));
    }
    let scenario = Scenario {
        name: body.name.trim().to_string(),
        mode: body.mode,
        rule: body.rule,
        points: body.points,
    };
    check_scenario(&scenario)?;
    let store = state.store_arc();
    let stored = blocking(move || {
        store
            .update(&id, body.version, &scenario)
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(doc(stored)))
}

/// Deletes a scenario.
#[utoipa::path(delete, path = "/api/v1/scenarios/{id}", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
        (status = 409, description = "The read-only baseline", body = ErrorBody),
    ))]
pub async fn delete(
    _auth: WriteAccess,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if id == BASELINE_ID {
        return Err(read_only_error());
    }
    let store = state.store_arc();
    blocking(move || store.delete(&id).map_err(ApiError::from)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Coverage of a saved scenario.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/coverage", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, or baseline"), CoverageQuery),
    responses(
        (status = 200, description = "Coverage result", body = CoverageResult),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn coverage(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> Result<Json<CoverageResult>, ApiError> {
    let stored = load(&state, id).await?;
    evaluate_to_result(&state, stored.scenario, q.cells.unwrap_or(false))
        .await
        .map(Json)
}

/// Coverage of an unsaved draft; read-only, no token needed.
#[utoipa::path(post, path = "/api/v1/evaluate", tag = "scenarios", request_body = Draft, params(CoverageQuery),
    responses(
        (status = 200, description = "Coverage result", body = CoverageResult),
        (status = 400, description = "Invalid draft", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
    ))]
pub async fn evaluate(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<CoverageResult>, ApiError> {
    let scenario = draft_scenario(draft);
    check_scenario(&scenario)?;
    evaluate_to_result(&state, scenario, q.cells.unwrap_or(false))
        .await
        .map(Json)
}

async fn evaluate_to_result(
    state: &AppState,
    scenario: Scenario,
    with_cells: bool,
) -> Result<CoverageResult, ApiError> {
    let area = state.area_arc();
    state
        .heavy(move || {
            let started = std::time::Instant::now();
            let evaluation = area.evaluate(&scenario)?;
            let evaluate_ms = started.elapsed().as_secs_f64() * 1000.0;
            let meta = area.meta();
            let cells = with_cells.then(|| {
                evaluation
                    .report
                    .cells_geojson(&point_ids(&scenario.points), area.ward_names())
            });
            let Evaluation {
                report,
                mut timings_ms,
                points_by_kind,
                ..
            } = evaluation;
            // Wall-clock time of the whole domain call, whatever stages the domain reports.
            timings_ms.insert(SERVER_EVALUATE_KEY.to_string(), evaluate_ms);
            Ok(CoverageResult {
                summary: SummaryDoc::new(&report.summary, points_by_kind),
                wards: report.wards,
                districts: report.districts,
                area: AreaRef {
                    name: meta.name.clone(),
                    roads_vintage: meta.roads_vintage.clone(),
                },
                timings_ms,
                cells,
            })
        })
        .await
}

fn point_ids(points: &[ReceivingPoint]) -> Vec<String> {
    points.iter().map(|p| p.id.clone()).collect()
}

/// Isochrones (areas reachable within each number of minutes) of a scenario's points.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/isochrones", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, or baseline"), IsochroneQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection, one MultiPolygon per band", body = Object),
        (status = 400, description = "Bad minutes", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn isochrones(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<IsochroneQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let minutes = parse_minutes(q.minutes.as_deref())?;
    let per_point = q.per_point.unwrap_or(false);
    let stored = load(&state, id).await?;
    let area = state.area_arc();
    let value = state
        .heavy(move || {
            area.isochrones_geojson(&stored.scenario, &minutes, per_point)
                .map_err(ApiError::from)
        })
        .await?;
    Ok(Json(value))
}

/// Parses "10,20,30" into sorted, distinct minute bands.
fn parse_minutes(text: Option<&str>) -> Result<Vec<u32>, ApiError> {
    let Some(text) = text else {
        return Ok(vec![10, 20, 30]);
    };
    let mut minutes = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let value: u32 = part.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "minutes: {part:?} is not a whole number of minutes; send e.g. minutes=10,20,30"
            ))
        })?;
        if value == 0 || value > MAX_ISOCHRONE_MINUTES {
            return Err(ApiError::bad_request(format!(
                "minutes: {value} is out of range: each must be 1 to {MAX_ISOCHRONE_MINUTES}"
            )));
        }
        minutes.push(value);
    }
    minutes.sort_unstable();
    minutes.dedup();
    if minutes.len() > MAX_ISOCHRONE_BANDS {
        return Err(ApiError::bad_request(format!(
            "minutes: at most {MAX_ISOCHRONE_BANDS} bands per request, got {}",
            minutes.len()
        )));
    }
    Ok(minutes)
}

/// A scenario's points and per-ward results as a CSV or GeoJSON download.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/export", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, or baseline"), ExportQuery),
    responses(
        (status = 200, description = "text/csv (record = point or ward) or GeoJSON with a `wards` member", content_type = "text/csv"),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn export(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = q.format.unwrap_or_else(|| "csv".to_string());
    if format != "csv" && format != "geojson" {
        return Err(ApiError::bad_request(format!(
            "format = {format:?} is not offered: use csv or geojson"
        )));
    }
    let stored = load(&state, id).await?;
    let area = state.area_arc();
    let file_stem = format!("motcua-{}-{}", area.meta().name, stored.id);
    let (bytes, content_type, extension) = state
        .heavy(move || {
            let evaluation = area.evaluate(&stored.scenario)?;
            if format == "csv" {
                Ok((
                    export_csv(&stored.scenario, &evaluation)?,
                    "text/csv; charset=utf-8",
                    "csv",
                ))
            } else {
                let mut value = points_geojson(&stored.scenario.points);
                value["name"] = json!(stored.scenario.name);
                value["wards"] =
                    serde_json::to_value(&evaluation.report.wards).map_err(ApiError::internal)?;
                let bytes = serde_json::to_vec(&value).map_err(ApiError::internal)?;
                Ok((Bytes::from(bytes), "application/geo+json", "geojson"))
            }
        })
        .await?;
    let disposition = format!("attachment; filename=\"{file_stem}.{extension}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// One CSV: a row per receiving point, then a row per ward (column `record` tells which).
fn export_csv(scenario: &Scenario, evaluation: &Evaluation) -> Result<Bytes, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let write_err = |e: csv::Error| ApiError::internal(format!("cannot write the CSV export: {e}"));
    out.write_record([
        "record",
        "id",
        "name",
        "kind",
        "lon",
        "lat",
        "opening_hours",
        "approximate",
        "address",
        "population",
        "covered",
        "uncovered",
        "unknown",
        "no_road_data",
        "covered_share",
        "mean_travel_s",
    ])
    .map_err(write_err)?;
    for p in &scenario.points {
        let kind = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.write_record([
            "point".to_string(),
            csv_text(&p.id),
            csv_text(&p.name),
            kind,
            p.lon.to_string(),
            p.lat.to_string(),
            csv_text(&p.opening_hours),
            p.approximate.to_string(),
            csv_text(p.address.as_deref().unwrap_or_default()),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .map_err(write_err)?;
    }
    for w in &evaluation.report.wards {
        out.write_record([
            "ward".to_string(),
            String::new(),
            csv_text(&w.name),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("{:.0}", w.population),
            format!("{:.0}", w.covered),
            format!("{:.0}", w.uncovered),
            format!("{:.0}", w.unknown),
            format!("{:.0}", w.no_road_data),
            format!("{:.4}", w.covered_share),
            w.mean_travel_s.map_or(String::new(), |t| format!("{t:.1}")),
        ])
        .map_err(write_err)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::internal(format!("cannot finish the CSV export: {e}")))?;
    Ok(Bytes::from(bytes))
}

/// Text for a CSV cell that spreadsheets will not run as a formula: names come from users, and
/// a leading `=`, `+`, `-`, `@` (or tab/CR) would otherwise be evaluated when the file is opened.
fn csv_text(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
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

    #[test]
    fn minutes_are_sorted_distinct_and_bounded() {
        assert_eq!(parse_minutes(None).ok(), Some(vec![10, 20, 30]));
        assert_eq!(parse_minutes(Some("30, 10,10")).ok(), Some(vec![10, 30]));
        assert!(parse_minutes(Some("0")).is_err());
        assert!(parse_minutes(Some("121")).is_err());
        assert!(parse_minutes(Some("")).is_err());
        assert!(parse_minutes(Some("1,2,3,4,5,6,7")).is_err());
    }
}
