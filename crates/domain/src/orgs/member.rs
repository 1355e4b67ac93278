//! Membership: a user's role in an org.

use chrono::{DateTime, Utc};

use crate::{OrgId, Role, UserId};

/// A user's membership in an org.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgMember {
    /// The org.
    pub org_id: OrgId,
    /// The member.
    pub user_id: UserId,
    /// The member's role in the org.
    pub role: Role,
    /// When the user joined.
    pub joined_at: DateTime<Utc>,
}
