//! Scale mode: 1,000,000 conversations across 1,000 orgs, 100,000 of them in the measured org,
//! inserted straight into the database.

use sea_orm::{ConnectionTrait, Database};

use crate::{
    seed::{CONVERSATIONS, Fixture},
    server::BenchDatabase,
};

/// Rows in the measured org after seeding.
const IN_ORG: usize = 100_000;
/// Other orgs.
const OTHER_ORGS: usize = 999;
/// Rows per other org (999 × 901 ≈ 900,000).
const PER_OTHER_ORG: usize = 901;

/// Inserts the rows (PostgreSQL with generate_series; SQLite with a recursive CTE).
pub async fn seed_scale(database: &BenchDatabase, fixture: &Fixture) -> anyhow::Result<()> {
    let db = Database::connect(&database.url).await?;
    let user = &fixture.user_id;
    let org = &fixture.org;
    let more = IN_ORG - CONVERSATIONS;
    let statements: Vec<String> = if database.postgres {
        vec![
            format!(
                "INSERT INTO orgs (id, name, name_key, personal, created_at, updated_at) \
                 SELECT gen_random_uuid(), 'scale ' || g, 'scale ' || g, false, now(), now() \
                 FROM generate_series(1, {OTHER_ORGS}) g"
            ),
            format!(
                "INSERT INTO conversations (id, org_id, created_by, title, visibility, pr_number, \
                 accumulated_cost_micros, prompt_tokens, completion_tokens, total_tokens, event_count, created_at, \
                 last_updated_at) \
                 SELECT gen_random_uuid(), o.id, '{user}', 'scaled ' || g, 'org', '[]', 0, 0, 0, 0, 0, \
                 now() - g * interval '1 second', now() - g * interval '1 second' \
                 FROM (SELECT id FROM orgs WHERE name LIKE 'scale %') o, generate_series(1, {PER_OTHER_ORG}) g"
            ),
            format!(
                "INSERT INTO conversations (id, org_id, created_by, title, visibility, pr_number, \
                 accumulated_cost_micros, prompt_tokens, completion_tokens, total_tokens, event_count, created_at, \
                 last_updated_at) \
                 SELECT gen_random_uuid(), '{org}', '{user}', 'old ' || g, 'org', '[]', 0, 0, 0, 0, 0, \
                 now() - interval '1 day' - g * interval '1 second', now() - interval '1 day' - g * interval '1 second' \
                 FROM generate_series(1, {more}) g"
            ),
            "ANALYZE".to_owned(),
        ]
    } else {
        // SQLite stores UUIDs as 16-byte blobs and timestamps as RFC 3339 text.
        let rows = |org_expr: &str, count: usize, title: &str, offset_days: usize| {
            format!(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {count}) \
                 INSERT INTO conversations (id, org_id, created_by, title, visibility, pr_number, \
                 accumulated_cost_micros, prompt_tokens, completion_tokens, total_tokens, event_count, created_at, \
                 last_updated_at) \
                 SELECT randomblob(16), {org_expr}, (SELECT id FROM users WHERE email = 'bench@example.com'), \
                 '{title} ' || n, 'org', '[]', 0, 0, 0, 0, 0, \
                 strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now', '-{offset_days} days', '-' || n || ' seconds'), \
                 strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now', '-{offset_days} days', '-' || n || ' seconds') FROM g"
            )
        };
        let mut statements = vec![format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {OTHER_ORGS}) \
             INSERT INTO orgs (id, name, name_key, personal, created_at, updated_at) \
             SELECT randomblob(16), 'scale ' || n, 'scale ' || n, 0, \
             strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now') FROM g"
        )];
        statements.push(format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {PER_OTHER_ORG}) \
             INSERT INTO conversations (id, org_id, created_by, title, visibility, pr_number, \
             accumulated_cost_micros, prompt_tokens, completion_tokens, total_tokens, event_count, created_at, \
             last_updated_at) \
             SELECT randomblob(16), o.id, (SELECT id FROM users WHERE email = 'bench@example.com'), 'scaled ' || n, \
             'org', '[]', 0, 0, 0, 0, 0, \
             strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now', '-' || n || ' seconds'), \
             strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now', '-' || n || ' seconds') \
             FROM (SELECT id FROM orgs WHERE name LIKE 'scale %') o, g"
        ));
        statements.push(rows(
            "(SELECT org_id FROM conversations WHERE title = 'conversation 1')",
            more,
            "old",
            1,
        ));
        statements.push("ANALYZE".to_owned());
        statements
    };
    for statement in statements {
        db.execute_unprepared(&statement).await?;
    }
    db.close().await.ok();
    println!("scale: seeded 1,000,000 conversations over 1,000 orgs, {IN_ORG} in the measured org");
    Ok(())
}
