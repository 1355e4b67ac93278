//! Signals across server instances: PostgreSQL `LISTEN/NOTIFY` on one channel, fanned out to this
//! instance's readers through a bounded broadcast; on SQLite (one instance) the broadcast alone.
//!
//! On PostgreSQL a publisher task sends what was published in batches, one statement (and so one
//! transaction) per batch. Each notifying transaction takes a database-wide lock for its commit
//! and gets a commit of its own to flush: one per signal made every append wait for the others'.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, sqlx::postgres::PgListener};
use tenantry_domain::{
    DomainError,
    ports::{Signal, SignalBus, SignalReceiver},
};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use crate::{SqlDatabase, errors::db_error};

/// The PostgreSQL notification channel signals travel on.
const CHANNEL: &str = "tenantry_signals";

/// Signals a batch carries at most.
const MAX_BATCH: usize = 512;
/// Signals that may wait to be published; beyond, they are replaced by one resync.
const QUEUE: usize = 4 * MAX_BATCH;

/// [`SignalBus`] over the database.
#[derive(Debug, Clone)]
pub struct SqlSignalBus {
    local: broadcast::Sender<Signal>,
    /// PostgreSQL only: the publisher task's queue.
    outbox: Option<Outbox>,
}

/// The queue of signals waiting for the publisher task.
#[derive(Debug, Clone)]
struct Outbox {
    queue: mpsc::Sender<Signal>,
    /// Set when a signal found the queue full; the next batch then carries a resync instead.
    overflowed: Arc<AtomicBool>,
}

impl SqlSignalBus {
    /// Starts the bus; on PostgreSQL a task listens on the channel for as long as the process
    /// runs, reconnecting (and telling readers to resync) when the connection drops, and another
    /// publishes. `capacity` is how many signals a slow reader may fall behind before it is told
    /// to resync.
    pub fn start(db: &SqlDatabase, capacity: usize) -> Self {
        let local = broadcast::channel(capacity.max(1)).0;
        let outbox = (db.backend() == DatabaseBackend::Postgres).then(|| {
            tokio::spawn(listen(db.clone(), local.clone()));
            let (queue, pending) = mpsc::channel(QUEUE);
            let overflowed = Arc::new(AtomicBool::new(false));
            tokio::spawn(publish_batches(
                db.clone(),
                pending,
                overflowed.clone(),
                local.clone(),
            ));
            Outbox { queue, overflowed }
        });
        Self { local, outbox }
    }
}

#[async_trait]
impl SignalBus for SqlSignalBus {
    /// Queues the signal for the publisher task (PostgreSQL) or hands it to this instance's
    /// readers (SQLite); it returns without waiting for the database.
    async fn publish(&self, signal: Signal) -> Result<(), DomainError> {
        match &self.outbox {
            None => {
                let _ = self.local.send(signal);
            }
            Some(outbox) => {
                if outbox.queue.try_send(signal).is_err() {
                    outbox.overflowed.store(true, Ordering::Release);
                }
            }
        }
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn SignalReceiver> {
        Box::new(Receiver(self.local.subscribe()))
    }
}

struct Receiver(broadcast::Receiver<Signal>);

#[async_trait]
impl SignalReceiver for Receiver {
    async fn recv(&mut self) -> Signal {
        match self.0.recv().await {
            Ok(signal) => signal,
            Err(broadcast::error::RecvError::Lagged(_)) => Signal::Resync,
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

/// Publishes queued signals until the bus is dropped: whatever waits when a batch goes out goes
/// with it, in the order published. Every instance, this one included, hears them through its
/// listener; when a batch cannot be sent, this instance's readers are told to resync (readers
/// elsewhere look again at their next heartbeat).
async fn publish_batches(
    db: SqlDatabase,
    mut pending: mpsc::Receiver<Signal>,
    overflowed: Arc<AtomicBool>,
    local: broadcast::Sender<Signal>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while pending.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if overflowed.swap(false, Ordering::AcqRel) {
            batch.push(Signal::Resync);
        }
        // Payloads are ids, digits and letters: a space separates them.
        let payloads = batch.drain(..).map(encode).collect::<Vec<_>>().join(" ");
        let sent = db
            .conn
            .execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, payload) \
                 FROM unnest(string_to_array($2, ' ')) WITH ORDINALITY AS sent(payload, n) ORDER BY n",
                [CHANNEL.into(), payloads.into()],
            ))
            .await
            .map_err(db_error);
        if let Err(error) = sent {
            tracing::warn!(%error, "signals not published; this instance's readers resync");
            let _ = local.send(Signal::Resync);
        }
    }
}

async fn listen(db: SqlDatabase, local: broadcast::Sender<Signal>) {
    loop {
        let pool = db.conn.raw().get_postgres_connection_pool();
        let listener = match PgListener::connect_with(pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => Some(listener),
                Err(_) => None,
            },
            Err(_) => None,
        };
        let Some(mut listener) = listener else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        // Anything sent while no one listened is found by readers looking again.
        let _ = local.send(Signal::Resync);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Some(signal) = decode(notification.payload()) {
                        let _ = local.send(signal);
                    }
                }
                // The connection was lost and re-established: notifications may be gone.
                Ok(None) => {
                    let _ = local.send(Signal::Resync);
                }
                Err(error) => {
                    tracing::warn!(%error, "signal listener lost the database; reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn encode(signal: Signal) -> String {
    match signal {
        Signal::Appended {
            org,
            conversation,
            last_id,
        } => format!("a:{org}:{conversation}:{last_id}"),
        Signal::ConversationChanged { org, conversation } => format!("c:{org}:{conversation}"),
        Signal::AccessChanged { org } => format!("o:{org}"),
        Signal::CredentialsChanged { user } => format!("u:{user}"),
        Signal::Resync => "r".to_owned(),
    }
}

fn decode(payload: &str) -> Option<Signal> {
    let mut parts = payload.split(':');
    let kind = parts.next()?;
    let mut id = || parts.next().and_then(|part| Uuid::parse_str(part).ok());
    Some(match kind {
        "a" => {
            let (org, conversation) = (id()?, id()?);
            let last_id = payload.rsplit(':').next()?.parse().ok()?;
            Signal::Appended {
                org,
                conversation,
                last_id,
            }
        }
        "c" => Signal::ConversationChanged {
            org: id()?,
            conversation: id()?,
        },
        "o" => Signal::AccessChanged { org: id()? },
        "u" => Signal::CredentialsChanged { user: id()? },
        "r" => Signal::Resync,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use tenantry_domain::new_id;

    use super::*;

    #[test]
    fn every_signal_survives_the_wire() {
        let (org, conversation, user) = (new_id(), new_id(), new_id());
        for signal in [
            Signal::Appended {
                org,
                conversation,
                last_id: 41,
            },
            Signal::ConversationChanged { org, conversation },
            Signal::AccessChanged { org },
            Signal::CredentialsChanged { user },
            Signal::Resync,
        ] {
            assert_eq!(decode(&encode(signal)), Some(signal));
        }
        assert_eq!(decode("a:not-a-uuid"), None);
        assert_eq!(decode("x"), None);
    }
}
