use async_trait::async_trait;

use crate::{DomainError, Email};

/// A plain-text message to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient.
    pub to: Email,
    /// Subject line.
    pub subject: String,
    /// Plain-text body (may carry a secret link; never log it).
    pub body: String,
}

/// Sends mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers (or queues) `mail`.
    async fn send(&self, mail: Mail) -> Result<(), DomainError>;
}
