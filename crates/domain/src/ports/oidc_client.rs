use async_trait::async_trait;

use crate::{
    DomainError, SecretString,
    sign_in::sso::{AuthorizationRequest, ProviderSettings, VerifiedIdentity},
};

/// The relying-party side of OpenID Connect's authorization code flow with PKCE.
#[async_trait]
pub trait OidcClient: Send + Sync {
    /// The authorization URL for `provider` (discovered from its issuer), with a fresh state,
    /// nonce and PKCE challenge; `redirect_uri` is Tenantry's callback. An unreachable provider is
    /// `BadGateway`.
    async fn authorization_request(
        &self,
        provider: &ProviderSettings,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, DomainError>;

    /// Redeems `code` with the PKCE verifier and verifies the ID token: signature against the
    /// issuer's keys (fetched again for an unknown key id), `iss`, `aud`, `exp` and `nonce`. A
    /// refused code or a token failing any check is `Unauthorized("sso_failed")`.
    async fn complete(
        &self,
        provider: &ProviderSettings,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &SecretString,
        nonce: &SecretString,
    ) -> Result<VerifiedIdentity, DomainError>;
}
