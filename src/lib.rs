//! motcua
pub mod optimise;
