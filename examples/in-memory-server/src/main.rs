//! `tenantry-example-in-memory-server`: serves Tenantry with every store in memory.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = tenantry::Config::load(None)?;
    tenantry::telemetry::init(&config.log);
    let app = tenantry_example_in_memory_server::build(config).await?;
    app.run_until_stopped().await
}
