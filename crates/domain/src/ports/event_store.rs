use async_trait::async_trait;

use crate::ports::Probe;

/// Where conversation event payloads live (object storage). Metadata stays in SQL.
#[async_trait]
pub trait EventStore: Probe {}
