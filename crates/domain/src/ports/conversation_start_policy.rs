use async_trait::async_trait;

use crate::{ConversationId, DomainError, OrgId, UserId};

/// Consulted before an agent starts or continues a conversation (budgets, quotas). An error refuses
/// it and is answered as it is.
#[async_trait]
pub trait ConversationStartPolicy: Send + Sync {
    /// May `user` start a conversation in `org` (`conversation: None`) or continue this one?
    async fn check(
        &self,
        org: OrgId,
        user: UserId,
        conversation: Option<ConversationId>,
    ) -> Result<(), DomainError>;
}

/// Allows everything: the default until a policy is configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAllConversations;

#[async_trait]
impl ConversationStartPolicy for AllowAllConversations {
    async fn check(&self, _: OrgId, _: UserId, _: Option<ConversationId>) -> Result<(), DomainError> {
        Ok(())
    }
}
