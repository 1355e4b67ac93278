//! Share links of conversations and single-use stream tickets.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use tenantry_domain::{
    AuditEntry, ConversationId, DomainError, OrgId,
    ports::{ConversationShares, StreamTicket, StreamTickets},
    share::ConversationShare,
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::{conversation_shares, stream_tickets},
    errors::db_error,
    org_store::audit,
    transaction::begin_write,
};

/// [`ConversationShares`] and [`StreamTickets`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlShareStore {
    db: SqlDatabase,
}

impl SqlShareStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn share_from_row(row: conversation_shares::Model) -> ConversationShare {
    ConversationShare {
        id: row.id,
        org_id: row.org_id,
        conversation_id: row.conversation_id,
        created_by: row.created_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
    }
}

#[async_trait]
impl ConversationShares for SqlShareStore {
    async fn create(
        &self,
        share: &ConversationShare,
        token_digest: &str,
        audit_entry: &AuditEntry,
    ) -> Result<(), DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        conversation_shares::Entity::insert(conversation_shares::ActiveModel {
            id: Set(share.id),
            org_id: Set(share.org_id),
            conversation_id: Set(share.conversation_id),
            token_digest: Set(token_digest.to_owned()),
            created_by: Set(share.created_by),
            created_at: Set(share.created_at),
            expires_at: Set(share.expires_at),
            revoked_at: Set(share.revoked_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_error)?;
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn list(
        &self,
        org: OrgId,
        conversation: ConversationId,
    ) -> Result<Vec<ConversationShare>, DomainError> {
        use conversation_shares::Column;
        Ok(conversation_shares::Entity::find()
            .filter(Column::OrgId.eq(org))
            .filter(Column::ConversationId.eq(conversation))
            .filter(Column::RevokedAt.is_null())
            .order_by_desc(Column::Id)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(share_from_row)
            .collect())
    }

    async fn revoke(
        &self,
        org: OrgId,
        conversation: ConversationId,
        id: Uuid,
        audit_entry: &AuditEntry,
    ) -> Result<bool, DomainError> {
        use conversation_shares::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        let revoked = conversation_shares::Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(audit_entry.at))
            .filter(Column::Id.eq(id))
            .filter(Column::OrgId.eq(org))
            .filter(Column::ConversationId.eq(conversation))
            .filter(Column::RevokedAt.is_null())
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if revoked.rows_affected != 1 {
            return Ok(false);
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn by_digest(&self, token_digest: &str) -> Result<Option<ConversationShare>, DomainError> {
        Ok(conversation_shares::Entity::find()
            .filter(conversation_shares::Column::TokenDigest.eq(token_digest))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(share_from_row))
    }
}

#[async_trait]
impl StreamTickets for SqlShareStore {
    async fn issue(&self, ticket: &StreamTicket, token_digest: &str) -> Result<(), DomainError> {
        stream_tickets::Entity::insert(stream_tickets::ActiveModel {
            token_digest: Set(token_digest.to_owned()),
            user_id: Set(ticket.user_id),
            session_id: Set(ticket.session_id),
            org_id: Set(ticket.org_id),
            conversation_id: Set(ticket.conversation_id),
            expires_at: Set(ticket.expires_at),
            used_at: Set(None),
        })
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn redeem(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<StreamTicket>, DomainError> {
        use stream_tickets::Column;
        // The conditional update is the arbiter: of two concurrent redemptions exactly one spends it.
        let spent = stream_tickets::Entity::update_many()
            .col_expr(Column::UsedAt, Expr::value(now))
            .filter(Column::TokenDigest.eq(token_digest))
            .filter(Column::UsedAt.is_null())
            .filter(Column::ExpiresAt.gt(now))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        if spent.rows_affected != 1 {
            return Ok(None);
        }
        Ok(stream_tickets::Entity::find_by_id(token_digest.to_owned())
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(|row| StreamTicket {
                user_id: row.user_id,
                session_id: row.session_id,
                org_id: row.org_id,
                conversation_id: row.conversation_id,
                expires_at: row.expires_at,
            }))
    }
}
