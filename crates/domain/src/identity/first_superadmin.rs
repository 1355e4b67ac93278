//! The first account of an empty install becomes its superadmin, so a fresh install has an operator
//! without a command line; no later account becomes one by signing up. Decided with the install
//! locked, so two first registrations cannot both be.

/// Whether a new account is made superadmin, given whether the install had any account before it.
pub fn first_account_is_superadmin(install_has_accounts: bool) -> bool {
    !install_has_accounts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_account_is_made_superadmin() {
        assert!(first_account_is_superadmin(false));
        assert!(!first_account_is_superadmin(true));
    }
}
