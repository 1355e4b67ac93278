//! Read-only share links: created and revoked by whoever may change the conversation, read by
//! anyone holding the token, without login.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AuditAction, AuditEntry, Caller, Conversation, ConversationId, DomainError, OrgId, SecretString,
    conversations::services::conversations::{ConversationService, EventPage},
    conversations::share::{ConversationShare, SharedConversation, decide_share_access},
    new_id,
    ports::Signal,
};

impl ConversationService {
    /// Creates a share link (creator or admin+, signed in); the token is returned this once.
    pub async fn share(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ConversationShare, SecretString), DomainError> {
        caller.require_person()?;
        self.manageable(caller, org, id).await?;
        let now = self.ports.clock.now();
        if expires_at.is_some_and(|expires| expires <= now) {
            return Err(DomainError::invalid("expires_at", "must be in the future"));
        }
        let share = ConversationShare {
            id: new_id(),
            org_id: org,
            conversation_id: id,
            created_by: caller.user.id,
            created_at: now,
            expires_at,
            revoked_at: None,
        };
        let token = self.ports.secret_tokens.generate();
        let audit = AuditEntry::new(
            org,
            now,
            Some(caller.user.id),
            AuditAction::ConversationShared,
            ("conversation", Some(id.to_string())),
            json!({ "share_id": share.id, "expires_at": expires_at }),
        );
        let digest = self.ports.secret_tokens.digest(token.expose());
        self.ports.shares.create(&share, &digest, &audit).await?;
        Ok((share, token))
    }

    /// The conversation's live share links (creator or admin+).
    pub async fn shares(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Vec<ConversationShare>, DomainError> {
        self.manageable(caller, org, id).await?;
        self.ports.shares.list(org, id).await
    }

    /// Revokes a share link (creator or admin+): it fails at the next request, open streams end.
    pub async fn revoke_share(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
        share: Uuid,
    ) -> Result<(), DomainError> {
        self.manageable(caller, org, id).await?;
        let audit = AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            AuditAction::ShareRevoked,
            ("conversation", Some(id.to_string())),
            json!({ "share_id": share }),
        );
        if !self.ports.shares.revoke(org, id, share, &audit).await? {
            return Err(DomainError::NotFound);
        }
        self.signal(Signal::ConversationChanged {
            org,
            conversation: id,
        })
        .await;
        Ok(())
    }

    /// The conversation behind a share token, if the link works now.
    pub(crate) async fn shared_conversation(&self, token_digest: &str) -> Result<Conversation, DomainError> {
        let share = self
            .ports
            .shares
            .by_digest(token_digest)
            .await?
            .ok_or(DomainError::NotFound)?;
        decide_share_access(&share, self.ports.clock.now())?;
        self.ports
            .conversations
            .get(share.org_id, share.conversation_id)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// What a share link shows (no login).
    pub async fn shared(&self, token: &SecretString) -> Result<SharedConversation, DomainError> {
        let digest = self.ports.secret_tokens.digest(token.expose());
        Ok(SharedConversation::from(
            &self.shared_conversation(&digest).await?,
        ))
    }

    /// A page of the shared conversation's events (no login).
    pub async fn shared_events(
        &self,
        token: &SecretString,
        start_id: i64,
        limit: i64,
    ) -> Result<EventPage, DomainError> {
        let digest = self.ports.secret_tokens.digest(token.expose());
        self.shared_events_by_digest(&digest, start_id, limit).await
    }

    pub(crate) async fn shared_events_by_digest(
        &self,
        token_digest: &str,
        start_id: i64,
        limit: i64,
    ) -> Result<EventPage, DomainError> {
        let conversation = self.shared_conversation(token_digest).await?;
        self.page_of(&conversation, start_id, limit).await
    }

    /// The digest a share token is stored under.
    pub(crate) fn share_digest(&self, token: &SecretString) -> String {
        self.ports.secret_tokens.digest(token.expose())
    }
}
