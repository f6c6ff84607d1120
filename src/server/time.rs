//! Coverage at a time and over a week: the `at` of `POST /api/v1/evaluate` and the weekly
//! sweeps. The library answers ([`StudyArea::evaluate_at`], [`StudyArea::sweep_week`]); these
//! handlers only map JSON onto its requests.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::graph::{BandAt, TravelMode};
use crate::scenario::{Scenario, StudyArea, WeekRequest, WeekSweep, parse_at};
use crate::server::AppState;
use crate::server::budget::AreaBudget;
use crate::server::dto::{CoverageResult, Draft};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath, ApiQuery};
use crate::server::scenarios::{CellForms, check_scenario, coverage_result, draft_scenario, load};

/// When an evaluation was made for, and what that moment changed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MomentDoc {
    /// Departure, Hanoi time (`2026-12-07T19:00`).
    pub at: String,
    /// The speed band of that hour and its factor.
    pub band: BandAt,
    /// Points closed for the whole trip window: they serve nobody then.
    pub closed_points: Vec<String>,
    /// Points that open or close within it, counted at each resident's arrival.
    pub changing_points: Vec<String>,
    /// Points whose hours are empty or unknown then.
    pub unknown_hours_points: Vec<String>,
}

/// Which week a sweep covers.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// Any date of the week (`2027-02-08`); default the reference week (`defaults.peak_at`'s).
    pub week_of: Option<String>,
}

/// The speed bands of every mode's profile, as `/api/v1/meta` publishes them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ModeBands {
    #[schema(value_type = String, example = "motorbike")]
    pub mode: TravelMode,
    pub bands: Vec<crate::graph::SpeedBand>,
}

/// Every mode's bands for the meta document.
pub fn mode_bands(area: &StudyArea) -> Vec<ModeBands> {
    TravelMode::ALL
        .into_iter()
        .filter_map(|mode| {
            let profile = area.profile(mode).ok()?;
            Some(ModeBands {
                mode,
                bands: profile.bands,
            })
        })
        .collect()
}

/// `POST /api/v1/evaluate` with `at`: the draft evaluated for residents leaving at that time,
/// its cells in the `forms` asked for, as an evaluation without a time gives them.
pub(super) async fn evaluate_at(
    state: &AppState,
    draft: Draft,
    at: &str,
    forms: CellForms,
) -> Result<CoverageResult, ApiError> {
    let at = parse_at(at)?;
    let scenario = draft_scenario(draft);
    check_scenario(&scenario)?;
    let area = state.area_arc();
    state
        .heavy(move || {
            let started = std::time::Instant::now();
            let timed = area.evaluate_at(&scenario, at)?;
            let evaluate_ms = started.elapsed().as_secs_f64() * 1000.0;
            let moment = MomentDoc {
                at: timed.at.format("%Y-%m-%dT%H:%M").to_string(),
                band: timed.band,
                closed_points: timed.closed_points,
                changing_points: timed.changing_points,
                unknown_hours_points: timed.unknown_hours_points,
            };
            coverage_result(
                &area,
                &scenario,
                timed.evaluation,
                forms,
                evaluate_ms,
                Some(moment),
            )
        })
        .await
}

async fn sweep(state: &AppState, scenario: Scenario, q: WeekQuery) -> Result<WeekSweep, ApiError> {
    let request = WeekRequest { week_of: q.week_of };
    request.monday()?;
    let area = state.area_arc();
    state
        .heavy(move || Ok(area.sweep_week(&scenario, &request)?))
        .await
}

/// The covered share at each of the 168 hours of a week for an unsaved draft (its `at` is
/// not read), per ward too; read-only, no token needed.
#[utoipa::path(post, path = "/api/v1/week", tag = "scenarios", request_body = Draft, params(WeekQuery),
    responses(
        (status = 200, description = "One entry per hour, Monday 00:00 first", body = WeekSweep),
        (status = 400, description = "Invalid draft or week", body = ErrorBody),
    ))]
pub async fn week_of_draft(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WeekQuery>,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<WeekSweep>, ApiError> {
    let scenario = draft_scenario(draft);
    check_scenario(&scenario)?;
    sweep(&state, scenario, q).await.map(Json)
}

/// The weekly sweep of a stored scenario (`baseline`: the area's current points).
#[utoipa::path(get, path = "/api/v1/scenarios/{id}/week", tag = "scenarios",
    params(("id" = String, Path, description = "Scenario id, `baseline`, or `set-<point set>` (read-only)"), WeekQuery),
    responses(
        (status = 200, description = "One entry per hour, Monday 00:00 first", body = WeekSweep),
        (status = 400, description = "Bad week", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
    ))]
pub async fn week_of_scenario(
    _budget: AreaBudget,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<WeekQuery>,
) -> Result<Json<WeekSweep>, ApiError> {
    let stored = load(&state, id).await?;
    sweep(&state, stored.scenario, q).await.map(Json)
}
