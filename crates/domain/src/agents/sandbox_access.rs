//! The rules for what a sandbox may do, and where its reports may land.
//!
//! A sandbox's session key acts for its creator, inside its org, on the webhook routes only, and
//! only while the creator may still create conversations there.

use uuid::Uuid;

use crate::{
    DomainError, OrgId, Role,
    orgs::policy::{Permission, require},
};

/// What is known about a sandbox's creator when its key is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxFacts {
    /// The sandbox has not been deleted.
    pub live: bool,
    /// The creator's account is enabled.
    pub creator_active: bool,
    /// The creator's role in the sandbox's org now (`None`: no longer a member).
    pub creator_role: Option<Role>,
    /// The org requires members enrolled in MFA.
    pub org_requires_mfa: bool,
    /// The creator is enrolled in MFA.
    pub creator_has_mfa: bool,
}

/// May the sandbox act now? Unknown, deleted, or orphaned keys are `Unauthorized`; a creator who
/// may no longer create conversations makes it `Forbidden`; a creator the org's sign-in policy
/// shuts out (`mfa_required`) shuts their sandboxes out with them, as it does their API keys.
pub fn decide_sandbox_action(facts: SandboxFacts) -> Result<(), DomainError> {
    if !facts.live || !facts.creator_active {
        return Err(DomainError::Unauthorized("sandbox key revoked"));
    }
    let role = facts
        .creator_role
        .ok_or(DomainError::Unauthorized("sandbox key revoked"))?;
    require(role, Permission::CreateConversations)?;
    if facts.org_requires_mfa && !facts.creator_has_mfa {
        return Err(DomainError::refused(
            "mfa_required",
            "this org requires two-factor sign-in: the sandbox's creator must enrol in MFA first",
        ));
    }
    Ok(())
}

/// Whose personal secrets a sandbox may read for a conversation it runs: its creator's, and only
/// while the conversation is still the creator's. A conversation reassigned to someone else keeps
/// its sandbox, which must not read the new owner's secrets.
pub fn personal_secrets_owner(
    conversation_creator: crate::UserId,
    sandbox_creator: crate::UserId,
) -> Option<crate::UserId> {
    (conversation_creator == sandbox_creator).then_some(conversation_creator)
}

/// A session key speaks for its own sandbox only: naming another is 403.
pub fn speaks_for(key_sandbox: uuid::Uuid, named: uuid::Uuid) -> Result<(), DomainError> {
    if key_sandbox == named {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Whether a sandbox's session key is shown to `viewer` (OpenHands clients talk to the agent
/// server with it): to its creator only, and only while it is live (a registered one always is).
pub fn reveals_session_key(sandbox: &crate::agents::sandbox::Sandbox, viewer: crate::UserId) -> bool {
    sandbox.created_by == viewer
        && sandbox
            .runtime
            .as_ref()
            .is_none_or(|record| record.status.holds_slot())
}

/// Whether settings with their secrets (the LLM key) may be handed to the agent running in
/// `sandbox` on behalf of `caller` in `org`: the sandbox is the caller's own, in that org, and
/// running (a registered one counts as running). Otherwise 403.
pub fn exposes_settings_to(
    sandbox: &crate::agents::sandbox::Sandbox,
    caller: crate::UserId,
    org: OrgId,
) -> Result<(), DomainError> {
    let running = sandbox
        .runtime
        .as_ref()
        .is_none_or(|record| record.status == crate::agents::sandbox::SandboxStatus::Running);
    if sandbox.created_by == caller && sandbox.org_id == org && running {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Where a reported conversation id already lives, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExistingConversation {
    /// Its org.
    pub org_id: OrgId,
    /// The sandbox that reports it, if any.
    pub sandbox_id: Option<Uuid>,
}

/// What a report does to the conversation it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTarget {
    /// It does not exist yet: create it in the sandbox's org.
    Create,
    /// It is this sandbox's: update it.
    Update,
    /// Write nothing: the conversation was deleted.
    Ignore,
}

/// A report may create a conversation, or update one of the same sandbox; a conversation of another
/// org or another sandbox does not exist for it (`NotFound`, nothing written). A conversation that
/// was deleted stays deleted: its late reports are ignored (nothing written, no error for the agent
/// server to retry on).
pub fn decide_report_target(
    existing: Option<ExistingConversation>,
    deleted: bool,
    sandbox_org: OrgId,
    sandbox_id: Uuid,
) -> Result<ReportTarget, DomainError> {
    match existing {
        None if deleted => Ok(ReportTarget::Ignore),
        None => Ok(ReportTarget::Create),
        Some(found) if sandbox_owns(found, sandbox_org, sandbox_id) => Ok(ReportTarget::Update),
        Some(_) => Err(DomainError::NotFound),
    }
}

/// Whether a conversation is the sandbox's own: in its org, and run by it. Only then may the
/// sandbox's reports and events change it.
pub fn sandbox_owns(conversation: ExistingConversation, sandbox_org: OrgId, sandbox_id: Uuid) -> bool {
    conversation.org_id == sandbox_org && conversation.sandbox_id == Some(sandbox_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_id;

    fn facts(live: bool, active: bool, role: Option<Role>) -> SandboxFacts {
        SandboxFacts {
            live,
            creator_active: active,
            creator_role: role,
            org_requires_mfa: false,
            creator_has_mfa: false,
        }
    }

    #[test]
    fn an_org_requiring_mfa_shuts_out_the_sandboxes_of_creators_without_it() {
        let under_policy = |has_mfa| SandboxFacts {
            org_requires_mfa: true,
            creator_has_mfa: has_mfa,
            ..facts(true, true, Some(Role::Developer))
        };
        assert!(decide_sandbox_action(under_policy(true)).is_ok());
        assert!(matches!(
            decide_sandbox_action(under_policy(false)),
            Err(DomainError::Refused {
                code: "mfa_required",
                ..
            })
        ));
    }

    #[test]
    fn a_sandbox_reads_only_its_creators_personal_secrets() {
        let (creator, other) = (new_id(), new_id());
        assert_eq!(personal_secrets_owner(creator, creator), Some(creator));
        assert_eq!(personal_secrets_owner(other, creator), None);
    }

    #[test]
    fn a_sandbox_acts_while_its_creator_may_create_conversations() {
        assert!(decide_sandbox_action(facts(true, true, Some(Role::Developer))).is_ok());
        assert!(decide_sandbox_action(facts(true, true, Some(Role::Owner))).is_ok());
        assert!(matches!(
            decide_sandbox_action(facts(true, true, Some(Role::Viewer))),
            Err(DomainError::Forbidden)
        ));
        for denied in [
            facts(false, true, Some(Role::Owner)),
            facts(true, false, Some(Role::Owner)),
            facts(true, true, None),
        ] {
            assert!(matches!(
                decide_sandbox_action(denied),
                Err(DomainError::Unauthorized(_))
            ));
        }
    }

    #[test]
    fn reports_land_only_in_their_own_sandboxs_conversations() {
        let (org, sandbox) = (new_id(), new_id());
        assert_eq!(
            decide_report_target(None, false, org, sandbox).ok(),
            Some(ReportTarget::Create)
        );
        let mine = ExistingConversation {
            org_id: org,
            sandbox_id: Some(sandbox),
        };
        assert_eq!(
            decide_report_target(Some(mine), false, org, sandbox).ok(),
            Some(ReportTarget::Update)
        );
        for foreign in [
            ExistingConversation {
                org_id: new_id(),
                sandbox_id: Some(sandbox),
            },
            ExistingConversation {
                org_id: org,
                sandbox_id: Some(new_id()),
            },
            ExistingConversation {
                org_id: org,
                sandbox_id: None,
            },
        ] {
            assert!(matches!(
                decide_report_target(Some(foreign), false, org, sandbox),
                Err(DomainError::NotFound)
            ));
        }
    }

    #[test]
    fn a_deleted_conversation_is_never_reported_back_to_life() {
        let (org, sandbox) = (new_id(), new_id());
        assert_eq!(
            decide_report_target(None, true, org, sandbox).ok(),
            Some(ReportTarget::Ignore)
        );
    }
}
