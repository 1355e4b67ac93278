use async_trait::async_trait;

use crate::{DomainError, OrgId, UserId, settings::llm_profile::LlmProfile};

/// Members' named LLM profiles.
#[async_trait]
pub trait LlmProfileStore: Send + Sync {
    /// The member's profiles in the org, by name.
    async fn list(&self, org: OrgId, user: UserId) -> Result<Vec<LlmProfile>, DomainError>;

    /// Creates or replaces the profile (by org, member and name); its `active` flag is kept.
    async fn save(&self, profile: &LlmProfile) -> Result<(), DomainError>;

    /// Deletes one; whether it existed.
    async fn delete(&self, org: OrgId, user: UserId, name: &str) -> Result<bool, DomainError>;

    /// Renames one; whether it existed (a taken new name is `Conflict`).
    async fn rename(&self, org: OrgId, user: UserId, from: &str, to: &str) -> Result<bool, DomainError>;

    /// Makes `name` the member's one active profile.
    async fn activate(&self, org: OrgId, user: UserId, name: &str) -> Result<(), DomainError>;
}
