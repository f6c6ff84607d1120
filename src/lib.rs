//! motcua
