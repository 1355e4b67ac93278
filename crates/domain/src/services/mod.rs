//! Use-case services: they decide, the ports carry out.

pub mod identity;
pub mod orgs;
mod readiness;

pub use identity::{Authenticated, IdentityPorts, IdentityService, IdentitySettings};
pub use orgs::{OrgPorts, OrgService, OrgSettings};
pub use readiness::{ProbeReport, ReadinessService};
