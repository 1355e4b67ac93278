use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{ConversationCursor, ConversationFilter, Conversations, EventIndex, EventSegment, Sessions};
use crate::{
    Conversation, ConversationId, DomainError, OrgId, User, UserId, identity::session::SignInMethod,
    sign_in::org_policy::MemberAccess,
};

/// A session to confirm within a read: live when it belongs to `user`, is not revoked and has not
/// ended at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionProbe {
    /// The user the access token names.
    pub user: UserId,
    /// The session the access token names.
    pub session: Uuid,
    /// The time the session must still be open at.
    pub now: DateTime<Utc>,
}

/// A read made in a live session: who holds the session, their access to the read's org, and what
/// was read.
#[derive(Debug, Clone)]
pub struct InSession<T> {
    /// The session's user, as stored now, and how the session was signed in.
    pub holder: (User, SignInMethod),
    /// The holder's role in the org and its access policy; `None`: not a member.
    pub access: Option<MemberAccess>,
    /// What was read.
    pub data: T,
}

/// The hot authenticated reads, each with its session confirmed in the same read, so a request
/// costs one round trip to the store. `None` means the session is not live; nothing else is
/// returned then.
#[async_trait]
pub trait SessionReads: Send + Sync {
    /// The conversation `id` of `org` (`None`: no such conversation).
    async fn conversation(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Option<InSession<Option<Conversation>>>, DomainError>;

    /// A page of what `filter` shows in `org` to a member, newest `last_updated_at` first (ties by
    /// id), strictly after `after`; empty for a stranger.
    async fn conversations(
        &self,
        session: &SessionProbe,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<Option<InSession<Vec<Conversation>>>, DomainError>;

    /// The conversation `id` of `org` and the segments holding its visible events
    /// `start..start+limit`, in order (`None`: no such conversation).
    async fn event_window(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Option<InSession<Option<(Conversation, Vec<EventSegment>)>>>, DomainError>;
}

/// [`SessionReads`] for stores that cannot read a session and data together: the session first,
/// then the data, one read after the other.
#[derive(Clone)]
pub struct SessionThenRead {
    /// Where sessions are.
    pub sessions: Arc<dyn Sessions>,
    /// Conversation metadata.
    pub conversations: Arc<dyn Conversations>,
    /// Where events are.
    pub event_index: Arc<dyn EventIndex>,
}

impl SessionThenRead {
    async fn holder(&self, session: &SessionProbe) -> Result<Option<(User, SignInMethod)>, DomainError> {
        self.sessions
            .user_in_live_session(session.user, session.session, session.now)
            .await
    }
}

#[async_trait]
impl SessionReads for SessionThenRead {
    async fn conversation(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Option<InSession<Option<Conversation>>>, DomainError> {
        let Some(holder) = self.holder(session).await? else {
            return Ok(None);
        };
        let found = self.conversations.get_for(org, id, session.user).await?;
        let (data, access) = match found {
            Some((conversation, access)) => (Some(conversation), access),
            None => (None, None),
        };
        Ok(Some(InSession { holder, access, data }))
    }

    async fn conversations(
        &self,
        session: &SessionProbe,
        org: OrgId,
        filter: &ConversationFilter,
        after: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<Option<InSession<Vec<Conversation>>>, DomainError> {
        let Some(holder) = self.holder(session).await? else {
            return Ok(None);
        };
        let (access, data) = self.conversations.list_for(org, filter, after, limit).await?;
        Ok(Some(InSession { holder, access, data }))
    }

    async fn event_window(
        &self,
        session: &SessionProbe,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Option<InSession<Option<(Conversation, Vec<EventSegment>)>>>, DomainError> {
        let Some(holder) = self.holder(session).await? else {
            return Ok(None);
        };
        let window = self
            .event_index
            .window_for(org, id, session.user, start, limit)
            .await?;
        let (data, access) = match window {
            Some(window) => (Some((window.conversation, window.segments)), window.role),
            None => (None, None),
        };
        Ok(Some(InSession { holder, access, data }))
    }
}
