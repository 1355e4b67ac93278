//! Stream tickets: `EventSource` cannot send headers, so a signed-in person trades their bearer
//! token for a single-use ticket that opens one conversation's stream within a minute.

use chrono::{DateTime, Duration, Utc};

use crate::{
    Caller, ConversationId, DomainError, OrgId, SecretString,
    conversations::services::conversations::ConversationService, ports::StreamTicket,
};

/// How long a ticket may wait to be used.
pub const STREAM_TICKET_TTL_SECS: i64 = 60;

impl ConversationService {
    /// A ticket for the conversation's event stream (a reader, signed in: not an API key).
    pub async fn issue_stream_ticket(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
    ) -> Result<(SecretString, DateTime<Utc>), DomainError> {
        caller.require_person()?;
        self.readable(caller, org, id).await?;
        let expires_at = self.ports.clock.now() + Duration::seconds(STREAM_TICKET_TTL_SECS);
        let ticket = StreamTicket {
            user_id: caller.user.id,
            session_id: caller.session_id,
            org_id: org,
            conversation_id: id,
            expires_at,
        };
        let token = self.ports.secret_tokens.generate();
        let digest = self.ports.secret_tokens.digest(token.expose());
        self.ports.tickets.issue(&ticket, &digest).await?;
        Ok((token, expires_at))
    }

    /// Spends a ticket for the stream of `org`'s conversation `id`: `Unauthorized` when it is
    /// unknown, spent, expired or for another conversation.
    pub async fn redeem_stream_ticket(
        &self,
        token: &SecretString,
        org: OrgId,
        id: ConversationId,
    ) -> Result<StreamTicket, DomainError> {
        let digest = self.ports.secret_tokens.digest(token.expose());
        self.ports
            .tickets
            .redeem(&digest, self.ports.clock.now())
            .await?
            .filter(|ticket| ticket.org_id == org && ticket.conversation_id == id)
            .ok_or(DomainError::Unauthorized("invalid stream ticket"))
    }
}
