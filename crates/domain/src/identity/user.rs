//! Users: people who sign in.

use chrono::{DateTime, Utc};

use crate::{Email, OrgId, UserId};

/// A registered user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Identifier.
    pub id: UserId,
    /// Normalised, unique email.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// When the email was proven to be the user's, if it was.
    pub email_verified_at: Option<DateTime<Utc>>,
    /// The org requests act in when none is named.
    pub current_org_id: Option<OrgId>,
    /// Operator of the whole install.
    pub is_superadmin: bool,
    /// Bumped to invalidate every access token issued before.
    pub token_epoch: i64,
    /// Set when an operator disabled the account.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When two-factor sign-in (TOTP) was turned on; `None`: off.
    pub mfa_enabled_at: Option<DateTime<Utc>>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Whether the user's email is verified.
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }
}
