//! API keys: `tnt_` + a public id + a secret + a checksum. Stored only as a SHA-256 hash.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{OrgId, UserId};

/// What a key may be used for beyond acting as its user in its org.
pub const SCOPE_SECRETS_READ: &str = "secrets:read";

/// An API key as stored (never the key itself).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// Row id.
    pub id: Uuid,
    /// The org it is bound to.
    pub org_id: OrgId,
    /// The user it acts as.
    pub user_id: UserId,
    /// Human label.
    pub name: String,
    /// `tnt_<id part>`: shown in listings, used to find the key.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub hash: String,
    /// Extra scopes (e.g. [`SCOPE_SECRETS_READ`]).
    pub scopes: Vec<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Whether it may be used at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expires| expires > now)
    }

    /// Whether it carries `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}
