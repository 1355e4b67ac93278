//! Appends a client can retry safely: a batch sent with an idempotency key is appended once; the
//! same key again (a retry after a timeout, a 503 or a reset) answers the ids the first one got.

use crate::{DomainError, ports::AppendedRange};

/// A client's key for one batch of events: 1 to 255 visible ASCII characters, unique per
/// conversation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Validates a key as sent in the `Idempotency-Key` header.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let valid = (1..=255).contains(&raw.len()) && raw.bytes().all(|byte| byte.is_ascii_graphic());
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ))
        }
    }

    /// The key as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a batch whose key was used before gets: the ids the first batch got, when it is the same
/// size; a key reused for a batch of another size is a client error (`idempotency_key_reused`).
pub fn replay(earlier: AppendedRange, count: usize) -> Result<AppendedRange, DomainError> {
    let earlier_count = earlier.last_id - earlier.first_id + 1;
    if i64::try_from(count).ok() == Some(earlier_count) {
        Ok(earlier)
    } else {
        Err(DomainError::conflict(
            "idempotency_key_reused",
            format!(
                "This idempotency key was used for a batch of {earlier_count} events: use a new key \
                 for another batch."
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255_characters() {
        assert!(IdempotencyKey::parse("batch-7f3a/2026-12-05T12:00:00Z").is_ok());
        for bad in ["", "with space", "tab\there", "é", &"k".repeat(256)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_replay_answers_the_first_ids_for_a_batch_of_the_same_size_only() {
        let earlier = AppendedRange {
            first_id: 4,
            last_id: 6,
        };
        assert_eq!(replay(earlier, 3).expect("same size"), earlier);
        assert!(matches!(
            replay(earlier, 2),
            Err(DomainError::Conflict {
                code: "idempotency_key_reused",
                ..
            })
        ));
    }
}
