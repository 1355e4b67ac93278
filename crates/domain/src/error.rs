//! The errors a use case can end in. The HTTP layer owns the single mapping to problem documents.

use std::time::Duration;

/// One invalid input field and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's name as the client sent it.
    pub field: String,
    /// What is wrong with it, for a human.
    pub message: String,
}

impl FieldError {
    /// A new field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a use case did not succeed.
///
/// Conflict-like variants carry a stable machine-readable `code` (`email_taken`, `last_owner`, …).
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input failed validation; one entry per offending field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No credentials, or credentials that are not (or no longer) valid.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// The caller is known and a member, but its role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// A member the org's policy shuts out (`mfa_required`, `sso_required`), or another refusal
    /// the caller can act on (`code` says which).
    #[error("refused: {code}")]
    Refused {
        /// Stable machine-readable reason.
        code: &'static str,
        /// What the caller can do about it.
        detail: String,
    },
    /// A request that is not what it claims to be (a webhook whose signature does not check out).
    #[error("rejected: {code}")]
    Rejected {
        /// Stable machine-readable reason.
        code: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A budget is used up: no agent starts or continues until it resets (or is raised).
    #[error("budget exceeded")]
    BudgetExceeded {
        /// The limit, in micro-units.
        budget: i64,
        /// What was spent against it.
        spent: i64,
        /// When the period ends (`None` for a conversation's own limit).
        resets_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The resource does not exist or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// The request conflicts with current state (`code` says how).
    #[error("conflict: {code}")]
    Conflict {
        /// Stable machine-readable reason.
        code: &'static str,
        /// Human-readable explanation.
        detail: String,
    },
    /// The resource existed but is gone for good (an expired token, say).
    #[error("gone: {code}")]
    Gone {
        /// Stable machine-readable reason.
        code: &'static str,
    },
    /// Too many attempts; try again after the given delay.
    #[error("too many requests")]
    TooManyRequests {
        /// How long the caller must wait.
        retry_after: Duration,
    },
    /// A limit on how many of something may exist at once is reached (waiting does not help;
    /// stopping one does).
    #[error("limit reached: {code}")]
    LimitReached {
        /// Stable machine-readable reason.
        code: &'static str,
        /// What was reached and what to do, for a human.
        detail: String,
    },
    /// A service Tenantry called on the caller's behalf (an agent server) failed or refused.
    #[error("bad gateway: {code}")]
    BadGateway {
        /// Stable machine-readable reason.
        code: &'static str,
        /// What happened, for a human (never a secret).
        detail: String,
    },
    /// A backing service (database, object store, mail) did not answer.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A write's commit was cut in flight and whether it landed could not be found out: it may or
    /// may not have happened.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    /// The database or the object store has no room left for a write (a full disk, a database at
    /// its size limit): nothing was changed, and nothing will be until space is freed.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// A bug or an unexpected state; details go to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// A validation error on a single field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A refusal with a stable code and what the caller can do about it.
    pub fn refused(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Refused {
            code,
            detail: detail.into(),
        }
    }

    /// A conflict with a stable code and a human explanation.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }
}
