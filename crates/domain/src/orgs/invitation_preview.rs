//! Rule: what an invitation's page shows before "Accept" — the org, the inviter and the role, and
//! whether the signed-in account may accept it. Addresses are named in full only to the invited
//! account: anyone else holding the link sees a hint of the invited address (`f…@e…`), enough to tell
//! which account to use, and the inviter's name without their address.

use chrono::{DateTime, Utc};

use crate::{DomainError, Email, OrgId, Role};

/// An invitation as its page shows it.
#[derive(Debug)]
pub struct InvitationPreview {
    /// The org it invites to.
    pub org_id: OrgId,
    /// The org's name.
    pub org_name: String,
    /// The role it grants.
    pub role: Role,
    /// Who sent it, while they are still a member: their name, and their address for the invited
    /// account only.
    pub inviter: Option<(String, Option<Email>)>,
    /// The invited address: in full for its owner, else a hint ([`email_hint`]).
    pub email: String,
    /// Whether it is addressed to the signed-in account.
    pub for_caller: bool,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Why accepting it now would be refused, if it would.
    pub refusal: Option<DomainError>,
}

/// The inviter as shown: the address only to the invited account.
pub fn shown_inviter(for_invited: bool, name: String, email: Email) -> (String, Option<Email>) {
    (name, for_invited.then_some(email))
}

/// `frank@example.com` → `f…@e…`: the first letter of each side.
pub fn email_hint(email: &Email) -> String {
    let (local, domain) = email.as_str().split_once('@').unwrap_or((email.as_str(), ""));
    let first = |part: &str| part.chars().next().map(String::from).unwrap_or_default();
    format!("{}…@{}…", first(local), first(domain))
}

/// The address as shown to the account signed in as `caller_email`.
pub fn shown_email(invited: &Email, caller_email: &Email) -> String {
    if invited == caller_email {
        invited.as_str().to_owned()
    } else {
        email_hint(invited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &str) -> Email {
        Email::parse(raw).unwrap()
    }

    #[test]
    fn the_invited_account_sees_its_address_in_full() {
        let invited = email("frank@example.com");
        assert_eq!(
            shown_email(&invited, &email("Frank@Example.com")),
            "frank@example.com"
        );
    }

    #[test]
    fn only_the_invited_account_sees_the_inviters_address() {
        let inviter = email("ada@example.com");
        assert_eq!(
            shown_inviter(true, "Ada".into(), inviter.clone()).1,
            Some(inviter.clone())
        );
        assert_eq!(
            shown_inviter(false, "Ada".into(), inviter),
            ("Ada".to_owned(), None)
        );
    }

    #[test]
    fn anyone_else_sees_only_the_first_letters() {
        let invited = email("frank@example.com");
        assert_eq!(shown_email(&invited, &email("gina@example.com")), "f…@e…");
    }
}
