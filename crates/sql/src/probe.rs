use async_trait::async_trait;
use tenantry_domain::{DomainError, ports::Probe};

use crate::{SqlDatabase, errors::unavailable};

#[async_trait]
impl Probe for SqlDatabase {
    fn name(&self) -> &'static str {
        "database"
    }

    async fn check(&self) -> Result<(), DomainError> {
        self.conn.ping().await.map_err(unavailable)
    }
}
