//! How many live streams each user, and the anonymous readers of each shared conversation, hold open
//! on this instance, bounded.

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
}

/// Open-stream counts per holder, and how streams behave.
#[derive(Debug, Clone)]
pub struct StreamLimits {
    open: Arc<Mutex<HashMap<Holder, usize>>>,
    max_per_user: usize,
    max_per_shared_conversation: usize,
    heartbeat: Duration,
}

impl StreamLimits {
    /// At most `max_per_user` open streams per user and `max_per_shared_conversation` anonymous ones
    /// per shared conversation; a heartbeat every `heartbeat`.
    pub fn new(max_per_user: usize, max_per_shared_conversation: usize, heartbeat: Duration) -> Self {
        Self {
            open: Arc::default(),
            max_per_user,
            max_per_shared_conversation,
            heartbeat,
        }
    }

    /// Time between heartbeats (each also looks again for anything missed).
    pub(crate) fn heartbeat(&self) -> Duration {
        self.heartbeat
    }

    /// Takes one of `user`'s stream slots until the returned guard is dropped; 429 when none is left.
    pub(crate) fn open(&self, user: UserId) -> Result<StreamSlot, DomainError> {
        self.take(Holder::User(user), self.max_per_user)
    }

    /// Takes one of the slots anonymous readers of the shared `conversation` share; 429 when none
    /// is left (a leaked link cannot open streams without bound).
    pub(crate) fn open_shared(&self, conversation: ConversationId) -> Result<StreamSlot, DomainError> {
        self.take(
            Holder::SharedConversation(conversation),
            self.max_per_shared_conversation,
        )
    }

    fn take(&self, holder: Holder, max: usize) -> Result<StreamSlot, DomainError> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(holder).or_default();
        if *count >= max {
            return Err(DomainError::TooManyRequests {
                retry_after: self.heartbeat,
            });
        }
        *count += 1;
        Ok(StreamSlot {
            limits: self.clone(),
            holder,
        })
    }
}

/// One open stream; its slot is given back when the stream ends.
pub(crate) struct StreamSlot {
    limits: StreamLimits,
    holder: Holder,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.holder) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.holder);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_user_and_come_back() {
        let limits = StreamLimits::new(2, 5, Duration::from_secs(15));
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
        let limits = StreamLimits::new(1, 2, Duration::from_secs(15));
        let (shared, other) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let _first = limits.open_shared(shared).unwrap();
        let _second = limits.open_shared(shared).unwrap();
        assert!(matches!(
            limits.open_shared(shared),
            Err(DomainError::TooManyRequests { .. })
        ));
        assert!(limits.open_shared(other).is_ok());
    }
}
