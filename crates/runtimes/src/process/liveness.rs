//! Whether a sandbox's process still runs, and stopping everything it started. Linux `/proc`: a
//! process counts as the sandbox's only while it carries the sandbox's marker variable, so a reused
//! process id is never mistaken for it.

use std::time::{Duration, Instant};

use nix::{
    sys::signal::{Signal, kill, killpg},
    unistd::Pid,
};
use uuid::Uuid;

/// The variable every process of a sandbox inherits: `TENANTRY_SANDBOX_ID=<id>`.
pub(super) const MARKER: &str = "TENANTRY_SANDBOX_ID";

/// One process as seen through `/proc`.
pub(super) struct Liveness {
    pid: u32,
    sandbox: Uuid,
    own_child: bool,
}

impl Liveness {
    /// A process this one started: its id stays its own until it is reaped, and before it has
    /// replaced itself with the agent server it does not carry the marker yet.
    pub(super) fn child(pid: u32, sandbox: Uuid) -> Self {
        Self {
            pid,
            sandbox,
            own_child: true,
        }
    }

    /// A process found by its id alone (left by an earlier run): it must carry the marker.
    pub(super) fn adopted(pid: u32, sandbox: Uuid) -> Self {
        Self {
            pid,
            sandbox,
            own_child: false,
        }
    }

    /// It exists, is not a zombie, and is the sandbox's.
    pub(super) fn alive(&self) -> bool {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return false;
        };
        // The state follows the parenthesised command name, which may itself hold spaces.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        !matches!(state, None | Some('Z' | 'X')) && (self.own_child || carries_marker(self.pid, self.sandbox))
    }
}

fn marker_entry(sandbox: Uuid) -> Vec<u8> {
    format!("{MARKER}={sandbox}").into_bytes()
}

fn carries_marker(pid: u32, sandbox: Uuid) -> bool {
    let entry = marker_entry(sandbox);
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|environ| environ.split(|byte| *byte == 0).any(|variable| variable == entry))
}

fn pid(raw: u32) -> Option<Pid> {
    i32::try_from(raw).ok().filter(|pid| *pid > 1).map(Pid::from_raw)
}

/// Stops the process group `process` leads: SIGTERM, up to `grace` to exit, then SIGKILL.
pub(super) fn stop_group(leader: u32, process: Liveness, grace: Duration) {
    let Some(group) = pid(leader) else {
        return;
    };
    if !process.alive() {
        return;
    }
    let _ = killpg(group, Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    while process.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = killpg(group, Signal::SIGKILL);
    let deadline = Instant::now() + Duration::from_secs(2);
    while process.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every process that carries the sandbox's marker (its own, and what left its group).
pub(super) fn marked(sandbox: Uuid) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| Liveness::adopted(*pid, sandbox).alive())
        .collect()
}

/// Kills every process still carrying the sandbox's marker.
pub(super) fn kill_marked(sandbox: Uuid) {
    for raw in marked(sandbox) {
        if let Some(process) = pid(raw) {
            let _ = kill(process, Signal::SIGKILL);
        }
    }
}
