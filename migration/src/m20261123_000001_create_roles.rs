use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub(crate) enum Roles {
    Table,
    Name,
    Rank,
}

/// The built-in roles; lower rank means more power.
const ROLES: [(&str, i32); 4] = [("owner", 0), ("admin", 10), ("developer", 100), ("viewer", 1000)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(string_len(Roles::Name, 32).primary_key())
                    .col(integer_uniq(Roles::Rank))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert();
        seed.into_table(Roles::Table).columns([Roles::Name, Roles::Rank]);
        for (name, rank) in ROLES {
            seed.values_panic([name.into(), rank.into()]);
        }
        manager.exec_stmt(seed).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Roles::Table).to_owned())
            .await
    }
}
