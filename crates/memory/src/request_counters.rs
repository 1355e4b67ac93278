//! [`RequestCounters`] in memory: one instance's counts, exact.

use std::{collections::HashMap, sync::Mutex};

use tenantry_domain::{OrgId, ports::RequestCounters};

/// Request counters of one process.
#[derive(Debug, Default)]
pub struct MemoryRequestCounters {
    counts: Mutex<HashMap<(String, i64), u64>>,
    org_limits: Mutex<HashMap<OrgId, u32>>,
}

impl MemoryRequestCounters {
    /// Empty counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or clears) an org's own limit.
    pub fn set_org_limit(&self, org: OrgId, limit: Option<u32>) {
        let mut limits = self
            .org_limits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match limit {
            Some(limit) => limits.insert(org, limit),
            None => limits.remove(&org),
        };
    }
}

impl RequestCounters for MemoryRequestCounters {
    fn count(&self, keys: &[String], window: i64) -> Vec<u64> {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts.retain(|(_, start), _| *start >= window);
        keys.iter()
            .map(|key| {
                let count = counts.entry((key.clone(), window)).or_insert(0);
                *count += 1;
                *count
            })
            .collect()
    }

    fn org_limit(&self, org: OrgId) -> Option<u32> {
        self.org_limits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&org)
            .copied()
    }
}
