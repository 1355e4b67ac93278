//! Event ids: dense per conversation, never skipped, visible only once stored.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tenantry_domain::{DomainError, event_ids, new_id};

use crate::world::World;

#[tokio::test]
async fn concurrent_appends_get_dense_ids_without_gaps() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    let appends = (0..20).map(|batch| {
        let events = (0..3).map(|n| json!({ "batch": batch, "n": n })).collect();
        world
            .conversations
            .append_events(&dev.caller, org, conversation.id, events)
    });
    let mut ranges: Vec<_> = futures::future::join_all(appends)
        .await
        .into_iter()
        .map(|range| range.unwrap())
        .collect();
    ranges.sort_by_key(|range| range.first_id);
    for (index, range) in ranges.iter().enumerate() {
        assert_eq!(range.first_id, index as i64 * 3);
        assert_eq!(range.last_id, range.first_id + 2);
    }
    let page = world
        .conversations
        .read_events(&dev.caller, org, conversation.id, 0, 1000)
        .await
        .unwrap();
    let ids: Vec<i64> = page.items.iter().map(|event| event.id).collect();
    assert_eq!(ids, (0..60).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_failed_store_write_allocates_nothing() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    world.events.set_down(true);
    let failed = world
        .conversations
        .append_events(&dev.caller, org, conversation.id, vec![json!({ "a": 1 })])
        .await;
    assert!(matches!(failed, Err(DomainError::Unavailable(_))), "{failed:?}");
    let unchanged = world
        .conversations
        .get(&dev.caller, org, conversation.id)
        .await
        .unwrap();
    assert_eq!(unchanged.event_count, 0);
    world.events.set_down(false);
    let range = world
        .conversations
        .append_events(&dev.caller, org, conversation.id, vec![json!({ "a": 1 })])
        .await
        .unwrap();
    assert_eq!((range.first_id, range.last_id), (0, 0));
}

#[tokio::test]
async fn a_viewer_cannot_append_and_bad_batches_are_refused() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    let empty = world
        .conversations
        .append_events(&dev.caller, org, conversation.id, vec![])
        .await;
    assert!(matches!(empty, Err(DomainError::Validation(_))), "{empty:?}");
    let not_object = world
        .conversations
        .append_events(&dev.caller, org, conversation.id, vec![json!(1)])
        .await;
    assert!(
        matches!(not_object, Err(DomainError::Validation(_))),
        "{not_object:?}"
    );
}

#[tokio::test]
async fn appends_to_one_conversation_write_their_objects_at_the_same_time() {
    let world = World::new();
    let dev = world.person("dev").await;
    let org = dev.personal_org;
    let conversation = world.conversation_of(&dev).await;
    world.events.set_write_latency(Duration::from_millis(20));
    let appends = (0..8).map(|n| {
        world
            .conversations
            .append_events(&dev.caller, org, conversation.id, vec![json!({ "n": n })])
    });
    for append in futures::future::join_all(appends).await {
        append.unwrap();
    }
    assert!(
        world.events.most_writes_in_flight() > 1,
        "the conversation stays locked only to allocate ids, not across the store write"
    );
    let page = world
        .conversations
        .read_events(&dev.caller, org, conversation.id, 0, 100)
        .await
        .unwrap();
    let ids: Vec<i64> = page.items.iter().map(|event| event.id).collect();
    assert_eq!(ids, (0..8).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_batch_that_cannot_be_recorded_is_deleted_again() {
    let world = World::new();
    let dev = world.person("dev").await;
    let conversation = world.conversation_of(&dev).await;
    let another_org = new_id();
    let refused = event_ids::write_then_record(
        event_ids::AppendPorts {
            unit_of_work: world.store.as_ref(),
            store: world.events.as_ref(),
        },
        another_org,
        conversation.id,
        &[json!({ "a": 1 })],
        Utc::now(),
    )
    .await;
    assert!(matches!(refused, Err(DomainError::NotFound)), "{refused:?}");
    assert_eq!(world.events.object_count(), 0);
    let unchanged = world
        .conversations
        .get(&dev.caller, dev.personal_org, conversation.id)
        .await
        .unwrap();
    assert_eq!(unchanged.event_count, 0);
}

/// Transactions whose commit fails in flight: `landed` says whether it committed first (the
/// acknowledgement was lost) or not at all.
struct CommitCut {
    inner: std::sync::Arc<tenantry_memory::MemoryStore>,
    landed: bool,
}

struct CutTransaction {
    inner: Box<dyn tenantry_domain::ports::Transaction>,
    landed: bool,
}

#[async_trait::async_trait]
impl tenantry_domain::ports::UnitOfWork for CommitCut {
    async fn begin(&self) -> Result<Box<dyn tenantry_domain::ports::Transaction>, DomainError> {
        Ok(Box::new(CutTransaction {
            inner: self.inner.begin().await?,
            landed: self.landed,
        }))
    }
}

#[async_trait::async_trait]
impl tenantry_domain::ports::Transaction for CutTransaction {
    fn orgs(&self) -> &dyn tenantry_domain::ports::OrgRows {
        self.inner.orgs()
    }
    fn members(&self) -> &dyn tenantry_domain::ports::MemberRows {
        self.inner.members()
    }
    fn invitations(&self) -> &dyn tenantry_domain::ports::InvitationRows {
        self.inner.invitations()
    }
    fn member_grants(&self) -> &dyn tenantry_domain::ports::MemberGrantRows {
        self.inner.member_grants()
    }
    fn users(&self) -> &dyn tenantry_domain::ports::UserRows {
        self.inner.users()
    }
    fn accounts(&self) -> &dyn tenantry_domain::ports::AccountRows {
        self.inner.accounts()
    }
    fn audit(&self) -> &dyn tenantry_domain::ports::AuditRows {
        self.inner.audit()
    }
    fn event_log(&self) -> &dyn tenantry_domain::ports::EventLogRows {
        self.inner.event_log()
    }
    fn sandboxes(&self) -> &dyn tenantry_domain::ports::SandboxRows {
        self.inner.sandboxes()
    }
    fn reports(&self) -> &dyn tenantry_domain::ports::ReportRows {
        self.inner.reports()
    }
    async fn commit(self: Box<Self>) -> Result<(), DomainError> {
        if self.landed {
            self.inner.commit().await?;
        }
        Err(DomainError::Unavailable("connection reset during COMMIT".into()))
    }
}

#[tokio::test]
async fn a_commit_cut_in_flight_is_looked_up_and_its_batch_never_deleted() {
    let world = World::new();
    let dev = world.person("dev").await;
    let conversation = world.conversation_of(&dev).await;
    let org = dev.personal_org;
    let append = |landed: bool| {
        let cut = CommitCut {
            inner: world.store.clone(),
            landed,
        };
        let events = world.events.clone();
        async move {
            event_ids::write_then_record(
                event_ids::AppendPorts {
                    unit_of_work: &cut,
                    store: events.as_ref(),
                },
                org,
                conversation.id,
                &[json!({ "landed": landed })],
                Utc::now(),
            )
            .await
        }
    };

    // The commit landed but its answer was lost: the append succeeded, and its events are read.
    let range = append(true).await.expect("the landed commit is found");
    assert_eq!((range.first_id, range.last_id), (0, 0));
    let page = world
        .conversations
        .read_events(&dev.caller, org, conversation.id, 0, 10)
        .await
        .expect("readable");
    assert_eq!(page.items.len(), 1);

    // It did not land: the caller hears that the outcome is unknown, and the batch stays (a late
    // commit could still point to it), while no id is taken.
    let unknown = append(false).await;
    assert!(
        matches!(&unknown, Err(DomainError::OutcomeUnknown(_))),
        "{unknown:?}"
    );
    assert_eq!(world.events.object_count(), 2);
    let unchanged = world
        .conversations
        .get(&dev.caller, org, conversation.id)
        .await
        .expect("conversation");
    assert_eq!(unchanged.event_count, 1);
}
