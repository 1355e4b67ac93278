//! Tenantry's OpenID Connect relying party, on the `openidconnect` crate: the authorization code
//! flow with PKCE (S256), a nonce and a state, and ID tokens verified against the issuer's keys
//! (`iss`, `aud`, `exp`, `nonce`, signature; `alg: none` never accepted).
//!
//! Every answer is read up to a cap and every request is bounded in time; a provider's endpoints
//! must be on its issuer's origin or under the operator's allow-list
//! ([`tenantry_domain::oidc_endpoint_origin`]). A discovery that failed is remembered for a while,
//! so repeated sign-ins against a broken or hostile issuer do not fetch again.
//!
//! Discovery documents are cached per issuer; an ID token signed with a key the cached key set does
//! not hold makes the client fetch the provider's metadata and keys again, once, so a provider that
//! rotates its keys is followed without a restart.

mod http_client;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata},
};
use tenantry_domain::{
    DomainError, SecretString,
    oidc_endpoint_origin::check_endpoints,
    ports::OidcClient,
    sso::{AuthorizationRequest, ProviderSettings, VerifiedIdentity},
};

use crate::http_client::HttpClient;
pub use crate::http_client::HttpLimits;

/// The OpenID Connect client, one for every provider.
#[derive(Clone)]
pub struct OpenIdConnectClient {
    http: HttpClient,
    metadata: Arc<RwLock<HashMap<String, Arc<CoreProviderMetadata>>>>,
    /// Issuers whose discovery failed, and when.
    failures: Arc<Mutex<HashMap<String, Instant>>>,
    failure_ttl: Duration,
}

fn provider_unavailable() -> DomainError {
    DomainError::BadGateway {
        code: "sso_provider_unavailable",
        detail: "the identity provider's discovery document or keys could not be read".into(),
    }
}

impl OpenIdConnectClient {
    /// A client within `limits` that does not try an issuer again for `failure_ttl` after its
    /// discovery failed.
    pub fn new(limits: HttpLimits, failure_ttl: Duration) -> Result<Self, DomainError> {
        Ok(Self {
            http: HttpClient::new(limits)?,
            metadata: Arc::default(),
            failures: Arc::default(),
            failure_ttl,
        })
    }

    /// The provider's metadata and keys: cached, or discovered now (`fresh` skips the cache).
    async fn metadata(&self, issuer: &str, fresh: bool) -> Result<Arc<CoreProviderMetadata>, DomainError> {
        if !fresh && let Some(cached) = self.metadata.read().expect("metadata lock").get(issuer) {
            return Ok(cached.clone());
        }
        if self
            .failures
            .lock()
            .expect("failures lock")
            .get(issuer)
            .is_some_and(|failed| failed.elapsed() < self.failure_ttl)
        {
            return Err(provider_unavailable());
        }
        let discovered = self.discover(issuer).await.inspect_err(|_| {
            let mut failures = self.failures.lock().expect("failures lock");
            failures.retain(|_, failed| failed.elapsed() < self.failure_ttl);
            failures.insert(issuer.to_owned(), Instant::now());
        })?;
        self.failures.lock().expect("failures lock").remove(issuer);
        let discovered = Arc::new(discovered);
        self.metadata
            .write()
            .expect("metadata lock")
            .insert(issuer.to_owned(), discovered.clone());
        Ok(discovered)
    }

    /// Discovers the provider (document and keys, each read up to the cap) and checks where its
    /// endpoints are.
    async fn discover(&self, issuer: &str) -> Result<CoreProviderMetadata, DomainError> {
        let issuer_url =
            IssuerUrl::new(issuer.to_owned()).map_err(|_| DomainError::invalid("issuer", "is not a URL"))?;
        let client = self.http.clone();
        let owned_issuer: Arc<str> = issuer.into();
        let call = move |request| {
            let client = client.clone();
            let issuer = owned_issuer.clone();
            async move { client.send(&issuer, request).await }
        };
        let discovered = CoreProviderMetadata::discover_async(issuer_url, &call)
            .await
            .map_err(|error| {
                tracing::warn!(issuer, error = %error, "OpenID provider discovery failed");
                provider_unavailable()
            })?;
        let authorization = discovered.authorization_endpoint().to_string();
        let jwks = discovered.jwks_uri().to_string();
        let token = discovered.token_endpoint().map(ToString::to_string);
        let userinfo = discovered.userinfo_endpoint().map(ToString::to_string);
        let endpoints = [
            ("authorization_endpoint", Some(authorization.as_str())),
            ("jwks_uri", Some(jwks.as_str())),
            ("token_endpoint", token.as_deref()),
            ("userinfo_endpoint", userinfo.as_deref()),
        ];
        check_endpoints(
            issuer,
            endpoints
                .iter()
                .filter_map(|(name, url)| url.map(|url| (*name, url))),
            &self.http.endpoint_allow_list,
        )
        .map_err(|refused| {
            tracing::warn!(issuer, reason = %refused, "OpenID provider refused");
            provider_unavailable()
        })?;
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
        let issuer: Arc<str> = provider.issuer.as_str().into();
        let call = move |request| {
            let http = http.clone();
            let issuer = issuer.clone();
            async move { http.send(&issuer, request).await }
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
