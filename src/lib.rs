//! motcua
pub mod graph;
pub mod ingest;
pub mod optimise;
pub mod boundary;
pub mod population;
