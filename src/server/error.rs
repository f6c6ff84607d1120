//! The one error shape every API response uses: `{"error": {"code": .., "message": ..}}`.
//!
//! User mistakes become 4xx with a sentence saying what was wrong and what is expected; internal
//! faults become a 500 with a generic message, and the detail goes to the log only.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::scenario::ScenarioError;
use crate::server::store::StoreError;

/// Machine-readable error category, stable across releases (listed in `/api/v1/openapi.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    NotFound,
    Conflict,
    Unauthorized,
    PayloadTooLarge,
    /// The request was too slow to arrive (408).
    Timeout,
    /// An anonymous client spent its budget of costly requests (429).
    TooManyRequests,
    /// The server took too long to answer (503); try again later.
    Unavailable,
    Internal,
}

/// Body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and for people (`message`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// An HTTP error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Seconds after which a retry may succeed, sent as `Retry-After`.
    pub retry_after_s: Option<u64>,
}

/// Message shown for every internal fault; the detail is logged, never sent.
const INTERNAL_MESSAGE: &str =
    "the server failed to handle this request; the cause is in the server log";

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }

    /// 429: an anonymous client spent its budget; `retry_after_s` says when one more request
    /// is given back.
    pub fn too_many_requests(message: impl Into<String>, retry_after_s: u64) -> ApiError {
        ApiError {
            retry_after_s: Some(retry_after_s),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyRequests,
                message,
            )
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    /// Logs `detail` and returns the generic 500.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error while handling a request");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            INTERNAL_MESSAGE,
        )
    }

    /// The JSON error matching a bare status code, for responses produced outside the handlers
    /// (unknown routes, wrong methods, layers); see `json_errors` in `server::mod`.
    pub fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => (
                ErrorCode::NotFound,
                "nothing exists at this path; the API lives under /api/v1 (see /api/v1/openapi.json)",
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                ErrorCode::BadRequest,
                "this path does not accept this HTTP method; see /api/v1/openapi.json for the methods each path takes",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                ErrorCode::PayloadTooLarge,
                "the request body is larger than the server accepts (1 MiB); send fewer or smaller items",
            ),
            StatusCode::UNAUTHORIZED => (
                ErrorCode::Unauthorized,
                "this request needs the header `Authorization: Bearer <token>`",
            ),
            StatusCode::REQUEST_TIMEOUT => (
                ErrorCode::Timeout,
                "the request did not arrive in time (the server waits a limited time for each part of a request; see server_limits in /api/v1/meta); send it again at once and whole",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                ErrorCode::Unavailable,
                "the server took too long to answer this request (see handler_timeout_ms in /api/v1/meta); try again later or ask for less",
            ),
            StatusCode::CONFLICT => (
                ErrorCode::Conflict,
                "the request conflicts with the current state of the resource",
            ),
            s if s.is_server_error() => (ErrorCode::Internal, INTERNAL_MESSAGE),
            _ => (
                ErrorCode::BadRequest,
                "the request could not be understood; see /api/v1/openapi.json for what each path expects",
            ),
        };
        ApiError::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        // Errors depend on the request only: never cache them.
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = self.retry_after_s {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<ScenarioError> for ApiError {
    fn from(e: ScenarioError) -> ApiError {
        if e.is_user_error() {
            ApiError::bad_request(e.to_string())
        } else {
            ApiError::internal(e)
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::StaleVersion { .. } => ApiError::conflict(e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> ApiError {
        ApiError::internal(format!("a computation thread failed: {e}"))
    }
}
