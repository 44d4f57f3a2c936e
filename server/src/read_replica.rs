//! The read replica's health: whether catalog reads may go to it.
//!
//! About once a second the monitor asks the primary how far its write-ahead
//! log has got and the replica how far it has replayed. The replica's lag is
//! how long ago the primary was first seen past the replica's position (0
//! when the replica has replayed everything the primary had written at the
//! last look). This, unlike the age of `pg_last_xact_replay_timestamp()`
//! alone, does not grow while the primary is idle; that age is used only
//! when the replica is further behind than the monitor has watched (just
//! after start-up). Reads go to the replica while it answers and lags at
//! most `DATABASE_READ_MAX_LAG`; otherwise to the primary, with one log line
//! per change of state, never one per request.

use std::collections::VecDeque;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::time::Instant;

use app::read_pool::ReadPool;

use crate::ServerError;

/// How often the replica is looked at.
const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// A check that takes longer counts as a failure: a replica that slow is no
/// help to anyone.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the primary's positions are remembered, in checks.
const POSITIONS_KEPT: usize = 600;

/// The replica's pool, connected on first use: an unreachable replica must
/// not stop the server from starting.
pub fn connect(url: &str, max_connections: u32) -> Result<PgPool, ServerError> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        // Short: a read waiting for a replica that is gone is retried on the
        // primary after this.
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy(url)
        .map_err(|error| {
            ServerError::Config(format!(
                "DATABASE_READ_URL is not a usable PostgreSQL URL: {error}"
            ))
        })
}

/// Where the primary's log was, when.
#[derive(Debug, Clone, Copy)]
struct PrimaryPosition {
    at: Instant,
    lsn: i64,
}

/// What the replica said about itself.
#[derive(Debug, Clone, Copy)]
struct ReplicaState {
    in_recovery: bool,
    replayed_lsn: Option<i64>,
    /// Seconds since the last transaction it replayed was committed.
    last_replayed_age: Option<f64>,
}

/// How far behind the replica is, from the primary positions seen (oldest
/// first) and the replica's state.
fn lag(positions: &VecDeque<PrimaryPosition>, replica: ReplicaState, now: Instant) -> Duration {
    let Some(replayed) = replica.replayed_lsn.filter(|_| replica.in_recovery) else {
        // Not a standby (or never replayed anything): it is not behind anyone.
        return Duration::ZERO;
    };
    match positions.iter().position(|seen| seen.lsn > replayed) {
        None => Duration::ZERO,
        // Behind since before the monitor started watching: at least that
        // long, and the last replayed transaction's age may say more.
        Some(0) => {
            let watched = now.saturating_duration_since(positions[0].at);
            let age = replica
                .last_replayed_age
                .and_then(|age| Duration::try_from_secs_f64(age.max(0.0)).ok())
                .unwrap_or(Duration::ZERO);
            watched.max(age)
        }
        Some(first_ahead) => now.saturating_duration_since(positions[first_ahead].at),
    }
}

async fn primary_position(primary: &PgPool) -> Result<i64, String> {
    let query = sqlx::query_scalar!(
        r#"select (pg_current_wal_lsn() - '0/0'::pg_lsn)::int8 as "position!""#
    )
    .fetch_one(primary);
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(lsn)) => Ok(lsn),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer in time".to_owned()),
    }
}

async fn replica_state(replica: &PgPool) -> Result<ReplicaState, String> {
    let query = sqlx::query_as!(
        ReplicaState,
        r#"select pg_is_in_recovery() as "in_recovery!",
                  (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8 as replayed_lsn,
                  extract(epoch from now() - pg_last_xact_replay_timestamp())::float8
                      as last_replayed_age"#
    )
    .fetch_one(replica);
    match tokio::time::timeout(CHECK_TIMEOUT, query).await {
        Ok(Ok(state)) => Ok(state),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer in time".to_owned()),
    }
}

/// Watches the replica for as long as the server runs.
pub async fn monitor(pools: ReadPool, max_lag: Duration) {
    let Some(replica) = pools.replica().cloned() else {
        return;
    };
    let mut positions: VecDeque<PrimaryPosition> = VecDeque::with_capacity(POSITIONS_KEPT);
    // The first verdict is always logged.
    let mut last_verdict: Option<Result<(), String>> = None;
    let mut interval = tokio::time::interval(CHECK_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        // The primary first: a replica found at or past this position is
        // caught up.
        let primary = primary_position(pools.primary()).await;
        if let Ok(lsn) = primary {
            if positions.len() == POSITIONS_KEPT {
                positions.pop_front();
            }
            positions.push_back(PrimaryPosition {
                at: Instant::now(),
                lsn,
            });
        }
        let verdict = match (replica_state(&replica).await, primary) {
            (Err(error), _) => Err(format!("unreachable ({error})")),
            // Without the primary there is nothing to compare with, and the
            // replica is the only database answering: keep the last verdict.
            (Ok(_), Err(_)) => match &last_verdict {
                Some(verdict) => verdict.clone(),
                None => continue,
            },
            (Ok(state), Ok(_)) => {
                let lag = lag(&positions, state, Instant::now());
                metrics::gauge!("db_read_replica_lag_seconds").set(lag.as_secs_f64());
                if lag <= max_lag {
                    Ok(())
                } else {
                    Err(format!(
                        "{:.1} s behind the primary (DATABASE_READ_MAX_LAG is {:.1} s)",
                        lag.as_secs_f64(),
                        max_lag.as_secs_f64()
                    ))
                }
            }
        };
        let usable = verdict.is_ok();
        let was_usable = pools.set_replica_usable(usable);
        let changed = last_verdict
            .as_ref()
            .is_none_or(|last| last.is_ok() != usable);
        // A read that lost the replica may have set it aside in between.
        if changed || was_usable != usable {
            match &verdict {
                Ok(()) => tracing::info!("catalog reads go to the read replica"),
                Err(why) => {
                    tracing::warn!("the read replica is {why}; catalog reads go to the primary")
                }
            }
        }
        last_verdict = Some(verdict);
    }
}

#[cfg(test)]
mod tests;
