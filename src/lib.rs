//! motcua
pub mod graph;
pub mod ingest;
