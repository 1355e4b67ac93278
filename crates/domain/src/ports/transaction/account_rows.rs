use async_trait::async_trait;

use crate::{DomainError, ports::Registration};

/// New accounts, inside a transaction.
#[async_trait]
pub trait AccountRows: Send + Sync {
    /// Inserts the registration's user (as given, superadmin flag included), its personal org and
    /// owner membership, and its single sign-on link when it has one; its audit entry is the
    /// caller's to record. A taken email or an identity linked meanwhile is
    /// `Conflict { code: "email_taken" }`.
    async fn insert_account(&self, registration: &Registration) -> Result<(), DomainError>;
}
