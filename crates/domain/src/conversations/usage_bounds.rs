//! How large reported usage may be. Reports carry what clients and agent servers say, so every
//! figure is bounded far above real use and far below where 64-bit totals overflow: a report beyond
//! a bound, or one that would carry a running total beyond its bound, is refused as invalid (422)
//! and changes nothing, so totals and budgets keep their meaning.

use crate::{DomainError, conversations::conversation::Micros};

/// Most cost one report may carry, in micro-units (10^9 currency units): what one usage report
/// adds, or the cost an agent server reports for one conversation so far.
pub const MAX_REPORTED_COST: Micros = 1_000_000_000 * 1_000_000;

/// Most prompt or completion tokens one report may carry (10^12): what one usage report adds, or
/// what an agent server reports for one conversation so far.
pub const MAX_REPORTED_TOKENS: i64 = 1_000_000_000_000;

/// Most any running total may reach (10^18): a conversation's cost and tokens, an org's or a
/// member's spend in a budget period, the credits an org has used. About a ninth of where a 64-bit
/// total overflows, so adding one more report to a total at its bound still cannot overflow.
pub const MAX_USAGE_TOTAL: i64 = 1_000_000_000_000_000_000;

/// Checks one report's figures against the per-report bounds.
pub fn check_report(cost: Micros, prompt_tokens: i64, completion_tokens: i64) -> Result<(), DomainError> {
    if cost < 0 || prompt_tokens < 0 || completion_tokens < 0 {
        return Err(DomainError::invalid("usage", "must not be negative"));
    }
    if cost > MAX_REPORTED_COST {
        return Err(DomainError::invalid("cost", "at most 10^9 per report"));
    }
    if prompt_tokens > MAX_REPORTED_TOKENS || completion_tokens > MAX_REPORTED_TOKENS {
        return Err(DomainError::invalid("usage", "at most 10^12 tokens per report"));
    }
    Ok(())
}

/// `total` after a report added to it, when it stays within [`MAX_USAGE_TOTAL`]; refused otherwise.
pub fn checked_total(total: i64) -> Result<i64, DomainError> {
    if (0..=MAX_USAGE_TOTAL).contains(&total) {
        Ok(total)
    } else {
        Err(total_exceeded())
    }
}

/// `before + added` within [`MAX_USAGE_TOTAL`]; refused otherwise (never overflows).
pub fn add_to_total(before: i64, added: i64) -> Result<i64, DomainError> {
    before
        .checked_add(added)
        .ok_or_else(total_exceeded)
        .and_then(checked_total)
}

/// The refusal of a report that would carry a total beyond [`MAX_USAGE_TOTAL`].
pub fn total_exceeded() -> DomainError {
    DomainError::invalid("usage", "the usage totals would exceed 10^18")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_bounded_per_report() {
        assert!(check_report(MAX_REPORTED_COST, MAX_REPORTED_TOKENS, MAX_REPORTED_TOKENS).is_ok());
        assert!(check_report(MAX_REPORTED_COST + 1, 0, 0).is_err());
        assert!(check_report(0, MAX_REPORTED_TOKENS + 1, 0).is_err());
        assert!(check_report(0, 0, MAX_REPORTED_TOKENS + 1).is_err());
        assert!(check_report(-1, 0, 0).is_err());
    }

    #[test]
    fn totals_stop_at_their_bound_and_never_overflow() {
        assert_eq!(add_to_total(1, 2).expect("small"), 3);
        assert_eq!(
            add_to_total(MAX_USAGE_TOTAL - MAX_REPORTED_COST, MAX_REPORTED_COST).expect("at the bound"),
            MAX_USAGE_TOTAL
        );
        assert!(matches!(
            add_to_total(MAX_USAGE_TOTAL, 1),
            Err(DomainError::Validation(_))
        ));
        assert!(add_to_total(i64::MAX, i64::MAX).is_err());
        assert!(checked_total(MAX_USAGE_TOTAL + MAX_REPORTED_COST).is_err());
        // A total at its bound plus the largest report is still far from overflowing.
        assert!(MAX_USAGE_TOTAL.checked_add(MAX_REPORTED_COST).is_some());
    }
}
