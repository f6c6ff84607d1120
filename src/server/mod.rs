//! `motcua serve`: the JSON API under `/api/v1` (described by `/api/v1/openapi.json`, generated
//! from the handlers), the web app's static files at `/`, and saved scenarios in SQLite.
//!
//! The server only translates between HTTP and the [`crate::scenario`] facade; it holds no
//! domain logic. [`app`] builds the whole router from an [`AppState`] so tests can drive it
//! without a socket; [`run`] adds the socket, start-up messages and graceful shutdown.
//!
//! ```no_run
//! use motcua::server::{ServeConfig, run};
//! let config = ServeConfig { port: 8080, ..ServeConfig::default() };
//! if let Err(e) = run(config) {
//!     eprintln!("motcua serve: {e}");
//! }
//! ```
//!
//! The CLI embeds [`ServeArgs`] for the flags and calls `run(args.into_config())`.
//!
//! How requests map to answers:
//!
//! | what the client did | status | `error.code` |
//! |---|---|---|
//! | malformed JSON, query or path; values out of range; unknown mode, model or kind | 400 | `bad_request` |
//! | body not sent as `Content-Type: application/json` | 415 | `bad_request` |
//! | write without the bearer token, or with the wrong one | 401 | `unauthorized` |
//! | unknown scenario, run, route or static file | 404 | `not_found` |
//! | wrong method for a path | 405 | `bad_request` |
//! | stale `version` on PUT; changing the baseline; too many optimisation runs | 409 | `conflict` |
//! | body over 1 MiB | 413 | `payload_too_large` |
//! | a fault inside the server (logged with `tracing::error`) | 500 | `internal` |
//!
//! The data directory holds `motcua.sqlite` (+ WAL files) with the saved scenarios of every
//! study area, and `token`, the write token (mode 0600), made on first start.

mod area;
mod args;
mod budget;
mod dto;
mod error;
mod extract;
pub mod limits;
mod openapi;
mod optimise;
mod osm_offices;
mod scenarios;
pub mod store;
mod time;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::scenario::{AreaOptions, ScenarioError, StudyArea};

pub use args::ServeArgs;
pub use budget::ClientBudgets;
pub use error::{ApiError, ErrorBody, ErrorCode, ErrorDetail};
pub use limits::{Cost, SERVER_LIMITS, ServerLimits};
pub use openapi::{ApiDoc, document as openapi_document};
pub use optimise::RunRegistry;
pub use store::{ScenarioStore, StoreError};

/// Optimisation runs allowed at once (each keeps a core busy).
pub const DEFAULT_MAX_RUNNING_OPTIMISATIONS: usize = 2;
/// File in the data directory holding the write token.
pub const TOKEN_FILE: &str = "token";

/// Errors that stop the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot load study area {area:?}: {source}")]
    Area { area: String, source: ScenarioError },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read or write the write token file {path}: {source}")]
    Token {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the write token file {path} is empty; delete it to have a new token made, or put a token in it"
    )]
    EmptyToken { path: PathBuf },
    #[error("the write token given by --token or MOTCUA_TOKEN is unusable: {reason}")]
    BadToken { reason: &'static str },
    #[error("no operating-system randomness to make a write token: {0}")]
    Random(String),
    #[error("CORS origin {origin:?} is not a valid origin; expected e.g. http://localhost:5173")]
    CorsOrigin { origin: String },
    #[error("cannot listen on {addr}: {source} (is another server using the port? try --port)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped with an I/O error: {0}")]
    Serve(std::io::Error),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("a start-up task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// What `motcua serve` needs to know.
pub struct ServeConfig {
    /// TCP port (default 8080).
    pub port: u16,
    /// Address to listen on (default 127.0.0.1: only this machine).
    pub bind: IpAddr,
    /// Study area to load (default [`crate::scenario::DEFAULT_AREA`]).
    pub area: String,
    /// Where the area's data and cache are read from.
    pub area_options: AreaOptions,
    /// Where the SQLite database and the write token live (default ./motcua-data).
    pub data_dir: PathBuf,
    /// Folder served at `/` (default the repository's `web/`).
    pub web_dir: PathBuf,
    /// Write token; `None` reads MOTCUA_TOKEN, then `<data_dir>/token`, else makes one.
    pub token: Option<String>,
    /// Origins allowed to call the API from other sites; empty (default) allows none.
    pub cors_origins: Vec<String>,
    /// Optimisation runs allowed at once.
    pub max_running_optimisations: usize,
    /// Timeouts, connections, pages and budgets (default [`SERVER_LIMITS`]).
    pub limits: ServerLimits,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            port: 8080,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            area: crate::scenario::DEFAULT_AREA.to_string(),
            area_options: AreaOptions::default(),
            data_dir: PathBuf::from("motcua-data"),
            web_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("web"),
            token: None,
            cors_origins: Vec::new(),
            max_running_optimisations: DEFAULT_MAX_RUNNING_OPTIMISATIONS,
            limits: SERVER_LIMITS,
        }
    }
}

/// Options of [`AppState::new`] beyond the area, the store and the token.
#[derive(Clone, Debug)]
pub struct StateOptions {
    /// Folder served at `/`; `None` serves no files.
    pub web_dir: Option<PathBuf>,
    /// Origins allowed by CORS; empty allows none.
    pub cors_origins: Vec<HeaderValue>,
    /// Study areas listed by /api/v1/meta.
    pub areas: Vec<String>,
    /// Optimisation runs allowed at once.
    pub max_running_optimisations: usize,
    /// Timeouts, body size, pages and budgets (default [`SERVER_LIMITS`]).
    pub limits: ServerLimits,
}

impl Default for StateOptions {
    fn default() -> Self {
        StateOptions {
            web_dir: None,
            cors_origins: Vec::new(),
            areas: Vec::new(),
            max_running_optimisations: DEFAULT_MAX_RUNNING_OPTIMISATIONS,
            limits: SERVER_LIMITS,
        }
    }
}

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    area: Arc<StudyArea>,
    store: Arc<ScenarioStore>,
    token: String,
    runs: RunRegistry,
    options: StateOptions,
    started_at: String,
    caches: Caches,
    budgets: ClientBudgets,
    /// Permits for whole-area computations (coverage, isochrones, exports).
    heavy: tokio::sync::Semaphore,
    /// Permits for per-request computations (nearest, search).
    light: tokio::sync::Semaphore,
}

/// Large, unchanging responses serialised once.
#[derive(Default)]
pub(crate) struct Caches {
    pub points: OnceLock<Bytes>,
    pub roads: OnceLock<Bytes>,
    pub roads_major: OnceLock<Bytes>,
    pub roads_detail: OnceLock<Bytes>,
    pub wards: OnceLock<Bytes>,
    pub extent: OnceLock<Bytes>,
    pub cells: OnceLock<Bytes>,
}

impl AppState {
    pub fn new(
        area: Arc<StudyArea>,
        store: ScenarioStore,
        token: String,
        mut options: StateOptions,
    ) -> AppState {
        if options.areas.is_empty() {
            options.areas.push(area.meta().name.clone());
        }
        let budgets = ClientBudgets::new(options.limits);
        AppState {
            shared: Arc::new(Shared {
                area,
                store: Arc::new(store),
                token,
                runs: RunRegistry::new(options.max_running_optimisations),
                options,
                started_at: rfc3339_utc(SystemTime::now()),
                caches: Caches::default(),
                budgets,
                heavy: tokio::sync::Semaphore::new(heavy_permits()),
                light: tokio::sync::Semaphore::new(2 * heavy_permits()),
            }),
        }
    }

    pub fn area(&self) -> &StudyArea {
        &self.shared.area
    }

    pub fn area_arc(&self) -> Arc<StudyArea> {
        Arc::clone(&self.shared.area)
    }

    pub fn store(&self) -> &ScenarioStore {
        &self.shared.store
    }

    pub(crate) fn store_arc(&self) -> Arc<ScenarioStore> {
        Arc::clone(&self.shared.store)
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    pub fn runs(&self) -> &RunRegistry {
        &self.shared.runs
    }

    pub fn areas(&self) -> &[String] {
        &self.shared.options.areas
    }

    /// When this server started (RFC 3339, UTC); the baseline's timestamps.
    pub fn started_at(&self) -> &str {
        &self.shared.started_at
    }

    pub(crate) fn caches(&self) -> &Caches {
        &self.shared.caches
    }

    /// The limits this app enforces.
    pub fn limits(&self) -> &ServerLimits {
        &self.shared.options.limits
    }

    pub(crate) fn budgets(&self) -> &ClientBudgets {
        &self.shared.budgets
    }

    /// Runs a whole-area computation on the blocking pool, at most one per core at a time, so a
    /// burst of requests queues instead of multiplying memory and thrashing the cores.
    pub(crate) async fn heavy<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .shared
            .heavy
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        blocking(f).await
    }

    /// Runs a short per-request computation (nearest, search) on the blocking pool, a few per
    /// core at a time and first come, first served: under load requests queue in order instead of
    /// dozens of threads fighting for the cores, which keeps the slowest answers close to the
    /// typical one.
    pub(crate) async fn light<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .shared
            .light
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        blocking(f).await
    }
}

/// One heavy computation per core, and at least two so one slow request cannot block all.
fn heavy_permits() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}

/// The whole HTTP application: API, health, static files, error shaping, tracing, CORS.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/meta", get(area::meta))
        .route("/points", get(area::points))
        .route("/nearest", get(area::nearest))
        .route("/search", get(area::search))
        .route("/basemap/roads", get(area::basemap_roads))
        .route("/basemap/wards", get(area::basemap_wards))
        .route("/basemap/extent", get(area::basemap_extent))
        .route("/basemap/cells", get(area::basemap_cells))
        .route("/scenarios", get(scenarios::list).post(scenarios::create))
        .route(
            "/scenarios/{id}",
            get(scenarios::get_one)
                .put(scenarios::update)
                .delete(scenarios::delete),
        )
        .route("/scenarios/{id}/coverage", get(scenarios::coverage))
        .route("/scenarios/{id}/isochrones", get(scenarios::isochrones))
        .route("/scenarios/{id}/phases", get(scenarios::phases))
        .route("/scenarios/{id}/export", get(scenarios::export))
        .route("/evaluate", axum::routing::post(scenarios::evaluate))
        .route("/osm-offices", axum::routing::post(osm_offices::load))
        .route("/week", axum::routing::post(time::week_of_draft))
        .route("/scenarios/{id}/week", get(time::week_of_scenario))
        .route("/optimise", axum::routing::post(optimise::start))
        .route(
            "/optimise/{run_id}",
            get(optimise::status).delete(optimise::cancel),
        )
        .route("/optimise/{run_id}/events", get(optimise::events))
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(state.limits().max_body_bytes));

    let mut router = Router::new()
        .route("/health", get(area::health))
        .nest("/api/v1", api);
    if let Some(dir) = &state.shared.options.web_dir {
        router = router.merge(web_files(dir));
    }
    let router = router.fallback(not_found);
    let origins = state.shared.options.cors_origins.clone();
    let limits = *state.limits();
    let mut router = router
        // Inside the JSON shaping, so a timed-out request gets the API's error body.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_millis(limits.handler_timeout_ms),
        ))
        .layer(RequestBodyTimeoutLayer::new(Duration::from_millis(
            limits.body_read_timeout_ms,
        )))
        .layer(axum::middleware::map_response(json_errors))
        // Brotli, else gzip, for every answer but the event streams and the tiny ones: roads,
        // cells and the map library are text and shrink four- to tenfold on a phone's network.
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state);
    if !origins.is_empty() {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    router
}

/// The files of the web folder the app loads: its page and these folders. Everything else
/// there — README.md, package.json, package-lock.json, scripts/, tests/, node_modules/ — is for
/// development and answers 404.
pub const WEB_FILES: &[&str] = &["index.html", "config.js"];
/// The folders of the web folder served whole (see [`WEB_FILES`]).
pub const WEB_DIRS: &[&str] = &["js", "css", "i18n", "vendor"];

/// The allow-listed files of `dir` ([`WEB_FILES`], [`WEB_DIRS`]); `/` is the page.
///
/// The app has no build step, so its files keep their names when they change: the browser may
/// keep them but must revalidate each (`no-cache`; `Last-Modified` makes that a 304), which
/// keeps a page and the modules it imports from ever mixing versions.
fn web_files(dir: &Path) -> Router<AppState> {
    let mut router = Router::new().route_service("/", ServeFile::new(dir.join("index.html")));
    for file in WEB_FILES {
        router = router.route_service(&format!("/{file}"), ServeFile::new(dir.join(file)));
    }
    for folder in WEB_DIRS {
        router = router.nest_service(
            &format!("/{folder}"),
            ServeDir::new(dir.join(folder)).append_index_html_on_directories(false),
        );
    }
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    ))
}

/// This OpenAPI document, serialised once.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "area",
    responses((status = 200, description = "The OpenAPI 3 document of this API", body = Object)))]
async fn openapi_json() -> Response {
    static DOCUMENT: LazyLock<Bytes> =
        LazyLock::new(|| match serde_json::to_vec(&openapi::document()) {
            Ok(text) => Bytes::from(text),
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise the OpenAPI document");
                Bytes::from_static(b"{}")
            }
        });
    area::json_bytes(DOCUMENT.clone())
}

/// Unknown path under /api/v1 (the nested router sees the path without its prefix).
async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no API endpoint at /api/v1{}; the endpoints are listed in /api/v1/openapi.json",
        uri.path()
    ))
}

async fn not_found() -> ApiError {
    ApiError::from_status(StatusCode::NOT_FOUND)
}

/// Turns every error response not already in the API's JSON shape (wrong method, unknown static
/// file, layer rejections) into it, so clients only ever parse one error format.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut replaced = ApiError::from_status(status).into_response();
    if let Some(allow) = allow {
        replaced.headers_mut().insert(header::ALLOW, allow);
    }
    replaced
}

/// Runs `f` on the blocking thread pool (domain calls may take milliseconds to seconds).
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await?
}

/// Starts the server and blocks until Ctrl-C or SIGTERM.
pub fn run(config: ServeConfig) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    runtime.block_on(serve(config))
}

/// The async body of [`run`], for callers that already have a runtime.
pub async fn serve(config: ServeConfig) -> Result<(), ServerError> {
    let ServeConfig {
        port,
        bind,
        area: area_name,
        area_options,
        data_dir,
        web_dir,
        token,
        cors_origins,
        max_running_optimisations,
        limits,
    } = config;
    let cors_origins = cors_origins
        .into_iter()
        .map(|origin| {
            HeaderValue::from_str(&origin).map_err(|_| ServerError::CorsOrigin { origin })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let token = match token.or_else(|| std::env::var("MOTCUA_TOKEN").ok()) {
        Some(token) => check_given_token(token)?,
        None => load_or_create_token(&data_dir)?,
    };
    let store = ScenarioStore::open_in(&data_dir, &area_name)?;
    let areas = StudyArea::available_areas(&area_options.data_dir);

    println!("loading study area {area_name} ...");
    let name = area_name.clone();
    let area = tokio::task::spawn_blocking(move || StudyArea::open(&name, &area_options))
        .await?
        .map_err(|source| ServerError::Area {
            area: area_name.clone(),
            source,
        })?;
    let area = Arc::new(area);
    print_coverage_summary(Arc::clone(&area)).await;

    if !web_dir.join("index.html").is_file() {
        println!(
            "no index.html in {}: only the API is served (set the web folder to serve the app)",
            web_dir.display()
        );
    }
    let options = StateOptions {
        web_dir: Some(web_dir),
        cors_origins,
        areas,
        max_running_optimisations,
        limits,
    };
    let db_path = store.path().to_path_buf();
    let state = AppState::new(area, store, token, options);

    let addr = SocketAddr::new(bind, port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let local = listener.local_addr().unwrap_or(addr);
    println!(
        "motcua is serving http://{local}/ (API at http://{local}/api/v1, OpenAPI at /api/v1/openapi.json)"
    );
    println!("scenarios are saved in {}", db_path.display());
    println!(
        "write token (send as `Authorization: Bearer <token>`): {}",
        state.token()
    );
    println!("stop with Ctrl-C");

    let shutdown_state = state.clone();
    serve_on(listener, app(state), limits, async move {
        shutdown_signal().await;
        println!("shutting down: cancelling optimisation runs and finishing open requests");
        shutdown_state.runs().cancel_all();
    })
    .await
    .map_err(ServerError::Serve)
}

/// How long open requests may go on after a shutdown was asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` resolves, within `limits`: a connection must
/// send each request head within `header_read_timeout_ms` (an idle keep-alive connection too,
/// so silent or slow clients are closed), at most `max_connections` are served at once (the
/// next waits in the listen queue) and, at shutdown, open requests get [`SHUTDOWN_GRACE`] to
/// finish. Each request carries its client's address (`ConnectInfo<SocketAddr>`) for the
/// anonymous budgets.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => {
                permit.map_err(std::io::Error::other)?
            }
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before it was taken: wait
                    // a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                router.clone().oneshot(request)
            },
        );
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, client = %remote, "connection closed");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still open {} s after shutdown began; stopping anyway", SHUTDOWN_GRACE.as_secs());
        }
    }
    Ok(())
}

/// One line saying how well the area's current points cover its people.
async fn print_coverage_summary(area: Arc<StudyArea>) {
    let scope = area.meta().scope.clone();
    let result = tokio::task::spawn_blocking(move || {
        let baseline = area.baseline();
        area.evaluate(&baseline).map(|e| (baseline, e))
    })
    .await;
    match result {
        Ok(Ok((baseline, evaluation))) => {
            let s = &evaluation.report.summary;
            println!(
                "coverage: {:.1} % covered, {} uncovered, {} unknown (no road data) — within {} min or {} km ({}) of one of {} receiving points by {}; {}",
                crate::coverage::percent_floor(s.population_covered, s.population_total, 1),
                thousands(s.population_uncovered),
                thousands(s.population_unknown),
                baseline.rule.max_minutes,
                baseline.rule.radius_km,
                match baseline.rule.combine {
                    crate::coverage::Combine::Or => "either",
                    crate::coverage::Combine::And => "both",
                },
                baseline.points.len(),
                baseline.mode,
                scope,
            );
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot evaluate the baseline coverage"),
        Err(e) => tracing::warn!(error = %e, "the baseline coverage evaluation failed"),
    }
}

/// A head count with thousands separators, e.g. 3,300,000.
fn thousands(people: f64) -> String {
    let digits = format!("{:.0}", people.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

fn check_given_token(token: String) -> Result<String, ServerError> {
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(ServerError::BadToken {
            reason: "it is empty",
        });
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ServerError::BadToken {
            reason: "it contains spaces or control characters",
        });
    }
    if token.len() < 16 {
        tracing::warn!(
            "the write token is shorter than 16 characters; anyone who can reach the server may guess it"
        );
    }
    Ok(token)
}

/// Reads `<data_dir>/token`, or makes a random one there (readable by the owner only).
pub fn load_or_create_token(data_dir: &Path) -> Result<String, ServerError> {
    let path = data_dir.join(TOKEN_FILE);
    let token_err = |source| ServerError::Token {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let token = text.trim().to_string();
            if token.is_empty() {
                return Err(ServerError::EmptyToken { path });
            }
            return Ok(token);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(token_err(e)),
    }
    std::fs::create_dir_all(data_dir).map_err(token_err)?;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ServerError::Random(e.to_string()))?;
    let token = store::hex(&bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(token_err)?;
    std::io::Write::write_all(&mut file, format!("{token}\n").as_bytes()).map_err(token_err)?;
    Ok(token)
}

/// RFC 3339 in UTC, whole seconds, e.g. "2026-11-28T11:20:00Z".
pub(crate) fn rfc3339_utc(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_709_210_096);
        assert_eq!(rfc3339_utc(t), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn head_counts_get_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(3_300_000.0), "3,300,000");
    }

    #[test]
    fn token_is_made_once_and_private() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let first = load_or_create_token(dir.path())?;
        assert_eq!(first.len(), 48);
        assert_eq!(load_or_create_token(dir.path())?, first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(TOKEN_FILE))?
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        Ok(())
    }
}
