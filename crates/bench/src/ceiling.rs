//! The ceiling: pgbench running the statements one list request needs (membership lookup + keyset
//! page), so every figure can be read as a fraction of what the database alone does here.

use std::{process::Command, time::Duration};

use anyhow::Context;

use crate::{seed::Fixture, server::BenchDatabase};

/// Transactions per second pgbench reaches with the two list statements.
pub async fn pgbench_list(
    database: &BenchDatabase,
    fixture: &Fixture,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<f64> {
    let url = url::Url::parse(&database.url)?;
    let script = database.dir.path().join("list.sql");
    std::fs::write(
        &script,
        format!(
            "SELECT m.role, o.* FROM org_members m JOIN orgs o ON o.id = m.org_id \
             WHERE m.org_id = '{org}' AND m.user_id = '{user}';\n\
             SELECT * FROM conversations WHERE org_id = '{org}' \
             ORDER BY last_updated_at DESC, id DESC LIMIT 21;\n",
            org = fixture.org,
            user = fixture.user_id
        ),
    )?;
    let output = Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-f"])
        .arg(&script)
        .args([
            "-c",
            &connections.to_string(),
            "-j",
            "2",
            "-T",
            &duration.as_secs().to_string(),
        ])
        .args([
            "-h",
            url.host_str().unwrap_or("127.0.0.1"),
            "-p",
            &url.port().unwrap_or(5432).to_string(),
        ])
        .args([
            "-U",
            if url.username().is_empty() {
                "postgres"
            } else {
                url.username()
            },
        ])
        .arg(url.path().trim_start_matches('/'))
        .output()
        .context("run pgbench")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .with_context(|| {
            format!(
                "no tps in pgbench output: {text}{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
}
