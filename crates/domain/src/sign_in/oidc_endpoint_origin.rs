//! Where an identity provider's endpoints may be: on its issuer's origin, or under a URL the
//! operator allow-listed. A discovery document naming any other place is refused, so
//! `/api/auth/oidc/{org}/start` never sends a browser (and Tenantry never sends a code or fetches
//! keys) wherever an org's discovery document says.

use url::Url;

/// Why an endpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the provider's {endpoint} ({url}) is neither on the issuer's origin nor under the allow-list")]
pub struct EndpointRefused {
    /// Which endpoint (`authorization_endpoint`, `token_endpoint`, `jwks_uri`, …).
    pub endpoint: String,
    /// Where it pointed.
    pub url: String,
}

/// Whether `endpoint` is on `issuer`'s origin (scheme, host and port) or under an entry of
/// `allow_list` (same origin, and a path starting with the entry's path at a segment boundary).
pub fn endpoint_allowed(issuer: &str, endpoint: &str, allow_list: &[String]) -> bool {
    let Ok(endpoint) = Url::parse(endpoint) else {
        return false;
    };
    if Url::parse(issuer).is_ok_and(|issuer| issuer.origin() == endpoint.origin()) {
        return true;
    }
    allow_list.iter().any(|entry| {
        Url::parse(entry.trim()).is_ok_and(|allowed| {
            let prefix = allowed.path().trim_end_matches('/');
            allowed.origin() == endpoint.origin()
                && endpoint
                    .path()
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    })
}

/// Checks every named endpoint of a provider; the first refused one is the error.
pub fn check_endpoints<'a>(
    issuer: &str,
    endpoints: impl IntoIterator<Item = (&'a str, &'a str)>,
    allow_list: &[String],
) -> Result<(), EndpointRefused> {
    for (name, url) in endpoints {
        if !endpoint_allowed(issuer, url, allow_list) {
            return Err(EndpointRefused {
                endpoint: name.to_owned(),
                url: url.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_share_the_issuers_origin_or_be_allow_listed() {
        let issuer = "https://id.example.com/realms/corp";
        let list = vec!["https://login.partner.example/oauth".to_owned()];
        let cases = [
            ("https://id.example.com/realms/corp/auth", true),
            ("https://id.example.com:443/other", true),
            ("https://ID.example.com/x", true),
            ("http://id.example.com/x", false),
            ("https://id.example.com:8443/x", false),
            ("https://evil.example/authorize", false),
            ("https://id.example.com.evil.example/x", false),
            ("https://login.partner.example/oauth/authorize", true),
            ("https://login.partner.example/oauth", true),
            ("https://login.partner.example/oauthx", false),
            ("https://login.partner.example/other", false),
            ("not a url", false),
        ];
        for (endpoint, allowed) in cases {
            assert_eq!(endpoint_allowed(issuer, endpoint, &list), allowed, "{endpoint}");
        }
        assert_eq!(
            check_endpoints(
                issuer,
                [
                    ("authorization_endpoint", "https://id.example.com/auth"),
                    ("jwks_uri", "https://keys.example/jwks"),
                ],
                &[],
            ),
            Err(EndpointRefused {
                endpoint: "jwks_uri".into(),
                url: "https://keys.example/jwks".into(),
            })
        );
    }
}
