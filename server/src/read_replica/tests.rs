//! The lag arithmetic, and the monitor against real servers: one that is
//! not a standby, one that is not there.

use sqlx::PgPool;

use super::*;

fn positions(now: Instant, seen: &[(u64, i64)]) -> VecDeque<PrimaryPosition> {
    seen.iter()
        .map(|&(seconds_ago, lsn)| PrimaryPosition {
            at: now - Duration::from_secs(seconds_ago),
            lsn,
        })
        .collect()
}

fn standby(replayed_lsn: i64, last_replayed_age: f64) -> ReplicaState {
    ReplicaState {
        in_recovery: true,
        replayed_lsn: Some(replayed_lsn),
        last_replayed_age: Some(last_replayed_age),
    }
}

#[test]
fn a_caught_up_replica_has_no_lag_however_idle_the_primary() {
    let now = Instant::now();
    let seen = positions(now, &[(3, 500), (2, 500), (1, 500)]);
    // The last transaction was an hour ago: nothing has been written since.
    assert_eq!(lag(&seen, standby(500, 3600.0), now), Duration::ZERO);
}

#[test]
fn lag_is_how_long_the_primary_has_been_past_the_replica() {
    let now = Instant::now();
    let seen = positions(now, &[(9, 100), (6, 200), (3, 300), (1, 400)]);
    assert_eq!(lag(&seen, standby(250, 0.5), now), Duration::from_secs(3));
    assert_eq!(lag(&seen, standby(150, 0.5), now), Duration::from_secs(6));
    assert_eq!(lag(&seen, standby(400, 0.5), now), Duration::ZERO);
}

#[test]
fn behind_since_before_watching_uses_the_last_replayed_transaction() {
    let now = Instant::now();
    let seen = positions(now, &[(2, 900), (1, 950)]);
    assert_eq!(
        lag(&seen, standby(10, 120.0), now),
        Duration::from_secs(120)
    );
    assert_eq!(lag(&seen, standby(10, 0.2), now), Duration::from_secs(2));
}

#[test]
fn a_server_that_is_not_a_standby_is_not_behind() {
    let now = Instant::now();
    let seen = positions(now, &[(5, 900)]);
    let primary = ReplicaState {
        in_recovery: false,
        replayed_lsn: None,
        last_replayed_age: None,
    };
    assert_eq!(lag(&seen, primary, now), Duration::ZERO);
}

async fn usable_within(pools: &ReadPool, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if pools.uses_replica() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn an_answering_server_in_step_with_the_primary_is_used(pool: PgPool) {
    // The primary itself, standing in for a replica that keeps up.
    let pools = ReadPool::with_replica(pool.clone(), pool.clone());
    let watching = tokio::spawn(monitor(pools.clone(), Duration::from_secs(5)));
    assert!(usable_within(&pools, Duration::from_secs(5)).await);
    watching.abort();
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn an_unreachable_replica_is_never_used(pool: PgPool) {
    let replica = connect("postgres://nobody@127.0.0.1:1/none", 2).unwrap();
    let pools = ReadPool::with_replica(pool.clone(), replica);
    let watching = tokio::spawn(monitor(pools.clone(), Duration::from_secs(5)));
    assert!(!usable_within(&pools, Duration::from_secs(3)).await);
    assert!(std::ptr::eq(pools.current(), pools.primary()));
    watching.abort();
}
