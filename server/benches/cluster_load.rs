//! The cluster under load and under faults: N learners use AcmeLearn through
//! the load balancer of `make cluster` as people do — browse and search the
//! catalog, open courses, sign in again, save their profile, ask for and
//! rate recommendations, read their histories — while one fault at a time
//! is done to the cluster. Then sessions are tried across the two servers,
//! and the database is checked for what the learners were told.
//!
//! Phases, one after another, the load running throughout:
//! 1. steady load, SECONDS long (requests/s and p50/p99 per kind);
//! 2. SIGKILL one server, restart it 5 s later;
//! 3. restart the primary PostgreSQL;
//! 4. stop the replica, start it again 8 s later;
//! 5. rolling restart of both servers (SIGTERM, one at a time).
//!
//! A failure is a 5xx, a transport error, or a 4xx nothing in the workload
//! explains (a 429 for the daily recommendation quota is the learner being
//! told "no more today", and is counted apart). A fault's recovery time runs
//! from the fault until the last request that failed because of it.
//!
//! Run through `make bench-cluster`, which starts (or reuses) the cluster.
//! Arguments: BALANCER_URL SERVER1_URL SERVER2_URL LEARNERS SECONDS
//! CLUSTER_SCRIPT; DATABASE_URL is the primary.

mod support;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::percentile;

use reqwest::header::{ACCEPT, COOKIE, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

const PASSWORD: &str = "a sturdy passphrase";
const INTERESTS: [&str; 6] = [
    "python",
    "sql",
    "data engineering",
    "machine learning",
    "javascript",
    "statistics",
];
const SEARCHES: [&str; 8] = [
    "python",
    "sql",
    "machine learning",
    "design",
    "leadership",
    "javascript",
    "data",
    "cloud",
];
/// How long a learner waits after a failed request before the next one.
const PAUSE_AFTER_FAILURE: Duration = Duration::from_millis(250);
/// The server's default RECOMMENDATIONS_PER_DAY, which the cluster keeps.
const DAILY_QUOTA: i64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    SignUp,
    Browse,
    Search,
    Course,
    SignIn,
    SaveProfile,
    Recommend,
    Rate,
    History,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::SignUp => "sign up",
            Kind::Browse => "browse catalog",
            Kind::Search => "search catalog",
            Kind::Course => "open course",
            Kind::SignIn => "sign in",
            Kind::SaveProfile => "save profile",
            Kind::Recommend => "ask recommendations",
            Kind::Rate => "rate recommendation",
            Kind::History => "read history",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// The daily recommendation quota said no, as it should.
    QuotaRefused,
    /// A status that is not an answer: 5xx, or a 4xx the learner did not cause.
    Failed(u16),
    /// No answer at all (connection refused or reset, timeout).
    Transport,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    kind: Kind,
    /// When the request started, from the start of the run.
    started: Duration,
    latency: Duration,
    outcome: Outcome,
}

/// What a learner was told was done, for the check in the database.
#[derive(Debug, Default)]
struct Acknowledged {
    /// The highest profile version a save answered with.
    profile_version: i32,
    /// Recommendations answered, with the stars of an acknowledged rating.
    recommendations: Vec<(Uuid, Option<u8>)>,
    /// Recommendations answered whose rating failed in flight: stored, but
    /// with stars that may or may not be the ones sent.
    rating_unknown: Vec<Uuid>,
}

struct Learner {
    client: Client,
    base: String,
    origin: String,
    email: String,
    cookie: String,
    /// The version the next save starts from; `None` after a save whose
    /// outcome is unknown (it failed in flight), until the profile is read.
    version: Option<i32>,
    round: usize,
    random: fastrand::Rng,
    slugs: Arc<Vec<String>>,
    acknowledged: Acknowledged,
    samples: Vec<Sample>,
    run_started: Instant,
}

fn first_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("acmelearn_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
}

fn client(learners: usize) -> Client {
    Client::builder()
        .pool_max_idle_per_host(learners)
        // Redirects are what a plain form gets; the JSON answer is what counts.
        .redirect(reqwest::redirect::Policy::none())
        // Longer than any request may take on the server (35 s): a hang
        // shows as a timeout, not as a stuck benchmark.
        .timeout(Duration::from_secs(45))
        .build()
        .expect("HTTP client")
}

impl Learner {
    fn record(&mut self, kind: Kind, started: Instant, outcome: Outcome) {
        self.samples.push(Sample {
            kind,
            started: started - self.run_started,
            latency: started.elapsed(),
            outcome,
        });
    }

    /// Sends one request; returns the status and body when there was an answer.
    async fn send(
        &mut self,
        kind: Kind,
        request: reqwest::RequestBuilder,
    ) -> Option<(StatusCode, String)> {
        let started = Instant::now();
        let response = request.send().await;
        let answer = match response {
            Ok(response) => {
                let status = response.status();
                if let Some(cookie) = first_cookie(&response) {
                    self.cookie = cookie;
                }
                match response.text().await {
                    Ok(body) => Some((status, body)),
                    Err(error) => {
                        self.report(kind, started, &format!("{status}, then {}", causes(&error)));
                        None
                    }
                }
            }
            Err(error) => {
                self.report(kind, started, &causes(&error));
                None
            }
        };
        let outcome = match &answer {
            None => Outcome::Transport,
            Some((status, _)) if status.is_success() || status.is_redirection() => Outcome::Ok,
            Some((status, _))
                if kind == Kind::Recommend && *status == StatusCode::TOO_MANY_REQUESTS =>
            {
                Outcome::QuotaRefused
            }
            Some((status, _)) => Outcome::Failed(status.as_u16()),
        };
        self.record(kind, started, outcome);
        if matches!(outcome, Outcome::Failed(_) | Outcome::Transport) {
            // A person told "try again" waits a moment before doing so;
            // without it, a fault's failure count measures how fast the
            // failures come, not how many people saw one.
            tokio::time::sleep(PAUSE_AFTER_FAILURE).await;
        }
        if outcome == Outcome::Failed(401) && kind != Kind::SignIn {
            // Signed out though nothing here signed out: a failure (counted
            // above); the learner signs in again and goes on.
            Box::pin(self.sign_in()).await;
        }
        answer.filter(|(status, _)| status.is_success() || status.is_redirection())
    }

    /// Says what went wrong with a request that got no answer (the table
    /// only counts them).
    fn report(&self, kind: Kind, started: Instant, error: &str) {
        eprintln!(
            "  {:>7.2} s  {}: no answer after {:.0} ms: {error}",
            (started - self.run_started).as_secs_f64(),
            kind.name(),
            milliseconds(started.elapsed())
        );
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
    }

    fn post(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(ORIGIN, &self.origin)
            .header(COOKIE, &self.cookie)
            .header(ACCEPT, "application/json")
            .form(form)
    }

    async fn sign_up(&mut self) -> bool {
        let email = self.email.clone();
        let request = self.post(
            "account/signup",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        );
        self.send(Kind::SignUp, request).await.is_some() && !self.cookie.is_empty()
    }

    async fn one_action(&mut self) {
        let dice = self.random.u32(0..100);
        match dice {
            0..=17 => {
                let page = self.random.u32(1..6);
                let request = self.get(&format!("/courses?page={page}"));
                self.send(Kind::Browse, request).await;
            }
            18..=35 => {
                let words = SEARCHES[self.random.usize(0..SEARCHES.len())];
                let request = self.get(&format!("/courses?q={}", words.replace(' ', "+")));
                self.send(Kind::Search, request).await;
            }
            36..=55 => {
                let slug = self.slugs[self.random.usize(0..self.slugs.len())].clone();
                let request = self.get(&format!("/courses/{slug}"));
                self.send(Kind::Course, request).await;
            }
            56..=57 => self.sign_in().await,
            58..=72 => self.save_profile().await,
            73..=78 => self.ask_for_recommendations().await,
            79..=86 => self.rate_a_recommendation().await,
            _ => {
                let endpoint = if dice.is_multiple_of(2) {
                    "profile/history"
                } else {
                    "recommendations/history"
                };
                let request = self.post(endpoint, &[]);
                self.send(Kind::History, request).await;
            }
        }
    }

    /// Signs in again. A sign-in replaces the session, so one whose answer
    /// was lost may have ended the session this learner still holds: like
    /// a person shown an error, the learner tries again until it answers.
    async fn sign_in(&mut self) {
        let email = self.email.clone();
        for attempt in 0..50 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let request = self.post(
                "account/login",
                &[("email", &email), ("password", PASSWORD)],
            );
            if self.send(Kind::SignIn, request).await.is_some() {
                return;
            }
        }
    }

    async fn save_profile(&mut self) {
        let version = match self.version {
            Some(version) => version,
            None => {
                // A save failed in flight: it may or may not have been done.
                let request = self.post("profile/get", &[]);
                match self.send(Kind::History, request).await {
                    Some((_, body)) => match serde_json::from_str::<Value>(&body)
                        .ok()
                        .and_then(|profile| profile["version"].as_i64())
                    {
                        Some(version) => version as i32,
                        None => return,
                    },
                    None => return,
                }
            }
        };
        self.round += 1;
        let round = self.round;
        let expected = version.to_string();
        let goal = format!("Goal {round}");
        let level = ["beginner", "intermediate", "advanced"][round % 3];
        let hours = (round % 40 + 1).to_string();
        let interest = INTERESTS[round % INTERESTS.len()];
        let request = self.post(
            "profile/save",
            &[
                ("expected_version", &expected),
                ("learning_goal", &goal),
                ("current_level", level),
                ("hours_per_week", &hours),
                ("interests[]", interest),
            ],
        );
        match self.send(Kind::SaveProfile, request).await {
            Some((_, body)) => {
                let saved = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|outcome| {
                        outcome["Saved"]["version"]
                            .as_i64()
                            .or(outcome["Unchanged"]["version"].as_i64())
                    });
                match saved {
                    Some(saved) => {
                        let saved = saved as i32;
                        self.acknowledged.profile_version =
                            self.acknowledged.profile_version.max(saved);
                        self.version = Some(saved);
                    }
                    None => self.version = None,
                }
            }
            None => self.version = None,
        }
    }

    async fn ask_for_recommendations(&mut self) {
        let request_id = Uuid::new_v4().to_string();
        let request = self.post(
            "recommendations/request",
            &[("request_id", &request_id), ("question", "")],
        );
        if let Some((_, body)) = self.send(Kind::Recommend, request).await
            && let Some(id) = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|outcome| outcome["Recommended"]["id"].as_str().map(str::to_owned))
                .and_then(|id| id.parse::<Uuid>().ok())
        {
            self.acknowledged.recommendations.push((id, None));
        }
    }

    /// Rates a recommendation not rated yet (each once, so the stars in the
    /// database are exactly the acknowledged ones); none: reads the page.
    async fn rate_a_recommendation(&mut self) {
        let Some(index) = self
            .acknowledged
            .recommendations
            .iter()
            .position(|(_, stars)| stars.is_none())
        else {
            let request = self.post("recommendations/page", &[]);
            self.send(Kind::History, request).await;
            return;
        };
        let (id, _) = self.acknowledged.recommendations[index];
        let stars = self.random.u8(1..=5);
        let id_text = id.to_string();
        let stars_text = stars.to_string();
        let request = self.post(
            "recommendations/rate",
            &[
                ("recommendation_id", &id_text),
                ("rating", &stars_text),
                ("feedback", "from the cluster benchmark"),
            ],
        );
        if self.send(Kind::Rate, request).await.is_some() {
            self.acknowledged.recommendations[index].1 = Some(stars);
        } else {
            // Unknown whether it landed: never rated again, its stars not checked.
            self.acknowledged.recommendations.remove(index);
            self.acknowledged.rating_unknown.push(id);
        }
    }

    async fn run(mut self, stop: Arc<AtomicBool>) -> Self {
        while !stop.load(Ordering::Relaxed) {
            self.one_action().await;
        }
        self
    }
}

/// An error with what caused it, down to the bottom ("connection reset").
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn milliseconds(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One phase of the run: a window of time and, for a fault, when it was done.
struct Phase {
    name: String,
    from: Duration,
    to: Duration,
    fault_at: Option<Duration>,
    /// What the phase needs to be judged (printed beside the figures).
    expectation: String,
}

fn is_failure(sample: &Sample) -> bool {
    matches!(sample.outcome, Outcome::Failed(_) | Outcome::Transport)
}

/// Runs a cluster drill (`.ci/cluster.sh COMMAND ARGUMENT`) to its end;
/// returns what it printed.
async fn drill(script: &str, arguments: &[&str]) -> String {
    let mut command = std::process::Command::new("bash");
    command
        .arg(script)
        .args(arguments)
        .stderr(std::process::Stdio::inherit());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("cluster script task")
        .expect("run the cluster script");
    assert!(
        output.status.success(),
        "cluster {arguments:?} failed: {}",
        output.status
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// How many connections other than this one the replica serves.
async fn replica_connections(replica_url: Option<&str>) -> Option<i64> {
    let pool = PgPool::connect(replica_url?).await.ok()?;
    let count = sqlx::query_scalar(
        "select count(*) from pg_stat_activity
         where backend_type = 'client backend' and pid <> pg_backend_pid()",
    )
    .fetch_one(&pool)
    .await
    .ok();
    pool.close().await;
    count
}

/// Whether Prometheus scrapes what the cluster exposes: each target with
/// its health, from Prometheus' own `up` series.
async fn prometheus_targets(client: &Client, prometheus_url: &str) -> Vec<String> {
    let answer = match client
        .get(format!("{prometheus_url}/api/v1/query?query=up"))
        .send()
        .await
    {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(error) => {
            return vec![format!(
                "Prometheus at {prometheus_url}: {}",
                causes(&error)
            )];
        }
    };
    let Ok(answer) = serde_json::from_str::<Value>(&answer) else {
        return vec![format!(
            "Prometheus at {prometheus_url}: not a query answer"
        )];
    };
    let mut lines: Vec<String> = answer["data"]["result"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|series| {
            format!(
                "{} {}: {}",
                series["metric"]["job"].as_str().unwrap_or("?"),
                series["metric"]["instance"].as_str().unwrap_or("?"),
                if series["value"][1].as_str() == Some("1") {
                    "scraped"
                } else {
                    "DOWN (nothing to scrape)"
                }
            )
        })
        .collect();
    lines.sort();
    lines
}

async fn faults(
    script: String,
    seconds: u64,
    run_started: Instant,
    replica_url: Option<String>,
) -> Vec<Phase> {
    let now = || run_started.elapsed();
    let pause = |seconds: f64| tokio::time::sleep(Duration::from_secs_f64(seconds));
    let mut phases = Vec::new();

    let from = now();
    pause(seconds as f64).await;
    phases.push(Phase {
        name: format!("steady load, {seconds} s"),
        from,
        to: now(),
        fault_at: None,
        expectation: "0 failed".to_owned(),
    });

    let from = now();
    pause(2.0).await;
    let fault_at = now();
    let killed = drill(&script, &["kill-server", "2"]).await;
    let in_flight = killed
        .trim()
        .strip_prefix("in_flight=")
        .unwrap_or("?")
        .to_owned();
    pause(5.0).await;
    drill(&script, &["start-server", "2"]).await;
    pause(3.0).await;
    phases.push(Phase {
        name: "SIGKILL server-2, restart 5 s later".to_owned(),
        from,
        to: now(),
        fault_at: Some(fault_at),
        expectation: format!("<= its {in_flight} in flight at the kill"),
    });

    let from = now();
    pause(2.0).await;
    let fault_at = now();
    drill(&script, &["restart-primary"]).await;
    pause(8.0).await;
    phases.push(Phase {
        name: "restart primary PostgreSQL".to_owned(),
        from,
        to: now(),
        fault_at: Some(fault_at),
        expectation: "clean 503s, recovered <= 5 s".to_owned(),
    });

    let from = now();
    pause(2.0).await;
    // Whether the servers read from the replica at all (DATABASE_READ_URL):
    // if not, stopping it proves nothing, and the table says so.
    let replica_readers = replica_connections(replica_url.as_deref()).await;
    let fault_at = now();
    drill(&script, &["stop-replica"]).await;
    pause(8.0).await;
    drill(&script, &["start-replica"]).await;
    pause(3.0).await;
    phases.push(Phase {
        name: "stop replica 8 s, start again".to_owned(),
        from,
        to: now(),
        fault_at: Some(fault_at),
        expectation: match replica_readers {
            Some(0) => "0 failed; NOT EXERCISED: no server connection on the replica".to_owned(),
            Some(readers) => {
                format!("0 failed (reads fall back); {readers} server connections on it before")
            }
            None => "0 failed; replica connections unknown (CLUSTER_REPLICA_URL)".to_owned(),
        },
    });

    let from = now();
    pause(2.0).await;
    let fault_at = now();
    drill(&script, &["rolling-restart"]).await;
    pause(3.0).await;
    phases.push(Phase {
        name: "rolling restart, SIGTERM one at a time".to_owned(),
        from,
        to: now(),
        fault_at: Some(fault_at),
        expectation: "0 failed".to_owned(),
    });
    phases
}

/// Signed in through one server, served by the other; logged out on one,
/// refused on the other within the session cache's window. Returns the
/// lines for the table.
async fn sessions_across_servers(
    client: &Client,
    origin: &str,
    servers: &[String; 2],
) -> Vec<String> {
    let email = format!("cluster-sessions-{}@example.test", Uuid::new_v4());
    let signed_in = |base: &str, cookie: &str| {
        let request = client
            .post(format!("{base}/api/account/me"))
            .header(ORIGIN, origin)
            .header(COOKIE, cookie)
            .header(ACCEPT, "application/json");
        async move {
            match request.send().await {
                Ok(response) if response.status().is_success() => response
                    .text()
                    .await
                    .ok()
                    .and_then(|body| serde_json::from_str::<Value>(&body).ok())
                    .is_some_and(|user| user.get("email").is_some()),
                _ => false,
            }
        }
    };
    let mut lines = Vec::new();
    let response = client
        .post(format!("{}/api/account/signup", servers[0]))
        .header(ORIGIN, origin)
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ])
        .send()
        .await
        .expect("sign up on server-1");
    let Some(cookie) = first_cookie(&response) else {
        lines.push(format!(
            "sign up on server-1 answered {}: FAIL",
            response.status()
        ));
        return lines;
    };
    // Server-2 has never seen this session: it reads it from PostgreSQL.
    let on_second = signed_in(&servers[1], &cookie).await;
    lines.push(format!(
        "signed up on server-1, served by server-2: {}",
        if on_second { "PASS" } else { "FAIL" }
    ));
    // Server-1 then holds the session in memory, the case the cache window
    // is about. Twice: a first visit of the day refreshes the session (a
    // write, after which it is read from PostgreSQL again); the second
    // keeps what it read.
    let on_first = signed_in(&servers[0], &cookie).await && signed_in(&servers[0], &cookie).await;
    let logout = client
        .post(format!("{}/api/account/logout", servers[1]))
        .header(ORIGIN, origin)
        .header(COOKIE, &cookie)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map(|response| response.status().is_success() || response.status().is_redirection())
        .unwrap_or(false);
    let logged_out = Instant::now();
    let refused_on_second = !signed_in(&servers[1], &cookie).await;
    let mut refused_on_first_after = None;
    while logged_out.elapsed() < Duration::from_secs(30) {
        if !signed_in(&servers[0], &cookie).await {
            refused_on_first_after = Some(logged_out.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    lines.push(format!(
        "logged out on server-2: refused there at once: {}",
        if logout && refused_on_second && on_first {
            "PASS"
        } else {
            "FAIL"
        }
    ));
    lines.push(match refused_on_first_after {
        Some(after) => format!(
            "  and refused on server-1 after {:.1} s (window: session cache LIFETIME, 10 s): {}",
            after.as_secs_f64(),
            if after <= Duration::from_secs(11) {
                "PASS"
            } else {
                "FAIL"
            }
        ),
        None => "  still accepted on server-1 after 30 s: FAIL".to_owned(),
    });
    lines
}

/// Every learner's versions are 1..=N with one snapshot each and N at least
/// the highest acknowledged version; no learner over the daily quota; every
/// acknowledged recommendation stored and every acknowledged rating there.
async fn invariants(pool: &PgPool, learners: &[Learner]) -> Vec<(String, Result<(), String>)> {
    let emails: Vec<String> = learners
        .iter()
        .map(|learner| learner.email.clone())
        .collect();
    let mut results = Vec::new();

    let rows: Vec<(String, i32, i64, i64, i32, i32)> = sqlx::query_as(
        r#"
        select u.email, p.version, count(s.*), count(distinct s.version),
               coalesce(min(s.version), 0), coalesce(max(s.version), 0)
        from users u
        join user_profiles p on p.user_id = u.id
        left join user_profile_snapshots s on s.user_profile_id = p.id
        where u.email = any($1)
        group by u.email, p.version
        "#,
    )
    .bind(&emails)
    .fetch_all(pool)
    .await
    .expect("read the profile versions");
    let by_email: HashMap<String, (i32, i64, i64, i32, i32)> = rows
        .into_iter()
        .map(|(email, version, count, distinct, min, max)| {
            (email, (version, count, distinct, min, max))
        })
        .collect();
    let mut problem = None;
    for learner in learners {
        let acknowledged = learner.acknowledged.profile_version;
        match by_email.get(&learner.email) {
            Some(&(version, count, distinct, min, max))
                if count == i64::from(version)
                    && distinct == count
                    && min == 1
                    && max == version
                    && version >= acknowledged => {}
            found => {
                problem = Some(format!(
                    "{}: (version, snapshots, distinct, min, max) = {found:?}, acknowledged {acknowledged}",
                    learner.email
                ));
                break;
            }
        }
    }
    let saves: i32 = learners
        .iter()
        .map(|learner| (learner.acknowledged.profile_version - 1).max(0))
        .sum();
    results.push((
        format!("profile versions 1..N, one snapshot each, N >= acknowledged ({saves} saves)"),
        problem.map_or(Ok(()), Err),
    ));

    let over: Vec<(String, i64)> = sqlx::query_as(
        r#"
        select u.email, count(*)
        from recommendations r join users u on u.id = r.user_id
        where u.email = any($1) and r.created_at > now() - interval '24 hours'
        group by u.email
        having count(*) > $2
        "#,
    )
    .bind(&emails)
    .bind(DAILY_QUOTA)
    .fetch_all(pool)
    .await
    .expect("count recommendations");
    results.push((
        format!("no learner over the daily quota ({DAILY_QUOTA})"),
        match over.first() {
            None => Ok(()),
            Some((email, count)) => Err(format!("{email} has {count}")),
        },
    ));

    let acknowledged: Vec<(Uuid, Option<u8>, &str)> = learners
        .iter()
        .flat_map(|learner| {
            learner
                .acknowledged
                .recommendations
                .iter()
                .map(|(id, stars)| (*id, *stars, learner.email.as_str()))
                .chain(
                    learner
                        .acknowledged
                        .rating_unknown
                        .iter()
                        .map(|id| (*id, None, learner.email.as_str())),
                )
        })
        .collect();
    let ids: Vec<Uuid> = acknowledged.iter().map(|(id, _, _)| *id).collect();
    let stored: HashMap<Uuid, (String, Option<i16>)> = sqlx::query_as::<_, (Uuid, String, Option<i16>)>(
        "select r.id, u.email, r.user_rating from recommendations r join users u on u.id = r.user_id where r.id = any($1)",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await
    .expect("read recommendations")
    .into_iter()
    .map(|(id, email, rating)| (id, (email, rating)))
    .collect();
    let ratings = acknowledged
        .iter()
        .filter(|(_, stars, _)| stars.is_some())
        .count();
    let mut problem = None;
    for (id, stars, email) in &acknowledged {
        match stored.get(id) {
            Some((owner, rating))
                if owner == email
                    && stars.is_none_or(|stars| *rating == Some(i16::from(stars))) => {}
            found => {
                problem = Some(format!(
                    "{id} of {email}: acknowledged {stars:?}, stored {found:?}"
                ));
                break;
            }
        }
    }
    results.push((
        format!(
            "every acknowledged recommendation ({}) and rating ({ratings}) stored",
            acknowledged.len()
        ),
        problem.map_or(Ok(()), Err),
    ));
    results
}

#[tokio::main]
async fn main() {
    let mut arguments = std::env::args()
        .skip(1)
        .filter(|argument| !argument.starts_with("--"));
    let mut next = |default: &str| arguments.next().unwrap_or_else(|| default.to_owned());
    let base = next("http://127.0.0.1:3260");
    let servers = [next("http://127.0.0.1:3261"), next("http://127.0.0.1:3262")];
    let learners_count: usize = next("64").parse().expect("LEARNERS is a number");
    let seconds: u64 = next("60").parse().expect("SECONDS is a number");
    let script = next(".ci/cluster.sh");
    let database_url = std::env::var("DATABASE_URL").expect("DATABASE_URL of the primary");
    let pool = PgPool::connect(&database_url).await.expect("database");

    let slugs: Vec<String> = sqlx::query_scalar("select slug from courses order by id limit 300")
        .fetch_all(&pool)
        .await
        .expect("course slugs");
    assert!(!slugs.is_empty(), "the catalog is empty; was it imported?");
    let slugs = Arc::new(slugs);
    let http = client(learners_count);
    let run_started = Instant::now();
    let run = Uuid::new_v4().simple().to_string();
    let mut learners = Vec::with_capacity(learners_count);
    for index in 0..learners_count {
        let mut learner = Learner {
            client: http.clone(),
            base: base.clone(),
            origin: base.clone(),
            email: format!("cluster-{}-{index}@example.test", &run[..8]),
            cookie: String::new(),
            version: Some(1),
            round: index * 7,
            random: fastrand::Rng::with_seed(index as u64),
            slugs: slugs.clone(),
            acknowledged: Acknowledged {
                profile_version: 1,
                ..Acknowledged::default()
            },
            samples: Vec::new(),
            run_started,
        };
        assert!(
            learner.sign_up().await,
            "{} could not sign up",
            learner.email
        );
        learners.push(learner);
    }
    println!(
        "{learners_count} learners signed up through {base}; load for {seconds} s, then faults…"
    );

    let stop = Arc::new(AtomicBool::new(false));
    let load_started = run_started.elapsed();
    let tasks: Vec<_> = learners
        .into_iter()
        .map(|learner| tokio::spawn(learner.run(stop.clone())))
        .collect();
    let phases = faults(
        script,
        seconds,
        run_started,
        std::env::var("CLUSTER_REPLICA_URL").ok(),
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut learners = Vec::with_capacity(learners_count);
    for task in tasks {
        learners.push(task.await.expect("learner task"));
    }
    let samples: Vec<Sample> = learners
        .iter()
        .flat_map(|learner| learner.samples.iter().copied())
        .filter(|sample| sample.started >= load_started)
        .collect();

    // Per kind, in the steady phase.
    let steady = &phases[0];
    let in_steady: Vec<&Sample> = samples
        .iter()
        .filter(|sample| sample.started >= steady.from && sample.started < steady.to)
        .collect();
    let steady_seconds = (steady.to - steady.from).as_secs_f64();
    let mut by_kind: BTreeMap<Kind, Vec<&Sample>> = BTreeMap::new();
    for sample in &in_steady {
        by_kind.entry(sample.kind).or_default().push(sample);
    }
    println!(
        "\nsteady load, {learners_count} learners through the balancer, {steady_seconds:.0} s:"
    );
    println!(
        "  {:<22} {:>8} {:>9} {:>9} {:>9} {:>7} {:>7}",
        "kind", "requests", "req/s", "p50 ms", "p99 ms", "failed", "quota"
    );
    let mut all_latencies = Vec::new();
    for (kind, kind_samples) in &by_kind {
        let mut latencies: Vec<Duration> = kind_samples
            .iter()
            .filter(|sample| sample.outcome == Outcome::Ok)
            .map(|sample| sample.latency)
            .collect();
        latencies.sort();
        all_latencies.extend(latencies.iter().copied());
        println!(
            "  {:<22} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>7} {:>7}",
            kind.name(),
            kind_samples.len(),
            kind_samples.len() as f64 / steady_seconds,
            milliseconds(percentile(&latencies, 0.5)),
            milliseconds(percentile(&latencies, 0.99)),
            kind_samples
                .iter()
                .filter(|sample| is_failure(sample))
                .count(),
            kind_samples
                .iter()
                .filter(|sample| sample.outcome == Outcome::QuotaRefused)
                .count(),
        );
    }
    all_latencies.sort();
    let steady_failed = in_steady.iter().filter(|sample| is_failure(sample)).count();
    println!(
        "  {:<22} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>7}",
        "all",
        in_steady.len(),
        in_steady.len() as f64 / steady_seconds,
        milliseconds(percentile(&all_latencies, 0.5)),
        milliseconds(percentile(&all_latencies, 0.99)),
        steady_failed
    );

    let http_sessions = client(2);
    let session_lines = sessions_across_servers(&http_sessions, &base, &servers).await;
    let checks = invariants(&pool, &learners).await;
    let scraped = match std::env::var("CLUSTER_PROMETHEUS_URL") {
        Ok(url) => prometheus_targets(&http_sessions, &url).await,
        Err(_) => vec!["not asked (CLUSTER_PROMETHEUS_URL unset)".to_owned()],
    };

    println!("\nAcmeLearn cluster under load and faults ({learners_count} learners):");
    println!(
        "  {:<40} {:>8} {:>7} {:>10} {:>10}  expected; failures by status and kind",
        "phase", "requests", "failed", "recovery", "max ms"
    );
    for phase in &phases {
        let window: Vec<&Sample> = samples
            .iter()
            .filter(|sample| sample.started >= phase.from && sample.started < phase.to)
            .collect();
        let failures: Vec<&&Sample> = window.iter().filter(|sample| is_failure(sample)).collect();
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
        for failure in &failures {
            let key = match failure.outcome {
                Outcome::Failed(status) => status.to_string(),
                _ => "no answer".to_owned(),
            };
            *statuses.entry(key).or_default() += 1;
            *kinds.entry(failure.kind).or_default() += 1;
        }
        let recovery = match phase.fault_at {
            None => "-".to_owned(),
            Some(fault_at) => {
                let last_failure_end = failures
                    .iter()
                    .map(|sample| sample.started + sample.latency)
                    .max();
                match last_failure_end {
                    Some(end) if end > fault_at => {
                        format!("{:.2} s", (end - fault_at).as_secs_f64())
                    }
                    _ => "0 s".to_owned(),
                }
            }
        };
        let slowest = window
            .iter()
            .map(|sample| sample.latency)
            .max()
            .unwrap_or_default();
        let statuses: Vec<String> = statuses
            .iter()
            .map(|(status, count)| format!("{status}: {count}"))
            .chain(
                kinds
                    .iter()
                    .map(|(kind, count)| format!("{}: {count}", kind.name())),
            )
            .collect();
        println!(
            "  {:<40} {:>8} {:>7} {:>10} {:>10.0}  {}{}",
            phase.name,
            window.len(),
            failures.len(),
            recovery,
            milliseconds(slowest),
            phase.expectation,
            if statuses.is_empty() {
                String::new()
            } else {
                format!("; {}", statuses.join(", "))
            }
        );
    }
    println!(
        "  load held: {:.0} req/s steady, {steady_failed} failed",
        in_steady.len() as f64 / steady_seconds
    );
    println!("sessions across servers:");
    for line in &session_lines {
        println!("  {line}");
    }
    println!("metrics, as Prometheus sees them:");
    for line in &scraped {
        println!("  {line}");
    }
    println!("invariants in the database:");
    let mut all_pass = true;
    for (name, result) in &checks {
        match result {
            Ok(()) => println!("  PASS  {name}"),
            Err(problem) => {
                all_pass = false;
                println!("  FAIL  {name}: {problem}");
            }
        }
    }
    if !all_pass || session_lines.iter().any(|line| line.ends_with("FAIL")) {
        std::process::exit(1);
    }
}
