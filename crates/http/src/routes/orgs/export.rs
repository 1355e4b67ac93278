//! `GET /api/orgs/{org_id}/export`: the org's data as a tar.gz, streamed as it is written.

use actix_web::{HttpResponse, get, http::header, web};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::problem_responses::{NotVisible, RoleTooLow, Unauthenticated, Unavailable};
use crate::{ApiError, AppState, auth::Caller};

/// Archive chunks buffered between the export and the client (64 KiB each at most).
const IN_FLIGHT: usize = 8;

#[utoipa::path(
    tag = "orgs",
    summary = "Export the org as a tar.gz archive (owner)",
    description = "Streams `tenantry-export/`: `manifest.json`, `org.json` (settings without secrets), \
                   `members.jsonl`, per conversation `conversations/{id}/conversation.json` and \
                   `conversations/{id}/events.jsonl`, then `conversations.jsonl` and `audit.jsonl`. \
                   `tenantry import openhands` reads it back.",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The archive", content_type = "application/gzip", body = Vec<u8>),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/export")]
pub(crate) async fn export_org(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    state.export.authorize(&caller.0, org).await?;
    let (chunks, body) = mpsc::channel(IN_FLIGHT);
    let mut sink = (state.export_sink)(chunks.clone())
        .map_err(|error| tenantry_domain::DomainError::Unavailable(error.to_string()))?;
    let export = state.export.clone();
    tokio::spawn(async move {
        if let Err(error) = export.export(&caller.0, org, sink.as_mut()).await {
            tracing::warn!(%org, %error, "org export stopped");
            // The client sees the response end in error instead of a short archive.
            let _ = chunks.send(Err(std::io::Error::other(error.to_string()))).await;
        }
    });
    let filename = format!("tenantry-org-{org}.tar.gz");
    Ok(HttpResponse::Ok()
        .content_type("application/gzip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(tokio_stream_from(body)))
}

fn tokio_stream_from(
    mut receiver: mpsc::Receiver<std::io::Result<bytes::Bytes>>,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}
