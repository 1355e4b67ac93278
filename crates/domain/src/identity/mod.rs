//! Accounts and their credentials: users, emails, passwords, sessions, MFA, API keys, login throttling and superadmins.

pub mod api_key;
pub mod credential_lifecycle;
pub mod display_name;
pub mod email;
pub mod first_superadmin;
pub mod last_superadmin;
pub mod mfa;
pub mod operator_access;
pub mod password;
pub mod services;
pub mod session;
pub mod session_confirmation;
pub mod throttle;
pub mod user;
