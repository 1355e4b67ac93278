use std::sync::Mutex;

use async_trait::async_trait;
use tenantry_domain::{
    DomainError,
    ports::{Mail, Mailer},
};

/// Keeps every mail sent, for tests to read.
#[derive(Debug, Default)]
pub struct Outbox {
    sent: Mutex<Vec<Mail>>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every mail sent so far, oldest first.
    pub fn sent(&self) -> Vec<Mail> {
        self.sent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, mail: Mail) -> Result<(), DomainError> {
        self.sent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(mail);
        Ok(())
    }
}
