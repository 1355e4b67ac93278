//! The HTTP client the OpenID Connect flow runs on: reqwest, no redirects followed (a provider's
//! endpoints answer directly), bounded by a timeout.

use std::time::Duration;

use openidconnect::{HttpRequest, HttpResponse};
use tenantry_domain::DomainError;

/// Why a request to a provider failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// The request could not be sent or its answer read.
    #[error("request to the identity provider failed: {0}")]
    Transport(#[from] reqwest::Error),
    /// The answer could not be turned into a response.
    #[error("answer from the identity provider unusable: {0}")]
    Answer(#[from] http::Error),
}

#[derive(Clone)]
pub(crate) struct HttpClient {
    client: reqwest::Client,
}

impl HttpClient {
    pub(crate) fn new(timeout: Duration) -> Result<Self, DomainError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|error| DomainError::Internal(format!("HTTP client: {error}")))?;
        Ok(Self { client })
    }

    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let answer = self
            .client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let mut response = http::Response::builder().status(answer.status());
        for (name, value) in answer.headers() {
            response = response.header(name, value);
        }
        let body = answer.bytes().await?;
        Ok(response.body(body.to_vec())?)
    }
}
