//! Operator actions: users and superadmins.

use std::sync::Arc;

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, Email, OrgId, SecretString, User,
    clock::Clock,
    identity::credential_lifecycle::{CredentialEnd, revocation_for},
    identity::last_superadmin::decide_superadmin_change,
    ports::{Accounts, Credentials, Signal, SignalBus, UnitOfWork},
    services::{IdentityService, identity::RegisterInput},
};

/// Who acts as the operator: the command line (no account), or a superadmin through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    /// `tenantry users …` and `tenantry superadmin …`.
    CommandLine,
    /// A superadmin's request to `/api/admin/…`.
    Api(crate::UserId),
}

/// The operator's use cases (from the command line).
#[derive(Clone)]
pub struct AdminService {
    identity: IdentityService,
    ports: AdminPorts,
}

/// The adapters operator actions need.
#[derive(Clone)]
pub struct AdminPorts {
    /// Users.
    pub accounts: Arc<dyn Accounts>,
    /// Finding users by email.
    pub credentials: Arc<dyn Credentials>,
    /// Superadmin changes, decided under the superadmin lock.
    pub unit_of_work: Arc<dyn UnitOfWork>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Tells followers that a disabled user's credentials stopped working.
    pub signals: Arc<dyn SignalBus>,
}

impl AdminService {
    /// Operator use cases over the identity service and the given adapters.
    pub fn new(identity: IdentityService, ports: AdminPorts) -> Self {
        Self { identity, ports }
    }

    async fn user(&self, email: &str) -> Result<User, DomainError> {
        let email = Email::parse(email)?;
        self.ports
            .credentials
            .credentials_by_email(&email)
            .await?
            .map(|found| found.user)
            .ok_or(DomainError::NotFound)
    }

    /// The user an operator command acts as, with their personal org; `Forbidden` when disabled.
    pub async fn act_as(&self, email: &str) -> Result<(Caller, OrgId), DomainError> {
        let user = self.user(email).await?;
        if user.disabled_at.is_some() {
            return Err(DomainError::Forbidden);
        }
        let personal = self
            .ports
            .accounts
            .personal_org(user.id)
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok((Caller::person(user, None), personal))
    }

    /// Creates a user (with a personal org), as registration does; audited as `user.created`.
    pub async fn create_user(
        &self,
        email: &str,
        password: SecretString,
        name: Option<String>,
    ) -> Result<User, DomainError> {
        self.identity
            .create_by_operator(RegisterInput {
                email: email.to_owned(),
                password,
                name,
            })
            .await
    }

    /// Users, oldest first.
    pub async fn list_users(&self, limit: u64) -> Result<Vec<User>, DomainError> {
        self.ports.accounts.list_users(limit).await
    }

    /// Disables a user: their sessions and API keys end for good, at once.
    pub async fn disable(&self, email: &str) -> Result<User, DomainError> {
        let user = self.user(email).await?;
        self.disable_account(&user, Operator::CommandLine).await?;
        self.user(email).await
    }

    /// Disables `user` for `operator` (audited in the account's personal org).
    pub(crate) async fn disable_account(&self, user: &User, operator: Operator) -> Result<(), DomainError> {
        let audit = self.audit(user, AuditAction::UserDisabled, operator).await?;
        self.ports
            .accounts
            .set_disabled(
                user.id,
                Some(self.ports.clock.now()),
                Some(&revocation_for(CredentialEnd::AccountDisabled)),
                &audit,
            )
            .await?;
        let disabled = Signal::CredentialsChanged { user: user.id };
        let _ = self.ports.signals.publish(disabled).await;
        Ok(())
    }

    /// Enables a disabled user again (old sessions and keys stay revoked).
    pub async fn enable(&self, email: &str) -> Result<User, DomainError> {
        let user = self.user(email).await?;
        self.enable_account(&user, Operator::CommandLine).await?;
        self.user(email).await
    }

    /// Enables `user` again for `operator`.
    pub(crate) async fn enable_account(&self, user: &User, operator: Operator) -> Result<(), DomainError> {
        let audit = self.audit(user, AuditAction::UserEnabled, operator).await?;
        self.ports
            .accounts
            .set_disabled(user.id, None, None, &audit)
            .await
    }

    /// Marks a user's email verified, as the mailed link would (an operator's answer to an install
    /// whose mail does not reach people yet).
    pub async fn verify_email(&self, email: &str) -> Result<User, DomainError> {
        let user = self.user(email).await?;
        let audit = self
            .audit(&user, AuditAction::UserEmailVerified, Operator::CommandLine)
            .await?;
        self.ports
            .accounts
            .mark_email_verified(user.id, self.ports.clock.now(), &audit)
            .await?;
        self.identity.join_default_org_once_verified(user.id).await?;
        self.user(email).await
    }

    /// Makes a user superadmin.
    pub async fn grant_superadmin(&self, email: &str) -> Result<(), DomainError> {
        let user = self.user(email).await?;
        self.set_superadmin(&user, true, Operator::CommandLine).await
    }

    /// Takes superadmin away; the last one stays.
    pub async fn revoke_superadmin(&self, email: &str) -> Result<(), DomainError> {
        let user = self.user(email).await?;
        self.set_superadmin(&user, false, Operator::CommandLine).await
    }

    /// Grants or takes superadmin for `operator`, as [`decide_superadmin_change`] allows under the
    /// superadmin lock.
    pub(crate) async fn set_superadmin(
        &self,
        user: &User,
        superadmin: bool,
        operator: Operator,
    ) -> Result<(), DomainError> {
        let action = if superadmin {
            AuditAction::SuperadminGranted
        } else {
            AuditAction::SuperadminRevoked
        };
        let audit = self.audit(user, action, operator).await?;
        let transaction = self.ports.unit_of_work.begin().await?;
        let users = transaction.users();
        users.lock_superadmins().await?;
        decide_superadmin_change(superadmin, users.superadmins_besides(user.id).await?)?;
        if !users.set_superadmin(user.id, superadmin).await? {
            return Err(DomainError::NotFound);
        }
        transaction.audit().record(&audit).await?;
        transaction.commit().await
    }

    /// An operator's action on an account, recorded in the account's personal org, where its
    /// owner sees it.
    async fn audit(
        &self,
        user: &User,
        action: AuditAction,
        operator: Operator,
    ) -> Result<AuditEntry, DomainError> {
        let org = self
            .ports
            .accounts
            .personal_org(user.id)
            .await?
            .ok_or_else(|| DomainError::Internal("account without a personal org".into()))?;
        let (actor, via) = match operator {
            Operator::CommandLine => (None, "operator"),
            Operator::Api(actor) => (Some(actor), "operator_api"),
        };
        Ok(AuditEntry::new(
            org,
            self.ports.clock.now(),
            actor,
            action,
            ("user", Some(user.id.to_string())),
            serde_json::json!({ "via": via, "email": user.email.as_str() }),
        ))
    }
}
