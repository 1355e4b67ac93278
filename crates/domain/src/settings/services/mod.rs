//! The use cases of this area: they decide, the ports carry out.

pub mod llm_profiles;
pub mod settings;
