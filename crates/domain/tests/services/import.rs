//! Imports: conversations keep their ids and resume where a run stopped; settings and secrets fill
//! only what the org has not set; an unreadable conversation is reported and the rest goes on.

use std::sync::Mutex;

use chrono::{TimeZone, Utc};
use serde_json::{Map, Value, json};
use tenantry_domain::{
    SecretString,
    import::{ImportProblem, ImportedConversation, ImportedEvent, ImportedSecret, ImportedSettings},
    new_id,
    ports::{ImportProgress, ImportSource},
};

use crate::world::World;

/// A source held in memory: conversations with their events.
struct Source {
    settings: Option<ImportedSettings>,
    secrets: Vec<ImportedSecret>,
    conversations: Vec<Result<(ImportedConversation, Vec<Value>), ImportProblem>>,
    current: Vec<Value>,
}

#[async_trait::async_trait]
impl ImportSource for Source {
    async fn settings(&mut self) -> Result<Option<ImportedSettings>, ImportProblem> {
        Ok(self.settings.clone())
    }

    async fn secrets(&mut self) -> Result<Vec<ImportedSecret>, ImportProblem> {
        Ok(self.secrets.clone())
    }

    fn preamble_problems(&mut self) -> Vec<ImportProblem> {
        Vec::new()
    }

    fn conversation_count(&self) -> u64 {
        self.conversations.len() as u64
    }

    async fn next_conversation(&mut self) -> Option<Result<ImportedConversation, ImportProblem>> {
        if self.conversations.is_empty() {
            return None;
        }
        Some(self.conversations.remove(0).map(|(conversation, events)| {
            self.current = events;
            conversation
        }))
    }

    async fn next_events(&mut self, max: usize) -> Result<Vec<ImportedEvent>, ImportProblem> {
        let take = max.min(self.current.len());
        Ok(self
            .current
            .drain(..take)
            .map(|event| ImportedEvent {
                event,
                stored_at: None,
            })
            .collect())
    }
}

#[derive(Default)]
struct Seen(Mutex<Vec<String>>);

impl ImportProgress for Seen {
    fn conversation_done(&self, _events: u64) {}

    fn problem(&self, problem: &ImportProblem) {
        self.0.lock().unwrap().push(problem.to_string());
    }
}

fn conversation(id: uuid::Uuid, title: &str) -> ImportedConversation {
    let at = Utc.with_ymd_and_hms(2025, 10, 12, 14, 0, 0).unwrap();
    ImportedConversation {
        id,
        title: Some(title.into()),
        selected_repository: None,
        selected_branch: None,
        git_provider: None,
        trigger: None,
        llm_model: Some("openai/gpt-5".into()),
        visibility: None,
        pr_number: Vec::new(),
        accumulated_cost: 1_500_000,
        prompt_tokens: 10,
        completion_tokens: 2,
        total_tokens: 12,
        execution_status: Some("finished".into()),
        created_by: None,
        created_at: at,
        last_updated_at: at,
    }
}

fn events(count: usize) -> Vec<Value> {
    (0..count).map(|n| json!({ "n": n })).collect()
}

fn values(value: Value) -> Map<String, Value> {
    value.as_object().expect("object").clone()
}

#[tokio::test]
async fn a_second_run_appends_only_what_the_first_did_not_and_keeps_the_sources_times() {
    let world = World::new();
    let ada = world.person("ada").await;
    let id = new_id();
    let mut first = Source {
        settings: None,
        secrets: Vec::new(),
        conversations: vec![Ok((conversation(id, "imported"), events(3)))],
        current: Vec::new(),
    };
    let seen = Seen::default();
    let summary = world
        .import
        .run(&ada.caller, ada.personal_org, &mut first, &seen, false)
        .await
        .unwrap();
    assert_eq!((summary.created, summary.events), (1, 3));

    let mut second = Source {
        conversations: vec![Ok((conversation(id, "imported"), events(1500)))],
        ..first
    };
    let summary = world
        .import
        .run(&ada.caller, ada.personal_org, &mut second, &seen, false)
        .await
        .unwrap();
    assert_eq!((summary.created, summary.resumed, summary.events), (0, 1, 1497));
    let stored = world
        .conversations
        .get(&ada.caller, ada.personal_org, id)
        .await
        .unwrap();
    assert_eq!(stored.event_count, 1500);
    assert_eq!(stored.accumulated_cost, 1_500_000);
    assert_eq!(
        stored.last_updated_at,
        conversation(id, "x").last_updated_at,
        "the source's time"
    );
    let page = world
        .conversations
        .read_events(&ada.caller, ada.personal_org, id, 0, 1000)
        .await
        .unwrap();
    let ns: Vec<i64> = page
        .items
        .iter()
        .map(|item| item.event["n"].as_i64().unwrap())
        .collect();
    assert_eq!(ns, (0..1000).collect::<Vec<i64>>(), "dense and in source order");
    assert!(seen.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn settings_and_secrets_fill_only_what_the_org_has_not_set_and_a_dry_run_writes_nothing() {
    let world = World::new();
    let ada = world.person("ada").await;
    let org = ada.personal_org;
    world
        .settings
        .update_org_settings(&ada.caller, org, &values(json!({ "llm_model": "mine" })))
        .await
        .unwrap();
    let fine = new_id();
    let source = || Source {
        settings: Some(ImportedSettings {
            values: values(json!({ "llm_model": "theirs", "max_iterations": 40 })),
            llm_api_key: Some(SecretString::new("sk-imported")),
        }),
        secrets: vec![ImportedSecret {
            name: "GITHUB_TOKEN".into(),
            value: SecretString::new("ghp_imported"),
            description: None,
        }],
        conversations: vec![
            Err(ImportProblem::new("sessions/broken", "no created_at")),
            Ok((conversation(fine, "fine"), events(2))),
        ],
        current: Vec::new(),
    };
    let seen = Seen::default();
    let dry = world
        .import
        .run(&ada.caller, org, &mut source(), &seen, true)
        .await
        .unwrap();
    assert_eq!((dry.created, dry.events, dry.settings, dry.secrets), (1, 2, 2, 1));
    let view = world.settings.org_settings(&ada.caller, org).await.unwrap();
    assert_eq!(
        view.values.get("max_iterations"),
        None,
        "a dry run writes nothing"
    );

    let summary = world
        .import
        .run(&ada.caller, org, &mut source(), &seen, false)
        .await
        .unwrap();
    assert_eq!((summary.settings, summary.secrets, summary.kept), (2, 1, 1));
    assert_eq!(summary.problems.len(), 1, "the broken conversation, reported");
    let view = world.settings.org_settings(&ada.caller, org).await.unwrap();
    assert_eq!(view.values["llm_model"], "mine", "the org's own choice stays");
    assert_eq!(view.values["max_iterations"], 40);
    assert!(view.secrets_set.iter().any(|field| field == "llm_api_key"));

    let again = world
        .import
        .run(&ada.caller, org, &mut source(), &seen, false)
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.unchanged, again.settings, again.secrets),
        (0, 1, 0, 0)
    );
    assert_eq!(
        again.kept, 4,
        "model, iterations, key and secret were all set already"
    );
    assert_eq!(
        seen.0.lock().unwrap().len(),
        3,
        "the broken conversation, once per run"
    );
}
