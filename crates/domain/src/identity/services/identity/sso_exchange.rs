use crate::{
    DomainError, SecretString,
    identity::services::identity::{IdentityService, LoginOutcome},
    identity::session::{OneTimePurpose, OneTimeTokenState, SignInMethod, SsoSource},
};

impl IdentityService {
    /// Exchanges the code a finished single sign-on handed to the browser (once) for a session
    /// signed in with SSO through the provider that vouched for it; an account with MFA gets the
    /// second step instead, as with a password.
    pub async fn exchange_sso_code(&self, code: &SecretString) -> Result<LoginOutcome, DomainError> {
        let now = self.ports.clock.now();
        let digest = self.ports.secret_tokens.digest(code.expose());
        let OneTimeTokenState::Valid { user_id } = self
            .ports
            .one_time_tokens
            .spend_one_time_token(OneTimePurpose::SsoLogin, &digest, now)
            .await?
        else {
            return Err(DomainError::Unauthorized("invalid_sso_code"));
        };
        let user = self.active_user(user_id).await?;
        let source = self
            .ports
            .one_time_tokens
            .one_time_token_context(OneTimePurpose::SsoLogin, &digest)
            .await?;
        let method = SignInMethod::Sso(SsoSource::parse(source.as_deref()));
        if user.mfa_enabled_at.is_some() {
            return Ok(LoginOutcome::MfaRequired {
                mfa_token: self.issue_mfa_token(&user, method).await?,
            });
        }
        Ok(LoginOutcome::Signed(self.start_session(&user, method).await?))
    }
}
