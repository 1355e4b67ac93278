use crate::{
    AuditAction, AuditEntry, DomainError, Email, FieldError, Org, OrgName, SecretString, User,
    identity::first_superadmin::first_account_is_superadmin,
    identity::password::NewPassword,
    identity::services::identity::IdentityService,
    identity::session::TokenPair,
    new_id,
    orgs::default_org::{DefaultJoinFacts, DefaultOrg, joining_role},
    ports::{Registration, SsoIdentity, Transaction},
    sign_in::org_policy::email_in_domains,
};

/// What a client sends to register.
#[derive(Debug, Clone)]
pub struct RegisterInput {
    /// Email, any case.
    pub email: String,
    /// Chosen password.
    pub password: SecretString,
    /// Display name; defaults to the email's local part.
    pub name: Option<String>,
}

/// A new account and its first session.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The user.
    pub user: User,
    /// Its personal org.
    pub org: Org,
    /// Tokens for the first session.
    pub tokens: TokenPair,
}

/// Longest display name, in characters.
const MAX_NAME_CHARS: usize = 100;

impl IdentityService {
    /// Registers a user with a personal org (owner) set as current org, and signs it in.
    pub async fn register(&self, input: RegisterInput) -> Result<Registered, DomainError> {
        let (email, password, name) = validate(&input)?;
        let password_hash = self.ports.hasher.hash(password.secret()).await?;
        let (user, org) = self
            .create_account(email, name, Some(password_hash), None, AccountOrigin::SelfService)
            .await?;
        let tokens = self
            .start_session(&user, crate::identity::session::SignInMethod::Password)
            .await?;
        Ok(Registered { user, org, tokens })
    }

    /// Creates an account for an operator (no session is opened); audited in the new personal org.
    pub async fn create_by_operator(&self, input: RegisterInput) -> Result<User, DomainError> {
        let (email, password, name) = validate(&input)?;
        let password_hash = self.ports.hasher.hash(password.secret()).await?;
        let (user, _) = self
            .create_account(email, name, Some(password_hash), None, AccountOrigin::Operator)
            .await?;
        Ok(user)
    }

    /// Creates a user, its personal org and its owner membership in one transaction.
    pub(crate) async fn create_account(
        &self,
        email: Email,
        name: String,
        password_hash: Option<String>,
        email_verified_at: Option<chrono::DateTime<chrono::Utc>>,
        origin: AccountOrigin,
    ) -> Result<(User, Org), DomainError> {
        let now = self.ports.clock.now();
        let org = Org {
            id: new_id(),
            name: OrgName::parse(&name)?,
            personal: true,
            contact_name: Some(name.clone()),
            contact_email: Some(email.as_str().to_owned()),
            created_at: now,
            policy: Default::default(),
        };
        let user = User {
            id: new_id(),
            email,
            name,
            email_verified_at,
            current_org_id: Some(org.id),
            is_superadmin: false,
            token_epoch: 0,
            disabled_at: None,
            mfa_enabled_at: None,
            created_at: now,
        };
        let audit = match &origin {
            AccountOrigin::SelfService => None,
            AccountOrigin::Operator => Some(AuditEntry::new(
                org.id,
                now,
                None,
                AuditAction::UserCreated,
                ("user", Some(user.id.to_string())),
                serde_json::json!({ "via": "operator", "email": user.email.as_str() }),
            )),
            AccountOrigin::Sso(identity) => Some(AuditEntry::new(
                org.id,
                now,
                Some(user.id),
                AuditAction::SsoLinked,
                ("user", Some(user.id.to_string())),
                serde_json::json!({
                    "issuer": identity.issuer,
                    "subject": identity.subject,
                    "account": "created",
                }),
            )),
        };
        let sso_link = match origin {
            AccountOrigin::Sso(identity) => Some(identity),
            AccountOrigin::SelfService | AccountOrigin::Operator => None,
        };
        let mut registration = Registration {
            user,
            password_hash,
            org,
            audit,
            sso_link,
        };
        let transaction = self.ports.unit_of_work.begin().await?;
        let users = transaction.users();
        // Most registrations find accounts without waiting for the install lock; one that may be
        // the first takes it and looks again.
        let mut install_has_accounts = users.any_account().await?;
        if !install_has_accounts {
            users.lock_superadmins().await?;
            install_has_accounts = users.any_account().await?;
        }
        registration.user.is_superadmin |= first_account_is_superadmin(install_has_accounts);
        transaction.accounts().insert_account(&registration).await?;
        if let Some(audit) = &registration.audit {
            transaction.audit().record(audit).await?;
        }
        if let Some(default) = self.settings.default_org {
            join_default_org(
                transaction.as_ref(),
                default,
                &registration.user,
                !install_has_accounts,
                now,
            )
            .await?;
        }
        transaction.commit().await?;
        Ok((registration.user, registration.org))
    }
}

/// Adds an account to the install's default org at `at`, as [`joining_role`] decides (not yet, or
/// never; the org gone meanwhile, or the account a member already: nothing to do).
pub(crate) async fn join_default_org(
    transaction: &dyn Transaction,
    default: DefaultOrg,
    user: &User,
    first_account: bool,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    let org = match transaction.orgs().lock(default.id).await {
        Err(DomainError::NotFound) => return Ok(()),
        other => other?,
    };
    let members = transaction.members();
    if members.role_of(default.id, user.id).await?.is_some() {
        return Ok(());
    }
    let facts = DefaultJoinFacts {
        first_account,
        org_has_owner: members.owner_count(default.id).await? > 0,
        email_verified: user.email_verified(),
        email_domain_allowed: email_in_domains(&user.email, &org.policy.allowed_email_domains),
    };
    let Some(role) = joining_role(default, facts) else {
        return Ok(());
    };
    members.insert(default.id, user.id, role, at).await?;
    transaction
        .audit()
        .record(&AuditEntry::new(
            default.id,
            at,
            Some(user.id),
            AuditAction::MemberAdded,
            ("member", Some(user.id.to_string())),
            serde_json::json!({ "role": role.name(), "via": "default_org" }),
        ))
        .await
}

/// Who asks for a new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AccountOrigin {
    /// The person, registering.
    SelfService,
    /// An operator, from the command line (audited).
    Operator,
    /// A single sign-on for an identity no account has yet (linked in the same transaction).
    Sso(SsoIdentity),
}

/// Checks every field, reporting all problems at once.
fn validate(input: &RegisterInput) -> Result<(Email, NewPassword, String), DomainError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut collect = |error: DomainError| match error {
        DomainError::Validation(fields) => errors.extend(fields),
        other => errors.push(FieldError::new("body", other.to_string())),
    };
    let email = Email::parse(&input.email).map_err(&mut collect).ok();
    let password = email.as_ref().and_then(|email| {
        NewPassword::parse(&input.password, email, "password")
            .map_err(&mut collect)
            .ok()
    });
    let name = display_name(input.name.as_deref(), email.as_ref())
        .map_err(&mut collect)
        .ok();
    match (email, password, name) {
        (Some(email), Some(password), Some(name)) if errors.is_empty() => Ok((email, password, name)),
        _ => Err(DomainError::Validation(errors)),
    }
}

pub(crate) fn display_name(raw: Option<&str>, email: Option<&Email>) -> Result<String, DomainError> {
    let name = match raw.map(str::trim) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => email
            .and_then(|email| email.as_str().split('@').next())
            .unwrap_or("user")
            .to_owned(),
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid("name", "must be at most 100 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name)
}

/// The email of the single user of a no-auth install.
pub const LOCAL_USER_EMAIL: &str = "local@tenantry.localhost";

impl IdentityService {
    /// The single user of a no-auth (self-hosted) install, with its personal org; created on first
    /// call, found on every later one.
    pub async fn ensure_local_user(&self) -> Result<User, DomainError> {
        let email = Email::parse(LOCAL_USER_EMAIL)?;
        if let Some(found) = self.ports.credentials.credentials_by_email(&email).await? {
            return Ok(found.user);
        }
        match self
            .create_account(
                email.clone(),
                "Local user".into(),
                None,
                None,
                AccountOrigin::SelfService,
            )
            .await
        {
            Ok((user, _)) => Ok(user),
            // Another instance created it first.
            Err(DomainError::Conflict { .. }) => self
                .ports
                .credentials
                .credentials_by_email(&email)
                .await?
                .map(|found| found.user)
                .ok_or(DomainError::Internal("local user vanished".into())),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str, password: &str, name: Option<&str>) -> RegisterInput {
        RegisterInput {
            email: email.into(),
            password: SecretString::new(password),
            name: name.map(Into::into),
        }
    }

    #[test]
    fn reports_every_invalid_field() {
        let Err(DomainError::Validation(errors)) = validate(&input("nope", "short", Some(&"n".repeat(101))))
        else {
            panic!("expected validation errors");
        };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            fields,
            ["email", "name"],
            "password cannot be judged without a valid email"
        );
    }

    #[test]
    fn names_default_to_the_email_local_part() {
        let (_, _, name) =
            validate(&input("Bob@Example.com", "a long enough passphrase", None)).expect("valid");
        assert_eq!(name, "bob");
    }
}
