//! Rule: a name a person chooses for themself is 1 to 100 characters, without control characters;
//! a blank one is refused (only registration falls back to the email's local part).

use crate::{DomainError, identity::services::identity::register::display_name};

/// The name `raw` stands for once trimmed, or why it cannot be one.
pub fn chosen_display_name(raw: &str) -> Result<String, DomainError> {
    if raw.trim().is_empty() {
        return Err(DomainError::invalid("name", "must not be blank"));
    }
    display_name(Some(raw), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_name_is_trimmed() {
        assert_eq!(chosen_display_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
    }

    #[test]
    fn a_blank_name_is_refused_rather_than_replaced() {
        assert!(matches!(
            chosen_display_name("   "),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn control_characters_and_overlong_names_are_refused() {
        assert!(chosen_display_name("Ada\u{7}").is_err());
        assert!(chosen_display_name(&"a".repeat(101)).is_err());
        assert!(chosen_display_name(&"a".repeat(100)).is_ok());
    }
}
