use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use tenantry_domain::{
    DomainError, Email, Invitation, OrgId, UserId,
    ports::{InvitationRows, OpenInvitation},
};
use uuid::Uuid;

use super::SqlTransaction;
use crate::{
    entities::invitations,
    errors::db_error,
    org_store::invitations::{invitation_from_row, pending_filter},
};

/// Invitations neither accepted nor revoked.
fn open() -> sea_orm::Select<invitations::Entity> {
    invitations::Entity::find()
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
}

#[async_trait]
impl InvitationRows for SqlTransaction {
    async fn lock_open_by_digest(&self, token_digest: &str) -> Result<Option<OpenInvitation>, DomainError> {
        let Some(row) = open()
            .filter(invitations::Column::TokenDigest.eq(token_digest))
            .lock_exclusive()
            .one(&self.txn)
            .await
            .map_err(db_error)?
        else {
            return Ok(None);
        };
        let inviter = row.invited_by;
        Ok(Some(OpenInvitation {
            invitation: invitation_from_row(row)?,
            inviter,
        }))
    }

    async fn pending_for(&self, org: OrgId, email: &Email, now: DateTime<Utc>) -> Result<bool, DomainError> {
        Ok(pending_filter(org, now)
            .filter(invitations::Column::Email.eq(email.as_str()))
            .one(&self.txn)
            .await
            .map_err(db_error)?
            .is_some())
    }

    async fn insert(&self, invitation: &Invitation, token_digest: &str) -> Result<(), DomainError> {
        invitations::Entity::insert(invitations::ActiveModel {
            id: Set(invitation.id),
            org_id: Set(invitation.org_id),
            email: Set(invitation.email.as_str().to_owned()),
            role: Set(invitation.role.name().to_owned()),
            token_digest: Set(token_digest.to_owned()),
            invited_by: Set(Some(invitation.invited_by)),
            created_at: Set(invitation.created_at),
            expires_at: Set(invitation.expires_at),
            accepted_at: Set(None),
            accepted_by: Set(None),
            revoked_at: Set(None),
        })
        .exec_without_returning(&self.txn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn mark_accepted(&self, id: Uuid, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError> {
        invitations::Entity::update_many()
            .col_expr(invitations::Column::AcceptedAt, Expr::value(at))
            .col_expr(invitations::Column::AcceptedBy, Expr::value(user))
            .filter(invitations::Column::Id.eq(id))
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn revoke(&self, org: OrgId, id: Uuid, at: DateTime<Utc>) -> Result<bool, DomainError> {
        let revoked = invitations::Entity::update_many()
            .col_expr(invitations::Column::RevokedAt, Expr::value(at))
            .filter(invitations::Column::Id.eq(id))
            .filter(invitations::Column::OrgId.eq(org))
            .filter(invitations::Column::AcceptedAt.is_null())
            .filter(invitations::Column::RevokedAt.is_null())
            .exec(&self.txn)
            .await
            .map_err(db_error)?;
        Ok(revoked.rows_affected > 0)
    }

    async fn revoke_sent_by(
        &self,
        org: OrgId,
        inviter: UserId,
        at: DateTime<Utc>,
    ) -> Result<u64, DomainError> {
        Ok(invitations::Entity::update_many()
            .col_expr(invitations::Column::RevokedAt, Expr::value(at))
            .filter(invitations::Column::OrgId.eq(org))
            .filter(invitations::Column::InvitedBy.eq(inviter))
            .filter(invitations::Column::AcceptedAt.is_null())
            .filter(invitations::Column::RevokedAt.is_null())
            .exec(&self.txn)
            .await
            .map_err(db_error)?
            .rows_affected)
    }
}
