//! Keyset pagination parameters: `?limit=N&cursor=C`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Deserialize;
use tenantry_domain::DomainError;
use uuid::Uuid;

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 20;
/// Largest page size.
pub const MAX_LIMIT: u64 = 100;

/// The query string of a list route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(pattern = r"^([A-Za-z0-9_-]{22})?$")]
    cursor: Option<String>,
}

impl PageQuery {
    /// The page size, 1..=100, default 20.
    pub fn limit(&self) -> Result<u64, DomainError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(limit @ 1..=MAX_LIMIT) => Ok(limit),
            Some(_) => Err(DomainError::invalid("limit", "must be between 1 and 100")),
        }
    }

    /// The id the page continues after, from an opaque cursor.
    pub fn after_id(&self) -> Result<Option<Uuid>, DomainError> {
        self.cursor
            .as_deref()
            .filter(|cursor| !cursor.is_empty())
            .map(decode_id_cursor)
            .transpose()
    }
}

impl PageQuery {
    /// Paging parameters read by another query type.
    pub fn new(limit: Option<u64>, cursor: Option<String>) -> Self {
        Self { limit, cursor }
    }

    /// The cursor as sent.
    pub fn raw_cursor(&self) -> Option<&str> {
        self.cursor.as_deref().filter(|cursor| !cursor.is_empty())
    }
}

/// The cursor of the page after `fetched`, read with one item more than `limit` to learn whether
/// more follow: the id of the page's last item when they do, else none.
pub fn next_id_cursor<T>(fetched: &[T], limit: u64, id: impl Fn(&T) -> Uuid) -> Option<String> {
    (fetched.len() as u64 > limit)
        .then(|| {
            fetched
                .get(limit as usize - 1)
                .map(|last| encode_id_cursor(id(last)))
        })
        .flatten()
}

/// An opaque cursor pointing after `id`.
pub fn encode_id_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_id_cursor(cursor: &str) -> Result<Uuid, DomainError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| DomainError::invalid("cursor", "is not a cursor this API returned"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        let id = Uuid::now_v7();
        let query = PageQuery {
            limit: None,
            cursor: Some(encode_id_cursor(id)),
        };
        assert_eq!(query.after_id().expect("valid"), Some(id));
        assert_eq!(query.limit().expect("default"), 20);
        let bad = PageQuery {
            limit: Some(101),
            cursor: Some("!!".into()),
        };
        assert!(bad.after_id().is_err());
        assert!(bad.limit().is_err());
    }
}
