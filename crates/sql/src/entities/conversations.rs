use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub created_by: Uuid,
    pub title: Option<String>,
    pub selected_repository: Option<String>,
    pub selected_branch: Option<String>,
    pub git_provider: Option<String>,
    pub trigger: Option<String>,
    pub llm_model: Option<String>,
    pub visibility: String,
    pub pr_number: Json,
    pub accumulated_cost_micros: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub total_tokens: i64,
    pub event_count: i64,
    pub sandbox_id: Option<Uuid>,
    pub execution_status: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_updated_at: DateTimeUtc,
    pub over_budget: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
