//! Sessions read from memory for a few seconds after PostgreSQL gave them.
//!
//! Every signed-in request begins by loading its session. From PostgreSQL
//! that is a statement and a round trip, and for a profile save it was a
//! third of the statements and much of PostgreSQL's work. A session read in
//! the last few seconds is answered from memory instead; a learner clicking
//! through pages, or saving, reads the store once per `LIFETIME`.
//!
//! What stays exact: this server's own writes and deletions (a new id at
//! login, a logout) reach PostgreSQL and memory together, and a deletion
//! racing a read cannot leave the deleted session in memory; an expired
//! session is never answered. Whether the account is active and its sessions
//! not ended (password change, reset, deactivation) is checked against the
//! users table on every request, not here. What can lag: a session deleted
//! by *another* server instance is still accepted here for up to `LIFETIME`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use app::expiring_cache::ExpiringCache;
use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// How long a session read from PostgreSQL is answered from memory.
pub const LIFETIME: Duration = Duration::from_secs(10);
/// At most this many sessions are kept (a few hundred bytes each); the least
/// recently used go first.
const CAPACITY: usize = 100_000;

/// A session store that keeps recently read sessions of `Store` in memory.
#[derive(Clone)]
pub struct RecentSessions<Store> {
    store: Store,
    /// `None` when the lifetime is zero: every read goes to the store.
    recent: Option<ExpiringCache<Id, Record>>,
    /// Counts deletions, twice each (when one starts and when it ends), so a
    /// read that overlapped one does not keep what it read.
    deletions: Arc<AtomicU64>,
}

impl<Store> RecentSessions<Store> {
    pub fn new(store: Store, lifetime: Duration) -> Self {
        Self {
            store,
            recent: ExpiringCache::new(CAPACITY, lifetime),
            deletions: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The same sessions, the kept copies reading the time from `clock`.
    #[cfg(test)]
    pub fn with_clock(self, clock: app::expiring_cache::Clock) -> Self {
        Self {
            recent: self.recent.map(|recent| recent.with_clock(clock)),
            ..self
        }
    }

    fn keep(&self, record: &Record) {
        if let Some(recent) = &self.recent {
            recent.insert(record.id, record.clone());
        }
    }

    fn kept(&self, id: &Id) -> Option<Record> {
        let record = self.recent.as_ref()?.get(id)?;
        (record.expiry_date > OffsetDateTime::now_utc()).then_some(record)
    }

    fn forget(&self, id: &Id) {
        if let Some(recent) = &self.recent {
            recent.remove(id);
        }
    }
}

impl<Store> std::fmt::Debug for RecentSessions<Store> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RecentSessions")
            .field("kept", &self.recent.as_ref().map_or(0, ExpiringCache::len))
            .finish()
    }
}

#[async_trait]
impl<Store: SessionStore + Clone> SessionStore for RecentSessions<Store> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // The store picks the id (retrying on a collision), so keep it after.
        self.store.create(record).await?;
        self.keep(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await?;
        // Not kept: the store may have declined to write it (the session
        // ended meanwhile), and the next read should find out from it.
        self.forget(&record.id);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let kept = self.kept(id);
        if self.recent.is_some() {
            let result = if kept.is_some() { "hit" } else { "miss" };
            metrics::counter!("cache_lookups_total", "cache" => "session", "result" => result)
                .increment(1);
        }
        if let Some(record) = kept {
            return Ok(Some(record));
        }
        let deletions_before = self.deletions.load(Ordering::Acquire);
        let record = self.store.load(id).await?;
        if let Some(record) = &record {
            self.keep(record);
            // Checked after keeping: a deletion that began since the read
            // either sees the kept copy and removes it, or is seen here.
            if self.deletions.load(Ordering::Acquire) != deletions_before {
                self.forget(id);
            }
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.deletions.fetch_add(1, Ordering::AcqRel);
        self.forget(id);
        let deleted = self.store.delete(id).await;
        self.deletions.fetch_add(1, Ordering::AcqRel);
        self.forget(id);
        deleted
    }
}

#[cfg(test)]
mod tests;
