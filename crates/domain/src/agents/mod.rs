//! Agent servers: sandboxes (registered or run by Tenantry), what they may do and report, and how conversations are launched on them.

pub mod agent_launch;
pub mod agent_reports;
pub mod llm_key_release;
pub mod outbound_policy;
pub mod sandbox;
pub mod sandbox_access;
pub mod sandbox_idle;
pub mod sandbox_lifecycle;
pub mod sandbox_limits;
pub mod sandbox_spec;
pub mod services;
