//! The org store: orgs, memberships, invitations and the audit log.

pub(crate) mod audit;
pub(crate) mod invitations;
mod members;
mod orgs;
pub(crate) mod rows;

use crate::SqlDatabase;

/// Orgs, the member directory and the audit log on SQL.
#[derive(Debug, Clone)]
pub struct SqlOrgStore {
    db: SqlDatabase,
}

impl SqlOrgStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

mod port {
    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use tenantry_domain::{
        AuditEntry, DomainError, Invitation, Org, OrgId, UserId,
        ports::{AuditFilter, AuditLog, Change, MemberDirectory, MemberView, Membership, OrgPatch, Orgs},
    };

    use super::{SqlOrgStore, audit, invitations, members, orgs};

    #[async_trait]
    impl AuditLog for SqlOrgStore {
        async fn record(&self, entry: AuditEntry) -> Result<(), DomainError> {
            audit::record(&self.db.conn, entry).await
        }

        async fn entries(
            &self,
            org: OrgId,
            filter: &AuditFilter,
            limit: u64,
        ) -> Result<Vec<AuditEntry>, DomainError> {
            audit::list(&self.db.conn, org, filter, limit).await
        }
    }

    #[async_trait]
    impl Orgs for SqlOrgStore {
        async fn create_org(&self, org: &Org, change: Change) -> Result<(), DomainError> {
            orgs::create(&self.db, org, change).await
        }

        async fn orgs_of(&self, user: UserId) -> Result<Vec<Membership>, DomainError> {
            orgs::of_user(&self.db, user).await
        }

        async fn membership(&self, org: OrgId, user: UserId) -> Result<Option<Membership>, DomainError> {
            orgs::membership(&self.db, org, user).await
        }

        async fn update_org(&self, org: OrgId, patch: &OrgPatch, change: Change) -> Result<Org, DomainError> {
            orgs::update(&self.db, org, patch, change).await
        }

        async fn delete_org(&self, org: OrgId, change: Change) -> Result<(), DomainError> {
            orgs::delete(&self.db, org, change).await
        }

        async fn set_current_org(&self, user: UserId, org: OrgId) -> Result<(), DomainError> {
            orgs::set_current(&self.db, user, org).await
        }
    }

    #[async_trait]
    impl MemberDirectory for SqlOrgStore {
        async fn members(&self, org: OrgId) -> Result<Vec<MemberView>, DomainError> {
            members::list(&self.db, org).await
        }

        async fn pending_invitations(
            &self,
            org: OrgId,
            now: DateTime<Utc>,
        ) -> Result<Vec<Invitation>, DomainError> {
            invitations::pending(&self.db, org, now).await
        }
    }
}
