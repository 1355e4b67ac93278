//! One unit of work, and the rows it reads (with locks) and writes, by capability.

mod account_rows;
mod audit_rows;
mod event_log_rows;
mod invitation_rows;
mod member_grant_rows;
mod member_rows;
mod org_rows;
mod report_rows;
mod sandbox_rows;
mod user_rows;

pub use account_rows::AccountRows;
pub use audit_rows::AuditRows;
pub use event_log_rows::{EventLogRows, LockedConversation};
pub use invitation_rows::{InvitationRows, OpenInvitation};
pub use member_grant_rows::MemberGrantRows;
pub use member_rows::MemberRows;
pub use org_rows::OrgRows;
pub use report_rows::{ReportRows, ReportedConversation};
pub use sandbox_rows::SandboxRows;
pub use user_rows::UserRows;

use async_trait::async_trait;

use crate::DomainError;

/// An open unit of work from [`crate::ports::UnitOfWork::begin`]. Everything read and written
/// through it commits together or not at all; reads that lock hold their lock until the end.
#[async_trait]
pub trait Transaction: Send + Sync {
    /// Orgs.
    fn orgs(&self) -> &dyn OrgRows;
    /// Memberships.
    fn members(&self) -> &dyn MemberRows;
    /// Invitations.
    fn invitations(&self) -> &dyn InvitationRows;
    /// API keys and sandboxes a member holds in an org.
    fn member_grants(&self) -> &dyn MemberGrantRows;
    /// Users' current org and superadmin flag.
    fn users(&self) -> &dyn UserRows;
    /// New accounts.
    fn accounts(&self) -> &dyn AccountRows;
    /// The audit log.
    fn audit(&self) -> &dyn AuditRows;
    /// Conversations' event counts and segments.
    fn event_log(&self) -> &dyn EventLogRows;
    /// Sandboxes and their runtime states.
    fn sandboxes(&self) -> &dyn SandboxRows;
    /// Conversations as agent servers report them.
    fn reports(&self) -> &dyn ReportRows;
    /// Makes every write of the transaction visible, atomically.
    async fn commit(self: Box<Self>) -> Result<(), DomainError>;
}

/// A transaction type that is every row capability itself: implementing this and the ten row
/// traits makes it a [`Transaction`] (each accessor returns the object itself).
#[async_trait]
pub trait RowsTransaction:
    OrgRows
    + MemberRows
    + InvitationRows
    + MemberGrantRows
    + UserRows
    + AccountRows
    + AuditRows
    + EventLogRows
    + SandboxRows
    + ReportRows
{
    /// Makes every write of the transaction visible, atomically.
    async fn commit_rows(self: Box<Self>) -> Result<(), DomainError>;
}

#[async_trait]
impl<T: RowsTransaction + 'static> Transaction for T {
    fn orgs(&self) -> &dyn OrgRows {
        self
    }

    fn members(&self) -> &dyn MemberRows {
        self
    }

    fn invitations(&self) -> &dyn InvitationRows {
        self
    }

    fn member_grants(&self) -> &dyn MemberGrantRows {
        self
    }

    fn users(&self) -> &dyn UserRows {
        self
    }

    fn accounts(&self) -> &dyn AccountRows {
        self
    }

    fn audit(&self) -> &dyn AuditRows {
        self
    }

    fn event_log(&self) -> &dyn EventLogRows {
        self
    }

    fn sandboxes(&self) -> &dyn SandboxRows {
        self
    }

    fn reports(&self) -> &dyn ReportRows {
        self
    }

    async fn commit(self: Box<Self>) -> Result<(), DomainError> {
        self.commit_rows().await
    }
}
