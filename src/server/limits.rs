//! The limits of the HTTP server itself — timeouts, open connections, body size, page sizes and
//! the budget of anonymous clients — written once here, enforced by [`super::serve_on`] and
//! [`super::app`], and published as-is by `/api/v1/meta` (`server_limits`) and the OpenAPI
//! document. The limits of the questions themselves live in [`crate::scenario::LIMITS`].

use serde::Serialize;

/// What the server allows one connection, one request and one anonymous client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ServerLimits {
    /// A connection must send a whole request head within this time, also while it waits idle
    /// between requests; then it is closed. Slow or silent clients cannot hold sockets.
    pub header_read_timeout_ms: u64,
    /// Longest wait for the next piece of a request body; a body that stalls gets 408.
    pub body_read_timeout_ms: u64,
    /// Longest time a request may take from its head to its answer's head (body read included);
    /// then 503. Long optimisations run apart from requests and are not bound by it.
    pub handler_timeout_ms: u64,
    /// Most connections served at once; further ones wait in the operating system's queue.
    pub max_connections: usize,
    /// Largest request body, bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// Scenarios listed per page of `GET /api/v1/scenarios` when `limit` is left out.
    pub default_page_size: usize,
    /// Most scenarios one page may list.
    pub max_page_size: usize,
    /// Requests without the write token: whole-area computations ([`Cost::Area`]) one client
    /// may make at once, and how many more each minute gives back.
    pub anonymous_area_burst: u32,
    pub anonymous_area_per_minute: u32,
    /// Requests without the write token: per-place questions ([`Cost::Place`]) one client may
    /// make at once, and how many more each minute gives back.
    pub anonymous_place_burst: u32,
    pub anonymous_place_per_minute: u32,
    /// Clients whose budgets are remembered; beyond it the fullest buckets are forgotten (a
    /// full bucket is the state of a client never seen).
    pub max_tracked_clients: usize,
}

/// The server's limits.
pub const SERVER_LIMITS: ServerLimits = ServerLimits {
    header_read_timeout_ms: 10_000,
    body_read_timeout_ms: 10_000,
    // A whole-city export or per-point isochrones take seconds; two minutes leaves room under
    // load while still freeing a stuck connection.
    handler_timeout_ms: 120_000,
    max_connections: 512,
    max_body_bytes: 1024 * 1024,
    default_page_size: 50,
    max_page_size: 200,
    // A planner editing points asks for one evaluation per edit: a burst of 30, then one a
    // second. A citizen tapping the map asks a few nearest questions a minute.
    anonymous_area_burst: 30,
    anonymous_area_per_minute: 60,
    anonymous_place_burst: 120,
    anonymous_place_per_minute: 600,
    max_tracked_clients: 10_000,
};

/// What an anonymous request costs the server: the classes of the per-client budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    /// A computation over the whole area (one Dijkstra from every point and a pass over every
    /// cell, or more).
    Area,
    /// A question about one place (a bounded search from it, or a text search).
    Place,
}

impl Cost {
    pub const ALL: [Cost; 2] = [Cost::Area, Cost::Place];

    /// The endpoints of this class (as the OpenAPI document names them).
    pub fn endpoints(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Cost::Area => &[
                ("post", "/api/v1/evaluate"),
                ("post", "/api/v1/osm-offices"),
                ("get", "/api/v1/scenarios/{id}/coverage"),
                ("get", "/api/v1/scenarios/{id}/isochrones"),
                ("get", "/api/v1/scenarios/{id}/phases"),
                ("get", "/api/v1/scenarios/{id}/export"),
            ],
            Cost::Place => &[("get", "/api/v1/nearest"), ("get", "/api/v1/search")],
        }
    }

    /// Requests at once and requests given back per minute, from `limits`.
    pub fn budget(self, limits: &ServerLimits) -> (u32, u32) {
        match self {
            Cost::Area => (
                limits.anonymous_area_burst,
                limits.anonymous_area_per_minute,
            ),
            Cost::Place => (
                limits.anonymous_place_burst,
                limits.anonymous_place_per_minute,
            ),
        }
    }
}

/// One budget class as `/api/v1/meta` publishes it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BudgetInfo {
    pub cost: Cost,
    /// `METHOD /path` of every endpoint that draws on it.
    pub endpoints: Vec<String>,
    /// Requests one client without the write token may make at once.
    pub burst: u32,
    /// Requests given back each minute.
    pub per_minute: u32,
}

impl BudgetInfo {
    pub fn all(limits: &ServerLimits) -> Vec<BudgetInfo> {
        Cost::ALL
            .iter()
            .map(|&cost| {
                let (burst, per_minute) = cost.budget(limits);
                BudgetInfo {
                    cost,
                    endpoints: cost
                        .endpoints()
                        .iter()
                        .map(|(method, path)| format!("{} {path}", method.to_uppercase()))
                        .collect(),
                    burst,
                    per_minute,
                }
            })
            .collect()
    }
}
