//! The retention sweep: deletes conversations idle for longer than their org keeps them.

use std::sync::Arc;

use serde_json::json;

use crate::{
    DomainError,
    clock::Clock,
    conversations::retention,
    orgs::audit::{AuditAction, AuditEntry},
    ports::{RetentionStore, Signal, SignalBus},
    services::EventPurger,
};

/// Orgs and conversations read per round trip.
const PAGE: u64 = 100;

/// Deletes expired conversations, audited, and purges their events.
#[derive(Clone)]
pub struct RetentionService {
    store: Arc<dyn RetentionStore>,
    clock: Arc<dyn Clock>,
    signals: Arc<dyn SignalBus>,
    purger: EventPurger,
}

impl RetentionService {
    /// A sweep over `store`; deleted conversations' events go through `purger`.
    pub fn new(
        store: Arc<dyn RetentionStore>,
        clock: Arc<dyn Clock>,
        signals: Arc<dyn SignalBus>,
        purger: EventPurger,
    ) -> Self {
        Self {
            store,
            clock,
            signals,
            purger,
        }
    }

    /// Deletes every conversation idle beyond its org's `conversation_expiration`; returns how
    /// many. Each deletion is its own transaction, so a sweep stopped half-way loses nothing.
    pub async fn sweep(&self) -> Result<usize, DomainError> {
        let now = self.clock.now();
        let mut expired = 0;
        let mut after = None;
        loop {
            let orgs = self.store.org_settings_after(after, PAGE).await?;
            let Some((last, _)) = orgs.last() else { break };
            after = Some(*last);
            for (org, settings) in &orgs {
                let Some(idle_before) = retention::idle_before(settings, now) else {
                    continue;
                };
                loop {
                    let idle = self.store.idle_conversations(*org, idle_before, PAGE).await?;
                    let mut progressed = false;
                    for id in &idle {
                        let audit = AuditEntry::new(
                            *org,
                            now,
                            None,
                            AuditAction::ConversationExpired,
                            ("conversation", Some(id.to_string())),
                            json!({ "idle_before": idle_before }),
                        );
                        if self.store.expire(*org, *id, idle_before, &audit).await? {
                            expired += 1;
                            progressed = true;
                            let _ = self
                                .signals
                                .publish(Signal::ConversationChanged {
                                    org: *org,
                                    conversation: *id,
                                })
                                .await;
                        }
                    }
                    if (idle.len() as u64) < PAGE || !progressed {
                        break;
                    }
                }
            }
        }
        if expired > 0 {
            // Recorded with each deletion: what fails now is retried by the periodic purge.
            let _ = self.purger.purge_pending().await;
        }
        Ok(expired)
    }
}
