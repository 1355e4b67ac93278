//! Identity: registration, login, sessions, email verification and password recovery.

mod attempts;
mod login;
mod mfa;
mod recovery;
pub(crate) mod register;
mod sessions;
mod sso_exchange;

use std::{sync::Arc, time::Duration};

pub use login::LoginOutcome;
pub use mfa::{MfaProof, MfaSetup};
pub use register::{LOCAL_USER_EMAIL, RegisterInput, Registered};

use crate::{
    Caller, DomainError, User, UserId,
    clock::Clock,
    identity::throttle::{
        ACCOUNT_KEYS, ADDRESS_KEYS, MAIL_REQUEST_KEYS, MFA_KEYS, RESET_MAIL_KEYS, ThrottleLimit,
        ThrottlePolicy, stale_before,
    },
    ports::{
        AccessTokens, Accounts, BackgroundTasks, Credentials, LoginThrottleStore, Mailer, MfaStore,
        OneTimeTokens, PasswordHasher, SecretCipher, SecretTokens, Sessions, Signal, SignalBus, TotpCodes,
        UnitOfWork,
    },
};

/// Lifetimes, limits and links the identity rules depend on.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// Absolute lifetime of a refresh-token family (rotation never extends it).
    pub refresh_ttl: Duration,
    /// Lifetime of an email verification token.
    pub verification_ttl: Duration,
    /// Lifetime of a password reset token.
    pub reset_ttl: Duration,
    /// Login throttling.
    pub throttle: ThrottlePolicy,
    /// Reset mails per account (at most `max_failures` per `window`).
    pub reset_mails_per_account: ThrottleLimit,
    /// Anonymous mail requests (password resets) per client address.
    pub mail_requests_per_address: ThrottleLimit,
    /// Base URL of the web app, for links in mail.
    pub public_url: String,
    /// The org every new account joins (`orgs.default_org`), if the install has one.
    pub default_org: Option<crate::orgs::default_org::DefaultOrg>,
}

/// The adapters identity needs.
#[derive(Clone)]
pub struct IdentityPorts {
    /// Users and their accounts.
    pub accounts: Arc<dyn Accounts>,
    /// New accounts, created with the install locked when they may be its first.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Password hashes.
    pub credentials: Arc<dyn Credentials>,
    /// Sessions and refresh tokens.
    pub sessions: Arc<dyn Sessions>,
    /// Email verification and reset tokens.
    pub one_time_tokens: Arc<dyn OneTimeTokens>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Access token signing.
    pub access_tokens: Arc<dyn AccessTokens>,
    /// Opaque tokens and digests.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// Outgoing mail.
    pub mailer: Arc<dyn Mailer>,
    /// Tells followers that a user's credentials changed.
    pub signals: Arc<dyn SignalBus>,
    /// Failed-login counters.
    pub throttle: Arc<dyn LoginThrottleStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Work done after the answer (reset mail).
    pub background: Arc<dyn BackgroundTasks>,
    /// TOTP enrolments and recovery codes.
    pub mfa: Arc<dyn MfaStore>,
    /// TOTP codes.
    pub totp: Arc<dyn TotpCodes>,
    /// Seals TOTP secrets under the key ring.
    pub cipher: Arc<dyn SecretCipher>,
}

/// The identity use cases.
#[derive(Clone)]
pub struct IdentityService {
    ports: IdentityPorts,
    settings: Arc<IdentitySettings>,
}

impl IdentityService {
    /// The identity use cases over the given adapters.
    pub fn new(ports: IdentityPorts, settings: IdentitySettings) -> Self {
        Self {
            ports,
            settings: Arc::new(settings),
        }
    }

    /// Tells followers that `user`'s credentials changed (after the change committed).
    pub(crate) async fn credentials_changed(&self, user: crate::UserId) {
        let _ = self
            .ports
            .signals
            .publish(Signal::CredentialsChanged { user })
            .await;
    }

    /// Resolves an access token to its user; a token whose session ended (logout, reuse of a refresh
    /// token, password change or reset), stale (older than the user's epoch), disabled or unknown users
    /// are `Unauthorized`.
    pub async fn authenticate(&self, access_token: &str) -> Result<Caller, DomainError> {
        let claims = self.verify_access(access_token)?;
        let holder = self
            .ports
            .sessions
            .user_in_live_session(claims.user_id, claims.session_id, self.ports.clock.now())
            .await?;
        crate::identity::session_confirmation::confirm_session(&claims, holder)
    }

    /// The claims of an access token whose signature and expiry check out, before its session is
    /// confirmed (a read that confirms the session itself takes these).
    pub fn verify_access(
        &self,
        access_token: &str,
    ) -> Result<crate::identity::session::AccessClaims, DomainError> {
        self.ports.access_tokens.verify(access_token)
    }

    /// The person signed in with `session`, while that session lives and the account is enabled
    /// (a stream opened with a ticket stands for the session that asked for the ticket).
    pub async fn person_in_session(&self, user: UserId, session: uuid::Uuid) -> Result<Caller, DomainError> {
        match self
            .ports
            .sessions
            .user_in_live_session(user, session, self.ports.clock.now())
            .await?
        {
            Some((user, method)) if user.disabled_at.is_none() => {
                Ok(Caller::person(user, Some(session)).signed_in_with(method))
            }
            _ => Err(DomainError::Unauthorized("session ended")),
        }
    }

    /// The user with `id`, if it exists and is not disabled.
    pub async fn active_user(&self, id: UserId) -> Result<User, DomainError> {
        match self.ports.accounts.user_by_id(id).await? {
            Some(user) if user.disabled_at.is_none() => Ok(user),
            _ => Err(DomainError::Unauthorized("unknown or disabled user")),
        }
    }

    /// The user's personal org (where what concerns the account is audited).
    pub(crate) async fn personal_org_of(&self, user: UserId) -> Result<crate::OrgId, DomainError> {
        self.ports
            .accounts
            .personal_org(user)
            .await?
            .ok_or_else(|| DomainError::Internal("account without a personal org".into()))
    }

    /// Forgets throttle counters whose window is over and that hold no lock; returns how many.
    pub async fn sweep_throttles(&self) -> Result<u64, DomainError> {
        let now = self.ports.clock.now();
        let settings = &self.settings;
        let stale = [
            stale_before(ACCOUNT_KEYS, settings.throttle.per_account, now),
            stale_before(ADDRESS_KEYS, settings.throttle.per_address, now),
            stale_before(RESET_MAIL_KEYS, settings.reset_mails_per_account, now),
            stale_before(MAIL_REQUEST_KEYS, settings.mail_requests_per_address, now),
            stale_before(MFA_KEYS, settings.throttle.per_account, now),
        ];
        self.ports.throttle.sweep(&stale, now).await
    }
}
