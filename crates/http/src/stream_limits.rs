//! How many live streams each user, the anonymous readers of each shared conversation, and the
//! readers of everything one member shares hold open, bounded. Every stream counts against an
//! account: its reader's, or, through a share link, the link's creator's (so sharing one's own
//! conversations opens no way around the per-user bound). Counted here first, then, when leases
//! are configured, across every instance (see `tenantry_domain::stream_cap`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::Utc;
use tenantry_domain::{ConversationId, DomainError, UserId, ports::StreamLeases, stream_cap};
use uuid::Uuid;

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

impl Holder {
    /// The holder's name in the shared leases.
    fn key(&self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::SharedConversation(id) => format!("conversation:{id}"),
            Self::SharedBy(id) => format!("sharer:{id}"),
        }
    }
}

/// The leases that count streams across instances.
#[derive(Clone)]
struct SharedCount {
    leases: Arc<dyn StreamLeases>,
    /// This instance, as its leases name it.
    instance: Uuid,
    /// How long a lease outlives its last renewal.
    lease: Duration,
}

impl std::fmt::Debug for SharedCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCount")
            .field("instance", &self.instance)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// Open-stream counts per holder, and how streams behave.
#[derive(Debug, Clone)]
pub struct StreamLimits {
    open: Arc<Mutex<HashMap<Holder, usize>>>,
    max_per_user: usize,
    max_per_shared_conversation: usize,
    max_shared_per_creator: usize,
    heartbeat: Duration,
    /// Set once the instance shuts down: every stream ends at once, with `event: end`.
    closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// Leases counting streams on every instance, when configured.
    shared: Option<SharedCount>,
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
            closing: Arc::new(tokio::sync::watch::channel(false).0),
            shared: None,
        }
    }

    /// Counts streams across every instance through `leases`, each lasting `lease` past its last
    /// renewal; starts renewing this instance's leases until [`StreamLimits::close_all`]. Needs a
    /// Tokio runtime.
    pub fn counted_across_instances(mut self, leases: Arc<dyn StreamLeases>, lease: Duration) -> Self {
        let shared = SharedCount {
            leases,
            instance: tenantry_domain::new_id(),
            lease,
        };
        let renewing = shared.clone();
        let closed = self.closed();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(stream_cap::renew_every(lease));
            tokio::pin!(closed);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {
                        let now = Utc::now();
                        let until = now + chrono::TimeDelta::from_std(renewing.lease).unwrap_or_default();
                        if let Err(error) = renewing.leases.renew(renewing.instance, now, until).await {
                            tracing::warn!(%error, "renewing stream leases failed; will retry");
                        }
                    }
                    () = &mut closed => return,
                }
            }
        });
        self.shared = Some(shared);
        self
    }

    /// Ends every open stream (each sends `event: end`, so its client resumes elsewhere with
    /// `Last-Event-ID`) and refuses new ones: the instance is shutting down.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`StreamLimits::close_all`] was called (at once if it already was).
    pub(crate) fn closed(&self) -> impl std::future::Future<Output = ()> + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Whether the instance is shutting down.
    fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }

    /// Time between heartbeats (each also looks again for anything missed).
    pub(crate) fn heartbeat(&self) -> Duration {
        self.heartbeat
    }

    /// Takes one of `user`'s stream slots until the returned guard is dropped; 429 when none is left.
    pub(crate) async fn open(&self, user: UserId) -> Result<StreamSlot, DomainError> {
        self.take_everywhere(&[(Holder::User(user), self.max_per_user)])
            .await
    }

    /// Takes one of the slots anonymous readers of the shared `conversation` share, and one of
    /// those of everything `creator` (the link's creator) shares; 429 when either is used up (a
    /// leaked link cannot open streams without bound, nor can a member by sharing their own
    /// conversations).
    pub(crate) async fn open_shared(
        &self,
        conversation: ConversationId,
        creator: UserId,
    ) -> Result<StreamSlot, DomainError> {
        self.take_everywhere(&[
            (
                Holder::SharedConversation(conversation),
                self.max_per_shared_conversation,
            ),
            (Holder::SharedBy(creator), self.max_shared_per_creator),
        ])
        .await
    }

    /// Takes a slot of every holder here, then a lease on each across instances (when counted
    /// there); none when either refuses.
    async fn take_everywhere(&self, holders: &[(Holder, usize)]) -> Result<StreamSlot, DomainError> {
        let mut slot = self.take(holders)?;
        let Some(shared) = &self.shared else {
            return Ok(slot);
        };
        let lease = tenantry_domain::new_id();
        let now = Utc::now();
        let until = now + chrono::TimeDelta::from_std(shared.lease).unwrap_or_default();
        let keys: Vec<(String, usize)> = holders.iter().map(|(holder, max)| (holder.key(), *max)).collect();
        if shared
            .leases
            .take(lease, shared.instance, &keys, now, until)
            .await?
        {
            slot.lease = Some((shared.leases.clone(), lease));
            Ok(slot)
        } else {
            Err(DomainError::TooManyRequests {
                retry_after: self.heartbeat,
            })
        }
    }

    /// Takes a slot of every holder, or none.
    fn take(&self, holders: &[(Holder, usize)]) -> Result<StreamSlot, DomainError> {
        if self.is_closing() {
            return Err(DomainError::Unavailable(
                "this instance is shutting down; open the stream again".into(),
            ));
        }
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
            lease: None,
        })
    }
}

/// One open stream; its slots are given back when the stream ends.
pub(crate) struct StreamSlot {
    limits: StreamLimits,
    holders: Vec<Holder>,
    /// Its lease across instances, given back when it ends.
    lease: Option<(Arc<dyn StreamLeases>, Uuid)>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Some((leases, lease)) = self.lease.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            // Not given back (no runtime, a database error): it lapses after its period.
            runtime.spawn(async move {
                if let Err(error) = leases.release(lease).await {
                    tracing::debug!(%error, "releasing a stream lease failed; it will lapse");
                }
            });
        }
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

    #[tokio::test]
    async fn slots_are_bounded_per_user_and_come_back() {
        let limits = StreamLimits::new(2, 5, 5, Duration::from_secs(15));
        let (ann, bob) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let first = limits.open(ann).await.unwrap();
        let _second = limits.open(ann).await.unwrap();
        assert!(matches!(
            limits.open(ann).await,
            Err(DomainError::TooManyRequests { .. })
        ));
        assert!(limits.open(bob).await.is_ok());
        drop(first);
        assert!(limits.open(ann).await.is_ok());
    }

    #[tokio::test]
    async fn anonymous_readers_of_a_shared_conversation_share_their_own_bound() {
        let limits = StreamLimits::new(1, 2, 10, Duration::from_secs(15));
        let (shared, other, creator) = (
            tenantry_domain::new_id(),
            tenantry_domain::new_id(),
            tenantry_domain::new_id(),
        );
        let _first = limits.open_shared(shared, creator).await.unwrap();
        let _second = limits.open_shared(shared, creator).await.unwrap();
        assert!(matches!(
            limits.open_shared(shared, creator).await,
            Err(DomainError::TooManyRequests { .. })
        ));
        assert!(limits.open_shared(other, creator).await.is_ok());
    }

    #[tokio::test]
    async fn everything_one_member_shares_counts_against_one_bound() {
        let limits = StreamLimits::new(1, 2, 3, Duration::from_secs(15));
        let (ann, bob) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let (first, second) = (tenantry_domain::new_id(), tenantry_domain::new_id());
        let held = [
            limits.open_shared(first, ann).await.unwrap(),
            limits.open_shared(first, ann).await.unwrap(),
            limits.open_shared(second, ann).await.unwrap(),
        ];
        // The second conversation has slots of its own left; its creator has none.
        assert!(matches!(
            limits.open_shared(second, ann).await,
            Err(DomainError::TooManyRequests { .. })
        ));
        // A refusal takes nothing: the conversation's own count did not move.
        assert!(limits.open_shared(second, bob).await.is_ok());
        drop(held);
        assert!(limits.open_shared(second, ann).await.is_ok());
    }
}
