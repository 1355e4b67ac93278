//! The lifecycle of a credential: every credential an account or a membership minted dies with it.
//!
//! Sessions, API keys, sandbox keys, share links and single sign-on links are all ways in. When an
//! account is taken back (a password reset), switched off (disabled) or leaves an org, the ways in
//! it opened close in the same transaction as the change itself, so they fail at the next request.
//! A password its owner changes ends every other session.

use uuid::Uuid;

use crate::OrgId;

/// What ended, taking credentials with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialEnd {
    /// The account's password was reset through its mailbox: whoever held the account before may
    /// have been an intruder, so everything they could have minted goes.
    PasswordReset,
    /// An operator disabled the account.
    AccountDisabled,
    /// The account left an org (or was removed from it).
    MembershipEnded(OrgId),
    /// The account's owner changed its password, signed in on `keep_session` (none for an API
    /// caller): every other session ends.
    PasswordChanged {
        /// The session the change was made in.
        keep_session: Option<Uuid>,
    },
}

/// Which credentials of one account are revoked, and in which org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// Only credentials for this org; `None`: in every org.
    pub org: Option<OrgId>,
    /// Sessions and their refresh tokens (access tokens go stale with them).
    pub sessions: bool,
    /// A session that stays when `sessions` are revoked.
    pub keep_session: Option<Uuid>,
    /// API keys.
    pub api_keys: bool,
    /// Sandboxes the account registered (their session keys).
    pub sandbox_keys: bool,
    /// Share links the account created.
    pub share_links: bool,
    /// Single sign-on links made after the account last proved itself (a password sign-in, or a
    /// verified email): a link an intruder made while holding the account.
    pub sso_links_since_verified_sign_in: bool,
}

/// What `end` revokes.
pub fn revocation_for(end: CredentialEnd) -> Revocation {
    match end {
        CredentialEnd::PasswordReset => Revocation {
            org: None,
            sessions: true,
            keep_session: None,
            api_keys: true,
            sandbox_keys: true,
            share_links: true,
            sso_links_since_verified_sign_in: true,
        },
        CredentialEnd::AccountDisabled => Revocation {
            org: None,
            sessions: true,
            keep_session: None,
            api_keys: true,
            sandbox_keys: true,
            share_links: true,
            // A disabled account signs in through nothing; its links come back with it.
            sso_links_since_verified_sign_in: false,
        },
        CredentialEnd::MembershipEnded(org) => Revocation {
            org: Some(org),
            // Sessions belong to the account, which stays in its other orgs.
            sessions: false,
            keep_session: None,
            api_keys: true,
            sandbox_keys: true,
            share_links: true,
            sso_links_since_verified_sign_in: false,
        },
        CredentialEnd::PasswordChanged { keep_session } => Revocation {
            org: None,
            sessions: true,
            keep_session,
            // Keys and links are the owner's own, made while the account was theirs.
            api_keys: false,
            sandbox_keys: false,
            share_links: false,
            sso_links_since_verified_sign_in: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    #[test]
    fn every_end_takes_the_keys_sandboxes_and_share_links_it_covers() {
        let org = new_id();
        for end in [
            CredentialEnd::PasswordReset,
            CredentialEnd::AccountDisabled,
            CredentialEnd::MembershipEnded(org),
        ] {
            let revocation = revocation_for(end);
            assert!(
                revocation.api_keys && revocation.sandbox_keys && revocation.share_links,
                "{end:?}"
            );
        }
        assert_eq!(revocation_for(CredentialEnd::MembershipEnded(org)).org, Some(org));
        assert!(!revocation_for(CredentialEnd::MembershipEnded(org)).sessions);
        assert!(revocation_for(CredentialEnd::PasswordReset).sso_links_since_verified_sign_in);
        assert!(!revocation_for(CredentialEnd::AccountDisabled).sso_links_since_verified_sign_in);
    }

    #[test]
    fn a_changed_password_ends_every_other_session_and_nothing_else() {
        let kept = new_id();
        let revocation = revocation_for(CredentialEnd::PasswordChanged {
            keep_session: Some(kept),
        });
        assert!(revocation.sessions);
        assert_eq!(revocation.keep_session, Some(kept));
        assert!(!revocation.api_keys && !revocation.sandbox_keys && !revocation.share_links);
    }
}
