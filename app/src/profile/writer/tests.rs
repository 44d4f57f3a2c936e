//! Saves written together, against PostgreSQL: each keeps its own answer and
//! the history stays whole.

use std::future::Future;

use uuid::Uuid;

use super::*;
use crate::profile::service::tests::{assert_history_is_whole, learner};
use crate::profile::{Level, ProfileState};

async fn learners(pool: &PgPool, count: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for number in 0..count {
        ids.push(learner(pool, &format!("learner{number}@example.test")).await);
    }
    ids
}

/// Runs the saves concurrently; their outcomes in order.
async fn join_all<F>(saves: impl Iterator<Item = F>) -> Vec<Result<SaveOutcome, AppError>>
where
    F: Future<Output = Result<SaveOutcome, AppError>> + Send + 'static,
{
    let handles: Vec<_> = saves.map(tokio::spawn).collect();
    let mut outcomes = Vec::with_capacity(handles.len());
    for handle in handles {
        outcomes.push(handle.await.unwrap());
    }
    outcomes
}

fn request(user_id: Uuid, expected_version: i32, hours: i32, interests: &[&str]) -> SaveRequest {
    SaveRequest {
        user_id,
        expected_version,
        input: ProfileState::example(
            Some(Level::Beginner),
            Some(hours),
            interests,
            Some("Data work"),
        ),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_saves_each_get_their_own_answer(pool: PgPool) {
    let ids = learners(&pool, 30).await;
    let writer = ProfileWriter::start(pool.clone());
    // Learner 0's form is stale, learner 1 chose a tag the catalog lacks,
    // learner 2 changed nothing; everyone else saves.
    let saves = ids.iter().enumerate().map(|(number, &user_id)| {
        let writer = writer.clone();
        let save = match number {
            0 => request(user_id, 7, 5, &["python"]),
            1 => request(user_id, 1, 5, &["python", "knitting"]),
            2 => SaveRequest {
                user_id,
                expected_version: 1,
                input: ProfileState::default(),
            },
            _ => request(user_id, 1, 5 + number as i32, &["cloud", "python"]),
        };
        async move { writer.save(save).await }
    });
    let outcomes = join_all(saves).await;

    for (number, (outcome, &user_id)) in outcomes.iter().zip(&ids).enumerate() {
        match (number, outcome) {
            (0, Err(AppError::Invalid(errors))) => {
                assert!(
                    format!("{errors:?}").contains("changed elsewhere"),
                    "{errors:?}"
                )
            }
            (1, Err(AppError::Invalid(errors))) => {
                assert!(format!("{errors:?}").contains("knitting"), "{errors:?}")
            }
            (2, Ok(SaveOutcome::Unchanged { version: 1 })) => {}
            (
                3..,
                Ok(SaveOutcome::Saved {
                    version: 2,
                    changes,
                    ..
                }),
            ) => assert_eq!(changes.len(), 4),
            other => panic!("learner {number}: {other:?}"),
        }
        let expected_version = if number >= 3 { 2 } else { 1 };
        assert_eq!(
            assert_history_is_whole(&pool, user_id).await,
            expected_version,
            "learner {number}"
        );
    }
    let versions: Vec<i32> =
        sqlx::query_scalar("select version from user_profiles order by version")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(versions.iter().filter(|&&version| version == 2).count(), 27);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_learners_racing_saves_leave_one_version_per_save(pool: PgPool) {
    let ids = learners(&pool, 1).await;
    let writer = ProfileWriter::start(pool.clone());
    // Ten tabs saving from the same version: exactly one wins.
    let saves = (0..10).map(|tab| {
        let writer = writer.clone();
        let save = request(ids[0], 1, 10 + tab, &["sql"]);
        async move { writer.save(save).await }
    });
    let outcomes = join_all(saves).await;
    let saved = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Ok(SaveOutcome::Saved { version: 2, .. })))
        .count();
    let refused = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Err(AppError::Invalid(_))))
        .count();
    assert_eq!((saved, refused), (1, 9), "{outcomes:?}");
    assert_eq!(assert_history_is_whole(&pool, ids[0]).await, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_failing_batch_is_retried_save_by_save(pool: PgPool) {
    let ids = learners(&pool, 8).await;
    // A fault only one learner's snapshot triggers, standing in for anything
    // that makes PostgreSQL refuse one save of a batch.
    sqlx::raw_sql(
        "create function refuse_one() returns trigger language plpgsql as $$
         begin
             if new.time_commitment = 99 then raise exception 'refused for the test'; end if;
             return new;
         end $$;
         create trigger refuse_one before insert on user_profile_snapshots
             for each row execute function refuse_one();",
    )
    .execute(&pool)
    .await
    .unwrap();
    let batch: Vec<SaveRequest> = ids
        .iter()
        .enumerate()
        .map(|(number, &user_id)| request(user_id, 1, if number == 3 { 99 } else { 4 }, &["sql"]))
        .collect();
    let (replies, answers): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|request| {
            let (reply, answer) = oneshot::channel();
            (PendingSave { request, reply }, answer)
        })
        .unzip();
    write(&pool, replies).await;

    for (number, answer) in answers.into_iter().enumerate() {
        let outcome = answer.await.unwrap();
        if number == 3 {
            assert!(matches!(outcome, Err(AppError::Internal)), "{outcome:?}");
        } else {
            assert!(
                matches!(outcome, Ok(SaveOutcome::Saved { version: 2, .. })),
                "{outcome:?}"
            );
        }
        let expected_version = if number == 3 { 1 } else { 2 };
        assert_eq!(
            assert_history_is_whole(&pool, ids[number]).await,
            expected_version
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn flush_returns_after_abandoned_saves_are_written(pool: PgPool) {
    let ids = learners(&pool, 20).await;
    let writer = ProfileWriter::start(pool.clone());
    // Saves whose requests went away (answers dropped unread), two per
    // learner, so the second of each is held back for a later batch: a flush
    // must wait for those too.
    for &user_id in &ids {
        for (expected_version, hours) in [(1, 4), (2, 6)] {
            let (reply, answer) = oneshot::channel();
            drop(answer);
            let save = PendingSave {
                request: request(user_id, expected_version, hours, &["sql"]),
                reply,
            };
            assert!(writer.queue.send(Queued::Save(save)).await.is_ok());
        }
    }
    writer.flush().await;
    for &user_id in &ids {
        assert_eq!(assert_history_is_whole(&pool, user_id).await, 3);
    }
    // A flush with nothing queued answers at once.
    tokio::time::timeout(std::time::Duration::from_secs(5), writer.flush())
        .await
        .unwrap();
}
