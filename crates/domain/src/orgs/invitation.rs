//! Invitations: an email invited into an org with a role, accepted with a mailed token.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Email, OrgId, Role, UserId};

/// A pending (or past) invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    /// Identifier.
    pub id: Uuid,
    /// The org.
    pub org_id: OrgId,
    /// Who is invited.
    pub email: Email,
    /// The role they get.
    pub role: Role,
    /// Who invited them.
    pub invited_by: UserId,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}
