//! Use-case services: they decide, the ports carry out.

mod readiness;

pub use readiness::{ProbeReport, ReadinessService};
