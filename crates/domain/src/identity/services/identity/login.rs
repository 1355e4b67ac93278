use crate::{
    Caller, DomainError, Email, SecretString, UserId,
    identity::credential_lifecycle::{CredentialEnd, revocation_for},
    identity::password::NewPassword,
    identity::services::identity::IdentityService,
    identity::session::{SignInMethod, TokenPair},
    identity::throttle::{ThrottleLimit, throttle_keys},
    ports::{PasswordCheck, StoredCredentials},
};

/// What a password sign-in gives.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// Signed in.
    Signed(TokenPair),
    /// The password was right and the account has MFA: the second step needs this token (short-lived,
    /// good for nothing else) and a code.
    MfaRequired {
        /// The token for `POST /api/auth/mfa/verify`.
        mfa_token: SecretString,
    },
}

impl IdentityService {
    /// Signs in with email and password.
    ///
    /// Unknown email and wrong password cost the same work and give the same error. Failures are
    /// counted per account and per client address; a locked key answers `TooManyRequests`, even for the
    /// right password. Right passwords checked at the same time never count (see
    /// [`crate::identity::throttle::ThrottleLimit::begin`]).
    pub async fn login(
        &self,
        email: &str,
        password: &SecretString,
        client_address: Option<&str>,
    ) -> Result<LoginOutcome, DomainError> {
        let now = self.ports.clock.now();
        let normalised = email.trim().to_lowercase();
        let keys: Vec<(String, ThrottleLimit)> = throttle_keys(&normalised, client_address)
            .into_iter()
            .map(|(key, kind)| (key, self.settings.throttle.limit(kind)))
            .collect();
        // The attempt begins before the slow hash, so a burst cannot outrun the count.
        self.begin_attempt(&keys, now).await?;
        let checked = self.check_login(&normalised, password).await;
        self.settle_attempt(&keys, &checked).await?;
        let user = checked?;
        if user.mfa_enabled_at.is_some() {
            return Ok(LoginOutcome::MfaRequired {
                mfa_token: self.issue_mfa_token(&user, SignInMethod::Password).await?,
            });
        }
        self.ports.accounts.record_verified_sign_in(user.id, now).await?;
        Ok(LoginOutcome::Signed(
            self.start_session(&user, SignInMethod::Password).await?,
        ))
    }

    /// The enabled account `email` names, once `password` matches it; `invalid_credentials`
    /// otherwise (unknown email and wrong password cost the same work).
    async fn check_login(&self, email: &str, password: &SecretString) -> Result<crate::User, DomainError> {
        let credentials = match Email::parse(email) {
            Ok(email) => self.ports.credentials.credentials_by_email(&email).await?,
            Err(_) => None,
        };
        let stored = credentials
            .as_ref()
            .and_then(|found| found.password_hash.as_deref());
        let check = self.ports.hasher.verify(password, stored).await?;
        match (check, credentials) {
            (PasswordCheck::Match { needs_rehash }, Some(found)) if found.user.disabled_at.is_none() => {
                if needs_rehash {
                    let hash = self.ports.hasher.hash(password).await?;
                    self.ports
                        .credentials
                        .rehash_password(found.user.id, &hash, self.ports.clock.now())
                        .await?;
                }
                Ok(found.user)
            }
            _ => Err(DomainError::Unauthorized("invalid_credentials")),
        }
    }

    /// Changes the caller's password after checking the current one. Every other session is revoked
    /// and every access token issued before stops working; the caller's own session can refresh.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<(), DomainError> {
        caller.require_person()?;
        let (user_id, session_id) = (caller.user.id, caller.session_id);
        let credentials = self.check_password(user_id, current, "current_password").await?;
        let new = NewPassword::parse(new, &credentials.user.email, "new_password")?;
        let hash = self.ports.hasher.hash(new.secret()).await?;
        self.ports
            .credentials
            .change_password(
                user_id,
                &hash,
                &revocation_for(CredentialEnd::PasswordChanged {
                    keep_session: session_id,
                }),
                self.ports.clock.now(),
            )
            .await?;
        self.credentials_changed(user_id).await;
        Ok(())
    }

    /// The user's credentials once `password` is checked against them; 422 on `field` when wrong.
    pub(crate) async fn check_password(
        &self,
        user: UserId,
        password: &SecretString,
        field: &str,
    ) -> Result<StoredCredentials, DomainError> {
        let credentials = self
            .ports
            .credentials
            .credentials_by_id(user)
            .await?
            .ok_or(DomainError::Unauthorized("unknown user"))?;
        let check = self
            .ports
            .hasher
            .verify(password, credentials.password_hash.as_deref())
            .await?;
        if check == PasswordCheck::Mismatch {
            return Err(DomainError::invalid(field, "is incorrect"));
        }
        Ok(credentials)
    }
}
