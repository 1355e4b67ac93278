//! Conversations and their events: metadata, dense event ids, appends, searches, shares, streams, starts and retention.

pub mod append_idempotency;
pub mod conversation;
pub mod conversation_order;
pub mod event;
pub mod event_gaps;
pub mod event_ids;
pub mod event_search;
pub mod execution_status;
pub mod orphan_batches;
pub mod retention;
pub mod services;
pub mod share;
pub mod start_task;
pub mod stream_cap;
pub mod usage_bounds;
