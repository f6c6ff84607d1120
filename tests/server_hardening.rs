//! Regressions of issue 13 for `motcua serve`, one test per item: slow and idle connections
//! closed and a cap on open ones (7), paged scenario lists behind the token (8), the token on
//! optimisation and the anonymous budgets (9), one road-graph build per mode (10), only the web
//! app's own files served (11) and an OpenAPI document that states the server's bounds (12).
//! Timeouts are shortened here; the shipped ones are in `SERVER_LIMITS`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use motcua::graph::TravelMode;
use motcua::scenario::{AreaOptions, LIMITS, StudyArea};
use motcua::server::{
    AppState, SERVER_LIMITS, ScenarioStore, ServerLimits, StateOptions, WEB_DIRS, WEB_FILES, app,
    openapi_document, serve_on,
};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

const TOKEN: &str = "hardening-token-0123456789abcdef";
const AREA: &str = "hanoi-urban";

fn area() -> Arc<StudyArea> {
    static LOADED: OnceLock<Arc<StudyArea>> = OnceLock::new();
    LOADED.get_or_init(|| Arc::new(open_area())).clone()
}

fn open_area() -> StudyArea {
    StudyArea::open(AREA, &AreaOptions::default())
        .unwrap_or_else(|e| panic!("the test study area {AREA} must load: {e}"))
}

fn state(dir: &Path, limits: ServerLimits, area: Arc<StudyArea>, web: Option<&Path>) -> AppState {
    let store = ScenarioStore::open_in(&dir.join("data"), AREA).expect("scenario store opens");
    let options = StateOptions {
        web_dir: web.map(Path::to_path_buf),
        limits,
        ..StateOptions::default()
    };
    AppState::new(area, store, TOKEN.to_string(), options)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn code(&self) -> Value {
        self.json()["error"]["code"].clone()
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

fn request(method: &str, uri: &str, token: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request")
}

/// A draft of the area's first two points, as the planner sends it.
fn draft() -> Value {
    let points: Vec<Value> = area()
        .points()
        .iter()
        .take(2)
        .map(|p| serde_json::to_value(p).expect("point"))
        .collect();
    json!({"points": points})
}

// ---- item 7 ------------------------------------------------------------------------------

/// A server on a loopback port of its own with `limits`, stopped when the test ends.
async fn spawn_server(limits: ServerLimits) -> (SocketAddr, TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let router = app(state(dir.path(), limits, area(), None));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(serve_on(listener, router, limits, std::future::pending()));
    (addr, dir)
}

/// Reads until the server closes the connection or `wait` passes; what was read and whether it
/// closed.
fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> (String, bool) {
    stream.set_read_timeout(Some(wait)).expect("read timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&got).into_owned(), true);
            }
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), false),
        }
    }
}

const SHORT: ServerLimits = ServerLimits {
    header_read_timeout_ms: 400,
    body_read_timeout_ms: 400,
    max_connections: 2,
    ..SERVER_LIMITS
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue13_item7_slow_and_idle_connections_are_closed() {
    let (addr, _dir) = spawn_server(SHORT).await;
    tokio::task::spawn_blocking(move || {
        // An incomplete request head, an idle connection and an incomplete body.
        let mut head = TcpStream::connect(addr).expect("connect");
        head.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            .expect("write");
        let started = Instant::now();
        let (_, closed) = read_until_closed(&mut head, Duration::from_secs(5));
        assert!(closed, "an incomplete head keeps its connection open");
        assert!(started.elapsed() < Duration::from_secs(3));

        let mut idle = TcpStream::connect(addr).expect("connect");
        let (_, closed) = read_until_closed(&mut idle, Duration::from_secs(5));
        assert!(closed, "an idle connection stays open");

        let mut body = TcpStream::connect(addr).expect("connect");
        let text = format!(
            "POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"points\":"
        );
        body.write_all(text.as_bytes()).expect("write");
        let (answer, _) = read_until_closed(&mut body, Duration::from_secs(5));
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "a stalled body is answered 408: {answer}"
        );
        assert!(answer.contains("\"timeout\""), "{answer}");
    })
    .await
    .expect("client thread");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue13_item7_open_connections_are_capped() {
    let (addr, _dir) = spawn_server(SHORT).await;
    tokio::task::spawn_blocking(move || {
        // Two silent connections take both places; a third is served once they are closed.
        let silent: Vec<TcpStream> = (0..2)
            .map(|_| TcpStream::connect(addr).expect("connect"))
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        let mut third = TcpStream::connect(addr).expect("the listen queue takes it");
        third
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let (answer, _) = read_until_closed(&mut third, Duration::from_secs(5));
        let waited = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            waited >= Duration::from_millis(250),
            "the third connection was served at once ({waited:?}): no cap"
        );
        drop(silent);
    })
    .await
    .expect("client thread");
}

#[tokio::test]
async fn issue13_item7_slow_handlers_answer_503() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = ServerLimits {
        handler_timeout_ms: 1,
        ..SERVER_LIMITS
    };
    let app = app(state(dir.path(), limits, area(), None));
    let reply = send(
        &app,
        request("POST", "/api/v1/evaluate", Some(TOKEN), Some(&draft())),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.code(), "unavailable");
    let health = send(&app, request("GET", "/health", None, None)).await;
    assert_eq!(health.status, StatusCode::OK, "quick answers are not cut");
}

// ---- item 8 ------------------------------------------------------------------------------

#[tokio::test]
async fn issue13_item8_scenarios_are_paged_and_need_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(state(dir.path(), SERVER_LIMITS, area(), None));
    let mut made = Vec::new();
    for i in 0..7 {
        let reply = send(
            &app,
            request(
                "POST",
                "/api/v1/scenarios",
                Some(TOKEN),
                Some(&json!({"name": format!("plan {i}")})),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        made.push(reply.json()["id"].as_str().expect("id").to_string());
    }

    // Without the token only the read-only scenarios are listed.
    let anonymous = send(&app, request("GET", "/api/v1/scenarios", None, None)).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    let public = anonymous.json();
    let items = public["scenarios"].as_array().expect("scenarios");
    assert!(!items.is_empty());
    assert!(items.iter().all(|s| s["read_only"] == true), "{public}");
    assert_eq!(public["next"], Value::Null);
    let read_only = items.len();

    let mut listed = Vec::new();
    let mut uri = "/api/v1/scenarios?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page = send(&app, request("GET", &uri, Some(TOKEN), None)).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.json();
        let items = body["scenarios"].as_array().expect("scenarios").clone();
        pages += 1;
        let saved: Vec<String> = items
            .iter()
            .filter(|s| s["read_only"] == false)
            .map(|s| s["id"].as_str().expect("id").to_string())
            .collect();
        assert!(
            saved.len() <= 3,
            "a page holds at most limit saved scenarios"
        );
        assert_eq!(
            items.iter().any(|s| s["read_only"] == true),
            pages == 1,
            "the read-only scenarios lead the first page only"
        );
        listed.extend(saved);
        match body["next"].as_str() {
            Some(next) => uri = format!("/api/v1/scenarios?limit=3&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 7, "each scenario once: {listed:?}");
    made.sort();
    assert_eq!(sorted, made);

    // Without a limit the default page size applies; the whole list fits.
    let all = send(&app, request("GET", "/api/v1/scenarios", Some(TOKEN), None)).await;
    assert_eq!(
        all.json()["scenarios"].as_array().map(Vec::len),
        Some(read_only + 7)
    );
    assert_eq!(all.json()["next"], Value::Null);

    let too_many = format!(
        "/api/v1/scenarios?limit={}",
        SERVER_LIMITS.max_page_size + 1
    );
    for bad in [
        "/api/v1/scenarios?limit=0",
        &too_many,
        "/api/v1/scenarios?cursor=zz",
        "/api/v1/scenarios?cursor=abc",
    ] {
        let reply = send(&app, request("GET", bad, Some(TOKEN), None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.code(), "bad_request");
    }
}

// ---- item 9 ------------------------------------------------------------------------------

#[tokio::test]
async fn issue13_item9_optimise_needs_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(state(dir.path(), SERVER_LIMITS, area(), None));
    let body = json!({"model": "pmedian", "add": 1, "time_limit_s": 1.0});
    let anonymous = send(&app, request("POST", "/api/v1/optimise", None, Some(&body))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.code(), "unauthorized");
    let wrong = send(
        &app,
        request(
            "POST",
            "/api/v1/optimise",
            Some("not-the-token"),
            Some(&body),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    let started = send(
        &app,
        request("POST", "/api/v1/optimise", Some(TOKEN), Some(&body)),
    )
    .await;
    assert_eq!(started.status, StatusCode::ACCEPTED);
    let run = started.json()["run_id"]
        .as_str()
        .expect("run id")
        .to_string();
    let uri = format!("/api/v1/optimise/{run}");
    let cancel = send(&app, request("DELETE", &uri, None, None)).await;
    assert_eq!(
        cancel.status,
        StatusCode::UNAUTHORIZED,
        "cancelling is a write too"
    );
    let cancel = send(&app, request("DELETE", &uri, Some(TOKEN), None)).await;
    assert_eq!(cancel.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn issue13_item9_anonymous_heavy_requests_have_a_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = ServerLimits {
        anonymous_area_burst: 2,
        anonymous_area_per_minute: 1,
        anonymous_place_burst: 2,
        anonymous_place_per_minute: 1,
        ..SERVER_LIMITS
    };
    let app = app(state(dir.path(), limits, area(), None));
    let draft = draft();
    for _ in 0..2 {
        let reply = send(
            &app,
            request("POST", "/api/v1/evaluate", None, Some(&draft)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let spent = send(
        &app,
        request("POST", "/api/v1/evaluate", None, Some(&draft)),
    )
    .await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(spent.code(), "too_many_requests");
    let retry: u64 = spent.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    // Other whole-area endpoints draw on the same budget; the token is never counted.
    let coverage = send(
        &app,
        request("GET", "/api/v1/scenarios/baseline/coverage", None, None),
    )
    .await;
    assert_eq!(coverage.status, StatusCode::TOO_MANY_REQUESTS);
    let with_token = send(
        &app,
        request("POST", "/api/v1/evaluate", Some(TOKEN), Some(&draft)),
    )
    .await;
    assert_eq!(with_token.status, StatusCode::OK);

    // Per-place questions have a budget of their own.
    let nearest = "/api/v1/nearest?lon=105.8342&lat=21.0278";
    for _ in 0..2 {
        let reply = send(&app, request("GET", nearest, None, None)).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let spent = send(&app, request("GET", nearest, None, None)).await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS);

    // /meta says which endpoints are budgeted and how much, and the OpenAPI document lists 429
    // on exactly those.
    let meta = send(&app, request("GET", "/api/v1/meta", None, None))
        .await
        .json();
    assert_eq!(meta["server_limits"]["anonymous_area_burst"], 2);
    let doc = openapi_document();
    let mut budgeted = Vec::new();
    for budget in meta["anonymous_budgets"].as_array().expect("budgets") {
        for endpoint in budget["endpoints"].as_array().expect("endpoints") {
            let (method, path) = endpoint
                .as_str()
                .and_then(|e| e.split_once(' '))
                .expect("METHOD /path");
            budgeted.push((method.to_lowercase(), path.to_string()));
        }
    }
    assert!(budgeted.contains(&("post".into(), "/api/v1/evaluate".into())));
    assert!(budgeted.contains(&("get".into(), "/api/v1/nearest".into())));
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let listed = budgeted.contains(&(method.clone(), path.clone()));
            assert_eq!(
                operation["responses"].get("429").is_some(),
                listed,
                "{method} {path}: 429 in the document iff budgeted"
            );
        }
    }
}

// ---- item 10 -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue13_item10_concurrent_first_requests_build_one_graph() {
    let fresh = Arc::new(open_area());
    assert_eq!(fresh.network_builds(), 0);
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(state(dir.path(), SERVER_LIMITS, Arc::clone(&fresh), None));
    let uri = "/api/v1/nearest?lon=105.8342&lat=21.0278&mode=walk";
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { send(&app, request("GET", uri, Some(TOKEN), None)).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task").status, StatusCode::OK);
    }
    assert_eq!(fresh.network_builds(), 1, "eight first requests, one build");

    // The same from threads calling the library directly, on another mode.
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (area, barrier) = (Arc::clone(&fresh), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                area.network(TravelMode::Bicycle).map(|_| ())
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread").expect("bicycle network");
    }
    assert_eq!(fresh.network_builds(), 2);
}

// ---- item 11 -----------------------------------------------------------------------------

#[tokio::test]
async fn issue13_item11_dev_files_not_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let web = dir.path().join("web");
    let files = [
        "index.html",
        "config.js",
        "js/main.js",
        "css/app.css",
        "i18n/vi.js",
        "vendor/maplibre-gl/maplibre-gl.mjs",
        "README.md",
        "package.json",
        "package-lock.json",
        "scripts/vendor.sh",
        "tests/citizen.test.mjs",
        "node_modules/playwright-core/index.js",
        ".env",
    ];
    for file in files {
        let path = web.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(&path, format!("contents of {file}")).expect("file");
    }
    let app = app(state(dir.path(), SERVER_LIMITS, area(), Some(&web)));
    for served in [
        "/",
        "/index.html",
        "/config.js",
        "/js/main.js",
        "/css/app.css",
        "/i18n/vi.js",
        "/vendor/maplibre-gl/maplibre-gl.mjs",
    ] {
        let reply = send(&app, request("GET", served, None, None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{served}");
    }
    for hidden in [
        "/README.md",
        "/package.json",
        "/package-lock.json",
        "/scripts/vendor.sh",
        "/tests/citizen.test.mjs",
        "/node_modules/playwright-core/index.js",
        "/.env",
        "/scripts/",
        "/tests",
        "/js/../README.md",
        "/js/%2e%2e/README.md",
    ] {
        let reply = send(&app, request("GET", hidden, None, None)).await;
        assert!(
            reply.status == StatusCode::NOT_FOUND || reply.status == StatusCode::BAD_REQUEST,
            "{hidden} gave {}",
            reply.status
        );
        assert!(
            !String::from_utf8_lossy(&reply.body).contains("contents of"),
            "{hidden} leaked"
        );
    }

    // The real web folder: what the page loads is allow-listed, and its development files are not.
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let app = app_with_web(&real);
    for file in WEB_FILES {
        assert!(
            real.join(file).is_file(),
            "web/{file} is allow-listed but missing"
        );
    }
    for folder in WEB_DIRS {
        assert!(
            real.join(folder).is_dir(),
            "web/{folder}/ is allow-listed but missing"
        );
    }
    for served in ["/", "/js/main.js", "/i18n/en.js", "/css/app.css"] {
        assert_eq!(
            send(&app, request("GET", served, None, None)).await.status,
            StatusCode::OK,
            "{served}"
        );
    }
    for hidden in [
        "/README.md",
        "/package.json",
        "/package-lock.json",
        "/scripts/vendor.sh",
        "/tests/helpers.mjs",
    ] {
        assert_eq!(
            send(&app, request("GET", hidden, None, None)).await.status,
            StatusCode::NOT_FOUND,
            "{hidden}"
        );
    }
}

fn app_with_web(web: &Path) -> Router {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    app(state(dir.path(), SERVER_LIMITS, area(), Some(web)))
}

// ---- item 12 -----------------------------------------------------------------------------

/// The schema of query parameter `name` of `method path`.
fn param<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

fn prop<'a>(doc: &'a Value, component: &str, name: &str) -> &'a Value {
    &doc["components"]["schemas"][component]["properties"][name]
}

#[test]
fn issue13_item12_openapi_states_the_limits() {
    let doc = openapi_document();
    let k = param(&doc, "get", "/api/v1/nearest", "k");
    assert_eq!(k["minimum"], 1);
    assert_eq!(k["maximum"], LIMITS.max_nearest_k);
    assert_eq!(
        param(&doc, "get", "/api/v1/nearest", "lon")["maximum"],
        180.0
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/nearest", "lat")["minimum"],
        -90.0
    );
    let modes: Vec<&str> = TravelMode::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        param(&doc, "get", "/api/v1/nearest", "mode")["enum"],
        json!(modes)
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/search", "q")["maxLength"],
        LIMITS.max_search_chars
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/search", "limit")["maximum"],
        LIMITS.max_search_results
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/scenarios", "limit")["maximum"],
        SERVER_LIMITS.max_page_size
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/scenarios/{id}/export", "format")["enum"],
        json!(["csv", "geojson"])
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/scenarios/{id}/export", "table")["enum"],
        json!(["points", "wards", "districts", "metadata"])
    );
    assert_eq!(
        prop(&doc, "RuleSpec", "max_minutes")["maximum"],
        LIMITS.max_minutes
    );
    assert_eq!(
        prop(&doc, "RuleSpec", "radius_km")["maximum"],
        LIMITS.max_radius_km
    );
    assert_eq!(prop(&doc, "ReceivingPoint", "lon")["minimum"], -180.0);
    assert_eq!(
        prop(&doc, "ReceivingPoint", "id")["maxLength"],
        LIMITS.max_name_chars
    );
    for component in ["Draft", "CreateScenario", "UpdateScenario"] {
        assert_eq!(
            prop(&doc, component, "points")["maxItems"],
            LIMITS.max_points,
            "{component}"
        );
    }
    assert_eq!(
        prop(&doc, "OptimiseRequest", "add")["maximum"],
        LIMITS.max_add
    );
    assert_eq!(
        prop(&doc, "OptimiseRequest", "time_limit_s")["maximum"],
        LIMITS.max_time_limit_s
    );
    assert_eq!(
        prop(&doc, "OptimiseRequest", "candidate_resolution")["minimum"],
        LIMITS.min_candidate_resolution
    );

    // Every operation can time out; every one with a body can stall or be too large; writes
    // and the list name the token and answer 401 without it.
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let responses = &operation["responses"];
            assert!(responses.get("503").is_some(), "{method} {path}: no 503");
            if operation.get("requestBody").is_some() {
                for status in ["408", "413", "415"] {
                    assert!(
                        responses.get(status).is_some(),
                        "{method} {path}: no {status}"
                    );
                }
            }
            // A token that is required (no empty requirement beside it) gives 401 without it.
            let required = operation["security"].as_array().is_some_and(|s| {
                !s.iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            if required {
                assert!(responses.get("401").is_some(), "{method} {path}: no 401");
            }
        }
    }
    for (method, path) in [
        ("post", "/api/v1/optimise"),
        ("delete", "/api/v1/optimise/{run_id}"),
    ] {
        assert!(
            doc["paths"][path][method].get("security").is_some(),
            "{method} {path} must name the token"
        );
    }
}
