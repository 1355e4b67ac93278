use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{DomainError, UserId, credential_lifecycle::Revocation, ports::MemberGrantRows};

use super::SqlTransaction;
use crate::credential_rows::revoke_credentials;

#[async_trait]
impl MemberGrantRows for SqlTransaction {
    async fn revoke(
        &self,
        user: UserId,
        revocation: &Revocation,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        revoke_credentials(&self.txn, user, revocation, at).await
    }
}
