//! The use cases of this area: they decide, the ports carry out.

pub mod conversation_starts;
pub mod conversations;
pub(crate) mod orphan_sweep;
pub(crate) mod purge;
pub(crate) mod retention;
