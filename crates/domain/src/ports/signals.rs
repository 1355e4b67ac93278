use async_trait::async_trait;

use crate::{ConversationId, DomainError, OrgId, UserId};

/// Something long-lived readers (event streams) must look at again. A signal carries no data:
/// readers re-read what changed from storage, so a missed or repeated signal costs a read, never an
/// event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Events up to `last_id` of the conversation are committed.
    Appended {
        /// The org.
        org: OrgId,
        /// The conversation.
        conversation: ConversationId,
        /// The id of the last event appended.
        last_id: i64,
    },
    /// The conversation's metadata, visibility or existence changed.
    ConversationChanged {
        /// The org.
        org: OrgId,
        /// The conversation.
        conversation: ConversationId,
    },
    /// Who may read what in the org changed (members removed or demoted, the org deleted).
    AccessChanged {
        /// The org.
        org: OrgId,
    },
    /// The user's credentials changed (sessions ended, keys revoked, account disabled).
    CredentialsChanged {
        /// The user.
        user: UserId,
    },
    /// Signals may have been missed (a reader fell behind, the bus reconnected): look at everything.
    Resync,
}

/// Carries [`Signal`]s to every reader on every server instance.
#[async_trait]
pub trait SignalBus: Send + Sync {
    /// Sends a signal after the change it announces has committed.
    async fn publish(&self, signal: Signal) -> Result<(), DomainError>;

    /// Every signal from now on.
    fn subscribe(&self) -> Box<dyn SignalReceiver>;
}

/// One reader's signals, in a bounded buffer: a reader that falls behind gets [`Signal::Resync`]
/// instead of an ever-growing queue.
#[async_trait]
pub trait SignalReceiver: Send {
    /// The next signal.
    async fn recv(&mut self) -> Signal;
}
