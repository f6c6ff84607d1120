//! The command line and the API are two shells over one library: asked the same question with
//! their defaults, they give the same answer. Each test runs the `motcua` binary and the HTTP
//! app (without a socket) on the small embedded area `hanoi-central` and compares the numbers.

use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use motcua::optimise::ModelKind;
use motcua::scenario::{AreaOptions, StudyArea};
use motcua::server::{AppState, ScenarioStore, StateOptions, app};
use serde_json::{Value, json};
use tower::ServiceExt;

const AREA: &str = "hanoi-central";
/// A place in Hoàn Kiếm, inside the area's roads.
const ORIGIN: (f64, f64) = (105.8522, 21.0285);

fn area() -> Arc<StudyArea> {
    static LOADED: OnceLock<Arc<StudyArea>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            Arc::new(
                StudyArea::open(AREA, &AreaOptions::default())
                    .unwrap_or_else(|e| panic!("the study area {AREA} must load: {e}")),
            )
        })
        .clone()
}

struct Shells {
    _dir: tempfile::TempDir,
    out: std::path::PathBuf,
    app: Router,
}

/// The write token of the seam's server.
const SEAM_TOKEN: &str = "seam-token-0123456789abcdef";

impl Shells {
    fn new() -> Shells {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = ScenarioStore::open_in(&dir.path().join("data"), AREA).expect("store opens");
        let state = AppState::new(
            area(),
            store,
            SEAM_TOKEN.to_string(),
            StateOptions::default(),
        );
        Shells {
            out: dir.path().join("out"),
            _dir: dir,
            app: app(state),
        }
    }

    /// `motcua <args> --area hanoi-central --json`, parsed.
    fn cli(&self, args: &[&str]) -> Value {
        let output = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .args(["--area", AREA, "--json"])
            .env(
                "XDG_CACHE_HOME",
                std::env::temp_dir().join("motcua-cli-tests"),
            )
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "motcua {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the CLI prints one JSON object")
    }

    async fn api(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            // Optimisation needs the token; with it no anonymous budget applies either.
            .header(header::AUTHORIZATION, format!("Bearer {SEAM_TOKEN}"))
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("router");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, serde_json::from_slice(&bytes).expect("JSON body"))
    }

    /// Starts a run with only `model` given and waits for its result.
    async fn optimise(&self, model: ModelKind) -> Value {
        let (status, started) = self
            .api("POST", "/api/v1/optimise", Some(json!({ "model": model })))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let uri = format!(
            "/api/v1/optimise/{}",
            started["run_id"].as_str().expect("id")
        );
        let start = Instant::now();
        loop {
            let (_, run) = self.api("GET", &uri, None).await;
            match run["status"].as_str() {
                Some("running") => {}
                Some("done") => return run["result"].clone(),
                _ => panic!("the {model} run did not finish: {run}"),
            }
            assert!(
                start.elapsed() < Duration::from_secs(600),
                "{model} run too slow"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

#[tokio::test]
async fn coverage_is_the_same_from_both_shells() {
    let shells = Shells::new();
    let out = shells.out.display().to_string();
    let cli = shells.cli(&["coverage", "--out", &out]);
    let (status, api) = shells
        .api("GET", "/api/v1/scenarios/baseline/coverage", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{api}");
    for key in [
        "population_total",
        "population_covered",
        "population_uncovered",
        "population_no_road_data",
        "covered_share",
        "mean_travel_s",
    ] {
        assert_eq!(number(&cli, key), number(&api["summary"], key), "{key}");
    }
    assert_eq!(cli["rule"]["max_minutes"], json!(30.0));
}

#[tokio::test]
async fn nearest_is_the_same_from_both_shells() {
    let shells = Shells::new();
    let (lon, lat) = (ORIGIN.0.to_string(), ORIGIN.1.to_string());
    let cli = shells.cli(&["nearest", "--lon", &lon, "--lat", &lat]);
    let (status, api) = shells
        .api("GET", &format!("/api/v1/nearest?lon={lon}&lat={lat}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{api}");
    let ranked = |v: &Value| -> Vec<(String, f64)> {
        v["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["point"]["id"].as_str().expect("id").to_string(),
                    number(r, "travel_s"),
                )
            })
            .collect()
    };
    let (from_cli, from_api) = (ranked(&cli), ranked(&api));
    assert_eq!(from_cli.len(), 3, "the default k");
    assert_eq!(from_cli, from_api);
}

#[tokio::test]
async fn every_model_plans_the_same_from_both_shells() {
    let shells = Shells::new();
    let out = shells.out.display().to_string();
    for model in ModelKind::ALL {
        let cli = shells.cli(&["optimise", "--model", model.name(), "--out", &out]);
        let plan = &cli["plan"];
        let api = shells.optimise(model).await;
        for key in ["covered_before", "covered_after", "objective"] {
            assert_eq!(number(plan, key), number(&api, key), "{model}: {key}");
        }
        assert_eq!(plan["open_sites"], api["open_sites"], "{model}");
        assert_eq!(plan["new_sites"], api["new_sites"], "{model}");
        let places = |points: &Value, point: fn(&Value) -> &Value| -> Vec<(f64, f64)> {
            points
                .as_array()
                .expect("points")
                .iter()
                .map(|p| (number(point(p), "lon"), number(point(p), "lat")))
                .collect()
        };
        assert_eq!(
            places(&plan["added"], |p| &p["point"]),
            places(&api["points"], |p| p),
            "{model}: the new points"
        );
    }
}
