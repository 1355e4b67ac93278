//! Single sign-on: orgs' providers and sign-in policies (admin+), and signing in through a provider.

mod org_domains;
mod org_sign_in;
mod sign_in;

pub use org_sign_in::{OrgSsoInput, PolicyInput};
pub use sign_in::SsoFinish;

use std::sync::Arc;

use crate::{
    DomainError,
    clock::Clock,
    identity::services::identity::IdentityService,
    ports::{
        Credentials, DomainVerifier, OidcClient, Orgs, SecretCipher, SecretTokens, SsoStore, UnitOfWork,
    },
    sign_in::sso::{ProviderKey, SsoProvider},
};

/// The adapters single sign-on needs.
#[derive(Clone)]
pub struct SsoPorts {
    /// Providers, linked identities and sign-ins under way.
    pub sso: Arc<dyn SsoStore>,
    /// The OpenID Connect relying party.
    pub oidc: Arc<dyn OidcClient>,
    /// Orgs and memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Adding a member under the org lock.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Finding accounts by email.
    pub credentials: Arc<dyn Credentials>,
    /// Seals client secrets and PKCE verifiers.
    pub cipher: Arc<dyn SecretCipher>,
    /// Digests of `state`; random domain challenges.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Looks up the DNS records that prove an org's domains.
    pub domain_verifier: Arc<dyn DomainVerifier>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// The install's single sign-on settings.
#[derive(Debug, Clone, Default)]
pub struct SsoSettings {
    /// Base URL the provider redirects back to (`…/api/auth/oidc/{provider}/callback`).
    pub public_url: String,
    /// Providers configured for the whole install.
    pub install_providers: Vec<SsoProvider>,
    /// Absolute URLs a finished sign-in may send the browser under (paths on this install always
    /// may).
    pub redirect_allow_list: Vec<String>,
}

/// The single sign-on use cases.
#[derive(Clone)]
pub struct SsoService {
    ports: SsoPorts,
    settings: Arc<SsoSettings>,
    identity: IdentityService,
}

impl SsoService {
    /// The use cases over the given adapters; accounts and sessions go through `identity`.
    pub fn new(ports: SsoPorts, settings: SsoSettings, identity: IdentityService) -> Self {
        Self {
            ports,
            settings: Arc::new(settings),
            identity,
        }
    }

    /// The provider `key` names, with its client secret opened; `NotFound` when there is none.
    async fn provider(&self, key: &ProviderKey) -> Result<SsoProvider, DomainError> {
        match key {
            ProviderKey::Install(_) => self
                .settings
                .install_providers
                .iter()
                .find(|provider| &provider.key == key)
                .cloned()
                .ok_or(DomainError::NotFound),
            ProviderKey::Org(org) => {
                let stored = self
                    .ports
                    .sso
                    .org_provider(*org)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                let client_secret = self
                    .ports
                    .cipher
                    .open(&stored.sealed_secret, &client_secret_associated_data(*org))?;
                Ok(SsoProvider {
                    key: key.clone(),
                    settings: crate::sign_in::sso::ProviderSettings {
                        issuer: stored.issuer,
                        client_id: stored.client_id,
                        client_secret,
                    },
                    allowed_domains: stored.allowed_domains,
                    default_role: stored.default_role,
                })
            }
        }
    }

    /// Tenantry's callback URL for `key`, as registered at the provider.
    pub fn callback_url(&self, key: &ProviderKey) -> String {
        format!(
            "{}/api/auth/oidc/{}/callback",
            self.settings.public_url.trim_end_matches('/'),
            key.as_path()
        )
    }

    /// Forgets sign-ins that were started and never came back; returns how many.
    pub async fn sweep(&self) -> Result<u64, DomainError> {
        self.ports.sso.sweep_sign_ins(self.ports.clock.now()).await
    }
}

/// What an org's sealed client secret is bound to.
fn client_secret_associated_data(org: crate::OrgId) -> Vec<u8> {
    format!("sso:client_secret:{org}").into_bytes()
}

/// What a sealed PKCE verifier is bound to.
fn verifier_associated_data(state_digest: &str) -> Vec<u8> {
    format!("sso:pkce:{state_digest}").into_bytes()
}
