//! Response bodies of these routes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tenantry_domain::{User, services::identity::LoginOutcome, session::TokenPair};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::orgs::bodies::OrgSummaryBody;

/// `GET /api/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    id: Uuid,
    email: String,
    name: String,
    email_verified: bool,
    pub(crate) current_org_id: Option<Uuid>,
    is_superadmin: bool,
    /// Whether sign-in asks for a second factor (TOTP).
    mfa_enabled: bool,
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
            mfa_enabled: user.mfa_enabled_at.is_some(),
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

/// The second step a sign-in with MFA needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallengeBody {
    /// Always true.
    mfa_required: bool,
    /// For `POST /api/auth/mfa/verify` (5 minutes, nothing else).
    mfa_token: String,
}

/// `POST /api/auth/login`: signed in, or the MFA step.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginReply {
    /// Signed in.
    Tokens(TokenBody),
    /// MFA is on: verify a code next.
    Mfa(MfaChallengeBody),
}

impl From<LoginOutcome> for LoginReply {
    fn from(outcome: LoginOutcome) -> Self {
        match outcome {
            LoginOutcome::Signed(pair) => LoginReply::Tokens(TokenBody::from(pair)),
            LoginOutcome::MfaRequired { mfa_token } => LoginReply::Mfa(MfaChallengeBody {
                mfa_required: true,
                mfa_token: mfa_token.expose().to_owned(),
            }),
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
