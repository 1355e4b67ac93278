//! Conversations, their event index and the purge queue, in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, Conversation, ConversationId, DomainError, OrgId, Role, UserId, Visibility,
    conversation_order::ConversationOrder,
    org_policy::MemberAccess,
    ports::{
        ConversationCursor, ConversationFilter, ConversationPatch, ConversationWindow, Conversations,
        EventIndex, EventSegment, PendingPurge, PurgeQueue, UsageReport,
    },
    spend::usage_charge::{UsageDelta, UsageTotals},
};

use crate::{MemoryStore, tables::Tables};

/// `reader`'s role in `org` with the org's access policy (`None`: a stranger).
fn access(tables: &Tables, org: OrgId, reader: UserId) -> Option<MemberAccess> {
    let role = tables.members.get(&(org, reader))?.role;
    let policy = tables
        .orgs
        .get(&org)
        .map(|org| org.policy.access)
        .unwrap_or_default();
    Some(MemberAccess { role, policy })
}

fn shown(conversation: &Conversation, filter: &ConversationFilter, role: Role) -> bool {
    let visible = if filter.mine {
        conversation.created_by == filter.reader
    } else {
        filter.private_visible_to.contains(&role)
            || conversation.visibility == Visibility::Org
            || conversation.created_by == filter.reader
    };
    fn matches<T: PartialEq>(wanted: &Option<T>, actual: &Option<T>) -> bool {
        wanted
            .as_ref()
            .is_none_or(|wanted| actual.as_ref() == Some(wanted))
    }
    let title_matches = filter.title_contains.as_ref().is_none_or(|text| {
        conversation
            .title
            .as_ref()
            .is_some_and(|title| title.to_lowercase().contains(&text.to_lowercase()))
    });
    visible
        && filter
            .sandbox
            .is_none_or(|sandbox| conversation.sandbox_id == Some(sandbox))
        && filter.created.contains(conversation.created_at)
        && filter.updated.contains(conversation.last_updated_at)
        && matches(&filter.execution_status, &conversation.execution_status)
        && matches(&filter.repository, &conversation.selected_repository)
        && title_matches
}

fn after(conversation: &Conversation, order: ConversationOrder, cursor: Option<ConversationCursor>) -> bool {
    cursor.is_none_or(|cursor| order.comes_after(conversation, &cursor))
}

#[async_trait]
impl Conversations for MemoryStore {
    async fn create(&self, conversation: &Conversation) -> Result<(), DomainError> {
        self.write(|tables| {
            if tables.conversations.contains_key(&conversation.id) {
                return Err(tenantry_domain::conversation::conversation_exists());
            }
            tables.conversations.insert(conversation.id, conversation.clone());
            Ok(())
        })
        .await
    }

    async fn get(&self, org: OrgId, id: ConversationId) -> Result<Option<Conversation>, DomainError> {
        Ok(self
            .read(|tables| tables.conversations.get(&id).cloned())
            .await
            .filter(|conversation| conversation.org_id == org))
    }

    async fn get_for(
        &self,
        org: OrgId,
        id: ConversationId,
        reader: UserId,
    ) -> Result<Option<(Conversation, Option<MemberAccess>)>, DomainError> {
        Ok(self
            .read(|tables| {
                let role = access(tables, org, reader);
                tables
                    .conversations
                    .get(&id)
                    .filter(|conversation| conversation.org_id == org)
                    .map(|conversation| (conversation.clone(), role))
            })
            .await)
    }

    async fn list_for(
        &self,
        org: OrgId,
        filter: &ConversationFilter,
        cursor: Option<ConversationCursor>,
        limit: u64,
    ) -> Result<(Option<MemberAccess>, Vec<Conversation>), DomainError> {
        let (access, mut page) = self
            .read(|tables| {
                let Some(access) = access(tables, org, filter.reader) else {
                    return (None, Vec::new());
                };
                let role = access.role;
                let page = tables
                    .conversations
                    .values()
                    .filter(|conversation| {
                        conversation.org_id == org
                            && shown(conversation, filter, role)
                            && after(conversation, filter.order, cursor)
                    })
                    .cloned()
                    .collect();
                (Some(access), page)
            })
            .await;
        page.sort_by_key(|conversation: &Conversation| std::cmp::Reverse(filter.order.key(conversation)));
        page.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((access, page))
    }

    async fn update(
        &self,
        org: OrgId,
        id: ConversationId,
        patch: &ConversationPatch,
        now: DateTime<Utc>,
    ) -> Result<Conversation, DomainError> {
        self.write(|tables| {
            let conversation = tables
                .conversations
                .get_mut(&id)
                .filter(|conversation| conversation.org_id == org)
                .ok_or(DomainError::NotFound)?;
            if let Some(title) = &patch.title {
                conversation.title.clone_from(title);
            }
            if let Some(visibility) = patch.visibility {
                conversation.visibility = visibility;
            }
            if let Some(branch) = &patch.selected_branch {
                conversation.selected_branch.clone_from(branch);
            }
            if let Some(numbers) = &patch.pr_number {
                conversation.pr_number.clone_from(numbers);
            }
            conversation.last_updated_at = now;
            Ok(conversation.clone())
        })
        .await
    }

    async fn delete(&self, org: OrgId, id: ConversationId, _now: DateTime<Utc>) -> Result<(), DomainError> {
        self.write(|tables| {
            if tables
                .conversations
                .get(&id)
                .is_none_or(|conversation| conversation.org_id != org)
            {
                return Err(DomainError::NotFound);
            }
            tables.conversations.remove(&id);
            tables.deleted_conversations.insert(id);
            tables.segments.remove(&id);
            tables.event_keys.retain(|(conversation, _)| *conversation != id);
            tables.purges.push(PendingPurge {
                org_id: org,
                conversation_id: Some(id),
            });
            Ok(())
        })
        .await
    }

    async fn reassign(
        &self,
        org: OrgId,
        id: ConversationId,
        to: UserId,
        audit: &AuditEntry,
    ) -> Result<Conversation, DomainError> {
        self.write(|tables| {
            let conversation = tables
                .conversations
                .get_mut(&id)
                .filter(|conversation| conversation.org_id == org)
                .ok_or(DomainError::NotFound)?;
            conversation.created_by = to;
            conversation.last_updated_at = audit.at;
            let reassigned = conversation.clone();
            tables.audit.push(audit.clone());
            Ok(reassigned)
        })
        .await
    }

    async fn restore_last_updated(
        &self,
        org: OrgId,
        id: ConversationId,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        self.write(|tables| {
            let conversation = tables
                .conversations
                .get_mut(&id)
                .filter(|conversation| conversation.org_id == org)
                .ok_or(DomainError::NotFound)?;
            conversation.last_updated_at = at;
            Ok(())
        })
        .await
    }

    async fn add_usage(
        &self,
        org: OrgId,
        id: ConversationId,
        usage: UsageReport,
        now: DateTime<Utc>,
    ) -> Result<(Conversation, Option<tenantry_domain::budget::SpendRecorded>), DomainError> {
        self.write(|tables| {
            let conversation = tables
                .conversations
                .get_mut(&id)
                .filter(|conversation| conversation.org_id == org)
                .ok_or(DomainError::NotFound)?;
            let add = tenantry_domain::usage_bounds::add_to_total;
            let mut next = conversation.clone();
            next.prompt_tokens = add(next.prompt_tokens, usage.prompt_tokens)?;
            next.completion_tokens = add(next.completion_tokens, usage.completion_tokens)?;
            next.total_tokens = next.prompt_tokens + next.completion_tokens;
            next.accumulated_cost = add(next.accumulated_cost, usage.cost)?;
            next.last_updated_at = now;
            let before = std::mem::replace(conversation, next.clone());
            let delta = UsageDelta::between(UsageTotals::of(&before), UsageTotals::of(&next));
            let recorded = crate::usage_counting::count_usage(tables, &next, delta, now);
            Ok((next, recorded))
        })
        .await
    }
}

#[async_trait]
impl EventIndex for MemoryStore {
    async fn segments(
        &self,
        org: OrgId,
        id: ConversationId,
        start: i64,
        limit: i64,
    ) -> Result<Vec<EventSegment>, DomainError> {
        let mut segments: Vec<EventSegment> = self
            .read(|tables| {
                tables
                    .segments
                    .get(&id)
                    .into_iter()
                    .flatten()
                    .filter(|(first, last, _)| *first < start + limit && *last >= start)
                    .map(|&(first_id, last_id, object)| EventSegment {
                        org_id: org,
                        conversation_id: id,
                        first_id,
                        last_id,
                        object,
                    })
                    .collect()
            })
            .await;
        segments.sort_by_key(|segment| segment.first_id);
        Ok(segments)
    }

    async fn recorded_batches(
        &self,
        batches: &[(ConversationId, uuid::Uuid)],
    ) -> Result<std::collections::HashSet<uuid::Uuid>, DomainError> {
        Ok(self
            .read(|tables| {
                batches
                    .iter()
                    .filter(|(conversation, name)| {
                        tables.segments.get(conversation).is_some_and(|segments| {
                            segments.iter().any(|(_, _, object)| *object == Some(*name))
                        })
                    })
                    .map(|(_, name)| *name)
                    .collect()
            })
            .await)
    }

    async fn window_for(
        &self,
        org: OrgId,
        id: ConversationId,
        reader: UserId,
        start: i64,
        limit: i64,
    ) -> Result<Option<ConversationWindow>, DomainError> {
        let Some((conversation, role)) = self.get_for(org, id, reader).await? else {
            return Ok(None);
        };
        let end = start.saturating_add(limit).min(conversation.event_count);
        let segments = self
            .segments(org, id, start, end - start)
            .await?
            .into_iter()
            .filter(|segment| segment.first_id < end)
            .collect();
        Ok(Some(ConversationWindow {
            conversation,
            role,
            segments,
        }))
    }
}

#[async_trait]
impl PurgeQueue for MemoryStore {
    async fn pending_purges(&self, limit: u64) -> Result<Vec<PendingPurge>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .purges
                    .iter()
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .copied()
                    .collect()
            })
            .await)
    }

    async fn purge_done(&self, purge: PendingPurge) -> Result<(), DomainError> {
        self.write(|tables| tables.purges.retain(|pending| *pending != purge))
            .await;
        Ok(())
    }
}
