//! Watching an org's conversations change, for a live list.

use std::collections::VecDeque;

use crate::{
    Conversation, ConversationId, DomainError, OrgId,
    conversations::services::conversations::{CallerCheck, ConversationService},
    ports::{Signal, SignalReceiver},
};

/// What an org watcher yields.
#[derive(Debug, Clone, PartialEq)]
pub enum OrgActivity {
    /// A conversation the reader may read was created or changed (metadata, status, usage,
    /// events): as it is now.
    Changed(Box<Conversation>),
    /// A conversation of the org was deleted.
    Deleted(ConversationId),
    /// The reader may no longer see the org.
    End,
}

/// A reader watching one org's conversations.
pub struct OrgWatcher {
    service: ConversationService,
    check: Box<dyn CallerCheck>,
    org: OrgId,
    signals: Box<dyn SignalReceiver>,
    pending: VecDeque<ConversationId>,
}

impl ConversationService {
    /// Watches the org's conversations (members).
    pub async fn watch_org(
        &self,
        check: Box<dyn CallerCheck>,
        org: OrgId,
    ) -> Result<OrgWatcher, DomainError> {
        let signals = self.ports.signals.subscribe();
        let caller = check.current().await?;
        self.role_in(&caller, org).await?;
        Ok(OrgWatcher {
            service: self.clone(),
            check,
            org,
            signals,
            pending: VecDeque::new(),
        })
    }
}

impl OrgWatcher {
    /// The next change the reader may see, waiting for one; or [`OrgActivity::End`]. Cancel-safe.
    pub async fn next(&mut self) -> Result<OrgActivity, DomainError> {
        loop {
            if let Some(&id) = self.pending.front() {
                let activity = self.look_at(id).await?;
                self.pending.pop_front();
                match activity {
                    Some(activity) => return Ok(activity),
                    None => continue,
                }
            }
            let signal = self.signals.recv().await;
            let access_may_have_changed = match signal {
                Signal::Appended {
                    org, conversation, ..
                }
                | Signal::ConversationChanged { org, conversation }
                    if org == self.org =>
                {
                    if !self.pending.contains(&conversation) {
                        self.pending.push_back(conversation);
                    }
                    false
                }
                Signal::AccessChanged { org } => org == self.org,
                Signal::CredentialsChanged { .. } | Signal::Resync => true,
                _ => false,
            };
            if access_may_have_changed && !self.still_member().await? {
                return Ok(OrgActivity::End);
            }
        }
    }

    async fn still_member(&self) -> Result<bool, DomainError> {
        let caller = match self.check.current().await {
            Ok(caller) => caller,
            Err(DomainError::Unauthorized(_)) => return Ok(false),
            Err(error) => return Err(error),
        };
        match self.service.role_in(&caller, self.org).await {
            Ok(_) => Ok(true),
            Err(DomainError::NotFound | DomainError::Forbidden) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// What the reader sees of conversation `id` now: `Some(End)` when they lost the org.
    async fn look_at(&self, id: ConversationId) -> Result<Option<OrgActivity>, DomainError> {
        let caller = match self.check.current().await {
            Ok(caller) => caller,
            Err(DomainError::Unauthorized(_)) => return Ok(Some(OrgActivity::End)),
            Err(error) => return Err(error),
        };
        let role = match self.service.role_in(&caller, self.org).await {
            Ok(role) => role,
            Err(DomainError::NotFound | DomainError::Forbidden) => return Ok(Some(OrgActivity::End)),
            Err(error) => return Err(error),
        };
        Ok(match self.service.ports.conversations.get(self.org, id).await? {
            None => Some(OrgActivity::Deleted(id)),
            Some(conversation) if conversation.readable_by(caller.user.id, role) => {
                Some(OrgActivity::Changed(Box::new(conversation)))
            }
            Some(_) => None,
        })
    }
}
