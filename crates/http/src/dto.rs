//! Response bodies: how domain values look on the wire.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use tenantry_domain::{Org, OrgId, Role, User, UserId, session::TokenPair};

fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// `GET /api/auth/me`.
#[derive(Debug, Serialize)]
pub struct MeBody {
    id: UserId,
    email: String,
    name: String,
    email_verified: bool,
    current_org_id: Option<OrgId>,
    is_superadmin: bool,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

impl From<&User> for MeBody {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            name: user.name.clone(),
            email_verified: user.email_verified(),
            current_org_id: user.current_org_id,
            is_superadmin: user.is_superadmin,
            created_at: user.created_at,
        }
    }
}

/// An org in a list, with the caller's role.
#[derive(Debug, Serialize)]
pub struct OrgSummaryBody {
    id: OrgId,
    name: String,
    personal: bool,
    role: Role,
    #[serde(serialize_with = "rfc3339")]
    created_at: DateTime<Utc>,
}

impl OrgSummaryBody {
    /// An org the caller owns.
    pub fn owner_of(org: &Org) -> Self {
        Self {
            id: org.id,
            name: org.name.as_str().to_owned(),
            personal: org.personal,
            role: Role::Owner,
            created_at: org.created_at,
        }
    }
}

/// A token pair.
#[derive(Debug, Serialize)]
pub struct TokenBody {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

impl From<TokenPair> for TokenBody {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token.expose().to_owned(),
            refresh_token: pair.refresh_token.expose().to_owned(),
            token_type: "Bearer",
            expires_in: pair.expires_in.as_secs(),
        }
    }
}

/// `POST /api/auth/register`.
#[derive(Debug, Serialize)]
pub struct RegisteredBody {
    /// The new user.
    pub user: MeBody,
    /// Its personal org.
    pub org: OrgSummaryBody,
    /// The first session's tokens.
    #[serde(flatten)]
    pub tokens: TokenBody,
}
