//! Identity: registration, login, sessions, email verification and password recovery.

mod login;
mod recovery;
mod register;
mod sessions;

use std::{sync::Arc, time::Duration};

pub use register::{LOCAL_USER_EMAIL, RegisterInput, Registered};

use crate::{
    DomainError, User, UserId,
    clock::Clock,
    ports::{AccessTokens, IdentityStore, LoginThrottleStore, Mailer, PasswordHasher, SecretTokens},
    throttle::ThrottlePolicy,
};

/// Lifetimes, limits and links the identity rules depend on.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// Absolute lifetime of a refresh-token family (rotation never extends it).
    pub refresh_ttl: Duration,
    /// Lifetime of an email verification token.
    pub verification_ttl: Duration,
    /// Lifetime of a password reset token.
    pub reset_ttl: Duration,
    /// Login throttling.
    pub throttle: ThrottlePolicy,
    /// Base URL of the web app, for links in mail.
    pub public_url: String,
}

/// The adapters identity needs.
#[derive(Clone)]
pub struct IdentityPorts {
    /// Users and sessions.
    pub store: Arc<dyn IdentityStore>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access token signing.
    pub access_tokens: Arc<dyn AccessTokens>,
    /// Opaque tokens and digests.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Outgoing mail.
    pub mailer: Arc<dyn Mailer>,
    /// Failed-login counters.
    pub throttle: Arc<dyn LoginThrottleStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// The identity use cases.
#[derive(Clone)]
pub struct IdentityService {
    ports: IdentityPorts,
    settings: Arc<IdentitySettings>,
}

/// A request's verified caller.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user, as stored now.
    pub user: User,
    /// The session (refresh-token family) the access token belongs to.
    pub session_id: Option<uuid::Uuid>,
    /// Set when the caller used an API key: what the key allows.
    pub api_key: Option<ApiKeyGrant>,
}

/// What an API key grants: its user, inside one org, with optional extra scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyGrant {
    /// The key.
    pub key_id: uuid::Uuid,
    /// The only org it works in.
    pub org_id: crate::OrgId,
    /// Extra scopes.
    pub scopes: Vec<String>,
}

impl IdentityService {
    /// The identity use cases over the given adapters.
    pub fn new(ports: IdentityPorts, settings: IdentitySettings) -> Self {
        Self {
            ports,
            settings: Arc::new(settings),
        }
    }

    /// Resolves an access token to its user; stale (older than the user's epoch), disabled or unknown
    /// users are `Unauthorized`.
    pub async fn authenticate(&self, access_token: &str) -> Result<Authenticated, DomainError> {
        let claims = self.ports.access_tokens.verify(access_token)?;
        let user = self.active_user(claims.user_id).await?;
        if user.token_epoch != claims.epoch {
            return Err(DomainError::Unauthorized("token revoked"));
        }
        Ok(Authenticated {
            user,
            session_id: Some(claims.session_id),
            api_key: None,
        })
    }

    /// The user with `id`, if it exists and is not disabled.
    pub async fn active_user(&self, id: UserId) -> Result<User, DomainError> {
        match self.ports.store.user_by_id(id).await? {
            Some(user) if user.disabled_at.is_none() => Ok(user),
            _ => Err(DomainError::Unauthorized("unknown or disabled user")),
        }
    }
}
