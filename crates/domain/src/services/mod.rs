//! Use-case services: they decide, the ports carry out.

pub mod conversations;
pub mod identity;
pub mod orgs;
mod purge;
mod readiness;

pub use conversations::{ConversationPorts, ConversationService};
pub use identity::{Authenticated, IdentityPorts, IdentityService, IdentitySettings};
pub use orgs::{OrgPorts, OrgService, OrgSettings};
pub use purge::EventPurger;
pub use readiness::{ProbeReport, ReadinessService};
