use async_trait::async_trait;
use tenantry_domain::{
    DomainError,
    ports::{Signal, SignalBus, SignalReceiver},
};
use tokio::sync::broadcast;

/// Signals within this process: a bounded broadcast, each reader with its own position in it.
#[derive(Debug, Clone)]
pub struct MemorySignalBus {
    sender: broadcast::Sender<Signal>,
}

impl MemorySignalBus {
    /// A bus holding at most `capacity` signals a slow reader has not seen yet.
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity.max(1)).0,
        }
    }
}

impl Default for MemorySignalBus {
    fn default() -> Self {
        Self::new(1024)
    }
}

#[async_trait]
impl SignalBus for MemorySignalBus {
    async fn publish(&self, signal: Signal) -> Result<(), DomainError> {
        // Nobody listening is not an error.
        let _ = self.sender.send(signal);
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn SignalReceiver> {
        Box::new(BroadcastReceiver(self.sender.subscribe()))
    }
}

/// A reader of a broadcast of signals; one that fell behind is told to resync.
pub struct BroadcastReceiver(pub broadcast::Receiver<Signal>);

#[async_trait]
impl SignalReceiver for BroadcastReceiver {
    async fn recv(&mut self) -> Signal {
        match self.0.recv().await {
            Ok(signal) => signal,
            Err(broadcast::error::RecvError::Lagged(_)) => Signal::Resync,
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}
