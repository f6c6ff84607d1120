//! motcua checks and plans how far residents are from the places that receive their
//! administrative papers — Hanoi's promise that everyone reaches a receiving point within
//! 30 minutes of travel or within 5 km — on real OpenStreetMap roads and census population.
//!
//! # Terms
//! - **Receiving point** ([`scenario::ReceivingPoint`]): the Public Administrative Service
//!   Centre's head office, a branch, a ward's one-stop desk ("Bộ phận Một cửa") or a flexible
//!   point.
//! - **Travel mode** ([`graph::TravelMode`]): motorbike (the default: how Hanoi moves), car,
//!   bicycle, walk. Each has its own road graph, built from a speed profile.
//! - **Coverage rule** ([`coverage::CoverageRule`]): 30 minutes of travel OR 5 km (straight or
//!   along the network), per mode. Residents travel *to* the points, so searches run over the
//!   reversed graph.
//! - **Cell**: an H3 hexagon (resolution 9 by default, ~0.1 km²) holding population.
//! - **Ward** (phường/xã, 2025 boundaries) and **district** (quận/huyện, pre-2025 boundaries):
//!   the units reports are summed over.
//! - **Study area**: an embedded set of roads, population, boundaries and points
//!   (`data/areas/*`).
//!
//! # Units and coordinates
//! Times in seconds (`travel_s`), distances in metres (`length_m`, `distance_m`), coordinates
//! as (longitude, latitude) in WGS84 degrees everywhere; metric projections are local and
//! private to the code that needs them.
//!
//! # Map
//! `cli`, `server` → [`scenario`] → [`coverage`] → [`routing`] → [`graph`] → [`ingest`], with
//! [`population`] and [`boundary`] under `coverage`, and [`optimise`] beside them knowing only
//! matrices. See ARCHITECTURE.md.

pub mod boundary;
pub mod cli;
pub mod coverage;
pub mod export;
pub mod graph;
pub mod hours;
pub mod ingest;
pub mod number;
pub mod optimise;
pub mod population;
pub mod routing;
pub mod scenario;
pub mod server;
pub mod text;
