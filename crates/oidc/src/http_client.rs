//! The HTTP client the OpenID Connect flow runs on: reqwest, no redirects followed (a provider's
//! endpoints answer directly), bounded by connect and total timeouts, answers read up to a cap, and
//! only to the issuer's origin or the operator's allow-list.

use std::{sync::Arc, time::Duration};

use openidconnect::{HttpRequest, HttpResponse};
use tenantry_domain::{DomainError, oidc_endpoint_origin::endpoint_allowed};

/// Why a request to a provider failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// The request could not be sent or its answer read.
    #[error("request to the identity provider failed: {0}")]
    Transport(#[from] reqwest::Error),
    /// The answer could not be turned into a response.
    #[error("answer from the identity provider unusable: {0}")]
    Answer(#[from] http::Error),
    /// The answer is longer than the cap.
    #[error("answer from the identity provider longer than {0} bytes; abandoned")]
    TooLarge(usize),
    /// The request would go off the issuer's origin and the allow-list.
    #[error("{0} is neither on the issuer's origin nor under auth.oidc.endpoint_allow_list")]
    OffOrigin(String),
}

/// Limits on requests to providers.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Longest wait for a whole request, answer included.
    pub timeout: Duration,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Largest answer read (discovery documents, key sets, token responses).
    pub max_document_bytes: usize,
    /// URLs off an issuer's origin its endpoints may be under.
    pub endpoint_allow_list: Vec<String>,
}

#[derive(Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
    max_document_bytes: usize,
    pub(crate) endpoint_allow_list: Arc<[String]>,
}

impl HttpClient {
    pub(crate) fn new(limits: HttpLimits) -> Result<Self, DomainError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            .build()
            .map_err(|error| DomainError::Internal(format!("HTTP client: {error}")))?;
        Ok(Self {
            client,
            max_document_bytes: limits.max_document_bytes,
            endpoint_allow_list: limits.endpoint_allow_list.into(),
        })
    }

    /// Sends a request of `issuer`'s flow.
    pub(crate) async fn send(&self, issuer: &str, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let uri = parts.uri.to_string();
        if !endpoint_allowed(issuer, &uri, &self.endpoint_allow_list) {
            return Err(HttpError::OffOrigin(uri));
        }
        let mut answer = self
            .client
            .request(parts.method, uri)
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let cap = self.max_document_bytes;
        if answer.content_length().is_some_and(|length| length > cap as u64) {
            return Err(HttpError::TooLarge(cap));
        }
        let mut response = http::Response::builder().status(answer.status());
        for (name, value) in answer.headers() {
            response = response.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await? {
            if body.len() + chunk.len() > cap {
                return Err(HttpError::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(response.body(body)?)
    }
}
