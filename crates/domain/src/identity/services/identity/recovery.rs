use crate::{
    Caller, DomainError, Email, SecretString, User,
    identity::credential_lifecycle::{CredentialEnd, revocation_for},
    identity::password::NewPassword,
    identity::services::identity::IdentityService,
    identity::session::{NewOneTimeToken, OneTimePurpose, OneTimeTokenState},
    identity::throttle::{MAIL_REQUEST_KEYS, RESET_MAIL_KEYS},
    ports::Mail,
};

impl IdentityService {
    /// Mails the caller a single-use link proving their address. Already verified: nothing to do.
    pub async fn request_email_verification(&self, caller: &Caller) -> Result<(), DomainError> {
        let user = &caller.user;
        if user.email_verified() {
            return Ok(());
        }
        let token = self
            .issue_one_time_token(user, OneTimePurpose::VerifyEmail, self.settings.verification_ttl)
            .await?;
        let link = format!(
            "{}/verify-email?token={}",
            self.settings.public_url,
            token.expose()
        );
        self.ports
            .mailer
            .send(Mail {
                to: user.email.clone(),
                subject: "Verify your email address".into(),
                body: format!(
                    "Hello {},\n\nconfirm your email address by opening this link:\n\n{link}\n\n\
                     or by sending this token to POST /api/auth/verify-email:\n\n{}\n\n\
                     It expires in {} minutes. If you did not ask for it, ignore this message.\n",
                    user.name,
                    token.expose(),
                    self.settings.verification_ttl.as_secs() / 60
                ),
            })
            .await
    }

    /// Spends a verification token and marks the email verified.
    pub async fn verify_email(&self, token: &SecretString) -> Result<(), DomainError> {
        let digest = self.ports.secret_tokens.digest(token.expose());
        let state = self
            .ports
            .one_time_tokens
            .verify_email(&digest, self.ports.clock.now())
            .await?;
        let user = redeemed(state)?;
        self.ports
            .accounts
            .record_verified_sign_in(user, self.ports.clock.now())
            .await?;
        self.join_default_org_once_verified(user).await
    }

    /// An account the default org waited for (its email unverified) joins it now that it is
    /// verified.
    pub(crate) async fn join_default_org_once_verified(
        &self,
        user: crate::UserId,
    ) -> Result<(), DomainError> {
        let Some(default) = self.settings.default_org else {
            return Ok(());
        };
        let Some(user) = self.ports.accounts.user_by_id(user).await? else {
            return Ok(());
        };
        let transaction = self.ports.unit_of_work.begin().await?;
        let now = self.ports.clock.now();
        super::register::join_default_org(transaction.as_ref(), default, &user, false, now).await?;
        transaction.commit().await
    }

    /// Accepts a reset request; answers the same, in the same time, whether or not the email belongs
    /// to a user, because the lookup, the token and the mail happen after the answer. A client
    /// address asking too often gets `TooManyRequests`; an account gets at most
    /// `reset_mails_per_account` mails per window (further requests send nothing).
    pub async fn request_password_reset(
        &self,
        email: &str,
        client_address: Option<&str>,
    ) -> Result<(), DomainError> {
        let now = self.ports.clock.now();
        if let Some(address) = client_address {
            let key = (
                format!("{MAIL_REQUEST_KEYS}{address}"),
                self.settings.mail_requests_per_address,
            );
            if let Some(until) = self.ports.throttle.reserve(&[key], now).await? {
                return Err(DomainError::TooManyRequests {
                    retry_after: (until - now).to_std().unwrap_or_default(),
                });
            }
        }
        let this = self.clone();
        let email = email.to_owned();
        self.ports.background.spawn(
            "password reset mail",
            Box::pin(async move { this.send_password_reset(&email).await }),
        );
        Ok(())
    }

    async fn send_password_reset(&self, email: &str) -> Result<(), DomainError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(());
        };
        let Some(found) = self.ports.credentials.credentials_by_email(&email).await? else {
            return Ok(());
        };
        let user = found.user;
        if user.disabled_at.is_some() {
            return Ok(());
        }
        let quota = (
            format!("{RESET_MAIL_KEYS}{}", user.id),
            self.settings.reset_mails_per_account,
        );
        if self
            .ports
            .throttle
            .reserve(&[quota], self.ports.clock.now())
            .await?
            .is_some()
        {
            return Ok(());
        }
        let token = self
            .issue_one_time_token(&user, OneTimePurpose::ResetPassword, self.settings.reset_ttl)
            .await?;
        let link = format!(
            "{}/reset-password?token={}",
            self.settings.public_url,
            token.expose()
        );
        self.ports
            .mailer
            .send(Mail {
                to: user.email.clone(),
                subject: "Reset your password".into(),
                body: format!(
                    "Hello {},\n\nset a new password by opening this link:\n\n{link}\n\n\
                     or by sending this token to POST /api/auth/password-reset:\n\n{}\n\n\
                     It expires in {} minutes and works once. If you did not ask for it, ignore this \
                     message: your password is unchanged.\n",
                    user.name,
                    token.expose(),
                    self.settings.reset_ttl.as_secs() / 60
                ),
            })
            .await
    }

    /// Sets a new password with a reset token. Everything the account minted goes with the old
    /// password (sessions, API keys, sandboxes, share links, and single sign-on links made since
    /// the account last proved itself): see [`CredentialEnd::PasswordReset`].
    pub async fn reset_password(&self, token: &SecretString, new: &SecretString) -> Result<(), DomainError> {
        let now = self.ports.clock.now();
        let digest = self.ports.secret_tokens.digest(token.expose());
        let state = self
            .ports
            .one_time_tokens
            .peek_one_time_token(OneTimePurpose::ResetPassword, &digest, now)
            .await?;
        let user_id = redeemed(state)?;
        let user = self
            .ports
            .accounts
            .user_by_id(user_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let new = NewPassword::parse(new, &user.email, "new_password")?;
        let hash = self.ports.hasher.hash(new.secret()).await?;
        // Redeeming re-checks the token, so two concurrent resets cannot both succeed.
        let state = self
            .ports
            .one_time_tokens
            .reset_password(
                &digest,
                &hash,
                &revocation_for(CredentialEnd::PasswordReset),
                self.ports.clock.now(),
            )
            .await?;
        redeemed(state).map(|_| ())
    }

    pub(crate) async fn issue_one_time_token(
        &self,
        user: &User,
        purpose: OneTimePurpose,
        ttl: std::time::Duration,
    ) -> Result<SecretString, DomainError> {
        self.issue_one_time_token_with(user, purpose, ttl, None).await
    }

    /// A single-use token that carries `context` to the step that spends it.
    pub(crate) async fn issue_one_time_token_with(
        &self,
        user: &User,
        purpose: OneTimePurpose,
        ttl: std::time::Duration,
        context: Option<String>,
    ) -> Result<SecretString, DomainError> {
        let now = self.ports.clock.now();
        let token = self.ports.secret_tokens.generate();
        self.ports
            .one_time_tokens
            .insert_one_time_token(&NewOneTimeToken {
                token_digest: self.ports.secret_tokens.digest(token.expose()),
                user_id: user.id,
                purpose,
                context,
                created_at: now,
                expires_at: now + ttl,
            })
            .await?;
        Ok(token)
    }
}

/// Unknown or spent tokens are 404; late ones are 410 `token_expired`.
fn redeemed(state: OneTimeTokenState) -> Result<crate::UserId, DomainError> {
    match state {
        OneTimeTokenState::Valid { user_id } => Ok(user_id),
        OneTimeTokenState::Expired => Err(DomainError::Gone {
            code: "token_expired",
        }),
        OneTimeTokenState::Unknown => Err(DomainError::NotFound),
    }
}
