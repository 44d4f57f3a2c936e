//! The user check against PostgreSQL, with its trigger and a real listener:
//! a fresh, migrated database per test.

use std::future::Future;
use std::time::Instant;

use super::*;
use crate::account::Role;
use crate::account::service::{SignedIn, register};

const PASSWORD: &str = "a sturdy passphrase";
/// Far longer than a notification takes; a test waits this long only when
/// it is about to fail.
const PATIENCE: Duration = Duration::from_secs(10);

async fn registered(pool: &PgPool, email: &str) -> SignedIn {
    register(pool, email, PASSWORD, PASSWORD).await.unwrap()
}

/// Checks that follow the table's notifications, once they are listening.
async fn following(pool: &PgPool) -> UserChecks {
    let checks = UserChecks::new(pool.clone(), LIFETIME);
    tokio::spawn(checks.clone().follow_changes());
    eventually("listening", || async {
        checks.listening.load(Ordering::SeqCst)
    })
    .await;
    checks
}

/// Waits until `condition` holds; the notification's trip is not instant.
async fn eventually<F: Future<Output = bool>>(what: &str, mut condition: impl FnMut() -> F) {
    let started = Instant::now();
    while !condition().await {
        assert!(started.elapsed() < PATIENCE, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn execute(pool: &PgPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unchanged_user_is_checked_from_memory(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let checks = following(&pool).await;
    for _ in 0..3 {
        let user = checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        assert_eq!(user.as_ref(), Some(&ada.user));
    }
    assert_eq!(checks.reads(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn without_notifications_every_check_reads_the_table(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let checks = UserChecks::new(pool.clone(), LIFETIME);
    for _ in 0..3 {
        let user = checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        assert_eq!(user.as_ref(), Some(&ada.user));
    }
    assert_eq!(checks.reads(), 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_change_to_the_user_shows_as_soon_as_postgres_tells(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let grace = registered(&pool, "grace@example.test").await;
    let checks = following(&pool).await;
    checks.user(ada.user.id, ada.session_epoch).await.unwrap();
    checks
        .user(grace.user.id, grace.session_epoch)
        .await
        .unwrap();

    // As an admin tool or another server instance would write them.
    execute(
        &pool,
        "update users set email = 'ada.l@example.test', role = 'admin' where email = 'ada@example.test'",
    )
    .await;
    eventually("the new email and role", || async {
        let user = checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        user.is_some_and(|user| user.email == "ada.l@example.test" && user.role == Role::Admin)
    })
    .await;

    // Another session ended (a password change elsewhere moves the epoch).
    execute(
        &pool,
        "update users set session_epoch = session_epoch + 1 where email = 'ada.l@example.test'",
    )
    .await;
    eventually("the old session refused", || async {
        checks
            .user(ada.user.id, ada.session_epoch)
            .await
            .unwrap()
            .is_none()
    })
    .await;
    let renewed = checks
        .user(ada.user.id, ada.session_epoch + 1)
        .await
        .unwrap();
    assert!(renewed.is_some());

    // Deactivated: no session of theirs counts.
    execute(
        &pool,
        "update users set is_active = false where email = 'ada.l@example.test'",
    )
    .await;
    eventually("the deactivated user refused", || async {
        checks
            .user(ada.user.id, ada.session_epoch + 1)
            .await
            .unwrap()
            .is_none()
    })
    .await;

    // The others are still answered from memory.
    let reads = checks.reads();
    let user = checks
        .user(grace.user.id, grace.session_epoch)
        .await
        .unwrap();
    assert_eq!(user.as_ref(), Some(&grace.user));
    assert_eq!(checks.reads(), reads);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_hourly_activity_stamp_tells_nobody(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let checks = following(&pool).await;
    checks.user(ada.user.id, ada.session_epoch).await.unwrap();
    let changes = checks.changes.load(Ordering::SeqCst);
    execute(
        &pool,
        "update users set last_seen_at = now() - interval '2 hours'",
    )
    .await;
    // A notification, had one been sent, is sent by the time a later one arrives.
    execute(
        &pool,
        "select pg_notify('users_changed', gen_random_uuid()::text)",
    )
    .await;
    eventually("the later notification", || async {
        checks.changes.load(Ordering::SeqCst) > changes
    })
    .await;
    assert_eq!(checks.changes.load(Ordering::SeqCst), changes + 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_lost_connection_forgets_everything_until_listening_again(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let checks = following(&pool).await;
    checks.user(ada.user.id, ada.session_epoch).await.unwrap();

    execute(
        &pool,
        "select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and query ilike 'listen%'",
    )
    .await;
    // Whatever was missed meanwhile: a change made now is seen.
    eventually("nothing kept", || async {
        !checks.listening.load(Ordering::SeqCst) || checks.recent.as_ref().unwrap().is_empty()
    })
    .await;
    execute(&pool, "update users set email = 'ada.l@example.test'").await;
    eventually("the new email", || async {
        let user = checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        user.is_some_and(|user| user.email == "ada.l@example.test")
    })
    .await;

    // Listening again: answers are kept again, and changes still arrive.
    eventually("answers kept again", || async {
        checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        let reads = checks.reads();
        checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        checks.reads() == reads
    })
    .await;
    execute(&pool, "update users set role = 'admin'").await;
    eventually("the new role", || async {
        let user = checks.user(ada.user.id, ada.session_epoch).await.unwrap();
        user.is_some_and(|user| user.role == Role::Admin)
    })
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refused_session_is_asked_about_again(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let checks = following(&pool).await;
    for _ in 0..2 {
        let user = checks
            .user(ada.user.id, ada.session_epoch + 1)
            .await
            .unwrap();
        assert_eq!(user, None);
    }
    assert_eq!(checks.reads(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn heartbeats_keep_a_quiet_listener_listening(pool: PgPool) {
    let ada = registered(&pool, "ada@example.test").await;
    let checks = UserChecks::new(pool.clone(), LIFETIME).with_heartbeat(Duration::from_millis(500));
    tokio::spawn(checks.clone().follow_changes());
    eventually("listening", || async {
        checks.listening.load(Ordering::SeqCst)
    })
    .await;
    checks.user(ada.user.id, ada.session_epoch).await.unwrap();
    let changes = checks.changes.load(Ordering::SeqCst);

    // Nothing changes for many times the listener's patience (3 beats).
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert!(checks.listening.load(Ordering::SeqCst));
    assert_eq!(checks.changes.load(Ordering::SeqCst), changes);
    let reads = checks.reads();
    checks.user(ada.user.id, ada.session_epoch).await.unwrap();
    assert_eq!(checks.reads(), reads);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_listener_that_hears_nothing_gives_its_connection_up(pool: PgPool) {
    // No heartbeats are sent: to the listener, as good as a dead network.
    let checks = UserChecks::new(pool.clone(), LIFETIME).with_heartbeat(Duration::from_millis(100));
    let mut listener = listen(&pool).await.unwrap();
    let stopped = tokio::time::timeout(PATIENCE, checks.follow(&mut listener))
        .await
        .expect("it gave up");
    assert!(stopped.contains("heard nothing"), "{stopped}");
}

#[sqlx::test(migrations = "../migrations")]
async fn heartbeats_are_not_changes(pool: PgPool) {
    let checks = UserChecks::new(pool.clone(), LIFETIME);
    checks.forget(HEARTBEAT);
    assert_eq!(checks.changes.load(Ordering::SeqCst), 0);
    checks.forget("");
    assert_eq!(checks.changes.load(Ordering::SeqCst), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn following_ends_with_the_pool_and_lets_its_connection_go(pool: PgPool) {
    let checks = following(&pool).await;
    let following = tokio::spawn(checks.clone().follow_changes());
    eventually("two listeners", || async { listeners(&pool).await == 2 }).await;
    let watcher = PgPool::connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    pool.close().await;
    tokio::time::timeout(PATIENCE, following)
        .await
        .expect("following ended")
        .unwrap();
    assert!(!checks.listening.load(Ordering::SeqCst));
    // The first follower, spawned by `following`, ended the same way.
    eventually("no listener left", || async {
        listeners(&watcher).await == 0
    })
    .await;
    watcher.close().await;
}

/// Connections of this test's database that listen.
async fn listeners(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select count(*) from pg_stat_activity
         where datname = current_database() and query ilike 'listen%'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}
