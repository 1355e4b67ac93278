//! Where Tenantry is reached from outside, for links in mail and sandboxes' webhooks:
//! `auth.public_url`, or, when it is unset, the address Tenantry listens on (loopback for a bind
//! on every interface), with a warning when that address is not one other machines should use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The public URL, and what an operator should hear about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// The base URL, without a trailing slash.
    pub url: String,
    /// Why the derived URL may not reach Tenantry from elsewhere, when it may not.
    pub warning: Option<String>,
}

/// The public URL for a server configured with `configured` and listening on `listening`.
pub fn public_url(configured: Option<&str>, listening: SocketAddr) -> PublicUrl {
    if let Some(url) = configured.map(str::trim).filter(|url| !url.is_empty()) {
        return PublicUrl {
            url: url.trim_end_matches('/').to_owned(),
            warning: None,
        };
    }
    let ip = match listening.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let url = format!("http://{}", SocketAddr::new(ip, listening.port()));
    let warning = (!listening.ip().is_loopback()).then(|| {
        format!(
            "auth.public_url is unset and Tenantry listens on {listening}: links in mail and sandboxes' \
             webhooks use {url}; set TENANTRY_AUTH_PUBLIC_URL to the address people and sandboxes reach"
        )
    });
    PublicUrl { url, warning }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listening(address: &str) -> SocketAddr {
        address.parse().expect("address")
    }

    #[test]
    fn a_configured_url_wins_without_its_trailing_slash() {
        let public = public_url(Some("https://tenantry.example.com/"), listening("0.0.0.0:8080"));
        assert_eq!(public.url, "https://tenantry.example.com");
        assert_eq!(public.warning, None);
    }

    #[test]
    fn unset_it_is_the_loopback_address_and_port_listened_on() {
        let public = public_url(None, listening("127.0.0.1:18080"));
        assert_eq!(public.url, "http://127.0.0.1:18080");
        assert_eq!(public.warning, None);
    }

    #[test]
    fn a_blank_url_counts_as_unset() {
        assert_eq!(
            public_url(Some("  "), listening("127.0.0.1:9")).url,
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn every_interface_is_reached_on_loopback_with_a_warning() {
        let public = public_url(None, listening("0.0.0.0:8080"));
        assert_eq!(public.url, "http://127.0.0.1:8080");
        assert!(public.warning.is_some());
        assert_eq!(public_url(None, listening("[::]:8080")).url, "http://[::1]:8080");
    }

    #[test]
    fn a_specific_outside_address_is_used_with_a_warning() {
        let public = public_url(None, listening("192.0.2.10:8080"));
        assert_eq!(public.url, "http://192.0.2.10:8080");
        assert!(public.warning.is_some());
    }
}
