//! Events: the append-only log of a conversation.

use chrono::{DateTime, Utc};

/// One event of a conversation's log.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Dense per-conversation id: 0, 1, 2, …
    pub id: i64,
    /// When it was appended.
    pub timestamp: DateTime<Utc>,
    /// The event as the agent sent it.
    pub event: serde_json::Value,
}
