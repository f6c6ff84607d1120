//! Optimisation runs: started by POST, computed on their own thread, followed by polling or
//! server-sent events, cancelled by DELETE.
//!
//! The registry lives in memory: runs are minutes long at most and their results are meant to be
//! copied into a scenario by the client, so they need not survive a restart.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{mpsc, watch};

use crate::scenario::{PlacementPlan, PlacementRequest, Scenario, StudyArea};
use crate::server::AppState;
use crate::server::dto::{
    OptimiseRequest, RunResult, RunStarted, RunState, RunStatus, SuggestedDoc,
};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::extract::{ApiJson, ApiPath, WriteAccess};
use crate::server::scenarios::{draft_scenario, load};
use crate::server::store::hex;

/// Finished runs kept for clients that poll late; older ones are forgotten.
const FINISHED_RUNS_KEPT: usize = 64;

/// One optimisation run.
pub struct Run {
    status: watch::Sender<RunStatus>,
    cancel: AtomicBool,
}

impl Run {
    fn snapshot(&self) -> RunStatus {
        self.status.borrow().clone()
    }

    fn is_running(&self) -> bool {
        !self.status.borrow().status.is_finished()
    }
}

/// All runs of this server, by id.
pub struct RunRegistry {
    inner: Mutex<Registry>,
    max_running: usize,
}

#[derive(Default)]
struct Registry {
    runs: HashMap<String, Arc<Run>>,
    /// Ids in start order, to forget the oldest finished runs first.
    order: VecDeque<String>,
}

impl RunRegistry {
    pub fn new(max_running: usize) -> RunRegistry {
        RunRegistry {
            inner: Mutex::new(Registry::default()),
            max_running: max_running.max(1),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Registry>, ApiError> {
        self.inner
            .lock()
            .map_err(|_| ApiError::internal("the optimisation registry lock is poisoned"))
    }

    /// Starts `req` on `scenario` on a thread of its own; refuses when `max_running` runs are busy.
    pub fn start(
        &self,
        area: Arc<StudyArea>,
        scenario: Scenario,
        req: PlacementRequest,
    ) -> Result<String, ApiError> {
        let mut registry = self.lock()?;
        let running = registry.runs.values().filter(|r| r.is_running()).count();
        if running >= self.max_running {
            return Err(ApiError::conflict(format!(
                "{running} optimisation runs are already in progress, the most this server runs at once; wait for one to finish or cancel one with DELETE /api/v1/optimise/{{run_id}}"
            )));
        }
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)
            .map_err(|e| ApiError::internal(format!("no randomness for a run id: {e}")))?;
        let id = format!("r_{}", hex(&bytes));
        let run = Arc::new(Run {
            status: watch::Sender::new(RunStatus {
                status: RunState::Running,
                progress: 0.0,
                message: "starting".into(),
                result: None,
            }),
            cancel: AtomicBool::new(false),
        });
        let worker = Arc::clone(&run);
        std::thread::Builder::new()
            .name(format!("optimise-{id}"))
            .spawn(move || work(&area, &scenario, &req, &worker))
            .map_err(|e| ApiError::internal(format!("cannot start an optimisation thread: {e}")))?;
        registry.runs.insert(id.clone(), run);
        registry.order.push_back(id.clone());
        forget_old(&mut registry);
        Ok(id)
    }

    pub fn get(&self, id: &str) -> Result<Arc<Run>, ApiError> {
        self.lock()?.runs.get(id).cloned().ok_or_else(|| {
            ApiError::not_found(format!(
                "no optimisation run with id {id:?}; runs are kept in memory and forgotten when the server restarts or after {FINISHED_RUNS_KEPT} newer runs"
            ))
        })
    }

    /// Asks every run to stop (at shutdown).
    pub fn cancel_all(&self) {
        if let Ok(registry) = self.inner.lock() {
            for run in registry.runs.values() {
                run.cancel.store(true, Ordering::Relaxed);
            }
        }
    }
}

fn forget_old(registry: &mut Registry) {
    let finished = registry.runs.values().filter(|r| !r.is_running()).count();
    let mut excess = finished.saturating_sub(FINISHED_RUNS_KEPT);
    let mut kept = VecDeque::with_capacity(registry.order.len());
    while let Some(id) = registry.order.pop_front() {
        let finished = registry.runs.get(&id).is_some_and(|r| !r.is_running());
        if excess > 0 && finished {
            registry.runs.remove(&id);
            excess -= 1;
        } else {
            kept.push_back(id);
        }
    }
    registry.order = kept;
}

/// Body of a run's thread: calls the domain, reports progress, records the outcome.
fn work(area: &StudyArea, scenario: &Scenario, req: &PlacementRequest, run: &Run) {
    let progress = |fraction: f64, message: &str| {
        run.status.send_if_modified(|st| {
            let fraction = if fraction.is_finite() {
                fraction.clamp(0.0, 1.0)
            } else {
                st.progress
            };
            if st.status.is_finished()
                || ((fraction - st.progress).abs() < 0.005 && st.message == message)
            {
                return false;
            }
            st.progress = fraction;
            st.message = message.to_string();
            true
        });
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        area.placement()
            .suggest(scenario, req, &progress, &run.cancel)
    }));
    let last_progress = run.status.borrow().progress;
    let finished = if run.cancel.load(Ordering::Relaxed) {
        RunStatus {
            status: RunState::Cancelled,
            progress: last_progress,
            message: "cancelled on request".into(),
            result: None,
        }
    } else {
        match outcome {
            Ok(Ok(plan)) => RunStatus {
                status: RunState::Done,
                progress: 1.0,
                message: format!(
                    "done: {} new points suggested, {} existing points could close",
                    plan.added.len(),
                    plan.removed.len()
                ),
                result: Some(run_result(&plan)),
            },
            Ok(Err(e)) if e.is_user_error() => RunStatus {
                status: RunState::Failed,
                progress: last_progress,
                message: e.to_string(),
                result: None,
            },
            Ok(Err(e)) => {
                tracing::error!(error = %e, "optimisation run failed");
                failed_internally(last_progress)
            }
            Err(_) => {
                tracing::error!("optimisation run panicked");
                failed_internally(last_progress)
            }
        }
    };
    run.status.send_replace(finished);
}

fn failed_internally(progress: f64) -> RunStatus {
    RunStatus {
        status: RunState::Failed,
        progress,
        message: "the optimisation failed inside the server; the cause is in the server log".into(),
        result: None,
    }
}

fn run_result(plan: &PlacementPlan) -> RunResult {
    RunResult {
        model: plan.model,
        points: plan.added.iter().map(SuggestedDoc::from).collect(),
        phases: plan.phases.clone(),
        open_sites: plan.open_sites,
        new_sites: plan.new_sites,
        removed: plan.removed.clone(),
        measure: plan.measure,
        at: plan.at.clone(),
        covered_before: plan.covered_before,
        covered_after: plan.covered_after,
        objective: plan.objective,
        gap: plan.gap,
    }
}

/// Starts an optimisation run on a saved scenario, a draft, or (neither given) the baseline.
#[utoipa::path(post, path = "/api/v1/optimise", tag = "optimise", request_body = OptimiseRequest,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Run started; follow it at /api/v1/optimise/{run_id}", body = RunStarted),
        (status = 400, description = "A value out of the limits `/api/v1/meta` publishes, or a bad scenario", body = ErrorBody),
        (status = 401, description = "Missing or wrong token: a run keeps a core busy for minutes", body = ErrorBody),
        (status = 404, description = "No such scenario", body = ErrorBody),
        (status = 409, description = "Too many runs in progress", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
    ))]
pub async fn start(
    _auth: WriteAccess,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OptimiseRequest>,
) -> Result<Response, ApiError> {
    let req = body.placement()?;
    let scenario = match (body.scenario, body.draft) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either scenario (a saved id) or draft (unsaved points), not both",
            ));
        }
        (Some(id), None) => load(&state, id).await?.scenario,
        (None, Some(draft)) => draft_scenario(draft),
        (None, None) => state.area().baseline(),
    };
    scenario.validate()?;
    req.validate_for(&scenario)?;
    let run_id = state.runs().start(state.area_arc(), scenario, req)?;
    let location = format!("/api/v1/optimise/{run_id}");
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(RunStarted { run_id }),
    )
        .into_response())
}

/// Status, progress and (when done) result of a run.
#[utoipa::path(get, path = "/api/v1/optimise/{run_id}", tag = "optimise",
    params(("run_id" = String, Path, description = "Id from POST /api/v1/optimise")),
    responses(
        (status = 200, description = "Run status", body = RunStatus),
        (status = 404, description = "No such run", body = ErrorBody),
    ))]
pub async fn status(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RunStatus>, ApiError> {
    Ok(Json(state.runs().get(&id)?.snapshot()))
}

/// Asks a run to stop; it reports "cancelled" once the solver has noticed.
#[utoipa::path(delete, path = "/api/v1/optimise/{run_id}", tag = "optimise",
    params(("run_id" = String, Path, description = "Id from POST /api/v1/optimise")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Cancellation requested (or the run had already finished)"),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    ))]
pub async fn cancel(
    _auth: WriteAccess,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let run = state.runs().get(&id)?;
    run.cancel.store(true, Ordering::Relaxed);
    run.status.send_if_modified(|st| {
        if st.status.is_finished() {
            return false;
        }
        st.message = "cancelling".into();
        true
    });
    Ok(StatusCode::NO_CONTENT)
}

/// The run status as server-sent events: one `message` event with the status JSON at once and
/// after every change; the stream ends after the final status.
#[utoipa::path(get, path = "/api/v1/optimise/{run_id}/events", tag = "optimise",
    params(("run_id" = String, Path, description = "Id from POST /api/v1/optimise")),
    responses(
        (status = 200, description = "text/event-stream of RunStatus JSON", content_type = "text/event-stream", body = RunStatus),
        (status = 404, description = "No such run", body = ErrorBody),
    ))]
pub async fn events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let run = state.runs().get(&id)?;
    let mut updates = run.status.subscribe();
    let (tx, rx) = mpsc::channel::<Event>(8);
    tokio::spawn(async move {
        loop {
            let status = updates.borrow_and_update().clone();
            let finished = status.status.is_finished();
            let event = match Event::default().json_data(&status) {
                Ok(event) => event,
                Err(e) => {
                    tracing::error!(error = %e, "cannot encode a run status event");
                    break;
                }
            };
            if tx.send(event).await.is_err() || finished || updates.changed().await.is_err() {
                break;
            }
        }
    });
    Ok(Sse::new(EventStream { rx })
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// Events handed over by the task that follows a run.
struct EventStream {
    rx: mpsc::Receiver<Event>,
}

impl futures_core::Stream for EventStream {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|event| event.map(Ok))
    }
}
