//! The use cases of this area: they decide, the ports carry out.

pub mod agent_runs;
pub mod report_recording;
pub mod sandbox_lifecycle;
pub mod sandboxes;
