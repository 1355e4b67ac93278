//! TOTP codes (RFC 6238) with `totp-rs`, QR codes as SVG with `qrcode`.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use rand::RngCore;
use subtle::ConstantTimeEq;
use tenantry_domain::{
    DomainError, SecretString,
    mfa::{DIGITS, ISSUER, SKEW_STEPS, STEP_SECS},
    ports::{TotpCodes, TotpProvisioning},
};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Secret bytes: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// TOTP under [`tenantry_domain::mfa`]'s parameters (SHA-1, 6 digits, 30 s, ±1 step).
#[derive(Debug, Clone, Copy, Default)]
pub struct TotpRfc6238;

fn totp(secret: &SecretString, account: &str) -> Result<Totp, DomainError> {
    let secret = Secret::try_from_base32(secret.expose())
        .map_err(|_| DomainError::Internal("stored TOTP secret is not base32".into()))?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS as u8)
        .with_skew(u16::from(SKEW_STEPS))
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|error| DomainError::Internal(format!("TOTP: {error}")))
}

impl TotpCodes for TotpRfc6238 {
    fn new_secret(&self) -> SecretString {
        let mut bytes = [0_u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        SecretString::new(Secret::new(Box::new(bytes)).to_base32())
    }

    fn provisioning(&self, secret: &SecretString, account: &str) -> Result<TotpProvisioning, DomainError> {
        let uri = totp(secret, account)?
            .to_url()
            .map_err(|error| DomainError::Internal(format!("otpauth URI: {error}")))?;
        let svg = qrcode::QrCode::new(uri.as_bytes())
            .map_err(|error| DomainError::Internal(format!("QR code: {error}")))?
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build();
        Ok(TotpProvisioning {
            secret: secret.clone(),
            otpauth_uri: SecretString::new(uri),
            qr_svg_data_url: format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)),
        })
    }

    fn matching_step(&self, secret: &SecretString, code: &str, at: DateTime<Utc>) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = totp(secret, "user").ok()?;
        let now = u64::try_from(at.timestamp()).ok()?;
        let current = now / STEP_SECS;
        let skew = u64::from(SKEW_STEPS);
        // Every step in the window is computed, so the time taken does not say which matched.
        let mut matched = None;
        for step in current.saturating_sub(skew)..=current + skew {
            let expected = totp.generate(step * STEP_SECS).to_string();
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
                matched = Some(step);
            }
        }
        matched.and_then(|step| i64::try_from(step).ok())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
    const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc_6238_vectors_truncated_to_six_digits() {
        let secret = SecretString::new(RFC_KEY.to_owned());
        // (time, the RFC's 8-digit SHA-1 code): 6 digits are its last six.
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
        ] {
            let at = Utc.timestamp_opt(time, 0).unwrap();
            let step = TotpRfc6238.matching_step(&secret, &code[2..], at);
            assert_eq!(step, Some(time / 30), "t = {time}");
        }
    }

    #[test]
    fn one_step_either_side_and_no_further() {
        let secret = SecretString::new(RFC_KEY.to_owned());
        let code = "287082"; // step 1 (t = 30..59)
        for (time, expected) in [(0, Some(1)), (59, Some(1)), (89, Some(1)), (90, None)] {
            let at = Utc.timestamp_opt(time, 0).unwrap();
            assert_eq!(
                TotpRfc6238.matching_step(&secret, code, at),
                expected,
                "t = {time}"
            );
        }
        assert_eq!(TotpRfc6238.matching_step(&secret, "28708", Utc::now()), None);
    }

    #[test]
    fn new_secrets_provision_an_otpauth_uri_and_a_qr_code() {
        let secret = TotpRfc6238.new_secret();
        assert_eq!(secret.expose().len(), 32);
        let provisioning = TotpRfc6238.provisioning(&secret, "ada@example.com").unwrap();
        assert!(
            provisioning
                .otpauth_uri
                .expose()
                .starts_with("otpauth://totp/Tenantry:ada%40example.com?")
        );
        assert!(
            provisioning
                .qr_svg_data_url
                .starts_with("data:image/svg+xml;base64,")
        );
    }
}
