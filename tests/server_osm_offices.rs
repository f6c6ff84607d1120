//! `POST /api/v1/osm-offices`, the planner's "Load offices from OpenStreetMap", without a
//! socket: the offices of an OSM file as a draft that evaluates and saves, counted per tag;
//! an empty list, a list matching nothing and hostile lists are 400s naming what was wrong.
//!
//! The area is `hanoi-central` with the offices searched in `tests/fixtures/ingest/offices.osm`
//! (a town hall way, two post offices and a government office near Hoàn Kiếm lake): the shipped
//! roads are highway extracts and map no offices.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use motcua::scenario::{AreaOptions, DEFAULT_OFFICE_TAGS, LIMITS, StudyArea};
use motcua::server::{AppState, ScenarioStore, StateOptions, app};
use serde_json::{Value, json};
use tower::ServiceExt;

const TOKEN: &str = "test-token-0123456789abcdef";
const AREA: &str = "hanoi-central";

fn area() -> Arc<StudyArea> {
    static LOADED: OnceLock<Arc<StudyArea>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let options = AreaOptions {
                offices_osm: Some(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest/offices.osm"),
                ),
                ..AreaOptions::default()
            };
            let area = StudyArea::open(AREA, &options)
                .unwrap_or_else(|e| panic!("the test study area {AREA} must load: {e}"));
            Arc::new(area)
        })
        .clone()
}

/// The app over the shared area with a store of its own (kept alive by the returned folder).
fn test_app() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = ScenarioStore::open_in(dir.path(), AREA).expect("scenario store opens");
    let state = AppState::new(area(), store, TOKEN.to_string(), StateOptions::default());
    (dir, app(state))
}

/// Sends `body` as JSON (with the token when asked); the status and the JSON answer.
async fn post(app: &Router, uri: &str, body: &str, token: bool) -> (StatusCode, Value) {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    let request = request.body(Body::from(body.to_string())).expect("request");
    let response = app.clone().oneshot(request).await.expect("router answers");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, value)
}

async fn offices(app: &Router, body: Value) -> (StatusCode, Value) {
    post(app, "/api/v1/osm-offices", &body.to_string(), false).await
}

/// A 400 in the API's error shape whose message holds every needle.
fn assert_bad_request((status, body): &(StatusCode, Value), needles: &[&str]) {
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
    assert!(!message.contains('\n'), "one line: {message:?}");
}

fn counts(body: &Value) -> Vec<(String, u64)> {
    body["found_per_tag"]
        .as_array()
        .expect("found_per_tag")
        .iter()
        .map(|c| {
            (
                c["tag"].as_str().unwrap_or("").to_string(),
                c["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[tokio::test]
async fn meta_publishes_the_default_tags_the_distance_and_the_limits() {
    let (_dir, app) = test_app();
    let request = Request::get("/api/v1/meta")
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("router answers");
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let meta: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(meta["defaults"]["osm_offices"]["tags"], DEFAULT_OFFICE_TAGS);
    assert_eq!(meta["defaults"]["osm_offices"]["replace_within_m"], 1000.0);
    assert_eq!(meta["limits"]["max_osm_tags"], LIMITS.max_osm_tags);
    assert_eq!(
        meta["limits"]["max_osm_tags_chars"],
        LIMITS.max_osm_tags_chars
    );
}

#[tokio::test]
async fn the_default_list_gives_a_draft_that_evaluates_and_saves() {
    let (_dir, app) = test_app();
    let (status, draft) = offices(&app, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["tags"], DEFAULT_OFFICE_TAGS);
    assert_eq!(
        counts(&draft),
        [
            ("amenity=townhall".to_string(), 1),
            ("amenity=post_office".to_string(), 2),
            ("office=government".to_string(), 1)
        ]
    );
    assert_eq!(draft["source"], "offices.osm");
    assert!(draft["attribution"].as_str().unwrap_or("").contains("ODbL"));
    assert!(draft["replace_within_m"].is_null());
    let points = draft["points"].as_array().expect("points");
    assert_eq!(points.len(), 4);
    assert!(points.iter().all(|p| p["approximate"] == false));
    let hall = points
        .iter()
        .find(|p| p["id"] == "osm-way--10")
        .expect("the town hall");
    assert_eq!(hall["kind"], "ward_desk");
    assert_eq!(hall["name"], "Ủy ban nhân dân phường Hoàn Kiếm");

    let body = json!({"mode": draft["mode"], "rule": draft["rule"], "points": draft["points"]});
    let (status, result) = post(&app, "/api/v1/evaluate", &body.to_string(), false).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert!(
        result["summary"]["population_covered"]
            .as_f64()
            .unwrap_or(0.0)
            > 0.0
    );

    let body = json!({"name": "Offices", "mode": draft["mode"], "rule": draft["rule"], "points": draft["points"]});
    let (status, saved) = post(&app, "/api/v1/scenarios", &body.to_string(), true).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["points"].as_array().map(Vec::len), Some(4));
}

/// The fixture's town hall is about 430 m from the shipped Hoàn Kiếm ward desk: within 1 km
/// it moves there, within 100 m nothing moves, and the rest of the area's points stay.
#[tokio::test]
async fn approximate_points_are_replaced_within_the_distance_asked() {
    let (_dir, app) = test_app();
    let baseline = area().points().len();
    let (status, draft) = offices(&app, json!({"replace_within_m": 1000})).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["points"].as_array().map(Vec::len), Some(baseline));
    assert_eq!(draft["replace_within_m"], 1000.0);
    let replaced = draft["replaced"].as_array().expect("replaced");
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert_eq!(
        (&replaced[0]["point_id"], &replaced[0]["osm_id"]),
        (&json!("ward-00070"), &json!("osm-way--10"))
    );
    let (status, near) = offices(&app, json!({"replace_within_m": 100})).await;
    assert_eq!(status, StatusCode::OK, "{near}");
    assert_eq!(near["replaced"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_list_matching_nothing_names_the_tags_and_the_file_alone() {
    let (_dir, app) = test_app();
    let reply = offices(&app, json!({"tags": "amenity=library,shop=*"})).await;
    assert_bad_request(&reply, &["amenity=library,shop=*", "offices.osm"]);
    let message = reply.1["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !message.contains("fixtures"),
        "the server's folders stay private: {message}"
    );
}

#[tokio::test]
async fn empty_and_malformed_lists_say_what_is_expected() {
    let (_dir, app) = test_app();
    assert_bad_request(
        &offices(&app, json!({"tags": ""})).await,
        &["no tags", "key=value"],
    );
    assert_bad_request(&offices(&app, json!({"tags": " , ,"})).await, &["no tags"]);
    assert_bad_request(
        &offices(&app, json!({"tags": "amenity"})).await,
        &["\"amenity\" is not key=value"],
    );
    assert_bad_request(
        &offices(&app, json!({"tags": "=townhall"})).await,
        &["needs both a key and a value"],
    );
    assert_bad_request(
        &offices(&app, json!({"tags": "amenity=townhall,office="})).await,
        &["\"office=\""],
    );
    assert_bad_request(
        &offices(&app, json!({"replace_within_m": 0})).await,
        &["replace_within_m"],
    );
    assert_bad_request(
        &offices(&app, json!({"replace_within_m": 1e9})).await,
        &["at most 5000"],
    );
    assert_bad_request(&offices(&app, json!({"tags": 5})).await, &[]);
    assert_bad_request(
        &offices(&app, json!({"tag": "amenity=townhall"})).await,
        &["tag"],
    );
    let (status, _) = post(&app, "/api/v1/osm-offices", "{\"tags\":", false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn hostile_lists_are_refused_before_any_read() {
    let (_dir, app) = test_app();
    let many: Vec<String> = (0..=LIMITS.max_osm_tags)
        .map(|i| format!("k{i}=v"))
        .collect();
    assert_bad_request(
        &offices(&app, json!({"tags": many.join(",")})).await,
        &[
            format!("{} tags", LIMITS.max_osm_tags + 1).as_str(),
            format!("at most {}", LIMITS.max_osm_tags).as_str(),
        ],
    );
    let long = "amenity=townhall,".repeat(LIMITS.max_osm_tags_chars);
    assert_bad_request(
        &offices(&app, json!({"tags": long})).await,
        &["characters long"],
    );
    let commas = ",".repeat(100_000);
    assert_bad_request(
        &offices(&app, json!({"tags": commas})).await,
        &["characters long"],
    );
    let weird = "amenity=townhall\u{0}<script>,\"=\"";
    let reply = offices(&app, json!({"tags": weird})).await;
    assert_eq!(reply.0, StatusCode::BAD_REQUEST, "{}", reply.1);
}
