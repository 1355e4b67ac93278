use tenantry_domain::services::ReadinessService;

/// The services handlers call, shared by every worker.
#[derive(Clone)]
pub struct AppState {
    /// Decides `/readyz`.
    pub readiness: ReadinessService,
}
