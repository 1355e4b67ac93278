//! Following a conversation's events as they are appended, for as long as the reader may read them.

use async_trait::async_trait;

use crate::{
    Caller, ConversationId, DomainError, OrgId, SecretString, StoredEvent, UserId,
    conversations::services::conversations::{ConversationService, events::MAX_READ},
    ports::{Signal, SignalReceiver},
};

/// Checks a long-lived reader's credential again: the caller it stands for now, or
/// `Unauthorized` once it no longer works (session ended, key revoked, account disabled).
#[async_trait]
pub trait CallerCheck: Send + Sync {
    /// The caller, as of now.
    async fn current(&self) -> Result<Caller, DomainError>;
}

/// What a follower yields.
#[derive(Debug, Clone, PartialEq)]
pub enum FollowStep {
    /// The next events, in id order, without gaps.
    Events(Vec<StoredEvent>),
    /// The stream is over: the conversation is gone, or the reader may no longer read it.
    End,
}

/// Who follows: a member (whose credential is checked again), or the holder of a share link.
enum Reader {
    Member(Box<dyn CallerCheck>),
    Share {
        token_digest: String,
        /// Who created the link (the stream counts against what they share).
        creator: UserId,
    },
}

/// A reader following one conversation. Every [`EventFollower::next`] checks the reader's access
/// again, so a revoked reader gets [`FollowStep::End`] at the first signal that concerns them.
pub struct EventFollower {
    service: ConversationService,
    reader: Reader,
    org: OrgId,
    id: ConversationId,
    next_id: i64,
    signals: Box<dyn SignalReceiver>,
    /// The next wake must verify the reader and read the conversation again (set at the start, by
    /// access, credential and resync signals, and by [`EventFollower::recheck`]).
    verify: bool,
    /// How many events the conversation has, as appends announced them since the last verification.
    announced: i64,
}

impl ConversationService {
    /// Follows the conversation from event `start_id` on (any reader). Signals are subscribed to
    /// before the first read, so nothing appended in between is missed.
    pub async fn follow(
        &self,
        check: Box<dyn CallerCheck>,
        org: OrgId,
        id: ConversationId,
        start_id: i64,
    ) -> Result<EventFollower, DomainError> {
        if start_id < 0 {
            return Err(DomainError::invalid("start_id", "must not be negative"));
        }
        let signals = self.ports.signals.subscribe();
        let caller = check.current().await?;
        self.readable(&caller, org, id).await?;
        Ok(EventFollower {
            service: self.clone(),
            reader: Reader::Member(check),
            org,
            id,
            next_id: start_id,
            signals,
            verify: true,
            announced: 0,
        })
    }
}

impl ConversationService {
    /// Follows a shared conversation from event `start_id` on (no login); ends when the link is
    /// revoked or expires, or the conversation is deleted.
    pub async fn follow_shared(
        &self,
        token: &SecretString,
        start_id: i64,
    ) -> Result<EventFollower, DomainError> {
        if start_id < 0 {
            return Err(DomainError::invalid("start_id", "must not be negative"));
        }
        let signals = self.ports.signals.subscribe();
        let token_digest = self.share_digest(token);
        let conversation = self.shared_conversation(&token_digest).await?;
        let creator = self
            .ports
            .shares
            .by_digest(&token_digest)
            .await?
            .ok_or(DomainError::NotFound)?
            .created_by;
        Ok(EventFollower {
            service: self.clone(),
            reader: Reader::Share {
                token_digest,
                creator,
            },
            org: conversation.org_id,
            id: conversation.id,
            next_id: start_id,
            signals,
            verify: true,
            announced: 0,
        })
    }
}

impl EventFollower {
    /// The conversation followed.
    pub fn conversation(&self) -> ConversationId {
        self.id
    }

    /// Who created the share link followed, when the reader follows one.
    pub fn shared_by(&self) -> Option<UserId> {
        match &self.reader {
            Reader::Share { creator, .. } => Some(*creator),
            Reader::Member(_) => None,
        }
    }

    /// The id the next event will have.
    pub fn next_id(&self) -> i64 {
        self.next_id
    }

    /// Makes the next [`EventFollower::next`] verify the reader and the conversation again (the
    /// stream's heartbeat calls this, so a missed signal costs at most one heartbeat).
    pub fn recheck(&mut self) {
        self.verify = true;
    }

    /// The events after the last ones yielded, waiting for appends when there are none; or
    /// [`FollowStep::End`]. Cancel-safe: dropped while waiting, nothing is lost.
    ///
    /// The reader is verified on the first call and after any signal that may change what they may
    /// read; in between, announced appends are read straight from the event store, so one append
    /// costs each follower a segment lookup and an object read, not a round of access checks.
    pub async fn next(&mut self) -> Result<FollowStep, DomainError> {
        loop {
            if self.verify {
                let page = match self.verified_page().await? {
                    Some(page) => page,
                    None => return Ok(FollowStep::End),
                };
                // A backlog longer than one page is read verified, page by page.
                self.verify = page.next_start_id.is_some();
                if let Some(last) = page.items.last() {
                    self.next_id = last.id + 1;
                    return Ok(FollowStep::Events(page.items));
                }
            } else if self.announced > self.next_id {
                let end = self.announced.min(self.next_id + MAX_READ);
                match self
                    .service
                    .stored_events(self.org, self.id, self.next_id, end)
                    .await
                {
                    Ok(events) if !events.is_empty() => {
                        self.next_id = end;
                        return Ok(FollowStep::Events(events));
                    }
                    // Gone or unreadable now: let a full verification decide.
                    _ => {
                        self.verify = true;
                        continue;
                    }
                }
            }
            loop {
                match self.signals.recv().await {
                    Signal::Appended {
                        conversation,
                        last_id,
                        ..
                    } if conversation == self.id => {
                        self.announced = self.announced.max(last_id + 1);
                        break;
                    }
                    signal if self.concerns_me(signal) => {
                        self.verify = true;
                        break;
                    }
                    _ => {}
                }
            }
        }
    }

    /// The next page with the reader verified; `None` when they may no longer read it.
    async fn verified_page(&self) -> Result<Option<super::EventPage>, DomainError> {
        let page = match &self.reader {
            Reader::Member(check) => match check.current().await {
                Ok(caller) => {
                    self.service
                        .read_events(&caller, self.org, self.id, self.next_id, MAX_READ)
                        .await
                }
                Err(DomainError::Unauthorized(_)) => return Ok(None),
                Err(error) => return Err(error),
            },
            Reader::Share { token_digest, .. } => {
                self.service
                    .shared_events_by_digest(token_digest, self.next_id, MAX_READ)
                    .await
            }
        };
        match page {
            Ok(page) => Ok(Some(page)),
            Err(DomainError::NotFound | DomainError::Forbidden | DomainError::Gone { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn concerns_me(&self, signal: Signal) -> bool {
        match signal {
            Signal::Appended { conversation, .. } | Signal::ConversationChanged { conversation, .. } => {
                conversation == self.id
            }
            Signal::AccessChanged { org } => org == self.org,
            Signal::CredentialsChanged { .. } | Signal::Resync => true,
        }
    }
}
