//! How many live streams each user holds open on this instance, bounded.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use tenantry_domain::{DomainError, UserId};

/// Open-stream counts per user, and how streams behave.
#[derive(Debug, Clone)]
pub struct StreamLimits {
    open: Arc<Mutex<HashMap<UserId, usize>>>,
    max_per_user: usize,
    heartbeat: Duration,
}

impl StreamLimits {
    /// At most `max_per_user` open streams per user; a heartbeat every `heartbeat`.
    pub fn new(max_per_user: usize, heartbeat: Duration) -> Self {
        Self {
            open: Arc::default(),
            max_per_user,
            heartbeat,
        }
    }

    /// Time between heartbeats (each also looks again for anything missed).
    pub(crate) fn heartbeat(&self) -> Duration {
        self.heartbeat
    }

    /// Takes one of `user`'s stream slots until the returned guard is dropped; 429 when none is left.
    pub(crate) fn open(&self, user: UserId) -> Result<StreamSlot, DomainError> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(user).or_default();
        if *count >= self.max_per_user {
            return Err(DomainError::TooManyRequests {
                retry_after: self.heartbeat,
            });
        }
        *count += 1;
        Ok(StreamSlot {
            limits: self.clone(),
            user,
        })
    }
}

/// One open stream; its slot is given back when the stream ends.
pub(crate) struct StreamSlot {
    limits: StreamLimits,
    user: UserId,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_user_and_come_back() {
        let limits = StreamLimits::new(2, Duration::from_secs(15));
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
}
