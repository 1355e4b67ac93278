//! Signing in from elsewhere: single sign-on with OpenID Connect, orgs' sign-in policies and proven domains, and the device authorization grant.

pub mod device_authorization;
pub mod domain_verification;
pub mod oidc_endpoint_origin;
pub mod org_policy;
pub mod provider_key;
pub mod services;
pub mod sso;
pub mod sso_joining;
