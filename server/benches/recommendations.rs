//! The built-in ranker's cost per request, as a learner waits for it: read
//! the learner's words (spelling, off-topic check), pick the candidate courses (PostgreSQL, through the catalog's indexes) and rank
//! them (Rust), for a mix of personas asked one after another. No model call
//! and no storing: those are not the ranker's work.
//!
//! Run through `make bench-recommendations`, which prepares a database with
//! the shipped catalog and one with 100,000 courses. Arguments: LABEL
//! ITERATIONS; the database comes from DATABASE_URL.

mod support;
use std::time::{Duration, Instant};
use support::percentile;

use app::profile::Level;
use app::recommend::ranker::{Learner, rank};
use app::recommend::service::{candidates, understand};
use sqlx::postgres::PgPoolOptions;

fn personas() -> Vec<Learner> {
    let learner = |goal: &str, level, hours, interests: &[&str], question: Option<&str>| Learner {
        goal: Some(goal.to_owned()),
        level: Some(level),
        hours_per_week: Some(hours),
        interests: interests.iter().map(|tag| (*tag).to_owned()).collect(),
        question: question.map(str::to_owned),
    };
    vec![
        learner(
            "Build my first website",
            Level::Beginner,
            5,
            &["web development", "javascript", "html"],
            None,
        ),
        learner(
            "Run reliable data pipelines",
            Level::Advanced,
            10,
            &["data engineering", "sql", "python", "data pipelines"],
            Some("I want to get into streaming data engineering"),
        ),
        learner(
            "Lead product discovery",
            Level::Intermediate,
            4,
            &["product management", "user research"],
            None,
        ),
        learner(
            "Move into machine learning",
            Level::Intermediate,
            8,
            &["python", "machine learning", "statistics"],
            Some("deep learning for images"),
        ),
        Learner::default(),
    ]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let label = args.next().unwrap_or_else(|| "catalog".to_owned());
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(300);
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .expect("database");
    let courses: i64 = sqlx::query_scalar("select count(*) from courses")
        .fetch_one(&pool)
        .await
        .expect("count");
    let personas = personas();

    // Warm the caches and the prepared statements.
    for learner in &personas {
        let mut learner = learner.clone();
        understand(&pool, &mut learner).await.expect("understood");
        let found = candidates(&pool, &learner).await.expect("candidates");
        rank(&learner, &found);
    }
    let mut total = Vec::with_capacity(iterations);
    let mut ranking_only = Vec::with_capacity(iterations);
    let mut candidate_counts = Vec::with_capacity(iterations);
    for iteration in 0..iterations {
        let mut learner = personas[iteration % personas.len()].clone();
        let started = Instant::now();
        understand(&pool, &mut learner).await.expect("understood");
        let learner = &learner;
        let found = candidates(&pool, learner).await.expect("candidates");
        let ranked_at = Instant::now();
        let ranking = rank(learner, &found);
        let finished = Instant::now();
        assert!(!ranking.picks.is_empty(), "every persona gets an answer");
        total.push(finished - started);
        ranking_only.push(finished - ranked_at);
        candidate_counts.push(found.len());
    }
    total.sort();
    ranking_only.sort();
    let mean_candidates = candidate_counts.iter().sum::<usize>() / candidate_counts.len().max(1);
    println!(
        "{label:<10} {courses:>8} courses  p50 {:>9}  p99 {:>9}  (ranking in Rust: p50 {}, p99 {}; {mean_candidates} candidates on average; {iterations} requests)",
        millis(percentile(&total, 0.50)),
        millis(percentile(&total, 0.99)),
        millis(percentile(&ranking_only, 0.50)),
        millis(percentile(&ranking_only, 0.99)),
    );
}
