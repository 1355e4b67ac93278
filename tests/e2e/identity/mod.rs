//! The Identity section of the contract.

pub(crate) mod mfa;
mod no_auth;
mod own_sessions;
mod recovery;
mod refresh;
mod registration;
mod sessions;
mod sso;
mod throttling;
mod token_tampering;

/// A password that passes every rule.
pub use crate::support::PASSWORD;
