//! What the retention sweep reads and deletes, on SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Map, Value};
use tenantry_domain::{AuditEntry, ConversationId, DomainError, OrgId, ports::RetentionStore};
use uuid::Uuid;

use crate::{
    SqlConversationStore,
    conversation_store::{in_org, record_deletion},
    entities::{conversations, settings},
    errors::{corrupt, db_error},
    org_store::audit,
    transaction::begin_write,
};

#[async_trait]
impl RetentionStore for SqlConversationStore {
    async fn org_settings_after(
        &self,
        after: Option<OrgId>,
        limit: u64,
    ) -> Result<Vec<(OrgId, Map<String, Value>)>, DomainError> {
        let mut query = settings::Entity::find()
            // Org-level rows; members' overrides name the member.
            .filter(settings::Column::Subject.eq(Uuid::nil()))
            .order_by_asc(settings::Column::OrgId)
            .limit(limit);
        if let Some(after) = after {
            query = query.filter(settings::Column::OrgId.gt(after));
        }
        query
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|row| match row.values {
                Value::Object(values) => Ok((row.org_id, values)),
                _ => Err(corrupt("org settings")),
            })
            .collect()
    }

    async fn idle_conversations(
        &self,
        org: OrgId,
        idle_before: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ConversationId>, DomainError> {
        use conversations::Column;
        conversations::Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::OrgId.eq(org))
            .filter(Column::LastUpdatedAt.lt(idle_before))
            .order_by_asc(Column::LastUpdatedAt)
            .limit(limit)
            .into_tuple::<Uuid>()
            .all(&self.db.conn)
            .await
            .map_err(db_error)
    }

    async fn expire(
        &self,
        org: OrgId,
        id: ConversationId,
        idle_before: DateTime<Utc>,
        audit_entry: &AuditEntry,
    ) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        // The condition is checked again on the row as it is when the delete takes its lock: an
        // append that committed meanwhile moved `last_updated_at` and keeps the conversation.
        let deleted = conversations::Entity::delete_many()
            .filter(in_org(org, id))
            .filter(conversations::Column::LastUpdatedAt.lt(idle_before))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if deleted.rows_affected == 0 {
            txn.rollback().await.map_err(db_error)?;
            return Ok(false);
        }
        record_deletion(&txn, org, id, audit_entry.at).await?;
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }
}
