use std::sync::Mutex;

use tenantry_domain::ports::{BackgroundTask, BackgroundTasks};

/// Keeps handed-off tasks until [`QueuedTasks::run_all`] runs them, in order: tests decide when
/// background work happens.
#[derive(Default)]
pub struct QueuedTasks {
    queue: Mutex<Vec<(&'static str, BackgroundTask)>>,
}

impl QueuedTasks {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs every queued task (and any they queue); returns the names of those that failed.
    pub async fn run_all(&self) -> Vec<&'static str> {
        let mut failed = Vec::new();
        loop {
            let tasks =
                std::mem::take(&mut *self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
            if tasks.is_empty() {
                return failed;
            }
            for (name, task) in tasks {
                if task.await.is_err() {
                    failed.push(name);
                }
            }
        }
    }
}

impl BackgroundTasks for QueuedTasks {
    fn spawn(&self, name: &'static str, task: BackgroundTask) {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((name, task));
    }
}
