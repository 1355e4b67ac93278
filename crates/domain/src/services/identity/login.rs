use crate::{
    DomainError, Email, SecretString, UserId, password::NewPassword, ports::PasswordCheck,
    services::identity::IdentityService, session::TokenPair, throttle::throttle_keys,
};

impl IdentityService {
    /// Signs in with email and password.
    ///
    /// Unknown email and wrong password cost the same work and give the same error. Failures are
    /// counted per account and per client address; a locked key answers `TooManyRequests`, even for the
    /// right password.
    pub async fn login(
        &self,
        email: &str,
        password: &SecretString,
        client_address: Option<&str>,
    ) -> Result<TokenPair, DomainError> {
        let now = self.ports.clock.now();
        let normalised = email.trim().to_lowercase();
        let keys = throttle_keys(&normalised, client_address);
        let key_names: Vec<String> = keys.iter().map(|(key, _)| key.clone()).collect();
        if let Some(until) = self.ports.throttle.locked_until(&key_names, now).await? {
            return Err(DomainError::TooManyRequests {
                retry_after: (until - now).to_std().unwrap_or_default(),
            });
        }

        let credentials = match Email::parse(&normalised) {
            Ok(email) => self.ports.store.credentials_by_email(&email).await?,
            Err(_) => None,
        };
        let stored = credentials
            .as_ref()
            .and_then(|found| found.password_hash.as_deref());
        let check = self.ports.hasher.verify(password, stored).await?;
        let user = match (check, credentials) {
            (PasswordCheck::Match { needs_rehash }, Some(found)) if found.user.disabled_at.is_none() => {
                if needs_rehash {
                    let hash = self.ports.hasher.hash(password).await?;
                    self.ports.store.rehash_password(found.user.id, &hash).await?;
                }
                found.user
            }
            _ => {
                for (key, kind) in &keys {
                    let limit = self.settings.throttle.limit(*kind);
                    self.ports.throttle.record_failure(key, limit, now).await?;
                }
                return Err(DomainError::Unauthorized("invalid_credentials"));
            }
        };
        self.ports.throttle.clear(&keys[0].0).await?;
        self.start_session(&user).await
    }

    /// Changes the caller's password after checking the current one. Every other session is revoked
    /// and every access token issued before stops working; the caller's own session can refresh.
    pub async fn change_password(
        &self,
        user_id: UserId,
        session_id: Option<uuid::Uuid>,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<(), DomainError> {
        let credentials = self
            .ports
            .store
            .credentials_by_id(user_id)
            .await?
            .ok_or(DomainError::Unauthorized("unknown user"))?;
        let check = self
            .ports
            .hasher
            .verify(current, credentials.password_hash.as_deref())
            .await?;
        if check == PasswordCheck::Mismatch {
            return Err(DomainError::invalid("current_password", "is incorrect"));
        }
        let new = NewPassword::parse(new, &credentials.user.email, "new_password")?;
        let hash = self.ports.hasher.hash(new.secret()).await?;
        self.ports
            .store
            .change_password(user_id, &hash, session_id, self.ports.clock.now())
            .await
    }
}
