//! The org store: orgs, memberships, invitations and the audit log.

pub(crate) mod audit;
mod invitations;
mod members;
mod orgs;
mod rows;

use crate::SqlDatabase;

/// [`OrgStore`](tenantry_domain::ports::OrgStore) on SQL.
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
        AuditEntry, DomainError, Invitation, Org, OrgId, Role, User, UserId,
        invitation_acceptance::JoiningPolicy,
        ports::{Change, MemberView, Membership, OrgPatch, OrgStore},
    };
    use uuid::Uuid;

    use super::{SqlOrgStore, audit, invitations, members, orgs};

    #[async_trait]
    impl tenantry_domain::ports::AuditLog for SqlOrgStore {
        async fn record(&self, entry: AuditEntry) -> Result<(), DomainError> {
            audit::record(&self.db.conn, entry).await
        }
    }

    #[async_trait]
    impl OrgStore for SqlOrgStore {
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

        async fn transfer_ownership(
            &self,
            org: OrgId,
            to: UserId,
            change: Change,
        ) -> Result<(), DomainError> {
            members::transfer_ownership(&self.db, org, to, change).await
        }

        async fn members(&self, org: OrgId) -> Result<Vec<MemberView>, DomainError> {
            members::list(&self.db, org).await
        }

        async fn add_member(
            &self,
            org: OrgId,
            user: UserId,
            role: Role,
            change: Change,
        ) -> Result<MemberView, DomainError> {
            members::add(&self.db, org, user, role, change).await
        }

        async fn change_role(
            &self,
            org: OrgId,
            target: UserId,
            role: Role,
            change: Change,
        ) -> Result<MemberView, DomainError> {
            members::change_role(&self.db, org, target, role, change).await
        }

        async fn remove_member(&self, org: OrgId, target: UserId, change: Change) -> Result<(), DomainError> {
            members::remove(&self.db, org, target, change).await
        }

        async fn create_invitation(
            &self,
            invitation: &Invitation,
            token_digest: &str,
            change: Change,
        ) -> Result<(), DomainError> {
            invitations::create(&self.db, invitation, token_digest, change).await
        }

        async fn pending_invitations(
            &self,
            org: OrgId,
            now: DateTime<Utc>,
        ) -> Result<Vec<Invitation>, DomainError> {
            invitations::pending(&self.db, org, now).await
        }

        async fn revoke_invitation(&self, org: OrgId, id: Uuid, change: Change) -> Result<(), DomainError> {
            invitations::revoke(&self.db, org, id, change).await
        }

        async fn accept_invitation(
            &self,
            token_digest: &str,
            user: &User,
            policy: JoiningPolicy,
            at: DateTime<Utc>,
        ) -> Result<MemberView, DomainError> {
            invitations::accept(&self.db, token_digest, user, policy, at).await
        }

        async fn audit_log(
            &self,
            org: OrgId,
            before: Option<Uuid>,
            limit: u64,
        ) -> Result<Vec<AuditEntry>, DomainError> {
            audit::list(&self.db.conn, org, before, limit).await
        }
    }
}
