//! Tenantry's schema, one migration per step, each with a working `down`.
//!
//! The migrator is a library: the `tenantry` binary calls [`Migrator`] from its own CLI.

pub use sea_orm_migration::{MigrationStatus, prelude::*};

mod m20261123_000001_create_roles;
mod m20261123_000002_create_orgs_users_members;
mod m20261123_000003_create_sessions_and_throttle;
mod m20261123_000004_create_invitations_and_audit_log;
mod m20261123_000005_create_conversations_and_events;
mod m20261123_000006_create_settings_secrets_api_keys;
mod m20261124_000007_create_sessions_and_settings_versions;
mod m20261124_000008_create_sandboxes_and_event_keys;
mod m20261124_000009_create_agent_deletion_queue;
mod m20261124_000010_create_stream_tickets_and_shares;
mod m20261124_000011_name_event_batches;
mod m20261202_000012_create_mfa;
mod m20261202_000013_create_sso_and_org_policies;
mod m20261202_000014_create_billing;
mod m20261202_000015_create_budgets;
mod m20261202_000016_create_rate_limits;
mod m20261202_000017_add_budget_time_zone;
mod m20261205_000018_verify_sign_in_sources;
mod m20261205_000019_count_attempts_in_flight;
mod m20261205_000020_key_event_batches;
mod m20261205_000040_record_sandbox_origin;
mod m20261205_000070_index_conversations_by_creation;
mod m20261205_000071_create_stream_leases;
mod m20261206_000080_run_sandboxes;
mod m20261206_000081_create_conversation_start_tasks;
mod m20261206_000082_remember_deleted_conversations;
mod m20261206_000083_create_device_authorizations;
mod m20261206_000084_create_llm_profiles;
mod m20261206_000085_mark_the_default_org;
mod references;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_roles::Migration),
            Box::new(m20261123_000002_create_orgs_users_members::Migration),
            Box::new(m20261123_000003_create_sessions_and_throttle::Migration),
            Box::new(m20261123_000004_create_invitations_and_audit_log::Migration),
            Box::new(m20261123_000005_create_conversations_and_events::Migration),
            Box::new(m20261123_000006_create_settings_secrets_api_keys::Migration),
            Box::new(m20261124_000007_create_sessions_and_settings_versions::Migration),
            Box::new(m20261124_000008_create_sandboxes_and_event_keys::Migration),
            Box::new(m20261124_000009_create_agent_deletion_queue::Migration),
            Box::new(m20261124_000010_create_stream_tickets_and_shares::Migration),
            Box::new(m20261124_000011_name_event_batches::Migration),
            Box::new(m20261202_000012_create_mfa::Migration),
            Box::new(m20261202_000013_create_sso_and_org_policies::Migration),
            Box::new(m20261202_000014_create_billing::Migration),
            Box::new(m20261202_000015_create_budgets::Migration),
            Box::new(m20261202_000016_create_rate_limits::Migration),
            Box::new(m20261202_000017_add_budget_time_zone::Migration),
            Box::new(m20261205_000018_verify_sign_in_sources::Migration),
            Box::new(m20261205_000019_count_attempts_in_flight::Migration),
            Box::new(m20261205_000040_record_sandbox_origin::Migration),
            Box::new(m20261205_000020_key_event_batches::Migration),
            Box::new(m20261205_000070_index_conversations_by_creation::Migration),
            Box::new(m20261205_000071_create_stream_leases::Migration),
            Box::new(m20261206_000080_run_sandboxes::Migration),
            Box::new(m20261206_000081_create_conversation_start_tasks::Migration),
            Box::new(m20261206_000082_remember_deleted_conversations::Migration),
            Box::new(m20261206_000083_create_device_authorizations::Migration),
            Box::new(m20261206_000084_create_llm_profiles::Migration),
            Box::new(m20261206_000085_mark_the_default_org::Migration),
        ]
    }
}
