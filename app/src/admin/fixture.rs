//! A small hand-built history whose analytics answers are worked out by hand
//! (dates in the comments), shared by the admin tests.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::demo::{DemoLearner, DemoRecommendation, DemoVersion, tag_ids, write};
use super::service::analytics::refresh;

pub fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 12, 0, 0)
        .single()
        .expect("a valid date")
}

fn version(
    when: DateTime<Utc>,
    level: Option<&'static str>,
    hours: Option<i32>,
    interests: &[&str],
) -> DemoVersion {
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

fn learner(
    name: &str,
    signed_up_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    versions: Vec<DemoVersion>,
    recommendations: Vec<DemoRecommendation>,
) -> DemoLearner {
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
        sqlx::query("insert into tags (name) values ($1)")
            .bind(tag)
            .execute(pool)
            .await
            .unwrap();
    }
    ids
}

/// The period is 2026-01-01 … 2026-03-31.
pub async fn fixture(pool: &PgPool) -> Vec<Uuid> {
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
                version(
                    at(2026, 1, 6),
                    Some("beginner"),
                    Some(10),
                    &["python", "sql", "cloud"],
                ),
                version(
                    at(2026, 1, 20),
                    Some("intermediate"),
                    Some(10),
                    &["python", "sql", "cloud"],
                ),
                version(at(2026, 2, 10), Some("intermediate"), Some(4), &["python"]),
            ],
            vec![
                recommendation(
                    at(2026, 1, 7),
                    2,
                    "builtin-v1",
                    vec![c[0], c[1], c[2]],
                    Some((2, at(2026, 1, 8))),
                    Some("too easy"),
                ),
                recommendation(
                    at(2026, 1, 21),
                    3,
                    "builtin-v1",
                    vec![c[1], c[3], c[4]],
                    Some((5, at(2026, 1, 22))),
                    None,
                ),
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
                recommendation(
                    at(2026, 1, 11),
                    2,
                    "gpt-test",
                    vec![c[0], c[2], c[5]],
                    Some((4, at(2026, 1, 12))),
                    Some("good"),
                ),
                recommendation(
                    at(2026, 3, 16),
                    3,
                    "gpt-test",
                    vec![c[0], c[1], c[2]],
                    None,
                    None,
                ),
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
                version(
                    at(2025, 10, 1),
                    Some("intermediate"),
                    Some(8),
                    &["cloud", "design"],
                ),
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
            vec![recommendation(
                at(2025, 6, 2),
                2,
                "builtin-v1",
                vec![c[0], c[1], c[2]],
                Some((1, at(2025, 6, 3))),
                None,
            )],
        ),
    ];
    write(pool, &learners, "not a usable hash", &tags)
        .await
        .unwrap();
    refresh(pool).await.unwrap();
    c
}

/// A real (not demo) account; returns its id.
pub async fn account(pool: &PgPool, email: &str) -> Uuid {
    crate::account::service::register(pool, email, "a sturdy passphrase", "a sturdy passphrase")
        .await
        .unwrap()
        .user
        .id
}
