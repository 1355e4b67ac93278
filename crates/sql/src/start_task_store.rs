//! Conversation start tasks on SQL.

use async_trait::async_trait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use tenantry_domain::{
    DomainError, OrgId,
    ports::{StartTaskFilter, StartTaskStore},
    start_task::{StartTask, StartTaskStatus},
};
use uuid::Uuid;

use crate::{SqlDatabase, entities::conversation_start_tasks as tasks, errors::db_error};

/// [`StartTaskStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlStartTaskStore {
    db: SqlDatabase,
}

impl SqlStartTaskStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn from_row(row: tasks::Model) -> Result<StartTask, DomainError> {
    Ok(StartTask {
        id: row.id,
        org_id: row.org_id,
        created_by: row.created_by,
        status: StartTaskStatus::parse(&row.status)
            .ok_or_else(|| DomainError::Internal(format!("unknown start task status {:?}", row.status)))?,
        detail: row.detail,
        conversation_id: row.conversation_id,
        sandbox_id: row.sandbox_id,
        request: row.request,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn filtered(filter: &StartTaskFilter) -> Select<tasks::Entity> {
    let mut query = tasks::Entity::find()
        .filter(tasks::Column::OrgId.eq(filter.org))
        .filter(tasks::Column::CreatedBy.eq(filter.creator));
    if let Some(conversation) = filter.conversation {
        query = query.filter(tasks::Column::ConversationId.eq(conversation));
    }
    if let Some(from) = filter.created_from {
        query = query.filter(tasks::Column::CreatedAt.gte(from));
    }
    query
}

#[async_trait]
impl StartTaskStore for SqlStartTaskStore {
    async fn insert(&self, task: &StartTask) -> Result<(), DomainError> {
        tasks::Entity::insert(tasks::ActiveModel {
            id: Set(task.id),
            org_id: Set(task.org_id),
            created_by: Set(task.created_by),
            status: Set(task.status.name().to_owned()),
            detail: Set(task.detail.clone()),
            conversation_id: Set(task.conversation_id),
            sandbox_id: Set(task.sandbox_id),
            request: Set(task.request.clone()),
            created_at: Set(task.created_at),
            updated_at: Set(task.updated_at),
        })
        .exec_without_returning(&self.db.conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn update(&self, task: &StartTask) -> Result<(), DomainError> {
        tasks::Entity::update_many()
            .set(tasks::ActiveModel {
                status: Set(task.status.name().to_owned()),
                detail: Set(task.detail.clone()),
                conversation_id: Set(task.conversation_id),
                sandbox_id: Set(task.sandbox_id),
                updated_at: Set(task.updated_at),
                ..Default::default()
            })
            .filter(tasks::Column::Id.eq(task.id))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn get_many(&self, org: OrgId, ids: &[Uuid]) -> Result<Vec<StartTask>, DomainError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        tasks::Entity::find()
            .filter(tasks::Column::OrgId.eq(org))
            .filter(tasks::Column::Id.is_in(ids.to_vec()))
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    async fn search(
        &self,
        filter: &StartTaskFilter,
        oldest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<StartTask>, DomainError> {
        let query = filtered(filter);
        let query = if oldest_first {
            query
                .order_by_asc(tasks::Column::CreatedAt)
                .order_by_asc(tasks::Column::Id)
        } else {
            query
                .order_by_desc(tasks::Column::CreatedAt)
                .order_by_desc(tasks::Column::Id)
        };
        query
            .offset(offset)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    async fn count(&self, filter: &StartTaskFilter) -> Result<u64, DomainError> {
        filtered(filter).count(&self.db.conn).await.map_err(db_error)
    }
}
