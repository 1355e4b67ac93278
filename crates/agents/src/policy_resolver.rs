//! Name resolution that applies the outbound policy to every address a name resolves to, so the
//! connection is made only to addresses that were checked (a name that resolves to a loopback or
//! private address, or rebinds to one between two lookups, is never connected to).

use std::{error::Error, net::SocketAddr, sync::Arc};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tenantry_domain::outbound_policy::{OutboundPolicy, OutboundRefusal};

/// A resolver that refuses names with any address the policy refuses.
#[derive(Debug, Clone)]
pub(crate) struct PolicyResolver {
    pub(crate) policy: Arc<OutboundPolicy>,
}

impl PolicyResolver {
    /// The host's addresses, all of them allowed.
    pub(crate) async fn lookup(
        policy: &OutboundPolicy,
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn Error + Send + Sync>> {
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
        let ips: Vec<_> = addresses.iter().map(SocketAddr::ip).collect();
        policy.check_resolved(&ips)?;
        Ok(addresses)
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let addresses = Self::lookup(&policy, name.as_str()).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// The policy's refusal somewhere in an error's chain of causes.
pub(crate) fn refusal_in(error: &(dyn Error + 'static)) -> Option<OutboundRefusal> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(refusal) = error.downcast_ref::<OutboundRefusal>() {
            return Some(refusal.clone());
        }
        current = error.source();
    }
    None
}
