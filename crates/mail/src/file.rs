use std::path::PathBuf;

use async_trait::async_trait;
use tenantry_domain::{
    DomainError,
    ports::{Mail, Mailer},
};

use crate::message::build;

/// Writes each message as one `.eml` file into a directory (an outbox for development and tests).
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: String,
}

impl FileMailer {
    /// An outbox in `dir` (created when missing, readable by the owner only), sending as `from`.
    pub fn new(dir: PathBuf, from: String) -> std::io::Result<Self> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        Ok(Self { dir, from })
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: Mail) -> Result<(), DomainError> {
        let message = build(&self.from, &mail)?;
        let name = format!("{}.eml", uuid::Uuid::now_v7());
        let partial = self.dir.join(format!(".{name}.partial"));
        let path = self.dir.join(name);
        let io_error = |error: std::io::Error| {
            tracing::warn!(%error, "cannot write mail to the outbox");
            DomainError::Unavailable("mail".into())
        };
        // Write then rename, so a reader never sees half a message. Messages carry tokens: owner only.
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&partial).await.map_err(io_error)?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &message.formatted())
            .await
            .map_err(io_error)?;
        file.sync_all().await.map_err(io_error)?;
        drop(file);
        tokio::fs::rename(&partial, &path).await.map_err(io_error)?;
        tracing::info!(subject = %mail.subject, file = %path.display(), "mail written to outbox");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tenantry_domain::Email;

    use super::*;

    #[tokio::test]
    async fn writes_one_eml_per_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mailer = FileMailer::new(
            dir.path().join("outbox"),
            "Tenantry <no-reply@tenantry.localhost>".into(),
        )
        .expect("outbox");
        for n in 0..2 {
            mailer
                .send(Mail {
                    to: Email::parse("bob@example.com").expect("valid"),
                    subject: format!("Hello {n}"),
                    body: "token: abc".into(),
                })
                .await
                .expect("send");
        }
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .expect("dir")
            .collect();
        assert_eq!(files.len(), 2);
        let text = std::fs::read_to_string(files[0].as_ref().expect("entry").path()).expect("read");
        assert!(text.contains("To: bob@example.com"));
        assert!(text.contains("token: abc"));
    }
}
