//! Profile-save throughput: N logged-in learners save their profile over
//! HTTP as fast as they can, exactly as the browser does (form-encoded POST
//! to the save server function with the session cookie), against a running
//! release server. Prints saves/s and latency percentiles, then checks in
//! the database that nothing was lost.
//!
//! Run through `make bench-profile`, which starts the server and a database.
//! Arguments: BASE_URL LEARNERS SECONDS (defaults http://127.0.0.1:3200 64 10).

use std::time::{Duration, Instant};

use reqwest::Client;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use sqlx::PgPool;

const PASSWORD: &str = "a sturdy passphrase";
const INTERESTS: [&str; 4] = ["python", "sql", "data engineering", "machine learning"];

struct Learner {
    email: String,
    cookie: String,
}

async fn sign_up(client: &Client, base: &str, email: String) -> Learner {
    let response = client
        .post(format!("{base}/api/account/signup"))
        .header(ORIGIN, base)
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ])
        .send()
        .await
        .expect("sign-up request");
    assert!(
        response.status().is_success(),
        "sign-up: {}",
        response.status()
    );
    let cookie = response.headers()[SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("cookie pair")
        .to_owned();
    Learner { email, cookie }
}

/// Saves until the deadline; returns each successful save's latency.
async fn save_repeatedly(
    client: Client,
    base: String,
    learner: Learner,
    deadline: Instant,
    seed: usize,
) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut version = 1;
    let mut round = seed;
    while Instant::now() < deadline {
        round += 1;
        let hours = (round % 168 + 1).to_string();
        let level = ["beginner", "intermediate", "advanced"][round % 3];
        let body = format!(
            "expected_version={version}&learning_goal=Goal+{round}&current_level={level}&hours_per_week={hours}&interests%5B%5D={}",
            INTERESTS[round % INTERESTS.len()].replace(' ', "+")
        );
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/profile/save"))
            .header(ORIGIN, &base)
            .header(COOKIE, &learner.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        match response {
            Ok(response) if response.status().is_success() => {
                let _ = response.bytes().await;
                latencies.push(started.elapsed());
                version += 1;
            }
            Ok(response) => {
                failures += 1;
                eprintln!("{}: save refused with {}", learner.email, response.status());
            }
            Err(error) => {
                failures += 1;
                eprintln!("{}: {error}", learner.email);
            }
        }
    }
    (latencies, failures)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Every learner's versions are 1..=N with one snapshot each, N - 1 equals
/// the saves the server acknowledged, and the last snapshot is the profile.
async fn verify(pool: &PgPool, emails: &[String], acknowledged: &[usize]) -> Result<(), String> {
    for (email, saves) in emails.iter().zip(acknowledged) {
        let (version, snapshots, distinct, max, matches): (i32, i64, i64, i32, bool) =
            sqlx::query_as(
                r#"
            select p.version,
                   count(s.*),
                   count(distinct s.version),
                   max(s.version),
                   bool_or(s.version = p.version
                           and s.learning_goal is not distinct from p.learning_goal
                           and s.current_level is not distinct from p.current_level
                           and s.time_commitment is not distinct from p.time_commitment
                           and s.interests_snapshot = (
                               select coalesce(jsonb_agg(t.name order by t.name), '[]')
                               from user_interests ui join tags t on t.id = ui.tag_id
                               where ui.user_profile_id = p.id))
            from users u
            join user_profiles p on p.user_id = u.id
            join user_profile_snapshots s on s.user_profile_id = p.id
            where u.email = $1
            group by p.id, p.version
            "#,
            )
            .bind(email)
            .fetch_one(pool)
            .await
            .map_err(|error| error.to_string())?;
        let expected = *saves as i32 + 1;
        if version != expected
            || snapshots != i64::from(version)
            || distinct != snapshots
            || max != version
            || !matches
        {
            return Err(format!(
                "{email}: version {version}, {snapshots} snapshots ({distinct} distinct, max {max}), matches {matches}; expected version {expected}"
            ));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with("--"));
    let base = arguments
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3200".to_owned());
    let learners: usize = arguments.next().and_then(|n| n.parse().ok()).unwrap_or(64);
    let seconds: u64 = arguments.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let database_url =
        std::env::var("DATABASE_URL").expect("DATABASE_URL of the server's database");

    let client = Client::builder()
        .pool_max_idle_per_host(learners)
        .build()
        .expect("HTTP client");
    let run = std::process::id();
    let mut signed_up = Vec::with_capacity(learners);
    for index in 0..learners {
        signed_up.push(sign_up(&client, &base, format!("bench-{run}-{index}@example.test")).await);
    }
    let emails: Vec<String> = signed_up
        .iter()
        .map(|learner| learner.email.clone())
        .collect();
    println!("{learners} learners signed up; saving for {seconds} s…");

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = signed_up
        .into_iter()
        .enumerate()
        .map(|(index, learner)| {
            tokio::spawn(save_repeatedly(
                client.clone(),
                base.clone(),
                learner,
                deadline,
                index * 7,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut acknowledged = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (task_latencies, task_failures) = task.await.expect("save task");
        acknowledged.push(task_latencies.len());
        latencies.extend(task_latencies);
        failures += task_failures;
    }
    let elapsed = started.elapsed();
    latencies.sort();

    println!(
        "profile saves at {learners} concurrent learners, {:.1} s:",
        elapsed.as_secs_f64()
    );
    println!(
        "  saves/s      {:>8.0}",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("  saves        {:>8}", latencies.len());
    println!("  failures     {:>8}", failures);
    println!(
        "  p50          {:>8.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0
    );
    println!(
        "  p90          {:>8.2} ms",
        percentile(&latencies, 0.90).as_secs_f64() * 1000.0
    );
    println!(
        "  p99          {:>8.2} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!(
        "  max          {:>8.2} ms",
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );

    let pool = PgPool::connect(&database_url).await.expect("database");
    match verify(&pool, &emails, &acknowledged).await {
        Ok(()) => println!(
            "  integrity    every learner: versions 1..N contiguous, one snapshot each, N-1 = acknowledged saves, last snapshot = profile"
        ),
        Err(problem) => {
            println!("  integrity    FAILED: {problem}");
            std::process::exit(1);
        }
    }
    if failures > 0 {
        std::process::exit(1);
    }
}
