//! motcua
pub mod graph;
pub mod ingest;
pub mod optimise;
