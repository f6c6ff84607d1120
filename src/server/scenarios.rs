//! Handlers for saved scenarios and for evaluating drafts.

use crate::coverage::CellColumns;
use crate::scenario::{
    DEFAULT_MODE, Evaluation, ExportFormat, ExportTable, IsochroneLayer, IsochroneRequest,
    ReceivingPoint, Scenario, ServiceDoc, ServiceRequest, StudyArea,
};
use crate::server::budget::AreaBudget;
use crate::server::dto::{
    AreaRef, CoverageQuery, CoverageResult, CreateScenario, Draft, ExportQuery, IsochroneQuery,
    ListQuery, ScenarioDoc, ScenarioList, ScenarioListItem, SummaryDoc, UpdateScenario,
};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath, ApiQuery, Token, WriteAccess};
use crate::server::store::{ListCursor, StoredScenario};
use crate::server::time::MomentDoc;
use crate::server::{AppState, blocking};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Id of the built-in read-only scenario holding the area's current receiving points.
pub const BASELINE_ID: &str = "baseline";
/// Ids of the read-only scenarios holding a shipped point set: `set-desks-2024`, ….
pub const POINT_SET_ID_PREFIX: &str = "set-";
/// Key added to `timings_ms`: milliseconds the server spent in the domain's evaluate call.
pub const SERVER_EVALUATE_KEY: &str = "server_evaluate";

/// Loads a saved scenario, or the baseline.
pub async fn load(state: &AppState, id: String) -> Result<StoredScenario, ApiError> {
    if id == BASELINE_ID {
        return Ok(baseline(state));
    }
    if let Some(name) = id.strip_prefix(POINT_SET_ID_PREFIX) {
        let area = state.area_arc();
        let (name, missing) = (name.to_string(), format!("no scenario {id:?}"));
        let scenario = blocking(move || {
            area.point_set_scenario(&name).map_err(|e| match e {
                crate::scenario::ScenarioError::UnknownPointSet { .. } => {
                    ApiError::not_found(missing)
                }
                e => ApiError::from(e),
            })
        })
        .await?;
        return Ok(StoredScenario {
            id,
            version: 1,
            scenario,
            created_at: state.started_at().to_string(),
            updated_at: state.started_at().to_string(),
        });
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
    let read_only = is_read_only(&stored.id);
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

/// The baseline and the shipped point sets cannot be changed or deleted.
fn is_read_only(id: &str) -> bool {
    id == BASELINE_ID || id.starts_with(POINT_SET_ID_PREFIX)
}

fn read_only_error() -> ApiError {
    ApiError::conflict(
        "this scenario is read-only (the area's current receiving points, or a shipped point set); save your own copy as a new scenario and edit that",
    )
}

/// Checks what a client sent before it is saved or computed on: the library's own checks.
pub(crate) fn check_scenario(s: &Scenario) -> Result<(), ApiError> {
    Ok(s.validate()?)
}

/// A draft from the client as a domain scenario, with defaults filled in.
pub fn draft_scenario(draft: Draft) -> Scenario {
    Scenario {
        name: draft.name.unwrap_or_else(|| "draft".to_string()),
        mode: draft.mode.unwrap_or(DEFAULT_MODE),
        rule: draft.rule.unwrap_or_default(),
        points: draft.points,
    }
}

/// The scenarios of this area page by page: on the first page the read-only ones (the
/// baseline, then the shipped point sets, ids `set-<name>`), then the saved ones, most recently
/// updated first. Saved scenarios are the planners' work and are listed only with the write
/// token; without it the answer holds the read-only ones alone.
#[utoipa::path(get, path = "/api/v1/scenarios", tag = "scenarios", params(ListQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of scenarios; follow `next` for the rest", body = ScenarioList),
        (status = 400, description = "Bad limit or cursor", body = ErrorBody),
    ))]
pub async fn list(
    Token(with_token): Token,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ScenarioList>, ApiError> {
    let limits = state.limits();
    let limit = q.limit.unwrap_or(limits.default_page_size);
    if limit == 0 || limit > limits.max_page_size {
        return Err(ApiError::bad_request(format!(
            "limit = {limit} is out of range: ask for 1 to {} scenarios per page",
            limits.max_page_size
        )));
    }
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(text) => Some(ListCursor::decode(text).ok_or_else(|| {
            ApiError::bad_request(
                "cursor: not a cursor this server gave; send the `next` of the page before, or leave cursor out for the first page",
            )
        })?),
        None => None,
    };
    let first_page = after.is_none();
    let page = if with_token {
        let store = state.store_arc();
        blocking(move || {
            store
                .list_page(after.as_ref(), limit)
                .map_err(ApiError::from)
        })
        .await?
    } else {
        crate::server::store::ListPage {
            scenarios: Vec::new(),
            next: None,
        }
    };
    let mut scenarios = Vec::new();
    if first_page {
        let base = baseline(&state);
        scenarios.push(ScenarioListItem {
            id: base.id,
            name: base.scenario.name,
            version: base.version,
            mode: base.scenario.mode,
            points_count: base.scenario.points.len(),
            updated_at: base.updated_at.clone(),
            read_only: true,
        });
        // The Decision's networks, read-only, to compare against and to start a scenario from.
        let area = state.area_arc();
        let sets = blocking(move || {
            area.point_sets()
                .iter()
                .map(|set| {
                    let points = area.point_set_scenario(&set.name)?.points.len();
                    Ok((set.clone(), points))
                })
                .collect::<Result<Vec<_>, crate::scenario::ScenarioError>>()
                .map_err(ApiError::from)
        })
        .await?;
        scenarios.extend(
            sets.into_iter()
                .map(|(set, points_count)| ScenarioListItem {
                    id: format!("{POINT_SET_ID_PREFIX}{}", set.name),
                    name: set.title,
                    version: 1,
                    mode: base.scenario.mode,
                    points_count,
                    updated_at: base.updated_at.clone(),
                    read_only: true,
                }),
        );
    }
    scenarios.extend(page.scenarios.into_iter().map(|s| ScenarioListItem {
        id: s.id,
        name: s.name,
        version: s.version,
        mode: s.mode,
        points_count: s.points_count,
        updated_at: s.updated_at,
        read_only: false,
    }));
    Ok(Json(ScenarioList {
        scenarios,
        next: page.next.map(|c| c.encode()),
    }))
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
    params(("id" = String, Path, description = "Scenario id, `baseline`, or `set-<point set>` (read-only)")),
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
    if is_read_only(&id) {
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
    if is_read_only(&id) {
        return Err(read_only_error());
    }
    let store = state.store_arc();
    blocking(move || store.delete(&id).map_err(ApiError::from)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Coverage of a saved scenario.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/coverage", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, `baseline`, or `set-<point set>` (read-only)"), CoverageQuery),
    responses(
        (status = 200, description = "Coverage result", body = CoverageResult),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn coverage(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> Result<Json<CoverageResult>, ApiError> {
    let stored = load(&state, id).await?;
    let service = q.service.unwrap_or(true).then(ServiceRequest::default);
    evaluate_to_result(&state, stored.scenario, service, CellForms::of(&q))
        .await
        .map(Json)
}

/// The phases of the reorganisation (head office → + 30 branches → + a point in every ward and
/// commune, and the 2024 desks for reference), each evaluated under this scenario's rule and
/// travel mode on the shipped point sets.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/phases", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, `baseline`, or `set-<point set>` (read-only)")),
    responses(
        (status = 200, description = "One result per phase, in order", body = [crate::scenario::PhaseResult]),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn phases(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<crate::scenario::PhaseResult>>, ApiError> {
    let stored = load(&state, id).await?;
    let area = state.area_arc();
    let (mode, rule) = (stored.scenario.mode, stored.scenario.rule);
    state
        .heavy(move || Ok(area.compare_phases(mode, rule)?))
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
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
    ApiJson(mut draft): ApiJson<Draft>,
) -> Result<Json<CoverageResult>, ApiError> {
    if let Some(at) = draft.at.take().filter(|a| !a.trim().is_empty()) {
        return super::time::evaluate_at(&state, draft, &at, CellForms::of(&q))
            .await
            .map(Json);
    }
    let service = draft.service.unwrap_or_default();
    let scenario = draft_scenario(draft);
    check_scenario(&scenario)?;
    service.validate()?;
    let service = q.service.unwrap_or(true).then_some(service);
    evaluate_to_result(&state, scenario, service, CellForms::of(&q))
        .await
        .map(Json)
}

/// Which forms of the cells an answer carries: GeoJSON hexagons, columns of the cell grid.
#[derive(Clone, Copy)]
pub(super) struct CellForms {
    geojson: bool,
    columns: bool,
}

impl CellForms {
    pub(super) fn of(q: &CoverageQuery) -> CellForms {
        CellForms {
            geojson: q.cells.unwrap_or(false),
            columns: q.columns.unwrap_or(false),
        }
    }
}

async fn evaluate_to_result(
    state: &AppState,
    scenario: Scenario,
    service: Option<ServiceRequest>,
    forms: CellForms,
) -> Result<CoverageResult, ApiError> {
    let area = state.area_arc();
    state
        .heavy(move || {
            let started = std::time::Instant::now();
            let evaluation = match &service {
                Some(service) => area.evaluate_service(&scenario, service)?,
                None => area.evaluate(&scenario)?,
            };
            let evaluate_ms = started.elapsed().as_secs_f64() * 1000.0;
            coverage_result(&area, &scenario, evaluation, forms, evaluate_ms, None)
        })
        .await
}

/// The answer of an evaluation, plain or at a moment (`moment`), with the forms of the cells
/// asked for: the one place an evaluation's cells become GeoJSON or columns. `evaluate_ms` is
/// the wall-clock time of the domain call.
pub(super) fn coverage_result(
    area: &StudyArea,
    scenario: &Scenario,
    evaluation: Evaluation,
    forms: CellForms,
    evaluate_ms: f64,
    moment: Option<MomentDoc>,
) -> Result<CoverageResult, ApiError> {
    let meta = area.meta();
    let ids = point_ids(&scenario.points);
    let cell_columns = forms.columns.then(|| {
        let catchments = evaluation
            .service
            .as_ref()
            .map_or(&[][..], |s| &s.catchments.of_cell[..]);
        CellColumns::new(&evaluation.report.cells, catchments, &ids)
    });
    // Written as text at once: a whole-city layer as a JSON tree cost ~15x its size.
    let cells = forms
        .geojson
        .then(|| {
            let layer =
                evaluation
                    .report
                    .cells_layer(&ids, area.ward_names(), evaluation.service.as_ref());
            serde_json::value::to_raw_value(&layer).map_err(ApiError::internal)
        })
        .transpose()?;
    let service = ServiceDoc::new(scenario, &evaluation);
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
        service,
        cells,
        moment,
        cell_columns,
    })
}

fn point_ids(points: &[ReceivingPoint]) -> Vec<String> {
    points.iter().map(|p| p.id.clone()).collect()
}

/// Isochrones (areas reachable within each number of minutes) of a scenario's points.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/isochrones", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, `baseline`, or `set-<point set>` (read-only)"), IsochroneQuery),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection, one MultiPolygon per band", body = Object),
        (status = 400, description = "Bad minutes", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn isochrones(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<IsochroneQuery>,
) -> Result<Json<IsochroneLayer>, ApiError> {
    let mut request = IsochroneRequest {
        per_point: q.per_point.unwrap_or(IsochroneRequest::default().per_point),
        ..IsochroneRequest::default()
    };
    if let Some(text) = q.minutes.as_deref() {
        request.minutes = parse_minutes(text)?;
    }
    request.validate()?;
    let stored = load(&state, id).await?;
    let area = state.area_arc();
    let value = state
        .heavy(move || {
            area.isochrones_geojson(&stored.scenario, &request)
                .map_err(ApiError::from)
        })
        .await?;
    Ok(Json(value))
}

/// Parses "10,20,30" into minute bands; the library checks them.
fn parse_minutes(text: &str) -> Result<Vec<u32>, ApiError> {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            part.parse().map_err(|_| {
                ApiError::bad_request(format!(
                    "minutes: {part:?} is not a whole number of minutes; send e.g. minutes=10,20,30"
                ))
            })
        })
        .collect()
}

/// One table of a scenario (points, wards, former districts) as CSV or GeoJSON, or the
/// metadata sidecar the tables are read with.
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/export", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, `baseline`, or `set-<point set>` (read-only)"), ExportQuery),
    responses(
        (status = 200, description = "text/csv (UTF-8 with a byte-order mark, one table), a GeoJSON FeatureCollection, or the metadata as JSON",
            content((String = "text/csv"), (Object = "application/geo+json"), (Object = "application/json"))),
        (status = 400, description = "Unknown format or table", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn export(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref() {
        Some(text) => text.parse::<ExportFormat>()?,
        None => ExportFormat::default(),
    };
    let table = match q.table.as_deref() {
        Some(text) => text.parse::<ExportTable>()?,
        None => ExportTable::default(),
    };
    let stored = load(&state, id).await?;
    let area = state.area_arc();
    let exported_at = crate::server::rfc3339_utc(std::time::SystemTime::now());
    let (bytes, file_name) = state
        .heavy(move || {
            let evaluation: Evaluation = area.evaluate(&stored.scenario)?;
            let context = crate::export::DownloadContext {
                scenario_id: &stored.id,
                area: area.meta(),
                exported_at: &exported_at,
                ward_shapes: area.basemap_wards(),
                district_shapes: area.basemap_districts(),
            };
            let bytes = crate::export::scenario_download(
                &stored.scenario,
                &evaluation,
                &context,
                format,
                table,
            )
            .map_err(ApiError::internal)?;
            Ok::<_, ApiError>((
                Bytes::from(bytes),
                crate::export::download_name(&context, format, table),
            ))
        })
        .await?;
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                crate::export::download_media_type(format, table).to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_read_as_whole_numbers() {
        assert_eq!(parse_minutes("30, 10,10").ok(), Some(vec![30, 10, 10]));
        assert!(parse_minutes("").is_err());
        assert!(parse_minutes("ten").is_err());
    }
}
