//! Foreign keys the later migrations share: rows that belong to an org or a user go with it.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// `table.column` references `orgs.id`; deleting the org deletes the row.
pub(crate) fn belongs_to_org(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Orgs::Table, Orgs::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// `table.column` references `users.id`; deleting the user deletes the row.
pub(crate) fn belongs_to_user(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}
