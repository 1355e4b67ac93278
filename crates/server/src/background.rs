//! Background work of the use cases, on the Tokio runtime.

use tenantry_domain::ports::{BackgroundTask, BackgroundTasks};

/// Spawns each task on the runtime; a failure is logged with the task's name.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioBackground;

impl BackgroundTasks for TokioBackground {
    fn spawn(&self, name: &'static str, task: BackgroundTask) {
        tokio::spawn(async move {
            if let Err(error) = task.await {
                tracing::warn!(task = name, %error, "background task failed");
            }
        });
    }
}
