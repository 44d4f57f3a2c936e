//! Every panel against a small hand-built history whose answers are worked
//! out by hand (dates in the comments), on PostgreSQL.

use super::*;
use crate::admin::fixture::{account, fixture};

fn period(within: &str) -> (NaiveDate, NaiveDate, i32) {
    let (period, start, end) = period_from(
        Some("2026-01-01"),
        Some("2026-03-31"),
        Some(within),
        NaiveDate::default(),
    );
    assert!(period.notes.is_empty(), "{:?}", period.notes);
    (start, end, period.within_days)
}

#[sqlx::test(migrations = "../migrations")]
async fn level_transitions_and_the_beginner_cohort(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, within) = period("30");
    let panel = levels(&pool, start, end, within).await.unwrap();
    let transitions: Vec<(&str, &str, i64, f64)> = panel
        .transitions
        .iter()
        .map(|t| {
            (
                t.from_level.as_str(),
                t.to_level.as_str(),
                t.count,
                t.average_days,
            )
        })
        .collect();
    assert_eq!(
        transitions,
        [
            ("beginner", "intermediate", 2, 39.0),
            ("intermediate", "advanced", 1, 123.0),
            ("advanced", "intermediate", 1, 1.0),
        ]
    );
    // A and B joined in the period as beginners; only A moved up within 30 days.
    assert_eq!((panel.beginner_cohort, panel.moved_within), (2, 1));
    let wider = levels(&pool, start, end, 70).await.unwrap();
    assert_eq!((wider.beginner_cohort, wider.moved_within), (2, 2));
}

#[sqlx::test(migrations = "../migrations")]
async fn interest_trends_by_week_with_risers_and_fallers(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, _) = period("90");
    let panel = interests(&pool, start, end).await.unwrap();
    let weeks: Vec<(&str, i64, i64)> = panel
        .weeks
        .iter()
        .map(|w| (w.week.as_str(), w.added, w.removed))
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-01-05", 4, 0),
            ("2026-01-26", 0, 1),
            ("2026-02-09", 0, 2)
        ]
    );
    let risers: Vec<(&str, i64)> = panel
        .risers
        .iter()
        .map(|t| (t.interest.as_str(), t.net()))
        .collect();
    assert_eq!(risers, [("design", 1), ("python", 1)]);
    let fallers: Vec<(&str, i64)> = panel
        .fallers
        .iter()
        .map(|t| (t.interest.as_str(), t.net()))
        .collect();
    assert_eq!(fallers, [("cloud", -1)]);
}

#[sqlx::test(migrations = "../migrations")]
async fn models_compared_overall_and_by_level_at_the_time(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, _) = period("90");
    let rows = models(&pool, start, end).await.unwrap();
    type Summary<'a> = (
        &'a str,
        Option<&'a str>,
        i64,
        i64,
        i64,
        Option<f64>,
        [i64; 5],
    );
    let summary: Vec<Summary> = rows
        .iter()
        .map(|r| {
            (
                r.model.as_str(),
                r.level.as_deref(),
                r.recommendations,
                r.rated,
                r.with_feedback,
                r.average_rating,
                r.stars,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("builtin-v1", None, 2, 2, 1, Some(3.5), [0, 1, 0, 0, 1]),
            (
                "builtin-v1",
                Some("beginner"),
                1,
                1,
                1,
                Some(2.0),
                [0, 1, 0, 0, 0]
            ),
            (
                "builtin-v1",
                Some("intermediate"),
                1,
                1,
                0,
                Some(5.0),
                [0, 0, 0, 0, 1]
            ),
            ("gpt-test", None, 2, 1, 1, Some(4.0), [0, 0, 0, 1, 0]),
            (
                "gpt-test",
                Some("beginner"),
                1,
                1,
                1,
                Some(4.0),
                [0, 0, 0, 1, 0]
            ),
            (
                "gpt-test",
                Some("intermediate"),
                1,
                0,
                0,
                None,
                [0, 0, 0, 0, 0]
            ),
        ]
    );
    assert_eq!(rows[0].feedback_rate(), 100.0);
    assert_eq!(rows[3].feedback_rate(), 50.0);
}

#[sqlx::test(migrations = "../migrations")]
async fn ratings_by_profile_version_and_after_a_low_rating(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, _) = period("90");
    let panel = personalisation(&pool, start, end).await.unwrap();
    let versions: Vec<(i32, i64, Option<f64>)> = panel
        .by_version
        .iter()
        .map(|v| (v.version, v.rated, v.average_rating))
        .collect();
    assert_eq!(versions, [(2, 2, Some(3.0)), (3, 1, Some(5.0))]);
    // A's 2 on 8 Jan, profile updated 20 Jan, next recommendation rated 5.
    // D's 1 was in June 2025, outside the period.
    assert_eq!(
        (
            panel.low_ratings,
            panel.updated_after,
            panel.next_rated,
            panel.next_average
        ),
        (1, 1, 1, Some(5.0))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn churn_signals_and_the_at_risk_list(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, _) = period("90");
    let panel = churn(&pool, start, end, 50).await.unwrap();
    // A: hours 10 → 4 and interests 3 → 1 on 10 Feb, a low rating on 8 Jan.
    // D: last seen July 2025, more than 90 days before 31 Mar.
    assert_eq!(
        (
            panel.hours_drop,
            panel.narrowing,
            panel.negative_ratings,
            panel.inactive
        ),
        (1, 1, 1, 1)
    );
    // A's drop was more than 30 days before the period's end, and A was not
    // seen after 11 Feb: went quiet within 30 days.
    assert_eq!(
        (panel.dropped_and_observed, panel.dropped_then_inactive),
        (1, 1)
    );
    assert_eq!(panel.at_risk_total, 1);
    assert_eq!(panel.at_risk.len(), 1);
    assert_eq!(panel.at_risk[0].email, "a@demo.acmelearn.invalid");
    assert_eq!(panel.at_risk[0].last_active, "2026-02-11");
    assert_eq!(
        panel.at_risk[0].signals,
        [
            "hours per week dropped by more than half",
            "interests narrowed to one",
            "gave a low rating"
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn course_popularity_and_courses_never_recommended(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, _) = period("90");
    let panel = popularity(&pool, start, end).await.unwrap();
    let top: Vec<(&str, i64, i64, Option<f64>)> = panel
        .top
        .iter()
        .map(|course| {
            (
                course.title.as_str(),
                course.recommended,
                course.rated,
                course.average_rating,
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("c1", 3, 2, Some(3.0)),
            ("c2", 3, 2, Some(3.5)),
            ("c3", 3, 2, Some(3.0)),
            ("c4", 1, 1, Some(5.0)),
            ("c5", 1, 1, Some(5.0)),
            ("c6", 1, 1, Some(4.0)),
        ]
    );
    assert_eq!(panel.never_recommended, 1);
    assert_eq!(panel.never_examples, [("c7".to_owned(), "c7".to_owned())]);
}

#[sqlx::test(migrations = "../migrations")]
async fn demo_learners_are_marked_and_purged_but_real_history_stays(pool: PgPool) {
    fixture(&pool).await;
    let real = account(&pool, "real@example.test").await;
    let demo: i64 = sqlx::query_scalar(
        "select count(*) from users where is_demo and email like '%@demo.acmelearn.invalid'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(demo, 4);
    // Without the purge's own setting, even demo history is insert-only.
    assert!(sqlx::query("delete from user_profile_snapshots where user_id in (select id from users where is_demo)")
        .execute(&pool)
        .await
        .is_err());
    assert_eq!(crate::admin::demo::purge(&pool).await.unwrap(), 4);
    let left: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from users), (select count(*) from user_profile_snapshots), (select count(*) from recommendations)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, (1, 1, 0));
    // The setting does not open real learners' history.
    let mut transaction = pool.begin().await.unwrap();
    sqlx::query("set local acmelearn.purge_demo = 'on'")
        .execute(&mut *transaction)
        .await
        .unwrap();
    assert!(
        sqlx::query("delete from user_profile_snapshots where user_id = $1")
            .bind(real)
            .execute(&mut *transaction)
            .await
            .is_err()
    );
}

#[test]
fn bad_periods_are_corrected_with_notes() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let (period, start, end) = period_from(None, None, None, today);
    assert_eq!(
        (period.from.as_str(), period.to.as_str(), period.within_days),
        ("2026-08-29", "2026-11-26", 90)
    );
    assert_eq!((end - start).num_days(), 90);
    assert!(period.notes.is_empty());

    let (period, ..) = period_from(Some("2026-05-01"), Some("2026-02-01"), Some("0"), today);
    assert_eq!(
        (period.from.as_str(), period.to.as_str(), period.within_days),
        ("2026-02-01", "2026-05-01", 90)
    );
    assert_eq!(period.notes.len(), 2);

    let (period, ..) = period_from(Some("yesterday"), Some("2026-13-01"), Some("ten"), today);
    assert_eq!(period.to, "2026-11-26");
    assert_eq!(period.notes.len(), 3);

    let (period, ..) = period_from(Some("1900-01-01"), None, None, today);
    assert!(period.notes[0].contains("at most"), "{:?}", period.notes);

    // Dates chrono or PostgreSQL cannot do arithmetic on (a panic and a 500
    // before) are refused like any other bad date.
    for (from, to) in [
        (None, Some("+262142-12-31")),
        (None, Some("-5000-01-01")),
        (Some("0001-01-01"), None),
        (Some("-0001-12-31"), Some("9999-12-31")),
    ] {
        let (period, start, end) = period_from(from, to, None, today);
        assert!(
            period
                .notes
                .iter()
                .any(|note| note.contains("is outside 1900-01-01 to 2999-12-31")
                    || note.contains("is not a date")),
            "{:?}",
            period.notes
        );
        assert!(
            start >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()
                && end <= today + chrono::Duration::days(1)
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn figures_are_recomputed_only_when_they_are_old(pool: PgPool) {
    let hour = std::time::Duration::from_secs(3600);
    let refreshes = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("select count(*) from analytics_refreshes")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(refreshes(pool.clone()).await, 0);
    assert!(
        refresh_when_older_than(&pool, hour)
            .await
            .unwrap()
            .is_some(),
        "none yet"
    );
    assert!(
        refresh_when_older_than(&pool, hour)
            .await
            .unwrap()
            .is_none(),
        "fresh"
    );
    assert_eq!(refreshes(pool.clone()).await, 1);

    sqlx::query("update analytics_refreshes set refreshed_at = now() - interval '61 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        refresh_when_older_than(&pool, hour)
            .await
            .unwrap()
            .is_some(),
        "stale"
    );
    assert_eq!(refreshes(pool).await, 2);
}
