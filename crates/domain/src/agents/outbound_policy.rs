//! Where Tenantry may send requests on a member's behalf (agent servers at sandbox URLs): the
//! operator's allow-list of hosts, and the address classes refused unless the operator opens them
//! (loopback, private networks). Link-local (cloud metadata), unspecified, multicast and broadcast
//! addresses are never reached. A URL is judged by its host, and every address its name resolves
//! to is judged again by the adapter that connects.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::DomainError;

/// The operator's outbound policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Hosts that may be reached (`agents.example.com`, or `*.example.com` for its subdomains);
    /// empty: any host whose addresses pass.
    pub allowed_hosts: Vec<String>,
    /// Whether loopback addresses (`127.0.0.0/8`, `::1`) may be reached.
    pub allow_loopback: bool,
    /// Whether private addresses (`10/8`, `172.16/12`, `192.168/16`, `100.64/10`, `fc00::/7`) may be
    /// reached.
    pub allow_private: bool,
}

/// The classes of addresses the policy tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// This machine.
    Loopback,
    /// A private network.
    Private,
    /// Link-local (cloud metadata services live there); never reached.
    LinkLocal,
    /// Unspecified, multicast, broadcast or reserved; never reached.
    Special,
}

/// Why a destination is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundRefusal {
    /// Not an absolute `http(s)` URL with a host.
    #[error("not an absolute http(s) URL with a host")]
    NotAUrl,
    /// The host is not on the operator's allow-list.
    #[error("the host is not on the operator's allow-list")]
    HostNotAllowed,
    /// The host is, or resolves to, an address of a refused class.
    #[error("the host is or resolves to a {0:?} address, which this server does not call")]
    AddressRefused(AddressClass),
    /// The name resolves to no address.
    #[error("the host resolves to no address")]
    Unresolved,
}

impl OutboundRefusal {
    /// The validation error a registration gets for `field`.
    pub fn invalid(&self, field: &str) -> DomainError {
        DomainError::invalid(
            field,
            format!("is not allowed by the server's outbound policy: {self}"),
        )
    }
}

/// The class of an address (IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry).
pub fn address_class(address: IpAddr) -> AddressClass {
    match address {
        IpAddr::V4(v4) => v4_class(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_class(v4),
            None => v6_class(v6),
        },
    }
}

fn v4_class(address: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = address.octets();
    if address.is_loopback() {
        AddressClass::Loopback
    } else if address.is_link_local() {
        AddressClass::LinkLocal
    } else if address.is_private() || (a == 100 && (64..128).contains(&b)) {
        AddressClass::Private
    } else if address.is_unspecified()
        || address.is_broadcast()
        || address.is_multicast()
        || a == 0
        || a >= 240
    {
        AddressClass::Special
    } else {
        AddressClass::Public
    }
}

fn v6_class(address: Ipv6Addr) -> AddressClass {
    let first = address.segments()[0];
    if address.is_loopback() {
        AddressClass::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if address.is_unspecified() || address.is_multicast() {
        AddressClass::Special
    } else {
        AddressClass::Public
    }
}

impl OutboundPolicy {
    /// Whether an address may be connected to.
    pub fn check_address(&self, address: IpAddr) -> Result<(), OutboundRefusal> {
        match address_class(address) {
            AddressClass::Public => Ok(()),
            AddressClass::Loopback if self.allow_loopback => Ok(()),
            AddressClass::Private if self.allow_private => Ok(()),
            refused => Err(OutboundRefusal::AddressRefused(refused)),
        }
    }

    /// Whether a URL may be called, judged by its host: on the allow-list (when there is one), and
    /// an address literal of an allowed class. Names are judged again once resolved
    /// ([`OutboundPolicy::check_resolved`]).
    pub fn check_url(&self, raw: &str) -> Result<(), OutboundRefusal> {
        let url = Url::parse(raw).map_err(|_| OutboundRefusal::NotAUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundRefusal::NotAUrl);
        }
        let host = url.host().ok_or(OutboundRefusal::NotAUrl)?;
        let name = match &host {
            Host::Domain(name) => name.trim_end_matches('.').to_ascii_lowercase(),
            Host::Ipv4(v4) => v4.to_string(),
            Host::Ipv6(v6) => v6.to_string(),
        };
        if !self.allowed_hosts.is_empty()
            && !self
                .allowed_hosts
                .iter()
                .any(|allowed| host_matches(allowed, &name))
        {
            return Err(OutboundRefusal::HostNotAllowed);
        }
        match host {
            Host::Ipv4(v4) => self.check_address(IpAddr::V4(v4)),
            Host::Ipv6(v6) => self.check_address(IpAddr::V6(v6)),
            Host::Domain(_) => Ok(()),
        }
    }

    /// Whether the addresses a name resolved to may be connected to: all of them must pass (a name
    /// with one refused address is refused, so no retry or rebinding reaches it).
    pub fn check_resolved(&self, addresses: &[IpAddr]) -> Result<(), OutboundRefusal> {
        if addresses.is_empty() {
            return Err(OutboundRefusal::Unresolved);
        }
        addresses
            .iter()
            .try_for_each(|address| self.check_address(*address))
    }
}

/// `allowed` is a host name or address, or `*.suffix` for any subdomain of `suffix`.
fn host_matches(allowed: &str, host: &str) -> bool {
    let allowed = allowed
        .trim()
        .trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    match allowed.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1),
        None => allowed == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowed_hosts: &[&str], allow_loopback: bool, allow_private: bool) -> OutboundPolicy {
        OutboundPolicy {
            allowed_hosts: allowed_hosts.iter().map(|host| (*host).to_owned()).collect(),
            allow_loopback,
            allow_private,
        }
    }

    #[test]
    fn address_classes() {
        let cases = [
            ("8.8.8.8", AddressClass::Public),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.9.9.9", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.20.0.1", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("100.100.0.1", AddressClass::Private),
            ("fd00::1", AddressClass::Private),
            ("169.254.169.254", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("0.0.0.0", AddressClass::Special),
            ("::", AddressClass::Special),
            ("255.255.255.255", AddressClass::Special),
            ("224.0.0.1", AddressClass::Special),
            ("2606:4700::1111", AddressClass::Public),
        ];
        for (address, class) in cases {
            assert_eq!(
                address_class(address.parse().expect("address")),
                class,
                "{address}"
            );
        }
    }

    #[test]
    fn urls_are_judged_by_their_host() {
        let closed = policy(&[], false, false);
        assert_eq!(closed.check_url("https://agents.example.com/x"), Ok(()));
        assert_eq!(closed.check_url("http://93.184.216.34:8000"), Ok(()));
        for refused in [
            "http://127.0.0.1:8000",
            "http://[::1]:8000",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://10.0.0.5",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:192.168.0.1]/",
            "http://0.0.0.0:22",
        ] {
            assert!(
                matches!(closed.check_url(refused), Err(OutboundRefusal::AddressRefused(_))),
                "{refused}"
            );
        }
        assert_eq!(closed.check_url("ftp://x"), Err(OutboundRefusal::NotAUrl));
        let open = policy(&[], true, true);
        assert_eq!(open.check_url("http://127.0.0.1:8000"), Ok(()));
        assert_eq!(open.check_url("http://10.0.0.5"), Ok(()));
        assert!(
            open.check_url("http://169.254.169.254").is_err(),
            "link-local stays closed"
        );
    }

    #[test]
    fn the_allow_list_names_hosts_and_subdomains() {
        let listed = policy(
            &["agents.example.com", "*.sandbox.example.net", "[::1]"],
            true,
            false,
        );
        assert_eq!(listed.check_url("https://agents.example.com"), Ok(()));
        assert_eq!(listed.check_url("https://AGENTS.example.com./x"), Ok(()));
        assert_eq!(listed.check_url("https://a.sandbox.example.net"), Ok(()));
        assert_eq!(listed.check_url("http://[::1]:9"), Ok(()));
        for refused in [
            "https://sandbox.example.net",
            "https://evilsandbox.example.net",
            "https://agents.example.com.evil.io",
            "http://127.0.0.1",
        ] {
            assert_eq!(
                listed.check_url(refused),
                Err(OutboundRefusal::HostNotAllowed),
                "{refused}"
            );
        }
    }

    #[test]
    fn every_resolved_address_must_pass() {
        let closed = policy(&[], false, false);
        let public: IpAddr = "93.184.216.34".parse().expect("address");
        let loopback: IpAddr = "127.0.0.1".parse().expect("address");
        assert_eq!(closed.check_resolved(&[public]), Ok(()));
        assert!(closed.check_resolved(&[public, loopback]).is_err());
        assert_eq!(closed.check_resolved(&[]), Err(OutboundRefusal::Unresolved));
    }
}
