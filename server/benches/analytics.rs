//! The admin dashboard's queries at scale: each panel's time for a one-year
//! and a 90-day period, against a database filled by `seed-demo` (the
//! benchmark script loads 1,000,000 learners). Prints figures; asserts
//! nothing about speed.
//!
//! Run through `make bench-analytics`. Arguments: RUNS (default 5); the
//! database comes from DATABASE_URL.

use std::time::{Duration, Instant};

use app::admin::SegmentFilter;
use app::admin::service::analytics::{self, period_from};
use app::admin::service::learners;
use chrono::Utc;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Runs `panel` `runs` times; returns the median and the slowest time.
async fn measure<F, Fut, T>(runs: usize, mut panel: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, app::AppError>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        panel().await.expect("panel query");
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

async fn report(pool: &PgPool, label: &str, days: i64, runs: usize) {
    let today = Utc::now().date_naive();
    let from = (today - chrono::Duration::days(days - 1)).to_string();
    let (period, start, end) = period_from(Some(&from), None, None, today);
    let within = period.within_days;
    let segment = SegmentFilter {
        goal_contains: "data".into(),
        level: "beginner".into(),
        min_hours: "5".into(),
        joined_within_days: "180".into(),
        interest: String::new(),
    };
    let everyone = SegmentFilter::default();
    let rows = [
        (
            "1 level progression",
            measure(runs, || analytics::levels(pool, start, end, within)).await,
        ),
        (
            "2 interest trends",
            measure(runs, || analytics::interests(pool, start, end)).await,
        ),
        (
            "3 model comparison",
            measure(runs, || analytics::models(pool, start, end)).await,
        ),
        (
            "4 personalisation",
            measure(runs, || analytics::personalisation(pool, start, end)).await,
        ),
        (
            "5 churn + at-risk list",
            measure(runs, || analytics::churn(pool, start, end, 50)).await,
        ),
        (
            "6 course popularity",
            measure(runs, || analytics::popularity(pool, start, end)).await,
        ),
        (
            "7 segment (4 conditions)",
            measure(runs, || learners::segment(pool, &segment, Some(20))).await,
        ),
        (
            "7 segment (everyone)",
            measure(runs, || learners::segment(pool, &everyone, Some(20))).await,
        ),
        (
            "whole dashboard",
            measure(runs, || {
                analytics::dashboard(pool, period.clone(), start, end)
            })
            .await,
        ),
    ];
    println!(
        "\n{label} ({} to {}), {runs} runs each",
        period.from, period.to
    );
    println!("{:<28} {:>10} {:>10}", "panel", "median", "slowest");
    for (name, (median, slowest)) in rows {
        println!("{name:<28} {:>10} {:>10}", millis(median), millis(slowest));
    }
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find(|arg| arg != "--bench")
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(5);
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(&url)
        .await
        .expect("database");
    let (learners, snapshots, recommendations): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from users where role = 'learner'),
                (select count(*) from user_profile_snapshots),
                (select count(*) from recommendations)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    println!(
        "{learners} learners, {snapshots} profile snapshots, {recommendations} recommendations"
    );
    report(&pool, "one year", 365, runs).await;
    report(&pool, "90 days", 90, runs).await;
}
