//! Extractors that turn every malformed request into the JSON error of the API instead of axum's
//! plain-text rejections, and the bearer-token check for writes.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::server::AppState;
use crate::server::error::{ApiError, ErrorCode};

/// A JSON request body; rejections become [`ApiError`]s.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "the request body must be JSON sent with the header `Content-Type: application/json`",
        ),
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(format!(
            "the request body is not valid JSON: {}",
            e.body_text()
        )),
        JsonRejection::JsonDataError(e) => ApiError::bad_request(format!(
            "the JSON body does not have the expected fields and types: {}",
            e.body_text()
        )),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE)
        }
        other if caused_by_body_timeout(&other) => {
            ApiError::from_status(StatusCode::REQUEST_TIMEOUT)
        }
        other => ApiError::bad_request(format!(
            "the request body could not be read: {}",
            other.body_text()
        )),
    }
}

/// Whether reading the body stopped because the client stalled longer than the body timeout.
fn caused_by_body_timeout(rejection: &JsonRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Query-string parameters; rejections become [`ApiError`]s.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::bad_request(format!(
        "the query parameters are missing or malformed ({}); see /api/v1/openapi.json for what this path expects",
        rejection.body_text()
    ))
}

/// Path parameters; rejections become [`ApiError`]s.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    if rejection.status().is_server_error() {
        ApiError::internal(rejection.body_text())
    } else {
        ApiError::bad_request(format!("the path is malformed: {}", rejection.body_text()))
    }
}

/// Proof that the request carried the write token (`Authorization: Bearer <token>`).
/// Put it first among a handler's arguments so the token is checked before the body is read.
pub struct WriteAccess;

/// What the Authorization header of a request says about the write token.
enum TokenCheck {
    Missing,
    Malformed,
    Wrong,
    Valid,
}

fn check_token(parts: &Parts, state: &AppState) -> TokenCheck {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return TokenCheck::Missing;
    };
    let sent = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), state.token().as_bytes()) => {
            TokenCheck::Valid
        }
        Some(_) => TokenCheck::Wrong,
        None => TokenCheck::Malformed,
    }
}

/// Whether the request carries the write token (anonymous budgets do not apply then).
pub fn has_write_token(parts: &Parts, state: &AppState) -> bool {
    matches!(check_token(parts, state), TokenCheck::Valid)
}

impl FromRequestParts<AppState> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match check_token(parts, state) {
            TokenCheck::Valid => Ok(WriteAccess),
            TokenCheck::Missing => Err(ApiError::unauthorized(
                "this request changes saved data, reads them or costs much computing, and needs the header `Authorization: Bearer <token>`; the token is printed by `motcua serve` at start and stored in the file `token` of its data directory",
            )),
            TokenCheck::Wrong => Err(ApiError::unauthorized(
                "the bearer token is not the one this server uses; copy it from the `motcua serve` start-up output or the file `token` in its data directory",
            )),
            TokenCheck::Malformed => Err(ApiError::unauthorized(
                "the Authorization header must read `Bearer <token>` (the word Bearer, one space, then the token)",
            )),
        }
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the request carries the write token, for endpoints that answer anyone but show
/// more with it.
pub struct Token(pub bool);

impl FromRequestParts<AppState> for Token {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Token(has_write_token(parts, state)))
    }
}
