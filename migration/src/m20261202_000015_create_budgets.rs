//! Budgets: an org's monthly and per-conversation limits, members' monthly caps, what was spent per
//! month (the org's total under the nil user, and each member's), every usage report as a row (for
//! totals by member and by model), and the `over_budget` flag of conversations.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_org;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Conversations {
    Table,
    OverBudget,
}

#[derive(DeriveIden)]
enum OrgBudgets {
    Table,
    OrgId,
    MonthlyMicros,
    PerTaskMicros,
    Source,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MemberBudgetCaps {
    Table,
    OrgId,
    UserId,
    MonthlyCapMicros,
}

#[derive(DeriveIden)]
enum SpendPeriods {
    Table,
    OrgId,
    Period,
    UserId,
    SpentMicros,
    AlertedAt,
}

#[derive(DeriveIden)]
enum UsageRecords {
    Table,
    Id,
    OrgId,
    ConversationId,
    UserId,
    Model,
    CostMicros,
    PromptTokens,
    CompletionTokens,
    Period,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(boolean(Conversations::OverBudget).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgBudgets::Table)
                    .col(uuid(OrgBudgets::OrgId).primary_key())
                    .col(big_integer_null(OrgBudgets::MonthlyMicros))
                    .col(big_integer_null(OrgBudgets::PerTaskMicros))
                    .col(string_len(OrgBudgets::Source, 16).default("budget"))
                    .col(timestamp_with_time_zone(OrgBudgets::UpdatedAt))
                    .foreign_key(&mut belongs_to_org(OrgBudgets::Table, OrgBudgets::OrgId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MemberBudgetCaps::Table)
                    .col(uuid(MemberBudgetCaps::OrgId))
                    .col(uuid(MemberBudgetCaps::UserId))
                    .col(big_integer(MemberBudgetCaps::MonthlyCapMicros))
                    .primary_key(
                        Index::create()
                            .col(MemberBudgetCaps::OrgId)
                            .col(MemberBudgetCaps::UserId),
                    )
                    .foreign_key(&mut belongs_to_org(
                        MemberBudgetCaps::Table,
                        MemberBudgetCaps::OrgId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SpendPeriods::Table)
                    .col(uuid(SpendPeriods::OrgId))
                    .col(string_len(SpendPeriods::Period, 7))
                    .col(uuid(SpendPeriods::UserId))
                    .col(big_integer(SpendPeriods::SpentMicros))
                    .col(timestamp_with_time_zone_null(SpendPeriods::AlertedAt))
                    .primary_key(
                        Index::create()
                            .col(SpendPeriods::OrgId)
                            .col(SpendPeriods::Period)
                            .col(SpendPeriods::UserId),
                    )
                    .foreign_key(&mut belongs_to_org(SpendPeriods::Table, SpendPeriods::OrgId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UsageRecords::Table)
                    .col(uuid(UsageRecords::Id).primary_key())
                    .col(uuid(UsageRecords::OrgId))
                    .col(uuid(UsageRecords::ConversationId))
                    .col(uuid(UsageRecords::UserId))
                    .col(string_len_null(UsageRecords::Model, 255))
                    .col(big_integer(UsageRecords::CostMicros))
                    .col(big_integer(UsageRecords::PromptTokens))
                    .col(big_integer(UsageRecords::CompletionTokens))
                    .col(string_len(UsageRecords::Period, 7))
                    .col(timestamp_with_time_zone(UsageRecords::At))
                    .foreign_key(&mut belongs_to_org(UsageRecords::Table, UsageRecords::OrgId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("usage_records_org_period")
                    .table(UsageRecords::Table)
                    .col(UsageRecords::OrgId)
                    .col(UsageRecords::Period)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            UsageRecords::Table.into_iden(),
            SpendPeriods::Table.into_iden(),
            MemberBudgetCaps::Table.into_iden(),
            OrgBudgets::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .drop_column(Conversations::OverBudget)
                    .to_owned(),
            )
            .await
    }
}
