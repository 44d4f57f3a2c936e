//! Segments, the user list and deactivation, on the shared fixture.

use super::*;
use crate::admin::fixture::{account, fixture};

fn filter(
    goal: &str,
    level: &str,
    min_hours: &str,
    joined_within: &str,
    interest: &str,
) -> SegmentFilter {
    SegmentFilter {
        goal_contains: goal.to_owned(),
        level: level.to_owned(),
        min_hours: min_hours.to_owned(),
        joined_within_days: joined_within.to_owned(),
        interest: interest.to_owned(),
    }
}

fn emails(result: &SegmentResult) -> Vec<&str> {
    let mut emails: Vec<&str> = result
        .learners
        .iter()
        .map(|row| row.email.split('@').next().unwrap_or_default())
        .collect();
    emails.sort();
    emails
}

#[sqlx::test(migrations = "../migrations")]
async fn segments_combine_conditions_on_the_current_profile(pool: PgPool) {
    fixture(&pool).await;
    // Current states: A intermediate 4h [python]; B intermediate 5h [design];
    // C intermediate 8h [design]; D beginner 6h [sql]. All goals "Learn things".
    let everyone = segment(&pool, &filter("learn", "", "", "", ""), None)
        .await
        .unwrap();
    assert_eq!(
        (everyone.count, emails(&everyone)),
        (4, vec!["a", "b", "c", "d"])
    );
    let cases = [
        (filter("", "intermediate", "", "", ""), vec!["a", "b", "c"]),
        (filter("", "intermediate", "5", "", ""), vec!["b", "c"]),
        (filter("", "", "", "", "design"), vec!["b", "c"]),
        (filter("", "", "6", "", "sql"), vec!["d"]),
        (filter("THINGS", "beginner", "", "", ""), vec!["d"]),
        (filter("nothing like this", "", "", "", ""), vec![]),
    ];
    for (conditions, expected) in cases {
        let result = segment(&pool, &conditions, None).await.unwrap();
        assert_eq!(emails(&result), expected, "{conditions:?}");
        assert_eq!(result.count, expected.len() as i64);
    }
    // Everyone in the fixture joined long before now.
    assert_eq!(
        segment(&pool, &filter("", "", "", "30", ""), None)
            .await
            .unwrap()
            .count,
        0
    );
    // LIKE wildcards are taken literally.
    assert_eq!(
        segment(&pool, &filter("%", "", "", "", ""), None)
            .await
            .unwrap()
            .count,
        0
    );
    // The page shows a few; the count is of all.
    let limited = segment(&pool, &filter("", "", "", "", ""), Some(2))
        .await
        .unwrap();
    assert_eq!((limited.count, limited.learners.len()), (4, 2));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_segment_conditions_are_ignored_with_a_note(pool: PgPool) {
    fixture(&pool).await;
    let result = segment(&pool, &filter("", "wizard", "500", "-3", ""), None)
        .await
        .unwrap();
    assert_eq!(result.count, 4);
    assert_eq!(result.notes.len(), 3, "{:?}", result.notes);
}

#[sqlx::test(migrations = "../migrations")]
async fn users_are_searched_paged_and_deactivated(pool: PgPool) {
    fixture(&pool).await;
    let admin = account(&pool, "boss@example.test").await;
    let all = users(&pool, "", Some(1)).await.unwrap();
    assert_eq!((all.total, all.page_count, all.users.len()), (5, 1, 5));
    let found = users(&pool, "demo.acmelearn", Some(1)).await.unwrap();
    assert_eq!(found.total, 4);
    assert!(found.users.iter().all(|row| row.is_demo));
    let past_the_end = users(&pool, "", Some(9)).await.unwrap();
    assert_eq!((past_the_end.total, past_the_end.users.len()), (5, 0));

    let target = found.users[0].id;
    let epoch: i32 = sqlx::query_scalar("select session_epoch from users where id = $1")
        .bind(target)
        .fetch_one(&pool)
        .await
        .unwrap();
    let changed = set_active(&pool, admin, target, false).await.unwrap();
    assert!(!changed.is_active);
    let after: i32 = sqlx::query_scalar("select session_epoch from users where id = $1")
        .bind(target)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(after, epoch + 1, "deactivation ends the user's sessions");
    assert!(
        set_active(&pool, admin, target, true)
            .await
            .unwrap()
            .is_active
    );
    assert_eq!(
        set_active(&pool, admin, admin, false)
            .await
            .unwrap_err()
            .status_code(),
        400
    );
    assert_eq!(
        set_active(&pool, admin, Uuid::new_v4(), false)
            .await
            .unwrap_err()
            .status_code(),
        404
    );

    let history = history(&pool, target).await.unwrap();
    assert!(!history.versions.is_empty());
}
