//! Readiness probes with a time limit: a backing service that hangs (a frozen network, an object
//! store that accepts connections but never answers) fails its probe within the limit, so
//! `/readyz` answers a load balancer in time instead of after the service's own long timeouts.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use tenantry_domain::{DomainError, ports::Probe};

/// A probe that fails when the one it wraps takes longer than `limit`.
pub struct BoundedProbe {
    inner: Arc<dyn Probe>,
    limit: Duration,
}

impl BoundedProbe {
    /// Bounds `inner` to `limit`.
    pub fn wrap(inner: Arc<dyn Probe>, limit: Duration) -> Arc<dyn Probe> {
        Arc::new(Self { inner, limit })
    }
}

#[async_trait]
impl Probe for BoundedProbe {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn check(&self) -> Result<(), DomainError> {
        match tokio::time::timeout(self.limit, self.inner.check()).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::warn!(
                    probe = self.inner.name(),
                    millis = self.limit.as_millis() as u64,
                    "readiness probe did not answer in time"
                );
                Err(DomainError::Unavailable(self.inner.name().into()))
            }
        }
    }
}
