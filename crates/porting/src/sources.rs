//! Which kind of store a path holds, and the reader that opens it.

use std::path::{Path, PathBuf};

use tenantry_domain::{import::ImportProblem, ports::ImportSource};

use crate::{agent_server_store, archive_source, file_store, source_thread};

/// The kinds of store `tenantry import openhands` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A Tenantry org export (`.tar.gz`).
    TenantryArchive,
    /// An agent server's persistence directory.
    AgentServer,
    /// A single-user OpenHands file store.
    FileStore,
}

impl SourceKind {
    /// What it is called in messages.
    pub const fn name(self) -> &'static str {
        match self {
            SourceKind::TenantryArchive => "Tenantry archive",
            SourceKind::AgentServer => "agent server persistence directory",
            SourceKind::FileStore => "OpenHands file store",
        }
    }

    /// The kind of store at `path`, if it is one.
    pub fn detect(path: &Path) -> Option<Self> {
        if path.is_file() {
            return Some(SourceKind::TenantryArchive);
        }
        if file_store::recognizes(path) {
            return Some(SourceKind::FileStore);
        }
        agent_server_store::recognizes(path).then_some(SourceKind::AgentServer)
    }
}

/// Opens the store at `path` (`secret_key`: the agent server's `OH_SECRET_KEY`, to decrypt its
/// secrets). Reading happens on a thread of its own as the import asks for more.
pub async fn open_source(
    path: &Path,
    secret_key: Option<String>,
) -> Result<(SourceKind, Box<dyn ImportSource>), ImportProblem> {
    let kind = SourceKind::detect(path).ok_or_else(|| {
        ImportProblem::new(
            path.display().to_string(),
            "neither a Tenantry archive, an agent server's conversations directory, nor an OpenHands file store",
        )
    })?;
    let path: PathBuf = path.to_owned();
    let source = source_thread::spawn(move |preamble, feeder| match kind {
        SourceKind::TenantryArchive => archive_source::read(&path, preamble, feeder),
        SourceKind::AgentServer => agent_server_store::read(&path, secret_key.as_deref(), preamble, feeder),
        SourceKind::FileStore => file_store::read(&path, preamble, feeder),
    })
    .await?;
    Ok((kind, Box::new(source)))
}
