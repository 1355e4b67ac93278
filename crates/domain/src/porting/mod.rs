//! Moving an org's data in and out: import from another store, export.

pub mod import;
pub mod services;
