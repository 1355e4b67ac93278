use serde_json::Value;

use crate::{
    Claimant, Conversation, ConversationId, DomainError, OrgId, StoredEvent,
    conversations::append_idempotency::IdempotencyKey,
    conversations::event_gaps::{EVENTS_MISSING, MissingEvents, missing_in_window},
    conversations::event_ids,
    conversations::services::conversations::{ConversationService, admitted_reader},
    identity::session_confirmation::confirm_read,
    ports::{AppendedRange, EventSegment, Signal},
};

/// Most events in one append.
pub const MAX_BATCH: usize = 1000;
/// Most events in one read.
pub const MAX_READ: i64 = 1000;

/// A page of events.
#[derive(Debug, Clone)]
pub struct EventPage {
    /// The events, in id order.
    pub items: Vec<StoredEvent>,
    /// Where the next page starts, if there are more events now.
    pub next_start_id: Option<i64>,
    /// Runs of ids in the window whose stored object is gone (see [`crate::conversations::event_gaps`]).
    pub missing: Vec<MissingEvents>,
}

impl ConversationService {
    /// Appends events (each a JSON object), assigning the next dense ids (creator or admin+).
    pub async fn append_events<'a>(
        &self,
        claimant: impl Into<Claimant<'a>>,
        org: OrgId,
        id: ConversationId,
        events: Vec<Value>,
    ) -> Result<AppendedRange, DomainError> {
        self.append_events_keyed(claimant, org, id, events, None).await
    }

    /// As [`Self::append_events`]; with a `key`, once: the same key again appends nothing and
    /// answers the ids the first batch got (see [`crate::conversations::append_idempotency`]).
    pub async fn append_events_keyed<'a>(
        &self,
        claimant: impl Into<Claimant<'a>>,
        org: OrgId,
        id: ConversationId,
        events: Vec<Value>,
        key: Option<IdempotencyKey>,
    ) -> Result<AppendedRange, DomainError> {
        if events.is_empty() || events.len() > MAX_BATCH {
            return Err(DomainError::invalid("events", "send 1 to 1000 events"));
        }
        if let Some(index) = events.iter().position(|event| !event.is_object()) {
            return Err(DomainError::invalid(
                format!("events[{index}]"),
                "must be a JSON object",
            ));
        }
        self.manageable_as(claimant.into(), org, id).await?;
        let at = self.ports.clock.now();
        let range = match &key {
            Some(key) => {
                event_ids::write_then_record_keyed(self.append_ports(), org, id, &events, key, at).await?
            }
            None => event_ids::write_then_record(self.append_ports(), org, id, &events, at).await?,
        };
        self.signal(Signal::Appended {
            org,
            conversation: id,
            last_id: range.last_id,
        })
        .await;
        Ok(range)
    }

    /// Reads events `start_id..start_id+limit` (any reader).
    pub async fn read_events<'a>(
        &self,
        claimant: impl Into<Claimant<'a>>,
        org: OrgId,
        id: ConversationId,
        start_id: i64,
        limit: i64,
    ) -> Result<EventPage, DomainError> {
        check_window(start_id, limit)?;
        let (conversation, segments) = match claimant.into() {
            Claimant::Confirmed(caller) => {
                caller.reach(org)?;
                let window = self
                    .ports
                    .event_index
                    .window_for(org, id, caller.user.id, start_id, limit)
                    .await?
                    .ok_or(DomainError::NotFound)?;
                admitted_reader(caller, &window.conversation, window.role)?;
                (window.conversation, window.segments)
            }
            Claimant::Session(claims) => {
                let read = self
                    .ports
                    .session_reads
                    .event_window(&self.probe(claims), org, id, start_id, limit)
                    .await?;
                let (caller, access, window) = confirm_read(claims, read)?;
                let (conversation, segments) = window.ok_or(DomainError::NotFound)?;
                admitted_reader(&caller, &conversation, access)?;
                (conversation, segments)
            }
        };
        let end = start_id.saturating_add(limit).min(conversation.event_count);
        if start_id >= end {
            return Ok(EventPage {
                items: Vec::new(),
                next_start_id: None,
                missing: Vec::new(),
            });
        }
        let (items, missing) = self.readable_events(&segments, start_id, end).await?;
        let next_start_id = (end < conversation.event_count).then_some(end);
        Ok(EventPage {
            items,
            next_start_id,
            missing,
        })
    }

    /// Events `start_id..start_id+limit` of `conversation`, which the caller may read.
    pub(crate) async fn page_of(
        &self,
        conversation: &Conversation,
        start_id: i64,
        limit: i64,
    ) -> Result<EventPage, DomainError> {
        check_window(start_id, limit)?;
        let (org, id) = (conversation.org_id, conversation.id);
        let end = start_id.saturating_add(limit).min(conversation.event_count);
        if start_id >= end {
            return Ok(EventPage {
                items: Vec::new(),
                next_start_id: None,
                missing: Vec::new(),
            });
        }
        let segments = self
            .ports
            .event_index
            .segments(org, id, start_id, end - start_id)
            .await?;
        let (items, missing) = self.readable_events(&segments, start_id, end).await?;
        let next_start_id = (end < conversation.event_count).then_some(end);
        Ok(EventPage {
            items,
            next_start_id,
            missing,
        })
    }
}

impl ConversationService {
    /// The adapters an append goes through.
    pub(crate) fn append_ports(&self) -> event_ids::AppendPorts<'_> {
        event_ids::AppendPorts {
            unit_of_work: self.ports.unit_of_work.as_ref(),
            store: self.ports.events.as_ref(),
        }
    }

    /// Events `start..end` of a conversation known to hold at least `end` events.
    pub(crate) async fn stored_events(
        &self,
        org: OrgId,
        id: ConversationId,
        start: i64,
        end: i64,
    ) -> Result<Vec<StoredEvent>, DomainError> {
        let segments = self
            .ports
            .event_index
            .segments(org, id, start, end - start)
            .await?;
        self.events_of(&segments, start, end).await
    }

    /// Events `start..end` read from `segments`, and the runs whose object is gone: when one is,
    /// the segments are read one by one so the others are still served.
    async fn readable_events(
        &self,
        segments: &[EventSegment],
        start: i64,
        end: i64,
    ) -> Result<(Vec<StoredEvent>, Vec<MissingEvents>), DomainError> {
        match self.events_of(segments, start, end).await {
            Err(DomainError::Gone { code: EVENTS_MISSING }) => {}
            other => return other.map(|items| (items, Vec::new())),
        }
        let (mut items, mut missing) = (Vec::new(), Vec::new());
        for segment in segments {
            let ids = segment.first_id.max(start)..(segment.last_id + 1).min(end);
            match self
                .ports
                .events
                .get_events(std::slice::from_ref(segment), ids)
                .await
            {
                Ok(events) => items.extend(events),
                Err(DomainError::Gone { code: EVENTS_MISSING }) => {
                    missing.push(missing_in_window(segment, start, end));
                }
                Err(other) => return Err(other),
            }
        }
        Ok((items, missing))
    }

    /// Events `start..end` read from `segments`, which must hold them all.
    async fn events_of(
        &self,
        segments: &[EventSegment],
        start: i64,
        end: i64,
    ) -> Result<Vec<StoredEvent>, DomainError> {
        let items = self.ports.events.get_events(segments, start..end).await?;
        if items.len() as i64 != end - start {
            return Err(DomainError::Unavailable("object store (events missing)".into()));
        }
        Ok(items)
    }
}

fn check_window(start_id: i64, limit: i64) -> Result<(), DomainError> {
    if start_id < 0 {
        return Err(DomainError::invalid("start_id", "must not be negative"));
    }
    if !(1..=MAX_READ).contains(&limit) {
        return Err(DomainError::invalid("limit", "must be between 1 and 1000"));
    }
    Ok(())
}
