//! HTTP tests of `motcua serve` without a socket: every endpoint through `app(state).oneshot(..)`,
//! its success shape and each error shape. Assertions hold for the real study area (they check
//! invariants such as ranking and ranges, not particular numbers).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use motcua::scenario::{AreaOptions, StudyArea};
use motcua::server::{AppState, ScenarioStore, StateOptions, app};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

const TOKEN: &str = "test-token-0123456789abcdef";
const AREA: &str = "hanoi-urban";
/// An origin in central urban Hanoi (Hoàn Kiếm), inside the road data.
const ORIGIN: (f64, f64) = (105.8342, 21.0278);

fn area() -> Arc<StudyArea> {
    static LOADED: OnceLock<Arc<StudyArea>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let area = StudyArea::open(AREA, &AreaOptions::default())
                .unwrap_or_else(|e| panic!("the test study area {AREA} must load: {e}"));
            Arc::new(area)
        })
        .clone()
}

/// A data directory and a web folder of its own for each test; a file beside the web folder
/// that must never be served.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        let web = dir.path().join("web");
        std::fs::create_dir_all(&web).expect("web folder");
        std::fs::write(
            web.join("index.html"),
            "<!doctype html><title>motcua test page</title>",
        )
        .expect("index.html");
        std::fs::create_dir_all(web.join("js")).expect("js folder");
        std::fs::write(web.join("js/app.js"), "console.log('motcua');").expect("app.js");
        std::fs::write(dir.path().join("secret.txt"), "do-not-serve-this").expect("secret file");
        Fixture { dir }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn state_with(&self, max_running: usize) -> AppState {
        let store = ScenarioStore::open_in(&self.data_dir(), AREA).expect("scenario store opens");
        let options = StateOptions {
            web_dir: Some(self.dir.path().join("web")),
            max_running_optimisations: max_running,
            ..StateOptions::default()
        };
        AppState::new(area(), store, TOKEN.to_string(), options)
    }

    fn app(&self) -> Router {
        app(self.state_with(2))
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the API's error shape with this status and code.
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "body: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.len() > 10,
            "the error message should say what was wrong: {body}"
        );
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body is readable")
        .to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).expect("request")).await
}

/// A GET with the write token (saved scenarios are listed only with it).
async fn get_with_token(app: &Router, uri: &str) -> Reply {
    let request = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .expect("request");
    send(app, request).await
}

async fn send_json(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: &Value,
) -> Reply {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    send(
        app,
        builder.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

async fn delete(app: &Router, uri: &str, token: Option<&str>) -> Reply {
    let mut builder = Request::delete(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    send(app, builder.body(Body::empty()).expect("request")).await
}

async fn baseline_points(app: &Router) -> Value {
    let reply = get(app, "/api/v1/scenarios/baseline").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()["points"].clone()
}

async fn create_scenario(app: &Router, name: &str) -> Value {
    let reply = send_json(
        app,
        "POST",
        "/api/v1/scenarios",
        Some(TOKEN),
        &json!({"name": name}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn health_meta_and_openapi() {
    let fx = Fixture::new();
    let app = fx.app();

    let health = get(&app, "/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), json!({"status": "ok", "area": AREA}));

    let meta = get(&app, "/api/v1/meta").await.json();
    assert_eq!(meta["area"]["name"], AREA);
    assert_eq!(
        meta["modes"],
        json!(["motorbike", "car", "bicycle", "walk"])
    );
    assert_eq!(meta["default_rule"]["max_minutes"], 30.0);
    assert_eq!(meta["default_rule"]["radius_km"], 5.0);
    assert_eq!(meta["default_rule"]["combine"], "or");
    assert_eq!(meta["default_rule"]["mode"], "motorbike");
    let bbox = meta["area"]["bbox"].as_array().expect("bbox");
    assert_eq!(bbox.len(), 4);
    assert!(
        meta["area"]["attribution"]
            .as_str()
            .unwrap_or_default()
            .contains("OpenStreetMap")
    );
    assert!(
        meta["areas"]
            .as_array()
            .is_some_and(|a| a.contains(&json!(AREA)))
    );

    let doc = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(
        doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.")
    );
    for path in [
        "/api/v1/meta",
        "/api/v1/nearest",
        "/api/v1/scenarios/{id}",
        "/api/v1/evaluate",
        "/api/v1/optimise/{run_id}/events",
    ] {
        assert!(doc["paths"][path].is_object(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn points_search_and_basemaps() {
    let fx = Fixture::new();
    let app = fx.app();

    let points = get(&app, "/api/v1/points").await.json();
    assert_eq!(points["type"], "FeatureCollection");
    let features = points["features"].as_array().expect("features");
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["geometry"]["type"], "Point");
        for key in [
            "id",
            "name",
            "kind",
            "opening_hours",
            "approximate",
            "address",
        ] {
            assert!(f["properties"].get(key).is_some(), "point lacks {key}: {f}");
        }
    }

    let first_name = features[0]["properties"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let word: String = first_name
        .split_whitespace()
        .next()
        .unwrap_or("a")
        .to_string();
    let found = get(
        &app,
        &format!("/api/v1/search?q={}&limit=5", urlencode(&word)),
    )
    .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text());
    let results = found.json()["results"]
        .as_array()
        .cloned()
        .expect("results");
    assert!(results.len() <= 5);

    get(&app, "/api/v1/search?q=%20")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    get(&app, "/api/v1/search")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    get(&app, "/api/v1/search?q=ha&limit=0")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    get(&app, "/api/v1/search?q=ha&limit=999")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");

    for path in ["/api/v1/basemap/roads", "/api/v1/basemap/wards"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["type"], "FeatureCollection");
        // Served from the cache the second time, identically.
        assert_eq!(get(&app, path).await.body, reply.body);
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn nearest_ranks_points_by_travel_time() {
    let fx = Fixture::new();
    let app = fx.app();
    let (lon, lat) = ORIGIN;

    let reply = get(
        &app,
        &format!("/api/v1/nearest?lon={lon}&lat={lat}&mode=motorbike&k=3"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["mode"], "motorbike");
    assert!(
        body["origin"]["snap_distance_m"]
            .as_f64()
            .is_some_and(|d| d >= 0.0)
    );
    let results = body["results"].as_array().expect("results");
    assert!((1..=3).contains(&results.len()), "{body}");
    let times: Vec<f64> = results
        .iter()
        .map(|r| r["travel_s"].as_f64().expect("travel_s"))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "not ranked by travel_s: {times:?}"
    );
    for r in results {
        assert_eq!(r["route"]["type"], "LineString");
        assert!(r["distance_m"].as_f64().is_some_and(|d| d >= 0.0));
        assert!(r["point"]["id"].is_string());
        assert!(r.get("open_now").is_some());
    }

    // Defaults (motorbike, k = 3) and ranking against a named scenario.
    let reply = get(
        &app,
        &format!("/api/v1/nearest?lon={lon}&lat={lat}&scenario=baseline&k=1"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["results"].as_array().map(Vec::len), Some(1));
    let walk = get(
        &app,
        &format!("/api/v1/nearest?lon={lon}&lat={lat}&mode=walk"),
    )
    .await;
    assert_eq!(walk.status, StatusCode::OK);
    assert_eq!(walk.json()["mode"], "walk");

    for bad in [
        format!("/api/v1/nearest?lon={lon}&lat=95"),
        format!("/api/v1/nearest?lon=200&lat={lat}"),
        format!("/api/v1/nearest?lon=abc&lat={lat}"),
        format!("/api/v1/nearest?lat={lat}"),
        format!("/api/v1/nearest?lon={lon}&lat={lat}&k=0"),
        format!("/api/v1/nearest?lon={lon}&lat={lat}&k=21"),
        format!("/api/v1/nearest?lon={lon}&lat={lat}&k=-1"),
        format!("/api/v1/nearest?lon={lon}&lat={lat}&mode=plane"),
        format!("/api/v1/nearest?lon=NaN&lat={lat}"),
    ] {
        get(&app, &bad)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    get(
        &app,
        &format!("/api/v1/nearest?lon={lon}&lat={lat}&scenario=s_0000000000000000"),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn scenario_lifecycle_with_versions() {
    let fx = Fixture::new();
    let app = fx.app();

    let list = get_with_token(&app, "/api/v1/scenarios").await.json();
    let first = &list["scenarios"][0];
    assert_eq!(first["id"], "baseline");
    assert_eq!(first["read_only"], true);
    let baseline_count = first["points_count"].as_u64().expect("points_count");
    assert!(baseline_count > 0);

    let created = create_scenario(&app, "Two more desks").await;
    let id = created["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("s_"));
    assert_eq!(created["version"], 1);
    assert_eq!(created["mode"], "motorbike");
    assert_eq!(created["rule"]["max_minutes"], 30.0);
    assert_eq!(
        created["points"].as_array().map(|p| p.len() as u64),
        Some(baseline_count)
    );
    assert!(
        created["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
    );

    let fetched = get(&app, &format!("/api/v1/scenarios/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json()["points"], created["points"]);

    let listed = get_with_token(&app, "/api/v1/scenarios").await.json();
    assert!(
        listed["scenarios"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["id"] == id.as_str()))
    );

    // Edit: drop the last point, switch to car, tighten the rule.
    let mut points = created["points"].as_array().cloned().expect("points");
    if points.len() > 1 {
        points.pop();
    }
    let edit = json!({
        "name": "Fewer desks", "mode": "car", "version": 1, "points": points,
        "rule": {"max_minutes": 20, "radius_km": 3, "radius_kind": "network", "combine": "and"},
    });
    let updated = send_json(
        &app,
        "PUT",
        &format!("/api/v1/scenarios/{id}"),
        Some(TOKEN),
        &edit,
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    let updated = updated.json();
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["name"], "Fewer desks");
    assert_eq!(updated["mode"], "car");
    assert_eq!(updated["rule"]["combine"], "and");
    assert_eq!(updated["created_at"], created["created_at"]);

    // Stale version.
    let stale = send_json(
        &app,
        "PUT",
        &format!("/api/v1/scenarios/{id}"),
        Some(TOKEN),
        &edit,
    )
    .await;
    stale.assert_error(StatusCode::CONFLICT, "conflict");
    assert!(
        stale.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("version 2")
    );

    // Coverage, isochrones and export of the saved scenario.
    let coverage = get(&app, &format!("/api/v1/scenarios/{id}/coverage")).await;
    assert_eq!(coverage.status, StatusCode::OK, "{}", coverage.text());
    assert_coverage_result(&coverage.json());

    let deleted = delete(&app, &format!("/api/v1/scenarios/{id}"), Some(TOKEN)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    get(&app, &format!("/api/v1/scenarios/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    delete(&app, &format!("/api/v1/scenarios/{id}"), Some(TOKEN))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    send_json(&app, "PUT", &format!("/api/v1/scenarios/{id}"), Some(TOKEN), &json!({
        "name": "x", "mode": "car", "version": 2, "points": points, "rule": {"max_minutes": 20, "radius_km": 3},
    }))
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn writes_need_the_token() {
    let fx = Fixture::new();
    let app = fx.app();
    let body = json!({"name": "No token"});
    send_json(&app, "POST", "/api/v1/scenarios", None, &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    send_json(
        &app,
        "POST",
        "/api/v1/scenarios",
        Some("wrong-token"),
        &body,
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let basic = Request::post("/api/v1/scenarios")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Basic {TOKEN}"))
        .body(Body::from(body.to_string()))
        .expect("request");
    send(&app, basic)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    let created = create_scenario(&app, "Mine").await;
    let id = created["id"].as_str().expect("id");
    let edit = json!({"name": "x", "mode": "walk", "rule": created["rule"], "points": created["points"], "version": 1});
    send_json(&app, "PUT", &format!("/api/v1/scenarios/{id}"), None, &edit)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    delete(&app, &format!("/api/v1/scenarios/{id}"), Some("nope"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // The scenario is untouched.
    assert_eq!(
        get(&app, &format!("/api/v1/scenarios/{id}")).await.json()["version"],
        1
    );
}

#[tokio::test]
async fn baseline_is_read_only() {
    let fx = Fixture::new();
    let app = fx.app();
    let baseline = get(&app, "/api/v1/scenarios/baseline").await.json();
    assert_eq!(baseline["read_only"], true);
    let edit = json!({"name": "x", "mode": "car", "rule": baseline["rule"], "points": baseline["points"], "version": baseline["version"]});
    send_json(
        &app,
        "PUT",
        "/api/v1/scenarios/baseline",
        Some(TOKEN),
        &edit,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    delete(&app, "/api/v1/scenarios/baseline", Some(TOKEN))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(
        get(&app, "/api/v1/scenarios/baseline").await.json()["mode"],
        baseline["mode"]
    );
}

#[tokio::test]
async fn shipped_point_sets_are_read_only_scenarios() {
    let fx = Fixture::new();
    let app = fx.app();
    let meta = get(&app, "/api/v1/meta").await.json();
    let sets: Vec<&str> = meta["point_sets"]
        .as_array()
        .expect("point sets in meta")
        .iter()
        .map(|s| s["scenario_id"].as_str().expect("scenario id"))
        .collect();
    assert_eq!(
        sets,
        ["set-desks-2024", "set-branches-2025", "set-communes-2025"]
    );
    let list = get(&app, "/api/v1/scenarios").await.json();
    let listed: Vec<&Value> = list["scenarios"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|s| s["id"].as_str().is_some_and(|id| id.starts_with("set-")))
        .collect();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|s| s["read_only"] == true));
    // 32 points: the head office, its temporary seat and 30 branches.
    let branches = get(&app, "/api/v1/scenarios/set-branches-2025")
        .await
        .json();
    assert_eq!(branches["read_only"], true);
    assert_eq!(branches["points"].as_array().expect("points").len(), 32);
    let edit = json!({"name": "x", "mode": "car", "rule": branches["rule"], "points": branches["points"], "version": 1});
    send_json(
        &app,
        "PUT",
        "/api/v1/scenarios/set-branches-2025",
        Some(TOKEN),
        &edit,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    delete(&app, "/api/v1/scenarios/set-desks-2024", Some(TOKEN))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    get(&app, "/api/v1/scenarios/set-no-such-set")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Their coverage is computed like any scenario's.
    let coverage = get(&app, "/api/v1/scenarios/set-branches-2025/coverage").await;
    assert_eq!(coverage.status, StatusCode::OK);
}

#[tokio::test]
async fn the_map_draws_the_study_extent_and_the_road_data() {
    let fx = Fixture::new();
    let app = fx.app();
    let extent = get(&app, "/api/v1/basemap/extent").await.json();
    let kinds: Vec<&str> = extent["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["study_extent", "road_data"]);
    let ring = &extent["features"][1]["geometry"]["coordinates"][0][0];
    assert!(ring.as_array().expect("ring").len() >= 4, "a closed hull");
}

#[tokio::test]
async fn concurrent_updates_never_lose_work() {
    let fx = Fixture::new();
    let app = fx.app();
    let created = create_scenario(&app, "Shared").await;
    let id = created["id"].as_str().expect("id").to_string();
    let uri = format!("/api/v1/scenarios/{id}");
    let edit = |name: &str| json!({"name": name, "mode": "motorbike", "rule": created["rule"], "points": created["points"], "version": 1});
    let (alice, bob) = (edit("Alice's edit"), edit("Bob's edit"));
    let (a, b) = tokio::join!(
        send_json(&app, "PUT", &uri, Some(TOKEN), &alice),
        send_json(&app, "PUT", &uri, Some(TOKEN), &bob),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "a: {} b: {}",
        a.text(),
        b.text()
    );
    let winner = if a.status == StatusCode::OK {
        a.json()
    } else {
        b.json()
    };
    let stored = get(&app, &uri).await.json();
    assert_eq!(stored["version"], 2);
    assert_eq!(stored["name"], winner["name"]);
}

#[tokio::test]
async fn scenarios_survive_a_restart() {
    let fx = Fixture::new();
    let (id, created) = {
        let app = fx.app();
        let created = create_scenario(&app, "Kept across restarts").await;
        (created["id"].as_str().expect("id").to_string(), created)
    };
    // The first app and its database connection are dropped; open the file again.
    let app = fx.app();
    let again = get(&app, &format!("/api/v1/scenarios/{id}")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json(), created);
    assert!(fx.data_dir().join("motcua.sqlite").is_file());
}

fn assert_coverage_result(body: &Value) {
    let s = &body["summary"];
    let share = s["covered_share"].as_f64().expect("covered_share");
    assert!((0.0..=1.0).contains(&share), "covered_share {share}");
    let total = s["population_total"].as_f64().expect("population_total");
    let covered = s["population_covered"]
        .as_f64()
        .expect("population_covered");
    let uncovered = s["population_uncovered"]
        .as_f64()
        .expect("population_uncovered");
    let no_data = s["population_no_road_data"]
        .as_f64()
        .expect("population_no_road_data");
    assert!(total > 0.0);
    assert!(covered >= 0.0 && uncovered >= 0.0 && no_data >= 0.0);
    assert!(covered + uncovered <= total * 1.0001 + 1.0, "{s}");
    for key in ["mean_travel_s", "p95_travel_s", "cells", "points_by_kind"] {
        assert!(s.get(key).is_some(), "summary lacks {key}");
    }
    assert!(body["wards"].is_array());
    assert!(body["districts"].is_array());
    assert!(body["area"]["name"].is_string());
    assert!(body["area"]["roads_vintage"].is_string());
    assert!(body["timings_ms"].is_object());
}

#[tokio::test]
async fn evaluate_drafts_and_reject_bad_ones() {
    let fx = Fixture::new();
    let app = fx.app();
    let points = baseline_points(&app).await;
    let draft =
        json!({"mode": "motorbike", "rule": {"max_minutes": 30, "radius_km": 5}, "points": points});

    let reply = send_json(&app, "POST", "/api/v1/evaluate", None, &draft).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_coverage_result(&body);
    assert!(body.get("cells").is_none());
    let total_kinds: u64 = body["summary"]["points_by_kind"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0);
    assert_eq!(
        total_kinds as usize,
        points.as_array().map(Vec::len).unwrap_or(0)
    );

    let with_cells = send_json(&app, "POST", "/api/v1/evaluate?cells=true", None, &draft).await;
    assert_eq!(with_cells.status, StatusCode::OK);
    let cells = &with_cells.json()["cells"];
    assert_eq!(cells["type"], "FeatureCollection");
    if let Some(first) = cells["features"].as_array().and_then(|f| f.first()) {
        let status = first["properties"]["status"].as_str().unwrap_or_default();
        assert!(["covered", "uncovered", "unknown"].contains(&status));
    }

    // Malformed JSON, wrong content type, wrong fields, bad values.
    let raw = Request::post("/api/v1/evaluate")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"points\": ["))
        .expect("request");
    send(&app, raw)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    let text = Request::post("/api/v1/evaluate")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(draft.to_string()))
        .expect("request");
    send(&app, text)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "bad_request");
    let none = Request::post("/api/v1/evaluate")
        .body(Body::from(draft.to_string()))
        .expect("request");
    send(&app, none)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "bad_request");

    let point = |lon: f64, lat: f64| json!({"id": "p", "name": "P", "kind": "branch", "lon": lon, "lat": lat});
    for bad in [
        json!({"mode": "motorbike"}),
        json!({"points": []}),
        json!({"points": [point(105.85, 121.0)]}),
        json!({"points": [point(205.0, 21.0)]}),
        json!({"points": [point(105.85, 21.03), point(105.86, 21.04)]}),
        json!({"mode": "plane", "points": [point(105.85, 21.03)]}),
        json!({"points": [{"id": "p", "name": "P", "kind": "castle", "lon": 105.85, "lat": 21.03}]}),
        json!({"points": [point(105.85, 21.03)], "rule": {"max_minutes": -5, "radius_km": 5}}),
        json!({"points": [point(105.85, 21.03)], "rule": {"max_minutes": 30, "radius_km": 5, "combine": "xor"}}),
        json!({"points": "many"}),
        json!([1, 2, 3]),
    ] {
        send_json(&app, "POST", "/api/v1/evaluate", None, &bad)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    send_json(&app, "POST", "/api/v1/evaluate?cells=maybe", None, &draft)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");

    // Over 1 MiB.
    let filler = "x".repeat(1024 * 1024 + 10);
    let huge = json!({"name": filler, "points": points});
    send_json(&app, "POST", "/api/v1/evaluate", None, &huge)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    send_json(&app, "POST", "/api/v1/scenarios", Some(TOKEN), &huge)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn coverage_isochrones_and_export_of_baseline() {
    let fx = Fixture::new();
    let app = fx.app();

    let coverage = get(&app, "/api/v1/scenarios/baseline/coverage").await;
    assert_eq!(coverage.status, StatusCode::OK, "{}", coverage.text());
    assert_coverage_result(&coverage.json());
    get(&app, "/api/v1/scenarios/s_0000000000000000/coverage")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    get(&app, "/api/v1/scenarios/nope/isochrones")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    let iso = get(&app, "/api/v1/scenarios/baseline/isochrones?minutes=10,20").await;
    assert_eq!(iso.status, StatusCode::OK, "{}", iso.text());
    let iso = iso.json();
    assert_eq!(iso["type"], "FeatureCollection");
    let features = iso["features"].as_array().expect("features");
    assert!(
        !features.is_empty() && features.len() <= 2,
        "one union per limit: {}",
        features.len()
    );
    for f in features {
        assert!(f["properties"]["minutes"].is_number());
        assert_eq!(f["properties"]["point_id"], "all");
    }
    for bad in [
        "per_point=maybe",
        "minutes=0",
        "minutes=abc",
        "minutes=500",
        "minutes=1,2,3,4,5,6,7",
        "minutes=10,,20",
    ] {
        get(
            &app,
            &format!("/api/v1/scenarios/baseline/isochrones?{bad}"),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }

    // Each table its own file; the CSV ones open in Excel as UTF-8 (a byte-order mark).
    let csv = get(&app, "/api/v1/scenarios/baseline/export?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let disposition = csv.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.contains("attachment") && disposition.contains("-baseline-points.csv"),
        "{disposition}"
    );
    assert!(csv.body.starts_with(motcua::export::UTF8_BOM));
    let points = read_csv(&csv.body);
    assert_eq!(
        points[0],
        [
            "id",
            "name",
            "kind",
            "lon",
            "lat",
            "opening_hours",
            "approximate",
            "address",
            "counters",
            "unit"
        ]
    );
    let baseline = baseline_points(&app).await;
    assert_eq!(points.len() - 1, baseline.as_array().map_or(0, Vec::len));

    let coverage = coverage.json();
    for (table, key) in [("wards", "wards"), ("districts", "districts")] {
        let reply = get(
            &app,
            &format!("/api/v1/scenarios/baseline/export?format=csv&table={table}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert!(reply.body.starts_with(motcua::export::UTF8_BOM));
        let rows = read_csv(&reply.body);
        assert_eq!(rows[0][0], "name");
        assert!(rows[0].iter().any(|c| c == "covered_share"));
        let expected = coverage[key].as_array().expect("regions");
        assert_eq!(rows.len() - 1, expected.len(), "one row per {table}");
        let share = rows[0]
            .iter()
            .position(|c| c == "covered_share")
            .expect("share column");
        for (row, region) in rows[1..].iter().zip(expected) {
            assert_eq!(row[0], region["name"].as_str().expect("name"));
            // A region nobody lives in has no share: empty, never 0.
            if region["population"].as_f64() == Some(0.0) {
                assert!(row[1..9].iter().all(String::is_empty), "{row:?}");
            } else {
                let written: f64 = row[share].parse().expect("a share");
                let served = region["covered_share"].as_f64().expect("share");
                assert!((written - served).abs() < 1e-4, "{row:?}");
            }
        }
    }

    let metadata = get(&app, "/api/v1/scenarios/baseline/export?table=metadata").await;
    assert_eq!(metadata.status, StatusCode::OK, "{}", metadata.text());
    assert!(
        metadata.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/json")
    );
    let metadata = metadata.json();
    assert_eq!(metadata["scenario"]["id"], "baseline");
    assert_eq!(metadata["rule"]["max_minutes"], 30.0);
    assert_eq!(metadata["rule"]["radius_km"], 5.0);
    assert_eq!(metadata["mode"], "motorbike");
    assert!(
        metadata["exported_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(
        metadata["roads"]["vintage"],
        area().meta().roads_vintage.as_str()
    );
    assert_eq!(
        metadata["population"]["source"],
        area().meta().population_scope.as_str()
    );
    assert!(
        metadata["empty_means"]
            .as_str()
            .is_some_and(|t| t.contains("unknown"))
    );

    // GeoJSON: standard FeatureCollections, the wards with their polygons.
    let geojson = get(&app, "/api/v1/scenarios/baseline/export?format=geojson").await;
    assert_eq!(geojson.status, StatusCode::OK);
    let geojson = geojson.json();
    assert_eq!(geojson["type"], "FeatureCollection");
    assert!(
        geojson.get("wards").is_none(),
        "no member outside the standard"
    );
    assert!(
        geojson["features"]
            .as_array()
            .expect("features")
            .iter()
            .all(|f| f["geometry"]["type"] == "Point")
    );
    let wards = get(
        &app,
        "/api/v1/scenarios/baseline/export?format=geojson&table=wards",
    )
    .await;
    assert_eq!(wards.status, StatusCode::OK, "{}", wards.text());
    let wards = wards.json();
    assert_eq!(wards["type"], "FeatureCollection");
    let features = wards["features"].as_array().expect("features");
    assert_eq!(
        features.len(),
        coverage["wards"].as_array().map_or(0, Vec::len)
    );
    assert!(features.iter().all(|f| {
        f["type"] == "Feature"
            && matches!(
                f["geometry"]["type"].as_str(),
                Some("Polygon" | "MultiPolygon")
            )
            && f["properties"]["name"].is_string()
    }));
    get(&app, "/api/v1/scenarios/baseline/export?table=cells")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    get(&app, "/api/v1/scenarios/baseline/export?format=xls")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_request");
}

/// A CSV download read back as a spreadsheet would: the byte-order mark dropped, every row.
fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = bytes
        .strip_prefix(motcua::export::UTF8_BOM)
        .expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_string).collect())
        .collect()
}

async fn wait_finished(app: &Router, run_id: &str, limit: Duration) -> Value {
    let start = Instant::now();
    loop {
        let reply = get(app, &format!("/api/v1/optimise/{run_id}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let body = reply.json();
        let progress = body["progress"].as_f64().expect("progress");
        assert!((0.0..=1.0).contains(&progress));
        if body["status"] != "running" {
            return body;
        }
        assert!(
            start.elapsed() < limit,
            "run {run_id} still running after {limit:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn optimise_body(add: usize) -> Value {
    json!({"scenario": "baseline", "draft": null, "model": "mclp", "add": add, "consolidate": false, "time_limit_s": 10})
}

#[tokio::test]
async fn optimise_runs_to_a_result_with_events() {
    let fx = Fixture::new();
    let app = fx.app();
    let started = send_json(
        &app,
        "POST",
        "/api/v1/optimise",
        Some(TOKEN),
        &optimise_body(2),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text());
    let run_id = started.json()["run_id"]
        .as_str()
        .expect("run_id")
        .to_string();
    assert!(
        started.headers[header::LOCATION]
            .to_str()
            .unwrap_or_default()
            .ends_with(&run_id)
    );

    // The event stream ends with the final status.
    let events = get(&app, &format!("/api/v1/optimise/{run_id}/events")).await;
    assert_eq!(events.status, StatusCode::OK);
    assert!(
        events.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/event-stream")
    );
    let last: Value = events
        .text()
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .next_back()
        .expect("at least one event");
    assert_ne!(last["status"], "running");

    let done = wait_finished(&app, &run_id, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done, last);
    let result = &done["result"];
    let added = result["points"].as_array().expect("points");
    assert!(added.len() <= 2);
    for p in added {
        assert!(
            ["branch", "flexible_point"].contains(&p["kind"].as_str().unwrap_or_default()),
            "{p}"
        );
        assert!(
            p["lon"].is_number()
                && p["lat"].is_number()
                && p["explanation"].is_string()
                && p["explanation_vi"].is_string()
        );
    }
    let before = result["covered_before"].as_f64().expect("covered_before");
    let after = result["covered_after"].as_f64().expect("covered_after");
    assert!(
        after + 1e-9 >= before,
        "adding points never lowers coverage: {before} -> {after}"
    );

    // A draft works as a start too.
    let points = baseline_points(&app).await;
    let draft = json!({"draft": {"points": points}, "model": "mclp", "add": 1, "time_limit_s": 10});
    let started = send_json(&app, "POST", "/api/v1/optimise", Some(TOKEN), &draft).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text());
    let run_id = started.json()["run_id"]
        .as_str()
        .expect("run_id")
        .to_string();
    assert_eq!(
        wait_finished(&app, &run_id, Duration::from_secs(120)).await["status"],
        "done"
    );
}

/// Over the week a plan counts person-hours, at a moment people then; the result says which.
#[tokio::test]
async fn optimise_judges_a_plan_at_a_time_or_over_the_week() {
    let fx = Fixture::new();
    let app = fx.app();
    let ask = |extra: Value| {
        let mut body = optimise_body(1);
        body["solver"] = json!("heuristic");
        for (k, v) in extra.as_object().expect("an object") {
            body[k] = v.clone();
        }
        body
    };
    for (extra, measure) in [
        (
            json!({"week": true, "new_point_hours": "24/7"}),
            "person_hours",
        ),
        (
            json!({"at": "Su 03:00", "new_point_hours": "24/7"}),
            "people",
        ),
    ] {
        let started = send_json(&app, "POST", "/api/v1/optimise", Some(TOKEN), &ask(extra)).await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text());
        let run_id = started.json()["run_id"]
            .as_str()
            .expect("run_id")
            .to_string();
        let done = wait_finished(&app, &run_id, Duration::from_secs(120)).await;
        assert_eq!(done["status"], "done", "{done}");
        let result = &done["result"];
        assert_eq!(result["measure"], measure, "{result}");
        let (before, after) = (
            result["covered_before"].as_f64().expect("covered_before"),
            result["covered_after"].as_f64().expect("covered_after"),
        );
        assert!(after + 1e-9 >= before, "{before} -> {after}");
        for p in result["points"].as_array().expect("points") {
            assert_eq!(p["opening_hours"], "24/7", "{p}");
        }
        if measure == "people" {
            // At 03:00 on a Sunday every desk is closed: only the new 24/7 point serves.
            assert_eq!(result["at"], "2026-12-13T03:00", "{result}");
            assert_eq!(before, 0.0, "{result}");
            assert!(after > 0.0, "{result}");
        }
    }
}

#[tokio::test]
async fn optimise_cancel_limits_and_errors() {
    let fx = Fixture::new();
    let app = app(fx.state_with(1));

    let first = send_json(
        &app,
        "POST",
        "/api/v1/optimise",
        Some(TOKEN),
        &optimise_body(3),
    )
    .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.text());
    let run_id = first.json()["run_id"].as_str().expect("run_id").to_string();
    // One run at a time here: a second one is refused while the first is busy.
    let second = send_json(
        &app,
        "POST",
        "/api/v1/optimise",
        Some(TOKEN),
        &optimise_body(1),
    )
    .await;
    let first_now = get(&app, &format!("/api/v1/optimise/{run_id}"))
        .await
        .json();
    if first_now["status"] == "running" || second.status != StatusCode::ACCEPTED {
        second.assert_error(StatusCode::CONFLICT, "conflict");
    }

    let cancelled = delete(&app, &format!("/api/v1/optimise/{run_id}"), Some(TOKEN)).await;
    assert_eq!(cancelled.status, StatusCode::NO_CONTENT);
    let end = wait_finished(&app, &run_id, Duration::from_secs(120)).await;
    assert!(
        ["cancelled", "done"].contains(&end["status"].as_str().unwrap_or_default()),
        "{end}"
    );

    get(&app, "/api/v1/optimise/r_0000000000000000")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    get(&app, "/api/v1/optimise/r_0000000000000000/events")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    delete(&app, "/api/v1/optimise/r_0000000000000000", Some(TOKEN))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    for bad in [
        json!({"scenario": "baseline", "model": "annealing", "add": 1}),
        json!({"scenario": "baseline", "model": "mclp", "add": 51}),
        json!({"scenario": "baseline", "model": "mclp", "add": 0}),
        json!({"scenario": "baseline", "model": "mclp", "add": -1}),
        json!({"scenario": "baseline", "draft": {"points": []}, "model": "mclp", "add": 1}),
        json!({"draft": {"points": []}, "model": "mclp", "add": 1}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "consolidate": true, "keep": 100000}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "time_limit_s": 100000}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "colour": "red"}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "at": "Mo 08:00", "week": true}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "at": "Xy 25:00"}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "week_of": "2026-12-09"}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "new_point_hours": "whenever"}),
        json!({"scenario": "baseline", "model": "mclp", "add": 1, "week": true, "capacity": 1000}),
    ] {
        send_json(&app, "POST", "/api/v1/optimise", Some(TOKEN), &bad)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    send_json(
        &app,
        "POST",
        "/api/v1/optimise",
        Some(TOKEN),
        &json!({"scenario": "s_0000000000000000", "model": "mclp", "add": 1}),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn static_files_stay_inside_the_web_folder() {
    let fx = Fixture::new();
    let app = fx.app();

    let index = get(&app, "/").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.text().contains("motcua test page"));
    let js = get(&app, "/js/app.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.text().contains("console.log"));

    for escape in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/web/../../secret.txt",
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/..\\secret.txt",
    ] {
        let reply = get(&app, escape).await;
        assert!(
            reply.status == StatusCode::NOT_FOUND || reply.status == StatusCode::BAD_REQUEST,
            "{escape} gave {}",
            reply.status
        );
        assert!(
            !reply.text().contains("do-not-serve-this"),
            "{escape} leaked a file"
        );
        assert!(
            !reply.text().contains("[package]"),
            "{escape} leaked Cargo.toml"
        );
        assert!(reply.json()["error"]["code"].is_string());
    }
    get(&app, "/missing.html")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let fx = Fixture::new();
    let app = fx.app();
    get(&app, "/api/v1/nothing-here")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    get(&app, "/api/v2/meta")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let patch = Request::patch("/api/v1/meta")
        .body(Body::empty())
        .expect("request");
    let reply = send(&app, patch).await;
    reply.assert_error(StatusCode::METHOD_NOT_ALLOWED, "bad_request");
    assert!(reply.headers.contains_key(header::ALLOW));
    let post_static = Request::post("/index.html")
        .body(Body::empty())
        .expect("request");
    let reply = send(&app, post_static).await;
    assert!(reply.status.is_client_error());
    assert!(reply.json()["error"]["code"].is_string());
    // A path segment that is not valid UTF-8 once decoded.
    let reply = get(&app, "/api/v1/scenarios/%FF%FE").await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert!(reply.json()["error"]["code"].is_string());
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let fx = Fixture::new();
    let app = fx.app();
    let doc = get(&app, "/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, operations) in paths {
        let uri = path
            .replace("{id}", "baseline")
            .replace("{run_id}", "r_0000000000000000");
        for method in operations.as_object().expect("operations").keys() {
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&uri)
                .body(Body::empty())
                .expect("request");
            let reply = send(&app, request).await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri} is documented but not routed"
            );
            assert!(
                !reply.text().contains("no API endpoint"),
                "{method} {uri} is documented but not routed"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations documented");
}

#[tokio::test]
async fn cors_is_closed_unless_configured() {
    let fx = Fixture::new();
    let preflight = |origin: &'static str| {
        Request::options("/api/v1/scenarios")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .expect("request")
    };
    let closed = fx.app();
    let reply = send(&closed, preflight("http://localhost:5173")).await;
    assert!(
        !reply
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );

    let store = ScenarioStore::open_in(&fx.data_dir(), AREA).expect("store");
    let options = StateOptions {
        cors_origins: vec![header::HeaderValue::from_static("http://localhost:5173")],
        ..StateOptions::default()
    };
    let open = app(AppState::new(area(), store, TOKEN.to_string(), options));
    let reply = send(&open, preflight("http://localhost:5173")).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_eq!(
        reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:5173"
    );
    let reply = send(&open, preflight("http://elsewhere.example")).await;
    assert!(
        !reply
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}

/// Percent-encodes every byte but ASCII letters and digits, so any input makes a valid URI.
fn encode_all(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whatever a client sends, the answer is never a 5xx and always the API's JSON.
#[test]
fn random_input_never_causes_server_errors() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let fx = Fixture::new();
    let app = fx.app();
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..200),
        "[a-z_=&.,0-9%-]{0,60}",
        prop_oneof![
            Just(r#"{"points":[{"id":"p","name":"P","kind":"branch","lon":1e400,"lat":21}]}"#.to_string()),
            Just(r#"{"points":[{"id":"p","name":"P","kind":"branch","lon":105.8,"lat":21}],"rule":{"max_minutes":1e308,"radius_km":-0.0}}"#.to_string()),
            Just(r#"{"name":"","points":null}"#.to_string()),
            "\\PC{0,80}",
        ],
    );
    runner
        .run(&strategy, |(bytes, query, text)| {
            runtime.block_on(async {
                let requests = vec![
                    Request::post("/api/v1/evaluate")
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(bytes.clone()))
                        .expect("request"),
                    Request::post("/api/v1/evaluate")
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(text.clone()))
                        .expect("request"),
                    Request::post("/api/v1/optimise")
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(text.clone()))
                        .expect("request"),
                    Request::put("/api/v1/scenarios/s_0000000000000000")
                        .header(header::CONTENT_TYPE, "application/json")
                        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                        .body(Body::from(text.clone()))
                        .expect("request"),
                    Request::get(format!("/api/v1/nearest?{query}"))
                        .body(Body::empty())
                        .expect("request"),
                    Request::get(format!(
                        "/api/v1/search?q={}&{query}",
                        encode_all(text.as_bytes())
                    ))
                    .body(Body::empty())
                    .expect("request"),
                    Request::get(format!("/api/v1/scenarios/{}", encode_all(&bytes)))
                        .body(Body::empty())
                        .expect("request"),
                    Request::get(format!("/api/v1/scenarios/baseline/export?{query}"))
                        .body(Body::empty())
                        .expect("request"),
                    Request::get(format!("/{}", encode_all(&bytes)))
                        .body(Body::empty())
                        .expect("request"),
                ];
                for request in requests {
                    let target = format!("{} {}", request.method(), request.uri());
                    let reply = send(&app, request).await;
                    prop_assert!(
                        !reply.status.is_server_error(),
                        "{target} gave {}: {}",
                        reply.status,
                        reply.text()
                    );
                    if !reply.status.is_success() {
                        prop_assert!(
                            reply.json()["error"]["code"].is_string(),
                            "{target}: {}",
                            reply.text()
                        );
                    }
                }
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The routes `app()` declares, read from its source: (path as the OpenAPI document writes it,
/// lowercase methods). Routes of the `api` router are under `/api/v1`.
fn routes_in_app() -> Vec<(String, Vec<&'static str>)> {
    let source = include_str!("../src/server/mod.rs");
    let start = source
        .find("pub fn app(")
        .expect("app() in src/server/mod.rs");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("end of app()")];
    // The API's routes are declared on `api` before the outer router nests it at /api/v1.
    assert!(
        body.contains(".nest(\"/api/v1\", api)"),
        "the API is nested"
    );
    let nested_at = body.find("let mut router").expect("the outer router");
    let mut routes = Vec::new();
    for (at, call_start) in body.match_indices(".route(") {
        let piece = &body[at + call_start.len()..];
        let path = piece.split('"').nth(1).expect("a route path").to_string();
        // The call's text: up to the parenthesis closing `.route(`.
        let mut depth = 1;
        let end = piece
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .expect("a closed route call");
        let call = &piece[..end];
        let methods: Vec<&'static str> = ["get", "post", "put", "delete"]
            .into_iter()
            .filter(|m| call.contains(&format!("{m}(")))
            .collect();
        let full = if at < nested_at {
            format!("/api/v1{path}")
        } else {
            path
        };
        routes.push((full, methods));
    }
    routes
}

#[test]
fn every_routed_operation_is_documented() {
    let doc = serde_json::to_value(<motcua::server::ApiDoc as utoipa::OpenApi>::openapi())
        .expect("the OpenAPI document serialises");
    let paths = doc["paths"].as_object().expect("paths");
    let routes = routes_in_app();
    assert!(
        routes.len() >= 15,
        "only {} routes read from app()",
        routes.len()
    );
    for (path, methods) in routes {
        assert!(!methods.is_empty(), "no method read for {path}");
        let operations = paths
            .get(&path)
            .unwrap_or_else(|| panic!("{path} is routed but not in the OpenAPI document"));
        for method in methods {
            assert!(
                operations.get(method).is_some(),
                "{method} {path} is routed but not in the OpenAPI document"
            );
        }
    }
}

/// Issue 11: the evaluate answer carries each point's catchment and queue, the fairness
/// figures and coverage within capacity; the assumptions come from the body or the defaults
/// `/meta` publishes; bad ones are a 400 naming the field.
#[tokio::test]
async fn evaluate_answers_with_load_and_queues() {
    let fx = Fixture::new();
    let app = fx.app();
    let points = baseline_points(&app).await;
    let n = points.as_array().map(Vec::len).unwrap_or(0);
    let meta = get(&app, "/api/v1/meta").await.json();
    assert_eq!(meta["defaults"]["service"]["max_wait_min"], 15.0);
    assert_eq!(meta["defaults"]["counters_by_kind"]["ward_desk"], 3);
    let draft = json!({"points": points});
    let body = send_json(&app, "POST", "/api/v1/evaluate?cells=true", None, &draft)
        .await
        .json();
    let service = &body["service"];
    assert_eq!(service["points"].as_array().map(Vec::len), Some(n));
    let residents: f64 = service["points"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["residents"].as_f64()).sum())
        .unwrap_or(0.0);
    let summary = &body["summary"];
    let decided = summary["population_covered"].as_f64().unwrap_or(0.0)
        + summary["population_uncovered"].as_f64().unwrap_or(0.0);
    assert!(
        (residents - decided).abs() < 1.0,
        "{residents} vs {decided}"
    );
    for p in service["points"].as_array().into_iter().flatten() {
        let overloaded = p["level"] == "overloaded";
        assert_eq!(p["wait_min"].is_null(), overloaded, "{p}");
    }
    assert!(service["fairness"]["travel_min"]["gini"].is_number());
    assert!(service["within_capacity"]["covered"].is_number());
    let first = &body["cells"]["features"][0]["properties"];
    assert!(first.get("catchment_point_id").is_some(), "{first}");

    // Everything online: nobody comes, no point is loaded.
    let online = json!({"points": points, "service": {"demand": {"share_online": 1.0}}});
    let body = send_json(&app, "POST", "/api/v1/evaluate", None, &online)
        .await
        .json();
    assert_eq!(body["service"]["load"]["points_overloaded"], 0);
    assert_eq!(body["service"]["load"]["residents_at_strained"], 0.0);

    // Without the service figures: the same coverage, no "service" member.
    let with = send_json(&app, "POST", "/api/v1/evaluate", None, &draft)
        .await
        .json();
    let without = send_json(&app, "POST", "/api/v1/evaluate?service=false", None, &draft)
        .await
        .json();
    assert!(without["service"].is_null(), "{}", without["service"]);
    assert_eq!(without["summary"], with["summary"]);
    assert_eq!(without["wards"], with["wards"]);

    for (bad, field) in [
        (json!({"demand": {"share_online": 1.5}}), "share_online"),
        (json!({"demand": {"service_min": -3}}), "service_min"),
        (json!({"max_wait_min": 0}), "max_wait_min"),
    ] {
        let reply = send_json(
            &app,
            "POST",
            "/api/v1/evaluate",
            None,
            &json!({"points": points, "service": bad}),
        )
        .await;
        reply.assert_error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(reply.text().contains(field), "{}", reply.text());
    }
}

#[tokio::test]
async fn coverage_at_a_time_the_week_and_the_bands_in_meta() {
    let fx = Fixture::new();
    let app = fx.app();
    let meta = get(&app, "/api/v1/meta").await.json();
    let bands = meta["speed_bands"].as_array().expect("speed_bands");
    let motorbike = bands
        .iter()
        .find(|b| b["mode"] == "motorbike")
        .expect("motorbike bands");
    assert!(
        motorbike["bands"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["name"] == "morning_peak"))
    );
    assert_eq!(meta["defaults"]["peak_at"], "Mo 08:00");

    let points = baseline_points(&app).await;
    // Sunday morning: the desks (Mo-Fr, Sa mornings) are closed and cover nobody.
    let draft = json!({"points": points, "at": "Su 10:00"});
    let reply = send_json(&app, "POST", "/api/v1/evaluate", None, &draft).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["moment"]["at"], "2026-12-13T10:00");
    assert_eq!(body["moment"]["band"]["name"], "weekend");
    assert_eq!(
        body["moment"]["closed_points"].as_array().map(Vec::len),
        points.as_array().map(Vec::len)
    );
    assert_eq!(body["summary"]["population_covered"], 0.0);

    let bad = json!({"points": points, "at": "someday"});
    let reply = send_json(&app, "POST", "/api/v1/evaluate", None, &bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("field at"), "{}", reply.text());

    let week = get(&app, "/api/v1/scenarios/baseline/week").await;
    assert_eq!(week.status, StatusCode::OK, "{}", week.text());
    let week = week.json();
    assert_eq!(week["hours"].as_array().map(Vec::len), Some(168));
    assert_eq!(week["monday"], "2026-12-07");
    // Monday 10:00 is office hours, Monday 03:00 is not.
    assert!(week["hours"][10]["covered_share"].as_f64() > Some(0.5));
    assert_eq!(week["hours"][3]["population_covered"], 0.0);
    let bad_week = get(&app, "/api/v1/scenarios/baseline/week?week_of=1999-01-01").await;
    assert_eq!(bad_week.status, StatusCode::BAD_REQUEST);
    let draft_week = send_json(
        &app,
        "POST",
        "/api/v1/week",
        None,
        &json!({"points": points}),
    )
    .await;
    assert_eq!(draft_week.status, StatusCode::OK, "{}", draft_week.text());

    // The citizen at a fixed time: Saturday 13:00, every desk closed; they open Monday 08:00.
    let (lon, lat) = ORIGIN;
    let nearest = get(
        &app,
        &format!("/api/v1/nearest?lon={lon}&lat={lat}&at=2026-12-12T13:00"),
    )
    .await
    .json();
    for r in nearest["results"].as_array().expect("results") {
        assert_eq!(r["open_now"], false, "{r}");
        assert_eq!(r["next_open"], "2026-12-14T08:00", "{r}");
    }
}

/// The cells of a timed evaluation come in the same forms as those of a plain one, from the
/// same grid, and a point closed at that time changes them: a desk open on weekdays covers
/// people at Monday 10:00, the same desk open only on Saturdays covers nobody then.
#[tokio::test]
async fn coverage_at_a_time_answers_the_cells_as_columns_and_geojson() {
    let fx = Fixture::new();
    let app = fx.app();
    let points = baseline_points(&app).await;
    let mut desk = points[0].clone();
    desk["opening_hours"] = json!("Mo-Fr 08:00-17:00");
    desk["unit"] = Value::Null;
    let id = desk["id"].as_str().expect("point id").to_string();

    let plain = send_json(
        &app,
        "POST",
        "/api/v1/evaluate?columns=true&service=false",
        None,
        &json!({"points": [desk]}),
    )
    .await
    .json();
    let columns_at = |body: &Value| body["cell_columns"].clone();
    let covered = |columns: &Value| {
        columns["status"]
            .as_str()
            .expect("status column")
            .chars()
            .filter(|&c| c == 'c')
            .count()
    };

    let open = send_json(
        &app,
        "POST",
        "/api/v1/evaluate?columns=true&cells=true",
        None,
        &json!({"points": [desk], "at": "Mo 10:00"}),
    )
    .await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.text());
    let open = open.json();
    let open_columns = columns_at(&open);
    assert_eq!(open_columns["grid_id"], columns_at(&plain)["grid_id"]);
    assert_eq!(open_columns["point_ids"], json!([id]));
    let cells = open_columns["status"].as_str().map_or(0, str::len);
    assert!(cells > 0, "{open_columns}");
    assert_eq!(
        open_columns["travel_s"].as_array().map(Vec::len),
        Some(cells)
    );
    assert_eq!(
        open["cells"]["features"].as_array().map(Vec::len),
        Some(cells),
        "the GeoJSON form holds the same cells"
    );
    assert!(covered(&open_columns) > 0, "the open desk covers someone");
    assert_eq!(open["moment"]["closed_points"], json!([]));

    desk["opening_hours"] = json!("Sa 08:00-12:00");
    let closed = send_json(
        &app,
        "POST",
        "/api/v1/evaluate?columns=true",
        None,
        &json!({"points": [desk], "at": "Mo 10:00"}),
    )
    .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
    let closed = closed.json();
    assert_eq!(closed["moment"]["closed_points"], json!([id]));
    assert!(closed["cells"].is_null(), "GeoJSON only when asked for");
    let closed_columns = columns_at(&closed);
    assert_eq!(closed_columns["grid_id"], open_columns["grid_id"]);
    assert_eq!(covered(&closed_columns), 0, "a closed desk covers nobody");
    assert_ne!(closed_columns["status"], open_columns["status"]);
}

/// A mobile unit's stops are saved with their `unit`, downloaded with it (CSV and GeoJSON) and
/// read back as the same points: the download is a points file again.
#[tokio::test]
async fn a_mobile_unit_survives_the_scenario_download() {
    let fx = Fixture::new();
    let app = fx.app();
    let (lon, lat) = ORIGIN;
    let stop = |id: &str, dx: f64, hours: &str| {
        json!({"id": id, "name": format!("Bàn lưu động {id}"), "kind": "flexible_point",
               "lon": lon + dx, "lat": lat, "opening_hours": hours, "unit": "xe-1"})
    };
    let points = json!([
        stop("stop-tu", 0.0, "Tu 08:00-12:00"),
        stop("stop-th", 0.02, "Th 08:00-12:00"),
        {"id": "desk", "name": "Bộ phận một cửa", "kind": "ward_desk", "lon": lon, "lat": lat + 0.02,
         "opening_hours": "Mo-Fr 08:00-17:00", "counters": 3},
    ]);
    let created = send_json(
        &app,
        "POST",
        "/api/v1/scenarios",
        Some(TOKEN),
        &json!({"name": "Xe lưu động", "points": points}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().expect("id").to_string();
    let saved = get(&app, &format!("/api/v1/scenarios/{id}")).await.json();
    assert_eq!(saved["points"][0]["unit"], "xe-1");
    assert!(
        saved["points"][2].get("unit").is_none(),
        "{}",
        saved["points"][2]
    );

    let csv = get(&app, &format!("/api/v1/scenarios/{id}/export?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    let header = csv.text().lines().next().unwrap_or_default().to_string();
    assert!(header.ends_with(",counters,unit"), "{header}");
    let geojson = get(
        &app,
        &format!("/api/v1/scenarios/{id}/export?format=geojson"),
    )
    .await;
    assert_eq!(geojson.status, StatusCode::OK);

    let dir = tempfile::tempdir().expect("temporary directory");
    let expected: Vec<motcua::scenario::ReceivingPoint> =
        serde_json::from_value(saved["points"].clone()).expect("points");
    for (name, body) in [("points.csv", csv.body), ("points.geojson", geojson.body)] {
        let path = dir.path().join(name);
        std::fs::write(&path, &body).expect("download written");
        let read = motcua::scenario::read_points(&path)
            .unwrap_or_else(|e| panic!("{name} reads back as points: {e}"));
        assert_eq!(read, expected, "{name}");
    }
}
