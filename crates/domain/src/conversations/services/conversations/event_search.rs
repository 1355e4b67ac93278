//! Searching a conversation's events by kind and time ([`crate::conversations::event_search`]), in order or
//! newest first, a page at a time.

use crate::{
    Claimant, ConversationId, DomainError, OrgId, StoredEvent, conversations::event_search::EventCriteria,
    services::ConversationService,
};

/// Events read per step while scanning.
const SCAN: i64 = 1000;

/// A page of an event search: what matches, which way, from where, how many.
#[derive(Debug, Clone, Default)]
pub struct EventSearch {
    /// What matches.
    pub criteria: EventCriteria,
    /// Newest first (else in order).
    pub newest_first: bool,
    /// Forward, the dense id to scan from; newest first, the number of newest matches to skip.
    pub from: i64,
    /// At most this many.
    pub limit: usize,
}

/// A page of matching events.
#[derive(Debug, Clone)]
pub struct EventSearchPage {
    /// The events, in the order asked for.
    pub items: Vec<StoredEvent>,
    /// Where the next page starts (a dense id going forward, a count of matches skipped going
    /// backward), if there are more.
    pub next: Option<i64>,
}

impl ConversationService {
    /// A page of the events the caller may read that `search` matches (newest first scans the whole
    /// conversation).
    pub async fn search_events<'a>(
        &self,
        claimant: impl Into<Claimant<'a>> + Copy,
        org: OrgId,
        id: ConversationId,
        search: &EventSearch,
    ) -> Result<EventSearchPage, DomainError> {
        let EventSearch {
            criteria,
            newest_first,
            from,
            limit,
        } = search;
        let (newest_first, from, limit) = (*newest_first, *from, *limit);
        if from < 0 {
            return Err(DomainError::invalid(
                "page_id",
                "must be a page id this server returned",
            ));
        }
        if newest_first {
            let mut all = self.matching(claimant, org, id, criteria, 0, usize::MAX).await?.0;
            all.reverse();
            let skip = usize::try_from(from).unwrap_or(usize::MAX);
            let items: Vec<StoredEvent> = all.iter().skip(skip).take(limit).cloned().collect();
            let seen = skip.saturating_add(items.len());
            let next = (seen < all.len()).then(|| i64::try_from(seen).unwrap_or(i64::MAX));
            return Ok(EventSearchPage { items, next });
        }
        let (items, next) = self.matching(claimant, org, id, criteria, from, limit).await?;
        Ok(EventSearchPage { items, next })
    }

    /// How many events match.
    pub async fn count_events<'a>(
        &self,
        claimant: impl Into<Claimant<'a>> + Copy,
        org: OrgId,
        id: ConversationId,
        criteria: &EventCriteria,
    ) -> Result<usize, DomainError> {
        Ok(self
            .matching(claimant, org, id, criteria, 0, usize::MAX)
            .await?
            .0
            .len())
    }

    /// The events with these agent-given ids (`id` in the event), in the order asked; `None` for
    /// an id the conversation has not.
    pub async fn events_by_own_id<'a>(
        &self,
        claimant: impl Into<Claimant<'a>> + Copy,
        org: OrgId,
        id: ConversationId,
        wanted: &[String],
    ) -> Result<Vec<Option<StoredEvent>>, DomainError> {
        let all = self
            .matching(claimant, org, id, &EventCriteria::default(), 0, usize::MAX)
            .await?
            .0;
        Ok(wanted
            .iter()
            .map(|own| {
                all.iter()
                    .find(|event| {
                        event.event.get("id").and_then(|value| value.as_str()) == Some(own.as_str())
                    })
                    .cloned()
            })
            .collect())
    }

    /// Matching events from dense id `from` on, up to `limit`; and the id to go on from.
    async fn matching<'a>(
        &self,
        claimant: impl Into<Claimant<'a>> + Copy,
        org: OrgId,
        id: ConversationId,
        criteria: &EventCriteria,
        from: i64,
        limit: usize,
    ) -> Result<(Vec<StoredEvent>, Option<i64>), DomainError> {
        let mut found = Vec::new();
        let mut start = from;
        loop {
            let page = self.read_events(claimant, org, id, start, SCAN).await?;
            for event in page.items {
                if found.len() == limit {
                    return Ok((found, Some(event.id)));
                }
                if criteria.matches(&event) {
                    found.push(event);
                }
            }
            match page.next_start_id {
                Some(next) if found.len() < limit => start = next,
                Some(next) => return Ok((found, Some(next))),
                None => return Ok((found, None)),
            }
        }
    }
}
