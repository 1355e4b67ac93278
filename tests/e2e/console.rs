//! The web console: served embedded under a strict CSP, with the reference page working offline,
//! and the whole flow of a team walked through in Debian's Chromium (`tests/browser/console-flow.mjs`,
//! driven by playwright-core) against this server. Screenshots land under `target/console-screenshots`.

use std::{path::PathBuf, process::Command};

use serde_json::Value;

use crate::support::{
    node_tools::{node_modules, not_installed},
    spawn_app, spawn_app_with,
};

/// The `node_modules` holding playwright-core: `TENANTRY_TEST_BROWSER_MODULES`, else where `.ci/run`
/// installs it.
fn browser_modules() -> Option<PathBuf> {
    node_modules("TENANTRY_TEST_BROWSER_MODULES", "browser", "playwright-core")
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("TENANTRY_TEST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// `target/console-screenshots/<database>`, beside the test binary's build directory.
fn screenshot_dir(database: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let target = exe
        .ancestors()
        .find(|dir| {
            dir.file_name()
                .is_some_and(|name| name == "debug" || name == "release")
        })
        .and_then(|profile| profile.parent())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    target.join("console-screenshots").join(database)
}

const PAGES: [&str; 10] = [
    "/",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
    "/verify-email?token=abc",
    "/reset-password?token=abc",
    "/invitations/accept?token=abc",
    "/account",
    "/admin",
    "/orgs/0190f5d2-3c4e-7d6f-8a9b-0c1d2e3f4a5b/members",
];

#[tokio::test]
async fn every_console_page_is_the_embedded_app_under_a_csp_without_inline_scripts() {
    let app = spawn_app().await;
    let mut assets = Vec::new();
    for page in PAGES {
        let response = app.get(page).await;
        assert_eq!(response.status(), 200, "{page}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        assert!(csp.contains("script-src 'self';"), "{page}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{page}: {csp}"
        );
        let html = response.text().await.expect("html");
        assert!(html.contains(r#"<script type="module" src="/assets/js/app.js">"#));
        assert!(!html.contains("<script>"), "no inline script: {page}");
        for src in html.split("src=\"").skip(1).chain(html.split("href=\"").skip(1)) {
            let url = src.split('"').next().expect("url");
            if url.starts_with('/') && !url.starts_with("//") {
                assets.push(url.to_owned());
            } else if !url.starts_with('#') {
                panic!("{page} loads {url} from elsewhere");
            }
        }
    }
    // Assets revalidate by their hash.
    for asset in &assets {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let etag = response.headers()["etag"].clone();
        let again = app
            .client
            .get(format!("{}{asset}", app.address))
            .header("If-None-Match", etag)
            .send()
            .await
            .expect("asset");
        assert_eq!(again.status(), 304, "{asset}");
    }
    let missing = app.get("/assets/js/nothing.js").await;
    assert_eq!(missing.status(), 404);
    // The API keeps its problem documents.
    let (status, problem) = app.call("GET", "", "/api/nothing-here", None).await;
    assert_eq!((status, problem["status"].as_u64()), (404, Some(404)));
}

#[tokio::test]
async fn the_api_reference_loads_only_files_of_this_server() {
    let app = spawn_app().await;
    let page = app.get("/docs").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let html = page.text().await.expect("html");
    let mut files = 0;
    for src in html.split("src=\"").skip(1).chain(html.split("href=\"").skip(1)) {
        let url = src.split('"').next().expect("url");
        assert!(url.starts_with("/docs/"), "loads {url}");
        let response = app.get(url).await;
        assert_eq!(response.status(), 200, "{url}");
        files += 1;
    }
    assert!(files >= 4, "styles and scripts: {html}");
    let initializer = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .expect("text");
    assert!(initializer.contains("/api/openapi.json"), "{initializer}");
}

#[tokio::test]
async fn a_team_is_set_up_and_watches_an_agent_work_in_a_real_browser() {
    let (Some(modules), Some(chromium)) = (browser_modules(), chromium()) else {
        not_installed(
            "Chromium or playwright-core is not installed (run .ci/run once, or set \
             TENANTRY_TEST_BROWSER_MODULES / TENANTRY_TEST_CHROMIUM): the browser test did NOT run",
        );
        return;
    };
    let app = spawn_app_with(|config| config.orgs.require_verified_email = true).await;
    let database = if app.database.url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let screenshots = screenshot_dir(database);
    let _ = std::fs::remove_dir_all(&screenshots);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser/console-flow.mjs");
    let address = app.address.clone();
    let mail_dir = app.data_dir.join("mail");
    std::fs::create_dir_all(&mail_dir).expect("mail dir");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(script)
            .env("BASE_URL", address)
            .env("MAIL_DIR", mail_dir)
            .env("SCREENSHOTS", &screenshots)
            .env("CHROMIUM", chromium)
            .env("MODULES", modules)
            .output()
            .expect("node runs")
    })
    .await
    .expect("browser run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser flow failed:\n{stderr}\n{stdout}"
    );
    let facts: Value = serde_json::from_str(stdout.lines().last().expect("facts")).expect("facts json");
    assert_eq!(
        facts["problems"],
        serde_json::json!([]),
        "console errors or CSP violations"
    );
    assert_eq!(facts["live_event_seen"], true);
    assert_eq!(
        facts["docs_requests_elsewhere"],
        serde_json::json!([]),
        "the reference works offline"
    );
    let first_load = facts["first_load_bytes"].as_u64().expect("bytes");
    assert!(first_load <= 200 * 1024, "first load {first_load} bytes");
    let screens = facts["screens"].as_array().expect("screens").len();
    assert!(screens >= 25, "every screen photographed: {facts}");
}
