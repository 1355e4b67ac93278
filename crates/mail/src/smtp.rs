use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tenantry_domain::{
    DomainError,
    ports::{Mail, Mailer},
};

use crate::message::build;

/// Delivers through an SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
}

impl SmtpMailer {
    /// A mailer for `url` (`smtp://user:pass@host:587?tls=required`, `smtps://…`), sending as `from`.
    pub fn new(url: &str, from: String) -> Result<Self, DomainError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| DomainError::Internal(format!("invalid SMTP URL: {error}")))?
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), DomainError> {
        let message = build(&self.from, &mail)?;
        self.transport.send(message).await.map_err(|error| {
            tracing::warn!(%error, "SMTP delivery failed");
            DomainError::Unavailable("mail".into())
        })?;
        Ok(())
    }
}
