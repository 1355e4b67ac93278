//! Raising the open-file soft limit to the hard limit at start-up: every connection, database
//! handle and object file is a descriptor, and the usual soft default (1024) is reached by a
//! thousand clients long before the machine's real limit.

use rlimit::Resource;

/// Raises `RLIMIT_NOFILE`'s soft limit as far as the hard limit allows; logs what it is now.
pub fn raise_open_file_limit() {
    let before = Resource::NOFILE.get().ok();
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => tracing::info!(
            before = before.map(|(soft, _)| soft),
            soft,
            hard = before.map(|(_, hard)| hard),
            "open-file limit"
        ),
        Err(error) => tracing::warn!(%error, "cannot raise the open-file limit"),
    }
}
