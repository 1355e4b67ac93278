//! The state file in a sandbox's directory: which process serves it, on which port.

use std::path::Path;

use serde::{Deserialize, Serialize};

const FILE: &str = "agent-server.json";

/// What is written when an agent server starts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct ProcessState {
    pub(super) pid: u32,
    pub(super) port: u16,
}

impl ProcessState {
    pub(super) fn read(dir: &Path) -> Option<Self> {
        serde_json::from_slice(&std::fs::read(dir.join(FILE)).ok()?).ok()
    }

    pub(super) fn write(self, dir: &Path) -> std::io::Result<()> {
        let temporary = dir.join(format!("{FILE}.tmp"));
        std::fs::write(
            &temporary,
            serde_json::to_vec(&self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(temporary, dir.join(FILE))
    }

    pub(super) fn clear(dir: &Path) {
        let _ = std::fs::remove_file(dir.join(FILE));
    }
}
