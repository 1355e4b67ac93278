//! An org never loses its last owner.
//!
//! The membership rules ask [`ensure_an_owner_remains`] with the number of owners a change would
//! leave, counted by the org service inside the transaction that makes the change, after locking the
//! org.

use crate::DomainError;

/// `Conflict { code: "last_owner" }` when a change would leave the org without an owner.
pub fn ensure_an_owner_remains(owners_after_change: u64) -> Result<(), DomainError> {
    if owners_after_change == 0 {
        Err(DomainError::conflict(
            "last_owner",
            "An org must keep at least one owner; make someone else owner first.",
        ))
    } else {
        Ok(())
    }
}

/// `Conflict { code: "personal_org" }`: personal orgs have exactly one member, their owner.
pub fn personal_org_conflict() -> DomainError {
    DomainError::conflict(
        "personal_org",
        "A personal org has exactly one member and cannot be deleted; create a shared org instead.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_owners_is_a_conflict() {
        assert!(matches!(
            ensure_an_owner_remains(0),
            Err(DomainError::Conflict {
                code: "last_owner",
                ..
            })
        ));
        assert!(ensure_an_owner_remains(1).is_ok());
    }
}
