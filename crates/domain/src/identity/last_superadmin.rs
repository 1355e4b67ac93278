//! The install always keeps one superadmin: revoking the last one is refused.

use crate::DomainError;

/// Whether superadmin may be granted (`granting`) or revoked from a user while `others` other users
/// hold it. Decided with the superadmin lock held, so two revocations cannot remove the last two.
pub fn decide_superadmin_change(granting: bool, others: u64) -> Result<(), DomainError> {
    if granting || others > 0 {
        return Ok(());
    }
    Err(DomainError::conflict(
        "last_superadmin",
        "The install must keep one superadmin.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_superadmin_stays() {
        let error = decide_superadmin_change(false, 0).unwrap_err();
        assert!(matches!(
            error,
            DomainError::Conflict {
                code: "last_superadmin",
                ..
            }
        ));
    }

    #[test]
    fn another_superadmin_may_go_and_anyone_may_be_granted() {
        assert!(decide_superadmin_change(false, 1).is_ok());
        assert!(decide_superadmin_change(true, 0).is_ok());
    }
}
