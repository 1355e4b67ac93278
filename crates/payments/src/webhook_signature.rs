//! Signed webhooks, as Stripe documents them: the `Stripe-Signature` header carries a timestamp and
//! one or more `v1` HMAC-SHA256 signatures of `{timestamp}.{payload}`; any one matching is enough, and
//! a timestamp more than the tolerance away from now is refused (replayed old deliveries).

use chrono::{DateTime, Utc};

/// How far a signature's timestamp may be from now.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// A parsed signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t`: seconds since the epoch.
    pub timestamp: i64,
    /// Every `v1` value, hex.
    pub signatures: Vec<String>,
}

/// Why a delivery is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureRefusal {
    /// Missing, or not `t=…,v1=…`.
    Malformed,
    /// Too old or too far ahead.
    StaleTimestamp,
    /// No signature matches.
    Mismatch,
}

/// Reads `t=…,v1=…,v1=…` (other schemes, such as `v0`, are ignored).
pub fn parse_signature_header(header: &str) -> Result<SignatureHeader, SignatureRefusal> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) if !value.is_empty() => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !signatures.is_empty() => Ok(SignatureHeader {
            timestamp,
            signatures,
        }),
        _ => Err(SignatureRefusal::Malformed),
    }
}

/// The bytes the signature is computed over.
pub fn signed_payload(timestamp: i64, payload: &[u8]) -> Vec<u8> {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(payload);
    signed
}

/// Decides a delivery: fresh enough, and one of its signatures equal to `matches` (a constant-time
/// comparison against the expected HMAC, done by the caller's crypto).
pub fn check_signature(
    header: &SignatureHeader,
    now: DateTime<Utc>,
    matches: impl Fn(&str) -> bool,
) -> Result<(), SignatureRefusal> {
    if (now.timestamp() - header.timestamp).abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(SignatureRefusal::StaleTimestamp);
    }
    if header.signatures.iter().any(|signature| matches(signature)) {
        Ok(())
    } else {
        Err(SignatureRefusal::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn headers_parse_with_several_signatures_and_other_schemes_ignored() {
        let header = parse_signature_header("t=1700000000,v1=abc,v0=old,v1=def").expect("parsed");
        assert_eq!(header.timestamp, 1_700_000_000);
        assert_eq!(header.signatures, ["abc", "def"]);
        for bad in ["", "t=1", "v1=abc", "t=x,v1=abc", "t=1,v1="] {
            assert_eq!(
                parse_signature_header(bad),
                Err(SignatureRefusal::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn any_matching_signature_within_five_minutes_is_enough() {
        let now = Utc.timestamp_opt(1_700_000_000, 0).single().expect("time");
        let header = |t| SignatureHeader {
            timestamp: t,
            signatures: vec!["wrong".into(), "right".into()],
        };
        let right = |candidate: &str| candidate == "right";
        assert_eq!(check_signature(&header(1_700_000_000 - 300), now, right), Ok(()));
        assert_eq!(check_signature(&header(1_700_000_000 + 300), now, right), Ok(()));
        assert_eq!(
            check_signature(&header(1_700_000_000 - 301), now, right),
            Err(SignatureRefusal::StaleTimestamp)
        );
        assert_eq!(
            check_signature(&header(1_700_000_000), now, |_| false),
            Err(SignatureRefusal::Mismatch)
        );
    }
}
