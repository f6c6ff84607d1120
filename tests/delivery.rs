//! How the server delivers the web app over slow networks (issue 9, item 16): answers compressed
//! (brotli, else gzip), static files revalidated, unchanging JSON with ETags answered 304, the
//! basemap roads in two parts, and the coverage cells as a grid sent once plus small columns per
//! evaluation that decode to the same hexagons as the GeoJSON form.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use motcua::coverage::CellBasemap;
use motcua::scenario::{AreaOptions, RoadPart, StudyArea};
use motcua::server::{AppState, ScenarioStore, StateOptions, app};
use serde_json::Value;
use tower::ServiceExt;

const AREA: &str = "hanoi-urban";

fn area() -> Arc<StudyArea> {
    static LOADED: OnceLock<Arc<StudyArea>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            Arc::new(
                StudyArea::open(AREA, &AreaOptions::default())
                    .unwrap_or_else(|e| panic!("the test study area {AREA} must load: {e}")),
            )
        })
        .clone()
}

fn router(dir: &Path, web: Option<&Path>) -> Router {
    let store = ScenarioStore::open_in(&dir.join("data"), AREA).expect("scenario store opens");
    let options = StateOptions {
        web_dir: web.map(Path::to_path_buf),
        ..StateOptions::default()
    };
    app(AppState::new(area(), store, "t".repeat(32), options))
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    (parts.status, parts.headers, body)
}

fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut request = Request::builder().method("GET").uri(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn answers_are_compressed_for_clients_that_accept_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = router(dir.path(), None);
    let (status, plain_headers, plain) = send(&app, get("/api/v1/basemap/roads", &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(plain_headers.get(header::CONTENT_ENCODING).is_none());
    for encoding in ["br", "gzip"] {
        let (status, headers, body) = send(
            &app,
            get(
                "/api/v1/basemap/roads",
                &[(header::ACCEPT_ENCODING, encoding)],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_ENCODING], encoding);
        // Road GeoJSON is text: at least three times smaller compressed.
        assert!(
            body.len() * 3 < plain.len(),
            "{encoding}: {} of {} bytes",
            body.len(),
            plain.len()
        );
    }
}

#[tokio::test]
async fn unchanging_json_is_revalidated_with_its_etag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = router(dir.path(), None);
    for uri in [
        "/api/v1/basemap/roads?part=major",
        "/api/v1/basemap/wards",
        "/api/v1/basemap/extent",
        "/api/v1/basemap/cells",
        "/api/v1/points",
    ] {
        let (status, headers, _) = send(&app, get(uri, &[])).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache", "{uri}");
        let etag = headers[header::ETAG].to_str().expect("ascii").to_string();
        let (status, _, body) = send(&app, get(uri, &[(header::IF_NONE_MATCH, &etag)])).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(body.is_empty(), "{uri}: a 304 has no body");
        let (status, _, _) = send(&app, get(uri, &[(header::IF_NONE_MATCH, "\"other\"")])).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{uri}: another tag gets the whole answer"
        );
    }
}

#[tokio::test]
async fn static_files_are_revalidated_not_kept_blindly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("js")).expect("folder");
    std::fs::write(web.join("index.html"), "<!doctype html>").expect("file");
    std::fs::write(web.join("js/main.js"), "export {};").expect("file");
    let app = router(dir.path(), Some(&web));
    for uri in ["/", "/js/main.js"] {
        let (status, headers, _) = send(&app, get(uri, &[])).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache", "{uri}");
        let modified = headers[header::LAST_MODIFIED].to_str().expect("ascii");
        let (status, _, _) = send(&app, get(uri, &[(header::IF_MODIFIED_SINCE, modified)])).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{uri}");
    }
}

#[tokio::test]
async fn the_roads_come_in_two_parts_that_make_the_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = router(dir.path(), None);
    let count = |body: &Bytes| -> Vec<String> {
        let v: Value = serde_json::from_slice(body).expect("json");
        v["features"]
            .as_array()
            .expect("features")
            .iter()
            .map(|f| {
                f["properties"]["class"]
                    .as_str()
                    .expect("class")
                    .to_string()
            })
            .collect()
    };
    let (_, _, all) = send(&app, get("/api/v1/basemap/roads", &[])).await;
    let (_, _, major) = send(&app, get("/api/v1/basemap/roads?part=major", &[])).await;
    let (_, _, detail) = send(&app, get("/api/v1/basemap/roads?part=detail", &[])).await;
    let (all, major, detail) = (count(&all), count(&major), count(&detail));
    assert!(major.iter().all(|c| RoadPart::Major.holds(c)) && !major.is_empty());
    assert!(detail.iter().all(|c| c != "major") && !detail.is_empty());
    assert_eq!(major.len() + detail.len(), all.len());
    let (status, _, body) = send(&app, get("/api/v1/basemap/roads?part=minor", &[])).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

#[test]
fn the_cell_grid_decodes_to_the_hexagons_of_the_geojson_form() {
    let area = area();
    let grid = CellBasemap::new(area.cells(), area.ward_names());
    let rings = grid.decode();
    assert_eq!(rings.len(), area.cells().len());
    for (ring, cell) in rings.iter().zip(area.cells()) {
        let expected: Vec<[f64; 2]> = cell
            .cell
            .boundary()
            .iter()
            .map(|ll| {
                [
                    (ll.lng() * 1e6).round() / 1e6,
                    (ll.lat() * 1e6).round() / 1e6,
                ]
            })
            .collect();
        assert_eq!(ring.len(), expected.len() + 1, "closed ring");
        assert_eq!(ring[0], ring[ring.len() - 1]);
        for (got, want) in ring.iter().zip(&expected) {
            assert!(
                (got[0] - want[0]).abs() < 1e-9 && (got[1] - want[1]).abs() < 1e-9,
                "{got:?} != {want:?}"
            );
        }
    }
    // Neighbouring cells share their shape: most of the encoded numbers are tiny.
    let small = grid.rings.iter().filter(|d| d.abs() <= 2).count();
    assert!(
        small * 2 > grid.rings.len(),
        "{small} of {} within ±2",
        grid.rings.len()
    );
}

#[tokio::test]
async fn evaluation_columns_match_the_grid_and_the_geojson_cells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = router(dir.path(), None);
    let (_, _, grid) = send(&app, get("/api/v1/basemap/cells", &[])).await;
    let grid: Value = serde_json::from_slice(&grid).expect("json");
    let (status, _, body) = send(
        &app,
        get(
            "/api/v1/scenarios/baseline/coverage?columns=true&cells=true",
            &[],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let result: Value = serde_json::from_slice(&body).expect("json");
    let columns = &result["cell_columns"];
    assert_eq!(columns["grid_id"], grid["grid_id"]);
    let features = result["cells"]["features"].as_array().expect("cells");
    let status = columns["status"].as_str().expect("status");
    assert_eq!(status.len(), features.len());
    let ids = columns["point_ids"].as_array().expect("ids");
    for (i, f) in features.iter().enumerate() {
        let p = &f["properties"];
        assert_eq!(p["h3"], grid["h3"][i]);
        let letter = match p["status"].as_str().expect("status") {
            "covered" => 'c',
            "uncovered" => 'u',
            _ => 'n',
        };
        assert_eq!(status.as_bytes()[i] as char, letter, "cell {i}");
        // Whole seconds against the GeoJSON's tenths.
        match (columns["travel_s"][i].as_f64(), p["travel_s"].as_f64()) {
            (Some(whole), Some(tenths)) => {
                assert!((whole - tenths).abs() <= 0.5 + 1e-9, "cell {i}")
            }
            (None, None) => {}
            other => panic!("cell {i}: {other:?}"),
        }
        let catchment = columns["catchment"][i]
            .as_u64()
            .map(|k| ids[k as usize].clone())
            .unwrap_or(Value::Null);
        assert_eq!(catchment, p["catchment_point_id"], "cell {i}");
    }
    // Without the flags the answer stays as small as before.
    let (_, _, plain) = send(&app, get("/api/v1/scenarios/baseline/coverage", &[])).await;
    let plain: Value = serde_json::from_slice(&plain).expect("json");
    assert!(plain.get("cell_columns").is_none() && plain.get("cells").is_none());
}
