//! The rules for what a sandbox may do, and where its reports may land.
//!
//! A sandbox's session key acts for its creator, inside its org, on the webhook routes only, and
//! only while the creator may still create conversations there.

use uuid::Uuid;

use crate::{
    DomainError, OrgId, Role,
    policy::{Permission, require},
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
}

/// May the sandbox act now? Unknown, deleted, or orphaned keys are `Unauthorized`; a creator who
/// may no longer create conversations makes it `Forbidden`.
pub fn decide_sandbox_action(facts: SandboxFacts) -> Result<(), DomainError> {
    if !facts.live || !facts.creator_active {
        return Err(DomainError::Unauthorized("sandbox key revoked"));
    }
    let role = facts
        .creator_role
        .ok_or(DomainError::Unauthorized("sandbox key revoked"))?;
    require(role, Permission::CreateConversations)
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
}

/// A report may create a conversation, or update one of the same sandbox; a conversation of another
/// org or another sandbox does not exist for it (`NotFound`, nothing written).
pub fn decide_report_target(
    existing: Option<ExistingConversation>,
    sandbox_org: OrgId,
    sandbox_id: Uuid,
) -> Result<ReportTarget, DomainError> {
    match existing {
        None => Ok(ReportTarget::Create),
        Some(found) if found.org_id == sandbox_org && found.sandbox_id == Some(sandbox_id) => {
            Ok(ReportTarget::Update)
        }
        Some(_) => Err(DomainError::NotFound),
    }
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
        }
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
            decide_report_target(None, org, sandbox).ok(),
            Some(ReportTarget::Create)
        );
        let mine = ExistingConversation {
            org_id: org,
            sandbox_id: Some(sandbox),
        };
        assert_eq!(
            decide_report_target(Some(mine), org, sandbox).ok(),
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
                decide_report_target(Some(foreign), org, sandbox),
                Err(DomainError::NotFound)
            ));
        }
    }
}
