//! Response bodies of these routes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::{User, session::TokenPair};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::orgs::OrgSummaryBody;

/// `GET /api/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    id: Uuid,
    email: String,
    name: String,
    email_verified: bool,
    pub(crate) current_org_id: Option<Uuid>,
    is_superadmin: bool,
    #[serde(serialize_with = "crate::wire::rfc3339")]
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

/// A token pair.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredBody {
    /// The new user.
    pub user: MeBody,
    /// Its personal org.
    pub org: OrgSummaryBody,
    /// The first session's tokens.
    #[serde(flatten)]
    pub tokens: TokenBody,
}
