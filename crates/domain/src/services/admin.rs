//! Operator actions: users and superadmins.

use std::sync::Arc;

use crate::{
    DomainError, Email, SecretString, User,
    clock::Clock,
    ports::IdentityStore,
    services::{IdentityService, identity::RegisterInput},
};

/// The operator's use cases (from the command line).
#[derive(Clone)]
pub struct AdminService {
    identity: IdentityService,
    store: Arc<dyn IdentityStore>,
    clock: Arc<dyn Clock>,
}

impl AdminService {
    /// Operator use cases over the identity service and store.
    pub fn new(identity: IdentityService, store: Arc<dyn IdentityStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            identity,
            store,
            clock,
        }
    }

    async fn user(&self, email: &str) -> Result<User, DomainError> {
        let email = Email::parse(email)?;
        self.store
            .credentials_by_email(&email)
            .await?
            .map(|found| found.user)
            .ok_or(DomainError::NotFound)
    }

    /// Creates a user (with a personal org), as registration does.
    pub async fn create_user(
        &self,
        email: &str,
        password: SecretString,
        name: Option<String>,
    ) -> Result<User, DomainError> {
        let registered = self
            .identity
            .register(RegisterInput {
                email: email.to_owned(),
                password,
                name,
            })
            .await?;
        self.store
            .user_by_id(registered.user.id)
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Users, oldest first.
    pub async fn list_users(&self, limit: u64) -> Result<Vec<User>, DomainError> {
        self.store.list_users(limit).await
    }

    /// Disables a user: their tokens and API keys stop working at once.
    pub async fn disable(&self, email: &str) -> Result<User, DomainError> {
        let user = self.user(email).await?;
        self.store.set_disabled(user.id, Some(self.clock.now())).await?;
        self.user(email).await
    }

    /// Enables a disabled user again (old tokens stay revoked).
    pub async fn enable(&self, email: &str) -> Result<User, DomainError> {
        let user = self.user(email).await?;
        self.store.set_disabled(user.id, None).await?;
        self.user(email).await
    }

    /// Makes a user superadmin.
    pub async fn grant_superadmin(&self, email: &str) -> Result<(), DomainError> {
        let user = self.user(email).await?;
        self.store.set_superadmin(user.id, true).await
    }

    /// Takes superadmin away; the last one stays.
    pub async fn revoke_superadmin(&self, email: &str) -> Result<(), DomainError> {
        let user = self.user(email).await?;
        self.store.set_superadmin(user.id, false).await
    }
}
