//! Secrets: write-only through the API, readable decrypted only by the runtime call.

use std::{collections::BTreeMap, sync::Arc};

use serde_json::json;

use crate::agents::sandbox_access::personal_secrets_owner;
use crate::{
    AuditAction, AuditEntry, Caller, ConversationId, DomainError, OrgId, Role, SecretString,
    clock::Clock,
    identity::api_key::SCOPE_SECRETS_READ,
    orgs::policy::{Permission, require},
    ports::{Conversations, Orgs, SecretCipher, SecretStore},
    secrets::stored_secret::{MAX_SECRET_BYTES, SecretAddress, SecretMeta, SecretName, SecretScope},
};

/// The adapters secrets need.
#[derive(Clone)]
pub struct SecretPorts {
    /// Sealed values.
    pub secrets: Arc<dyn SecretStore>,
    /// Encryption.
    pub cipher: Arc<dyn SecretCipher>,
    /// Memberships and the audit trail.
    pub orgs: Arc<dyn Orgs>,
    /// Conversations (for the runtime read).
    pub conversations: Arc<dyn Conversations>,
    /// Audit entries of runtime reads.
    pub audit: Arc<dyn crate::ports::AuditLog>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// The secrets use cases.
#[derive(Clone)]
pub struct SecretService {
    ports: SecretPorts,
}

/// What a client sends to store a secret.
#[derive(Debug, Clone)]
pub struct PutSecretInput {
    /// The value (write-only).
    pub value: SecretString,
    /// A description shown in listings.
    pub description: Option<String>,
    /// `user` (the caller's own) or `org` (shared).
    pub scope: SecretScope,
}

/// Re-encryption progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReencryptReport {
    /// Values rewritten under the current key.
    pub rewritten: usize,
    /// Values changed concurrently and left to the next pass.
    pub skipped: usize,
}

impl SecretService {
    /// The use cases over the given adapters.
    pub fn new(ports: SecretPorts) -> Self {
        Self { ports }
    }

    async fn role(&self, caller: &Caller, org: OrgId) -> Result<Role, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await
    }

    fn address(
        caller: &Caller,
        org: OrgId,
        name: &str,
        scope: SecretScope,
    ) -> Result<SecretAddress, DomainError> {
        let owner_id = match scope {
            SecretScope::User => Some(caller.user.id),
            SecretScope::Org => None,
            _ => return Err(DomainError::invalid("scope", "must be user or org")),
        };
        Ok(SecretAddress {
            org_id: org,
            scope,
            owner_id,
            name: SecretName::parse(name)?,
        })
    }

    fn require_scope_rights(role: Role, scope: SecretScope) -> Result<(), DomainError> {
        match scope {
            SecretScope::Org => require(role, Permission::UpdateOrg),
            _ => require(role, Permission::CreateConversations),
        }
    }

    /// Names, descriptions, scopes and dates of the org's secrets and the caller's own; never values.
    pub async fn list(&self, caller: &Caller, org: OrgId) -> Result<Vec<SecretMeta>, DomainError> {
        self.role(caller, org).await?;
        self.ports.secrets.list(org, caller.user.id).await
    }

    /// Creates or replaces a secret (user scope: developer+; org scope: admin+).
    pub async fn put(
        &self,
        caller: &Caller,
        org: OrgId,
        name: &str,
        input: PutSecretInput,
    ) -> Result<SecretMeta, DomainError> {
        Self::require_scope_rights(self.role(caller, org).await?, input.scope)?;
        let address = Self::address(caller, org, name, input.scope)?;
        if input.value.expose().len() > MAX_SECRET_BYTES {
            return Err(DomainError::invalid("value", "must be at most 64 KiB"));
        }
        if input
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 500)
        {
            return Err(DomainError::invalid(
                "description",
                "must be at most 500 characters",
            ));
        }
        let sealed = self
            .ports
            .cipher
            .seal(input.value.expose().as_bytes(), &address.associated_data())?;
        let now = self.ports.clock.now();
        let audit = secret_audit(caller, &address, AuditAction::SecretSet, now);
        self.ports
            .secrets
            .put(&address, &sealed, input.description, &audit, now)
            .await
    }

    /// Renames the caller's own secret `old` to `new_name` and sets its description, keeping its
    /// value (developer+). The value is sealed anew under the new name, then the old one deleted;
    /// a new name another of the caller's secrets has is 409 `secret_exists`.
    pub async fn rename_own(
        &self,
        caller: &Caller,
        org: OrgId,
        old: &str,
        new_name: &str,
        description: Option<String>,
    ) -> Result<SecretMeta, DomainError> {
        Self::require_scope_rights(self.role(caller, org).await?, SecretScope::User)?;
        let from = Self::address(caller, org, old, SecretScope::User)?;
        let to = Self::address(caller, org, new_name, SecretScope::User)?;
        let sealed = self
            .ports
            .secrets
            .get(&from)
            .await?
            .ok_or(DomainError::NotFound)?;
        if to.name != from.name && self.ports.secrets.get(&to).await?.is_some() {
            return Err(DomainError::conflict(
                "secret_exists",
                format!("You already have a secret named {}.", to.name.as_str()),
            ));
        }
        let value = self.ports.cipher.open(&sealed, &from.associated_data())?;
        let input = PutSecretInput {
            value,
            description,
            scope: SecretScope::User,
        };
        let renamed = self.put(caller, org, new_name, input).await?;
        if to.name != from.name {
            self.delete(caller, org, old, SecretScope::User).await?;
        }
        Ok(renamed)
    }

    /// Deletes a secret (same rights as writing it).
    pub async fn delete(
        &self,
        caller: &Caller,
        org: OrgId,
        name: &str,
        scope: SecretScope,
    ) -> Result<(), DomainError> {
        Self::require_scope_rights(self.role(caller, org).await?, scope)?;
        let address = Self::address(caller, org, name, scope)?;
        let audit = secret_audit(
            caller,
            &address,
            AuditAction::SecretDeleted,
            self.ports.clock.now(),
        );
        if self.ports.secrets.delete(&address, &audit).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// The decrypted secrets a conversation's runtime needs: the org's, overlaid by the creator's own.
    ///
    /// Allowed to the conversation's creator (developer+) and to admins; an API key needs the
    /// `secrets:read` scope. An admin reading someone else's conversation gets the org's secrets only.
    /// Every read is audited.
    pub async fn runtime_values(
        &self,
        caller: &Caller,
        org: OrgId,
        conversation: ConversationId,
    ) -> Result<BTreeMap<String, SecretString>, DomainError> {
        let user = &caller.user;
        let role = self.role(caller, org).await?;
        let found = self
            .ports
            .conversations
            .get(org, conversation)
            .await?
            .filter(|found| found.readable_by(user.id, role))
            .ok_or(DomainError::NotFound)?;
        if !found.manageable_by(user.id, role) {
            return Err(DomainError::Forbidden);
        }
        if !caller.has_scope(SCOPE_SECRETS_READ) {
            return Err(DomainError::Forbidden);
        }
        let own = (found.created_by == user.id).then_some(user.id);
        let rows = self.ports.secrets.sealed_for_runtime(org, own).await?;
        let mut values = BTreeMap::new();
        // Org secrets first, so a member's own secret of the same name wins.
        for row in rows.iter().filter(|row| row.address.scope == SecretScope::Org) {
            values.insert(row.address.name.as_str().to_owned(), self.open(row)?);
        }
        for row in rows.iter().filter(|row| row.address.scope == SecretScope::User) {
            values.insert(row.address.name.as_str().to_owned(), self.open(row)?);
        }
        let now = self.ports.clock.now();
        let names: Vec<&String> = values.keys().collect();
        self.ports
            .audit
            .record(AuditEntry::new(
                org,
                now,
                Some(user.id),
                AuditAction::SecretsRead,
                ("conversation", Some(conversation.to_string())),
                json!({ "names": names, "api_key_id": caller.api_key.as_ref().map(|grant| grant.key_id) }),
            ))
            .await?;
        Ok(values)
    }

    /// The value of secret `name` for a conversation the sandbox runs, as its agent server looks it
    /// up (`LookupSecret`): the conversation creator's own secret of that name, else the org's; the
    /// creator's own only while the creator is the sandbox's ([`personal_secrets_owner`]).
    /// Only the sandbox the conversation runs on may ask; every read is audited `secrets.read` with
    /// the sandbox as actor.
    pub async fn sandbox_lookup(
        &self,
        actor: &crate::agents::services::sandboxes::SandboxActor,
        conversation: ConversationId,
        name: &str,
    ) -> Result<SecretString, DomainError> {
        let org = actor.sandbox.org_id;
        let name = SecretName::parse(name).map_err(|_| DomainError::NotFound)?;
        let found = self
            .ports
            .conversations
            .get(org, conversation)
            .await?
            .filter(|found| found.sandbox_id == Some(actor.sandbox.id))
            .ok_or(DomainError::NotFound)?;
        let owner = personal_secrets_owner(found.created_by, actor.sandbox.created_by);
        self.read_for_sandbox(actor, owner, &name, ("conversation", conversation.to_string()))
            .await
    }

    /// The secrets the agent in a sandbox may look up (OpenHands' `GET /sandboxes/{id}/settings/
    /// secrets`): its creator's own and the org's, one per name (the creator's wins), without
    /// values. The key must be the named sandbox's own (403 otherwise).
    pub async fn sandbox_secrets(
        &self,
        actor: &crate::agents::services::sandboxes::SandboxActor,
        sandbox: uuid::Uuid,
    ) -> Result<Vec<SecretMeta>, DomainError> {
        crate::agents::sandbox_access::speaks_for(actor.sandbox.id, sandbox)?;
        let mut listed = self
            .ports
            .secrets
            .list(actor.sandbox.org_id, actor.sandbox.created_by)
            .await?;
        // The creator's own first, so the org's of the same name is the one left out.
        listed.sort_by_key(|meta| (meta.name.clone(), meta.scope != SecretScope::User));
        listed.dedup_by(|later, earlier| later.name == earlier.name);
        Ok(listed
            .into_iter()
            .filter(|meta| matches!(meta.scope, SecretScope::User | SecretScope::Org))
            .collect())
    }

    /// The value of secret `name` for the agent in a sandbox: its creator's own, else the org's;
    /// audited `secrets.read` with the sandbox as actor. The key must be the named sandbox's own.
    pub async fn sandbox_secret(
        &self,
        actor: &crate::agents::services::sandboxes::SandboxActor,
        sandbox: uuid::Uuid,
        name: &str,
    ) -> Result<SecretString, DomainError> {
        crate::agents::sandbox_access::speaks_for(actor.sandbox.id, sandbox)?;
        let name = SecretName::parse(name).map_err(|_| DomainError::NotFound)?;
        self.read_for_sandbox(
            actor,
            Some(actor.sandbox.created_by),
            &name,
            ("sandbox", sandbox.to_string()),
        )
        .await
    }

    /// The value of `name` for the agent in the actor's sandbox: `owner`'s own secret of that name,
    /// else the org's; audited `secrets.read` on `target` with the sandbox as actor.
    async fn read_for_sandbox(
        &self,
        actor: &crate::agents::services::sandboxes::SandboxActor,
        owner: Option<crate::UserId>,
        name: &SecretName,
        target: (&str, String),
    ) -> Result<SecretString, DomainError> {
        let org = actor.sandbox.org_id;
        let rows = self.ports.secrets.sealed_for_runtime(org, owner).await?;
        let pick = |scope: SecretScope| {
            rows.iter()
                .find(|row| row.address.scope == scope && row.address.name == *name)
        };
        let row = pick(SecretScope::User)
            .or_else(|| pick(SecretScope::Org))
            .ok_or(DomainError::NotFound)?;
        let value = self.open(row)?;
        self.ports
            .audit
            .record(AuditEntry::new(
                org,
                self.ports.clock.now(),
                None,
                AuditAction::SecretsRead,
                (target.0, Some(target.1)),
                json!({ "names": [name.as_str()], "sandbox_id": actor.sandbox.id }),
            ))
            .await?;
        Ok(value)
    }

    fn open(&self, row: &crate::ports::SealedRow) -> Result<SecretString, DomainError> {
        self.ports
            .cipher
            .open(&row.sealed, &row.address.associated_data())
    }

    /// Rewrites up to `batch` values sealed under an older key with the current key. Call until it
    /// rewrites nothing; safe to interrupt and to run while serving.
    pub async fn reencrypt_batch(&self, batch: u64) -> Result<ReencryptReport, DomainError> {
        let current = self.ports.cipher.current_key_id();
        let rows = self.ports.secrets.sealed_not_under(&current, batch).await?;
        let mut report = ReencryptReport::default();
        for row in rows {
            let aad = row.address.associated_data();
            let plaintext = self.ports.cipher.open(&row.sealed, &aad)?;
            let next = self.ports.cipher.seal(plaintext.expose().as_bytes(), &aad)?;
            if self.ports.secrets.reseal(row.id, &row.sealed, &next).await? {
                report.rewritten += 1;
            } else {
                report.skipped += 1;
            }
        }
        Ok(report)
    }

    /// Key ids still in use by stored values.
    pub async fn key_ids_in_use(&self) -> Result<Vec<String>, DomainError> {
        self.ports.secrets.key_ids_in_use().await
    }
}

/// The audit entry of a secret write: who, which name in which scope; never the value.
fn secret_audit(
    caller: &Caller,
    address: &SecretAddress,
    action: AuditAction,
    at: chrono::DateTime<chrono::Utc>,
) -> AuditEntry {
    AuditEntry::new(
        address.org_id,
        at,
        Some(caller.user.id),
        action,
        ("secret", Some(address.name.as_str().to_owned())),
        json!({
            "scope": address.scope.name(),
            "owner_id": address.owner_id,
            "api_key_id": caller.api_key.as_ref().map(|grant| grant.key_id),
        }),
    )
}
