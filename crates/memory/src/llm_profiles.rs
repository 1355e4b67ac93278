//! Members' named LLM profiles, in memory.

use async_trait::async_trait;
use tenantry_domain::{DomainError, OrgId, UserId, llm_profile::LlmProfile, ports::LlmProfileStore};

use crate::MemoryStore;

#[async_trait]
impl LlmProfileStore for MemoryStore {
    async fn list(&self, org: OrgId, user: UserId) -> Result<Vec<LlmProfile>, DomainError> {
        Ok(self
            .read(|tables| {
                tables
                    .llm_profiles
                    .range((org, user, String::new())..)
                    .take_while(|((o, u, _), _)| *o == org && *u == user)
                    .map(|(_, profile)| profile.clone())
                    .collect()
            })
            .await)
    }

    async fn save(&self, profile: &LlmProfile) -> Result<(), DomainError> {
        self.write(|tables| {
            let key = (profile.org_id, profile.user_id, profile.name.clone());
            let active = tables.llm_profiles.get(&key).is_some_and(|stored| stored.active);
            tables.llm_profiles.insert(
                key,
                LlmProfile {
                    active,
                    ..profile.clone()
                },
            );
        })
        .await;
        Ok(())
    }

    async fn delete(&self, org: OrgId, user: UserId, name: &str) -> Result<bool, DomainError> {
        Ok(self
            .write(|tables| {
                tables
                    .llm_profiles
                    .remove(&(org, user, name.to_owned()))
                    .is_some()
            })
            .await)
    }

    async fn rename(&self, org: OrgId, user: UserId, from: &str, to: &str) -> Result<bool, DomainError> {
        self.write(|tables| {
            if from != to && tables.llm_profiles.contains_key(&(org, user, to.to_owned())) {
                return Err(tenantry_domain::llm_profile::profile_name_taken(to));
            }
            match tables.llm_profiles.remove(&(org, user, from.to_owned())) {
                Some(profile) => {
                    tables.llm_profiles.insert(
                        (org, user, to.to_owned()),
                        LlmProfile {
                            name: to.to_owned(),
                            ..profile
                        },
                    );
                    Ok(true)
                }
                None => Ok(false),
            }
        })
        .await
    }

    async fn activate(&self, org: OrgId, user: UserId, name: &str) -> Result<(), DomainError> {
        self.write(|tables| {
            for ((o, u, n), profile) in tables.llm_profiles.iter_mut() {
                if *o == org && *u == user {
                    profile.active = n == name;
                }
            }
        })
        .await;
        Ok(())
    }
}
