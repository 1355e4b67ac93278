//! The Settings, secrets, API keys section of the contract.

mod api_keys;
mod encryption;
mod plaintext_scan;
mod secret_values;
mod settings;
