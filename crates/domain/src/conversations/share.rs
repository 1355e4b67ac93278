//! Read-only share links: a conversation readable without login, by whoever holds the link, until
//! it is revoked or expires.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ConversationId, DomainError, OrgId, UserId};

/// A share link (its token is stored as a digest only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationShare {
    /// Identifier.
    pub id: Uuid,
    /// The org.
    pub org_id: OrgId,
    /// The shared conversation.
    pub conversation_id: ConversationId,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a share link shows of its conversation: no cost, no creator, no org internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedConversation {
    /// Title.
    pub title: Option<String>,
    /// Repository.
    pub repository: Option<String>,
    /// The agent's execution status, when an agent server reports it.
    pub status: Option<crate::conversations::execution_status::ExecutionStatus>,
    /// How many events it has.
    pub event_count: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub last_updated_at: DateTime<Utc>,
}

impl From<&crate::Conversation> for SharedConversation {
    fn from(conversation: &crate::Conversation) -> Self {
        Self {
            title: conversation.title.clone(),
            repository: conversation.selected_repository.clone(),
            status: conversation.execution_status.clone(),
            event_count: conversation.event_count,
            created_at: conversation.created_at,
            last_updated_at: conversation.last_updated_at,
        }
    }
}

/// Whether a share link opens its conversation at `now`: a revoked one is unknown (`NotFound`, as
/// if it never existed), an expired one is `Gone` (`share_expired`).
pub fn decide_share_access(share: &ConversationShare, now: DateTime<Utc>) -> Result<(), DomainError> {
    if share.revoked_at.is_some() {
        return Err(DomainError::NotFound);
    }
    if share.expires_at.is_some_and(|expires| expires <= now) {
        return Err(DomainError::Gone {
            code: "share_expired",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::new_id;

    fn share(expires_at: Option<DateTime<Utc>>, revoked_at: Option<DateTime<Utc>>) -> ConversationShare {
        ConversationShare {
            id: new_id(),
            org_id: new_id(),
            conversation_id: new_id(),
            created_by: new_id(),
            created_at: Utc::now(),
            expires_at,
            revoked_at,
        }
    }

    #[test]
    fn a_link_works_until_it_expires_or_is_revoked() {
        let now = Utc::now();
        assert!(decide_share_access(&share(None, None), now).is_ok());
        assert!(decide_share_access(&share(Some(now + Duration::seconds(1)), None), now).is_ok());
        let expired = decide_share_access(&share(Some(now), None), now);
        assert!(matches!(
            expired,
            Err(DomainError::Gone {
                code: "share_expired"
            })
        ));
        let revoked = decide_share_access(&share(None, Some(now)), now);
        assert!(matches!(revoked, Err(DomainError::NotFound)));
    }
}
