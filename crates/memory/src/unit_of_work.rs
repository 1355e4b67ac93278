//! Units of work in memory: a transaction holds the whole store (so decisions inside it are
//! serialised) and works on a copy of the tables, which replaces them at commit.

use std::{
    collections::HashSet,
    sync::{Mutex, MutexGuard},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tenantry_domain::{
    AuditEntry, Conversation, ConversationId, DomainError, Email, Invitation, Org, OrgId, Role, UserId,
    agent_reports::AgentStateChange,
    append_idempotency::IdempotencyKey,
    budget::SpendRecorded,
    credential_lifecycle::Revocation,
    ports::{
        AccountRows, AppendedRange, AuditRows, EventLogRows, EventSegment, InvitationRows,
        LockedConversation, MemberGrantRows, MemberRows, MemberView, OpenInvitation, OrgRows, Registration,
        ReportRows, ReportedConversation, RowsTransaction, SandboxRows, Transaction, UnitOfWork, UserRows,
    },
    sandbox::{Sandbox, SandboxStatus},
    sandbox_access::ExistingConversation,
    sandbox_limits::RunningSandboxes,
    secrets::{Sealed, SecretAddress},
    spend::usage_charge::UsageDelta,
};
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

use crate::{
    MemoryStore,
    tables::{InvitationRow, MemberRow, Tables, UserRow},
};

#[async_trait]
impl UnitOfWork for MemoryStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, DomainError> {
        let committed = self.tables.clone().lock_owned().await;
        let working = Mutex::new(committed.clone());
        Ok(Box::new(MemoryTransaction { committed, working }))
    }
}

/// An open transaction: the store stays held until it commits or is dropped (rolled back).
struct MemoryTransaction {
    committed: OwnedMutexGuard<Tables>,
    working: Mutex<Tables>,
}

impl MemoryTransaction {
    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.working
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl RowsTransaction for MemoryTransaction {
    async fn commit_rows(self: Box<Self>) -> Result<(), DomainError> {
        let MemoryTransaction {
            mut committed,
            working,
        } = *self;
        *committed = working
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(())
    }
}

#[async_trait]
impl OrgRows for MemoryTransaction {
    async fn lock(&self, org: OrgId) -> Result<Org, DomainError> {
        self.tables().orgs.get(&org).cloned().ok_or(DomainError::NotFound)
    }

    async fn shared_org_named(
        &self,
        name: &tenantry_domain::org::OrgName,
    ) -> Result<Option<OrgId>, DomainError> {
        let key = name.unique_key();
        Ok(self
            .tables()
            .orgs
            .values()
            .find(|org| !org.personal && org.name.unique_key() == key)
            .map(|org| org.id))
    }

    async fn marked_default_org(&self) -> Result<Option<OrgId>, DomainError> {
        let tables = self.tables();
        Ok(tables.default_org.filter(|org| tables.orgs.contains_key(org)))
    }

    async fn insert_default_org(&self, org: &Org) -> Result<(), DomainError> {
        let mut tables = self.tables();
        if tables.orgs.contains_key(&org.id) || crate::orgs::name_in_use(&tables, org) {
            return Err(tenantry_domain::org::org_name_taken());
        }
        tables.orgs.insert(org.id, org.clone());
        tables.default_org = Some(org.id);
        Ok(())
    }

    async fn personal_org_of(&self, user: UserId) -> Result<Option<OrgId>, DomainError> {
        Ok(self.tables().personal_org_of(user))
    }
}

#[async_trait]
impl MemberRows for MemoryTransaction {
    async fn role_of(&self, org: OrgId, user: UserId) -> Result<Option<Role>, DomainError> {
        Ok(self.tables().members.get(&(org, user)).map(|member| member.role))
    }

    async fn owner_count(&self, org: OrgId) -> Result<u64, DomainError> {
        let tables = self.tables();
        let owners = tables
            .members
            .iter()
            .filter(|((member_org, _), member)| *member_org == org && member.role == Role::Owner)
            .count();
        Ok(owners as u64)
    }

    async fn has_email(&self, org: OrgId, email: &Email) -> Result<bool, DomainError> {
        let tables = self.tables();
        Ok(tables.members.keys().any(|(member_org, user)| {
            *member_org == org && tables.users.get(user).is_some_and(|row| row.user.email == *email)
        }))
    }

    async fn view(&self, org: OrgId, user: UserId) -> Result<Option<MemberView>, DomainError> {
        Ok(self.tables().member_view(org, user))
    }

    async fn insert(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let mut tables = self.tables();
        if tables.members.contains_key(&(org, user)) {
            return Err(DomainError::Internal("membership exists".into()));
        }
        tables
            .members
            .insert((org, user), MemberRow { role, joined_at: at });
        Ok(())
    }

    async fn set_role(&self, org: OrgId, user: UserId, role: Role) -> Result<(), DomainError> {
        if let Some(member) = self.tables().members.get_mut(&(org, user)) {
            member.role = role;
        }
        Ok(())
    }

    async fn delete(&self, org: OrgId, user: UserId) -> Result<(), DomainError> {
        self.tables().members.remove(&(org, user));
        Ok(())
    }
}

fn is_open(row: &InvitationRow) -> bool {
    row.accepted_at.is_none() && row.revoked_at.is_none()
}

#[async_trait]
impl InvitationRows for MemoryTransaction {
    async fn lock_open_by_digest(&self, token_digest: &str) -> Result<Option<OpenInvitation>, DomainError> {
        Ok(self
            .tables()
            .invitations
            .values()
            .find(|row| row.token_digest == token_digest && is_open(row))
            .map(|row| OpenInvitation {
                invitation: row.invitation.clone(),
                inviter: row.inviter,
            }))
    }

    async fn pending_for(&self, org: OrgId, email: &Email, now: DateTime<Utc>) -> Result<bool, DomainError> {
        Ok(self.tables().invitations.values().any(|row| {
            row.invitation.org_id == org
                && row.invitation.email == *email
                && is_open(row)
                && row.invitation.expires_at > now
        }))
    }

    async fn insert(&self, invitation: &Invitation, token_digest: &str) -> Result<(), DomainError> {
        self.tables().invitations.insert(
            invitation.id,
            InvitationRow {
                invitation: invitation.clone(),
                inviter: Some(invitation.invited_by),
                token_digest: token_digest.to_owned(),
                accepted_at: None,
                accepted_by: None,
                revoked_at: None,
            },
        );
        Ok(())
    }

    async fn mark_accepted(&self, id: Uuid, user: UserId, at: DateTime<Utc>) -> Result<(), DomainError> {
        if let Some(row) = self.tables().invitations.get_mut(&id) {
            row.accepted_at = Some(at);
            row.accepted_by = Some(user);
        }
        Ok(())
    }

    async fn revoke(&self, org: OrgId, id: Uuid, at: DateTime<Utc>) -> Result<bool, DomainError> {
        let mut tables = self.tables();
        match tables.invitations.get_mut(&id) {
            Some(row) if row.invitation.org_id == org && is_open(row) => {
                row.revoked_at = Some(at);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn revoke_sent_by(
        &self,
        org: OrgId,
        inviter: UserId,
        at: DateTime<Utc>,
    ) -> Result<u64, DomainError> {
        let mut revoked = 0;
        for row in self.tables().invitations.values_mut() {
            if row.invitation.org_id == org && row.inviter == Some(inviter) && is_open(row) {
                row.revoked_at = Some(at);
                revoked += 1;
            }
        }
        Ok(revoked)
    }
}

#[async_trait]
impl MemberGrantRows for MemoryTransaction {
    async fn revoke(
        &self,
        user: UserId,
        revocation: &Revocation,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        crate::credentials::revoke_credentials(&mut self.tables(), user, revocation, at);
        Ok(())
    }
}

#[async_trait]
impl UserRows for MemoryTransaction {
    async fn current_org(&self, user: UserId) -> Result<Option<OrgId>, DomainError> {
        Ok(self
            .tables()
            .users
            .get(&user)
            .and_then(|row| row.user.current_org_id))
    }

    async fn set_current_org(
        &self,
        user: UserId,
        org: Option<OrgId>,
        _at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if let Some(row) = self.tables().users.get_mut(&user) {
            row.user.current_org_id = org;
        }
        Ok(())
    }

    async fn lock_superadmins(&self) -> Result<(), DomainError> {
        // The transaction holds the whole store already.
        Ok(())
    }

    async fn any_account(&self) -> Result<bool, DomainError> {
        Ok(!self.tables().users.is_empty())
    }

    async fn oldest_superadmin(&self) -> Result<Option<UserId>, DomainError> {
        Ok(self
            .tables()
            .users
            .values()
            .filter(|row| row.user.is_superadmin)
            .min_by_key(|row| (row.user.created_at, row.user.id))
            .map(|row| row.user.id))
    }

    async fn superadmins_besides(&self, user: UserId) -> Result<u64, DomainError> {
        let tables = self.tables();
        let others = tables
            .users
            .values()
            .filter(|row| row.user.is_superadmin && row.user.id != user)
            .count();
        Ok(others as u64)
    }

    async fn set_superadmin(&self, user: UserId, superadmin: bool) -> Result<bool, DomainError> {
        Ok(match self.tables().users.get_mut(&user) {
            Some(row) => {
                row.user.is_superadmin = superadmin;
                true
            }
            None => false,
        })
    }
}

#[async_trait]
impl AuditRows for MemoryTransaction {
    async fn record(&self, entry: &AuditEntry) -> Result<(), DomainError> {
        self.tables().audit.push(entry.clone());
        Ok(())
    }
}

#[async_trait]
impl EventLogRows for MemoryTransaction {
    async fn lock_conversation(&self, id: ConversationId) -> Result<Option<LockedConversation>, DomainError> {
        Ok(self
            .tables()
            .conversations
            .get(&id)
            .map(|conversation| LockedConversation {
                org_id: conversation.org_id,
                sandbox_id: conversation.sandbox_id,
                event_count: conversation.event_count,
            }))
    }

    async fn record_segment(&self, segment: EventSegment, at: DateTime<Utc>) -> Result<(), DomainError> {
        let mut tables = self.tables();
        let conversation = tables
            .conversations
            .get_mut(&segment.conversation_id)
            .filter(|conversation| conversation.org_id == segment.org_id)
            .ok_or(DomainError::NotFound)?;
        conversation.event_count = segment.last_id + 1;
        conversation.last_updated_at = at;
        tables.segments.entry(segment.conversation_id).or_default().push((
            segment.first_id,
            segment.last_id,
            segment.object,
        ));
        Ok(())
    }

    async fn batch_segment(
        &self,
        conversation: ConversationId,
        batch: uuid::Uuid,
    ) -> Result<Option<AppendedRange>, DomainError> {
        Ok(self
            .tables()
            .segments
            .get(&conversation)
            .into_iter()
            .flatten()
            .find(|(_, _, object)| *object == Some(batch))
            .map(|&(first_id, last_id, _)| AppendedRange { first_id, last_id }))
    }

    async fn keyed_batch(
        &self,
        conversation: ConversationId,
        key: &IdempotencyKey,
    ) -> Result<Option<AppendedRange>, DomainError> {
        Ok(self
            .tables()
            .segment_keys
            .get(&(conversation, key.as_str().to_owned()))
            .copied())
    }

    async fn key_segment(
        &self,
        conversation: ConversationId,
        first_id: i64,
        key: &IdempotencyKey,
    ) -> Result<(), DomainError> {
        let mut tables = self.tables();
        let last_id = tables
            .segments
            .get(&conversation)
            .and_then(|segments| segments.iter().find(|segment| segment.0 == first_id))
            .map(|segment| segment.1)
            .ok_or(DomainError::NotFound)?;
        tables.segment_keys.insert(
            (conversation, key.as_str().to_owned()),
            AppendedRange { first_id, last_id },
        );
        Ok(())
    }

    async fn claim_event_keys(
        &self,
        conversation: ConversationId,
        keys: &[String],
    ) -> Result<HashSet<String>, DomainError> {
        let mut tables = self.tables();
        Ok(keys
            .iter()
            .filter(|key| tables.event_keys.insert((conversation, (*key).clone())))
            .cloned()
            .collect())
    }

    async fn apply_reported_state(
        &self,
        conversation: ConversationId,
        change: &AgentStateChange,
        at: DateTime<Utc>,
    ) -> Result<Option<tenantry_domain::budget::SpendRecorded>, DomainError> {
        Ok(crate::usage_counting::apply_and_count(
            &mut self.tables(),
            conversation,
            change,
            at,
        ))
    }
}

#[async_trait]
impl SandboxRows for MemoryTransaction {
    async fn lock_sandbox(&self, org: OrgId, id: Uuid) -> Result<Option<Sandbox>, DomainError> {
        Ok(self
            .tables()
            .sandboxes
            .get(&id)
            .filter(|sandbox| sandbox.org_id == org && sandbox.revoked_at.is_none())
            .cloned())
    }

    async fn running_sandboxes(
        &self,
        org: OrgId,
        user: UserId,
        except: Option<Uuid>,
    ) -> Result<RunningSandboxes, DomainError> {
        let tables = self.tables();
        let running: Vec<&Sandbox> = tables
            .sandboxes
            .values()
            .filter(|sandbox| {
                sandbox.org_id == org
                    && sandbox.revoked_at.is_none()
                    && Some(sandbox.id) != except
                    && sandbox
                        .runtime
                        .as_ref()
                        .is_some_and(|record| record.status.holds_slot())
            })
            .collect();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(RunningSandboxes {
            in_org: count(running.len()),
            of_user: count(
                running
                    .iter()
                    .filter(|sandbox| sandbox.created_by == user)
                    .count(),
            ),
        })
    }

    async fn sandbox_limit_of(&self, org: OrgId) -> Result<Option<u32>, DomainError> {
        Ok(self.tables().sandbox_limits.get(&org).copied())
    }

    async fn insert_sandbox(
        &self,
        sandbox: &Sandbox,
        sealed: &[(SecretAddress, Sealed)],
    ) -> Result<(), DomainError> {
        crate::sandboxes::insert_with_keys(&mut self.tables(), sandbox, sealed)
    }

    async fn set_sandbox_status(
        &self,
        id: Uuid,
        status: SandboxStatus,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        if let Some(record) = self
            .tables()
            .sandboxes
            .get_mut(&id)
            .and_then(|sandbox| sandbox.runtime.as_mut())
        {
            record.status = status;
            record.status_changed_at = at;
        }
        Ok(())
    }
}

#[async_trait]
impl ReportRows for MemoryTransaction {
    async fn lock_reported(&self, id: ConversationId) -> Result<ReportedConversation, DomainError> {
        let tables = self.tables();
        Ok(ReportedConversation {
            existing: tables
                .conversations
                .get(&id)
                .map(|existing| ExistingConversation {
                    org_id: existing.org_id,
                    sandbox_id: existing.sandbox_id,
                }),
            deleted: tables.deleted_conversations.contains(&id),
        })
    }

    async fn insert_reported(&self, conversation: &Conversation) -> Result<bool, DomainError> {
        let mut tables = self.tables();
        if tables.conversations.contains_key(&conversation.id) {
            return Ok(false);
        }
        tables.conversations.insert(conversation.id, conversation.clone());
        Ok(true)
    }

    async fn set_reported_names(
        &self,
        id: ConversationId,
        title: Option<&str>,
        model: Option<&str>,
    ) -> Result<(), DomainError> {
        if let Some(conversation) = self.tables().conversations.get_mut(&id) {
            if let Some(title) = title {
                conversation.title = Some(title.to_owned());
            }
            if let Some(model) = model {
                conversation.llm_model = Some(model.to_owned());
            }
        }
        Ok(())
    }

    async fn add_started_metadata(&self, conversation: &Conversation) -> Result<(), DomainError> {
        if let Some(reported) = self.tables().conversations.get_mut(&conversation.id) {
            reported.created_by = conversation.created_by;
            reported.visibility = conversation.visibility;
            reported.trigger.clone_from(&conversation.trigger);
            reported
                .selected_repository
                .clone_from(&conversation.selected_repository);
            reported.selected_branch.clone_from(&conversation.selected_branch);
            if conversation.title.is_some() {
                reported.title.clone_from(&conversation.title);
            }
        }
        Ok(())
    }

    async fn count_usage(
        &self,
        conversation: &Conversation,
        delta: UsageDelta,
        at: DateTime<Utc>,
    ) -> Result<Option<SpendRecorded>, DomainError> {
        Ok(crate::usage_counting::count_usage(
            &mut self.tables(),
            conversation,
            delta,
            at,
        ))
    }
}

#[async_trait]
impl AccountRows for MemoryTransaction {
    async fn insert_account(&self, registration: &Registration) -> Result<(), DomainError> {
        let (user, org, sso_link) = (&registration.user, &registration.org, &registration.sso_link);
        let mut tables = self.tables();
        if tables.users.values().any(|row| row.user.email == user.email) {
            return Err(tenantry_domain::email::email_taken());
        }
        let user = user.clone();
        let created_at = user.created_at;
        if let Some(link) = sso_link {
            let key = (link.issuer.clone(), link.subject.clone());
            if tables.sso_identities.contains_key(&key) {
                return Err(tenantry_domain::email::email_taken());
            }
            tables.sso_identities.insert(key, (user.id, user.created_at));
        }
        tables.orgs.insert(org.id, org.clone());
        tables.members.insert(
            (org.id, user.id),
            MemberRow {
                role: Role::Owner,
                joined_at: user.created_at,
            },
        );
        tables.users.insert(
            user.id,
            UserRow {
                user,
                password_hash: registration.password_hash.clone(),
                verified_sign_in_at: sso_link.as_ref().map(|_| created_at),
            },
        );
        Ok(())
    }
}
