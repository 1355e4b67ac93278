//! Sandbox specs: named launch settings for the sandboxes Tenantry starts (what to run, where the
//! agent works, the environment it starts with), as OpenHands names them.

use std::collections::BTreeMap;

use crate::DomainError;

/// One spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSpec {
    /// Its name, chosen by clients (`?sandbox_spec_id=`).
    pub id: String,
    /// The program and arguments that run the agent server (the runtime's default when empty).
    pub command: Vec<String>,
    /// Where the agent works, relative to the sandbox's own directory.
    pub working_dir: String,
    /// Environment the agent server starts with, besides what the runtime sets itself.
    pub initial_env: BTreeMap<String, String>,
}

/// Environment names the runtime sets for every sandbox (its key, where it reports and with what
/// headers, its secret key, where it keeps conversations): a spec cannot set them. How often it
/// reports (`OH_WEBHOOKS_0_FLUSH_DELAY`, …) a spec may tune.
pub fn reserved_env_name(name: &str) -> bool {
    name.starts_with("OH_SESSION_API_KEYS")
        || name == "SESSION_API_KEY"
        || (name.starts_with("OH_WEBHOOKS_") && (name.ends_with("_BASE_URL") || name.ends_with("_HEADERS")))
        || name.starts_with("OH_SECRET_KEY")
        || name.starts_with("OH_PREVIOUS_SECRET_KEYS")
        || name == "OH_CONVERSATIONS_PATH"
        || name.starts_with("TENANTRY_")
}

/// The specs an install offers, one of them the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSpecs {
    specs: Vec<SandboxSpec>,
    default: String,
}

impl SandboxSpecs {
    /// Checks the specs (unique non-empty ids, no reserved environment names, a relative working
    /// directory that stays inside the sandbox) and that `default` is one of them.
    pub fn new(specs: Vec<SandboxSpec>, default: &str) -> Result<Self, String> {
        for (index, spec) in specs.iter().enumerate() {
            if spec.id.trim().is_empty() || specs[..index].iter().any(|other| other.id == spec.id) {
                return Err(format!(
                    "sandbox spec ids must be unique and non-empty: {:?}",
                    spec.id
                ));
            }
            if let Some(name) = spec.initial_env.keys().find(|name| reserved_env_name(name)) {
                return Err(format!("sandbox spec {:?} may not set {name}", spec.id));
            }
            let dir = std::path::Path::new(&spec.working_dir);
            if dir.is_absolute() || dir.components().any(|part| part.as_os_str() == "..") {
                return Err(format!(
                    "sandbox spec {:?}: working_dir must be relative and stay inside the sandbox",
                    spec.id
                ));
            }
        }
        if !specs.iter().any(|spec| spec.id == default) {
            return Err(format!(
                "the default sandbox spec {default:?} is not among the specs"
            ));
        }
        Ok(Self {
            specs,
            default: default.to_owned(),
        })
    }

    /// Every spec, in configured order.
    pub fn all(&self) -> &[SandboxSpec] {
        &self.specs
    }

    /// The spec named `id`, or the default when `None`; an unknown name is 422 (field `spec`).
    pub fn choose(&self, id: Option<&str>) -> Result<&SandboxSpec, DomainError> {
        let wanted = id
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .unwrap_or(&self.default);
        self.specs
            .iter()
            .find(|spec| spec.id == wanted)
            .ok_or_else(|| DomainError::invalid("spec", format!("no sandbox spec is named {wanted:?}")))
    }

    /// The spec named `id`, if any.
    pub fn get(&self, id: &str) -> Option<&SandboxSpec> {
        self.specs.iter().find(|spec| spec.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(id: &str) -> SandboxSpec {
        SandboxSpec {
            id: id.into(),
            command: Vec::new(),
            working_dir: "workspace/project".into(),
            initial_env: BTreeMap::new(),
        }
    }

    #[test]
    fn the_default_is_chosen_when_none_is_named() {
        let specs = SandboxSpecs::new(vec![spec("a"), spec("b")], "b").expect("valid");
        assert_eq!(specs.choose(None).expect("default").id, "b");
        assert_eq!(specs.choose(Some("a")).expect("named").id, "a");
    }

    #[test]
    fn an_unknown_spec_is_a_validation_error() {
        let specs = SandboxSpecs::new(vec![spec("a")], "a").expect("valid");
        assert!(matches!(
            specs.choose(Some("zzz")),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn a_spec_cannot_set_what_the_runtime_sets() {
        let mut bad = spec("a");
        bad.initial_env
            .insert("OH_SESSION_API_KEYS_0".into(), "mine".into());
        assert!(SandboxSpecs::new(vec![bad], "a").is_err());
    }

    #[test]
    fn a_working_dir_cannot_leave_the_sandbox() {
        let mut bad = spec("a");
        bad.working_dir = "../elsewhere".into();
        assert!(SandboxSpecs::new(vec![bad.clone()], "a").is_err());
        bad.working_dir = "/etc".into();
        assert!(SandboxSpecs::new(vec![bad], "a").is_err());
    }

    #[test]
    fn the_default_must_exist_and_ids_be_unique() {
        assert!(SandboxSpecs::new(vec![spec("a")], "b").is_err());
        assert!(SandboxSpecs::new(vec![spec("a"), spec("a")], "a").is_err());
    }
}
