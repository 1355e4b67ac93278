//! The orders a conversation list is walked in, and which one a full walk can trust.
//!
//! `updated` (latest activity first) is what a live list wants, but its key moves: a conversation
//! updated during a walk jumps ahead of the cursor and is skipped, and one updated behind it comes
//! round again. `created` keys on what never changes, `(created_at, id)`: a walk over every page
//! sees each conversation that existed when it began exactly once, whatever changes meanwhile
//! (ones created during the walk sort before its cursor and are not part of it). Exports, syncs and
//! anything that must see every conversation page by `created`.

use chrono::{DateTime, Utc};

use crate::{Conversation, ConversationId, DomainError, ports::ConversationCursor};

/// How a conversation list is ordered (newest first either way, ties by id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ConversationOrder {
    /// By `last_updated_at`: latest activity first; the key moves while conversations change.
    #[default]
    Updated,
    /// By `created_at`: never moves, so a walk sees every conversation once.
    Created,
}

impl ConversationOrder {
    /// Every order, as the API names them.
    pub const ALL: [Self; 2] = [Self::Updated, Self::Created];

    /// The order named `name` (`updated` or `created`).
    pub fn parse(name: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|order| order.name() == name)
            .ok_or_else(|| DomainError::invalid("order", "must be updated or created"))
    }

    /// The API's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Created => "created",
        }
    }

    /// The key a conversation sorts by (descending) in this order.
    pub fn key(self, conversation: &Conversation) -> (DateTime<Utc>, ConversationId) {
        let at = match self {
            Self::Updated => conversation.last_updated_at,
            Self::Created => conversation.created_at,
        };
        (at, conversation.id)
    }

    /// Where a page that ended with `last` continues.
    pub fn cursor_after(self, last: &Conversation) -> ConversationCursor {
        let (at, id) = self.key(last);
        ConversationCursor { order: self, at, id }
    }

    /// Whether `conversation` comes after `cursor` in a walk in this order.
    pub fn comes_after(self, conversation: &Conversation, cursor: &ConversationCursor) -> bool {
        self.key(conversation) < (cursor.at, cursor.id)
    }

    /// The cursor, if it was made for this order (a cursor carries its order: one from another
    /// order would continue at an unrelated point).
    pub fn accept(self, cursor: ConversationCursor) -> Result<ConversationCursor, DomainError> {
        if cursor.order == self {
            Ok(cursor)
        } else {
            Err(DomainError::invalid(
                "cursor",
                format!(
                    "continues a list in {} order, not {}",
                    cursor.order.name(),
                    self.name()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::{Visibility, new_id};

    fn conversation(created_secs: i64, updated_secs: i64) -> Conversation {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        Conversation {
            id: new_id(),
            org_id: new_id(),
            created_by: new_id(),
            title: None,
            selected_repository: None,
            selected_branch: None,
            git_provider: None,
            trigger: None,
            llm_model: None,
            visibility: Visibility::Org,
            pr_number: Vec::new(),
            accumulated_cost: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            total_tokens: 0,
            event_count: 0,
            sandbox_id: None,
            execution_status: None,
            created_at: epoch + Duration::seconds(created_secs),
            last_updated_at: epoch + Duration::seconds(updated_secs),
            over_budget: false,
        }
    }

    #[test]
    fn names_round_trip_and_others_are_refused() {
        for order in ConversationOrder::ALL {
            assert_eq!(ConversationOrder::parse(order.name()).unwrap(), order);
        }
        assert!(ConversationOrder::parse("title").is_err());
    }

    #[test]
    fn a_walk_by_creation_is_unmoved_by_updates_and_by_update_is_not() {
        let first = conversation(1, 1);
        let mut second = conversation(2, 2);
        let cursor = |order: ConversationOrder| order.cursor_after(&second.clone());
        let (by_created, by_updated) = (
            cursor(ConversationOrder::Created),
            cursor(ConversationOrder::Updated),
        );
        // `first` is yet to come; then it is updated while the walk is between pages.
        let mut updated_first = first.clone();
        updated_first.last_updated_at = DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(9);
        assert!(ConversationOrder::Created.comes_after(&updated_first, &by_created));
        assert!(!ConversationOrder::Updated.comes_after(&updated_first, &by_updated));
        second.last_updated_at = DateTime::<Utc>::UNIX_EPOCH;
        assert!(!ConversationOrder::Created.comes_after(&second, &by_created));
    }

    #[test]
    fn a_cursor_only_continues_its_own_order() {
        let last = conversation(1, 2);
        let cursor = ConversationOrder::Created.cursor_after(&last);
        assert!(ConversationOrder::Created.accept(cursor).is_ok());
        assert!(ConversationOrder::Updated.accept(cursor).is_err());
    }
}
