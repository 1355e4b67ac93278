use lettre::{Message, message::header::ContentType};
use tenantry_domain::{DomainError, ports::Mail};

/// Builds the RFC 5322 message for `mail`.
pub(crate) fn build(from: &str, mail: &Mail) -> Result<Message, DomainError> {
    let from = from
        .parse()
        .map_err(|error| DomainError::Internal(format!("invalid sender address: {error}")))?;
    let to = mail
        .to
        .as_str()
        .parse()
        .map_err(|error| DomainError::Internal(format!("invalid recipient address: {error}")))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|error| DomainError::Internal(format!("cannot build message: {error}")))
}
