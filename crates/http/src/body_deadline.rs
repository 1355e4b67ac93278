//! How long a client may take to send its request body, and how many bodies may be in the middle
//! of being read at once. actix-web times out slow headers (`client_request_timeout`) but not slow
//! bodies: without this, a client sending a byte every few seconds holds a connection, a file
//! descriptor and a worker's attention for as long as it likes.

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    Error, HttpMessage,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{ConnectionType, StatusCode, header},
    middleware::Next,
    web::{self, Bytes},
};
use futures::Stream;
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Sleep,
};

use crate::Problem;

/// The body reading budget: a deadline per body and a bound on bodies being read at once.
#[derive(Debug, Clone)]
pub struct BodyReading {
    timeout: Duration,
    readers: Arc<Semaphore>,
}

impl BodyReading {
    /// Bodies must arrive whole within `timeout` of the headers; at most `max_in_flight` are read
    /// at once (beyond, 503 at once rather than one more held connection).
    pub fn new(timeout: Duration, max_in_flight: usize) -> Self {
        Self {
            timeout,
            readers: Arc::new(Semaphore::new(max_in_flight.max(1))),
        }
    }
}

/// The middleware (`actix_web::middleware::from_fn(body_deadline)`, with a [`BodyReading`] in the
/// app data): 408 `request_timeout` when the body is not in within the deadline, 503
/// `too_many_bodies` when the budget of bodies being read is spent; both close the connection.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let reading = req.app_data::<web::Data<BodyReading>>().cloned();
    let Some(reading) = reading.filter(|_| has_body(&req)) else {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    };
    let Ok(permit) = reading.readers.clone().try_acquire_owned() else {
        let (request, _) = req.into_parts();
        let problem = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_bodies",
            "Too many request bodies are being received right now; retry shortly.",
        );
        let mut response = problem.to_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        response.head_mut().set_connection_type(ConnectionType::Close);
        return Ok(ServiceResponse::new(request, response).map_into_right_body());
    };
    let expired = Arc::new(AtomicBool::new(false));
    let timed = TimedPayload {
        inner: req.take_payload(),
        deadline: Box::pin(tokio::time::sleep(reading.timeout)),
        permit: Some(permit),
        expired: expired.clone(),
        done: false,
    };
    req.set_payload(Payload::from(
        Box::pin(timed) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
    // No clone of the request is kept across the call: routing needs it unshared.
    let outcome = next.call(req).await;
    if !expired.load(Ordering::Relaxed) {
        return outcome.map(ServiceResponse::map_into_left_body);
    }
    let problem = Problem::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "The request body did not arrive within {} seconds.",
            reading.timeout.as_secs_f64()
        ),
    );
    match outcome {
        Ok(response) => {
            let (request, _) = response.into_parts();
            let mut response = problem.to_response();
            response.head_mut().set_connection_type(ConnectionType::Close);
            Ok(ServiceResponse::new(request, response).map_into_right_body())
        }
        Err(_) => Err(crate::ApiError(problem).into()),
    }
}

/// Whether the request announces a body (a length above zero, or chunks).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .is_some_and(|length| length > 0)
}

/// The request's payload, failing once its deadline passes; holds a reading slot until the body
/// is in (or abandoned).
struct TimedPayload {
    inner: Payload,
    deadline: Pin<Box<Sleep>>,
    permit: Option<OwnedSemaphorePermit>,
    expired: Arc<AtomicBool>,
    done: bool,
}

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(chunk)) => Poll::Ready(Some(chunk)),
            Poll::Ready(None) => {
                this.done = true;
                this.permit = None;
                Poll::Ready(None)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.done = true;
                    this.permit = None;
                    this.expired.store(true, Ordering::Relaxed);
                    Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request body timed out",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}
