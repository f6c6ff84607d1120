//! Handlers about the loaded study area: health, meta, points, nearest, search, base map.

use std::sync::OnceLock;

use crate::graph::TravelMode;
use crate::scenario::{
    DEFAULT_MODE, Defaults, LIMITS, ModelInfo, NearestRequest, RoadPart, SearchRequest,
};
use crate::server::budget::PlaceBudget;
use crate::server::dto::{
    DefaultRule, HealthResponse, LineString, MetaResponse, NearestItem, NearestOrigin,
    NearestQuery, NearestResponse, PointSetScenario, RoadsQuery, SearchQuery, SearchResponse,
};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::ApiQuery;
use crate::server::{AppState, blocking, scenarios};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Liveness probe.
#[utoipa::path(get, path = "/health", tag = "area",
    responses((status = 200, description = "The server is up", body = HealthResponse)))]
pub async fn health(State(state): State<AppState>) -> Json<HealthResponse> {
    Json(HealthResponse {
        status: "ok".into(),
        area: state.area().meta().name.clone(),
    })
}

/// The study area, travel modes and models, and every request's defaults and limits.
#[utoipa::path(get, path = "/api/v1/meta", tag = "area",
    responses((status = 200, description = "Area description", body = MetaResponse)))]
pub async fn meta(State(state): State<AppState>) -> Json<MetaResponse> {
    let area = state.area();
    let baseline = area.baseline();
    Json(MetaResponse {
        area: area.meta().clone(),
        modes: TravelMode::ALL.to_vec(),
        default_rule: DefaultRule {
            max_minutes: baseline.rule.max_minutes,
            radius_km: baseline.rule.radius_km,
            radius_kind: baseline.rule.radius_kind,
            combine: baseline.rule.combine,
            mode: baseline.mode,
        },
        areas: state.areas().to_vec(),
        defaults: Defaults::default(),
        limits: LIMITS,
        models: ModelInfo::all(),
        server_limits: *state.limits(),
        anonymous_budgets: crate::server::limits::BudgetInfo::all(state.limits()),
        point_sets: area
            .point_sets()
            .iter()
            .cloned()
            .map(|set| PointSetScenario {
                scenario_id: format!("{}{}", scenarios::POINT_SET_ID_PREFIX, set.name),
                set,
            })
            .collect(),
        speed_bands: crate::server::time::mode_bands(area),
    })
}

/// The area's current receiving points as a GeoJSON FeatureCollection.
#[utoipa::path(get, path = "/api/v1/points", tag = "area",
    responses((status = 200, description = "GeoJSON FeatureCollection of Point features", body = Object)))]
pub async fn points(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = cached(&state.caches().points, state.clone(), |state| {
        Ok(crate::export::points_geojson(
            &state.area().baseline().points,
        ))
    })
    .await?;
    Ok(unchanging_json(bytes, &headers))
}

/// The k receiving points fastest to reach from an origin, with routes.
#[utoipa::path(get, path = "/api/v1/nearest", tag = "area", params(NearestQuery),
    responses(
        (status = 200, description = "Points ranked by travel time", body = NearestResponse),
        (status = 400, description = "Bad coordinates, mode or k", body = ErrorBody),
        (status = 404, description = "Unknown scenario", body = ErrorBody),
    ))]
pub async fn nearest(
    _budget: PlaceBudget,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<NearestQuery>,
) -> Result<Json<NearestResponse>, ApiError> {
    let request = NearestRequest {
        mode: parse_mode(q.mode.as_deref())?,
        k: q.k.unwrap_or(NearestRequest::DEFAULT_K),
        when: match q.at.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(a) => Some(crate::scenario::parse_at(a)?),
            None => None,
        },
        open_first: q.open_first.unwrap_or(false),
        ..NearestRequest::at(q.lon, q.lat)
    };
    request.validate()?;
    let open_first = request.open_first;
    let points = match q.scenario {
        Some(id) => scenarios::load(&state, id).await?.scenario.points,
        None => state.area().baseline().points,
    };
    let area = state.area_arc();
    let answer = state
        .light(move || area.nearest(&request, &points).map_err(ApiError::from))
        .await?;
    let mut results: Vec<NearestItem> = answer
        .results
        .into_iter()
        .map(|r| NearestItem {
            point: r.point,
            travel_s: r.travel_s,
            distance_m: r.distance_m,
            open_now: r.open_now,
            next_open: r.next_open,
            route: LineString {
                kind: "LineString",
                coordinates: r.route.into_iter().map(round_position).collect(),
            },
        })
        .collect();
    results.sort_by(|a, b| {
        let closed = |r: &NearestItem| open_first && r.open_now != Some(true);
        closed(a)
            .cmp(&closed(b))
            .then(a.travel_s.total_cmp(&b.travel_s))
    });
    Ok(Json(NearestResponse {
        origin: NearestOrigin {
            lon: answer.origin[0],
            lat: answer.origin[1],
            snap_distance_m: answer.snap_distance_m,
        },
        mode: answer.mode,
        results,
    }))
}

/// Places (wards, districts, streets, receiving points) by name, ignoring case and diacritics.
#[utoipa::path(get, path = "/api/v1/search", tag = "area", params(SearchQuery),
    responses(
        (status = 200, description = "Matching places, best first", body = SearchResponse),
        (status = 400, description = "Empty or too long query, bad limit", body = ErrorBody),
    ))]
pub async fn search(
    _budget: PlaceBudget,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = SearchRequest {
        text: q.q,
        limit: q.limit.unwrap_or(SearchRequest::DEFAULT_LIMIT),
    };
    let area = state.area_arc();
    let results = state
        .light(move || area.search(&request).map_err(ApiError::from))
        .await?;
    Ok(Json(SearchResponse { results }))
}

/// The area's roads as GeoJSON LineStrings (property `class`: major, minor or path; `name`).
#[utoipa::path(get, path = "/api/v1/basemap/roads", tag = "area", params(RoadsQuery),
    responses((status = 200, description = "GeoJSON FeatureCollection", body = Object)))]
pub async fn basemap_roads(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RoadsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let part = q.part.unwrap_or_default();
    let caches = state.caches();
    let slot = match part {
        RoadPart::All => &caches.roads,
        RoadPart::Major => &caches.roads_major,
        RoadPart::Detail => &caches.roads_detail,
    };
    let bytes = cached(slot, state.clone(), move |state| {
        Ok(state.area().basemap_roads_part(part))
    })
    .await?;
    Ok(unchanging_json(bytes, &headers))
}

/// The 2025 wards as GeoJSON polygons (property `name`).
#[utoipa::path(get, path = "/api/v1/basemap/wards", tag = "area",
    responses((status = 200, description = "GeoJSON FeatureCollection", body = Object)))]
pub async fn basemap_wards(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = cached(&state.caches().wards, state.clone(), |state| {
        Ok(state.area().basemap_wards().clone())
    })
    .await?;
    Ok(unchanging_json(bytes, &headers))
}

/// The study extent (property `kind`: `study_extent`: every figure is of the residents inside
/// it) and where the roads file has roads (`road_data`: outside it the verdict cannot rest on
/// roads), as GeoJSON.
#[utoipa::path(get, path = "/api/v1/basemap/extent", tag = "area",
    responses((status = 200, description = "GeoJSON FeatureCollection", body = Object)))]
pub async fn basemap_extent(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = cached(&state.caches().extent, state.clone(), |state| {
        Ok(state.area().extent_geojson())
    })
    .await?;
    Ok(unchanging_json(bytes, &headers))
}

/// The populated cells' hexagons, population and ward in the compact form of
/// [`crate::coverage::CellBasemap`], for `?columns=true` evaluations to colour.
#[utoipa::path(get, path = "/api/v1/basemap/cells", tag = "area",
    responses((status = 200, description = "The cell hexagons", body = crate::coverage::CellBasemap)))]
pub async fn basemap_cells(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = cached(&state.caches().cells, state.clone(), |state| {
        let area = state.area();
        serde_json::to_value(crate::coverage::CellBasemap::new(
            area.cells(),
            area.ward_names(),
        ))
        .map_err(ApiError::internal)
    })
    .await?;
    Ok(unchanging_json(bytes, &headers))
}

/// Serialises `make`'s value once per server life, off the async threads.
async fn cached(
    slot: &OnceLock<Bytes>,
    state: AppState,
    make: impl FnOnce(&AppState) -> Result<serde_json::Value, ApiError> + Send + 'static,
) -> Result<Bytes, ApiError> {
    if let Some(bytes) = slot.get() {
        return Ok(bytes.clone());
    }
    let bytes = blocking(move || {
        let value = make(&state)?;
        serde_json::to_vec(&value)
            .map(Bytes::from)
            .map_err(ApiError::internal)
    })
    .await?;
    Ok(slot.get_or_init(|| bytes).clone())
}

/// A response of already-serialised JSON.
pub fn json_bytes(bytes: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// JSON that does not change while the server runs (roads, wards, cells), with a strong ETag
/// of its bytes: the browser keeps it and revalidates (`no-cache`), so a reload over a slow
/// network costs one round trip and a 304 instead of megabytes.
pub fn unchanging_json(bytes: Bytes, request: &HeaderMap) -> Response {
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        json_bytes(bytes)
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Rounds a [lon, lat] position to 6 decimals (about 0.1 m): routes are drawn, not measured,
/// and the shorter numbers make the most frequent answer of the API about a third smaller.
fn round_position([lon, lat]: [f64; 2]) -> [f64; 2] {
    [(lon * 1e6).round() / 1e6, (lat * 1e6).round() / 1e6]
}

/// Parses an optional travel-mode name; the default mode when absent.
pub fn parse_mode(mode: Option<&str>) -> Result<TravelMode, ApiError> {
    match mode {
        None => Ok(DEFAULT_MODE),
        Some(name) => name.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "unknown travel mode {name:?}: expected motorbike, car, bicycle or walk"
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_to_six_decimals() {
        assert_eq!(
            round_position([105.834_212_345, 21.027_8]),
            [105.834_212, 21.027_8]
        );
        assert_eq!(round_position([-0.000_000_4, 90.0]), [-0.0, 90.0]);
    }

    #[test]
    fn modes_are_checked() {
        assert!(matches!(parse_mode(None), Ok(TravelMode::Motorbike)));
        assert!(matches!(parse_mode(Some("walk")), Ok(TravelMode::Walk)));
        // Case and stray spaces are forgiven, as on the command line; unknown modes are not.
        assert!(matches!(parse_mode(Some("Walk ")), Ok(TravelMode::Walk)));
        assert!(parse_mode(Some("helicopter")).is_err());
    }
}
