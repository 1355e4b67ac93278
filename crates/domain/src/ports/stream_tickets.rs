use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{ConversationId, DomainError, OrgId, UserId};

/// What a stream ticket opens: one conversation's event stream, for the session that asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamTicket {
    /// The person.
    pub user_id: UserId,
    /// Their session (the stream ends with it).
    pub session_id: Option<Uuid>,
    /// The org.
    pub org_id: OrgId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Single-use stream tickets, stored as digests.
#[async_trait]
pub trait StreamTickets: Send + Sync {
    /// Stores a ticket.
    async fn issue(&self, ticket: &StreamTicket, token_digest: &str) -> Result<(), DomainError>;

    /// Spends the ticket with this digest if it is unspent and unexpired at `now`, atomically (of
    /// two concurrent redemptions one wins); `None` otherwise.
    async fn redeem(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StreamTicket>, DomainError>;
}
