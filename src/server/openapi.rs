//! The OpenAPI 3 document, generated from the handler annotations and DTO types.

use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::graph::TravelMode;
use crate::scenario::{ExportFormat, ExportTable, LIMITS};
use crate::server::limits::{Cost, SERVER_LIMITS};
use crate::server::{area, dto, error, optimise, scenarios};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Who can reach a receiving point within 30 minutes or 5 km, and where new points should go. Times in seconds, distances in metres, coordinates [lon, lat] WGS84. Writes need `Authorization: Bearer <token>`.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        super::openapi_json,
        area::health,
        area::meta,
        area::points,
        area::nearest,
        area::search,
        area::basemap_roads,
        area::basemap_wards,
        area::basemap_extent,
        area::basemap_cells,
        scenarios::list,
        scenarios::create,
        scenarios::get_one,
        scenarios::update,
        scenarios::delete,
        scenarios::coverage,
        scenarios::evaluate,
        super::osm_offices::load,
        super::time::week_of_draft,
        super::time::week_of_scenario,
        scenarios::isochrones,
        scenarios::phases,
        scenarios::export,
        optimise::start,
        optimise::status,
        optimise::cancel,
        optimise::events,
    ),
    components(schemas(error::ErrorBody, error::ErrorCode, dto::TravelModeName, dto::RunStatus, crate::server::ServerLimits, crate::server::limits::BudgetInfo)),
    modifiers(&BearerAuth),
    tags(
        (name = "area", description = "The loaded study area"),
        (name = "scenarios", description = "Saved scenarios and coverage"),
        (name = "optimise", description = "Placement of new receiving points"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme that the write endpoints name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document `/api/v1/openapi.json` serves: the generated one with every bound, enum and
/// status code the server enforces written in, each read from [`LIMITS`], [`SERVER_LIMITS`] or
/// the enum's `ALL`, so the document cannot drift from the checks.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialise the OpenAPI document");
        json!({})
    });
    state_bounds(&mut doc);
    state_statuses(&mut doc);
    doc
}

/// Adds `bounds` (JSON Schema keywords) to a schema, keeping what it says already.
fn bound(schema: Option<&mut Value>, bounds: Value) {
    if let (Some(Value::Object(schema)), Value::Object(bounds)) = (schema, bounds) {
        schema.extend(bounds);
    }
}

/// The schema of query parameter `name` of `method path`.
fn param<'a>(doc: &'a mut Value, method: &str, path: &str, name: &str) -> Option<&'a mut Value> {
    doc.pointer_mut(&format!("/paths/{}/{method}/parameters", escape(path)))?
        .as_array_mut()?
        .iter_mut()
        .find(|p| p["name"] == name)?
        .get_mut("schema")
}

/// Property `name` of component schema `component`.
fn property<'a>(doc: &'a mut Value, component: &str, name: &str) -> Option<&'a mut Value> {
    doc.pointer_mut(&format!(
        "/components/schemas/{component}/properties/{name}"
    ))
}

/// A path as one JSON pointer token.
fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}

fn state_bounds(doc: &mut Value) {
    let lon = json!({"minimum": -180.0, "maximum": 180.0});
    let lat = json!({"minimum": -90.0, "maximum": 90.0});
    let modes: Vec<&str> = TravelMode::ALL.iter().map(|m| m.as_str()).collect();
    let name = json!({"minLength": 1, "maxLength": LIMITS.max_name_chars});

    bound(param(doc, "get", "/api/v1/nearest", "lon"), lon.clone());
    bound(param(doc, "get", "/api/v1/nearest", "lat"), lat.clone());
    bound(
        param(doc, "get", "/api/v1/nearest", "k"),
        json!({"minimum": 1, "maximum": LIMITS.max_nearest_k}),
    );
    bound(
        param(doc, "get", "/api/v1/nearest", "mode"),
        json!({"enum": modes}),
    );
    bound(
        param(doc, "get", "/api/v1/search", "q"),
        json!({"minLength": 1, "maxLength": LIMITS.max_search_chars, "pattern": "\\S"}),
    );
    bound(
        param(doc, "get", "/api/v1/search", "limit"),
        json!({"minimum": 1, "maximum": LIMITS.max_search_results}),
    );
    bound(
        param(doc, "get", "/api/v1/scenarios", "limit"),
        json!({"minimum": 1, "maximum": SERVER_LIMITS.max_page_size}),
    );
    let formats: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.as_str()).collect();
    bound(
        param(doc, "get", "/api/v1/scenarios/{id}/export", "format"),
        json!({"enum": formats}),
    );
    let tables: Vec<&str> = ExportTable::ALL.iter().map(|t| t.as_str()).collect();
    bound(
        param(doc, "get", "/api/v1/scenarios/{id}/export", "table"),
        json!({"enum": tables}),
    );
    // One to max_isochrone_bands whole numbers, comma-separated (values checked by the server).
    bound(
        param(doc, "get", "/api/v1/scenarios/{id}/isochrones", "minutes"),
        json!({"pattern": format!(
            "^ *[0-9]{{1,3}} *(, *[0-9]{{1,3}} *){{0,{}}}$",
            LIMITS.max_isochrone_bands - 1
        )}),
    );

    bound(
        property(doc, "RuleSpec", "max_minutes"),
        json!({"exclusiveMinimum": 0.0, "maximum": LIMITS.max_minutes}),
    );
    bound(
        property(doc, "RuleSpec", "radius_km"),
        json!({"minimum": 0.0, "maximum": LIMITS.max_radius_km}),
    );
    bound(property(doc, "ReceivingPoint", "lon"), lon);
    bound(property(doc, "ReceivingPoint", "lat"), lat);
    bound(property(doc, "ReceivingPoint", "id"), name.clone());
    bound(
        property(doc, "ReceivingPoint", "name"),
        json!({"maxLength": LIMITS.max_name_chars}),
    );
    for component in ["Draft", "CreateScenario", "UpdateScenario"] {
        bound(
            property(doc, component, "points"),
            json!({"minItems": 1, "maxItems": LIMITS.max_points}),
        );
        bound(property(doc, component, "name"), name.clone());
    }
    bound(
        property(doc, "OsmOfficesRequest", "tags"),
        json!({"minLength": 1, "maxLength": LIMITS.max_osm_tags_chars}),
    );
    bound(
        property(doc, "OsmOfficesRequest", "replace_within_m"),
        json!({"exclusiveMinimum": 0.0, "maximum": LIMITS.max_replace_within_m}),
    );
    bound(
        property(doc, "UpdateScenario", "version"),
        json!({"minimum": 1}),
    );
    bound(
        property(doc, "OptimiseRequest", "add"),
        json!({"minimum": 0, "maximum": LIMITS.max_add}),
    );
    bound(
        property(doc, "OptimiseRequest", "time_limit_s"),
        json!({"minimum": LIMITS.min_time_limit_s, "maximum": LIMITS.max_time_limit_s}),
    );
    bound(
        property(doc, "OptimiseRequest", "candidate_resolution"),
        json!({"minimum": LIMITS.min_candidate_resolution, "maximum": LIMITS.max_candidate_resolution}),
    );
    bound(
        property(doc, "OptimiseRequest", "min_ward_share"),
        json!({"minimum": 0.0, "maximum": 1.0}),
    );
}

/// Statuses every endpoint of a kind can answer besides its own: 503 after the handler timeout
/// everywhere, 400 where parameters are read, 408, 413 and 415 where a body is read, 429 where an
/// anonymous budget applies. Server-sent events are described event by event.
fn state_statuses(doc: &mut Value) {
    let events = "/paths/~1api~1v1~1optimise~1{run_id}~1events/get/responses/200/content/text~1event-stream/schema";
    if let Some(schema) = doc.pointer_mut(events) {
        let status = schema.clone();
        *schema = json!({
            "type": "object",
            "required": ["data"],
            "properties": {
                "event": {"type": "string"},
                "data": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": status,
                },
            },
        });
    }
    let error = json!({"$ref": "#/components/schemas/ErrorBody"});
    let response = |description: &str| json!({"description": description, "content": {"application/json": {"schema": error}}});
    let timeout = response(&format!(
        "No answer within the handler timeout ({} ms, `server_limits` in /api/v1/meta)",
        SERVER_LIMITS.handler_timeout_ms
    ));
    let slow_body = response(&format!(
        "The body stalled longer than {} ms",
        SERVER_LIMITS.body_read_timeout_ms
    ));
    let not_json = response("The body was not sent as `Content-Type: application/json`");
    let too_large = response(&format!("Body over {} bytes", SERVER_LIMITS.max_body_bytes));
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            let has_body = operation.get("requestBody").is_some();
            let has_params = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|p| !p.is_empty());
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            responses.entry("503").or_insert_with(|| timeout.clone());
            if has_params || has_body {
                responses.entry("400").or_insert_with(|| {
                    response("A parameter or the body is malformed or out of its bounds")
                });
            }
            if has_body {
                responses.entry("408").or_insert_with(|| slow_body.clone());
                responses.entry("413").or_insert_with(|| too_large.clone());
                responses.entry("415").or_insert_with(|| not_json.clone());
            }
            if let Some(cost) = Cost::ALL
                .into_iter()
                .find(|c| c.endpoints().contains(&(method.as_str(), path.as_str())))
            {
                let (burst, per_minute) = cost.budget(&SERVER_LIMITS);
                responses.entry("429").or_insert_with(|| {
                    response(&format!(
                        "Without the write token: this client spent its budget of {burst} requests ({per_minute} given back a minute); wait `Retry-After` seconds"
                    ))
                });
            }
        }
    }
}
