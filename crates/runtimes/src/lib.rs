//! Sandbox runtimes: adapters of the domain's [`tenantry_domain::ports::SandboxRuntime`] port.
//!
//! [`ProcessRuntime`] runs each sandbox's OpenHands agent server as a local process on a loopback
//! port, in a directory of its own; it is the embedded default. Container and Kubernetes runtimes
//! plug into the same port.

mod process;

pub use process::{ProcessRuntime, ProcessRuntimeConfig};
