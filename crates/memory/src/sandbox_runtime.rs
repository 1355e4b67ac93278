//! A sandbox runtime in memory: what it "runs" is an entry that answers when told to, so the
//! lifecycle's rules can be exercised without processes.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use async_trait::async_trait;
use tenantry_domain::{
    ports::{AGENT_SERVER, ExposedUrl, RuntimeFailure, SandboxLaunch, SandboxRuntime},
    sandbox_lifecycle::RuntimeObservation,
};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// Started; answers once told to.
    Running { answering: bool },
    /// Stopped, workspace kept.
    Stopped,
}

/// [`SandboxRuntime`] in memory. Started sandboxes are silent until [`Self::answer`] (or at once,
/// when built with [`Self::answering`]); [`Self::crash`] makes one vanish as a killed process does.
#[derive(Debug, Default)]
pub struct MemorySandboxRuntime {
    held: Mutex<HashMap<Uuid, Held>>,
    launches: Mutex<Vec<SandboxLaunch>>,
    answer_at_start: bool,
}

impl MemorySandboxRuntime {
    /// A runtime whose sandboxes answer only when told to.
    pub fn new() -> Self {
        Self::default()
    }

    /// A runtime whose sandboxes answer as soon as they start.
    pub fn answering() -> Self {
        Self {
            answer_at_start: true,
            ..Self::default()
        }
    }

    fn held(&self) -> MutexGuard<'_, HashMap<Uuid, Held>> {
        self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sandbox's agent server answers from now on.
    pub fn answer(&self, sandbox: Uuid) {
        if let Some(held) = self.held().get_mut(&sandbox) {
            *held = Held::Running { answering: true };
        }
    }

    /// The sandbox's process dies (its workspace stays).
    pub fn crash(&self, sandbox: Uuid) {
        if let Some(held) = self.held().get_mut(&sandbox) {
            *held = Held::Stopped;
        }
    }

    /// Something of `sandbox` is held without Tenantry having started it (left by a deleted
    /// record, say).
    pub fn leave_behind(&self, sandbox: Uuid) {
        self.held().insert(sandbox, Held::Running { answering: true });
    }

    /// Whether the sandbox runs now.
    pub fn runs(&self, sandbox: Uuid) -> bool {
        matches!(self.held().get(&sandbox), Some(Held::Running { .. }))
    }

    /// Whether anything of the sandbox (process or workspace) is held.
    pub fn holds(&self, sandbox: Uuid) -> bool {
        self.held().contains_key(&sandbox)
    }

    /// Every launch so far, in order.
    pub fn launches(&self) -> Vec<SandboxLaunch> {
        self.launches
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[async_trait]
impl SandboxRuntime for MemorySandboxRuntime {
    async fn start(&self, launch: &SandboxLaunch) -> Result<Vec<ExposedUrl>, RuntimeFailure> {
        self.launches
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(launch.clone());
        {
            let mut held = self.held();
            let entry = held.entry(launch.sandbox_id).or_insert(Held::Stopped);
            if *entry == Held::Stopped {
                *entry = Held::Running {
                    answering: self.answer_at_start,
                };
            }
        }
        Ok(self.exposed_urls(launch.sandbox_id).await)
    }

    async fn observe(&self, sandbox: Uuid) -> RuntimeObservation {
        match self.held().get(&sandbox) {
            Some(Held::Running { answering: true }) => RuntimeObservation::Answering,
            Some(Held::Running { answering: false }) => RuntimeObservation::Silent,
            _ => RuntimeObservation::Gone,
        }
    }

    async fn await_answering(&self, sandbox: Uuid, _within: Duration) -> RuntimeObservation {
        self.observe(sandbox).await
    }

    async fn exposed_urls(&self, sandbox: Uuid) -> Vec<ExposedUrl> {
        if self.runs(sandbox) {
            vec![ExposedUrl {
                name: AGENT_SERVER.into(),
                url: format!("http://sandbox-{}.invalid", sandbox.simple()),
                port: 80,
            }]
        } else {
            Vec::new()
        }
    }

    async fn stop(&self, sandbox: Uuid) -> Result<(), RuntimeFailure> {
        if let Some(held) = self.held().get_mut(&sandbox) {
            *held = Held::Stopped;
        }
        Ok(())
    }

    async fn remove(&self, sandbox: Uuid) -> Result<(), RuntimeFailure> {
        self.held().remove(&sandbox);
        Ok(())
    }

    async fn list(&self) -> Result<Vec<Uuid>, RuntimeFailure> {
        Ok(self.held().keys().copied().collect())
    }
}
