use async_trait::async_trait;

use crate::{DomainError, Org, OrgId, UserId, orgs::org::OrgName};

/// Orgs, inside a transaction.
#[async_trait]
pub trait OrgRows: Send + Sync {
    /// Reads the org and locks it until the end of the transaction: every membership change locks
    /// its org first, so concurrent changes to one org are decided one after the other. `NotFound`
    /// when the org is gone.
    async fn lock(&self, org: OrgId) -> Result<Org, DomainError>;

    /// The shared org named `name` (compared as org names are unique: case-insensitively).
    async fn shared_org_named(&self, name: &OrgName) -> Result<Option<OrgId>, DomainError>;

    /// The org marked as the install's default org, if one is.
    async fn marked_default_org(&self) -> Result<Option<OrgId>, DomainError>;

    /// Inserts a shared org with no members yet, marked as the install's default org; a taken name
    /// is `Conflict { code: "org_name_taken" }`.
    async fn insert_default_org(&self, org: &Org) -> Result<(), DomainError>;

    /// The user's personal org, if they still have one.
    async fn personal_org_of(&self, user: UserId) -> Result<Option<OrgId>, DomainError>;
}
