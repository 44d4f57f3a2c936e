//! The versioning guarantees, against PostgreSQL (a fresh database per test).

use std::sync::Arc;

use super::*;
use crate::account::service::register;

const PASSWORD: &str = "a sturdy passphrase";

pub(crate) async fn learner(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query("insert into tags (name, category) values ('python', 'Programming'), ('sql', 'Data'), ('design', 'Design'), ('cloud', 'Cloud') on conflict do nothing")
        .execute(pool)
        .await
        .unwrap();
    register(pool, email, PASSWORD, PASSWORD)
        .await
        .unwrap()
        .user
        .id
}

async fn snapshot_count(pool: &PgPool, user_id: Uuid) -> i64 {
    sqlx::query_scalar("select count(*) from user_profile_snapshots where user_id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Versions 1..=N each with exactly one snapshot, and the last snapshot equal
/// to the profile as it is now.
pub(crate) async fn assert_history_is_whole(pool: &PgPool, user_id: Uuid) -> i32 {
    let versions: Vec<i32> = sqlx::query_scalar(
        "select version from user_profile_snapshots where user_id = $1 order by version",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let current = profile_of(pool, user_id).await.unwrap();
    assert_eq!(
        versions,
        (1..=current.version).collect::<Vec<_>>(),
        "contiguous, one each"
    );
    let latest = snapshots(pool, user_id, current.version).await.unwrap();
    assert_eq!(latest[0].state(), current.state());
    current.version
}

#[sqlx::test(migrations = "../migrations")]
async fn a_save_bumps_the_version_and_snapshots_the_new_state(pool: PgPool) {
    let user_id = learner(&pool, "one@example.test").await;
    let first = ProfileState::example(
        Some(Level::Beginner),
        Some(10),
        &["python", "design"],
        Some("Learn to code"),
    );
    let outcome = save(&pool, user_id, 1, first.clone()).await.unwrap();
    let SaveOutcome::Saved {
        version,
        state,
        changes,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(version, 2);
    assert_eq!(changes.len(), 4);
    // The page shows the saved state from this answer without reading the
    // profile again: it must be what a fresh read gives.
    let reread = page(&pool, user_id).await.unwrap();
    assert_eq!((reread.version, reread.state), (version, state));
    assert_eq!(reread.latest_changes, changes);

    let mut second = first.clone();
    second.current_level = Some(Level::Intermediate);
    second.interests = vec!["cloud".to_owned(), "python".to_owned()];
    let outcome = save(&pool, user_id, 2, second).await.unwrap();
    let SaveOutcome::Saved {
        version, changes, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(version, 3);
    let described: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        described,
        [
            "level: beginner → intermediate",
            "interests: + cloud, − design"
        ]
    );
    assert_eq!(assert_history_is_whole(&pool, user_id).await, 3);

    let history = history(&pool, user_id).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|entry| entry.version)
            .collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(
        history[2].changes.is_empty(),
        "version 1 is the empty profile of sign-up"
    );
    assert_eq!(history[0].changes, changes);
}

#[sqlx::test(migrations = "../migrations")]
async fn saving_nothing_new_writes_nothing(pool: PgPool) {
    let user_id = learner(&pool, "same@example.test").await;
    let state = ProfileState::example(Some(Level::Advanced), Some(3), &["sql"], None);
    save(&pool, user_id, 1, state.clone()).await.unwrap();
    assert_eq!(
        save(&pool, user_id, 2, state).await.unwrap(),
        SaveOutcome::Unchanged { version: 2 }
    );
    assert_eq!(snapshot_count(&pool, user_id).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stale_form_is_refused_and_changes_nothing(pool: PgPool) {
    let user_id = learner(&pool, "tabs@example.test").await;
    save(
        &pool,
        user_id,
        1,
        ProfileState::example(Some(Level::Beginner), None, &[], None),
    )
    .await
    .unwrap();
    let stale = save(
        &pool,
        user_id,
        1,
        ProfileState::example(Some(Level::Advanced), None, &[], None),
    )
    .await;
    match stale {
        Err(AppError::Invalid(errors)) => {
            assert!(errors.message.unwrap().contains("changed elsewhere"))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        profile_of(&pool, user_id)
            .await
            .unwrap()
            .state()
            .current_level,
        Some(Level::Beginner)
    );
    assert_eq!(snapshot_count(&pool, user_id).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_interests_are_refused_and_change_nothing(pool: PgPool) {
    let user_id = learner(&pool, "tags@example.test").await;
    let result = save(
        &pool,
        user_id,
        1,
        ProfileState::example(
            None,
            Some(5),
            &["python", "underwater basket weaving"],
            None,
        ),
    )
    .await;
    match result {
        Err(AppError::Invalid(errors)) => {
            let message = errors.field("interests").unwrap();
            assert!(message.contains("underwater basket weaving"), "{message}");
            assert!(!message.contains("python"), "{message}");
        }
        other => panic!("expected a form error, got {other:?}"),
    }
    assert_eq!(assert_history_is_whole(&pool, user_id).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_saves_leave_a_contiguous_history(pool: PgPool) {
    let user_id = learner(&pool, "busy@example.test").await;
    let pool = Arc::new(pool);
    let tasks: Vec<_> = (0..50)
        .map(|task| {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                // Each task saves its own state, reloading after a conflict, as a
                // person with many tabs open would.
                let wanted = ProfileState::example(
                    Some(Level::ALL[task % 3]),
                    Some(task as i32 + 1),
                    &[["python", "sql", "design", "cloud"][task % 4]],
                    Some(&format!("goal {task}")),
                );
                loop {
                    let version = profile_of(&pool, user_id).await.unwrap().version;
                    match save(&pool, user_id, version, wanted.clone()).await {
                        Ok(_) => break,
                        Err(AppError::Invalid(_)) => continue,
                        Err(other) => panic!("{other:?}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(assert_history_is_whole(&pool, user_id).await, 51);

    // Every snapshot equals the state that its save wrote: replaying the
    // history reproduces exactly 50 distinct goals.
    let goals: Vec<Option<String>> = sqlx::query_scalar(
        "select distinct learning_goal from user_profile_snapshots where user_id = $1 and version > 1",
    )
    .bind(user_id)
    .fetch_all(&*pool)
    .await
    .unwrap();
    assert_eq!(goals.len(), 50);
}

// --- the database's own guarantees, bypassing the service ---

fn is_refused(result: Result<impl std::fmt::Debug, sqlx::Error>) -> bool {
    matches!(result, Err(sqlx::Error::Database(_)))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_version_without_its_snapshot_cannot_commit(pool: PgPool) {
    let user_id = learner(&pool, "bypass@example.test").await;

    // A hand-written update that bumps the version but writes no snapshot.
    let mut transaction = pool.begin().await.unwrap();
    sqlx::query(
        "update user_profiles set time_commitment = 7, version = version + 1 where user_id = $1",
    )
    .bind(user_id)
    .execute(&mut *transaction)
    .await
    .unwrap();
    assert!(is_refused(transaction.commit().await), "commit must fail");

    // An update that changes the state but not the version.
    let result = sqlx::query("update user_profiles set time_commitment = 7 where user_id = $1")
        .bind(user_id)
        .execute(&pool)
        .await;
    assert!(is_refused(result));

    // A version jump.
    let result = sqlx::query(
        "update user_profiles set time_commitment = 7, version = version + 5 where user_id = $1",
    )
    .bind(user_id)
    .execute(&pool)
    .await;
    assert!(is_refused(result));

    // Interests changed behind the snapshot's back.
    let result = sqlx::query(
        "insert into user_interests (user_profile_id, tag_id)
         select p.id, t.id from user_profiles p, tags t where p.user_id = $1 and t.name = 'sql'",
    )
    .bind(user_id)
    .execute(&pool)
    .await;
    assert!(is_refused(result));

    // A snapshot that does not match what the profile holds.
    let mut transaction = pool.begin().await.unwrap();
    sqlx::query(
        "update user_profiles set time_commitment = 7, version = version + 1 where user_id = $1",
    )
    .bind(user_id)
    .execute(&mut *transaction)
    .await
    .unwrap();
    sqlx::query(
        "insert into user_profile_snapshots (user_profile_id, user_id, version, time_commitment)
         select id, user_id, version, 99 from user_profiles where user_id = $1",
    )
    .bind(user_id)
    .execute(&mut *transaction)
    .await
    .unwrap();
    assert!(is_refused(transaction.commit().await));

    // A correct hand-written change (bump + matching snapshot) is accepted.
    let mut transaction = pool.begin().await.unwrap();
    sqlx::query(
        "update user_profiles set time_commitment = 7, version = version + 1 where user_id = $1",
    )
    .bind(user_id)
    .execute(&mut *transaction)
    .await
    .unwrap();
    sqlx::query(
        "insert into user_profile_snapshots (user_profile_id, user_id, version, time_commitment, interests_snapshot)
         select id, user_id, version, 7, '[]' from user_profiles where user_id = $1",
    )
    .bind(user_id)
    .execute(&mut *transaction)
    .await
    .unwrap();
    transaction.commit().await.unwrap();
    assert_eq!(assert_history_is_whole(&pool, user_id).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_profile_cannot_be_created_without_its_first_snapshot(pool: PgPool) {
    let user_id: Uuid = sqlx::query_scalar(
        "insert into users (email, password_hash) values ('raw@example.test', 'x') returning id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let result = sqlx::query("insert into user_profiles (user_id) values ($1)")
        .bind(user_id)
        .execute(&pool)
        .await;
    assert!(is_refused(result));
}
