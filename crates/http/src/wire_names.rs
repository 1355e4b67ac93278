//! Names and shapes the OpenAPI document gives to values whose wire form is written by other code
//! (domain enums serialised by name, validation errors): documentation only.

use utoipa::ToSchema;

/// Role names, as documented.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum RoleName {
    /// owner (rank 0)
    Owner,
    /// admin (rank 10)
    Admin,
    /// developer (rank 100)
    Developer,
    /// viewer (rank 1000)
    Viewer,
}

/// Conversation visibility, as documented.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum VisibilityName {
    /// The creator and admins+.
    Private,
    /// Every member.
    Org,
}

/// Secret scopes, as documented.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ScopeName {
    /// The caller's own.
    User,
    /// Shared by the org.
    Org,
}

/// One invalid field, as documented.
#[derive(utoipa::ToSchema)]
pub struct FieldErrorSchema {
    /// The field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}
