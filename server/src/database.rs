//! The connection pool and the embedded migrations.

use std::time::Duration;

use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::ServerError;
use crate::config::DatabaseConfig;

/// Every migration in `migrations/`, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Connects, creating the database first when the server has none of that name.
pub async fn connect(config: &DatabaseConfig) -> Result<PgPool, ServerError> {
    let url = config
        .database_url
        .as_deref()
        .ok_or(ServerError::NoDatabaseUrl)?;
    if !sqlx::Postgres::database_exists(url).await? {
        tracing::info!("creating the database");
        sqlx::Postgres::create_database(url).await?;
    }
    let pool = PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?;
    Ok(pool)
}

#[cfg(test)]
mod tests;

pub async fn migrate(pool: &PgPool) -> Result<(), ServerError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}
