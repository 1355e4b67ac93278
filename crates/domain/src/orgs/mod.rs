//! Orgs, the tenants: members and their ranked roles, the permission policy, invitations, the last-owner rule and the audit trail.

pub mod audit;
pub mod default_org;
pub mod invitation;
pub mod invitation_acceptance;
pub mod invitation_preview;
pub mod last_owner;
pub mod member;
pub mod membership_rules;
pub mod org;
pub mod policy;
pub mod request_org;
pub mod role;
pub mod role_in_org;
pub mod services;
