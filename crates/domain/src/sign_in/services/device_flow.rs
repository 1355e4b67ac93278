//! Signing a device in with the OAuth 2.0 device authorization grant (RFC 8628): the device gets
//! codes, a person approves the user code for one of their orgs, and the device's poll gets an API
//! key of that person in that org, minted then (with the person's rights at that moment), once.

use std::sync::Arc;

use chrono::Duration;

use crate::{
    Caller, DomainError, OrgId, SecretString,
    clock::Clock,
    new_id,
    orgs::policy::{Permission, require},
    ports::{Accounts, DeviceAuthorizations, Orgs, SecretTokens},
    services::{ApiKeyService, api_keys::NewApiKeyInput},
    sign_in::device_authorization::{
        DEVICE_CODE_TTL_SECS, DEVICE_KEY_TTL_DAYS, DeviceAuthorization, DeviceDecision, POLL_INTERVAL_SECS,
        PollOutcome, decide_poll, new_user_code, normalize_user_code,
    },
};

/// The adapters the device flow needs.
#[derive(Clone)]
pub struct DeviceFlowPorts {
    /// The authorizations.
    pub authorizations: Arc<dyn DeviceAuthorizations>,
    /// Device codes and their digests.
    pub secret_tokens: Arc<dyn SecretTokens>,
    /// The approving people, as they are when the key is minted.
    pub accounts: Arc<dyn Accounts>,
    /// Memberships.
    pub orgs: Arc<dyn Orgs>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// What a device gets when it asks to sign in.
#[derive(Debug, Clone)]
pub struct DeviceCodes {
    /// Only the device knows it; it polls with it.
    pub device_code: SecretString,
    /// What the person types (`XXXX-XXXX`).
    pub user_code: String,
    /// Seconds the codes live.
    pub expires_in: i64,
    /// Seconds between polls.
    pub interval: i64,
}

/// Why a poll gets no key (RFC 8628 §3.5 error codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceTokenError {
    /// `authorization_pending`.
    Pending,
    /// `slow_down`.
    SlowDown,
    /// `expired_token`.
    Expired,
    /// `access_denied`.
    Denied,
    /// `invalid_grant`: an unknown or spent device code, or an approver who may no longer mint keys.
    InvalidGrant,
}

impl DeviceTokenError {
    /// The error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::Expired => "expired_token",
            Self::Denied => "access_denied",
            Self::InvalidGrant => "invalid_grant",
        }
    }
}

/// The device flow use cases.
#[derive(Clone)]
pub struct DeviceFlowService {
    ports: DeviceFlowPorts,
    api_keys: ApiKeyService,
}

impl DeviceFlowService {
    /// The use cases over the given adapters; keys are minted by `api_keys`.
    pub fn new(ports: DeviceFlowPorts, api_keys: ApiKeyService) -> Self {
        Self { ports, api_keys }
    }

    /// New codes for a device (anyone may ask; nothing is granted until a person approves).
    pub async fn authorize(&self) -> Result<DeviceCodes, DomainError> {
        let device_code = self.ports.secret_tokens.generate();
        let now = self.ports.clock.now();
        let authorization = DeviceAuthorization {
            id: new_id(),
            device_code_digest: self.ports.secret_tokens.digest(device_code.expose()),
            user_code: new_user_code(),
            created_at: now,
            expires_at: now + Duration::seconds(DEVICE_CODE_TTL_SECS),
            decision: None,
            issued_at: None,
        };
        self.ports.authorizations.create(&authorization).await?;
        Ok(DeviceCodes {
            device_code,
            user_code: authorization.user_code,
            expires_in: DEVICE_CODE_TTL_SECS,
            interval: POLL_INTERVAL_SECS,
        })
    }

    /// A signed-in person (never an API key) approves or denies the device showing `user_code`,
    /// for `org`, where they may create API keys (developer+). An unknown, expired or already
    /// decided code is 404.
    pub async fn decide(
        &self,
        caller: &Caller,
        user_code: &str,
        org: OrgId,
        approved: bool,
    ) -> Result<(), DomainError> {
        caller.require_person()?;
        let role = crate::orgs::role_in_org::role_in(self.ports.orgs.as_ref(), caller, org).await?;
        if approved {
            require(role, Permission::CreateConversations)?;
        }
        let code = normalize_user_code(user_code).ok_or(DomainError::NotFound)?;
        let now = self.ports.clock.now();
        let authorization = self
            .ports
            .authorizations
            .by_user_code(&code, now)
            .await?
            .ok_or(DomainError::NotFound)?;
        let decision = DeviceDecision {
            user: caller.user.id,
            org,
            approved,
            at: now,
        };
        if self
            .ports
            .authorizations
            .decide(authorization.id, &decision)
            .await?
        {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// A device's poll: its API key once approved, else why not.
    pub async fn token(
        &self,
        device_code: &str,
    ) -> Result<Result<SecretString, DeviceTokenError>, DomainError> {
        let digest = self.ports.secret_tokens.digest(device_code);
        let Some(authorization) = self.ports.authorizations.by_device_code(&digest).await? else {
            return Ok(Err(DeviceTokenError::InvalidGrant));
        };
        let now = self.ports.clock.now();
        let previous = self.ports.authorizations.polled(authorization.id, now).await?;
        let (user, org) = match decide_poll(&authorization, previous, now) {
            PollOutcome::Approved { user, org } => (user, org),
            PollOutcome::Pending => return Ok(Err(DeviceTokenError::Pending)),
            PollOutcome::SlowDown => return Ok(Err(DeviceTokenError::SlowDown)),
            PollOutcome::Expired => return Ok(Err(DeviceTokenError::Expired)),
            PollOutcome::Denied => return Ok(Err(DeviceTokenError::Denied)),
            PollOutcome::Spent => return Ok(Err(DeviceTokenError::InvalidGrant)),
        };
        if !self.ports.authorizations.settle(authorization.id, now).await? {
            return Ok(Err(DeviceTokenError::InvalidGrant));
        }
        let Some(approver) = self
            .ports
            .accounts
            .user_by_id(user)
            .await?
            .filter(|user| user.disabled_at.is_none())
        else {
            return Ok(Err(DeviceTokenError::InvalidGrant));
        };
        let input = NewApiKeyInput {
            name: format!("Device sign-in ({})", authorization.user_code),
            expires_at: Some(now + Duration::days(DEVICE_KEY_TTL_DAYS)),
            scopes: Vec::new(),
        };
        match self
            .api_keys
            .create(&Caller::person(approver, None), org, input)
            .await
        {
            Ok((_, key)) => Ok(Ok(key)),
            Err(DomainError::NotFound | DomainError::Forbidden | DomainError::Refused { .. }) => {
                Ok(Err(DeviceTokenError::InvalidGrant))
            }
            Err(other) => Err(other),
        }
    }
}
