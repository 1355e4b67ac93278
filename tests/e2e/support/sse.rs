//! A reader of Server-Sent Events, as a browser's `EventSource` sees them.

use std::time::Duration;

use serde_json::Value;

/// One event of a stream (comments are skipped).
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// `id:`, if any.
    pub id: Option<i64>,
    /// `event:`, `message` when absent.
    pub event: String,
    /// `data:`, parsed as JSON.
    pub data: Value,
}

/// An open stream.
pub struct SseStream {
    response: reqwest::Response,
    buffer: String,
}

impl SseStream {
    /// Reads events from `response` (which must be a 200 `text/event-stream`).
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200, "stream refused");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, or `None` when the stream ended or `wait` passed first.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?;
            match chunk {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next `count` events.
    pub async fn take(&mut self, count: usize, wait: Duration) -> Vec<SseEvent> {
        let mut events = Vec::with_capacity(count);
        while events.len() < count {
            match self.next(wait).await {
                Some(event) => events.push(event),
                None => break,
            }
        }
        events
    }
}

fn parse(block: &str) -> Option<SseEvent> {
    let (mut id, mut event, mut data) = (None, "message".to_owned(), String::new());
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("id: ") {
            id = value.parse().ok();
        } else if let Some(value) = line.strip_prefix("event: ") {
            event = value.to_owned();
        } else if let Some(value) = line.strip_prefix("data: ") {
            data.push_str(value);
        }
    }
    (!data.is_empty()).then(|| SseEvent {
        id,
        event,
        data: serde_json::from_str(&data).unwrap_or(Value::Null),
    })
}
