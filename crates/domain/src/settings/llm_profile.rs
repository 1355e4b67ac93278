//! Named LLM profiles (OpenHands' `llm_profiles`): a member keeps up to ten sets of LLM settings
//! (model, base URL, key) in an org and activates one, which writes it into their own settings
//! (the org's locks hold).

use chrono::{DateTime, Utc};

use crate::{DomainError, OrgId, UserId};

/// Most profiles a member keeps in one org.
pub const MAX_PROFILES: usize = 10;

/// A profile as stored (its key is sealed among the secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmProfile {
    /// The org.
    pub org_id: OrgId,
    /// Whose.
    pub user_id: UserId,
    /// Its name.
    pub name: String,
    /// LiteLLM model name.
    pub model: Option<String>,
    /// Base URL of the LLM API.
    pub base_url: Option<String>,
    /// Whether it is the one active.
    pub active: bool,
    /// When saved last.
    pub updated_at: DateTime<Utc>,
}

/// A profile name: 1 to 64 letters, digits, `.`, `_` or `-` (422 `name` otherwise).
pub fn profile_name(raw: &str) -> Result<String, DomainError> {
    let valid = (1..=64).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::invalid(
            "name",
            "must be 1 to 64 letters, digits, '.', '_' or '-'",
        ))
    }
}

/// Whether one more profile may be saved by a member who has `existing` (a profile saved again
/// under its own name is no new one): 409 `profile_limit` beyond [`MAX_PROFILES`].
pub fn admit_profile(existing: usize, replacing: bool) -> Result<(), DomainError> {
    if replacing || existing < MAX_PROFILES {
        Ok(())
    } else {
        Err(DomainError::conflict(
            "profile_limit",
            format!("You already keep {MAX_PROFILES} profiles in this org; delete one first."),
        ))
    }
}

/// `Conflict { code: "profile_exists" }`: the member already has a profile named `name` in the org.
pub fn profile_name_taken(name: &str) -> DomainError {
    DomainError::conflict(
        "profile_exists",
        format!("You already have a profile named {name}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_and_plain() {
        assert!(profile_name("work.gpt-4_o").is_ok());
        assert!(profile_name("").is_err());
        assert!(profile_name("with space").is_err());
        assert!(profile_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn at_most_ten_profiles_but_saving_one_again_is_fine() {
        assert!(admit_profile(9, false).is_ok());
        assert!(admit_profile(10, false).is_err());
        assert!(admit_profile(10, true).is_ok());
    }
}
