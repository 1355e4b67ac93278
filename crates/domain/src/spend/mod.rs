//! Spend: budgets and their periods, rate limits, and credits bought through a payment provider.

pub mod billing;
pub mod budget;
pub mod daily_spend;
pub mod rate_limit;
pub mod services;
pub mod spend_period;
pub mod usage_charge;
pub mod usage_order;
