use std::{future::Future, pin::Pin};

use crate::DomainError;

/// Work a use case hands off so that its answer does not wait for it (or reveal by its timing what
/// the work found).
pub type BackgroundTask = Pin<Box<dyn Future<Output = Result<(), DomainError>> + Send + 'static>>;

/// Runs tasks after the request that started them has been answered.
pub trait BackgroundTasks: Send + Sync {
    /// Runs `task` on its own; its failure is reported under `name` (never with secrets).
    fn spawn(&self, name: &'static str, task: BackgroundTask);
}
