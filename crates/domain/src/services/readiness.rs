use std::sync::Arc;

use crate::ports::Probe;

/// The outcome of one probe.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProbeReport {
    /// Which service.
    pub name: &'static str,
    /// Whether it answered.
    pub ok: bool,
}

/// Decides whether the service can take traffic: every backing service must answer.
#[derive(Clone)]
pub struct ReadinessService {
    probes: Vec<Arc<dyn Probe>>,
}

impl ReadinessService {
    /// Readiness over the given probes.
    pub fn new(probes: Vec<Arc<dyn Probe>>) -> Self {
        Self { probes }
    }

    /// Runs every probe at once, so the answer takes as long as the slowest one rather than their
    /// sum; ready when all of them pass.
    pub async fn check(&self) -> (bool, Vec<ProbeReport>) {
        let reports = futures::future::join_all(self.probes.iter().map(|probe| async move {
            // Adapters log their own failures in detail; the report only says which one failed.
            ProbeReport {
                name: probe.name(),
                ok: probe.check().await.is_ok(),
            }
        }))
        .await;
        (reports.iter().all(|report| report.ok), reports)
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::DomainError;

    struct Fixed(&'static str, bool);

    #[async_trait]
    impl Probe for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }
        async fn check(&self) -> Result<(), DomainError> {
            if self.1 {
                Ok(())
            } else {
                Err(DomainError::Unavailable("down".into()))
            }
        }
    }

    #[tokio::test]
    async fn ready_only_when_every_probe_passes() {
        let all_up = ReadinessService::new(vec![Arc::new(Fixed("db", true)), Arc::new(Fixed("store", true))]);
        assert!(all_up.check().await.0);

        let store_down =
            ReadinessService::new(vec![Arc::new(Fixed("db", true)), Arc::new(Fixed("store", false))]);
        let (ready, reports) = store_down.check().await;
        assert!(!ready);
        assert_eq!(
            reports[1],
            ProbeReport {
                name: "store",
                ok: false
            }
        );
    }
}
