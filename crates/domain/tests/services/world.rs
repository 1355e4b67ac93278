//! A whole Tenantry domain over the in-memory adapters: every service, one store, a clock that
//! moves only when a test moves it, an outbox, and background work that runs when a test says so.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use tenantry_crypto::{JwtAccessTokens, JwtSettings, KeyRing, RandomSecretTokens, TntApiKeys, TotpRfc6238};
use tenantry_domain::{
    Caller, DomainError, OrgId, Role, SecretString, User,
    invitation_acceptance::JoiningPolicy,
    orgs::default_org::DefaultOrg,
    ports::{PasswordCheck, PasswordHasher, SessionThenRead},
    services::{
        AdminPorts, AdminService, ApiKeyPorts, ApiKeyService, BudgetPorts, BudgetService, ConversationPorts,
        ConversationService, EventPurger, IdentityPorts, IdentityService, IdentitySettings, ImportPorts,
        ImportService, OrgPorts, OrgService, OrgSettings, RetentionService, SecretPorts, SecretService,
        SettingsPorts, SettingsService, identity::RegisterInput,
    },
    throttle::{ThrottleLimit, ThrottlePolicy},
};
use tenantry_memory::{ManualClock, MemoryEventStore, MemorySignalBus, MemoryStore, Outbox, QueuedTasks};

/// Failed logins allowed per account before a lockout, in this world.
pub const ACCOUNT_MAX_FAILURES: u32 = 5;

/// Salted SHA-256 in place of argon2: the services' rules do not depend on the hash's cost, and
/// these tests must run in milliseconds. Test code only.
struct QuickHasher;

#[async_trait]
impl PasswordHasher for QuickHasher {
    async fn hash(&self, password: &SecretString) -> Result<String, DomainError> {
        let salt = uuid::Uuid::new_v4().simple().to_string();
        Ok(format!("quick${salt}${}", digest(&salt, password.expose())))
    }

    async fn verify(
        &self,
        password: &SecretString,
        stored: Option<&str>,
    ) -> Result<PasswordCheck, DomainError> {
        let matches = stored
            .and_then(|stored| stored.strip_prefix("quick$"))
            .and_then(|rest| rest.split_once('$'))
            .is_some_and(|(salt, hash)| digest(salt, password.expose()) == hash);
        Ok(if matches {
            PasswordCheck::Match { needs_rehash: false }
        } else {
            PasswordCheck::Mismatch
        })
    }
}

fn digest(salt: &str, password: &str) -> String {
    format!("{:x}", Sha256::digest(format!("{salt}:{password}")))
}

/// Every service over one in-memory store.
pub struct World {
    pub store: Arc<MemoryStore>,
    pub events: Arc<MemoryEventStore>,
    pub clock: Arc<ManualClock>,
    pub outbox: Arc<Outbox>,
    pub identity: IdentityService,
    pub orgs: OrgService,
    pub conversations: ConversationService,
    pub budgets: BudgetService,
    pub settings: SettingsService,
    pub api_keys: ApiKeyService,
    pub admin: AdminService,
    pub operators: tenantry_domain::services::OperatorService,
    pub retention: RetentionService,
    pub import: ImportService,
    pub secrets: SecretService,
}

impl World {
    /// A fresh world where joining needs no verified email.
    pub fn new() -> Self {
        Self::with_joining(JoiningPolicy {
            require_verified_email: false,
        })
    }

    /// A fresh world with the given joining policy.
    pub fn with_joining(joining: JoiningPolicy) -> Self {
        Self::assemble(
            Arc::new(MemoryStore::new()),
            Arc::new(MemoryEventStore::new()),
            Arc::new(ManualClock::new()),
            joining,
            None,
        )
    }

    /// A fresh world whose install has the default org `name`, joined with `role` (set up as the
    /// server does at start-up).
    pub async fn with_default_org(name: &str, role: Role, joining: JoiningPolicy) -> Self {
        let setup = Self::with_joining(joining);
        let id = setup.orgs.ensure_default_org(name).await.expect("default org");
        Self::assemble(
            setup.store,
            setup.events,
            setup.clock,
            joining,
            Some(DefaultOrg { id, role, joining }),
        )
    }

    fn assemble(
        shared: Arc<MemoryStore>,
        events: Arc<MemoryEventStore>,
        clock: Arc<ManualClock>,
        joining: JoiningPolicy,
        default_org: Option<DefaultOrg>,
    ) -> Self {
        let outbox = Arc::new(Outbox::new());
        let background = Arc::new(QueuedTasks::new());
        let signals = Arc::new(MemorySignalBus::default());
        let purger = EventPurger::new(shared.clone(), events.clone());
        let (key_id, key) = KeyRing::new_config_entry();
        let cipher = Arc::new(KeyRing::from_config(&format!("{key_id}:{key}"), &key_id).expect("key ring"));
        let identity = IdentityService::new(
            IdentityPorts {
                accounts: shared.clone(),
                unit_of_work: shared.clone(),
                credentials: shared.clone(),
                sessions: shared.clone(),
                one_time_tokens: shared.clone(),
                hasher: Arc::new(QuickHasher),
                access_tokens: Arc::new(
                    JwtAccessTokens::new(JwtSettings {
                        secret: uuid::Uuid::new_v4().as_bytes().repeat(2),
                        issuer: "tenantry".into(),
                        audience: "tenantry".into(),
                        ttl: Duration::from_secs(900),
                        leeway: Duration::from_secs(5),
                    })
                    .expect("jwt settings"),
                ),
                secret_tokens: Arc::new(RandomSecretTokens),
                mailer: outbox.clone(),
                throttle: shared.clone(),
                clock: clock.clone(),
                background: background.clone(),
                signals: signals.clone(),
                mfa: shared.clone(),
                totp: Arc::new(TotpRfc6238),
                cipher: cipher.clone(),
            },
            IdentitySettings {
                refresh_ttl: Duration::from_secs(30 * 86_400),
                verification_ttl: Duration::from_secs(86_400),
                reset_ttl: Duration::from_secs(3_600),
                throttle: ThrottlePolicy {
                    per_account: limit(ACCOUNT_MAX_FAILURES),
                    per_address: limit(20),
                },
                reset_mails_per_account: limit(3),
                mail_requests_per_address: limit(10),
                public_url: "http://tenantry.test".into(),
                default_org,
            },
        );
        let orgs = OrgService::new(
            OrgPorts {
                orgs: shared.clone(),
                directory: shared.clone(),
                audit: shared.clone(),
                unit_of_work: shared.clone(),
                credentials: shared.clone(),
                secret_tokens: Arc::new(RandomSecretTokens),
                mailer: outbox.clone(),
                clock: clock.clone(),
                purger: purger.clone(),
                signals: signals.clone(),
            },
            OrgSettings {
                invitation_ttl: Duration::from_secs(7 * 86_400),
                public_url: "http://tenantry.test".into(),
                joining,
            },
        );
        let budgets = BudgetService::new(
            BudgetPorts {
                store: shared.clone(),
                orgs: shared.clone(),
                directory: shared.clone(),
                mailer: outbox.clone(),
                audit: shared.clone(),
                clock: clock.clone(),
            },
            "http://tenantry.test",
        );
        let conversations = ConversationService::new(ConversationPorts {
            conversations: shared.clone(),
            event_index: shared.clone(),
            unit_of_work: shared.clone(),
            orgs: shared.clone(),
            events: events.clone(),
            purger: purger.clone(),
            clock: clock.clone(),
            signals: signals.clone(),
            shares: shared.clone(),
            tickets: shared.clone(),
            secret_tokens: Arc::new(RandomSecretTokens),
            start_policy: Arc::new(budgets.clone()),
            spend: Arc::new(budgets.clone()),
            session_reads: Arc::new(SessionThenRead {
                sessions: shared.clone(),
                conversations: shared.clone(),
                event_index: shared.clone(),
            }),
        });
        let settings = SettingsService::new(SettingsPorts {
            settings: shared.clone(),
            secrets: shared.clone(),
            cipher: cipher.clone(),
            orgs: shared.clone(),
            clock: clock.clone(),
        });
        let secrets = SecretService::new(SecretPorts {
            secrets: shared.clone(),
            cipher,
            orgs: shared.clone(),
            conversations: shared.clone(),
            audit: shared.clone(),
            clock: clock.clone(),
        });
        let import = ImportService::new(ImportPorts {
            conversations: conversations.clone(),
            settings: settings.clone(),
            secrets: secrets.clone(),
            directory: shared.clone(),
        });
        let api_keys = ApiKeyService::new(ApiKeyPorts {
            keys: shared.clone(),
            format: Arc::new(TntApiKeys),
            orgs: shared.clone(),
            users: shared.clone(),
            clock: clock.clone(),
            signals: signals.clone(),
        });
        let admin = AdminService::new(
            identity.clone(),
            AdminPorts {
                accounts: shared.clone(),
                credentials: shared.clone(),
                unit_of_work: shared.clone(),
                clock: clock.clone(),
                signals: signals.clone(),
            },
        );
        let operators = tenantry_domain::services::OperatorService::new(
            admin.clone(),
            tenantry_domain::services::OperatorPorts {
                reads: shared.clone(),
                sessions: shared.clone(),
                accounts: shared.clone(),
                clock: clock.clone(),
            },
            tenantry_domain::identity::operator_access::FreshSignIn(Duration::from_secs(900)),
        );
        let retention = RetentionService::new(shared.clone(), clock.clone(), signals, purger);
        Self {
            store: shared,
            events,
            clock,
            outbox,
            identity,
            orgs,
            conversations,
            budgets,
            settings,
            api_keys,
            admin,
            operators,
            retention,
            import,
            secrets,
        }
    }

    /// Registers `name@example.com` and returns them signed in, with their personal org.
    pub async fn person(&self, name: &str) -> Person {
        let registered = self
            .identity
            .register(RegisterInput {
                email: format!("{name}@example.com"),
                password: SecretString::new(PASSWORD),
                name: Some(name.into()),
            })
            .await
            .expect("registration");
        Person {
            caller: Caller::person(registered.user.clone(), None),
            user: registered.user,
            personal_org: registered.org.id,
            tokens: registered.tokens,
        }
    }

    /// A new conversation of `person` in their personal org.
    pub async fn conversation_of(&self, person: &Person) -> tenantry_domain::Conversation {
        self.conversation_in(person, person.personal_org).await
    }

    /// A new conversation `person` starts in `org`.
    pub async fn conversation_in(&self, person: &Person, org: OrgId) -> tenantry_domain::Conversation {
        self.conversations
            .create(
                &person.caller,
                org,
                tenantry_domain::services::conversations::NewConversationInput::default(),
            )
            .await
            .expect("conversation")
    }

    /// A shared org owned by `owner`, with each of `members` added in their role.
    pub async fn org_with(&self, owner: &Person, name: &str, members: &[(&Person, Role)]) -> OrgId {
        let org = self
            .orgs
            .create(
                &owner.caller,
                tenantry_domain::services::orgs::NewOrgInput {
                    name: name.into(),
                    ..Default::default()
                },
            )
            .await
            .expect("org")
            .org
            .id;
        for (member, role) in members {
            self.orgs
                .add_member(&owner.caller, org, member.user.email.as_str(), *role)
                .await
                .expect("member added");
        }
        org
    }
}

/// The password every person of this world registers with.
pub const PASSWORD: &str = "a long enough passphrase";

fn limit(max_failures: u32) -> ThrottleLimit {
    ThrottleLimit {
        max_failures,
        window: Duration::from_secs(900),
        lockout: Duration::from_secs(900),
    }
}

/// A registered person.
#[derive(Clone)]
pub struct Person {
    pub user: User,
    pub caller: Caller,
    pub personal_org: OrgId,
    /// The tokens of the session registration opened.
    pub tokens: tenantry_domain::session::TokenPair,
}
