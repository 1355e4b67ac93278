//! The use cases of this area: they decide, the ports carry out.

pub mod billing;
pub mod budgets;
pub(crate) mod rate_limits;
