//! The client's address, for throttling: the TCP peer, or, behind proxies the operator trusts, the
//! rightmost forwarded hop that is not one of them. Entries left of that hop were written by the
//! client and are never believed.

use std::net::IpAddr;

use actix_web::{HttpRequest, http::header};
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed (`http.trusted_proxies`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses CIDR blocks or single addresses (`10.0.0.0/8`, `127.0.0.1`, `::1`).
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an IP address or CIDR block"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// No proxy is trusted: the peer address is the client.
    pub fn none() -> Self {
        Self::default()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address given the peer and the hops the proxies appended, oldest first.
    fn resolve(&self, peer: IpAddr, forwarded_hops: &[IpAddr]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        for hop in forwarded_hops.iter().rev() {
            client = canonical(*hop);
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 addresses compare as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The client's address for `req`: see the module documentation.
pub fn client_address(req: &HttpRequest, trusted: &TrustedProxies) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let hops = if trusted.contains(peer) {
        forwarded_hops(req)
    } else {
        Vec::new()
    };
    Some(trusted.resolve(peer, &hops).to_string())
}

/// The addresses in `Forwarded` (RFC 7239 `for=`), or else `X-Forwarded-For`, oldest first. A hop
/// that is not an address (`unknown`, an obfuscated name) stops the list there: nothing left of it can
/// be attributed.
fn forwarded_hops(req: &HttpRequest) -> Vec<IpAddr> {
    let forwarded: Vec<&str> = req
        .headers()
        .get_all(header::FORWARDED)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim().eq_ignore_ascii_case("for").then_some(value.trim())
            })
        })
        .collect();
    let raw: Vec<&str> = if forwarded.is_empty() {
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect()
    } else {
        forwarded
    };
    let parsed: Vec<Option<IpAddr>> = raw.iter().map(|hop| parse_hop(hop)).collect();
    // Keep only the unbroken run of addresses at the right end.
    let start = parsed
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |index| index + 1);
    parsed[start..].iter().flatten().copied().collect()
}

/// `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:443"`, `2001:db8::1`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    let (host, _port) = hop.rsplit_once(':')?;
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn request(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut builder = TestRequest::default().peer_addr(peer.parse().expect("socket address"));
        for (name, value) in headers {
            builder = builder.append_header((*name, *value));
        }
        builder.to_http_request()
    }

    fn trusted(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(entries.iter().copied()).expect("valid")
    }

    #[test]
    fn untrusted_peers_cannot_name_the_client() {
        let req = request("203.0.113.9:5000", &[("x-forwarded-for", "1.1.1.1")]);
        assert_eq!(
            client_address(&req, &trusted(&["10.0.0.0/8"])).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            client_address(&req, &TrustedProxies::none()).as_deref(),
            Some("203.0.113.9")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        // The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
        let req = request(
            "10.0.0.2:5000",
            &[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.5")],
        );
        assert_eq!(
            client_address(&req, &trusted(&["10.0.0.0/8"])).as_deref(),
            Some("198.51.100.7")
        );
    }

    #[test]
    fn forwarded_header_wins_and_supports_ports_and_ipv6() {
        let req = request(
            "127.0.0.1:5000",
            &[
                (
                    "forwarded",
                    r#"for=6.6.6.6, for="[2001:db8::7]:4711";proto=https"#,
                ),
                ("x-forwarded-for", "9.9.9.9"),
            ],
        );
        assert_eq!(
            client_address(&req, &trusted(&["127.0.0.1"])).as_deref(),
            Some("2001:db8::7")
        );
    }

    #[test]
    fn a_hop_that_is_no_address_stops_the_walk() {
        let req = request("127.0.0.1:5000", &[("x-forwarded-for", "6.6.6.6, unknown")]);
        assert_eq!(
            client_address(&req, &trusted(&["127.0.0.0/8"])).as_deref(),
            Some("127.0.0.1")
        );
    }

    #[test]
    fn all_hops_trusted_means_the_leftmost_trusted_one() {
        let req = request("10.0.0.2:5000", &[("x-forwarded-for", "10.0.0.9")]);
        assert_eq!(
            client_address(&req, &trusted(&["10.0.0.0/8"])).as_deref(),
            Some("10.0.0.9")
        );
    }

    #[test]
    fn bad_entries_are_rejected() {
        assert!(TrustedProxies::parse(["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse(["proxy.local"]).is_err());
        assert_eq!(
            TrustedProxies::parse(["", " "]).expect("empty"),
            TrustedProxies::none()
        );
    }
}
