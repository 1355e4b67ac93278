//! Secrets: values that never print, and named secrets sealed at rest.

pub mod secret_string;
pub mod services;
pub mod stored_secret;

pub use secret_string::SecretString;
pub use stored_secret::*;
