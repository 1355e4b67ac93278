//! Following a conversation's events as they are appended, for as long as the reader may read them.

use async_trait::async_trait;

use crate::{
    Caller, ConversationId, DomainError, OrgId, SecretString, StoredEvent,
    ports::{Signal, SignalReceiver},
    services::conversations::{ConversationService, events::MAX_READ},
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
    Share { token_digest: String },
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
        Ok(EventFollower {
            service: self.clone(),
            reader: Reader::Share { token_digest },
            org: conversation.org_id,
            id: conversation.id,
            next_id: start_id,
            signals,
        })
    }
}

impl EventFollower {
    /// The id the next event will have.
    pub fn next_id(&self) -> i64 {
        self.next_id
    }

    /// The events after the last ones yielded, waiting for appends when there are none; or
    /// [`FollowStep::End`]. Cancel-safe: dropped while waiting, nothing is lost.
    pub async fn next(&mut self) -> Result<FollowStep, DomainError> {
        loop {
            let page = match &self.reader {
                Reader::Member(check) => match check.current().await {
                    Ok(caller) => {
                        self.service
                            .read_events(&caller, self.org, self.id, self.next_id, MAX_READ)
                            .await
                    }
                    Err(DomainError::Unauthorized(_)) => return Ok(FollowStep::End),
                    Err(error) => return Err(error),
                },
                Reader::Share { token_digest } => {
                    self.service
                        .shared_events_by_digest(token_digest, self.next_id, MAX_READ)
                        .await
                }
            };
            let page = match page {
                Ok(page) => page,
                Err(DomainError::NotFound | DomainError::Forbidden | DomainError::Gone { .. }) => {
                    return Ok(FollowStep::End);
                }
                Err(error) => return Err(error),
            };
            if let Some(last) = page.items.last() {
                self.next_id = last.id + 1;
                return Ok(FollowStep::Events(page.items));
            }
            loop {
                let signal = self.signals.recv().await;
                if self.concerns_me(signal) {
                    break;
                }
            }
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
