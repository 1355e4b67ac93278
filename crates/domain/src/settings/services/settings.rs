//! Org settings with member overrides and locks; user preferences.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::{
    AuditAction, AuditEntry, Caller, DomainError, OrgId, UserId,
    agents::agent_launch::LaunchSettings,
    clock::Clock,
    orgs::policy::{Permission, require},
    ports::{Orgs, SecretCipher, SecretFieldChange, SecretStore, SettingsStore},
    secrets::stored_secret::{SecretAddress, SecretName, SecretScope},
    settings::setting_fields::{
        PREFERENCE_FIELDS, SETTINGS_FIELDS, apply, is_settings_field, merge, validate_change,
    },
};

/// Settings as shown: plain values, which secret fields are set, and (org settings) the locks.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsView {
    /// Plain values.
    pub values: Map<String, Value>,
    /// Names of secret fields that hold a value (shown as `<name>_set: true`).
    pub secrets_set: Vec<String>,
    /// Locked fields.
    pub locked: Vec<String>,
}

/// The adapters settings need.
#[derive(Clone)]
pub struct SettingsPorts {
    /// Settings rows.
    pub settings: Arc<dyn SettingsStore>,
    /// Secret fields.
    pub secrets: Arc<dyn SecretStore>,
    /// Encryption.
    pub cipher: Arc<dyn SecretCipher>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// The settings use cases.
#[derive(Clone)]
pub struct SettingsService {
    ports: SettingsPorts,
}

const LOCKED_FIELDS: &str = "locked_fields";

/// How often a settings write merges again after losing a race before giving up (503).
const MAX_WRITE_ATTEMPTS: usize = 32;

fn settings_busy() -> DomainError {
    DomainError::Unavailable("settings are being changed by many writers at once".into())
}

fn secret_fields() -> impl Iterator<Item = &'static str> {
    SETTINGS_FIELDS
        .iter()
        .filter(|(_, kind)| *kind == crate::settings::setting_fields::FieldKind::Secret)
        .map(|(name, _)| *name)
}

fn address(org: OrgId, member: Option<UserId>, field: &str) -> SecretAddress {
    SecretAddress {
        org_id: org,
        scope: if member.is_some() {
            SecretScope::MemberSetting
        } else {
            SecretScope::OrgSetting
        },
        owner_id: member,
        name: SecretName::internal(field),
    }
}

impl SettingsService {
    /// The use cases over the given adapters.
    pub fn new(ports: SettingsPorts) -> Self {
        Self { ports }
    }

    async fn role(&self, caller: &Caller, org: OrgId) -> Result<crate::Role, DomainError> {
        crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await
    }

    async fn view(&self, org: OrgId, member: Option<UserId>) -> Result<SettingsView, DomainError> {
        let stored = self.ports.settings.get(org, member).await?;
        let mut secrets_set = Vec::new();
        for field in secret_fields() {
            if self
                .ports
                .secrets
                .get(&address(org, member, field))
                .await?
                .is_some()
            {
                secrets_set.push(field.to_owned());
            }
        }
        Ok(SettingsView {
            values: stored.values,
            secrets_set,
            locked: stored.locked,
        })
    }

    /// The org's settings (members).
    pub async fn org_settings(&self, caller: &Caller, org: OrgId) -> Result<SettingsView, DomainError> {
        self.role(caller, org).await?;
        self.view(org, None).await
    }

    /// Changes the org's settings and locks (admin+).
    pub async fn update_org_settings(
        &self,
        caller: &Caller,
        org: OrgId,
        body: &Map<String, Value>,
    ) -> Result<SettingsView, DomainError> {
        require(self.role(caller, org).await?, Permission::UpdateOrg)?;
        let locked = match body.get(LOCKED_FIELDS) {
            None => None,
            Some(value) => Some(parse_locked(value)?),
        };
        self.write(caller, org, None, body, locked).await?;
        self.view(org, None).await
    }

    /// The caller's own overrides in the org (members).
    pub async fn my_settings(&self, caller: &Caller, org: OrgId) -> Result<SettingsView, DomainError> {
        self.role(caller, org).await?;
        self.view(org, Some(caller.user.id)).await
    }

    /// Changes the caller's overrides; a field the org locked is `Forbidden`.
    pub async fn update_my_settings(
        &self,
        caller: &Caller,
        org: OrgId,
        body: &Map<String, Value>,
    ) -> Result<SettingsView, DomainError> {
        self.role(caller, org).await?;
        let org_settings = self.ports.settings.get(org, None).await?;
        if body.keys().any(|key| org_settings.locked.contains(key)) {
            return Err(DomainError::Forbidden);
        }
        self.write(caller, org, Some(caller.user.id), body, None).await?;
        self.view(org, Some(caller.user.id)).await
    }

    /// Org settings merged with the caller's overrides (locked fields keep the org's value).
    pub async fn effective(&self, caller: &Caller, org: OrgId) -> Result<SettingsView, DomainError> {
        self.role(caller, org).await?;
        let org_view = self.view(org, None).await?;
        let mine = self.view(org, Some(caller.user.id)).await?;
        let values = merge(&org_view.values, &mine.values, &org_view.locked);
        let mut secrets_set = org_view.secrets_set.clone();
        for field in mine.secrets_set {
            if !org_view.locked.contains(&field) && !secrets_set.contains(&field) {
                secrets_set.push(field);
            }
        }
        Ok(SettingsView {
            values,
            secrets_set,
            locked: org_view.locked,
        })
    }

    /// What an agent runs with for the caller in the org: the effective plain settings, and the LLM
    /// key decrypted in memory: the member's own unless the org locked it, else the org's when
    /// `sandbox_trusted` ([`crate::agents::llm_key_release`]).
    pub async fn launch_settings(
        &self,
        caller: &Caller,
        org: OrgId,
        sandbox_trusted: bool,
    ) -> Result<LaunchSettings, DomainError> {
        let effective = self.effective(caller, org).await?;
        let member_key_allowed = !effective.locked.iter().any(|field| field == "llm_api_key");
        let member_address = address(org, Some(caller.user.id), "llm_api_key");
        let member_key = if member_key_allowed {
            self.ports.secrets.get(&member_address).await?
        } else {
            None
        };
        let org_address = address(org, None, "llm_api_key");
        let org_key = self.ports.secrets.get(&org_address).await?;
        let choice =
            crate::agents::llm_key_release::decide_llm_key(crate::agents::llm_key_release::LlmKeyFacts {
                sandbox_trusted,
                member_key_allowed,
                member_key_stored: member_key.is_some(),
                org_key_stored: org_key.is_some(),
            })?;
        let key = match (choice, member_key, org_key) {
            (crate::agents::llm_key_release::LlmKeyChoice::Member, Some(sealed), _) => Some(
                self.ports
                    .cipher
                    .open(&sealed, &member_address.associated_data())?,
            ),
            (crate::agents::llm_key_release::LlmKeyChoice::Org, _, Some(sealed)) => {
                Some(self.ports.cipher.open(&sealed, &org_address.associated_data())?)
            }
            _ => None,
        };
        let text = |field: &str| {
            effective
                .values
                .get(field)
                .and_then(Value::as_str)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        Ok(LaunchSettings {
            llm_model: text("llm_model"),
            llm_base_url: text("llm_base_url"),
            llm_api_key: key,
            max_iterations: effective.values.get("max_iterations").and_then(Value::as_i64),
            confirmation_mode: effective
                .values
                .get("confirmation_mode")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            security_analyzer: text("security_analyzer"),
        })
    }

    /// The caller's effective LLM settings and MCP configuration, with the LLM key, for the agent
    /// in `sandbox` (OpenHands' `GET /users/me?expose_secrets=true` with the sandbox's session key):
    /// only for the caller's own running sandbox in the org
    /// ([`crate::agents::sandbox_access::exposes_settings_to`]), and the key as the sandbox would get it
    /// when a conversation starts on it ([`crate::agents::llm_key_release`]).
    pub async fn exposed_to_sandbox(
        &self,
        caller: &Caller,
        org: OrgId,
        sandbox: &crate::agents::sandbox::Sandbox,
    ) -> Result<(LaunchSettings, Option<Value>), DomainError> {
        crate::agents::sandbox_access::exposes_settings_to(sandbox, caller.user.id, org)?;
        let role = self.role(caller, org).await?;
        let trusted = crate::agents::llm_key_release::trusted_with_org_key(sandbox.origin, Some(role), true);
        let launch = self.launch_settings(caller, org, trusted).await?;
        let mcp = self
            .effective(caller, org)
            .await?
            .values
            .get("mcp_config")
            .cloned();
        Ok((launch, mcp))
    }

    /// Merges the change into what is stored now. Concurrent writers each merge into the latest
    /// version (compare and swap, retried), so no field written by one of them is lost.
    async fn write(
        &self,
        caller: &Caller,
        org: OrgId,
        member: Option<UserId>,
        body: &Map<String, Value>,
        locked: Option<Vec<String>>,
    ) -> Result<(), DomainError> {
        let change = validate_change(body, SETTINGS_FIELDS, &[LOCKED_FIELDS])?;
        let mut fields: Vec<&String> = body.keys().collect();
        fields.sort();
        let audit = AuditEntry::new(
            org,
            self.ports.clock.now(),
            Some(caller.user.id),
            AuditAction::SettingsUpdated,
            (
                "settings",
                Some(member.map_or_else(|| "org".to_owned(), |id| id.to_string())),
            ),
            json!({ "fields": fields, "member_id": member }),
        );
        let mut secrets: Vec<SecretFieldChange> = Vec::new();
        for (field, value) in change.secrets {
            let address = address(org, member, &field);
            let sealed = value
                .map(|value| {
                    self.ports
                        .cipher
                        .seal(value.as_bytes(), &address.associated_data())
                })
                .transpose()?;
            secrets.push((address, sealed));
        }
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let mut stored = self.ports.settings.get(org, member).await?;
            apply(&mut stored.values, &change.values);
            if let Some(locked) = &locked {
                stored.locked = locked.clone();
            }
            if self
                .ports
                .settings
                .put(org, member, &stored, &secrets, &audit, self.ports.clock.now())
                .await?
            {
                return Ok(());
            }
        }
        Err(settings_busy())
    }

    /// The user's preferences.
    pub async fn preferences(&self, caller: &Caller) -> Result<Map<String, Value>, DomainError> {
        Ok(self.ports.settings.preferences(caller.user.id).await?.values)
    }

    /// Changes the user's preferences.
    pub async fn update_preferences(
        &self,
        caller: &Caller,
        body: &Map<String, Value>,
    ) -> Result<Map<String, Value>, DomainError> {
        caller.require_person()?;
        let change = validate_change(body, PREFERENCE_FIELDS, &[])?;
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let mut stored = self.ports.settings.preferences(caller.user.id).await?;
            apply(&mut stored.values, &change.values);
            if self
                .ports
                .settings
                .put_preferences(caller.user.id, &stored, self.ports.clock.now())
                .await?
            {
                return Ok(stored.values);
            }
        }
        Err(settings_busy())
    }
}

fn parse_locked(value: &Value) -> Result<Vec<String>, DomainError> {
    let invalid = || DomainError::invalid(LOCKED_FIELDS, "must be a list of settings field names");
    let mut locked: Vec<String> = value
        .as_array()
        .ok_or_else(invalid)?
        .iter()
        .map(|name| {
            name.as_str()
                .filter(|name| is_settings_field(name))
                .map(str::to_owned)
                .ok_or_else(invalid)
        })
        .collect::<Result<_, _>>()?;
    locked.sort();
    locked.dedup();
    Ok(locked)
}
