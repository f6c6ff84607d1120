//! motcua
pub mod boundary;
pub mod population;
