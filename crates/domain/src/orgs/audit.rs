//! The audit trail: one entry per change, written in the change's own transaction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{OrgId, UserId, new_id};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// An org was created.
    OrgCreated,
    /// An org's name or contact details changed.
    OrgUpdated,
    /// An org was deleted.
    OrgDeleted,
    /// A member was added.
    MemberAdded,
    /// A member's role changed.
    MemberRoleChanged,
    /// A member was removed or left.
    MemberRemoved,
    /// An invitation was sent.
    InvitationSent,
    /// An invitation was accepted.
    InvitationAccepted,
    /// An invitation was revoked.
    InvitationRevoked,
    /// Ownership moved to another member.
    OwnershipTransferred,
    /// A conversation's runtime read decrypted secrets.
    SecretsRead,
    /// A secret was created or replaced (its name and scope, never its value).
    SecretSet,
    /// A secret was deleted.
    SecretDeleted,
    /// An API key was created.
    ApiKeyCreated,
    /// An API key was revoked.
    ApiKeyRevoked,
    /// A read-only share link of a conversation was created.
    ConversationShared,
    /// A share link was revoked.
    ShareRevoked,
    /// A conversation was handed to another member.
    ConversationReassigned,
    /// A conversation was deleted by retention (idle beyond the org's `conversation_expiration`).
    ConversationExpired,
    /// Org settings, locks or a member's overrides changed (field names, never values).
    SettingsUpdated,
    /// An operator created an account.
    UserCreated,
    /// An operator disabled an account.
    UserDisabled,
    /// An operator enabled an account again.
    UserEnabled,
    /// An operator marked an account's email verified.
    UserEmailVerified,
    /// A person changed their display name.
    UserRenamed,
    /// A user turned two-factor sign-in on.
    MfaEnabled,
    /// A user turned two-factor sign-in off.
    MfaDisabled,
    /// A user signed in with a recovery code.
    MfaRecoveryCodeUsed,
    /// An operator granted superadmin.
    SuperadminGranted,
    /// An operator revoked superadmin.
    SuperadminRevoked,
    /// A sandbox was registered.
    SandboxCreated,
    /// A sandbox was deleted.
    SandboxDeleted,
    /// Tenantry started a sandbox.
    SandboxStarted,
    /// A sandbox Tenantry runs was paused (by a member, or because it was idle).
    SandboxPaused,
    /// A paused or failed sandbox was started again.
    SandboxResumed,
    /// A sandbox Tenantry ran was stopped and its workspace removed.
    SandboxStopped,
    /// A sandbox Tenantry runs stopped on its own, never came up, or vanished.
    SandboxFailed,
    /// An org's single sign-on provider was set or changed.
    SsoConfigured,
    /// An org's single sign-on provider was removed.
    SsoRemoved,
    /// An org's sign-in policy changed.
    PolicyUpdated,
    /// A user signed in with single sign-on for the first time and was linked or created.
    SsoLinked,
    /// An owner started buying credits.
    CheckoutStarted,
    /// A paid checkout credited the org.
    CreditsPurchased,
    /// An org's budget changed.
    BudgetUpdated,
    /// An org claimed an email domain (not yet proven).
    DomainAdded,
    /// An org proved it controls an email domain.
    DomainVerified,
    /// An org gave up an email domain.
    DomainRemoved,
    /// An org's spending reached 80% of its monthly budget.
    BudgetAlert,
}

impl AuditAction {
    /// Stable name, as stored and listed.
    pub const fn name(self) -> &'static str {
        match self {
            AuditAction::OrgCreated => "org.created",
            AuditAction::OrgUpdated => "org.updated",
            AuditAction::OrgDeleted => "org.deleted",
            AuditAction::MemberAdded => "member.added",
            AuditAction::MemberRoleChanged => "member.role_changed",
            AuditAction::MemberRemoved => "member.removed",
            AuditAction::InvitationSent => "invitation.sent",
            AuditAction::InvitationAccepted => "invitation.accepted",
            AuditAction::InvitationRevoked => "invitation.revoked",
            AuditAction::OwnershipTransferred => "ownership.transferred",
            AuditAction::SecretsRead => "secrets.read",
            AuditAction::SecretSet => "secret.set",
            AuditAction::SecretDeleted => "secret.deleted",
            AuditAction::ApiKeyCreated => "api_key.created",
            AuditAction::ApiKeyRevoked => "api_key.revoked",
            AuditAction::ConversationShared => "conversation.shared",
            AuditAction::ShareRevoked => "share.revoked",
            AuditAction::ConversationReassigned => "conversation.reassigned",
            AuditAction::ConversationExpired => "conversation.expired",
            AuditAction::SettingsUpdated => "settings.updated",
            AuditAction::UserCreated => "user.created",
            AuditAction::UserDisabled => "user.disabled",
            AuditAction::UserEnabled => "user.enabled",
            AuditAction::UserEmailVerified => "user.email_verified",
            AuditAction::UserRenamed => "user.renamed",
            AuditAction::MfaEnabled => "user.mfa_enabled",
            AuditAction::MfaDisabled => "user.mfa_disabled",
            AuditAction::MfaRecoveryCodeUsed => "user.mfa_recovery_code_used",
            AuditAction::SuperadminGranted => "superadmin.granted",
            AuditAction::SuperadminRevoked => "superadmin.revoked",
            AuditAction::SandboxCreated => "sandbox.created",
            AuditAction::SandboxDeleted => "sandbox.deleted",
            AuditAction::SandboxStarted => "sandbox.started",
            AuditAction::SandboxPaused => "sandbox.paused",
            AuditAction::SandboxResumed => "sandbox.resumed",
            AuditAction::SandboxStopped => "sandbox.stopped",
            AuditAction::SandboxFailed => "sandbox.failed",
            AuditAction::SsoConfigured => "org.sso_configured",
            AuditAction::SsoRemoved => "org.sso_removed",
            AuditAction::PolicyUpdated => "org.policy_updated",
            AuditAction::SsoLinked => "user.sso_linked",
            AuditAction::CheckoutStarted => "billing.checkout_started",
            AuditAction::CreditsPurchased => "billing.credits_purchased",
            AuditAction::BudgetUpdated => "org.budget_updated",
            AuditAction::DomainAdded => "org.domain_added",
            AuditAction::DomainVerified => "org.domain_verified",
            AuditAction::DomainRemoved => "org.domain_removed",
            AuditAction::BudgetAlert => "budget.alert",
        }
    }

    /// The action a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "org.created" => AuditAction::OrgCreated,
            "org.updated" => AuditAction::OrgUpdated,
            "org.deleted" => AuditAction::OrgDeleted,
            "member.added" => AuditAction::MemberAdded,
            "member.role_changed" => AuditAction::MemberRoleChanged,
            "member.removed" => AuditAction::MemberRemoved,
            "invitation.sent" => AuditAction::InvitationSent,
            "invitation.accepted" => AuditAction::InvitationAccepted,
            "invitation.revoked" => AuditAction::InvitationRevoked,
            "ownership.transferred" => AuditAction::OwnershipTransferred,
            "secrets.read" => AuditAction::SecretsRead,
            "secret.set" => AuditAction::SecretSet,
            "secret.deleted" => AuditAction::SecretDeleted,
            "api_key.created" => AuditAction::ApiKeyCreated,
            "api_key.revoked" => AuditAction::ApiKeyRevoked,
            "conversation.shared" => AuditAction::ConversationShared,
            "share.revoked" => AuditAction::ShareRevoked,
            "conversation.reassigned" => AuditAction::ConversationReassigned,
            "conversation.expired" => AuditAction::ConversationExpired,
            "settings.updated" => AuditAction::SettingsUpdated,
            "user.created" => AuditAction::UserCreated,
            "user.disabled" => AuditAction::UserDisabled,
            "user.enabled" => AuditAction::UserEnabled,
            "user.email_verified" => AuditAction::UserEmailVerified,
            "user.renamed" => AuditAction::UserRenamed,
            "user.mfa_enabled" => AuditAction::MfaEnabled,
            "user.mfa_disabled" => AuditAction::MfaDisabled,
            "user.mfa_recovery_code_used" => AuditAction::MfaRecoveryCodeUsed,
            "superadmin.granted" => AuditAction::SuperadminGranted,
            "superadmin.revoked" => AuditAction::SuperadminRevoked,
            "sandbox.created" => AuditAction::SandboxCreated,
            "sandbox.deleted" => AuditAction::SandboxDeleted,
            "sandbox.started" => AuditAction::SandboxStarted,
            "sandbox.paused" => AuditAction::SandboxPaused,
            "sandbox.resumed" => AuditAction::SandboxResumed,
            "sandbox.stopped" => AuditAction::SandboxStopped,
            "sandbox.failed" => AuditAction::SandboxFailed,
            "org.sso_configured" => AuditAction::SsoConfigured,
            "org.sso_removed" => AuditAction::SsoRemoved,
            "org.policy_updated" => AuditAction::PolicyUpdated,
            "user.sso_linked" => AuditAction::SsoLinked,
            "billing.checkout_started" => AuditAction::CheckoutStarted,
            "billing.credits_purchased" => AuditAction::CreditsPurchased,
            "org.budget_updated" => AuditAction::BudgetUpdated,
            "org.domain_added" => AuditAction::DomainAdded,
            "org.domain_verified" => AuditAction::DomainVerified,
            "org.domain_removed" => AuditAction::DomainRemoved,
            "budget.alert" => AuditAction::BudgetAlert,
            _ => return None,
        })
    }
}

/// One entry of an org's audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Time-ordered id (the keyset of the log).
    pub id: Uuid,
    /// The org it concerns.
    pub org_id: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none for system actions).
    pub actor_id: Option<UserId>,
    /// What.
    pub action: AuditAction,
    /// Kind of the thing acted on (`org`, `member`, `invitation`).
    pub target_type: String,
    /// Its id.
    pub target_id: Option<String>,
    /// Particulars (old and new role, new name…). Never secrets.
    pub detail: serde_json::Value,
}

impl AuditEntry {
    /// A new entry stamped `at`.
    pub fn new(
        org_id: OrgId,
        at: DateTime<Utc>,
        actor_id: Option<UserId>,
        action: AuditAction,
        target: (&str, Option<String>),
        detail: serde_json::Value,
    ) -> Self {
        Self {
            id: new_id(),
            org_id,
            at,
            actor_id,
            action,
            target_type: target.0.to_owned(),
            target_id: target.1,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name() {
        for (name, action) in [
            ("org.created", AuditAction::OrgCreated),
            ("org.updated", AuditAction::OrgUpdated),
            ("org.deleted", AuditAction::OrgDeleted),
            ("member.added", AuditAction::MemberAdded),
            ("member.role_changed", AuditAction::MemberRoleChanged),
            ("member.removed", AuditAction::MemberRemoved),
            ("invitation.sent", AuditAction::InvitationSent),
            ("invitation.accepted", AuditAction::InvitationAccepted),
            ("invitation.revoked", AuditAction::InvitationRevoked),
            ("ownership.transferred", AuditAction::OwnershipTransferred),
            ("secrets.read", AuditAction::SecretsRead),
            ("secret.set", AuditAction::SecretSet),
            ("secret.deleted", AuditAction::SecretDeleted),
            ("api_key.created", AuditAction::ApiKeyCreated),
            ("api_key.revoked", AuditAction::ApiKeyRevoked),
            ("conversation.shared", AuditAction::ConversationShared),
            ("share.revoked", AuditAction::ShareRevoked),
            ("conversation.reassigned", AuditAction::ConversationReassigned),
            ("conversation.expired", AuditAction::ConversationExpired),
            ("settings.updated", AuditAction::SettingsUpdated),
            ("user.created", AuditAction::UserCreated),
            ("user.disabled", AuditAction::UserDisabled),
            ("user.enabled", AuditAction::UserEnabled),
            ("user.email_verified", AuditAction::UserEmailVerified),
            ("user.renamed", AuditAction::UserRenamed),
            ("user.mfa_enabled", AuditAction::MfaEnabled),
            ("user.mfa_disabled", AuditAction::MfaDisabled),
            ("user.mfa_recovery_code_used", AuditAction::MfaRecoveryCodeUsed),
            ("superadmin.granted", AuditAction::SuperadminGranted),
            ("superadmin.revoked", AuditAction::SuperadminRevoked),
            ("sandbox.created", AuditAction::SandboxCreated),
            ("sandbox.deleted", AuditAction::SandboxDeleted),
            ("sandbox.started", AuditAction::SandboxStarted),
            ("sandbox.paused", AuditAction::SandboxPaused),
            ("sandbox.resumed", AuditAction::SandboxResumed),
            ("sandbox.stopped", AuditAction::SandboxStopped),
            ("sandbox.failed", AuditAction::SandboxFailed),
            ("org.sso_configured", AuditAction::SsoConfigured),
            ("org.sso_removed", AuditAction::SsoRemoved),
            ("org.policy_updated", AuditAction::PolicyUpdated),
            ("user.sso_linked", AuditAction::SsoLinked),
            ("billing.checkout_started", AuditAction::CheckoutStarted),
            ("billing.credits_purchased", AuditAction::CreditsPurchased),
            ("org.budget_updated", AuditAction::BudgetUpdated),
            ("org.domain_added", AuditAction::DomainAdded),
            ("org.domain_verified", AuditAction::DomainVerified),
            ("org.domain_removed", AuditAction::DomainRemoved),
            ("budget.alert", AuditAction::BudgetAlert),
        ] {
            assert_eq!(action.name(), name);
            assert_eq!(AuditAction::parse(name), Some(action));
        }
        assert_eq!(AuditAction::parse("org.unknown"), None);
    }
}
