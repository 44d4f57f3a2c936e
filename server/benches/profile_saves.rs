//! Profile-save throughput: N logged-in learners save their profile over
//! HTTP exactly as the browser does (form-encoded POST to the save server
//! function with the session cookie), against a running release server.
//! Two runs, then a check in the database that nothing was lost:
//!
//! 1. flat out: every learner saves again as soon as the last save answers
//!    (the most saves per second; with N learners always waiting, latency
//!    is N / throughput by construction);
//! 2. at a fixed rate: the learners together start RATE saves per second on
//!    a schedule, and each latency counts from the moment the save was due,
//!    so a server that falls behind cannot hide its queue (no coordinated
//!    omission).
//!
//! Run through `make bench-profile`, which starts the server and a database.
//! Arguments: BASE_URL LEARNERS SECONDS RATE
//! (defaults http://127.0.0.1:3200 64 10 2000).

mod support;
use std::time::{Duration, Instant};
use support::percentile;

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

/// A learner saving until the deadline; remembers each acknowledged save's
/// latency and the version the next save starts from.
struct Saver {
    client: Client,
    base: String,
    learner: Learner,
    version: i32,
    round: usize,
    latencies: Vec<Duration>,
    failures: usize,
}

impl Saver {
    /// Saves until the deadline: back to back, or with `pace` one save every
    /// `pace` from `first_due`, each latency counted from when it was due.
    async fn run(mut self, deadline: Instant, first_due: Instant, pace: Option<Duration>) -> Self {
        self.latencies.clear();
        let mut due = first_due;
        while Instant::now() < deadline {
            let started = match pace {
                Some(pace) => {
                    tokio::time::sleep_until(due.into()).await;
                    let this_one = due;
                    due += pace;
                    if this_one >= deadline {
                        break;
                    }
                    this_one
                }
                None => Instant::now(),
            };
            self.save_once(started).await;
        }
        self
    }

    async fn save_once(&mut self, started: Instant) {
        self.round += 1;
        let round = self.round;
        let hours = (round % 168 + 1).to_string();
        let level = ["beginner", "intermediate", "advanced"][round % 3];
        let body = format!(
            "expected_version={}&learning_goal=Goal+{round}&current_level={level}&hours_per_week={hours}&interests%5B%5D={}",
            self.version,
            INTERESTS[round % INTERESTS.len()].replace(' ', "+")
        );
        let response = self
            .client
            .post(format!("{}/api/profile/save", self.base))
            .header(ORIGIN, &self.base)
            .header(COOKIE, &self.learner.cookie)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        match response {
            Ok(response) if response.status().is_success() => {
                let _ = response.bytes().await;
                self.latencies.push(started.elapsed());
                self.version += 1;
            }
            Ok(response) => {
                self.failures += 1;
                eprintln!(
                    "{}: save refused with {}",
                    self.learner.email,
                    response.status()
                );
            }
            Err(error) => {
                self.failures += 1;
                eprintln!("{}: {error}", self.learner.email);
            }
        }
    }
}

/// Runs every learner until `seconds` have passed; prints the figures.
async fn measure(savers: Vec<Saver>, seconds: u64, rate: Option<f64>, title: &str) -> Vec<Saver> {
    let learners = savers.len();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    // At a fixed rate each learner saves every `learners / rate` seconds,
    // their schedules spread evenly over one such interval.
    let pace = rate.map(|rate| Duration::from_secs_f64(learners as f64 / rate));
    let tasks: Vec<_> = savers
        .into_iter()
        .enumerate()
        .map(|(index, saver)| {
            let offset = pace.map_or(Duration::ZERO, |pace| pace * index as u32 / learners as u32);
            tokio::spawn(saver.run(deadline, started + offset, pace))
        })
        .collect();
    let mut savers = Vec::with_capacity(learners);
    for task in tasks {
        savers.push(task.await.expect("save task"));
    }
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = savers
        .iter()
        .flat_map(|saver| saver.latencies.iter().copied())
        .collect();
    latencies.sort();
    let milliseconds = |fraction: f64| percentile(&latencies, fraction).as_secs_f64() * 1000.0;

    println!("{title}, {:.1} s:", elapsed.as_secs_f64());
    println!(
        "  saves/s      {:>8.0}",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!("  saves        {:>8}", latencies.len());
    println!("  p50          {:>8.2} ms", milliseconds(0.50));
    println!("  p90          {:>8.2} ms", milliseconds(0.90));
    println!("  p99          {:>8.2} ms", milliseconds(0.99));
    println!("  max          {:>8.2} ms", milliseconds(1.0));
    savers
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
    let rate: f64 = arguments
        .next()
        .and_then(|n| n.parse().ok())
        .filter(|rate: &f64| *rate > 0.0)
        .unwrap_or(2000.0);
    let database_url =
        std::env::var("DATABASE_URL").expect("DATABASE_URL of the server's database");

    let client = Client::builder()
        .pool_max_idle_per_host(learners)
        .build()
        .expect("HTTP client");
    let run = std::process::id();
    let mut savers = Vec::with_capacity(learners);
    for index in 0..learners {
        let email = format!("bench-{run}-{index}@example.test");
        savers.push(Saver {
            client: client.clone(),
            base: base.clone(),
            learner: sign_up(&client, &base, email).await,
            version: 1,
            round: index * 7,
            latencies: Vec::new(),
            failures: 0,
        });
    }
    println!("{learners} learners signed up; saving for {seconds} s, twice…");

    let savers = measure(
        savers,
        seconds,
        None,
        &format!("profile saves, {learners} learners flat out"),
    )
    .await;
    let savers = measure(
        savers,
        seconds,
        Some(rate),
        &format!("profile saves, {learners} learners at {rate:.0} saves/s in all"),
    )
    .await;

    let emails: Vec<String> = savers
        .iter()
        .map(|saver| saver.learner.email.clone())
        .collect();
    // Every acknowledged save of both runs is one version.
    let acknowledged: Vec<usize> = savers
        .iter()
        .map(|saver| (saver.version - 1) as usize)
        .collect();
    let failures: usize = savers.iter().map(|saver| saver.failures).sum();
    println!("  failures     {failures:>8}");
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
