//! A scriptable HTTP/1.1 server on a plain socket, standing in for agent servers and identity
//! providers Tenantry calls: it records what reached it and counts what it managed to send, so a
//! test can see where Tenantry stopped reading.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

/// What to answer.
pub enum Answer {
    /// A status with a JSON body.
    Json(u16, String),
    /// `200` and a body that never ends (until `limit` bytes were sent or the peer hung up).
    Endless { limit: u64 },
}

/// One finished connection: how many body bytes were sent before it ended.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    pub body_bytes: u64,
    pub peer_hung_up: bool,
}

type Script = dyn Fn(&Received) -> Answer + Send + Sync;

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    sent: Vec<Sent>,
}

/// The server; it runs until the test process ends.
pub struct Upstream {
    pub base_url: String,
    log: Arc<Mutex<Log>>,
}

impl Upstream {
    /// Listens on a loopback port and answers every request with `script`.
    pub fn start(script: impl Fn(&Received) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let log = Arc::new(Mutex::new(Log::default()));
        let script: Arc<Script> = Arc::new(script);
        let accepted = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = accepted.clone();
                let script = script.clone();
                std::thread::spawn(move || serve(stream, &*script, &log));
            }
        });
        Self { base_url, log }
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().expect("log").received.clone()
    }

    /// Connections finished so far.
    pub fn sent(&self) -> Vec<Sent> {
        self.log.lock().expect("log").sent.clone()
    }

    /// Waits (up to 20 s) until `count` connections have finished.
    pub fn wait_for_sent(&self, count: usize) -> Vec<Sent> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let sent = self.sent();
            if sent.len() >= count || Instant::now() > deadline {
                return sent;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(mut stream: TcpStream, script: &Script, log: &Mutex<Log>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(received) = read_request(&mut stream) else {
        return;
    };
    let answer = script(&received);
    log.lock().expect("log").received.push(received);
    let sent = match answer {
        Answer::Json(status, body) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let ok = stream.write_all(head.as_bytes()).is_ok() && stream.write_all(body.as_bytes()).is_ok();
            Sent {
                body_bytes: if ok { body.len() as u64 } else { 0 },
                peer_hung_up: !ok,
            }
        }
        Answer::Endless { limit } => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
            let mut sent = Sent {
                body_bytes: 0,
                peer_hung_up: stream.write_all(head.as_bytes()).is_err(),
            };
            let chunk = vec![b' '; 64 * 1024];
            while !sent.peer_hung_up && sent.body_bytes < limit {
                match stream.write(&chunk) {
                    Ok(0) | Err(_) => sent.peer_hung_up = true,
                    Ok(written) => sent.body_bytes += written as u64,
                }
            }
            sent
        }
    };
    let _ = stream.shutdown(std::net::Shutdown::Both);
    log.lock().expect("log").sent.push(sent);
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buffer = Vec::new();
    let mut byte = [0_u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut byte).ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&byte[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.lines();
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let length: usize = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut byte).ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&byte[..read]);
    }
    Some(Received { method, path, body })
}

/// The test process's peak resident memory so far (`VmHWM`, kB), where `/proc` has it.
pub fn peak_rss_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}
