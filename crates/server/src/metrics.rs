//! Metrics of the service that the HTTP layer cannot see: the database pool and event-store calls.

use std::{sync::Arc, time::Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use prometheus::{HistogramOpts, HistogramVec, IntGauge, Registry};
use serde_json::Value;
use tenantry_domain::{
    DomainError, StoredEvent,
    ports::{EventSegment, EventStore, PendingPurge, Probe, SegmentObject},
};
use tenantry_http::MetricsRefresh;
use tenantry_sql::SqlDatabase;

/// Pool gauges, read at scrape time.
pub struct PoolGauges {
    database: SqlDatabase,
    size: IntGauge,
    idle: IntGauge,
}

impl PoolGauges {
    /// Registers the pool gauges for `database`.
    pub fn register(registry: &Registry, database: SqlDatabase) -> prometheus::Result<Self> {
        let size = IntGauge::new("tenantry_db_pool_connections", "Open database connections")?;
        let idle = IntGauge::new("tenantry_db_pool_idle_connections", "Idle database connections")?;
        let max = IntGauge::new(
            "tenantry_db_pool_max_connections",
            "Configured maximum of database connections",
        )?;
        registry.register(Box::new(size.clone()))?;
        registry.register(Box::new(idle.clone()))?;
        registry.register(Box::new(max.clone()))?;
        max.set(i64::from(database.connection_limit()));
        Ok(Self { database, size, idle })
    }
}

impl MetricsRefresh for PoolGauges {
    fn refresh(&self) {
        let (size, idle) = self.database.pool_stats();
        self.size.set(i64::from(size));
        self.idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
    }
}

/// An [`EventStore`] that counts and times the calls of the one it wraps.
pub struct MeteredEventStore {
    inner: Arc<dyn EventStore>,
    calls: HistogramVec,
}

impl MeteredEventStore {
    /// Wraps `inner`, registering `tenantry_event_store_call_duration_seconds{operation, outcome}`.
    pub fn register(registry: &Registry, inner: Arc<dyn EventStore>) -> prometheus::Result<Self> {
        let calls = HistogramVec::new(
            HistogramOpts::new(
                "tenantry_event_store_call_duration_seconds",
                "Event store calls by operation and outcome",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
            ]),
            &["operation", "outcome"],
        )?;
        registry.register(Box::new(calls.clone()))?;
        Ok(Self { inner, calls })
    }

    fn record<T>(&self, operation: &str, started: Instant, result: &Result<T, DomainError>) {
        let outcome = if result.is_ok() { "ok" } else { "error" };
        self.calls
            .with_label_values(&[operation, outcome])
            .observe(started.elapsed().as_secs_f64());
    }
}

#[async_trait]
impl Probe for MeteredEventStore {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn check(&self) -> Result<(), DomainError> {
        let started = Instant::now();
        let result = self.inner.check().await;
        self.record("probe", started, &result);
        result
    }
}

#[async_trait]
impl EventStore for MeteredEventStore {
    async fn put_batch(
        &self,
        object: SegmentObject,
        at: DateTime<Utc>,
        events: &[Value],
    ) -> Result<(), DomainError> {
        let started = Instant::now();
        let result = self.inner.put_batch(object, at, events).await;
        self.record("put_batch", started, &result);
        result
    }

    async fn delete_batch(&self, object: SegmentObject) -> Result<(), DomainError> {
        let started = Instant::now();
        let result = self.inner.delete_batch(object).await;
        self.record("delete_batch", started, &result);
        result
    }

    async fn get_segments(&self, segments: &[EventSegment]) -> Result<Vec<StoredEvent>, DomainError> {
        let started = Instant::now();
        let result = self.inner.get_segments(segments).await;
        self.record("get_segments", started, &result);
        result
    }

    async fn purge(&self, purge: PendingPurge) -> Result<(), DomainError> {
        let started = Instant::now();
        let result = self.inner.purge(purge).await;
        self.record("purge", started, &result);
        result
    }

    async fn batches_written_before(&self, before: DateTime<Utc>) -> Result<Vec<SegmentObject>, DomainError> {
        let started = Instant::now();
        let result = self.inner.batches_written_before(before).await;
        self.record("batches_written_before", started, &result);
        result
    }
}
