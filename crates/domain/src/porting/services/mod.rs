//! The use cases of this area: they decide, the ports carry out.

pub(crate) mod export;
pub(crate) mod import;
