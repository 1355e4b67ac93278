use uuid::Uuid;

use crate::{
    Caller, DomainError, SecretString, User, UserId,
    identity::display_name::chosen_display_name,
    identity::services::identity::IdentityService,
    identity::session::{NewRefreshToken, RefreshRotation, SessionSummary, SignInMethod, TokenPair},
    new_id,
};

impl IdentityService {
    /// Opens a new session (refresh-token family) for `user`, signed in with `method`.
    pub(crate) async fn start_session(
        &self,
        user: &User,
        method: SignInMethod,
    ) -> Result<TokenPair, DomainError> {
        let now = self.ports.clock.now();
        let refresh_token = self.ports.secret_tokens.generate();
        let record = NewRefreshToken {
            id: new_id(),
            user_id: user.id,
            family_id: new_id(),
            token_digest: self.ports.secret_tokens.digest(refresh_token.expose()),
            issued_at: now,
            expires_at: now + self.settings.refresh_ttl,
        };
        self.ports.sessions.open_session(&record, method).await?;
        self.pair(user, record.family_id, refresh_token)
    }

    fn pair(
        &self,
        user: &User,
        session_id: Uuid,
        refresh_token: SecretString,
    ) -> Result<TokenPair, DomainError> {
        let access = self
            .ports
            .access_tokens
            .issue(user.id, session_id, user.token_epoch)?;
        Ok(TokenPair {
            access_token: access.token,
            refresh_token,
            expires_in: access.expires_in,
        })
    }

    /// Spends a refresh token for a new pair. Presenting a spent token revokes its whole family.
    pub async fn refresh(&self, presented: &SecretString) -> Result<TokenPair, DomainError> {
        let now = self.ports.clock.now();
        let next_token = self.ports.secret_tokens.generate();
        let next = NewRefreshToken {
            id: new_id(),
            user_id: UserId::nil(),
            family_id: Uuid::nil(),
            token_digest: self.ports.secret_tokens.digest(next_token.expose()),
            issued_at: now,
            expires_at: now,
        };
        let digest = self.ports.secret_tokens.digest(presented.expose());
        match self
            .ports
            .sessions
            .rotate_refresh_token(&digest, &next, now)
            .await?
        {
            RefreshRotation::Rotated { user_id, family_id } => {
                let user = self.active_user(user_id).await?;
                self.pair(&user, family_id, next_token)
            }
            RefreshRotation::Reused => Err(DomainError::Unauthorized("refresh token reused")),
            RefreshRotation::Invalid => Err(DomainError::Unauthorized("invalid refresh token")),
        }
    }

    /// Ends the session the refresh token belongs to.
    pub async fn logout(&self, presented: &SecretString) -> Result<(), DomainError> {
        let digest = self.ports.secret_tokens.digest(presented.expose());
        self.ports
            .sessions
            .revoke_refresh_family(&digest, self.ports.clock.now())
            .await
    }

    /// Ends every session of the caller: refresh tokens revoked, access tokens stale at once. The
    /// person's own act, never an API key's.
    pub async fn logout_all(&self, caller: &Caller) -> Result<(), DomainError> {
        caller.require_person()?;
        self.ports
            .sessions
            .revoke_all_sessions(caller.user.id, self.ports.clock.now())
            .await?;
        self.credentials_changed(caller.user.id).await;
        Ok(())
    }

    /// The caller's live sessions, newest first: the person's own list, never an API key's.
    pub async fn sessions(&self, caller: &Caller) -> Result<Vec<SessionSummary>, DomainError> {
        caller.require_person()?;
        self.ports
            .sessions
            .live_sessions(caller.user.id, self.ports.clock.now())
            .await
    }

    /// Ends one of the caller's sessions (this one too): its access tokens are refused from the
    /// next request. Someone else's session, or one already over, is not found.
    pub async fn end_session(&self, caller: &Caller, session: Uuid) -> Result<(), DomainError> {
        caller.require_person()?;
        let ended = self
            .ports
            .sessions
            .end_session(caller.user.id, session, self.ports.clock.now())
            .await?;
        if !ended {
            return Err(DomainError::NotFound);
        }
        self.credentials_changed(caller.user.id).await;
        Ok(())
    }

    /// Renames the caller (1 to 100 characters, no control characters; blank is refused).
    pub async fn rename(&self, caller: &Caller, name: &str) -> Result<User, DomainError> {
        caller.require_person()?;
        let name = chosen_display_name(name)?;
        let personal = self
            .ports
            .accounts
            .personal_org(caller.user.id)
            .await?
            .ok_or_else(|| DomainError::Internal("account without a personal org".into()))?;
        let audit = crate::AuditEntry::new(
            personal,
            self.ports.clock.now(),
            Some(caller.user.id),
            crate::AuditAction::UserRenamed,
            ("user", Some(caller.user.id.to_string())),
            serde_json::json!({ "from": caller.user.name, "to": name }),
        );
        self.ports
            .accounts
            .set_name(caller.user.id, &name, &audit)
            .await?;
        Ok(User {
            name,
            ..caller.user.clone()
        })
    }
}
