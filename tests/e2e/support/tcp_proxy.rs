//! A TCP proxy that can take a backing service away and bring it back, to play outages, or cut a
//! PostgreSQL connection right after it sent `COMMIT` (the server commits; the client never hears),
//! or freeze it: connections stay open but no byte goes through, as with a hung server or a network
//! that drops packets silently.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// A running proxy to `target`.
pub struct TcpProxy {
    /// The port clients connect to.
    pub port: u16,
    up: Arc<watch::Sender<bool>>,
    frozen: Arc<watch::Sender<bool>>,
    commit_cut: Arc<CommitCut>,
}

/// The next connection to send `COMMIT` is cut right after it (armed), and how often that happened.
#[derive(Default)]
struct CommitCut {
    armed: AtomicBool,
    done: AtomicUsize,
}

impl TcpProxy {
    /// Starts proxying a local port to `target` (`host:port`).
    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let (up, _) = watch::channel(true);
        let up = Arc::new(up);
        let commit_cut = Arc::new(CommitCut::default());
        let (frozen, _) = watch::channel(false);
        let frozen = Arc::new(frozen);
        let (state, cut, ice) = (up.clone(), commit_cut.clone(), frozen.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let watch = state.subscribe();
                if !*watch.borrow() {
                    drop(client);
                    continue;
                }
                let (target, cut, ice) = (target.clone(), cut.clone(), ice.subscribe());
                tokio::spawn(async move {
                    let Ok(upstream) = TcpStream::connect(&target).await else {
                        return;
                    };
                    relay(client, upstream, watch, ice, cut).await;
                });
            }
        });
        Self {
            port,
            up,
            frozen,
            commit_cut,
        }
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.up.send_replace(true);
    }

    /// Stops forwarding bytes either way, on open connections and new ones, without closing any.
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Forwards bytes again, held ones first.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    /// Cuts the next connection that sends `COMMIT`, right after the server got it.
    pub fn cut_at_next_commit(&self) {
        self.commit_cut.armed.store(true, Ordering::SeqCst);
    }

    /// How many connections were cut at their `COMMIT`.
    pub fn commits_cut(&self) -> usize {
        self.commit_cut.done.load(Ordering::SeqCst)
    }
}

/// Copies both ways until either side closes, the proxy is cut, or an armed `COMMIT` went through;
/// while frozen, each side holds what it read.
async fn relay(
    client: TcpStream,
    upstream: TcpStream,
    mut up: watch::Receiver<bool>,
    frozen: watch::Receiver<bool>,
    cut: Arc<CommitCut>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let to_server = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => read,
            };
            if thawed(frozen.clone()).await.is_err() {
                return;
            }
            let chunk = &buffer[..read];
            let commits = chunk
                .windows(6)
                .any(|window| window.eq_ignore_ascii_case(b"COMMIT"));
            if upstream_write.write_all(chunk).await.is_err() {
                return;
            }
            if commits && cut.armed.swap(false, Ordering::SeqCst) {
                let _ = upstream_write.flush().await;
                cut.done.fetch_add(1, Ordering::SeqCst);
                return;
            }
        }
    };
    let to_client = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = match upstream_read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => read,
            };
            if thawed(frozen.clone()).await.is_err() {
                return;
            }
            if client_write.write_all(&buffer[..read]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        _ = to_server => {}
        _ = to_client => {}
        _ = up.wait_for(|up| !*up) => {}
    }
}

/// Waits until the proxy is not frozen.
async fn thawed(mut frozen: watch::Receiver<bool>) -> Result<(), watch::error::RecvError> {
    frozen.wait_for(|frozen| !*frozen).await.map(|_| ())
}
