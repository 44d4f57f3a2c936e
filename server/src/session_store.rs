//! tower-sessions' PostgreSQL store, with one change: saving a session never
//! brings back one that has ended.
//!
//! The store's `save` is an upsert. A request that read its session before a
//! logout (another tab, another device) and writes it afterwards (the daily
//! expiry push in `account::session`) would insert the deleted row again, and
//! the logged-out cookie would work again. Here `save` only updates a row
//! that still exists; new sessions (sign-up, login, a new id) go through
//! `create`, as tower-sessions already does.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Clone, Debug)]
pub struct PostgresSessions {
    store: PostgresStore,
    pool: PgPool,
}

impl PostgresSessions {
    pub fn new(pool: PgPool) -> Self {
        Self {
            store: PostgresStore::new(pool.clone()),
            pool,
        }
    }

    pub async fn migrate(&self) -> sqlx::Result<()> {
        self.store.migrate().await
    }
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

#[async_trait]
impl SessionStore for PostgresSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // The same encoding and table as the store it wraps.
        let data = rmp_serde::to_vec(record)
            .map_err(|error| session_store::Error::Encode(error.to_string()))?;
        let updated = sqlx::query(
            "update tower_sessions.session set data = $2, expiry_date = $3 where id = $1",
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if updated.rows_affected() == 0 {
            tracing::debug!("a session ended while a request used it; not written back");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tower_sessions::cookie::time::{Duration, OffsetDateTime};

    use super::*;

    #[sqlx::test(migrations = false)]
    async fn a_save_after_the_session_ended_does_not_bring_it_back(pool: PgPool) {
        let sessions = PostgresSessions::new(pool);
        sessions.migrate().await.unwrap();
        let mut record = Record {
            id: Id::default(),
            data: HashMap::from([("user_id".to_owned(), serde_json::json!("someone"))]),
            expiry_date: OffsetDateTime::now_utc() + Duration::days(1),
        };
        sessions.create(&mut record).await.unwrap();

        // A request holding the session changes it...
        let mut changed = record.clone();
        changed
            .data
            .insert("refreshed_on".to_owned(), serde_json::json!(20_000));
        sessions.save(&changed).await.unwrap();
        assert_eq!(
            sessions.load(&record.id).await.unwrap(),
            Some(changed.clone())
        );

        // ...then the learner logs out elsewhere, and the request writes last.
        sessions.delete(&record.id).await.unwrap();
        sessions.save(&changed).await.unwrap();
        assert_eq!(sessions.load(&record.id).await.unwrap(), None);
    }
}
