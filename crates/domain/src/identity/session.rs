//! Sessions: access tokens, refresh tokens and single-use tokens, as the domain sees them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{OrgId, SecretString, UserId, sign_in::provider_key::ProviderKey};

/// What a verified access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user it was issued to.
    pub user_id: UserId,
    /// The refresh-token family (session) it was issued with.
    pub session_id: Uuid,
    /// The user's token epoch when it was issued; stale once the user's epoch moves on.
    pub epoch: i64,
}

/// A freshly signed access token.
#[derive(Debug, Clone)]
pub struct IssuedAccessToken {
    /// The JWT.
    pub token: SecretString,
    /// How long it is valid.
    pub expires_in: Duration,
}

/// An access token and a refresh token, as handed to a client.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// Short-lived JWT.
    pub access_token: SecretString,
    /// Opaque, single-use, rotating.
    pub refresh_token: SecretString,
    /// Seconds until the access token expires.
    pub expires_in: Duration,
}

/// A refresh token to store (only its digest is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    /// Row id.
    pub id: Uuid,
    /// Owner.
    pub user_id: UserId,
    /// The chain of rotations it belongs to; reuse of any spent member revokes the chain.
    pub family_id: Uuid,
    /// SHA-256 digest of the token.
    pub token_digest: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// Absolute end of the family: rotation never extends it.
    pub expires_at: DateTime<Utc>,
}

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRotation {
    /// It was live: it is now spent and its successor is stored.
    Rotated {
        /// Owner of the family.
        user_id: UserId,
        /// The family (session) the successor joined.
        family_id: Uuid,
    },
    /// It was already spent or revoked: the whole family has been revoked.
    Reused,
    /// Unknown or expired.
    Invalid,
}

/// A live session as its person sees it in their sessions list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// The session (its refresh-token family).
    pub id: Uuid,
    /// When it was signed in.
    pub created_at: DateTime<Utc>,
    /// When it ends at the latest (refreshing never extends it).
    pub expires_at: DateTime<Utc>,
    /// How it was signed in.
    pub sign_in_method: SignInMethod,
}

/// How a session was signed in; org policies may insist on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    /// Email and password (with TOTP when the account has it).
    Password,
    /// An OpenID Connect provider, and which one.
    Sso(SsoSource),
}

/// Which kind of provider signed a session in: an org's policy trusts its own provider and the
/// install's, never another org's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoSource {
    /// A provider the operator configured for the install.
    Install,
    /// The provider of this org.
    Org(OrgId),
    /// Not recorded (sessions opened before providers were recorded): trusted by no org policy.
    Unknown,
}

impl SsoSource {
    /// The source of a sign-in through `key`.
    pub fn of(key: &ProviderKey) -> Self {
        match key {
            ProviderKey::Install(_) => Self::Install,
            ProviderKey::Org(org) => Self::Org(*org),
        }
    }

    /// As stored beside the session: `install`, the org's id, or nothing.
    pub fn stored(self) -> Option<String> {
        match self {
            Self::Install => Some("install".to_owned()),
            Self::Org(org) => Some(org.to_string()),
            Self::Unknown => None,
        }
    }

    /// The source stored as `raw` ([`Self::stored`]); anything else is [`Self::Unknown`].
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            Some("install") => Self::Install,
            Some(org) => org.parse().map_or(Self::Unknown, Self::Org),
            None => Self::Unknown,
        }
    }
}

impl SignInMethod {
    /// Stable name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Sso(_) => "sso",
        }
    }

    /// The provider source to store beside the name, for single sign-on.
    pub fn sso_source(self) -> Option<String> {
        match self {
            SignInMethod::Password => None,
            SignInMethod::Sso(source) => source.stored(),
        }
    }

    /// The method named `name` with the provider source stored beside it; unknown names are
    /// `None`.
    pub fn parse(name: &str, sso_source: Option<&str>) -> Option<Self> {
        match name {
            "password" => Some(SignInMethod::Password),
            "sso" => Some(SignInMethod::Sso(SsoSource::parse(sso_source))),
            _ => None,
        }
    }
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneTimePurpose {
    /// Proves an email address.
    VerifyEmail,
    /// Allows setting a new password without the old one.
    ResetPassword,
    /// Allows the second step of a sign-in with MFA, and nothing else.
    MfaLogin,
    /// The second step of a single sign-on for an account with MFA.
    SsoMfaLogin,
    /// Exchanges a finished single sign-on for its tokens, once.
    SsoLogin,
}

impl OneTimePurpose {
    /// Stable name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            OneTimePurpose::VerifyEmail => "verify_email",
            OneTimePurpose::ResetPassword => "reset_password",
            OneTimePurpose::MfaLogin => "mfa_login",
            OneTimePurpose::SsoMfaLogin => "sso_mfa_login",
            OneTimePurpose::SsoLogin => "sso_login",
        }
    }
}

/// A single-use token to store (only its digest is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOneTimeToken {
    /// SHA-256 digest of the token.
    pub token_digest: String,
    /// Whose it is.
    pub user_id: UserId,
    /// What it allows.
    pub purpose: OneTimePurpose,
    /// What the step it continues knew (for a single sign-on: which provider), as stored.
    pub context: Option<String>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The state of a single-use token when looked up or redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OneTimeTokenState {
    /// It is valid (when redeeming: it was, it is now spent and its action is done).
    Valid {
        /// Whose it is.
        user_id: UserId,
    },
    /// It exists, unspent, but too late.
    Expired,
    /// Unknown, spent, or issued for another purpose.
    Unknown,
}
