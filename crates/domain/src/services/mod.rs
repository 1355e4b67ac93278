//! Use-case services: they decide, the ports carry out.

pub mod identity;
mod readiness;

pub use identity::{Authenticated, IdentityPorts, IdentityService, IdentitySettings};
pub use readiness::{ProbeReport, ReadinessService};
