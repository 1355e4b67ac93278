//! Identifier types. Every id is a UUID; v7 keeps them time-ordered so they index well.

use uuid::Uuid;

/// Identifies a [`crate::User`].
pub type UserId = Uuid;
/// Identifies an [`crate::Org`].
pub type OrgId = Uuid;
/// Identifies a [`crate::Conversation`].
pub type ConversationId = Uuid;

/// A fresh time-ordered identifier.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
