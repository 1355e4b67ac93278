//! Conversation start tasks, in memory.

use async_trait::async_trait;
use tenantry_domain::{
    DomainError, OrgId,
    ports::{StartTaskFilter, StartTaskStore},
    start_task::StartTask,
};
use uuid::Uuid;

use crate::MemoryStore;

fn selected(filter: &StartTaskFilter, task: &StartTask) -> bool {
    task.org_id == filter.org
        && task.created_by == filter.creator
        && filter
            .conversation
            .is_none_or(|conversation| task.conversation_id == Some(conversation))
        && filter.created_from.is_none_or(|from| task.created_at >= from)
}

#[async_trait]
impl StartTaskStore for MemoryStore {
    async fn insert(&self, task: &StartTask) -> Result<(), DomainError> {
        self.write(|tables| tables.start_tasks.insert(task.id, task.clone()))
            .await;
        Ok(())
    }

    async fn update(&self, task: &StartTask) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(stored) = tables.start_tasks.get_mut(&task.id) {
                *stored = StartTask {
                    request: stored.request.clone(),
                    ..task.clone()
                };
            }
        })
        .await;
        Ok(())
    }

    async fn get_many(&self, org: OrgId, ids: &[Uuid]) -> Result<Vec<StartTask>, DomainError> {
        Ok(self
            .read(|tables| {
                ids.iter()
                    .filter_map(|id| tables.start_tasks.get(id))
                    .filter(|task| task.org_id == org)
                    .cloned()
                    .collect()
            })
            .await)
    }

    async fn search(
        &self,
        filter: &StartTaskFilter,
        oldest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<StartTask>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut found: Vec<StartTask> = tables
                    .start_tasks
                    .values()
                    .filter(|task| selected(filter, task))
                    .cloned()
                    .collect();
                found.sort_by_key(|task| (task.created_at, task.id));
                if !oldest_first {
                    found.reverse();
                }
                found
                    .into_iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .collect()
            })
            .await)
    }

    async fn count(&self, filter: &StartTaskFilter) -> Result<u64, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .start_tasks
                    .values()
                    .filter(|task| selected(filter, task))
                    .count() as u64
            })
            .await)
    }
}
