//! The periodic deletion of single-use rows nothing needs any more.

use std::sync::Arc;

use crate::{DomainError, clock::Clock, expired_rows::sweep_cutoff, ports::ExpiredRows};

/// The sweep use case.
#[derive(Clone)]
pub struct SweepService {
    rows: Arc<dyn ExpiredRows>,
    clock: Arc<dyn Clock>,
}

impl SweepService {
    /// Sweeps `rows` by `clock`.
    pub fn new(rows: Arc<dyn ExpiredRows>, clock: Arc<dyn Clock>) -> Self {
        Self { rows, clock }
    }

    /// Deletes the one-time tokens and stream tickets spent or expired more than the grace ago;
    /// how many.
    pub async fn sweep(&self) -> Result<u64, DomainError> {
        self.rows
            .delete_spent_or_expired(sweep_cutoff(self.clock.now()))
            .await
    }
}
