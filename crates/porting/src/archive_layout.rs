//! The archive's layout, shared by its writer and its reader.

/// Every path in the archive is under this directory.
pub const ROOT: &str = "tenantry-export";
/// `{format, version, org_id, exported_at}`.
pub const MANIFEST: &str = "tenantry-export/manifest.json";
/// The org with its settings (no secrets).
pub const ORG: &str = "tenantry-export/org.json";
/// One member per line.
pub const MEMBERS: &str = "tenantry-export/members.jsonl";
/// One conversation per line (a listing; each is also beside its events).
pub const CONVERSATIONS: &str = "tenantry-export/conversations.jsonl";
/// One audit entry per line, newest first.
pub const AUDIT: &str = "tenantry-export/audit.jsonl";
/// The manifest's `format`.
pub const FORMAT: &str = "tenantry-org-export";
/// The manifest's `version`.
pub const VERSION: u32 = 1;

/// `conversations/<id>/conversation.json`: the conversation, right before its events.
pub fn conversation_path(conversation: uuid::Uuid) -> String {
    format!("{ROOT}/conversations/{conversation}/conversation.json")
}

/// `conversations/<id>/events.jsonl`: `{id, timestamp, event}` per line, in id order.
pub fn events_path(conversation: uuid::Uuid) -> String {
    format!("{ROOT}/conversations/{conversation}/events.jsonl")
}

/// The conversation of an events path.
pub fn conversation_of(path: &str) -> Option<uuid::Uuid> {
    path.strip_prefix(ROOT)?
        .strip_prefix("/conversations/")?
        .strip_suffix("/events.jsonl")?
        .parse()
        .ok()
}
