use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stream_tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_digest: String,
    pub user_id: Uuid,
    pub session_id: Option<Uuid>,
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
