//! A budget of memory for request bodies being buffered, over all requests at once. Each body is
//! bounded by its route's limit, but forty event batches of 15 MiB arriving together are 600 MiB
//! of buffers (and more once parsed): the process would grow with the number of uploads. A body
//! takes its declared length from the budget before it is read and gives it back when its response
//! is ready; a chunked body takes each chunk as it arrives. A body that finds the budget spent waits
//! up to five seconds for one to finish, then gets 503 `too_much_body_in_flight` with `Retry-After`.

use std::{
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::{InternalError, PayloadError},
    http::{StatusCode, header},
    middleware::Next,
    web::{self, Bytes},
};
use futures::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::Problem;

/// How long a body waits for room in the budget. A waiting body is not read yet, so it costs no
/// memory; the wait stays well inside the body timeout, which runs from the headers.
const WAIT_FOR_ROOM: Duration = Duration::from_secs(5);

/// The bytes request bodies may hold at once.
#[derive(Debug, Clone)]
pub struct BodyBudget {
    bytes: Arc<Semaphore>,
    total: usize,
    largest_body: usize,
}

impl BodyBudget {
    /// At most `total` bytes of bodies at once; `largest_body` is the largest any route accepts (a
    /// longer declared body is refused unread, so it takes nothing).
    pub fn new(total: usize, largest_body: usize) -> Self {
        let total = total.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
        Self {
            bytes: Arc::new(Semaphore::new(total)),
            total,
            largest_body,
        }
    }

    /// Bytes of the budget not taken now.
    pub fn available(&self) -> usize {
        self.bytes.available_permits()
    }
}

/// The middleware (`actix_web::middleware::from_fn(body_budget)`, with a [`BodyBudget`] in the app
/// data).
pub async fn body_budget(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let Some(budget) = req
        .app_data::<web::Data<BodyBudget>>()
        .map(|data| data.get_ref().clone())
    else {
        return next.call(req).await;
    };
    let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<usize>().ok());
    if chunked {
        let starved = Arc::new(AtomicBool::new(false));
        let taken = Arc::new(Mutex::new(Vec::new()));
        let metered = MeteredPayload {
            inner: req.take_payload(),
            budget: budget.clone(),
            taken: taken.clone(),
            starved: starved.clone(),
        };
        req.set_payload(Payload::from(
            Box::pin(metered) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
        ));
        let outcome = next.call(req).await;
        drop(taken);
        return if starved.load(Ordering::Relaxed) {
            Err(busy())
        } else {
            outcome
        };
    }
    let want = match declared {
        Some(length) if length > 0 && length <= budget.largest_body => length.min(budget.total),
        _ => return next.call(req).await,
    };
    let room = tokio::time::timeout(
        WAIT_FOR_ROOM,
        budget.bytes.clone().acquire_many_owned(permits(want)),
    )
    .await;
    let Ok(Ok(permit)) = room else {
        return Err(busy());
    };
    let outcome = next.call(req).await;
    drop(permit);
    outcome
}

fn permits(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

fn busy() -> Error {
    let problem = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_much_body_in_flight",
        "Too many large request bodies are being received right now; nothing was changed. Retry shortly.",
    );
    let mut response = problem.to_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    InternalError::from_response(
        "body budget spent",
        crate::request_deadline::with_own_headers(response),
    )
    .into()
}

/// A chunked payload taking each chunk's bytes from the budget; fails once the budget is spent.
struct MeteredPayload {
    inner: Payload,
    budget: BodyBudget,
    taken: Arc<Mutex<Vec<OwnedSemaphorePermit>>>,
    starved: Arc<AtomicBool>,
}

impl Stream for MeteredPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                match this
                    .budget
                    .bytes
                    .clone()
                    .try_acquire_many_owned(permits(chunk.len().min(this.budget.total)))
                {
                    Ok(permit) => {
                        this.taken
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .push(permit);
                        Poll::Ready(Some(Ok(chunk)))
                    }
                    Err(_) => {
                        this.starved.store(true, Ordering::Relaxed);
                        Poll::Ready(Some(Err(PayloadError::Overflow)))
                    }
                }
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, HttpResponse, middleware::from_fn, test};

    use super::*;

    async fn read_all(body: web::Bytes) -> HttpResponse {
        HttpResponse::Ok().body(body.len().to_string())
    }

    #[actix_web::test]
    async fn bodies_beyond_the_budget_wait_then_get_503_and_the_bytes_come_back() {
        let budget = BodyBudget::new(100, 1000);
        let held = budget.bytes.clone().acquire_many_owned(60).await.unwrap();
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(budget.clone()))
                .wrap(from_fn(body_budget))
                .route("/", web::post().to(read_all)),
        )
        .await;
        let small = test::TestRequest::post().uri("/").set_payload(vec![b'x'; 40]);
        let response = test::call_service(&app, small.to_request()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(budget.available(), 40, "given back once answered");

        let large = test::TestRequest::post().uri("/").set_payload(vec![b'x'; 50]);
        let refused = test::try_call_service(&app, large.to_request()).await;
        let response = refused.err().expect("refused").error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        drop(held);
        assert_eq!(budget.available(), 100);
    }
}
