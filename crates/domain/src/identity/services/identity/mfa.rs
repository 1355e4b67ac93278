use crate::{
    AuditAction, AuditEntry, Caller, DomainError, SecretString, User, UserId,
    identity::mfa::{
        MFA_TOKEN_TTL, RECOVERY_CODES, format_recovery_code, normalize_recovery_code, secret_associated_data,
    },
    identity::services::identity::IdentityService,
    identity::session::{OneTimePurpose, OneTimeTokenState, SignInMethod, SsoSource, TokenPair},
    identity::throttle::{ADDRESS_KEYS, MFA_KEYS},
};

/// What an authenticator app needs to be set up.
#[derive(Debug, Clone)]
pub struct MfaSetup {
    /// The TOTP secret, base32.
    pub secret: SecretString,
    /// `otpauth://totp/…`.
    pub otpauth_uri: SecretString,
    /// The URI as a QR code (SVG data URL).
    pub qr_svg_data_url: String,
}

/// The second factor a sign-in presents.
#[derive(Debug, Clone)]
pub enum MfaProof {
    /// A code from the authenticator.
    Code(String),
    /// One of the recovery codes.
    RecoveryCode(SecretString),
}

fn wrong_code() -> DomainError {
    DomainError::Unauthorized("invalid_mfa_code")
}

impl IdentityService {
    /// A token for the second step of `user`'s sign-in with `method` (single use, short-lived).
    pub(crate) async fn issue_mfa_token(
        &self,
        user: &User,
        method: SignInMethod,
    ) -> Result<SecretString, DomainError> {
        let purpose = match method {
            SignInMethod::Password => OneTimePurpose::MfaLogin,
            SignInMethod::Sso(_) => OneTimePurpose::SsoMfaLogin,
        };
        self.issue_one_time_token_with(
            user,
            purpose,
            MFA_TOKEN_TTL.to_std().unwrap_or_default(),
            method.sso_source(),
        )
        .await
    }

    async fn mfa_audit(&self, user: &User, action: AuditAction) -> Result<AuditEntry, DomainError> {
        let org = self
            .ports
            .accounts
            .personal_org(user.id)
            .await?
            .ok_or_else(|| DomainError::Internal("account without a personal org".into()))?;
        Ok(AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(user.id),
            action,
            ("user", Some(user.id.to_string())),
            serde_json::json!({ "method": "totp" }),
        ))
    }

    async fn totp_secret(&self, user: UserId) -> Result<(SecretString, bool), DomainError> {
        let enrollment = self
            .ports
            .mfa
            .enrollment(user)
            .await?
            .ok_or_else(|| DomainError::conflict("mfa_not_set_up", "set up TOTP first"))?;
        let secret = self
            .ports
            .cipher
            .open(&enrollment.sealed_secret, &secret_associated_data(user))?;
        Ok((secret, enrollment.confirmed_at.is_some()))
    }

    /// Starts TOTP enrolment: a new secret, shown once (a person; not while MFA is on).
    pub async fn begin_totp(&self, caller: &Caller) -> Result<MfaSetup, DomainError> {
        caller.require_person()?;
        let user = &caller.user;
        if user.mfa_enabled_at.is_some() {
            return Err(DomainError::conflict(
                "mfa_enabled",
                "turn MFA off first to enrol again",
            ));
        }
        let secret = self.ports.totp.new_secret();
        let sealed = self
            .ports
            .cipher
            .seal(secret.expose().as_bytes(), &secret_associated_data(user.id))?;
        self.ports
            .mfa
            .begin(user.id, &sealed, self.ports.clock.now())
            .await?;
        let provisioning = self.ports.totp.provisioning(&secret, user.email.as_str())?;
        Ok(MfaSetup {
            secret: provisioning.secret,
            otpauth_uri: provisioning.otpauth_uri,
            qr_svg_data_url: provisioning.qr_svg_data_url,
        })
    }

    /// Turns MFA on with a first code; returns the recovery codes, shown once.
    pub async fn confirm_totp(&self, caller: &Caller, code: &str) -> Result<Vec<SecretString>, DomainError> {
        caller.require_person()?;
        let user = &caller.user;
        let (secret, confirmed) = self.totp_secret(user.id).await?;
        if confirmed {
            return Err(crate::identity::mfa::mfa_already_on());
        }
        let step = self
            .ports
            .totp
            .matching_step(&secret, code, self.ports.clock.now())
            .ok_or_else(|| DomainError::invalid("code", "does not match the authenticator"))?;
        let codes: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| {
                let raw = normalize_recovery_code(self.ports.secret_tokens.generate().expose());
                raw.chars().take(10).collect()
            })
            .collect();
        let digests: Vec<String> = codes
            .iter()
            .map(|code| self.ports.secret_tokens.digest(code))
            .collect();
        let audit = self.mfa_audit(user, AuditAction::MfaEnabled).await?;
        self.ports.mfa.confirm(user.id, step, &digests, &audit).await?;
        Ok(codes
            .iter()
            .map(|code| SecretString::new(format_recovery_code(code)))
            .collect())
    }

    /// The second step of a sign-in: the token from the password step and a code (once) or a
    /// recovery code (once). Failures are throttled like passwords.
    pub async fn verify_mfa(
        &self,
        mfa_token: &SecretString,
        proof: MfaProof,
        client_address: Option<&str>,
    ) -> Result<TokenPair, DomainError> {
        let now = self.ports.clock.now();
        let digest = self.ports.secret_tokens.digest(mfa_token.expose());
        let mut found = None;
        for (purpose, method) in [
            (OneTimePurpose::MfaLogin, SignInMethod::Password),
            (OneTimePurpose::SsoMfaLogin, SignInMethod::Sso(SsoSource::Unknown)),
        ] {
            let state = self
                .ports
                .one_time_tokens
                .peek_one_time_token(purpose, &digest, now)
                .await?;
            if let OneTimeTokenState::Valid { user_id } = state {
                found = Some((user_id, purpose, method));
                break;
            }
        }
        let Some((user_id, purpose, method)) = found else {
            return Err(DomainError::Unauthorized("invalid_mfa_token"));
        };
        let method = match method {
            SignInMethod::Sso(_) => {
                let source = self
                    .ports
                    .one_time_tokens
                    .one_time_token_context(purpose, &digest)
                    .await?;
                SignInMethod::Sso(SsoSource::parse(source.as_deref()))
            }
            password => password,
        };
        let mut keys = vec![(format!("{MFA_KEYS}{user_id}"), self.settings.throttle.per_account)];
        if let Some(address) = client_address {
            keys.push((
                format!("{ADDRESS_KEYS}{address}"),
                self.settings.throttle.per_address,
            ));
        }
        self.begin_attempt(&keys, now).await?;
        let checked = self
            .check_second_step(user_id, purpose, &digest, proof, now)
            .await;
        self.settle_attempt(&keys, &checked).await?;
        let user = checked?;
        if method == SignInMethod::Password {
            self.ports.accounts.record_verified_sign_in(user.id, now).await?;
        }
        self.start_session(&user, method).await
    }

    /// The account a second step signs in, once its code or recovery code checks out (each works
    /// once) and the step's token is spent.
    async fn check_second_step(
        &self,
        user_id: UserId,
        purpose: OneTimePurpose,
        digest: &str,
        proof: MfaProof,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<User, DomainError> {
        let user = self.active_user(user_id).await?;
        if user.mfa_enabled_at.is_none() {
            return Err(DomainError::Unauthorized("invalid_mfa_token"));
        }
        match proof {
            MfaProof::Code(code) => {
                let (secret, _) = self.totp_secret(user.id).await?;
                let step = self
                    .ports
                    .totp
                    .matching_step(&secret, &code, now)
                    .ok_or_else(wrong_code)?;
                if !self.ports.mfa.claim_step(user.id, step).await? {
                    return Err(DomainError::Unauthorized("mfa_code_reused"));
                }
            }
            MfaProof::RecoveryCode(code) => {
                let digest = self
                    .ports
                    .secret_tokens
                    .digest(&normalize_recovery_code(code.expose()));
                if !self.ports.mfa.redeem_recovery_code(user.id, &digest, now).await? {
                    return Err(wrong_code());
                }
            }
        }
        // The token is good for one sign-in, even when two right codes race.
        let spent = self
            .ports
            .one_time_tokens
            .spend_one_time_token(purpose, digest, now)
            .await?;
        if !matches!(spent, OneTimeTokenState::Valid { .. }) {
            return Err(DomainError::Unauthorized("invalid_mfa_token"));
        }
        Ok(user)
    }

    /// Turns MFA off, with the password and a current code.
    pub async fn disable_mfa(
        &self,
        caller: &Caller,
        password: &SecretString,
        code: &str,
    ) -> Result<(), DomainError> {
        caller.require_person()?;
        let user = &caller.user;
        if user.mfa_enabled_at.is_none() {
            return Err(DomainError::conflict("mfa_not_enabled", "MFA is off"));
        }
        self.check_password(user.id, password, "password").await?;
        let (secret, _) = self.totp_secret(user.id).await?;
        let step = self
            .ports
            .totp
            .matching_step(&secret, code, self.ports.clock.now())
            .ok_or_else(|| DomainError::invalid("code", "does not match the authenticator"))?;
        if !self.ports.mfa.claim_step(user.id, step).await? {
            return Err(DomainError::invalid(
                "code",
                "was used already; wait for the next one",
            ));
        }
        let audit = self.mfa_audit(user, AuditAction::MfaDisabled).await?;
        self.ports.mfa.disable(user.id, &audit).await
    }
}
