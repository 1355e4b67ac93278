//! Conversations, their events and their usage.

mod event_search;
mod events;
mod follow;
mod import;
mod metadata;
mod sharing;
mod tickets;
mod watch;

use std::sync::Arc;

pub use event_search::{EventSearch, EventSearchPage};
pub use events::{EventPage, MAX_BATCH};
pub use follow::{CallerCheck, EventFollower, FollowStep};
pub use metadata::{ConversationListQuery, ConversationPage, NewConversationInput, cost_to_micros};
pub use tickets::STREAM_TICKET_TTL_SECS;
pub use watch::{OrgActivity, OrgWatcher};

use crate::{
    Caller, Claimant, Conversation, ConversationId, DomainError, OrgId, Role, UserId,
    clock::Clock,
    identity::session::AccessClaims,
    identity::session_confirmation::confirm_read,
    ports::{
        ConversationShares, Conversations, EventIndex, EventStore, Orgs, SecretTokens, SessionProbe,
        SessionReads, Signal, SignalBus, StreamTickets, UnitOfWork,
    },
    services::EventPurger,
    sign_in::org_policy::MemberAccess,
};

/// The adapters conversations need.
#[derive(Clone)]
pub struct ConversationPorts {
    /// Metadata and usage.
    pub conversations: Arc<dyn Conversations>,
    /// Where the events are.
    pub event_index: Arc<dyn EventIndex>,
    /// Appends, decided with the conversation locked.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Event payloads.
    pub events: Arc<dyn EventStore>,
    /// Deletes event objects of deleted conversations.
    pub purger: EventPurger,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Tells followers about appends and changes.
    pub signals: Arc<dyn SignalBus>,
    /// Share links.
    pub shares: Arc<dyn ConversationShares>,
    /// Stream tickets.
    pub tickets: Arc<dyn StreamTickets>,
    /// Share and ticket tokens, and their digests.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Budgets, consulted before a conversation is created.
    pub start_policy: Arc<dyn crate::ports::ConversationStartPolicy>,
    /// Told about counted usage (alerts, `over_budget`).
    pub spend: Arc<dyn crate::ports::SpendObserver>,
    /// The hot reads, with the caller's session confirmed in the same read.
    pub session_reads: Arc<dyn SessionReads>,
}

/// The caller's role when it may read `conversation` (a member the org admits, and the creator
/// or a role that sees it); `NotFound` otherwise.
fn admitted_reader(
    caller: &Caller,
    conversation: &Conversation,
    access: Option<MemberAccess>,
) -> Result<Role, DomainError> {
    let role = crate::caller::admitted_role(caller, conversation.org_id, access)?;
    if !conversation.readable_by(caller.user.id, role) {
        return Err(DomainError::NotFound);
    }
    Ok(role)
}

/// The conversation use cases.
#[derive(Clone)]
pub struct ConversationService {
    ports: ConversationPorts,
}

impl ConversationService {
    /// The use cases over the given adapters.
    pub fn new(ports: ConversationPorts) -> Self {
        Self { ports }
    }

    async fn role_in(&self, caller: &Caller, org: OrgId) -> Result<Role, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await
    }

    /// Publishes a signal for a change that has committed. A signal that cannot be sent is
    /// dropped: followers look again on their own at every heartbeat.
    pub(crate) async fn signal(&self, signal: Signal) {
        let _ = self.ports.signals.publish(signal).await;
    }

    /// The conversation if the caller may read it; `NotFound` otherwise.
    async fn readable(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
    ) -> Result<(Conversation, Role), DomainError> {
        caller.reach(org)?;
        let Some((conversation, access)) = self.ports.conversations.get_for(org, id, caller.user.id).await?
        else {
            return Err(DomainError::NotFound);
        };
        let role = admitted_reader(caller, &conversation, access)?;
        Ok((conversation, role))
    }

    /// [`Self::readable`] for a claimant, whose session (if that is what it has) the read confirms:
    /// the conversation, the reader's role and id.
    async fn readable_as(
        &self,
        claimant: Claimant<'_>,
        org: OrgId,
        id: ConversationId,
    ) -> Result<(Conversation, Role, UserId), DomainError> {
        let claims = match claimant {
            Claimant::Confirmed(caller) => {
                let (conversation, role) = self.readable(caller, org, id).await?;
                return Ok((conversation, role, caller.user.id));
            }
            Claimant::Session(claims) => claims,
        };
        let read = self
            .ports
            .session_reads
            .conversation(&self.probe(claims), org, id)
            .await?;
        let (caller, access, conversation) = confirm_read(claims, read)?;
        let conversation = conversation.ok_or(DomainError::NotFound)?;
        let role = admitted_reader(&caller, &conversation, access)?;
        Ok((conversation, role, caller.user.id))
    }

    /// The session a read confirms for `claims`, live now.
    fn probe(&self, claims: &AccessClaims) -> SessionProbe {
        SessionProbe {
            user: claims.user_id,
            session: claims.session_id,
            now: self.ports.clock.now(),
        }
    }

    /// The conversation if the caller may change it: `NotFound` when they cannot even read it,
    /// `Forbidden` when they can read but not change it.
    pub(crate) async fn manageable(
        &self,
        caller: &Caller,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Conversation, DomainError> {
        self.manageable_as(caller.into(), org, id).await
    }

    /// [`Self::manageable`] for a claimant, whose session the read confirms.
    pub(crate) async fn manageable_as(
        &self,
        claimant: Claimant<'_>,
        org: OrgId,
        id: ConversationId,
    ) -> Result<Conversation, DomainError> {
        let (conversation, role, user) = self.readable_as(claimant, org, id).await?;
        if !conversation.manageable_by(user, role) {
            return Err(DomainError::Forbidden);
        }
        Ok(conversation)
    }
}
