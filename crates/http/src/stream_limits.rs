//! How many live streams each user, the anonymous readers of each shared conversation, and the
//! readers of everything one member shares hold open on this instance, bounded. Every stream counts
//! against an account: its reader's, or, through a share link, the link's creator's (so sharing
//! one's own conversations opens no way around the per-user bound).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use tenantry_domain::{ConversationId, DomainError, UserId};

/// Whose streams are counted together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Holder {
    /// A signed-in user (or an API key's owner).
    User(UserId),
    /// Everyone following a conversation through its share links, without login.
    SharedConversation(ConversationId),
    /// Everyone following, through share links, the conversations one member shared.
    SharedBy(UserId),
}

/// Open-stream counts per holder, and how streams behave.
#[derive(Debug, Clone)]
pub struct StreamLimits {
    open: Arc<Mutex<HashMap<Holder, usize>>>,
    max_per_user: usize,
    max_per_shared_conversation: usize,
    max_shared_per_creator: usize,
    heartbeat: Duration,
}

impl StreamLimits {
    /// At most `max_per_user` open streams per user, `max_per_shared_conversation` anonymous ones
    /// per shared conversation, and `max_shared_per_creator` through the share links one member
    /// created, together; a heartbeat every `heartbeat`.
    pub fn new(
        max_per_user: usize,
        max_per_shared_conversation: usize,
        max_shared_per_creator: usize,
        heartbeat: Duration,
    ) -> Self {
        Self {
            open: Arc::default(),
            max_per_user,
            max_per_shared_conversation,
            max_shared_per_creator,
            heartbeat,
        }
    }

    /// Time between heartbeats (each also looks again for anything missed).
    pub(crate) fn heartbeat(&self) -> Duration {
        self.heartbeat
    }

    /// Takes one of `user`'s stream slots until the returned guard is dropped; 429 when none is left.
    pub(crate) fn open(&self, user: UserId) -> Result<StreamSlot, DomainError> {
        self.take(&[(Holder::User(user), self.max_per_user)])
    }

    /// Takes one of the slots anonymous readers of the shared `conversation` share, and one of
    /// those of everything `creator` (the link's creator) shares; 429 when either is used up (a
    /// leaked link cannot open streams without bound, nor can a member by sharing their own
    /// conversations).
    pub(crate) fn open_shared(
        &self,
        conversation: ConversationId,
        creator: UserId,
    ) -> Result<StreamSlot, DomainError> {
        self.take(&[
            (
                Holder::SharedConversation(conversation),
                self.max_per_shared_conversation,
            ),
            (Holder::SharedBy(creator), self.max_shared_per_creator),
        ])
    }

    /// Takes a slot of every holder, or none.
    fn take(&self, holders: &[(Holder, usize)]) -> Result<StreamSlot, DomainError> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if holders
            .iter()
            .any(|(holder, max)| open.get(holder).copied().unwrap_or(0) >= *max)
        {
            return Err(DomainError::TooManyRequests {
                retry_after: self.heartbeat,
            });
        }
        for (holder, _) in holders {
            *open.entry(*holder).or_default() += 1;
        }
        Ok(StreamSlot {
            limits: self.clone(),
            holders: holders.iter().map(|(holder, _)| *holder).collect(),
        })
    }
}

/// One open stream; its slots are given back when the stream ends.
pub(crate) struct StreamSlot {
    limits: StreamLimits,
    holders: Vec<Holder>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for holder in &self.holders {
            if let Some(count) = open.get_mut(holder) {
                *count -= 1;
                if *count == 0 {
                    open.remove(holder);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_user_and_come_back() {
        let limits = StreamLimits::new(2, 5, 5, Duration::from_secs(15));
        let (ann, bob) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let first = limits.open(ann).unwrap();
        let _second = limits.open(ann).unwrap();
        assert!(matches!(
            limits.open(ann),
            Err(DomainError::TooManyRequests { .. })
        ));
        assert!(limits.open(bob).is_ok());
        drop(first);
        assert!(limits.open(ann).is_ok());
    }

    #[test]
    fn anonymous_readers_of_a_shared_conversation_share_their_own_bound() {
        let limits = StreamLimits::new(1, 2, 10, Duration::from_secs(15));
        let (shared, other, creator) = (
            tenantry_domain::new_id(),
            tenantry_domain::new_id(),
            tenantry_domain::new_id(),
        );
        let _first = limits.open_shared(shared, creator).unwrap();
        let _second = limits.open_shared(shared, creator).unwrap();
        assert!(matches!(
            limits.open_shared(shared, creator),
            Err(DomainError::TooManyRequests { .. })
        ));
        assert!(limits.open_shared(other, creator).is_ok());
    }

    #[test]
    fn everything_one_member_shares_counts_against_one_bound() {
        let limits = StreamLimits::new(1, 2, 3, Duration::from_secs(15));
        let (ann, bob) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let (first, second) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let held = [
            limits.open_shared(first, ann).unwrap(),
            limits.open_shared(first, ann).unwrap(),
            limits.open_shared(second, ann).unwrap(),
        ];
        // The second conversation has slots of its own left; its creator has none.
        assert!(matches!(
            limits.open_shared(second, ann),
            Err(DomainError::TooManyRequests { .. })
        ));
        // A refusal takes nothing: the conversation's own count did not move.
        assert!(limits.open_shared(second, bob).is_ok());
        drop(held);
        assert!(limits.open_shared(second, ann).is_ok());
    }
}
