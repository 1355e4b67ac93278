//! Access tokens: HS256 JWTs, one pinned algorithm, validated strictly (RFC 8725).

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use tenantry_domain::{
    DomainError, SecretString, UserId,
    ports::AccessTokens,
    session::{AccessClaims, IssuedAccessToken},
};
use uuid::Uuid;

/// How access tokens are signed and checked.
#[derive(Clone)]
pub struct JwtSettings {
    /// HMAC key (at least 32 bytes).
    pub secret: Vec<u8>,
    /// `iss` written and required.
    pub issuer: String,
    /// `aud` written and required.
    pub audience: String,
    /// Lifetime of a token.
    pub ttl: Duration,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    pub leeway: Duration,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: String,
    /// Session: the refresh-token family this token was issued with.
    sid: Uuid,
    /// The user's token epoch at issue time.
    ep: i64,
}

/// [`AccessTokens`] as JWTs.
#[derive(Clone)]
pub struct JwtAccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    settings: JwtSettings,
}

impl JwtAccessTokens {
    /// Signs and checks with `settings`. The key must be at least 32 bytes.
    pub fn new(settings: JwtSettings) -> Result<Self, DomainError> {
        if settings.secret.len() < 32 {
            return Err(DomainError::Internal(
                "the JWT key must be at least 32 bytes".into(),
            ));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = settings.leeway.as_secs();
        Ok(Self {
            encoding: EncodingKey::from_secret(&settings.secret),
            decoding: DecodingKey::from_secret(&settings.secret),
            validation,
            settings,
        })
    }
}

fn now_secs() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

impl AccessTokens for JwtAccessTokens {
    fn issue(&self, user_id: UserId, session_id: Uuid, epoch: i64) -> Result<IssuedAccessToken, DomainError> {
        let now = now_secs();
        let claims = Claims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: user_id.to_string(),
            exp: now + self.settings.ttl.as_secs(),
            nbf: now,
            iat: now,
            jti: Uuid::new_v4().to_string(),
            sid: session_id,
            ep: epoch,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| DomainError::Internal(format!("signing failed: {error}")))?;
        Ok(IssuedAccessToken {
            token: SecretString::new(token),
            expires_in: self.settings.ttl,
        })
    }

    fn verify(&self, token: &str) -> Result<AccessClaims, DomainError> {
        let invalid = |_| DomainError::Unauthorized("invalid access token");
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(invalid)?;
        let claims = data.claims;
        // A token from the future is forged or from a badly skewed clock.
        if claims.iat > now_secs() + self.settings.leeway.as_secs() {
            return Err(DomainError::Unauthorized("invalid access token"));
        }
        let user_id = claims
            .sub
            .parse()
            .map_err(|_| DomainError::Unauthorized("invalid access token"))?;
        Ok(AccessClaims {
            user_id,
            session_id: claims.sid,
            epoch: claims.ep,
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    use super::*;

    fn tokens() -> JwtAccessTokens {
        JwtAccessTokens::new(JwtSettings {
            secret: vec![7; 32],
            issuer: "tenantry".into(),
            audience: "tenantry-api".into(),
            ttl: Duration::from_secs(900),
            leeway: Duration::from_secs(5),
        })
        .expect("valid settings")
    }

    #[test]
    fn round_trips_its_own_tokens() {
        let tokens = tokens();
        let user = Uuid::now_v7();
        let session = Uuid::now_v7();
        let issued = tokens.issue(user, session, 3).expect("issue");
        let claims = tokens.verify(issued.token.expose()).expect("verify");
        assert_eq!(
            claims,
            AccessClaims {
                user_id: user,
                session_id: session,
                epoch: 3
            }
        );
    }

    #[test]
    fn rejects_alg_none_and_a_stripped_signature() {
        let tokens = tokens();
        let issued = tokens.issue(Uuid::now_v7(), Uuid::now_v7(), 0).expect("issue");
        let parts: Vec<&str> = issued.token.expose().split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(tokens.verify(&format!("{none_header}.{}.", parts[1])).is_err());
        assert!(tokens.verify(&format!("{}.{}.", parts[0], parts[1])).is_err());
        assert!(tokens.verify(&format!("{}.{}", parts[0], parts[1])).is_err());
    }

    #[test]
    fn rejects_a_short_key() {
        let settings = JwtSettings {
            secret: vec![1; 16],
            issuer: "i".into(),
            audience: "a".into(),
            ttl: Duration::from_secs(1),
            leeway: Duration::ZERO,
        };
        assert!(JwtAccessTokens::new(settings).is_err());
    }
}
