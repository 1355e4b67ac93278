//! The use cases of this area: they decide, the ports carry out.

pub mod device_flow;
pub mod sso;
