use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sso_logins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_digest: String,
    pub provider: String,
    pub nonce: String,
    pub verifier_key_id: String,
    pub verifier_nonce: Vec<u8>,
    pub verifier_ciphertext: Vec<u8>,
    pub redirect: Option<String>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
