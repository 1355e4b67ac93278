//! Importing another store into an org: settings and secrets fill what the org has not set,
//! conversations keep their ids and resume where an earlier run stopped. A problem with one item
//! is reported and the import goes on.

use std::{collections::HashMap, sync::Arc};

use serde_json::{Map, Value};

use crate::{
    Caller, DomainError, OrgId, UserId,
    porting::import::{ImportProblem, ImportStart, ImportedConversation, append_batches, settings_to_fill},
    ports::{ImportProgress, ImportSource, MemberDirectory},
    secrets::stored_secret::SecretScope,
    services::{
        SecretService, SettingsService,
        conversations::{ConversationService, MAX_BATCH},
        secrets::PutSecretInput,
    },
};

/// The services an import writes through (so every rule of theirs holds).
#[derive(Clone)]
pub struct ImportPorts {
    /// Conversations and events.
    pub conversations: ConversationService,
    /// Org settings.
    pub settings: SettingsService,
    /// Secrets.
    pub secrets: SecretService,
    /// Members, to keep creators who are members of the target org.
    pub directory: Arc<dyn MemberDirectory>,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Conversations created.
    pub created: u64,
    /// Conversations found from an earlier run that got further events.
    pub resumed: u64,
    /// Conversations found complete from an earlier run.
    pub unchanged: u64,
    /// Events appended.
    pub events: u64,
    /// Settings fields filled.
    pub settings: u64,
    /// Secrets stored.
    pub secrets: u64,
    /// Settings and secrets the org already had, kept.
    pub kept: u64,
    /// What could not be read or applied.
    pub problems: Vec<ImportProblem>,
}

/// The import use case.
#[derive(Clone)]
pub struct ImportService {
    ports: ImportPorts,
}

impl ImportService {
    /// The use case over the given services.
    pub fn new(ports: ImportPorts) -> Self {
        Self { ports }
    }

    /// Imports `source` into `org` as `caller`; with `dry_run`, reads everything and writes nothing.
    pub async fn run(
        &self,
        caller: &Caller,
        org: OrgId,
        source: &mut dyn ImportSource,
        progress: &dyn ImportProgress,
        dry_run: bool,
    ) -> Result<ImportSummary, DomainError> {
        let mut summary = ImportSummary::default();
        let problem = |summary: &mut ImportSummary, problem: ImportProblem| {
            progress.problem(&problem);
            summary.problems.push(problem);
        };
        match source.settings().await {
            Ok(Some(settings)) => {
                if let Err(failed) = self.settings(caller, org, settings, dry_run, &mut summary).await {
                    problem(&mut summary, ImportProblem::new("settings", failed.to_string()));
                }
            }
            Ok(None) => {}
            Err(failed) => problem(&mut summary, failed),
        }
        match source.secrets().await {
            Ok(secrets) => {
                for failed in self.secrets(caller, org, secrets, dry_run, &mut summary).await? {
                    problem(&mut summary, failed);
                }
            }
            Err(failed) => problem(&mut summary, failed),
        }
        for failed in source.preamble_problems() {
            problem(&mut summary, failed);
        }
        let creators: HashMap<String, UserId> = self
            .ports
            .directory
            .members(org)
            .await?
            .into_iter()
            .map(|member| (member.email.as_str().to_owned(), member.user_id))
            .collect();
        while let Some(next) = source.next_conversation().await {
            let imported = match next {
                Ok(imported) => imported,
                Err(failed) => {
                    problem(&mut summary, failed);
                    continue;
                }
            };
            let id = imported.id;
            let creator = imported
                .created_by
                .as_ref()
                .and_then(|email| creators.get(email.as_str()).copied())
                .unwrap_or(caller.user.id);
            match self
                .conversation(caller, org, imported, creator, source, dry_run, &mut summary)
                .await
            {
                Ok(events) => progress.conversation_done(events),
                Err(failed) => problem(
                    &mut summary,
                    ImportProblem::new(format!("conversation {id}"), failed.to_string()),
                ),
            }
        }
        Ok(summary)
    }

    async fn settings(
        &self,
        caller: &Caller,
        org: OrgId,
        imported: crate::porting::import::ImportedSettings,
        dry_run: bool,
        summary: &mut ImportSummary,
    ) -> Result<(), DomainError> {
        let current = self.ports.settings.org_settings(caller, org).await?;
        let is_set = |field: &str| current.values.get(field).is_some_and(|value| !value.is_null());
        let mut fill: Map<String, Value> = settings_to_fill(&imported.values, is_set);
        summary.kept += imported
            .values
            .iter()
            .filter(|(field, value)| !value.is_null() && is_set(field))
            .count() as u64;
        if let Some(key) = imported.llm_api_key {
            if current.secrets_set.iter().any(|field| field == "llm_api_key") {
                summary.kept += 1;
            } else {
                fill.insert("llm_api_key".into(), Value::String(key.expose().to_owned()));
            }
        }
        if fill.is_empty() {
            return Ok(());
        }
        let filled = fill.len() as u64;
        if !dry_run {
            self.ports
                .settings
                .update_org_settings(caller, org, &fill)
                .await?;
        }
        summary.settings += filled;
        Ok(())
    }

    async fn secrets(
        &self,
        caller: &Caller,
        org: OrgId,
        secrets: Vec<crate::porting::import::ImportedSecret>,
        dry_run: bool,
        summary: &mut ImportSummary,
    ) -> Result<Vec<ImportProblem>, DomainError> {
        if secrets.is_empty() {
            return Ok(Vec::new());
        }
        let existing: Vec<String> = self
            .ports
            .secrets
            .list(caller, org)
            .await?
            .into_iter()
            .filter(|meta| meta.scope == SecretScope::Org)
            .map(|meta| meta.name)
            .collect();
        let mut problems = Vec::new();
        for secret in secrets {
            if existing.contains(&secret.name) {
                summary.kept += 1;
                continue;
            }
            if !dry_run {
                let input = PutSecretInput {
                    value: secret.value,
                    description: secret.description,
                    scope: SecretScope::Org,
                };
                if let Err(failed) = self.ports.secrets.put(caller, org, &secret.name, input).await {
                    problems.push(ImportProblem::new(
                        format!("secret {}", secret.name),
                        failed.to_string(),
                    ));
                    continue;
                }
            }
            summary.secrets += 1;
        }
        Ok(problems)
    }

    /// Imports one conversation and its events; returns how many events were appended.
    #[allow(clippy::too_many_arguments)]
    async fn conversation(
        &self,
        caller: &Caller,
        org: OrgId,
        imported: ImportedConversation,
        creator: UserId,
        source: &mut dyn ImportSource,
        dry_run: bool,
        summary: &mut ImportSummary,
    ) -> Result<u64, DomainError> {
        let service = &self.ports.conversations;
        let (id, last_updated_at) = (imported.id, imported.last_updated_at);
        let start = if dry_run {
            match service.get(caller, org, id).await {
                Ok(existing) => ImportStart::Resume {
                    stored_events: existing.event_count,
                },
                Err(DomainError::NotFound) => ImportStart::Create,
                Err(failed) => return Err(failed),
            }
        } else {
            service
                .import_conversation(caller, org, imported, creator)
                .await?
        };
        let mut skip = match start {
            ImportStart::Create => 0,
            ImportStart::Resume { stored_events } => stored_events.max(0) as u64,
        };
        let mut next_id = skip as i64;
        let mut appended = 0;
        loop {
            let events = source
                .next_events(MAX_BATCH)
                .await
                .map_err(|problem| DomainError::invalid("events", problem.to_string()))?;
            if events.is_empty() {
                break;
            }
            let read = events.len() as u64;
            let fresh: Vec<_> = events
                .into_iter()
                .skip(usize::try_from(skip).unwrap_or(usize::MAX))
                .collect();
            skip = skip.saturating_sub(read);
            for (at, batch) in append_batches(fresh, MAX_BATCH) {
                if !dry_run {
                    service
                        .import_events(caller, org, id, &batch, at.unwrap_or(last_updated_at), next_id)
                        .await?;
                }
                next_id += batch.len() as i64;
                appended += batch.len() as u64;
            }
        }
        if !dry_run && (start == ImportStart::Create || appended > 0) {
            service.finish_import(caller, org, id, last_updated_at).await?;
        }
        match start {
            ImportStart::Create => summary.created += 1,
            ImportStart::Resume { .. } if appended > 0 => summary.resumed += 1,
            ImportStart::Resume { .. } => summary.unchanged += 1,
        }
        summary.events += appended;
        Ok(appended)
    }
}
