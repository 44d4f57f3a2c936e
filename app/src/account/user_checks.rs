//! The check a signed-in request makes (is the session's user still active,
//! is the session of their current epoch, what are their email and role)
//! answered from memory for as long as PostgreSQL has said nothing about
//! that user changing. Server-only. Used for the catalog pages whose content
//! is the same for everyone (`server/src/signed_in_pages.rs`), where it only
//! picks the header; every page or action about the learner, and every
//! access decision, reads the users table itself (`session::user_in`).
//!
//! Asking the users table cost each such request a statement and a round
//! trip, most of the work of a page put together from kept parts.
//!
//! A trigger on `users` (migration `…_users_changed_notifications`) sends the
//! user's id on the `users_changed` channel when a column this check reads
//! changes, or the user is deleted. Every server instance listens
//! ([`UserChecks::follow_changes`]) and forgets that user. What stays exact:
//! - An answer is kept only while this instance is listening. When the
//!   listening connection is lost, notifications sent meanwhile are lost
//!   with it, so everything kept is forgotten, and nothing is kept until it
//!   listens again. A connection that died without a word is found out by a
//!   heartbeat: every instance notifies the channel every 10 s, and a
//!   listener that hears nothing for 30 s gives its connection up.
//! - A check whose read overlapped a notification does not keep what it read
//!   (the read may have seen the row before that change).
//! - Only answers "signed in" are kept: a refused session asks again.
//! - Kept answers also expire after a lifetime, which bounds how late the
//!   hourly `last_seen_at` stamp (written by the database check) can be.
//!
//! What can lag: a notification's trip from PostgreSQL to each instance
//! (milliseconds), the same window a read racing the write already had; at
//! worst (a connection dead without a word, or a change made with triggers
//! off) the 60 s lifetime.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use uuid::Uuid;

use super::service;
use super::types::CurrentUser;
use crate::expiring_cache::ExpiringCache;

/// The channel the migration's trigger notifies: the payload is the user's
/// id, empty when the whole table was emptied, or [`HEARTBEAT`].
pub const CHANNEL: &str = "users_changed";
/// How long a kept answer counts, notifications or not.
pub const LIFETIME: Duration = Duration::from_secs(60);
/// At most this many users are kept (under a hundred bytes each); the least
/// recently used go first.
const CAPACITY: usize = 100_000;
/// How long to wait before listening again after the connection failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How often each instance notifies the channel, so a listener that hears
/// nothing for three times as long knows its connection is gone.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);
/// The heartbeat's payload (not a user id).
const HEARTBEAT: &str = "heartbeat";

/// Cheap to clone: clones share what they keep.
#[derive(Clone)]
pub struct UserChecks {
    pool: PgPool,
    /// `None` when the lifetime is zero: every check reads the table.
    recent: Option<ExpiringCache<Uuid, Checked>>,
    /// Whether notifications are arriving, so kept answers can be trusted.
    listening: Arc<AtomicBool>,
    /// Counts notifications and lost connections, so a read that overlapped
    /// one does not keep what it read.
    changes: Arc<AtomicU64>,
    /// Checks that read the users table (for tests).
    reads: Arc<AtomicU64>,
    heartbeat: Duration,
}

/// What the users table said for a user, and the session epoch it held.
#[derive(Clone)]
struct Checked {
    session_epoch: i32,
    user: CurrentUser,
}

impl UserChecks {
    /// Kept answers count only once [`Self::follow_changes`] is listening.
    pub fn new(pool: PgPool, lifetime: Duration) -> Self {
        Self {
            pool,
            recent: ExpiringCache::new(CAPACITY, lifetime),
            listening: Arc::new(AtomicBool::new(false)),
            changes: Arc::new(AtomicU64::new(0)),
            reads: Arc::new(AtomicU64::new(0)),
            heartbeat: HEARTBEAT_EVERY,
        }
    }

    /// The same checks with another heartbeat.
    #[cfg(test)]
    fn with_heartbeat(self, heartbeat: Duration) -> Self {
        Self { heartbeat, ..self }
    }

    /// The user a session names, if they are active and the session is of
    /// their current epoch (a password change or deactivation ends the
    /// older ones).
    pub async fn user(
        &self,
        user_id: Uuid,
        session_epoch: i32,
    ) -> Result<Option<CurrentUser>, sqlx::Error> {
        if let Some(user) = self.kept(user_id, session_epoch) {
            metrics::counter!("cache_lookups_total", "cache" => "user_check", "result" => "hit")
                .increment(1);
            return Ok(Some(user));
        }
        if self.recent.is_some() {
            metrics::counter!("cache_lookups_total", "cache" => "user_check", "result" => "miss")
                .increment(1);
        }
        let changes_before = self.changes.load(Ordering::SeqCst);
        let listening_before = self.listening.load(Ordering::SeqCst);
        self.reads.fetch_add(1, Ordering::Relaxed);
        let user = service::user_for_session(&self.pool, user_id, session_epoch).await?;
        if let (Some(user), Some(recent), true) = (&user, &self.recent, listening_before) {
            recent.insert(
                user_id,
                Checked {
                    session_epoch,
                    user: user.clone(),
                },
            );
            // Checked after keeping: a notification that arrived since the
            // read either finds the kept answer and removes it, or is seen
            // here. The same for a lost connection (it counts as a change).
            if self.changes.load(Ordering::SeqCst) != changes_before {
                recent.remove(&user_id);
            }
        }
        Ok(user)
    }

    fn kept(&self, user_id: Uuid, session_epoch: i32) -> Option<CurrentUser> {
        if !self.listening.load(Ordering::SeqCst) {
            return None;
        }
        let checked = self.recent.as_ref()?.get(&user_id)?;
        (checked.session_epoch == session_epoch).then_some(checked.user)
    }

    /// Checks that read the users table so far.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// A notification: that user changed, or (no id) any may have.
    fn forget(&self, payload: &str) {
        if payload == HEARTBEAT {
            return;
        }
        self.changes.fetch_add(1, Ordering::SeqCst);
        let Some(recent) = &self.recent else {
            return;
        };
        match payload.parse::<Uuid>() {
            Ok(user_id) => recent.remove(&user_id),
            Err(_) => recent.clear(),
        }
    }

    /// Notifications may have been missed: nothing kept counts any more.
    fn stop_trusting(&self) {
        self.listening.store(false, Ordering::SeqCst);
        self.forget("");
    }

    /// Listens for changes to users until the pool closes (the server's
    /// shutdown, a test's end), listening again after a lost connection.
    /// Spawned once per server.
    pub async fn follow_changes(self) {
        if self.recent.is_none() {
            return;
        }
        // A connection of its own, held for as long as it listens: the
        // pages' pool keeps all of its connections.
        let listener_pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with((*self.pool.connect_options()).clone());
        tokio::spawn(send_heartbeats(self.pool.clone(), self.heartbeat));
        tokio::select! {
            () = self.keep_following(&listener_pool) => {}
            () = self.pool.close_event() => {}
        }
        self.stop_trusting();
        // Its connection goes with the pages' pool, so nothing holds the
        // database open after them.
        listener_pool.close().await;
    }

    async fn keep_following(&self, listener_pool: &PgPool) {
        let mut outage = false;
        while !self.pool.is_closed() {
            let stopped = match listen(listener_pool).await {
                Ok(mut listener) => {
                    self.listening.store(true, Ordering::SeqCst);
                    if outage {
                        tracing::info!("listening for changes to users again");
                        outage = false;
                    }
                    self.follow(&mut listener).await
                }
                Err(error) => format!("cannot listen: {error}"),
            };
            self.stop_trusting();
            if !outage && !self.pool.is_closed() {
                tracing::warn!(
                    reason = %stopped,
                    "stopped following changes to users; signed-in catalog pages read the users table until it listens again"
                );
                outage = true;
            }
            tokio::time::sleep(RETRY_AFTER).await;
        }
    }

    /// Until the connection is lost, fails or falls silent; says why.
    async fn follow(&self, listener: &mut PgListener) -> String {
        loop {
            // A connection can die without a word (a half-open TCP
            // connection after a network fault): the heartbeat is heard
            // here, or the connection is given up.
            match tokio::time::timeout(self.heartbeat * 3, listener.try_recv()).await {
                Ok(Ok(Some(notification))) => self.forget(notification.payload()),
                Ok(Ok(None)) => return "lost the connection".to_owned(),
                Ok(Err(error)) => return error.to_string(),
                Err(_) => return "heard nothing, not even the heartbeat".to_owned(),
            }
        }
    }
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Ours to stop: an error on the connection ends the listening.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Notifies [`CHANNEL`] every `every`, so each listener hears something
/// while its connection works; until the pool closes.
async fn send_heartbeats(pool: PgPool, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    while !pool.is_closed() {
        ticks.tick().await;
        // A failure is the listener's to notice (it hears nothing).
        let _ = sqlx::query("select pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(HEARTBEAT)
            .execute(&pool)
            .await;
    }
}

impl std::fmt::Debug for UserChecks {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("UserChecks")
            .field("listening", &self.listening.load(Ordering::Relaxed))
            .field("kept", &self.recent.as_ref().map_or(0, ExpiringCache::len))
            .finish()
    }
}

#[cfg(test)]
mod tests;
