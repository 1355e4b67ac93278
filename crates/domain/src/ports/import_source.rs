use async_trait::async_trait;

use crate::porting::import::{
    ImportProblem, ImportedConversation, ImportedEvent, ImportedSecret, ImportedSettings,
};

/// A store being imported: its settings and secrets, then its conversations one at a time, each
/// followed by its events in order. A problem with one item is reported and the source goes on.
#[async_trait]
pub trait ImportSource: Send {
    /// The source's settings, if it has any.
    async fn settings(&mut self) -> Result<Option<ImportedSettings>, ImportProblem>;

    /// The source's secrets.
    async fn secrets(&mut self) -> Result<Vec<ImportedSecret>, ImportProblem>;

    /// What the source could not read of its settings and secrets (each reported, none fatal).
    fn preamble_problems(&mut self) -> Vec<ImportProblem>;

    /// How many conversations the source holds (for progress).
    fn conversation_count(&self) -> u64;

    /// The next conversation; `None` when there are no more. An `Err` is an unreadable
    /// conversation, skipped.
    async fn next_conversation(&mut self) -> Option<Result<ImportedConversation, ImportProblem>>;

    /// Up to `max` further events of the current conversation; empty when it has no more.
    async fn next_events(&mut self, max: usize) -> Result<Vec<ImportedEvent>, ImportProblem>;
}

/// Told how an import goes (a progress bar, a log).
pub trait ImportProgress: Send + Sync {
    /// A conversation was handled, with this many events appended.
    fn conversation_done(&self, events: u64);

    /// Something could not be read or applied.
    fn problem(&self, problem: &ImportProblem);
}
