//! Settings: org defaults, member overrides and locks, user preferences, and named LLM profiles.

pub mod llm_profile;
pub mod services;
pub mod setting_fields;

pub use setting_fields::*;
