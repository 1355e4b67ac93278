//! Conversations: an agent session's metadata, owned by an org and its creator.

use chrono::{DateTime, Utc};

use crate::{ConversationId, OrgId, UserId};

/// Who may read a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// The creator and the org's admins and owners.
    Private,
    /// Every member of the org.
    Org,
}

/// A conversation's metadata; its events live in the event store.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// Identifier.
    pub id: ConversationId,
    /// The org it belongs to.
    pub org_id: OrgId,
    /// Who created it.
    pub created_by: UserId,
    /// Human title.
    pub title: Option<String>,
    /// Who may read it.
    pub visibility: Visibility,
    /// Number of events appended so far (the next event id).
    pub event_count: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub last_updated_at: DateTime<Utc>,
}
