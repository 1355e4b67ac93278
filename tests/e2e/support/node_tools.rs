//! Test tools installed from npm outside the clone (by `.ci/run`): where their `node_modules` are,
//! and how a test says loudly that it could not run without them.

use std::path::PathBuf;

/// The `node_modules` holding `package`: the directory `env` names, else
/// `~/.cache/tenantry/<cache>/node_modules`; `None` when the package is not there.
pub fn node_modules(env: &str, cache: &str, package: &str) -> Option<PathBuf> {
    let modules = std::env::var_os(env).map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|home| {
            PathBuf::from(home)
                .join(".cache/tenantry")
                .join(cache)
                .join("node_modules")
        })
    })?;
    modules.join(package).is_dir().then_some(modules)
}

/// A tool is missing: a failure under CI, a loud notice elsewhere.
pub fn not_installed(message: &str) {
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("\n\n!!! {message} !!!\n\n");
}
