//! An org's data taken out: org, settings without secrets, members, conversations with their
//! events, and the audit log, handed page by page to an [`ExportSink`] so memory stays flat in
//! the size of the org.

use std::sync::Arc;

use crate::{
    Caller, DomainError, OrgId, Role,
    conversations::services::conversations::{ConversationListQuery, ConversationService},
    orgs::policy::{Permission, require},
    ports::{
        Accounts, AuditFilter, AuditLog, ExportSink, ExportedSettings, MemberDirectory, Orgs, SettingsStore,
    },
};

/// Conversations, events or audit entries read per round trip.
const PAGE: u64 = 200;

/// The adapters an export reads.
#[derive(Clone)]
pub struct ExportPorts {
    /// The org and memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Members.
    pub directory: Arc<dyn MemberDirectory>,
    /// Settings rows (secret fields live elsewhere and are never read here).
    pub settings: Arc<dyn SettingsStore>,
    /// The audit log.
    pub audit: Arc<dyn AuditLog>,
    /// Conversations and their events.
    pub conversations: ConversationService,
    /// Users (an operator's export acts as the org's owner).
    pub accounts: Arc<dyn Accounts>,
}

/// The export use case.
#[derive(Clone)]
pub struct ExportService {
    ports: ExportPorts,
}

impl ExportService {
    /// The use case over the given adapters.
    pub fn new(ports: ExportPorts) -> Self {
        Self { ports }
    }

    /// Checks that the caller may export the org (owner), before anything is written.
    pub async fn authorize(&self, caller: &Caller, org: OrgId) -> Result<(), DomainError> {
        caller.reach(org)?;
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        require(role, Permission::ExportOrg)
    }

    /// Exports the org for an operator (the command line), acting as its owner.
    pub async fn export_as_operator(&self, org: OrgId, sink: &mut dyn ExportSink) -> Result<(), DomainError> {
        let owner = self
            .ports
            .directory
            .members(org)
            .await?
            .into_iter()
            .find(|member| member.role == Role::Owner)
            .ok_or(DomainError::NotFound)?;
        let user = self
            .ports
            .accounts
            .user_by_id(owner.user_id)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.export(&Caller::person(user, None), org, sink).await
    }

    /// Hands the org's data to `sink` (owner). Conversations are listed by their last activity,
    /// each with the events it held when it was listed.
    pub async fn export(
        &self,
        caller: &Caller,
        org: OrgId,
        sink: &mut dyn ExportSink,
    ) -> Result<(), DomainError> {
        self.authorize(caller, org).await?;
        let membership = self
            .ports
            .orgs
            .membership(org, caller.user.id)
            .await?
            .ok_or(DomainError::NotFound)?;
        let stored = self.ports.settings.get(org, None).await?;
        let settings = ExportedSettings {
            values: stored.values,
            locked: stored.locked,
        };
        sink.org(&membership.org, &settings).await?;
        for member in self.ports.directory.members(org).await? {
            sink.member(&member).await?;
        }
        self.conversations(caller, org, sink).await?;
        let mut before = None;
        loop {
            let page = AuditFilter {
                before,
                ..AuditFilter::default()
            };
            let entries = self.ports.audit.entries(org, &page, PAGE).await?;
            for entry in &entries {
                sink.audit(entry).await?;
            }
            match entries.last() {
                Some(last) if entries.len() as u64 == PAGE => before = Some(last.id),
                _ => break,
            }
        }
        sink.finish().await
    }

    async fn conversations(
        &self,
        caller: &Caller,
        org: OrgId,
        sink: &mut dyn ExportSink,
    ) -> Result<(), DomainError> {
        let service = &self.ports.conversations;
        let mut after = None;
        loop {
            let page = service
                .list(
                    caller,
                    org,
                    ConversationListQuery {
                        after,
                        limit: PAGE,
                        ..ConversationListQuery::default()
                    },
                )
                .await?;
            for conversation in &page.items {
                sink.conversation(conversation).await?;
                let mut start = 0;
                while start < conversation.event_count {
                    let limit = (conversation.event_count - start).min(PAGE as i64);
                    let events = service.page_of(conversation, start, limit).await?;
                    if events.items.is_empty() {
                        break;
                    }
                    sink.events(conversation.id, &events.items).await?;
                    start += events.items.len() as i64;
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(()),
            }
        }
    }
}
