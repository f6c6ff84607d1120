//! Census dasymetric builder: the 2019 census spread from ward points onto H3 cells.
