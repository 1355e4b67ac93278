use async_trait::async_trait;
use tenantry_domain::{
    DomainError,
    ports::{Mail, Mailer},
};

/// Logs that a message was sent, with its recipient and subject, never its body.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: Mail) -> Result<(), DomainError> {
        tracing::info!(
            to = %mail.to,
            subject = %mail.subject,
            "mail not delivered (mail transport is `log`; bodies are not logged because they carry secrets)"
        );
        Ok(())
    }
}
