//! Signing in through a provider: start (state, nonce, PKCE), finish (verify, match or create the
//! account, join the provider's org), and the single-use code the browser exchanges for tokens.

use serde_json::json;

use crate::{
    AuditAction, AuditEntry, DomainError, Email, SecretString, User, UserId,
    identity::session::{OneTimePurpose, SsoSource},
    ports::{Change, SsoIdentity, StoredSignIn},
    services::{
        identity::register::{AccountOrigin, display_name},
        sso::{SsoService, verifier_associated_data},
    },
    sign_in::org_policy::email_in_domains,
    sign_in::sso::{
        AccountMatch, EXCHANGE_TTL, EmailLinking, ProviderKey, SIGN_IN_TTL, SsoProvider, VerifiedIdentity,
        domain_allowed, match_account, redirect_allowed,
    },
    sign_in::sso_joining::{SsoJoinFacts, decide_sso_join},
};

/// A finished sign-in: the code to exchange for tokens, and where the browser goes with it.
#[derive(Debug, Clone)]
pub struct SsoFinish {
    /// Single-use, short-lived; `POST /api/auth/oidc/exchange` turns it into tokens.
    pub code: SecretString,
    /// Where the sign-in was asked to return to (checked when it started).
    pub redirect: Option<String>,
}

fn state_invalid() -> DomainError {
    DomainError::Unauthorized("sso_state_invalid")
}

impl SsoService {
    /// Starts a sign-in through `provider`: the provider's authorization URL to send the browser to.
    /// `redirect` (where to go afterwards) must be a path here or under an allowed URL.
    pub async fn start(&self, provider: &str, redirect: Option<&str>) -> Result<String, DomainError> {
        let key = ProviderKey::parse(provider)?;
        if let Some(target) = redirect
            && !redirect_allowed(target, &self.settings.redirect_allow_list)
        {
            return Err(DomainError::invalid(
                "redirect",
                "must be a path on this server or a URL under the allow-list",
            ));
        }
        let provider = self.provider(&key).await?;
        let request = self
            .ports
            .oidc
            .authorization_request(&provider.settings, &self.callback_url(&key))
            .await?;
        let state_digest = self.ports.secret_tokens.digest(request.state.expose());
        let sealed_verifier = self.ports.cipher.seal(
            request.pkce_verifier.expose().as_bytes(),
            &verifier_associated_data(&state_digest),
        )?;
        self.ports
            .sso
            .save_sign_in(&StoredSignIn {
                state_digest,
                provider: key.as_path(),
                nonce: request.nonce.expose().to_owned(),
                sealed_verifier,
                redirect: redirect.map(str::to_owned),
                expires_at: self.ports.clock.now() + SIGN_IN_TTL,
            })
            .await?;
        Ok(request.url)
    }

    /// Finishes a sign-in the provider sent back: the state must be one this install started for
    /// this provider (once), the code is redeemed with its PKCE verifier and the ID token verified.
    /// The identity signs in as the account linked to it, or a new account, or the account with
    /// its verified email — through an org's provider only when the org proved it controls the
    /// email's domain; an org's provider adds the user to the org when the email's domain is
    /// allowed.
    pub async fn finish(&self, provider: &str, state: &str, code: &str) -> Result<SsoFinish, DomainError> {
        let key = ProviderKey::parse(provider).map_err(|_| state_invalid())?;
        let now = self.ports.clock.now();
        let state_digest = self.ports.secret_tokens.digest(state);
        let sign_in = self
            .ports
            .sso
            .take_sign_in(&state_digest, now)
            .await?
            .ok_or_else(state_invalid)?;
        if sign_in.provider != key.as_path() {
            return Err(state_invalid());
        }
        let verifier = self
            .ports
            .cipher
            .open(&sign_in.sealed_verifier, &verifier_associated_data(&state_digest))?;
        let provider = self.provider(&key).await?;
        let identity = self
            .ports
            .oidc
            .complete(
                &provider.settings,
                &self.callback_url(&key),
                code,
                &verifier,
                &SecretString::new(sign_in.nonce),
            )
            .await?;
        let user = self.account_for(&provider, &identity).await?;
        if let ProviderKey::Org(org) = key {
            self.join_org(org, &provider, &user).await?;
        }
        let code = self
            .identity
            .issue_one_time_token_with(
                &user,
                OneTimePurpose::SsoLogin,
                EXCHANGE_TTL,
                SsoSource::of(&key).stored(),
            )
            .await?;
        Ok(SsoFinish {
            code,
            redirect: sign_in.redirect,
        })
    }

    /// The account `identity` signs in as, linking or creating it the first time.
    async fn account_for(
        &self,
        provider: &SsoProvider,
        identity: &VerifiedIdentity,
    ) -> Result<User, DomainError> {
        // The account by email first, then the link: an account created through single sign-on
        // commits with its link, so an account seen here has its link seen below.
        let by_email = match identity.email.as_deref().map(Email::parse) {
            Some(Ok(email)) => self.ports.credentials.credentials_by_email(&email).await?,
            _ => None,
        };
        let linked = self
            .ports
            .sso
            .linked_user(&identity.issuer, &identity.subject)
            .await?;
        let existing = by_email.filter(|_| linked.is_none());
        let verified_domains = match &provider.key {
            ProviderKey::Org(org) if linked.is_none() && existing.is_some() => {
                self.verified_domains(*org).await?
            }
            _ => Vec::new(),
        };
        let linking = EmailLinking::for_provider(&provider.key, verified_domains);
        let decision = match_account(identity, linked, &linking, |_| {
            existing.as_ref().map(|found| found.user.id)
        })?;
        let now = self.ports.clock.now();
        let user_id: UserId = match decision {
            AccountMatch::Linked(user) => user,
            AccountMatch::LinkExisting(user) => {
                let found = existing.as_ref().ok_or(DomainError::NotFound)?;
                domain_allowed(provider, &found.user.email)?;
                self.link(identity, user, "existing").await?
            }
            AccountMatch::Create(email) => {
                domain_allowed(provider, &email)?;
                let name = display_name(identity.name.as_deref(), Some(&email))
                    .or_else(|_| display_name(None, Some(&email)))?;
                let identity_at_provider = SsoIdentity {
                    issuer: identity.issuer.clone(),
                    subject: identity.subject.clone(),
                };
                let created = self
                    .identity
                    .create_account(
                        email,
                        name,
                        None,
                        Some(now),
                        AccountOrigin::Sso(identity_at_provider),
                    )
                    .await;
                match created {
                    Ok((user, _)) => user.id,
                    // Another sign-in of the same person created it a moment ago.
                    Err(DomainError::Conflict {
                        code: crate::identity::email::EMAIL_TAKEN,
                        ..
                    }) => {
                        return Box::pin(self.account_for(provider, identity)).await;
                    }
                    Err(other) => return Err(other),
                }
            }
        };
        let user = self.identity.active_user(user_id).await?;
        // A linked account keeps to the provider's domains too, as the account's email is now.
        if !email_in_domains(&user.email, &provider.allowed_domains) {
            domain_allowed(provider, &user.email)?;
        }
        Ok(user)
    }

    async fn link(
        &self,
        identity: &VerifiedIdentity,
        user: UserId,
        how: &str,
    ) -> Result<UserId, DomainError> {
        let now = self.ports.clock.now();
        let org = self.identity.personal_org_of(user).await?;
        let audit = AuditEntry::new(
            org,
            now,
            Some(user),
            AuditAction::SsoLinked,
            ("user", Some(user.to_string())),
            json!({ "issuer": identity.issuer, "subject": identity.subject, "account": how }),
        );
        self.ports
            .sso
            .link(&identity.issuer, &identity.subject, user, now, &audit)
            .await
    }

    /// Adds `user` to the provider's org as [`decide_sso_join`] decides, with the org locked.
    async fn join_org(
        &self,
        org: crate::OrgId,
        provider: &SsoProvider,
        user: &User,
    ) -> Result<(), DomainError> {
        if provider.allowed_domains.is_empty() {
            return Ok(());
        }
        let change = Change {
            actor: user.id,
            at: self.ports.clock.now(),
        };
        let transaction = self.ports.unit_of_work.begin().await?;
        let locked = transaction.orgs().lock(org).await?;
        let members = transaction.members();
        let Some(role) = decide_sso_join(SsoJoinFacts {
            email: &user.email,
            provider_domains: &provider.allowed_domains,
            org_domains: &locked.policy.allowed_email_domains,
            default_role: provider.default_role,
            personal: locked.personal,
            already_member: members.role_of(org, user.id).await?.is_some(),
        }) else {
            return Ok(());
        };
        members.insert(org, user.id, role, change.at).await?;
        transaction
            .audit()
            .record(&change.audit(
                org,
                AuditAction::MemberAdded,
                ("member", user.id),
                json!({ "role": role.name(), "via": "sso" }),
            ))
            .await?;
        transaction.commit().await
    }
}
