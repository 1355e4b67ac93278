//! Sandboxes an app started outlive it (as they do a restart): whatever a test leaves running is
//! killed when its reaper drops, whether the test passed or not.

use std::path::PathBuf;

/// Kills, when dropped, every process of every sandbox with a directory under `root`.
pub struct SandboxReaper {
    root: PathBuf,
}

impl SandboxReaper {
    /// A reaper for the sandboxes of the app whose data directory is `data_dir`.
    pub fn of(data_dir: &std::path::Path) -> Self {
        Self {
            root: data_dir.join("sandboxes"),
        }
    }
}

/// Processes carrying `TENANTRY_SANDBOX_ID=<sandbox>`.
pub fn sandbox_processes(sandbox: &str) -> Vec<u32> {
    let marker = format!("TENANTRY_SANDBOX_ID={sandbox}");
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|byte| *byte == 0)
                    .any(|var| var == marker.as_bytes())
            })
        })
        .collect()
}

impl Drop for SandboxReaper {
    fn drop(&mut self) {
        let sandboxes = std::fs::read_dir(&self.root).into_iter().flatten().flatten();
        for sandbox in sandboxes {
            for pid in sandbox_processes(&sandbox.file_name().to_string_lossy()) {
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
            }
        }
    }
}
