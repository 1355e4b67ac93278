//! The `StartConversationRequest` of an OpenHands agent server (1.58), and its user messages, written
//! from the domain's [`Launch`]. Secrets go as `LookupSecret`s the sandbox fetches with its own
//! session key, never as values.

use serde_json::{Map, Value, json};
use tenantry_domain::agent_launch::Launch;

/// A user message in the agent server's shape.
pub fn user_message(text: &str) -> Value {
    json!({ "role": "user", "content": [{ "type": "text", "text": text }] })
}

/// The `StartConversationRequest` body.
pub fn start_request(launch: &Launch) -> Value {
    let settings = &launch.settings;
    let mut llm = Map::new();
    llm.insert(
        "model".into(),
        json!(settings.llm_model.as_deref().unwrap_or("openai/gpt-4o")),
    );
    llm.insert("usage_id".into(), json!("agent"));
    if let Some(base_url) = &settings.llm_base_url {
        llm.insert("base_url".into(), json!(base_url));
    }
    if let Some(key) = &settings.llm_api_key {
        llm.insert("api_key".into(), json!(key.expose()));
    }
    let secrets: Map<String, Value> = launch
        .secrets
        .iter()
        .map(|secret| {
            (
                secret.name.clone(),
                json!({
                    "kind": "LookupSecret",
                    "url": secret.url,
                    "headers": { "X-Session-API-Key": launch.sandbox_key.expose() },
                    "description": null
                }),
            )
        })
        .collect();
    let mut request = json!({
        "conversation_id": launch.conversation_id,
        "agent": {
            "kind": "Agent",
            "llm": llm,
            "tools": [{ "name": "terminal" }, { "name": "file_editor" }, { "name": "task_tracker" }]
        },
        "workspace": { "working_dir": launch.working_dir },
        "secrets": secrets,
    });
    // As OpenHands' own app server does: confirmation mode with the LLM analyzer asks only before
    // risky actions; without an analyzer, before every action.
    let analyzer = settings
        .security_analyzer
        .as_deref()
        .filter(|name| settings.confirmation_mode && *name == "llm");
    request["confirmation_policy"] = match (settings.confirmation_mode, analyzer) {
        (true, Some(_)) => json!({ "kind": "ConfirmRisky" }),
        (true, None) => json!({ "kind": "AlwaysConfirm" }),
        (false, _) => json!({ "kind": "NeverConfirm" }),
    };
    if analyzer.is_some() {
        request["security_analyzer"] = json!({ "kind": "LLMSecurityAnalyzer" });
    }
    if let Some(max) = settings.max_iterations {
        request["max_iterations"] = json!(max);
    }
    if let Some(text) = &launch.initial_message {
        request["initial_message"] = user_message(text);
        request["initial_message"]["run"] = json!(launch.run_initial_message);
    }
    request
}

#[cfg(test)]
mod tests {
    use tenantry_domain::{
        SecretString,
        agent_launch::{LaunchSettings, SecretLookup},
    };

    use super::*;

    fn launch() -> Launch {
        Launch {
            conversation_id: tenantry_domain::new_id(),
            settings: LaunchSettings {
                llm_model: Some("openai/fake".into()),
                llm_base_url: Some("http://llm/v1".into()),
                llm_api_key: Some(SecretString::new("sk-member".to_owned())),
                max_iterations: Some(7),
                confirmation_mode: true,
                security_analyzer: None,
            },
            initial_message: Some("hi".into()),
            run_initial_message: true,
            secrets: vec![SecretLookup {
                name: "DEPLOY_TOKEN".into(),
                url: "http://tenantry/api/v1/webhooks/secrets/c/DEPLOY_TOKEN".into(),
            }],
            sandbox_key: SecretString::new("session-key".to_owned()),
            working_dir: "workspace/project".into(),
        }
    }

    #[test]
    fn the_request_carries_the_settings_and_offers_secrets_by_lookup_only() {
        let launch = launch();
        let request = start_request(&launch);
        assert_eq!(request["conversation_id"], json!(launch.conversation_id));
        assert_eq!(request["agent"]["llm"]["model"], "openai/fake");
        assert_eq!(request["agent"]["llm"]["base_url"], "http://llm/v1");
        assert_eq!(request["agent"]["llm"]["api_key"], "sk-member");
        assert_eq!(request["max_iterations"], 7);
        assert_eq!(request["confirmation_policy"]["kind"], "AlwaysConfirm");
        assert_eq!(request["initial_message"]["content"][0]["text"], "hi");
        assert_eq!(request["initial_message"]["run"], true);
        let waiting = start_request(&Launch {
            run_initial_message: false,
            ..launch.clone()
        });
        assert_eq!(waiting["initial_message"]["run"], false, "the agent waits");
        let secret = &request["secrets"]["DEPLOY_TOKEN"];
        assert_eq!(secret["kind"], "LookupSecret");
        assert_eq!(secret["headers"]["X-Session-API-Key"], "session-key");
        assert!(secret.get("value").is_none(), "no value travels in the request");
    }

    #[test]
    fn confirmation_follows_the_mode_and_the_analyzer() {
        let mut launch = launch();
        launch.settings.security_analyzer = Some("llm".into());
        let risky = start_request(&launch);
        assert_eq!(risky["confirmation_policy"]["kind"], "ConfirmRisky");
        assert_eq!(risky["security_analyzer"]["kind"], "LLMSecurityAnalyzer");
        launch.settings.confirmation_mode = false;
        let never = start_request(&launch);
        assert_eq!(never["confirmation_policy"]["kind"], "NeverConfirm");
        assert!(never.get("security_analyzer").is_none());
    }
}
