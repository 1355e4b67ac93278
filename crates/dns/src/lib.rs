//! [`DomainVerifier`] over DNS: TXT lookups through the system's resolvers, or through name servers
//! the operator names (`auth.domain_verification.name_servers`).

use std::{net::SocketAddr, time::Duration};

use async_trait::async_trait;
use hickory_resolver::{
    Resolver, TokioResolver,
    config::{NameServerConfig, ResolverConfig, ResolverOpts},
    name_server::TokioConnectionProvider,
    proto::xfer::Protocol,
};
use tenantry_domain::{DomainError, ports::DomainVerifier};

/// How long one lookup may take, retries included.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Looks TXT records up in DNS.
#[derive(Clone)]
pub struct DnsDomainVerifier {
    resolver: TokioResolver,
}

impl DnsDomainVerifier {
    /// A verifier asking `name_servers` (UDP, then TCP for long answers), or the system's
    /// resolvers (`/etc/resolv.conf`) when the list is empty. Answers are not cached: an admin who
    /// just published the record is not told a stale "missing".
    pub fn new(name_servers: &[SocketAddr]) -> Result<Self, DomainError> {
        let unavailable = |error: hickory_resolver::ResolveError| {
            DomainError::Unavailable(format!("DNS resolver: {error}"))
        };
        let builder = if name_servers.is_empty() {
            Resolver::builder_tokio().map_err(unavailable)?
        } else {
            let mut config = ResolverConfig::new();
            for server in name_servers {
                config.add_name_server(NameServerConfig::new(*server, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(*server, Protocol::Tcp));
            }
            Resolver::builder_with_config(config, TokioConnectionProvider::default())
        };
        let mut options = ResolverOpts::default();
        options.cache_size = 0;
        options.timeout = Duration::from_secs(2);
        options.attempts = 2;
        Ok(Self {
            resolver: builder.with_options(options).build(),
        })
    }
}

#[async_trait]
impl DomainVerifier for DnsDomainVerifier {
    async fn txt_records(&self, name: &str) -> Result<Vec<String>, DomainError> {
        let lookup = tokio::time::timeout(LOOKUP_TIMEOUT, self.resolver.txt_lookup(format!("{name}.")))
            .await
            .map_err(|_| DomainError::Unavailable("DNS lookup timed out".into()))?;
        match lookup {
            Ok(found) => Ok(found
                .iter()
                .map(|record| {
                    record
                        .txt_data()
                        .iter()
                        .map(|part| String::from_utf8_lossy(part))
                        .collect::<String>()
                })
                .collect()),
            Err(error) if error.is_no_records_found() || error.is_nx_domain() => Ok(Vec::new()),
            Err(error) => {
                tracing::warn!(%error, name, "DNS lookup failed");
                Err(DomainError::Unavailable("DNS lookup failed".into()))
            }
        }
    }
}
