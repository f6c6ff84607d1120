//! Request and response bodies of the JSON API (described by `/api/v1/openapi.json`), with
//! their OpenAPI schemas.
//!
//! Domain types from `scenario` and `coverage` are reused where their JSON already matches the
//! contract; these types only reshape where the API differs (GeoJSON routes, flat summaries).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::coverage::{CoverageSummary, RegionStats};
use crate::graph::TravelMode;
use crate::optimise::{ModelKind, Solver};
use crate::scenario::{
    AreaMeta, Candidates, Defaults, Limits, ModelInfo, Place, PlacementPhase, PlacementRequest,
    ReceivingPoint, RuleSpec, ScenarioError, ServiceDoc, ServiceRequest, SuggestedPoint,
};

/// Names of the travel modes, for the OpenAPI document (the JSON is the lower-case name).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "lowercase")]
pub enum TravelModeName {
    Motorbike,
    Car,
    Bicycle,
    Walk,
}

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// Always "ok" when the server answers.
    pub status: String,
    /// The study area loaded.
    pub area: String,
}

#[derive(Serialize, ToSchema)]
pub struct DefaultRule {
    pub max_minutes: f64,
    pub radius_km: f64,
    pub radius_kind: crate::coverage::RadiusKind,
    pub combine: crate::coverage::Combine,
    #[schema(value_type = TravelModeName)]
    pub mode: TravelMode,
}

#[derive(Serialize, ToSchema)]
pub struct MetaResponse {
    pub area: AreaMeta,
    #[schema(value_type = Vec<TravelModeName>)]
    pub modes: Vec<TravelMode>,
    pub default_rule: DefaultRule,
    /// Study areas this server's data directory holds; the server serves one of them.
    pub areas: Vec<String>,
    /// The default of every request (what a field left out means).
    pub defaults: Defaults,
    /// The limits every request is checked against.
    pub limits: Limits,
    /// The placement models, in menu order.
    pub models: Vec<ModelInfo>,
    /// Timeouts, connections, body size, page sizes and anonymous budgets of this server.
    pub server_limits: crate::server::ServerLimits,
    /// Which endpoints draw on which per-client budget when called without the write token.
    pub anonymous_budgets: Vec<crate::server::limits::BudgetInfo>,
    /// The shipped point sets (the Decision's networks), each a read-only scenario.
    pub point_sets: Vec<PointSetScenario>,
    /// Each mode's speeds by hour of the week (outside every band: `free_flow`, factor 1).
    pub speed_bands: Vec<crate::server::time::ModeBands>,
}

/// A shipped point set and the id of the read-only scenario holding it.
#[derive(Serialize, ToSchema)]
pub struct PointSetScenario {
    /// `set-<name>`: use it wherever a scenario id goes.
    pub scenario_id: String,
    #[serde(flatten)]
    pub set: crate::scenario::PointSetInfo,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearestQuery {
    /// Longitude of the origin, WGS84 degrees.
    pub lon: f64,
    /// Latitude of the origin, WGS84 degrees.
    pub lat: f64,
    /// Travel mode: motorbike, car, bicycle or walk (default in `/api/v1/meta`).
    pub mode: Option<String>,
    /// How many receiving points (default and limit in `/api/v1/meta`).
    pub k: Option<usize>,
    /// Id of a saved scenario whose points to rank instead of the area's current ones.
    pub scenario: Option<String>,
    /// Leaving at this time (Hanoi): `2026-12-07T19:00` or `Sa 10:00`; default now. Opening
    /// hours and speeds are that moment's.
    pub at: Option<String>,
    /// List the points open on arrival first (default false: by travel time only).
    pub open_first: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct NearestOrigin {
    pub lon: f64,
    pub lat: f64,
    /// Distance from the origin to the road network where the route starts.
    pub snap_distance_m: f64,
}

/// A GeoJSON LineString of [lon, lat] positions.
#[derive(Serialize, ToSchema)]
pub struct LineString {
    #[serde(rename = "type")]
    #[schema(example = "LineString")]
    pub kind: &'static str,
    pub coordinates: Vec<[f64; 2]>,
}

#[derive(Serialize, ToSchema)]
pub struct NearestItem {
    pub point: ReceivingPoint,
    pub travel_s: f64,
    pub distance_m: f64,
    /// Whether the point is open on arrival (leaving now, or at `at`); null when unknown.
    pub open_now: Option<bool>,
    /// When it next opens, Hanoi time (`2026-12-14T08:00`); null when unknown or not within
    /// eight days.
    pub next_open: Option<String>,
    pub route: LineString,
}

#[derive(Serialize, ToSchema)]
pub struct NearestResponse {
    pub origin: NearestOrigin,
    #[schema(value_type = TravelModeName)]
    pub mode: TravelMode,
    /// Ranked by travel_s, fastest first.
    pub results: Vec<NearestItem>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Text to look for; case and Vietnamese diacritics are ignored.
    pub q: String,
    /// At most this many results (default and limit in `/api/v1/meta`).
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<Place>,
}

/// A saved scenario (or the built-in read-only "baseline").
#[derive(Serialize, ToSchema)]
pub struct ScenarioDoc {
    pub id: String,
    pub name: String,
    /// Goes up by one on every update; send it back with PUT.
    pub version: i64,
    #[schema(value_type = TravelModeName)]
    pub mode: TravelMode,
    pub rule: RuleSpec,
    pub points: Vec<ReceivingPoint>,
    pub created_at: String,
    pub updated_at: String,
    /// True for the built-in baseline, which cannot be changed or deleted.
    pub read_only: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ScenarioListItem {
    pub id: String,
    pub name: String,
    pub version: i64,
    #[schema(value_type = TravelModeName)]
    pub mode: TravelMode,
    pub points_count: usize,
    pub updated_at: String,
    pub read_only: bool,
}

/// One page of scenarios: on the first page the read-only ones first, then saved ones, most
/// recently updated first.
#[derive(Serialize, ToSchema)]
pub struct ScenarioList {
    pub scenarios: Vec<ScenarioListItem>,
    /// Send as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoadsQuery {
    /// `all` (default), `major` (the frame of the first map) or `detail` (minor roads and paths).
    #[param(value_type = Option<String>)]
    pub part: Option<crate::scenario::RoadPart>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Saved scenarios per page (default and limit in `server_limits` of `/api/v1/meta`).
    pub limit: Option<usize>,
    /// The `next` of the page before; left out for the first page.
    pub cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateScenario {
    pub name: String,
    /// Default: motorbike.
    #[schema(value_type = Option<TravelModeName>)]
    pub mode: Option<TravelMode>,
    /// Default: 30 minutes or 5 km straight-line.
    pub rule: Option<RuleSpec>,
    /// Default: a copy of the baseline's points.
    pub points: Option<Vec<ReceivingPoint>>,
}

/// Other fields of a scenario object (id, timestamps) may be sent back and are ignored.
#[derive(Deserialize, ToSchema)]
pub struct UpdateScenario {
    pub name: String,
    #[schema(value_type = TravelModeName)]
    pub mode: TravelMode,
    pub rule: RuleSpec,
    pub points: Vec<ReceivingPoint>,
    /// The version this edit was based on; a stale one gives 409.
    pub version: i64,
}

/// An unsaved scenario to compute on.
#[derive(Deserialize, ToSchema)]
pub struct Draft {
    /// Default: motorbike.
    #[schema(value_type = Option<TravelModeName>)]
    pub mode: Option<TravelMode>,
    /// Default: 30 minutes or 5 km straight-line.
    pub rule: Option<RuleSpec>,
    pub points: Vec<ReceivingPoint>,
    /// Optional label.
    pub name: Option<String>,
    /// Load and queue assumptions and the wait limit; every field left out takes the default
    /// `/api/v1/meta` publishes (`defaults.service`).
    pub service: Option<ServiceRequest>,
    /// Evaluate for residents leaving at this time (Hanoi): `2026-12-07T19:00` or `Sa 10:00`;
    /// a point counts only when open on arrival. Load and queues are not computed then; the
    /// cells come with `?cells` / `?columns` as without a time (without catchments).
    pub at: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// Also return every H3 cell as a GeoJSON FeatureCollection under "cells".
    pub cells: Option<bool>,
    /// Load, queues, fairness and coverage within capacity under "service" (default true).
    /// `false` answers the coverage alone, several times faster: for callers that only need
    /// the covered shares, e.g. a map redrawn on every edit.
    pub service: Option<bool>,
    /// Also return every cell's status, travel time and catchment under "cell_columns", in the
    /// order of `/api/v1/basemap/cells` (a fraction of the size of `cells`).
    pub columns: Option<bool>,
}

/// The headline numbers of an evaluation, with the points counted by kind.
#[derive(Serialize, ToSchema)]
pub struct SummaryDoc {
    /// Every figure of the summary (see `CoverageSummary`): shares are of all residents of the
    /// study area unless named `_of_decided`.
    #[serde(flatten)]
    pub figures: CoverageSummary,
    pub points_by_kind: BTreeMap<String, usize>,
}

impl SummaryDoc {
    pub fn new(s: &CoverageSummary, points_by_kind: BTreeMap<String, usize>) -> SummaryDoc {
        SummaryDoc {
            figures: s.clone(),
            points_by_kind,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AreaRef {
    pub name: String,
    pub roads_vintage: String,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageResult {
    pub summary: SummaryDoc,
    /// Worst covered first.
    pub wards: Vec<RegionStats>,
    /// Worst covered first.
    pub districts: Vec<RegionStats>,
    pub area: AreaRef,
    pub timings_ms: BTreeMap<String, f64>,
    /// Catchments, load and queue per point, fairness, and coverage within capacity.
    pub service: Option<ServiceDoc>,
    /// With `?cells=true`: H3 hexagons as a GeoJSON FeatureCollection (each with the
    /// `catchment_point_id` whose catchment holds it and its `access_per_10k`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub cells: Option<Box<serde_json::value::RawValue>>,
    /// With `at`: the moment, its speed band and the points closed then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moment: Option<crate::server::time::MomentDoc>,
    /// With `?columns=true`: the cells as columns of the grid `/api/v1/basemap/cells` serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell_columns: Option<crate::coverage::CellColumns>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IsochroneQuery {
    /// Comma-separated travel-time limits in whole minutes (default and limits in
    /// `/api/v1/meta`).
    pub minutes: Option<String>,
    /// Also return one feature per receiving point and limit (default false: only the union of
    /// all points, `point_id` "all"). Per-point isochrones of a whole area are large and slow.
    pub per_point: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// csv (default) or geojson.
    pub format: Option<String>,
    /// points (default), wards, districts or metadata (JSON whatever the format).
    pub table: Option<String>,
}

/// A placement question; every field left out takes the default `/api/v1/meta` publishes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptimiseRequest {
    /// Id of a saved scenario (or "baseline") to start from; give this or `draft`, not both.
    pub scenario: Option<String>,
    /// An unsaved scenario to start from.
    pub draft: Option<Draft>,
    pub model: Option<ModelKind>,
    /// How many new points to place.
    pub add: Option<usize>,
    /// Nested phases instead of one plan: totals of new points, strictly growing (e.g.
    /// [5, 10, 30]); each phase keeps the earlier ones.
    pub phases: Option<Vec<usize>>,
    /// Close ward desks instead of adding points.
    #[serde(default)]
    pub consolidate: bool,
    /// With consolidate: how many existing points to keep.
    pub keep: Option<usize>,
    /// With consolidate: the kinds of point that always stay open.
    pub fixed_kinds: Option<Vec<crate::scenario::PointKind>>,
    /// Seed for the randomised parts of the solvers.
    pub seed: Option<u64>,
    /// Solver time limit in seconds.
    pub time_limit_s: Option<f64>,
    /// heuristic, exact or auto.
    #[schema(value_type = Option<String>)]
    pub solver: Option<Solver>,
    /// H3 resolution of the candidate cells; ignored with `candidate_points`.
    pub candidate_resolution: Option<u8>,
    /// Only these sites may be chosen (a list of available buildings, say).
    pub candidate_points: Option<Vec<ReceivingPoint>>,
    /// People one point can serve; demand is then assigned within capacity.
    pub capacity: Option<f64>,
    /// Every ward must keep at least this share (0..=1) of its people covered.
    pub min_ward_share: Option<f64>,
    /// Each point's capacity from its counters (residents served within the default wait).
    #[serde(default)]
    pub capacity_from_counters: bool,
    /// Judge the plan for residents leaving at this time (Hanoi): `2026-12-07T19:00` or
    /// `Sa 10:00`; a point serves only when open on arrival, at that hour's speeds.
    pub at: Option<String>,
    /// Judge the plan over every hour of a week: person-hours covered (not with `at`).
    #[serde(default)]
    pub week: bool,
    /// With `week`: any date of the week (default the reference week).
    pub week_of: Option<String>,
    /// Opening hours of the new points (default in `/api/v1/meta`), OpenStreetMap syntax.
    pub new_point_hours: Option<String>,
}

impl OptimiseRequest {
    /// The library's request: what the body gives, the library's defaults for the rest.
    pub fn placement(&self) -> Result<PlacementRequest, ScenarioError> {
        let d = PlacementRequest::default();
        let candidates = match (&self.candidate_points, self.candidate_resolution) {
            (Some(points), _) => Candidates::Points(points.clone()),
            (None, Some(resolution)) => Candidates::cells(resolution)?,
            (None, None) => d.candidates,
        };
        Ok(PlacementRequest {
            model: self.model.unwrap_or(d.model),
            add: self.add.unwrap_or(d.add),
            phases: self.phases.clone().unwrap_or_default(),
            consolidate: self.consolidate,
            keep: self.keep,
            fixed_kinds: self.fixed_kinds.clone().unwrap_or(d.fixed_kinds),
            seed: self.seed.unwrap_or(d.seed),
            time_limit_s: self.time_limit_s.unwrap_or(d.time_limit_s),
            solver: self.solver.unwrap_or(d.solver),
            candidates,
            capacity: self.capacity,
            min_ward_share: self.min_ward_share,
            capacity_from_counters: self.capacity_from_counters,
            time: crate::scenario::PlacementTime::from_fields(
                self.at.as_deref(),
                self.week,
                self.week_of.clone(),
            )?,
            new_point_hours: self.new_point_hours.clone().unwrap_or(d.new_point_hours),
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunStarted {
    pub run_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl RunState {
    pub fn is_finished(self) -> bool {
        self != RunState::Running
    }
}

/// A suggested point, flattened as the web app draws it.
#[derive(Clone, Serialize, ToSchema)]
pub struct SuggestedDoc {
    /// The phase (1-based) that opens it.
    pub phase: usize,
    pub id: String,
    pub name: String,
    pub kind: crate::scenario::PointKind,
    pub lon: f64,
    pub lat: f64,
    /// The hours the plan assumed for it (`new_point_hours`), kept when it is accepted.
    pub opening_hours: String,
    pub adds_population: f64,
    pub explanation: String,
    /// The explanation in Vietnamese.
    pub explanation_vi: String,
}

impl From<&SuggestedPoint> for SuggestedDoc {
    fn from(s: &SuggestedPoint) -> SuggestedDoc {
        SuggestedDoc {
            phase: s.phase,
            id: s.point.id.clone(),
            name: s.point.name.clone(),
            kind: s.point.kind,
            lon: s.point.lon,
            lat: s.point.lat,
            opening_hours: s.point.opening_hours.clone(),
            adds_population: s.adds_population,
            explanation: s.explanation.clone(),
            explanation_vi: s.explanation_vi.clone(),
        }
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct RunResult {
    pub model: ModelKind,
    pub points: Vec<SuggestedDoc>,
    /// One entry per phase (one without phases).
    pub phases: Vec<PlacementPhase>,
    /// Every point open after the plan, the scenario's kept ones included.
    pub open_sites: usize,
    /// Points the plan adds.
    pub new_sites: usize,
    /// Ids of existing points the plan would close (consolidation only).
    pub removed: Vec<String>,
    /// What the covered figures count: `people`, or `person_hours` over a week.
    pub measure: crate::scenario::CoverageMeasure,
    /// The moment the plan was judged at (Hanoi), when `at` was given.
    pub at: Option<String>,
    pub covered_before: f64,
    pub covered_after: f64,
    pub objective: f64,
    pub gap: Option<f64>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct RunStatus {
    pub status: RunState,
    /// 0..=1.
    pub progress: f64,
    pub message: String,
    pub result: Option<RunResult>,
}
