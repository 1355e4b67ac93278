use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{DomainError, OrgId, UserId};

/// Users, inside a transaction.
#[async_trait]
pub trait UserRows: Send + Sync {
    /// The user's current org.
    async fn current_org(&self, user: UserId) -> Result<Option<OrgId>, DomainError>;

    /// Sets (or clears) the user's current org.
    async fn set_current_org(
        &self,
        user: UserId,
        org: Option<OrgId>,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Takes the install-wide lock superadmin changes (and first registrations) queue on, until
    /// the end of the transaction.
    async fn lock_superadmins(&self) -> Result<(), DomainError>;

    /// Whether the install has any account.
    async fn any_account(&self) -> Result<bool, DomainError>;

    /// The superadmin whose account is oldest, if there is one.
    async fn oldest_superadmin(&self) -> Result<Option<UserId>, DomainError>;

    /// How many superadmins there are besides `user`.
    async fn superadmins_besides(&self, user: UserId) -> Result<u64, DomainError>;

    /// Grants or revokes superadmin; `false` when there is no such user.
    async fn set_superadmin(&self, user: UserId, superadmin: bool) -> Result<bool, DomainError>;
}
