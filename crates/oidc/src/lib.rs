//! Tenantry's OpenID Connect relying party, on the `openidconnect` crate: the authorization code
//! flow with PKCE (S256), a nonce and a state, and ID tokens verified against the issuer's keys
//! (`iss`, `aud`, `exp`, `nonce`, signature; `alg: none` never accepted).
//!
//! Discovery documents are cached per issuer; an ID token signed with a key the cached key set does
//! not hold makes the client fetch the provider's metadata and keys again, once, so a provider that
//! rotates its keys is followed without a restart.

mod http_client;

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use async_trait::async_trait;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata},
};
use tenantry_domain::{
    DomainError, SecretString,
    ports::OidcClient,
    sso::{AuthorizationRequest, ProviderSettings, VerifiedIdentity},
};

use crate::http_client::HttpClient;

/// The OpenID Connect client, one for every provider.
#[derive(Clone)]
pub struct OpenIdConnectClient {
    http: HttpClient,
    metadata: Arc<RwLock<HashMap<String, Arc<CoreProviderMetadata>>>>,
}

impl OpenIdConnectClient {
    /// A client whose requests to providers give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, DomainError> {
        Ok(Self {
            http: HttpClient::new(timeout)?,
            metadata: Arc::default(),
        })
    }

    /// The provider's metadata and keys: cached, or discovered now (`fresh` skips the cache).
    async fn metadata(&self, issuer: &str, fresh: bool) -> Result<Arc<CoreProviderMetadata>, DomainError> {
        if !fresh && let Some(cached) = self.metadata.read().expect("metadata lock").get(issuer) {
            return Ok(cached.clone());
        }
        let issuer_url =
            IssuerUrl::new(issuer.to_owned()).map_err(|_| DomainError::invalid("issuer", "is not a URL"))?;
        let client = self.http.clone();
        let call = move |request| {
            let client = client.clone();
            async move { client.send(request).await }
        };
        let discovered = CoreProviderMetadata::discover_async(issuer_url, &call)
            .await
            .map_err(|error| {
                tracing::warn!(issuer, error = %error, "OpenID provider discovery failed");
                DomainError::BadGateway {
                    code: "sso_provider_unavailable",
                    detail: "the identity provider's discovery document or keys could not be read".into(),
                }
            })?;
        let discovered = Arc::new(discovered);
        self.metadata
            .write()
            .expect("metadata lock")
            .insert(issuer.to_owned(), discovered.clone());
        Ok(discovered)
    }

    fn client(
        metadata: &CoreProviderMetadata,
        provider: &ProviderSettings,
        redirect_uri: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        DomainError,
    > {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|_| DomainError::Internal("callback URL invalid".into()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(provider.client_id.clone()),
            Some(ClientSecret::new(provider.client_secret.expose().to_owned())),
        )
        .set_redirect_uri(redirect))
    }
}

fn refused(why: impl std::fmt::Display) -> DomainError {
    tracing::warn!(reason = %why, "single sign-on refused");
    DomainError::Unauthorized("sso_failed")
}

#[async_trait]
impl OidcClient for OpenIdConnectClient {
    async fn authorization_request(
        &self,
        provider: &ProviderSettings,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, DomainError> {
        let metadata = self.metadata(&provider.issuer, false).await?;
        let client = Self::client(&metadata, provider, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(AuthorizationRequest {
            url: url.to_string(),
            state: SecretString::new(state.secret().clone()),
            nonce: SecretString::new(nonce.secret().clone()),
            pkce_verifier: SecretString::new(verifier.secret().clone()),
        })
    }

    async fn complete(
        &self,
        provider: &ProviderSettings,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &SecretString,
        nonce: &SecretString,
    ) -> Result<VerifiedIdentity, DomainError> {
        let metadata = self.metadata(&provider.issuer, false).await?;
        let client = Self::client(&metadata, provider, redirect_uri)?;
        let http = self.http.clone();
        let call = move |request| {
            let http = http.clone();
            async move { http.send(request).await }
        };
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|error| refused(format!("no token endpoint: {error}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.expose().to_owned()))
            .request_async(&call)
            .await
            .map_err(|error| refused(format!("code not redeemed: {error}")))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| refused("the token response has no ID token"))?;
        let nonce = Nonce::new(nonce.expose().to_owned());
        match verify(&client, id_token, &nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys: look once more, then decide.
                let metadata = self.metadata(&provider.issuer, true).await?;
                let client = Self::client(&metadata, provider, redirect_uri)?;
                verify(&client, id_token, &nonce).map_err(refused)
            }
            verified => verified.map_err(refused),
        }
    }
}

fn verify(
    client: &CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    id_token: &CoreIdToken,
    nonce: &Nonce,
) -> Result<VerifiedIdentity, ClaimsVerificationError> {
    let claims = id_token.claims(&client.id_token_verifier(), nonce)?;
    Ok(VerifiedIdentity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|email| email.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|name| name.get(None))
            .map(|name| name.to_string()),
    })
}
