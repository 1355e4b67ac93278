//! An org export written as a gzip-compressed tar archive, streamed in chunks as it is made.
//!
//! A tar entry states its size before its contents, so each JSON Lines file is first spooled to
//! an anonymous temporary file and then copied into the archive: memory stays flat however large
//! the org, and the output is produced with back-pressure from whoever reads it.

use std::io::{self, Write};

use bytes::Bytes;
use chrono::Utc;
use flate2::{Compression, write::GzEncoder};
use serde::Serialize;
use serde_json::{Value, json};
use tenantry_domain::{
    AuditEntry, Conversation, ConversationId, DomainError, Org, StoredEvent,
    ports::{ExportSink, ExportedSettings, MemberView},
};
use tokio::{
    fs::File,
    io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter},
    sync::mpsc,
};

use crate::archive_layout::{self as layout, FORMAT, VERSION};

/// Bytes handed to the reader at a time (at most; gzip decides).
const CHUNK: usize = 64 * 1024;
const BLOCK: usize = 512;

/// A JSON Lines file being spooled.
struct Spool {
    path: String,
    file: BufWriter<File>,
    len: u64,
}

impl Spool {
    fn new(path: String) -> io::Result<Self> {
        let file = File::from_std(tempfile::tempfile()?);
        Ok(Self {
            path,
            file: BufWriter::new(file),
            len: 0,
        })
    }

    async fn line(&mut self, value: &impl Serialize) -> io::Result<()> {
        let mut line = serde_json::to_vec(value)?;
        line.push(b'\n');
        self.file.write_all(&line).await?;
        self.len += line.len() as u64;
        Ok(())
    }
}

/// Writes the export as tar.gz into a channel of chunks (for an HTTP body or a file). The
/// receiver ending stops the export with an error.
pub struct ArchiveSink {
    out: mpsc::Sender<io::Result<Bytes>>,
    gzip: GzEncoder<Vec<u8>>,
    members: Option<Spool>,
    conversations: Spool,
    events: Option<Spool>,
    audit: Spool,
}

fn failed(error: io::Error) -> DomainError {
    DomainError::Unavailable(format!("export archive: {error}"))
}

fn header(path: &str, size: u64) -> io::Result<tar::Header> {
    let mut header = tar::Header::new_gnu();
    header.set_path(path)?;
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(Utc::now().timestamp().max(0) as u64);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    Ok(header)
}

impl ArchiveSink {
    /// A sink sending the archive's bytes to `out`.
    pub fn new(out: mpsc::Sender<io::Result<Bytes>>) -> io::Result<Self> {
        Ok(Self {
            out,
            gzip: GzEncoder::new(Vec::with_capacity(CHUNK), Compression::default()),
            members: Some(Spool::new(layout::MEMBERS.into())?),
            conversations: Spool::new(layout::CONVERSATIONS.into())?,
            events: None,
            audit: Spool::new(layout::AUDIT.into())?,
        })
    }

    /// Sends what gzip has produced once it is a chunk's worth (or always, with `all`).
    async fn drain(&mut self, all: bool) -> io::Result<()> {
        let buffer = self.gzip.get_mut();
        if buffer.is_empty() || (!all && buffer.len() < CHUNK) {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(buffer, Vec::with_capacity(CHUNK)));
        self.out
            .send(Ok(chunk))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader went away"))
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        for piece in bytes.chunks(CHUNK) {
            self.gzip.write_all(piece)?;
            self.drain(false).await?;
        }
        Ok(())
    }

    async fn entry_header(&mut self, path: &str, size: u64) -> io::Result<()> {
        let header = header(path, size)?;
        self.write(header.as_bytes()).await
    }

    async fn pad(&mut self, size: u64) -> io::Result<()> {
        let rest = (BLOCK - (size % BLOCK as u64) as usize) % BLOCK;
        self.write(&[0; BLOCK][..rest]).await
    }

    async fn file(&mut self, path: &str, contents: &[u8]) -> io::Result<()> {
        self.entry_header(path, contents.len() as u64).await?;
        self.write(contents).await?;
        self.pad(contents.len() as u64).await
    }

    async fn json(&mut self, path: &str, value: &Value) -> io::Result<()> {
        let mut bytes = serde_json::to_vec_pretty(value)?;
        bytes.push(b'\n');
        self.file(path, &bytes).await
    }

    /// Copies a spooled file into the archive.
    async fn copy(&mut self, spool: Spool) -> io::Result<()> {
        let Spool { path, mut file, len } = spool;
        file.flush().await?;
        let mut file = file.into_inner();
        file.rewind().await?;
        self.entry_header(&path, len).await?;
        let mut buffer = vec![0; CHUNK];
        let mut left = len;
        while left > 0 {
            let read = file.read(&mut buffer).await?;
            if read == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "spool shrank"));
            }
            let read = read.min(usize::try_from(left).unwrap_or(usize::MAX));
            self.write(&buffer[..read]).await?;
            left -= read as u64;
        }
        self.pad(len).await
    }

    async fn flush_members(&mut self) -> io::Result<()> {
        if let Some(members) = self.members.take() {
            self.copy(members).await?;
        }
        Ok(())
    }

    async fn flush_events(&mut self) -> io::Result<()> {
        if let Some(events) = self.events.take() {
            self.copy(events).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExportSink for ArchiveSink {
    async fn org(&mut self, org: &Org, settings: &ExportedSettings) -> Result<(), DomainError> {
        let manifest = json!({
            "format": FORMAT,
            "version": VERSION,
            "org_id": org.id,
            "exported_at": Utc::now(),
        });
        let org = json!({
            "id": org.id,
            "name": org.name.as_str(),
            "personal": org.personal,
            "contact_name": org.contact_name,
            "contact_email": org.contact_email,
            "created_at": org.created_at,
            "settings": settings.values,
            "locked_fields": settings.locked,
        });
        self.json(layout::MANIFEST, &manifest).await.map_err(failed)?;
        self.json(layout::ORG, &org).await.map_err(failed)
    }

    async fn member(&mut self, member: &MemberView) -> Result<(), DomainError> {
        let line = json!({
            "user_id": member.user_id,
            "email": member.email.as_str(),
            "name": member.name,
            "role": member.role.name(),
            "email_verified": member.email_verified,
            "joined_at": member.joined_at,
        });
        match self.members.as_mut() {
            Some(members) => members.line(&line).await.map_err(failed),
            None => Err(DomainError::Internal("members after conversations".into())),
        }
    }

    async fn conversation(&mut self, conversation: &Conversation) -> Result<(), DomainError> {
        self.flush_members().await.map_err(failed)?;
        self.flush_events().await.map_err(failed)?;
        let value = conversation_json(conversation);
        self.conversations.line(&value).await.map_err(failed)?;
        self.json(&layout::conversation_path(conversation.id), &value)
            .await
            .map_err(failed)?;
        self.events = Some(Spool::new(layout::events_path(conversation.id)).map_err(failed)?);
        Ok(())
    }

    async fn events(
        &mut self,
        conversation: ConversationId,
        events: &[StoredEvent],
    ) -> Result<(), DomainError> {
        let spool = self
            .events
            .as_mut()
            .filter(|spool| spool.path == layout::events_path(conversation))
            .ok_or_else(|| DomainError::Internal("events of a conversation not announced".into()))?;
        for event in events {
            let line = json!({ "id": event.id, "timestamp": event.timestamp, "event": event.event });
            spool.line(&line).await.map_err(failed)?;
        }
        Ok(())
    }

    async fn audit(&mut self, entry: &AuditEntry) -> Result<(), DomainError> {
        let line = json!({
            "id": entry.id,
            "at": entry.at,
            "actor_id": entry.actor_id,
            "action": entry.action.name(),
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "detail": entry.detail,
        });
        self.audit.line(&line).await.map_err(failed)
    }

    async fn finish(&mut self) -> Result<(), DomainError> {
        let finish = async {
            self.flush_members().await?;
            self.flush_events().await?;
            let conversations =
                std::mem::replace(&mut self.conversations, Spool::new(layout::CONVERSATIONS.into())?);
            self.copy(conversations).await?;
            let audit = std::mem::replace(&mut self.audit, Spool::new(layout::AUDIT.into())?);
            self.copy(audit).await?;
            self.write(&[0; 2 * BLOCK]).await?;
            self.gzip.try_finish()?;
            self.drain(true).await
        };
        finish.await.map_err(failed)
    }
}

/// A conversation as the archive holds it (the fields of the conversation API, cost in micros).
fn conversation_json(conversation: &Conversation) -> Value {
    json!({
        "id": conversation.id,
        "created_by": conversation.created_by,
        "title": conversation.title,
        "selected_repository": conversation.selected_repository,
        "selected_branch": conversation.selected_branch,
        "git_provider": conversation.git_provider,
        "trigger": conversation.trigger,
        "llm_model": conversation.llm_model,
        "visibility": conversation.visibility.name(),
        "pr_number": conversation.pr_number,
        "accumulated_cost_micros": conversation.accumulated_cost,
        "prompt_tokens": conversation.prompt_tokens,
        "completion_tokens": conversation.completion_tokens,
        "total_tokens": conversation.total_tokens,
        "event_count": conversation.event_count,
        "execution_status": conversation.execution_status,
        "created_at": conversation.created_at,
        "last_updated_at": conversation.last_updated_at,
    })
}
