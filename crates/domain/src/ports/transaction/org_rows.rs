use async_trait::async_trait;

use crate::{DomainError, Org, OrgId, UserId};

/// Orgs, inside a transaction.
#[async_trait]
pub trait OrgRows: Send + Sync {
    /// Reads the org and locks it until the end of the transaction: every membership change locks
    /// its org first, so concurrent changes to one org are decided one after the other. `NotFound`
    /// when the org is gone.
    async fn lock(&self, org: OrgId) -> Result<Org, DomainError>;

    /// The user's personal org, if they still have one.
    async fn personal_org_of(&self, user: UserId) -> Result<Option<OrgId>, DomainError>;
}
