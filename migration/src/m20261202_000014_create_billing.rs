//! Credits: billing sessions (checkouts at the payment provider), the append-only credit ledger with
//! its running sums, and the payment events already acted on (deliveries repeat).

use sea_orm_migration::{prelude::*, schema::*};

use crate::references::belongs_to_org;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BillingSessions {
    Table,
    Id,
    OrgId,
    CreatedBy,
    AmountMicros,
    Status,
    ProviderSessionId,
    CheckoutUrl,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum CreditLedger {
    Table,
    Id,
    OrgId,
    AmountMicros,
    Kind,
    Reference,
    At,
}

#[derive(DeriveIden)]
enum CreditBalances {
    Table,
    OrgId,
    PurchasedMicros,
    UsedMicros,
}

#[derive(DeriveIden)]
enum PaymentEvents {
    Table,
    EventId,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BillingSessions::Table)
                    .col(uuid(BillingSessions::Id).primary_key())
                    .col(uuid(BillingSessions::OrgId))
                    .col(uuid(BillingSessions::CreatedBy))
                    .col(big_integer(BillingSessions::AmountMicros))
                    .col(string_len(BillingSessions::Status, 16))
                    .col(string_len_null(BillingSessions::ProviderSessionId, 255))
                    .col(text_null(BillingSessions::CheckoutUrl))
                    .col(timestamp_with_time_zone(BillingSessions::CreatedAt))
                    .col(timestamp_with_time_zone_null(BillingSessions::CompletedAt))
                    .foreign_key(&mut belongs_to_org(
                        BillingSessions::Table,
                        BillingSessions::OrgId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("billing_sessions_provider_session")
                    .table(BillingSessions::Table)
                    .col(BillingSessions::ProviderSessionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("billing_sessions_org_created")
                    .table(BillingSessions::Table)
                    .col(BillingSessions::OrgId)
                    .col(BillingSessions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CreditLedger::Table)
                    .col(uuid(CreditLedger::Id).primary_key())
                    .col(uuid(CreditLedger::OrgId))
                    .col(big_integer(CreditLedger::AmountMicros))
                    .col(string_len(CreditLedger::Kind, 32))
                    .col(string_len(CreditLedger::Reference, 255))
                    .col(timestamp_with_time_zone(CreditLedger::At))
                    .foreign_key(&mut belongs_to_org(CreditLedger::Table, CreditLedger::OrgId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("credit_ledger_org")
                    .table(CreditLedger::Table)
                    .col(CreditLedger::OrgId)
                    .col(CreditLedger::Id)
                    .to_owned(),
            )
            .await?;
        // One purchase line per billing session, whatever happens.
        manager
            .create_index(
                Index::create()
                    .name("credit_ledger_kind_reference")
                    .table(CreditLedger::Table)
                    .col(CreditLedger::Kind)
                    .col(CreditLedger::Reference)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The ledger's sums, kept with every line written: the balance without scanning the ledger.
        manager
            .create_table(
                Table::create()
                    .table(CreditBalances::Table)
                    .col(uuid(CreditBalances::OrgId).primary_key())
                    .col(big_integer(CreditBalances::PurchasedMicros))
                    .col(big_integer(CreditBalances::UsedMicros))
                    .foreign_key(&mut belongs_to_org(CreditBalances::Table, CreditBalances::OrgId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentEvents::Table)
                    .col(string_len(PaymentEvents::EventId, 255).primary_key())
                    .col(timestamp_with_time_zone(PaymentEvents::ReceivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PaymentEvents::Table.into_iden(),
            CreditBalances::Table.into_iden(),
            CreditLedger::Table.into_iden(),
            BillingSessions::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
