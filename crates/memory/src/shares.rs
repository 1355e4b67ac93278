//! Share links and stream tickets, in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, ConversationId, DomainError, OrgId,
    ports::{ConversationShares, StreamTicket, StreamTickets},
    share::ConversationShare,
};
use uuid::Uuid;

use crate::MemoryStore;

#[async_trait]
impl ConversationShares for MemoryStore {
    async fn create(
        &self,
        share: &ConversationShare,
        token_digest: &str,
        audit: &AuditEntry,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            tables
                .shares
                .insert(share.id, (share.clone(), token_digest.to_owned()));
            tables.audit.push(audit.clone());
        })
        .await;
        Ok(())
    }

    async fn list(
        &self,
        org: OrgId,
        conversation: ConversationId,
    ) -> Result<Vec<ConversationShare>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .shares
                    .values()
                    .rev()
                    .map(|(share, _)| share)
                    .filter(|share| {
                        share.org_id == org
                            && share.conversation_id == conversation
                            && share.revoked_at.is_none()
                    })
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn revoke(
        &self,
        org: OrgId,
        conversation: ConversationId,
        id: Uuid,
        audit: &AuditEntry,
    ) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| match tables.shares.get_mut(&id) {
                Some((share, _))
                    if share.org_id == org
                        && share.conversation_id == conversation
                        && share.revoked_at.is_none() =>
                {
                    share.revoked_at = Some(audit.at);
                    tables.audit.push(audit.clone());
                    true
                }
                _ => false,
            })
            .await)
    }

    async fn by_digest(&self, token_digest: &str) -> Result<Option<ConversationShare>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .shares
                    .values()
                    .find(|(_, digest)| digest == token_digest)
                    .map(|(share, _)| share.clone())
            })
            .await)
    }
}

#[async_trait]
impl StreamTickets for MemoryStore {
    async fn issue(&self, ticket: &StreamTicket, token_digest: &str) -> Result<(), DomainError> {
        self.write(|tables| {
            tables
                .stream_tickets
                .insert(token_digest.to_owned(), (*ticket, None));
        })
        .await;
        Ok(())
    }

    async fn redeem(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StreamTicket>, DomainError> {
        Ok(self
            .write(|tables| match tables.stream_tickets.get_mut(token_digest) {
                Some((ticket, used_at @ None)) if ticket.expires_at > now => {
                    *used_at = Some(now);
                    Some(*ticket)
                }
                _ => None,
            })
            .await)
    }
}
