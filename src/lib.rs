//! motcua
pub mod coverage;
pub mod graph;
pub mod scenario;
pub mod server;
