//! Orgs, the member directory and the audit log, in memory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::json;
use tenantry_domain::{
    AuditAction, AuditEntry, DomainError, Invitation, Org, OrgId, Role, UserId,
    ports::{
        AuditFilter, AuditLog, Change, MemberDirectory, MemberView, Membership, OrgPatch, Orgs, PendingPurge,
    },
};

use crate::{
    MemoryStore,
    tables::{MemberRow, Tables},
};

/// Whether another shared org already has this name (names are unique case-insensitively among
/// shared orgs; personal orgs may share names).
pub(crate) fn name_in_use(tables: &Tables, org: &Org) -> bool {
    !org.personal
        && tables.orgs.values().any(|other| {
            other.id != org.id && !other.personal && other.name.unique_key() == org.name.unique_key()
        })
}

fn org_entry(org: OrgId, change: Change, action: AuditAction, detail: serde_json::Value) -> AuditEntry {
    AuditEntry::new(
        org,
        change.at,
        Some(change.actor),
        action,
        ("org", Some(org.to_string())),
        detail,
    )
}

#[async_trait]
impl Orgs for MemoryStore {
    async fn create_org(&self, org: &Org, change: Change) -> Result<(), DomainError> {
        self.write(|tables| {
            if tables.orgs.contains_key(&org.id) || name_in_use(tables, org) {
                return Err(tenantry_domain::org::org_name_taken());
            }
            tables.orgs.insert(org.id, org.clone());
            tables.members.insert(
                (org.id, change.actor),
                MemberRow {
                    role: Role::Owner,
                    joined_at: change.at,
                },
            );
            tables.audit.push(org_entry(
                org.id,
                change,
                AuditAction::OrgCreated,
                json!({ "name": org.name.as_str() }),
            ));
            Ok(())
        })
        .await
    }

    async fn orgs_of(&self, user: UserId) -> Result<Vec<Membership>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut memberships: Vec<(DateTime<Utc>, Membership)> = tables
                    .members
                    .iter()
                    .filter(|((_, member), _)| *member == user)
                    .filter_map(|((org, _), member)| {
                        let org = tables.orgs.get(org)?.clone();
                        Some((
                            member.joined_at,
                            Membership {
                                org,
                                role: member.role,
                            },
                        ))
                    })
                    .collect();
                memberships.sort_by_key(|(joined_at, _)| *joined_at);
                memberships
                    .into_iter()
                    .map(|(_, membership)| membership)
                    .collect()
            })
            .await)
    }

    async fn membership(&self, org: OrgId, user: UserId) -> Result<Option<Membership>, DomainError> {
        Ok(self
            .read(|tables| {
                let member = tables.members.get(&(org, user))?;
                Some(Membership {
                    org: tables.orgs.get(&org)?.clone(),
                    role: member.role,
                })
            })
            .await)
    }

    async fn update_org(&self, org: OrgId, patch: &OrgPatch, change: Change) -> Result<Org, DomainError> {
        self.write(|tables| {
            let current = tables.orgs.get(&org).cloned().ok_or(DomainError::NotFound)?;
            let mut updated = current.clone();
            let mut detail = serde_json::Map::new();
            if let Some(name) = &patch.name {
                updated.name = name.clone();
                detail.insert(
                    "name".into(),
                    json!({ "from": current.name.as_str(), "to": name.as_str() }),
                );
            }
            if let Some(contact_name) = &patch.contact_name {
                updated.contact_name.clone_from(contact_name);
                detail.insert("contact_name".into(), json!(contact_name));
            }
            if let Some(contact_email) = &patch.contact_email {
                let email = contact_email.as_ref().map(|email| email.as_str().to_owned());
                detail.insert("contact_email".into(), json!(email));
                updated.contact_email = email;
            }
            if name_in_use(tables, &updated) {
                return Err(tenantry_domain::org::org_name_taken());
            }
            tables.orgs.insert(org, updated.clone());
            tables.audit.push(org_entry(
                org,
                change,
                AuditAction::OrgUpdated,
                serde_json::Value::Object(detail),
            ));
            Ok(updated)
        })
        .await
    }

    async fn delete_org(&self, org: OrgId, change: Change) -> Result<(), DomainError> {
        self.write(|tables| {
            let current = tables.orgs.remove(&org).ok_or(DomainError::NotFound)?;
            tables.members.retain(|(member_org, _), _| *member_org != org);
            tables.invitations.retain(|_, row| row.invitation.org_id != org);
            let gone: Vec<_> = tables
                .conversations
                .values()
                .filter(|conversation| conversation.org_id == org)
                .map(|conversation| conversation.id)
                .collect();
            for id in gone {
                tables.conversations.remove(&id);
                tables.segments.remove(&id);
            }
            tables.purges.push(PendingPurge {
                org_id: org,
                conversation_id: None,
            });
            let displaced: Vec<UserId> = tables
                .users
                .values()
                .filter(|row| row.user.current_org_id == Some(org))
                .map(|row| row.user.id)
                .collect();
            for user in displaced {
                let personal = tables.personal_org_of(user);
                if let Some(row) = tables.users.get_mut(&user) {
                    row.user.current_org_id = personal;
                }
            }
            tables.audit.push(org_entry(
                org,
                change,
                AuditAction::OrgDeleted,
                json!({ "name": current.name.as_str() }),
            ));
            Ok(())
        })
        .await
    }

    async fn set_current_org(&self, user: UserId, org: OrgId) -> Result<(), DomainError> {
        self.write(|tables| {
            if let Some(row) = tables.users.get_mut(&user) {
                row.user.current_org_id = Some(org);
            }
        })
        .await;
        Ok(())
    }
}

#[async_trait]
impl MemberDirectory for MemoryStore {
    async fn members(&self, org: OrgId) -> Result<Vec<MemberView>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut members: Vec<MemberView> = tables
                    .members
                    .keys()
                    .filter(|(member_org, _)| *member_org == org)
                    .filter_map(|(_, user)| tables.member_view(org, *user))
                    .collect();
                members.sort_by_key(|member| member.joined_at);
                members
            })
            .await)
    }

    async fn pending_invitations(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut pending: Vec<Invitation> = tables
                    .invitations
                    .values()
                    .filter(|row| {
                        row.invitation.org_id == org
                            && row.accepted_at.is_none()
                            && row.revoked_at.is_none()
                            && row.invitation.expires_at > now
                    })
                    .map(|row| row.invitation.clone())
                    .collect();
                pending.sort_by_key(|invitation| std::cmp::Reverse(invitation.id));
                pending
            })
            .await)
    }
}

#[async_trait]
impl AuditLog for MemoryStore {
    async fn record(&self, entry: AuditEntry) -> Result<(), DomainError> {
        self.write(|tables| tables.audit.push(entry)).await;
        Ok(())
    }

    async fn entries(
        &self,
        org: OrgId,
        filter: &AuditFilter,
        limit: u64,
    ) -> Result<Vec<AuditEntry>, DomainError> {
        Ok(self
            .read(|tables| {
                let mut entries: Vec<AuditEntry> = tables
                    .audit
                    .iter()
                    .filter(|entry| entry.org_id == org && filter.admits(entry))
                    .cloned()
                    .collect();
                entries.sort_by_key(|entry| std::cmp::Reverse(entry.id));
                entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                entries
            })
            .await)
    }
}
