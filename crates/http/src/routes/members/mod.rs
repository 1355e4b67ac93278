//! Members and invitations.

mod bodies;

pub(crate) use bodies::*;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use tenantry_domain::{Role, SecretString};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::problem_responses::{
    Conflict, InvalidInput, JsonBodyRefused, NotVisible, RoleTooLow, Unauthenticated, Unavailable,
};
use crate::{ApiError, AppState, Problem, auth::Caller};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_members)
        .service(add_member)
        .service(change_role)
        .service(remove_member)
        .service(invite)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(resend_invitation)
        .service(preview_invitation)
        .service(accept_invitation);
}

#[utoipa::path(
    tag = "members",
    summary = "Members",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Members", body = MemberList),
        Unauthenticated, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/members")]
pub(crate) async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let members = state.orgs.members(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(MemberList {
        items: members.iter().map(MemberBody::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct EmailAndRoleBody {
    #[schema(max_length = 254, example = "bob@example.com")]
    email: String,
    #[schema(value_type = crate::wire_names::RoleName)]
    role: Role,
}

#[utoipa::path(
    tag = "members",
    summary = "Add an existing user (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = EmailAndRoleBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = MemberBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/members")]
pub(crate) async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<EmailAndRoleBody>,
) -> Result<HttpResponse, ApiError> {
    add_member_response(&state, &caller, path.into_inner(), body.into_inner()).await
}

pub(crate) async fn add_member_response(
    state: &AppState,
    caller: &Caller,
    org: Uuid,
    body: EmailAndRoleBody,
) -> Result<HttpResponse, ApiError> {
    let member = state
        .orgs
        .add_member(&caller.0, org, &body.email, body.role)
        .await?;
    Ok(HttpResponse::Created().json(MemberBody::from(&member)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct RoleBody {
    #[schema(value_type = crate::wire_names::RoleName)]
    role: Role,
}

#[utoipa::path(
    tag = "members",
    summary = "Change a role (admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("user_id" = Uuid, Path, description = "The member")),
    request_body = RoleBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = MemberBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[patch("/api/orgs/{org_id}/members/{user_id}")]
pub(crate) async fn change_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, user) = path.into_inner();
    let member = state.orgs.change_role(&caller.0, org, user, body.role).await?;
    Ok(HttpResponse::Ok().json(MemberBody::from(&member)))
}

#[utoipa::path(
    tag = "members",
    summary = "Remove a member (admin+) or leave",
    params(("org_id" = Uuid, Path, description = "The org"), ("user_id" = Uuid, Path, description = "The member")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/members/{user_id}")]
pub(crate) async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, user) = path.into_inner();
    state.orgs.remove_member(&caller.0, org, user).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "members",
    summary = "Invite an email (admin+); the token goes out by mail",
    params(("org_id" = Uuid, Path, description = "The org")),
    request_body = EmailAndRoleBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Invited", body = InvitationBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/invitations")]
pub(crate) async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<EmailAndRoleBody>,
) -> Result<HttpResponse, ApiError> {
    let invitation = state
        .orgs
        .invite(&caller.0, path.into_inner(), &body.email, body.role)
        .await?;
    Ok(HttpResponse::Created().json(InvitationBody::from(&invitation)))
}

#[utoipa::path(
    tag = "members",
    summary = "Pending invitations (admin+)",
    params(("org_id" = Uuid, Path, description = "The org")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Invitations", body = InvitationList),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[get("/api/orgs/{org_id}/invitations")]
pub(crate) async fn list_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let invitations = state.orgs.invitations(&caller.0, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(InvitationList {
        items: invitations.iter().map(InvitationBody::from).collect(),
    }))
}

#[utoipa::path(
    tag = "members",
    summary = "Revoke an invitation (admin+)",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The invitation")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        Unauthenticated, RoleTooLow, NotVisible, Unavailable
    )
)]
#[delete("/api/orgs/{org_id}/invitations/{id}")]
pub(crate) async fn revoke_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.orgs.revoke_invitation(&caller.0, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "members",
    summary = "Send a pending invitation again (admin+): a new link replaces the old one",
    params(("org_id" = Uuid, Path, description = "The org"), ("id" = Uuid, Path, description = "The invitation")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Sent again, as a new invitation", body = InvitationBody),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, Unavailable
    )
)]
#[post("/api/orgs/{org_id}/invitations/{id}/resend")]
pub(crate) async fn resend_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    let invitation = state.orgs.resend_invitation(&caller.0, org, id).await?;
    Ok(HttpResponse::Created().json(InvitationBody::from(&invitation)))
}

#[utoipa::path(
    tag = "members",
    summary = "What an invitation offers, and whether accepting it would work now",
    request_body = AcceptBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The invitation", body = InvitationPreviewBody),
        Unauthenticated, RoleTooLow, NotVisible, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/invitations/preview")]
pub(crate) async fn preview_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<AcceptBody>,
) -> Result<HttpResponse, ApiError> {
    let preview = state.orgs.preview_invitation(&caller.0, &body.token).await?;
    Ok(HttpResponse::Ok().json(InvitationPreviewBody::from(preview)))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct AcceptBody {
    #[schema(value_type = String, format = Password)]
    token: SecretString,
}

#[utoipa::path(
    tag = "members",
    summary = "Accept an invitation",
    request_body = AcceptBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Joined", body = MemberBody),
        (status = 410, description = "Expired", body = Problem, content_type = "application/problem+json"),
        Unauthenticated, RoleTooLow, NotVisible, Conflict, JsonBodyRefused, InvalidInput, Unavailable
    )
)]
#[post("/api/invitations/accept")]
pub(crate) async fn accept_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<AcceptBody>,
) -> Result<HttpResponse, ApiError> {
    let member = state.orgs.accept_invitation(&caller.0, &body.token).await?;
    Ok(HttpResponse::Ok().json(MemberBody::from(&member)))
}
