//! [`ExpiredRows`] in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{DomainError, expired_rows::sweepable, ports::ExpiredRows};

use crate::MemoryStore;

#[async_trait]
impl ExpiredRows for MemoryStore {
    async fn delete_spent_or_expired(&self, cutoff: DateTime<Utc>) -> Result<u64, DomainError> {
        Ok(self
            .write(|tables| {
                let before = tables.one_time_tokens.len() + tables.stream_tickets.len();
                tables
                    .one_time_tokens
                    .retain(|_, row| !sweepable(row.expires_at, row.spent_at, cutoff));
                tables
                    .stream_tickets
                    .retain(|_, (ticket, spent)| !sweepable(ticket.expires_at, *spent, cutoff));
                (before - tables.one_time_tokens.len() - tables.stream_tickets.len()) as u64
            })
            .await)
    }
}
