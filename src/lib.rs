//! motcua

pub mod optimise;
