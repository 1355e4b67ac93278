//! Sealed secrets (user, org and settings secrets) and settings rows.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use serde_json::{Map, Value};
use tenantry_domain::{
    AuditEntry, DomainError, OrgId, UserId, new_id,
    ports::{SealedRow, SecretFieldChange, SecretStore, SettingsStore, StoredPreferences, StoredSettings},
    secrets::{Sealed, SecretAddress, SecretMeta, SecretName, SecretScope},
};
use uuid::Uuid;

use crate::{
    SqlDatabase,
    entities::{secrets, settings, user_preferences},
    errors::{corrupt, db_error},
    org_store::audit,
    transaction::begin_write,
};

/// [`SecretStore`] and [`SettingsStore`] on SQL.
#[derive(Debug, Clone)]
pub struct SqlSecretStore {
    db: SqlDatabase,
}

impl SqlSecretStore {
    /// The store over an open database.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn owner_key(owner: Option<UserId>) -> Uuid {
    owner.unwrap_or(Uuid::nil())
}

fn at_address(address: &SecretAddress) -> Condition {
    Condition::all()
        .add(secrets::Column::OrgId.eq(address.org_id))
        .add(secrets::Column::Scope.eq(address.scope.name()))
        .add(secrets::Column::OwnerId.eq(owner_key(address.owner_id)))
        .add(secrets::Column::Name.eq(address.name.as_str()))
}

fn sealed_of(row: &secrets::Model) -> Sealed {
    Sealed {
        key_id: row.key_id.clone(),
        nonce: row.nonce.clone(),
        ciphertext: row.ciphertext.clone(),
    }
}

fn stored_scope(name: &str) -> Result<SecretScope, DomainError> {
    SecretScope::from_name(name).ok_or_else(|| corrupt("secret scope"))
}

fn row_to_sealed(row: secrets::Model) -> Result<SealedRow, DomainError> {
    let scope = stored_scope(&row.scope)?;
    let sealed = sealed_of(&row);
    Ok(SealedRow {
        id: row.id,
        address: SecretAddress {
            org_id: row.org_id,
            scope,
            owner_id: (!row.owner_id.is_nil()).then_some(row.owner_id),
            name: SecretName::parse(&row.name).unwrap_or_else(|_| SecretName::stored(&row.name)),
        },
        sealed,
    })
}

fn meta_of(row: secrets::Model) -> Result<SecretMeta, DomainError> {
    Ok(SecretMeta {
        id: row.id,
        scope: stored_scope(&row.scope)?,
        owner_id: (!row.owner_id.is_nil()).then_some(row.owner_id),
        name: row.name,
        description: row.description,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Creates or replaces the sealed value at `address`.
pub(crate) async fn upsert(
    conn: &impl ConnectionTrait,
    address: &SecretAddress,
    sealed: &Sealed,
    description: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    use secrets::Column;
    secrets::Entity::insert(secrets::ActiveModel {
        id: Set(new_id()),
        org_id: Set(address.org_id),
        scope: Set(address.scope.name().to_owned()),
        owner_id: Set(owner_key(address.owner_id)),
        name: Set(address.name.as_str().to_owned()),
        description: Set(description),
        key_id: Set(sealed.key_id.clone()),
        nonce: Set(sealed.nonce.clone()),
        ciphertext: Set(sealed.ciphertext.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([Column::OrgId, Column::Scope, Column::OwnerId, Column::Name])
            .update_columns([
                Column::Description,
                Column::KeyId,
                Column::Nonce,
                Column::Ciphertext,
                Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map_err(db_error)?;
    Ok(())
}

#[async_trait]
impl SecretStore for SqlSecretStore {
    async fn list(&self, org: OrgId, user: UserId) -> Result<Vec<SecretMeta>, DomainError> {
        use secrets::Column;
        secrets::Entity::find()
            .filter(Column::OrgId.eq(org))
            .filter(
                Condition::any()
                    .add(Column::Scope.eq(SecretScope::Org.name()))
                    .add(
                        Condition::all()
                            .add(Column::Scope.eq(SecretScope::User.name()))
                            .add(Column::OwnerId.eq(user)),
                    ),
            )
            .order_by_asc(Column::Scope)
            .order_by_asc(Column::Name)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(meta_of)
            .collect()
    }

    async fn put(
        &self,
        address: &SecretAddress,
        sealed: &Sealed,
        description: Option<String>,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<SecretMeta, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        upsert(&txn, address, sealed, description, now).await?;
        audit::record(&txn, audit.clone()).await?;
        let row = secrets::Entity::find()
            .filter(at_address(address))
            .one(&txn)
            .await
            .map_err(db_error)?
            .ok_or_else(|| DomainError::Internal("secret vanished".into()))?;
        txn.commit().await.map_err(db_error)?;
        meta_of(row)
    }

    async fn get(&self, address: &SecretAddress) -> Result<Option<Sealed>, DomainError> {
        Ok(secrets::Entity::find()
            .filter(at_address(address))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
            .map(|row| sealed_of(&row)))
    }

    async fn delete(&self, address: &SecretAddress, audit: &AuditEntry) -> Result<bool, DomainError> {
        let (txn, _turn) = begin_write(&self.db).await?;
        let deleted = secrets::Entity::delete_many()
            .filter(at_address(address))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        audit::record(&txn, audit.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn sealed_for_runtime(
        &self,
        org: OrgId,
        user: Option<UserId>,
    ) -> Result<Vec<SealedRow>, DomainError> {
        use secrets::Column;
        let mut scopes = Condition::any().add(Column::Scope.eq(SecretScope::Org.name()));
        if let Some(user) = user {
            scopes = scopes.add(
                Condition::all()
                    .add(Column::Scope.eq(SecretScope::User.name()))
                    .add(Column::OwnerId.eq(user)),
            );
        }
        secrets::Entity::find()
            .filter(Column::OrgId.eq(org))
            .filter(scopes)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(row_to_sealed)
            .collect()
    }

    async fn sealed_not_under(&self, key_id: &str, limit: u64) -> Result<Vec<SealedRow>, DomainError> {
        secrets::Entity::find()
            .filter(secrets::Column::KeyId.ne(key_id))
            .order_by_asc(secrets::Column::Id)
            .limit(limit)
            .all(&self.db.conn)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(row_to_sealed)
            .collect()
    }

    async fn reseal(&self, id: Uuid, previous: &Sealed, next: &Sealed) -> Result<bool, DomainError> {
        use secrets::Column;
        let updated = secrets::Entity::update_many()
            .col_expr(Column::KeyId, Expr::value(next.key_id.clone()))
            .col_expr(Column::Nonce, Expr::value(next.nonce.clone()))
            .col_expr(Column::Ciphertext, Expr::value(next.ciphertext.clone()))
            .filter(Column::Id.eq(id))
            .filter(Column::KeyId.eq(previous.key_id.clone()))
            .filter(Column::Nonce.eq(previous.nonce.clone()))
            .exec(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(updated.rows_affected == 1)
    }

    async fn key_ids_in_use(&self) -> Result<Vec<String>, DomainError> {
        let rows: Vec<String> = secrets::Entity::find()
            .select_only()
            .column(secrets::Column::KeyId)
            .distinct()
            .into_tuple()
            .all(&self.db.conn)
            .await
            .map_err(db_error)?;
        Ok(rows)
    }
}

/// A stored JSON object; anything else is corrupt data, never silently an empty object.
fn object(value: Value, what: &str) -> Result<Map<String, Value>, DomainError> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(corrupt(what)),
    }
}

#[async_trait]
impl SettingsStore for SqlSecretStore {
    async fn get(&self, org: OrgId, member: Option<UserId>) -> Result<StoredSettings, DomainError> {
        let Some(row) = settings::Entity::find_by_id((org, owner_key(member)))
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
        else {
            return Ok(StoredSettings::default());
        };
        Ok(StoredSettings {
            values: object(row.values, "settings values")?,
            locked: serde_json::from_value(row.locked_fields)
                .map_err(|_| corrupt("settings locked_fields"))?,
            version: row.version,
        })
    }

    async fn put(
        &self,
        org: OrgId,
        member: Option<UserId>,
        stored: &StoredSettings,
        secrets_change: &[SecretFieldChange],
        audit_entry: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        use settings::Column;
        let (txn, _turn) = begin_write(&self.db).await?;
        let written = if stored.version == 0 {
            settings::Entity::insert(settings::ActiveModel {
                org_id: Set(org),
                subject: Set(owner_key(member)),
                values: Set(Value::Object(stored.values.clone())),
                locked_fields: Set(serde_json::json!(stored.locked)),
                updated_at: Set(now),
                version: Set(1),
            })
            .on_conflict(
                OnConflict::columns([Column::OrgId, Column::Subject])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .map_err(db_error)?
        } else {
            settings::Entity::update_many()
                .col_expr(Column::Values, Expr::value(Value::Object(stored.values.clone())))
                .col_expr(
                    Column::LockedFields,
                    Expr::value(serde_json::json!(stored.locked)),
                )
                .col_expr(Column::UpdatedAt, Expr::value(now))
                .col_expr(Column::Version, Expr::value(stored.version + 1))
                .filter(Column::OrgId.eq(org))
                .filter(Column::Subject.eq(owner_key(member)))
                .filter(Column::Version.eq(stored.version))
                .exec(&txn)
                .await
                .map_err(db_error)?
                .rows_affected
        };
        if written != 1 {
            // Another write came first: nothing of this one is applied.
            return Ok(false);
        }
        for (address, sealed) in secrets_change {
            match sealed {
                Some(sealed) => upsert(&txn, address, sealed, None, now).await?,
                None => {
                    secrets::Entity::delete_many()
                        .filter(at_address(address))
                        .exec(&txn)
                        .await
                        .map_err(db_error)?;
                }
            }
        }
        audit::record(&txn, audit_entry.clone()).await?;
        txn.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn preferences(&self, user: UserId) -> Result<StoredPreferences, DomainError> {
        match user_preferences::Entity::find_by_id(user)
            .one(&self.db.conn)
            .await
            .map_err(db_error)?
        {
            Some(row) => Ok(StoredPreferences {
                values: object(row.values, "user preferences")?,
                version: row.version,
            }),
            None => Ok(StoredPreferences::default()),
        }
    }

    async fn put_preferences(
        &self,
        user: UserId,
        preferences: &StoredPreferences,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        use user_preferences::Column;
        let values = Value::Object(preferences.values.clone());
        let written = if preferences.version == 0 {
            user_preferences::Entity::insert(user_preferences::ActiveModel {
                user_id: Set(user),
                values: Set(values),
                updated_at: Set(now),
                version: Set(1),
            })
            .on_conflict(OnConflict::column(Column::UserId).do_nothing().to_owned())
            .exec_without_returning(&self.db.conn)
            .await
            .map_err(db_error)?
        } else {
            user_preferences::Entity::update_many()
                .col_expr(Column::Values, Expr::value(values))
                .col_expr(Column::UpdatedAt, Expr::value(now))
                .col_expr(Column::Version, Expr::value(preferences.version + 1))
                .filter(Column::UserId.eq(user))
                .filter(Column::Version.eq(preferences.version))
                .exec(&self.db.conn)
                .await
                .map_err(db_error)?
                .rows_affected
        };
        Ok(written == 1)
    }
}
