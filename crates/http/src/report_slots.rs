//! A cap on agent-server reports (webhooks) handled at once. Reports come in bursts from many
//! agent servers and each waits on the database and the object store; without a cap they could
//! take every database connection while the object store is slow, and logins, creates and renames
//! would find none. The cap sits below the pool, so other writes always get a connection; a report
//! beyond it waits briefly for a slot, then gets 503 with `Retry-After` (agent servers retry).

use std::{sync::Arc, time::Duration};

use actix_web::{HttpRequest, http::StatusCode, web};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Problem;

/// Slots for reports being handled.
#[derive(Debug, Clone)]
pub struct ReportSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl ReportSlots {
    /// At most `slots` reports at once; one more waits up to `wait` for a slot.
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// A slot for the request's report, held until dropped; none needed when the app has no cap.
    pub(crate) async fn take(req: &HttpRequest) -> Result<Option<OwnedSemaphorePermit>, Problem> {
        let Some(slots) = req.app_data::<web::Data<ReportSlots>>() else {
            return Ok(None);
        };
        match tokio::time::timeout(slots.wait, slots.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            _ => {
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "reports_busy",
                    "Too many agent-server reports are being recorded right now; nothing was applied. \
                     Retry shortly.",
                );
                problem.retry_after_secs = Some(1);
                Err(problem)
            }
        }
    }
}
