//! How many sandboxes may run at once: per org (the install's default, or an operator's figure for
//! that org) and per member. Starting and running sandboxes count; paused, failed and missing ones
//! do not.

use crate::DomainError;

/// The limits that apply to one start (0: unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Running sandboxes of the whole org.
    pub per_org: u32,
    /// Running sandboxes one member started.
    pub per_user: u32,
}

impl SandboxLimits {
    /// The install's limits, with the org's own figure (set by an operator) in place of the
    /// per-org default when there is one.
    pub fn for_org(self, org_override: Option<u32>) -> Self {
        Self {
            per_org: org_override.unwrap_or(self.per_org),
            ..self
        }
    }
}

/// Sandboxes that hold a slot now (starting or running), not counting the one being started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunningSandboxes {
    /// In the org.
    pub in_org: u32,
    /// Of the member starting one, in the org.
    pub of_user: u32,
}

/// Whether one more may start: 429 `sandbox_limit` when the org or the member is at their limit.
pub fn admit_start(running: RunningSandboxes, limits: SandboxLimits) -> Result<(), DomainError> {
    let reached = |limit: u32, count: u32| limit != 0 && count >= limit;
    if reached(limits.per_org, running.in_org) {
        return Err(DomainError::LimitReached {
            code: "sandbox_limit",
            detail: format!(
                "The org already runs {} sandboxes, its limit. Pause or delete one, then try again.",
                running.in_org
            ),
        });
    }
    if reached(limits.per_user, running.of_user) {
        return Err(DomainError::LimitReached {
            code: "sandbox_limit",
            detail: format!(
                "You already run {} sandboxes in this org, the limit per member. Pause or delete one, then try again.",
                running.of_user
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SandboxLimits = SandboxLimits {
        per_org: 3,
        per_user: 2,
    };

    fn running(in_org: u32, of_user: u32) -> RunningSandboxes {
        RunningSandboxes { in_org, of_user }
    }

    #[test]
    fn a_start_below_both_limits_is_admitted() {
        assert!(admit_start(running(2, 1), LIMITS).is_ok());
    }

    #[test]
    fn the_org_limit_refuses_the_next_start() {
        let refused = admit_start(running(3, 0), LIMITS).expect_err("refused");
        assert!(matches!(
            refused,
            DomainError::LimitReached {
                code: "sandbox_limit",
                ..
            }
        ));
    }

    #[test]
    fn the_member_limit_refuses_the_next_start() {
        assert!(admit_start(running(2, 2), LIMITS).is_err());
    }

    #[test]
    fn zero_means_unlimited() {
        let unlimited = SandboxLimits {
            per_org: 0,
            per_user: 0,
        };
        assert!(admit_start(running(10_000, 10_000), unlimited).is_ok());
    }

    #[test]
    fn an_operator_figure_replaces_the_org_default() {
        let raised = LIMITS.for_org(Some(10));
        assert!(admit_start(running(5, 0), raised).is_ok());
        assert_eq!(LIMITS.for_org(None), LIMITS);
    }
}
