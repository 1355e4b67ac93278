//! Sources are read on a thread of their own (file reads and decompression block) and handed to
//! the async import through a small bounded channel, so memory stays flat whatever their size.

use tenantry_domain::{
    import::{ImportProblem, ImportedConversation, ImportedEvent, ImportedSecret, ImportedSettings},
    ports::ImportSource,
};
use tokio::sync::{mpsc, oneshot};

/// Events per chunk sent from the reader thread.
pub const EVENT_CHUNK: usize = 1000;
/// Chunks in flight between the thread and the import.
const IN_FLIGHT: usize = 4;

/// What a source knows before its conversations.
#[derive(Default)]
pub struct Preamble {
    /// Settings, or why they could not be read.
    pub settings: Option<Result<ImportedSettings, ImportProblem>>,
    /// Secrets.
    pub secrets: Vec<ImportedSecret>,
    /// Settings or secrets that could not be read.
    pub problems: Vec<ImportProblem>,
    /// Conversations to come, when known.
    pub conversations: u64,
}

/// One step of a source's conversations.
pub enum Item {
    /// The next conversation (or an unreadable one).
    Conversation(Box<Result<ImportedConversation, ImportProblem>>),
    /// Further events of the current conversation (or why they stop).
    Events(Result<Vec<ImportedEvent>, ImportProblem>),
}

/// The reader thread's end.
pub struct Feeder {
    items: mpsc::Sender<Item>,
}

impl Feeder {
    /// Sends an item; `false` when the import stopped listening.
    pub fn send(&self, item: Item) -> bool {
        self.items.blocking_send(item).is_ok()
    }
}

/// Starts `read` on a thread: it first answers with its preamble, then feeds conversations.
pub async fn spawn<F>(read: F) -> Result<ThreadedSource, ImportProblem>
where
    F: FnOnce(oneshot::Sender<Result<Preamble, ImportProblem>>, Feeder) + Send + 'static,
{
    let (preamble_tx, preamble_rx) = oneshot::channel();
    let (items_tx, items_rx) = mpsc::channel(IN_FLIGHT);
    std::thread::Builder::new()
        .name("import-source".into())
        .spawn(move || read(preamble_tx, Feeder { items: items_tx }))
        .map_err(|error| ImportProblem::new("source", error.to_string()))?;
    let preamble = preamble_rx
        .await
        .map_err(|_| ImportProblem::new("source", "the reader stopped before it began"))??;
    Ok(ThreadedSource {
        preamble,
        items: items_rx,
        pending: None,
    })
}

/// An [`ImportSource`] fed by a reader thread.
pub struct ThreadedSource {
    preamble: Preamble,
    items: mpsc::Receiver<Item>,
    pending: Option<Item>,
}

impl ThreadedSource {
    async fn next_item(&mut self) -> Option<Item> {
        match self.pending.take() {
            Some(item) => Some(item),
            None => self.items.recv().await,
        }
    }
}

#[async_trait::async_trait]
impl ImportSource for ThreadedSource {
    async fn settings(&mut self) -> Result<Option<ImportedSettings>, ImportProblem> {
        self.preamble.settings.take().transpose()
    }

    async fn secrets(&mut self) -> Result<Vec<ImportedSecret>, ImportProblem> {
        Ok(std::mem::take(&mut self.preamble.secrets))
    }

    fn preamble_problems(&mut self) -> Vec<ImportProblem> {
        std::mem::take(&mut self.preamble.problems)
    }

    fn conversation_count(&self) -> u64 {
        self.preamble.conversations
    }

    async fn next_conversation(&mut self) -> Option<Result<ImportedConversation, ImportProblem>> {
        // Events the import did not take (it gave up on that conversation) are passed over.
        loop {
            match self.next_item().await? {
                Item::Conversation(conversation) => return Some(*conversation),
                Item::Events(_) => continue,
            }
        }
    }

    async fn next_events(&mut self, max: usize) -> Result<Vec<ImportedEvent>, ImportProblem> {
        match self.next_item().await {
            None => Ok(Vec::new()),
            Some(Item::Events(Ok(mut events))) => {
                if events.len() > max {
                    let rest = events.split_off(max);
                    self.pending = Some(Item::Events(Ok(rest)));
                }
                Ok(events)
            }
            Some(Item::Events(Err(problem))) => Err(problem),
            Some(conversation @ Item::Conversation(_)) => {
                self.pending = Some(conversation);
                Ok(Vec::new())
            }
        }
    }
}
