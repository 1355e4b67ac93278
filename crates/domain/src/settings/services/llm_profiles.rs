//! Members' named LLM profiles in an org ([`crate::settings::llm_profile`]): kept, renamed, deleted, and
//! activated into the member's own settings, where the org's locks hold. A profile's key is sealed
//! under the key ring and never shown again.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, OrgId, SecretString,
    clock::Clock,
    ports::{LlmProfileStore, Orgs, SecretCipher, SecretStore},
    secrets::stored_secret::{SecretAddress, SecretName, SecretScope},
    services::SettingsService,
    settings::llm_profile::{LlmProfile, admit_profile, profile_name},
};

/// The adapters profiles need.
#[derive(Clone)]
pub struct LlmProfilePorts {
    /// The profiles.
    pub profiles: Arc<dyn LlmProfileStore>,
    /// Where their keys are sealed.
    pub secrets: Arc<dyn SecretStore>,
    /// Seals and opens keys.
    pub cipher: Arc<dyn SecretCipher>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// What a member saves under a name.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    /// LiteLLM model name.
    pub model: Option<String>,
    /// Base URL of the LLM API.
    pub base_url: Option<String>,
    /// A new key (write-only).
    pub api_key: Option<SecretString>,
    /// Without a new key: keep the one saved before (else it is removed).
    pub keep_key: bool,
}

/// A profile with whether it holds a key.
#[derive(Debug, Clone)]
pub struct ProfileView {
    /// The profile.
    pub profile: LlmProfile,
    /// It holds a key.
    pub api_key_set: bool,
}

/// The profile use cases.
#[derive(Clone)]
pub struct LlmProfileService {
    ports: LlmProfilePorts,
    settings: SettingsService,
}

fn key_address(caller: &Caller, org: OrgId, name: &str) -> SecretAddress {
    SecretAddress {
        org_id: org,
        scope: SecretScope::ProfileKey,
        owner_id: Some(caller.user.id),
        name: SecretName::internal(name),
    }
}

fn not_found() -> DomainError {
    DomainError::NotFound
}

impl LlmProfileService {
    /// The use cases over the given adapters; activation writes through `settings`.
    pub fn new(ports: LlmProfilePorts, settings: SettingsService) -> Self {
        Self { ports, settings }
    }

    fn audit(&self, caller: &Caller, org: OrgId, detail: Value) -> AuditEntry {
        AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            AuditAction::SettingsUpdated,
            ("llm_profile", None),
            detail,
        )
    }

    /// The caller's profiles in the org, by name.
    pub async fn list(&self, caller: &Caller, org: OrgId) -> Result<Vec<ProfileView>, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let mut views = Vec::new();
        for profile in self.ports.profiles.list(org, caller.user.id).await? {
            let api_key_set = self
                .ports
                .secrets
                .get(&key_address(caller, org, &profile.name))
                .await?
                .is_some();
            views.push(ProfileView { profile, api_key_set });
        }
        Ok(views)
    }

    /// One of the caller's profiles (404 when there is none of that name).
    pub async fn get(&self, caller: &Caller, org: OrgId, name: &str) -> Result<ProfileView, DomainError> {
        self.list(caller, org)
            .await?
            .into_iter()
            .find(|view| view.profile.name == name)
            .ok_or_else(not_found)
    }

    /// Saves a profile under `name` (at most ten per member and org: 409 `profile_limit`); whether
    /// it is new.
    pub async fn save(
        &self,
        caller: &Caller,
        org: OrgId,
        name: &str,
        input: ProfileInput,
    ) -> Result<bool, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let name = profile_name(name)?;
        let existing = self.ports.profiles.list(org, caller.user.id).await?;
        let replacing = existing.iter().any(|profile| profile.name == name);
        admit_profile(existing.len(), replacing)?;
        let now = self.ports.clock.now();
        self.ports
            .profiles
            .save(&LlmProfile {
                org_id: org,
                user_id: caller.user.id,
                name: name.clone(),
                model: input.model,
                base_url: input.base_url,
                active: false,
                updated_at: now,
            })
            .await?;
        let address = key_address(caller, org, &name);
        let audit = self.audit(caller, org, json!({ "profile": name, "saved": true }));
        match input.api_key {
            Some(key) => {
                let sealed = self
                    .ports
                    .cipher
                    .seal(key.expose().as_bytes(), &address.associated_data())?;
                self.ports
                    .secrets
                    .put(&address, &sealed, None, &audit, now)
                    .await?;
            }
            None if !input.keep_key => {
                self.ports.secrets.delete(&address, &audit).await?;
            }
            None => {}
        }
        Ok(!replacing)
    }

    /// Deletes a profile and its key (deleting one that is not there is fine).
    pub async fn delete(&self, caller: &Caller, org: OrgId, name: &str) -> Result<(), DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        self.ports.profiles.delete(org, caller.user.id, name).await?;
        let audit = self.audit(caller, org, json!({ "profile": name, "deleted": true }));
        self.ports
            .secrets
            .delete(&key_address(caller, org, name), &audit)
            .await?;
        Ok(())
    }

    /// Renames a profile, keeping its key (a taken name is 409).
    pub async fn rename(&self, caller: &Caller, org: OrgId, from: &str, to: &str) -> Result<(), DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        let to = profile_name(to)?;
        if !self.ports.profiles.rename(org, caller.user.id, from, &to).await? {
            return Err(not_found());
        }
        let (old, new) = (key_address(caller, org, from), key_address(caller, org, &to));
        if let Some(sealed) = self.ports.secrets.get(&old).await? {
            let key = self.ports.cipher.open(&sealed, &old.associated_data())?;
            let resealed = self
                .ports
                .cipher
                .seal(key.expose().as_bytes(), &new.associated_data())?;
            let moved = self.audit(caller, org, json!({ "profile": to, "renamed_from": from }));
            self.ports
                .secrets
                .put(&new, &resealed, None, &moved, self.ports.clock.now())
                .await?;
            let removed = self.audit(caller, org, json!({ "profile": from, "renamed_to": to }));
            self.ports.secrets.delete(&old, &removed).await?;
        }
        Ok(())
    }

    /// Makes a profile the caller's LLM settings in the org (model, base URL and key written as
    /// their own overrides; a field the org locked is 403) and marks it active; its model.
    pub async fn activate(
        &self,
        caller: &Caller,
        org: OrgId,
        name: &str,
    ) -> Result<Option<String>, DomainError> {
        let view = self.get(caller, org, name).await?;
        let mut change = Map::new();
        change.insert("llm_model".into(), json!(view.profile.model));
        change.insert("llm_base_url".into(), json!(view.profile.base_url));
        let address = key_address(caller, org, name);
        if let Some(sealed) = self.ports.secrets.get(&address).await? {
            let key = self.ports.cipher.open(&sealed, &address.associated_data())?;
            change.insert("llm_api_key".into(), json!(key.expose()));
        }
        self.settings.update_my_settings(caller, org, &change).await?;
        self.ports.profiles.activate(org, caller.user.id, name).await?;
        Ok(view.profile.model)
    }
}
