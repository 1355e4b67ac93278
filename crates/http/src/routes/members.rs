//! Members and invitations.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use tenantry_domain::{Role, SecretString};
use uuid::Uuid;

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::{InvitationBody, Items, MemberBody},
};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_members)
        .service(add_member)
        .service(change_role)
        .service(remove_member)
        .service(invite)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(accept_invitation);
}

#[get("/api/orgs/{org_id}/members")]
async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let members = state.orgs.members(&caller.0.user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: members.iter().map(MemberBody::from).collect(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct EmailAndRoleBody {
    email: String,
    role: Role,
}

#[post("/api/orgs/{org_id}/members")]
async fn add_member(
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
        .add_member(&caller.0.user, org, &body.email, body.role)
        .await?;
    Ok(HttpResponse::Created().json(MemberBody::from(&member)))
}

#[derive(Deserialize)]
struct RoleBody {
    role: Role,
}

#[patch("/api/orgs/{org_id}/members/{user_id}")]
async fn change_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, user) = path.into_inner();
    let member = state
        .orgs
        .change_role(&caller.0.user, org, user, body.role)
        .await?;
    Ok(HttpResponse::Ok().json(MemberBody::from(&member)))
}

#[delete("/api/orgs/{org_id}/members/{user_id}")]
async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, user) = path.into_inner();
    state.orgs.remove_member(&caller.0.user, org, user).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/api/orgs/{org_id}/invitations")]
async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<EmailAndRoleBody>,
) -> Result<HttpResponse, ApiError> {
    let invitation = state
        .orgs
        .invite(&caller.0.user, path.into_inner(), &body.email, body.role)
        .await?;
    Ok(HttpResponse::Created().json(InvitationBody::from(&invitation)))
}

#[get("/api/orgs/{org_id}/invitations")]
async fn list_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let invitations = state.orgs.invitations(&caller.0.user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Items {
        items: invitations.iter().map(InvitationBody::from).collect(),
    }))
}

#[delete("/api/orgs/{org_id}/invitations/{id}")]
async fn revoke_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org, id) = path.into_inner();
    state.orgs.revoke_invitation(&caller.0.user, org, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
struct AcceptBody {
    token: SecretString,
}

#[post("/api/invitations/accept")]
async fn accept_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<AcceptBody>,
) -> Result<HttpResponse, ApiError> {
    let member = state.orgs.accept_invitation(&caller.0.user, &body.token).await?;
    Ok(HttpResponse::Ok().json(MemberBody::from(&member)))
}
