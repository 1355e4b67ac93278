//! An authoritative DNS server inside the test process (UDP on loopback): it answers TXT queries
//! with the records a test publishes, and NXDOMAIN otherwise. Servers started with
//! `auth.domain_verification.name_servers` pointing at it verify orgs' domains against it.

use std::{
    collections::HashMap,
    net::{SocketAddr, UdpSocket},
    sync::{Arc, Mutex},
    time::Duration,
};

use hickory_proto::{
    op::{Message, MessageType, ResponseCode},
    rr::{RData, Record, RecordType, rdata::TXT},
    serialize::binary::{BinDecodable, BinEncodable},
};

type Zone = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// The running server; it stops when dropped.
pub struct DnsServer {
    /// Where it listens.
    pub address: SocketAddr,
    zone: Zone,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl DnsServer {
    /// Starts a server on a free loopback port.
    pub fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("DNS socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("read timeout");
        let address = socket.local_addr().expect("address");
        let zone: Zone = Arc::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (serving, stopping) = (zone.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while !stopping.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok((length, peer)) = socket.recv_from(&mut buffer) else {
                    continue;
                };
                if let Some(answer) = answer(&serving, &buffer[..length]) {
                    let _ = socket.send_to(&answer, peer);
                }
            }
        });
        Self { address, zone, stop }
    }

    /// Publishes a TXT record under `name` (next to any already there).
    pub fn publish_txt(&self, name: &str, value: &str) {
        self.zone
            .lock()
            .expect("zone")
            .entry(name.trim_end_matches('.').to_ascii_lowercase())
            .or_default()
            .push(value.to_owned());
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn answer(zone: &Zone, query: &[u8]) -> Option<Vec<u8>> {
    let request = Message::from_bytes(query).ok()?;
    let mut response = Message::new();
    response
        .set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(request.op_code())
        .set_recursion_desired(request.recursion_desired())
        .set_recursion_available(true)
        .set_authoritative(true);
    let zone = zone.lock().expect("zone");
    for question in request.queries() {
        response.add_query(question.clone());
        let name = question.name().to_ascii();
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        match zone.get(&name) {
            Some(values) if question.query_type() == RecordType::TXT => {
                for value in values {
                    response.add_answer(Record::from_rdata(
                        question.name().clone(),
                        60,
                        RData::TXT(TXT::new(vec![value.clone()])),
                    ));
                }
            }
            Some(_) => {}
            None => {
                response.set_response_code(ResponseCode::NXDomain);
            }
        }
    }
    response.to_bytes().ok()
}
