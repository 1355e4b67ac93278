//! API keys: [`API_KEY_PREFIX`] + a public id + a secret + a checksum. Stored only as a SHA-256
//! hash.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DomainError, OrgId, UserId};

/// How every API key begins, so a bearer token can be told from an access token at a glance (and
/// scanners can recognise a leaked key).
pub const API_KEY_PREFIX: &str = "tnt_";

/// What a key may be used for beyond acting as its user in its org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiKeyScope {
    /// Reading a conversation's secret values (the runtime call).
    #[serde(rename = "secrets:read")]
    SecretsRead,
}

impl ApiKeyScope {
    /// Every scope there is.
    pub const ALL: [Self; 1] = [Self::SecretsRead];

    /// Its name, as keys are created with and listed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecretsRead => "secrets:read",
        }
    }

    /// The scope `raw` names; 422 on `scopes` for one that does not exist.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == raw)
            .ok_or_else(|| DomainError::invalid("scopes", format!("unknown scope {raw:?}")))
    }
}

/// The scope that lets a key read secret values.
pub const SCOPE_SECRETS_READ: ApiKeyScope = ApiKeyScope::SecretsRead;

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
    /// [`API_KEY_PREFIX`] and the id part: shown in listings, used to find the key.
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    pub hash: String,
    /// Extra scopes.
    pub scopes: Vec<ApiKeyScope>,
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
    pub fn has_scope(&self, scope: ApiKeyScope) -> bool {
        self.scopes.contains(&scope)
    }
}
