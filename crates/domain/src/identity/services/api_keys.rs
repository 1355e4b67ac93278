//! API keys: created once, shown once, used as a bearer token, revoked at once.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::{
    ApiKey, ApiKeyGrant, AuditAction, AuditEntry, Caller, DomainError, OrgId, Role, SecretString, UserId,
    clock::Clock,
    identity::api_key::ApiKeyScope,
    new_id,
    orgs::policy::{Permission, require},
    ports::{Accounts, ApiKeyFormat, ApiKeyStore, Orgs, Signal, SignalBus},
};

/// How long `last_used_at` may lag behind: at most one write per key per minute and instance.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// The adapters API keys need.
#[derive(Clone)]
pub struct ApiKeyPorts {
    /// Stored keys.
    pub keys: Arc<dyn ApiKeyStore>,
    /// Minting and hashing.
    pub format: Arc<dyn ApiKeyFormat>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Users (a disabled user's keys stop working).
    pub users: Arc<dyn Accounts>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Tells followers that a key stopped working.
    pub signals: Arc<dyn SignalBus>,
}

/// What a client sends to create a key.
#[derive(Debug, Clone, Default)]
pub struct NewApiKeyInput {
    /// Label.
    pub name: String,
    /// Optional expiry, in the future.
    pub expires_at: Option<DateTime<Utc>>,
    /// Extra scopes (`secrets:read`).
    pub scopes: Vec<String>,
}

/// The API key use cases.
#[derive(Clone)]
pub struct ApiKeyService {
    ports: ApiKeyPorts,
    last_touched: Arc<Mutex<HashMap<Uuid, DateTime<Utc>>>>,
}

impl ApiKeyService {
    /// The use cases over the given adapters.
    pub fn new(ports: ApiKeyPorts) -> Self {
        Self {
            ports,
            last_touched: Arc::default(),
        }
    }

    async fn role(&self, caller: &Caller, org: OrgId) -> Result<Role, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await
    }

    /// Creates a key for the caller in the org (developer+); the key is returned this once.
    pub async fn create(
        &self,
        caller: &Caller,
        org: OrgId,
        input: NewApiKeyInput,
    ) -> Result<(ApiKey, SecretString), DomainError> {
        require(self.role(caller, org).await?, Permission::CreateConversations)?;
        // A key that could mint keys would outlive its own revocation.
        caller.require_person()?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DomainError::invalid("name", "must be 1 to 100 characters"));
        }
        let now = self.ports.clock.now();
        if input.expires_at.is_some_and(|expires| expires <= now) {
            return Err(DomainError::invalid("expires_at", "must be in the future"));
        }
        let scopes = input
            .scopes
            .iter()
            .map(|scope| ApiKeyScope::parse(scope))
            .collect::<Result<Vec<_>, _>>()?;
        let (prefix, key) = self.ports.format.mint();
        let record = ApiKey {
            id: new_id(),
            org_id: org,
            user_id: caller.user.id,
            name: name.to_owned(),
            prefix,
            hash: self.ports.format.hash(key.expose()),
            scopes,
            created_at: now,
            last_used_at: None,
            expires_at: input.expires_at,
            revoked_at: None,
        };
        let audit = AuditEntry::new(
            org,
            now,
            Some(caller.user.id),
            AuditAction::ApiKeyCreated,
            ("api_key", Some(record.id.to_string())),
            json!({ "name": record.name, "prefix": record.prefix, "scopes": record.scopes, "expires_at": record.expires_at }),
        );
        self.ports.keys.create(&record, &audit).await?;
        Ok((record, key))
    }

    /// The caller's keys in the org, or every key with `all` (admin+).
    pub async fn list(&self, caller: &Caller, org: OrgId, all: bool) -> Result<Vec<ApiKey>, DomainError> {
        let role = self.role(caller, org).await?;
        let user: Option<UserId> = if all {
            require(role, Permission::ManageMembers)?;
            None
        } else {
            Some(caller.user.id)
        };
        self.ports.keys.list(org, user).await
    }

    /// Revokes a key (its owner, or admin+); it fails from the next request on.
    pub async fn revoke(&self, caller: &Caller, org: OrgId, id: Uuid) -> Result<(), DomainError> {
        let role = self.role(caller, org).await?;
        let key = self.ports.keys.get(org, id).await?.ok_or(DomainError::NotFound)?;
        if key.user_id != caller.user.id {
            require(role, Permission::ManageMembers)?;
        }
        let audit = AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            AuditAction::ApiKeyRevoked,
            ("api_key", Some(id.to_string())),
            json!({ "name": key.name, "prefix": key.prefix, "owner_id": key.user_id }),
        );
        if !self.ports.keys.revoke(org, id, &audit).await? {
            return Err(DomainError::NotFound);
        }
        let revoked = Signal::CredentialsChanged { user: key.user_id };
        let _ = self.ports.signals.publish(revoked).await;
        Ok(())
    }

    /// Resolves a bearer API key to its user and grant; anything not live is `Unauthorized`.
    pub async fn authenticate(&self, presented: &str) -> Result<Caller, DomainError> {
        let invalid = || DomainError::Unauthorized("invalid api key");
        let prefix = self.ports.format.prefix_of(presented).ok_or_else(invalid)?;
        let key = self
            .ports
            .keys
            .find_by_prefix(&prefix)
            .await?
            .ok_or_else(invalid)?;
        let now = self.ports.clock.now();
        if !self.ports.format.matches(presented, &key.hash) || !key.is_live(now) {
            return Err(invalid());
        }
        let user = match self.ports.users.user_by_id(key.user_id).await? {
            Some(user) if user.disabled_at.is_none() => user,
            _ => return Err(invalid()),
        };
        self.touch(&key, now).await?;
        Ok(Caller::through_api_key(
            user,
            ApiKeyGrant {
                key_id: key.id,
                org_id: key.org_id,
                scopes: key.scopes,
            },
        ))
    }

    async fn touch(&self, key: &ApiKey, now: DateTime<Utc>) -> Result<(), DomainError> {
        let due = |last: Option<DateTime<Utc>>| {
            last.is_none_or(|last| now - last >= Duration::seconds(TOUCH_INTERVAL_SECONDS))
        };
        if !due(key.last_used_at) {
            return Ok(());
        }
        {
            let mut touched = self
                .last_touched
                .lock()
                .map_err(|_| DomainError::Internal("lock poisoned".into()))?;
            if !due(touched.get(&key.id).copied()) {
                return Ok(());
            }
            touched.insert(key.id, now);
        }
        self.ports.keys.touch(key.id, now).await
    }
}
