//! How values are written on the wire: timestamps, optional-nullable fields, list bodies.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// How every timestamp is written: RFC 3339, UTC, microseconds.
pub(crate) fn rfc3339_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339_text(at))
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// `{items: [...]}` and `{items: [...], next_cursor}` bodies, one concrete type each so the
/// OpenAPI document names every list precisely.
macro_rules! list_bodies {
    ($($(#[$doc:meta])* $name:ident($item:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items.
            pub items: Vec<$item>,
        }
    )*};
}

macro_rules! page_bodies {
    ($($(#[$doc:meta])* $name:ident($item:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items.
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; `null` on the last one.
            pub next_cursor: Option<String>,
        }
    )*};
}

pub(crate) use {list_bodies, page_bodies};

/// A JSON body read from an object only: serde would also build a struct from an array of its
/// fields, which is not what the contract says a body is.
pub(crate) fn from_object<T: serde::de::DeserializeOwned>(
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<T, tenantry_domain::DomainError> {
    serde_json::from_value(serde_json::Value::Object(body))
        .map_err(|error| tenantry_domain::DomainError::invalid("body", error.to_string()))
}
