use async_trait::async_trait;

use crate::spend::budget::SpendRecorded;

/// Told about every usage report once it is counted (budget alerts and `over_budget` flags).
#[async_trait]
pub trait SpendObserver: Send + Sync {
    /// `recorded` was counted and committed.
    async fn spent(&self, recorded: SpendRecorded);
}

/// Ignores spending: for services used without budgets.
#[derive(Debug, Clone, Copy, Default)]
pub struct IgnoreSpending;

#[async_trait]
impl SpendObserver for IgnoreSpending {
    async fn spent(&self, _: SpendRecorded) {}
}
