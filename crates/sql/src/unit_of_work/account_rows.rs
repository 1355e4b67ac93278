use async_trait::async_trait;
use sea_orm::{ActiveValue::Set, EntityTrait};
use tenantry_domain::{
    DomainError, Role,
    ports::{AccountRows, Registration},
};

use super::SqlTransaction;
use crate::{
    entities::{org_members, orgs, sso_identities, users},
    errors::{db_error, is_unique_violation},
};

#[async_trait]
impl AccountRows for SqlTransaction {
    async fn insert_account(&self, registration: &Registration) -> Result<(), DomainError> {
        let (user, org, sso_link) = (&registration.user, &registration.org, &registration.sso_link);
        let txn = &self.txn;
        orgs::Entity::insert(orgs::ActiveModel {
            id: Set(org.id),
            name: Set(org.name.as_str().to_owned()),
            // Personal orgs are named after their user; only shared org names must be unique.
            name_key: Set(None),
            personal: Set(org.personal),
            contact_name: Set(org.contact_name.clone()),
            contact_email: Set(org.contact_email.clone()),
            created_at: Set(org.created_at),
            updated_at: Set(org.created_at),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await
        .map_err(db_error)?;
        let inserted = users::Entity::insert(users::ActiveModel {
            id: Set(user.id),
            email: Set(user.email.as_str().to_owned()),
            name: Set(user.name.clone()),
            password_hash: Set(registration.password_hash.clone()),
            email_verified_at: Set(user.email_verified_at),
            current_org_id: Set(user.current_org_id),
            is_superadmin: Set(user.is_superadmin),
            token_epoch: Set(user.token_epoch),
            disabled_at: Set(user.disabled_at),
            mfa_enabled_at: Set(user.mfa_enabled_at),
            verified_sign_in_at: Set(sso_link.as_ref().map(|_| user.created_at)),
            created_at: Set(user.created_at),
            updated_at: Set(user.created_at),
        })
        .exec_without_returning(txn)
        .await;
        match inserted {
            Err(error) if is_unique_violation(&error) => {
                return Err(tenantry_domain::email::email_taken());
            }
            other => other.map_err(db_error)?,
        };
        if let Some(link) = sso_link {
            let linked = sso_identities::Entity::insert(sso_identities::ActiveModel {
                issuer: Set(link.issuer.clone()),
                subject: Set(link.subject.clone()),
                user_id: Set(user.id),
                created_at: Set(user.created_at),
            })
            .exec_without_returning(txn)
            .await;
            match linked {
                // A concurrent sign-in linked the identity first: this one finds it on its retry.
                Err(error) if is_unique_violation(&error) => {
                    return Err(tenantry_domain::email::email_taken());
                }
                other => other.map_err(db_error)?,
            };
        }
        org_members::Entity::insert(org_members::ActiveModel {
            org_id: Set(org.id),
            user_id: Set(user.id),
            role: Set(Role::Owner.name().to_owned()),
            created_at: Set(user.created_at),
        })
        .exec_without_returning(txn)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}
