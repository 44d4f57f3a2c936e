//! Where reads that may be a little stale go: a PostgreSQL streaming replica
//! when one is configured and keeping up, the primary otherwise. Server-only.
//!
//! The catalog (search, course pages, tags), the recommendation candidates
//! and the admin analytics read through a [`ReadPool`]; anything a learner
//! has just written (profile, history, ratings, quota, sessions) and every
//! write use the primary pool, so a learner always sees their own change. The
//! choice is visible at each call site: `services.read_pool` or
//! `services.pool`.
//!
//! The server's replica monitor (`server/src/read_replica.rs`) says whether
//! the replica is usable (reachable, lag within bounds) about once a second;
//! between two checks, a read that finds the replica gone marks it unusable
//! and is retried on the primary, so a stopped replica costs no failed
//! request.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::PgPool;

/// The pool reads go to; cheap to clone.
#[derive(Clone, Debug)]
pub struct ReadPool {
    primary: PgPool,
    replica: Option<Arc<Replica>>,
}

#[derive(Debug)]
struct Replica {
    pool: PgPool,
    /// Set by the monitor; cleared by it or by a read that lost its connection.
    usable: AtomicBool,
}

impl ReadPool {
    /// No replica: every read goes to the primary.
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            primary,
            replica: None,
        }
    }

    /// Reads go to `replica` once the monitor has found it usable; until
    /// then, to the primary.
    pub fn with_replica(primary: PgPool, replica: PgPool) -> Self {
        Self {
            primary,
            replica: Some(Arc::new(Replica {
                pool: replica,
                usable: AtomicBool::new(false),
            })),
        }
    }

    /// The pool to read from now.
    pub fn current(&self) -> &PgPool {
        match &self.replica {
            Some(replica) if replica.usable.load(Ordering::Relaxed) => &replica.pool,
            _ => &self.primary,
        }
    }

    /// Whether reads go to the replica now.
    pub fn uses_replica(&self) -> bool {
        self.replica
            .as_ref()
            .is_some_and(|replica| replica.usable.load(Ordering::Relaxed))
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    pub fn replica(&self) -> Option<&PgPool> {
        self.replica.as_ref().map(|replica| &replica.pool)
    }

    /// Records the monitor's verdict; returns the previous one.
    pub fn set_replica_usable(&self, usable: bool) -> bool {
        self.replica
            .as_ref()
            .is_some_and(|replica| replica.usable.swap(usable, Ordering::Relaxed))
    }

    /// Runs `read` on the current pool. When that was the replica and the
    /// read failed for want of a connection (the replica stopped or
    /// restarted since the last check), the replica is set aside until the
    /// monitor finds it usable again, and the read runs on the primary.
    pub async fn read<T, F, Fut>(&self, read: F) -> Result<T, sqlx::Error>
    where
        F: Fn(PgPool) -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        if !self.uses_replica() {
            return read(self.primary.clone()).await;
        }
        let pool = self.current().clone();
        match read(pool).await {
            Err(error) if is_connection_fault(&error) => {
                if self.set_replica_usable(false) {
                    tracing::warn!(%error, "the read replica failed a read; reading from the primary until it is back");
                }
                read(self.primary.clone()).await
            }
            outcome => outcome,
        }
    }
}

/// A failure of the connection or the server rather than of the statement:
/// the same read can succeed elsewhere.
pub fn is_connection_fault(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; 57: operator intervention (a
        // server shutting down, a recovery conflict on a hot standby).
        sqlx::Error::Database(database) => database
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::postgres::PgPoolOptions;

    use super::*;

    /// A pool whose server is not there: nothing listens on port 1.
    fn unreachable_pool() -> PgPool {
        PgPoolOptions::new()
            .acquire_timeout(Duration::from_millis(500))
            .connect_lazy("postgres://nobody@127.0.0.1:1/none")
            .unwrap()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn reads_go_to_the_primary_until_the_replica_is_usable(primary: PgPool) {
        let pools = ReadPool::with_replica(primary.clone(), unreachable_pool());
        assert!(!pools.uses_replica());
        let answer: i32 = pools
            .read(|pool| async move { sqlx::query_scalar("select 7").fetch_one(&pool).await })
            .await
            .unwrap();
        assert_eq!(answer, 7);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_read_that_loses_the_replica_is_retried_on_the_primary(primary: PgPool) {
        let pools = ReadPool::with_replica(primary.clone(), unreachable_pool());
        pools.set_replica_usable(true);
        assert!(pools.uses_replica());
        let answer: i32 = pools
            .read(|pool| async move { sqlx::query_scalar("select 7").fetch_one(&pool).await })
            .await
            .unwrap();
        assert_eq!(answer, 7);
        assert!(
            !pools.uses_replica(),
            "set aside until the monitor says otherwise"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_failing_statement_is_not_retried(primary: PgPool) {
        let pools = ReadPool::with_replica(primary.clone(), primary.clone());
        pools.set_replica_usable(true);
        let attempts = std::sync::atomic::AtomicUsize::new(0);
        let outcome: Result<i32, _> = pools
            .read(|pool| {
                attempts.fetch_add(1, Ordering::Relaxed);
                async move { sqlx::query_scalar("select 1/0").fetch_one(&pool).await }
            })
            .await;
        assert!(outcome.is_err());
        assert_eq!(attempts.load(Ordering::Relaxed), 1);
        assert!(pools.uses_replica(), "the replica did nothing wrong");
    }
}
