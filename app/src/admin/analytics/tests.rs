//! Every panel against a small hand-built history whose answers are worked
//! out by hand (dates in the comments), on PostgreSQL.

use std::collections::HashMap;

use chrono::TimeZone;
use uuid::Uuid;

use super::*;
use crate::admin::demo::{DemoLearner, DemoRecommendation, DemoVersion, tag_ids, write};

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 12, 0, 0).single().expect("a valid date")
}

fn version(when: DateTime<Utc>, level: Option<&'static str>, hours: Option<i32>, interests: &[&str]) -> DemoVersion {
    let mut interests: Vec<String> = interests.iter().map(|name| (*name).to_owned()).collect();
    interests.sort();
    DemoVersion {
        at: when,
        goal: level.map(|_| "Learn things".to_owned()),
        level,
        hours,
        interests,
    }
}

fn recommendation(
    when: DateTime<Utc>,
    profile_version: i32,
    model: &str,
    course_ids: Vec<Uuid>,
    rating: Option<(i16, DateTime<Utc>)>,
    feedback: Option<&str>,
) -> DemoRecommendation {
    DemoRecommendation {
        at: when,
        profile_version,
        model: model.to_owned(),
        course_ids,
        question: None,
        rating: rating.map(|(stars, _)| stars),
        feedback: feedback.map(str::to_owned),
        rated_at: rating.map(|(_, rated_at)| rated_at),
    }
}

fn learner(name: &str, signed_up_at: DateTime<Utc>, last_seen_at: DateTime<Utc>, versions: Vec<DemoVersion>, recommendations: Vec<DemoRecommendation>) -> DemoLearner {
    DemoLearner {
        id: Uuid::new_v4(),
        email: format!("{name}@demo.acmelearn.invalid"),
        signed_up_at,
        last_seen_at: Some(last_seen_at),
        versions,
        recommendations,
    }
}

/// Seven courses, c1…c7 by title.
async fn courses(pool: &PgPool) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for number in 1..=7 {
        let id: Uuid = sqlx::query_scalar(
            "insert into courses (title, description, difficulty, duration, contents)
             values ($1, 'A course.', 'beginner', 10, 'Module 1: Start - the basics.') returning id",
        )
        .bind(format!("c{number}"))
        .fetch_one(pool)
        .await
        .unwrap();
        ids.push(id);
    }
    for tag in ["python", "sql", "cloud", "design"] {
        sqlx::query("insert into tags (name) values ($1)").bind(tag).execute(pool).await.unwrap();
    }
    ids
}

/// The period is 2026-01-01 … 2026-03-31.
async fn fixture(pool: &PgPool) -> Vec<Uuid> {
    let c = courses(pool).await;
    let tags: HashMap<String, Uuid> = tag_ids(pool).await.unwrap();
    let learners = vec![
        // A: joins 5 Jan; beginner on 6 Jan; intermediate on 20 Jan (15 days
        // after joining, 14 after the previous version); on 10 Feb hours
        // 10 → 4 and interests 3 → 1. Rated 2 on 8 Jan, updated the profile
        // on 20 Jan, rated the next recommendation (21 Jan) 5.
        learner(
            "a",
            at(2026, 1, 5),
            at(2026, 2, 11),
            vec![
                version(at(2026, 1, 5), None, None, &[]),
                version(at(2026, 1, 6), Some("beginner"), Some(10), &["python", "sql", "cloud"]),
                version(at(2026, 1, 20), Some("intermediate"), Some(10), &["python", "sql", "cloud"]),
                version(at(2026, 2, 10), Some("intermediate"), Some(4), &["python"]),
            ],
            vec![
                recommendation(at(2026, 1, 7), 2, "builtin-v1", vec![c[0], c[1], c[2]], Some((2, at(2026, 1, 8))), Some("too easy")),
                recommendation(at(2026, 1, 21), 3, "builtin-v1", vec![c[1], c[3], c[4]], Some((5, at(2026, 1, 22))), None),
            ],
        ),
        // B: joins 10 Jan as a beginner; intermediate on 15 Mar (64 days).
        learner(
            "b",
            at(2026, 1, 10),
            at(2026, 3, 20),
            vec![
                version(at(2026, 1, 10), None, None, &[]),
                version(at(2026, 1, 10), Some("beginner"), Some(5), &["design"]),
                version(at(2026, 3, 15), Some("intermediate"), Some(5), &["design"]),
            ],
            vec![
                recommendation(at(2026, 1, 11), 2, "gpt-test", vec![c[0], c[2], c[5]], Some((4, at(2026, 1, 12))), Some("good")),
                recommendation(at(2026, 3, 16), 3, "gpt-test", vec![c[0], c[1], c[2]], None, None),
            ],
        ),
        // C: joined before the period; advanced on 1 Feb (123 days after
        // the previous version), back to intermediate on 2 Feb (1 day);
        // dropped cloud on 1 Feb.
        learner(
            "c",
            at(2025, 10, 1),
            at(2026, 2, 2),
            vec![
                version(at(2025, 10, 1), None, None, &[]),
                version(at(2025, 10, 1), Some("intermediate"), Some(8), &["cloud", "design"]),
                version(at(2026, 2, 1), Some("advanced"), Some(8), &["design"]),
                version(at(2026, 2, 2), Some("intermediate"), Some(8), &["design"]),
            ],
            vec![],
        ),
        // D: last seen in July 2025: inactive. Rated 1 in June 2025,
        // outside the period.
        learner(
            "d",
            at(2025, 6, 1),
            at(2025, 7, 1),
            vec![
                version(at(2025, 6, 1), None, None, &[]),
                version(at(2025, 6, 1), Some("beginner"), Some(6), &["sql"]),
            ],
            vec![recommendation(at(2025, 6, 2), 2, "builtin-v1", vec![c[0], c[1], c[2]], Some((1, at(2025, 6, 3))), None)],
        ),
    ];
    write(pool, &learners, "not a usable hash", &tags).await.unwrap();
    refresh(pool).await.unwrap();
    c
}

fn period(within: &str) -> (NaiveDate, NaiveDate, i32) {
    let (period, start, end) = period_from(Some("2026-01-01"), Some("2026-03-31"), Some(within), NaiveDate::default());
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
        .map(|t| (t.from_level.as_str(), t.to_level.as_str(), t.count, t.average_days))
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
    let weeks: Vec<(&str, i64, i64)> = panel.weeks.iter().map(|w| (w.week.as_str(), w.added, w.removed)).collect();
    assert_eq!(weeks, [("2026-01-05", 4, 0), ("2026-01-26", 0, 1), ("2026-02-09", 0, 2)]);
    let risers: Vec<(&str, i64)> = panel.risers.iter().map(|t| (t.interest.as_str(), t.net())).collect();
    assert_eq!(risers, [("design", 1), ("python", 1)]);
    let fallers: Vec<(&str, i64)> = panel.fallers.iter().map(|t| (t.interest.as_str(), t.net())).collect();
    assert_eq!(fallers, [("cloud", -1)]);
}

#[sqlx::test(migrations = "../migrations")]
async fn models_compared_overall_and_by_level_at_the_time(pool: PgPool) {
    fixture(&pool).await;
    let (start, end, _) = period("90");
    let rows = models(&pool, start, end).await.unwrap();
    let summary: Vec<(&str, Option<&str>, i64, i64, i64, Option<f64>, [i64; 5])> = rows
        .iter()
        .map(|r| (r.model.as_str(), r.level.as_deref(), r.recommendations, r.rated, r.with_feedback, r.average_rating, r.stars))
        .collect();
    assert_eq!(
        summary,
        [
            ("builtin-v1", None, 2, 2, 1, Some(3.5), [0, 1, 0, 0, 1]),
            ("builtin-v1", Some("beginner"), 1, 1, 1, Some(2.0), [0, 1, 0, 0, 0]),
            ("builtin-v1", Some("intermediate"), 1, 1, 0, Some(5.0), [0, 0, 0, 0, 1]),
            ("gpt-test", None, 2, 1, 1, Some(4.0), [0, 0, 0, 1, 0]),
            ("gpt-test", Some("beginner"), 1, 1, 1, Some(4.0), [0, 0, 0, 1, 0]),
            ("gpt-test", Some("intermediate"), 1, 0, 0, None, [0, 0, 0, 0, 0]),
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
    let versions: Vec<(i32, i64, Option<f64>)> = panel.by_version.iter().map(|v| (v.version, v.rated, v.average_rating)).collect();
    assert_eq!(versions, [(2, 2, Some(3.0)), (3, 1, Some(5.0))]);
    // A's 2 on 8 Jan, profile updated 20 Jan, next recommendation rated 5.
    // D's 1 was in June 2025, outside the period.
    assert_eq!(
        (panel.low_ratings, panel.updated_after, panel.next_rated, panel.next_average),
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
        (panel.hours_drop, panel.narrowing, panel.negative_ratings, panel.inactive),
        (1, 1, 1, 1)
    );
    // A's drop was more than 30 days before the period's end, and A was not
    // seen after 11 Feb: went quiet within 30 days.
    assert_eq!((panel.dropped_and_observed, panel.dropped_then_inactive), (1, 1));
    assert_eq!(panel.at_risk_total, 1);
    assert_eq!(panel.at_risk.len(), 1);
    assert_eq!(panel.at_risk[0].email, "a@demo.acmelearn.invalid");
    assert_eq!(panel.at_risk[0].last_active, "2026-02-11");
    assert_eq!(
        panel.at_risk[0].signals,
        ["hours per week dropped by more than half", "interests narrowed to one", "gave a low rating"]
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
        .map(|course| (course.title.as_str(), course.recommended, course.rated, course.average_rating))
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
    let real = crate::account::service::register(&pool, "real@example.test", "a sturdy passphrase", "a sturdy passphrase")
        .await
        .unwrap()
        .user
        .id;
    let demo: i64 = sqlx::query_scalar("select count(*) from users where is_demo and email like '%@demo.acmelearn.invalid'")
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
    sqlx::query("set local acmelearn.purge_demo = 'on'").execute(&mut *transaction).await.unwrap();
    assert!(sqlx::query("delete from user_profile_snapshots where user_id = $1")
        .bind(real)
        .execute(&mut *transaction)
        .await
        .is_err());
}

#[test]
fn bad_periods_are_corrected_with_notes() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let (period, start, end) = period_from(None, None, None, today);
    assert_eq!((period.from.as_str(), period.to.as_str(), period.within_days), ("2026-08-29", "2026-11-26", 90));
    assert_eq!((end - start).num_days(), 90);
    assert!(period.notes.is_empty());

    let (period, ..) = period_from(Some("2026-05-01"), Some("2026-02-01"), Some("0"), today);
    assert_eq!((period.from.as_str(), period.to.as_str(), period.within_days), ("2026-02-01", "2026-05-01", 90));
    assert_eq!(period.notes.len(), 2);

    let (period, ..) = period_from(Some("yesterday"), Some("2026-13-01"), Some("ten"), today);
    assert_eq!(period.to, "2026-11-26");
    assert_eq!(period.notes.len(), 3);

    let (period, ..) = period_from(Some("1900-01-01"), None, None, today);
    assert!(period.notes[0].contains("at most"), "{:?}", period.notes);
}
