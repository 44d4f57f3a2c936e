//! The hostile-input suite (issue 13): the real router on a real socket, sent
//! hundreds of malformed and malicious requests as a stranger, a learner and
//! an admin, over HTTP, so that a dropped connection shows as one.
//!
//! Any 4xx is a fine answer to nonsense. What fails the suite:
//! - a 5xx, a dropped or reset connection, or no answer within the timeout;
//! - a panic anywhere in the server;
//! - injected markup coming back live in a page instead of escaped;
//! - a `Location` that leads to another site;
//! - a forged error (`__err` in a page's address) shown as if the server said it;
//! - a row written or changed that none of the requests was allowed to write;
//! - a server function or page route that no request reached.
//!
//! A setup phase first makes what the attacks need with valid requests, some
//! of them hostile but legitimate (a learning goal is text, even when it reads
//! `</textarea><script>…`). Then the data is fingerprinted, the attacks run in
//! a fixed order, and the fingerprint must not have changed. The run prints a
//! tally; `.ci/test.sh` runs this test on its own with `--nocapture`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Mutex, Once, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap};
use reqwest::{Method, Url};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use super::{route_list, router};

/// Long enough for any hang to be a hang, short enough to finish the run.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A "too long" value in a request body.
const BODY_LONG: usize = 1 << 20;
/// A "too long" value in an address: hyper itself refuses request lines over
/// 64 kB (414) before the app sees them, so addresses carry 30 kB.
const URL_LONG: usize = 30_000;
/// Every server function gets at least this many hostile requests.
const MIN_CASES_PER_FUNCTION: usize = 8;
const PASSWORD: &str = "a sturdy passphrase";
const HTML: &str = "text/html,application/xhtml+xml";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// Markup that must never come back live: found raw in a response that a
/// browser renders, it runs. Every injected script says `alert(`.
const LIVE_MARKUP: &[&str] = &[
    "<script>alert(",
    "</textarea><script>",
    "<img src=x onerror=alert(",
    "<svg onload=alert(",
];

// Markup stored or echoed on purpose, numbered so a leak names its field.
const GOAL_MARKUP: &str = "</textarea><script>alert(101)</script>";
const QUESTION_MARKUP: &str = "</textarea><script>alert(102)</script> gardening";
const FEEDBACK_MARKUP: &str = "</textarea><script>alert(103)</script>";
const SEARCH_MARKUP: &str = "</textarea><script>alert(104)</script>";
const OFF_TOPIC_MARKUP: &str = "</textarea><script>alert(105)</script>";
const SEGMENT_MARKUP: &str = "\"></textarea><script>alert(106)</script>";
const ADMIN_SEARCH_MARKUP: &str = "\"></textarea><script>alert(107)</script>";
const NEXT_MARKUP: &str = "\"><script>alert(108)</script>";
const FORGED_MARKUP: &str = "<script>alert(109)</script>";
/// Text an attacker would like a page to show as AcmeLearn's own words.
const FORGED_NOTICE: &str = "FORGED NOTICE: your account is locked, call +1 555 0100";

/// The course the attacks need beside the test catalog's gardening ones:
/// `it` is a tag made only of a stop word, which the recommendation
/// full-text queries must survive.
const IT_SUPPORT_COURSE: &str = r#"[
  {"title": "Python for IT Support", "description": "Automate the help desk.", "difficulty": "intermediate",
   "duration": 10, "tags": ["it", "python"], "skills_covered": ["Scripting"],
   "contents": "Module 1: Scripts - small tools first."}
]"#;

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn hostile_requests_get_clear_errors_and_change_nothing(pool: PgPool) {
    count_panics();
    let started = Instant::now();
    let site = Site::start(pool.clone()).await;
    let mut tally = Tally::default();

    let world = setup(&site, &pool, &mut tally).await;
    // Checked after every request, so a write names the request that made it.
    let mut rows = fingerprint(&pool).await;
    for case in hostile_cases(&world) {
        site.judge(&case, &world, &mut tally).await;
        let now = fingerprint(&pool).await;
        check_nothing_written(&case, &rows, &now, &mut tally);
        rows = now;
    }
    check_sessions_survived(&site, &world, &mut tally).await;
    check_coverage(&mut tally);

    let report = tally.report(started.elapsed());
    println!("{report}");
    assert!(
        tally.requests >= 300,
        "the suite sends at least 300 hostile requests"
    );
    assert!(
        tally.failures.is_empty(),
        "{} hostile-input failures, listed in the tally above",
        tally.failures.len()
    );
}

// --- the site under attack -------------------------------------------------

/// The real router, served on a loopback port, and a client for it that
/// follows no redirects (a `Location` is something to check, not to follow).
struct Site {
    address: SocketAddr,
    base: Url,
    /// `http://127.0.0.1:PORT`, the public URL: what a same-site `Origin` is.
    origin: String,
    http: reqwest::Client,
}

impl Site {
    async fn start(pool: PgPool) -> Site {
        super::tests::import_test_catalog(&pool, &[IT_SUPPORT_COURSE]).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let origin = format!("http://{address}");
        let config = super::tests::test_config(address, Some(origin.clone()));
        let app = router(pool, &config).await.unwrap();
        tokio::spawn(async move {
            // Client addresses feed the throttles, as in production.
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .no_proxy()
            // A fresh connection per request: a connection the server dropped
            // is then blamed on the request that made it drop, not the next.
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        Site {
            address,
            base: Url::parse(&origin).unwrap(),
            origin,
            http,
        }
    }

    async fn send(&self, case: &Case, cookie: Option<&str>) -> Result<Answer, String> {
        if let Some(raw) = &case.raw {
            return send_raw(self.address, raw).await;
        }
        let url = format!("{}{}", self.origin, case.target);
        let mut request = self
            .http
            .request(case.method.clone(), &url)
            .header(header::ACCEPT, case.accept);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        match case.origin {
            Origin::Absent => {}
            Origin::SameSite => request = request.header(header::ORIGIN, &self.origin),
            Origin::Other(origin) => request = request.header(header::ORIGIN, origin),
        }
        if let Some(referer) = &case.referer {
            let referer = match referer.strip_prefix('/') {
                Some(path) => format!("{}/{path}", self.origin),
                None => referer.clone(),
            };
            request = request.header(header::REFERER, referer);
        }
        if let Some(body) = &case.body {
            request = request
                .header(header::CONTENT_TYPE, body.content_type)
                .body(body.bytes.clone());
        }
        let response = request.send().await.map_err(|error| chain(&error))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|error| chain(&error))?;
        Ok(Answer::new(status, &headers, &body))
    }

    /// Sends one case, checks the answer, and counts it.
    async fn judge(&self, case: &Case, world: &World, tally: &mut Tally) -> Option<Answer> {
        let panics_before = panic_count();
        let answer = self
            .send(case, world.cookies.get(&case.role).map(String::as_str))
            .await;
        let panics = panics_since(panics_before);
        tally.count(case, &answer);
        let mut problems = Vec::new();
        if !panics.is_empty() {
            problems.push(("panic", panics.join(" | ")));
        }
        match &answer {
            Err(error) => problems.push(("no answer", error.clone())),
            Ok(answer) => problems.extend(self.problems_with(case, answer)),
        }
        for (kind, detail) in problems {
            tally.fail(case, answer.as_ref().ok(), kind, detail);
        }
        answer.ok()
    }

    /// What is wrong with an answer: (kind, detail) pairs.
    fn problems_with(&self, case: &Case, answer: &Answer) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if answer.status >= 500 {
            problems.push(("server error", String::new()));
        }
        // JSON and CSV are data for scripts and spreadsheets, not markup: a
        // stored goal comes back in them as typed, and is escaped where it is
        // shown. Everything else could be rendered by a browser.
        let rendered =
            !(answer.content_type.starts_with(JSON) || answer.content_type.starts_with("text/csv"));
        if rendered
            && let Some(markup) = LIVE_MARKUP
                .iter()
                .find(|markup| answer.body.contains(*markup))
        {
            problems.push(("live markup", format!("…{}…", around(&answer.body, markup))));
        }
        if let Some(location) = &answer.location
            && self
                .base
                .join(location)
                .map_or(true, |target| target.origin() != self.base.origin())
        {
            problems.push(("off-site redirect", shorten(location, 120)));
        }
        match case.expect {
            Expect::Anything => {}
            Expect::Refused if !(400..500).contains(&answer.status) => {
                problems.push(("not refused", String::new()));
            }
            Expect::Refused => {}
            Expect::Echoes(text) if !answer.body.contains(text) => problems.push((
                "echo missing",
                format!("{text:?} is not shown, so its escaping is untested"),
            )),
            Expect::Echoes(_) => {}
            Expect::Hides(text) if answer.body.contains(text) => {
                problems.push(("forged error shown", format!("{text:?}")));
            }
            Expect::Hides(_) => {}
        }
        problems
    }
}

/// What came back, read as text (lossily: the checks look for ASCII markers).
struct Answer {
    status: u16,
    location: Option<String>,
    content_type: String,
    /// The session cookie set, as `name=value`.
    session: Option<String>,
    body: String,
}

impl Answer {
    fn new(status: u16, headers: &HeaderMap, body: &[u8]) -> Answer {
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        Answer {
            status,
            location: text(header::LOCATION),
            content_type: text(header::CONTENT_TYPE).unwrap_or_default(),
            session: text(header::SET_COOKIE)
                .and_then(|cookie| cookie.split(';').next().map(str::to_owned)),
            body: String::from_utf8_lossy(body).into_owned(),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Bytes sent as they are on a fresh connection, for what an HTTP client
/// library would refuse or tidy up: `..` segments, raw non-UTF-8 bytes,
/// malformed request lines.
async fn send_raw(address: SocketAddr, request: &[u8]) -> Result<Answer, String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream.write_all(request).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|error| error.to_string())?;
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| format!("no HTTP answer ({} bytes)", response.len()))?;
    let head = String::from_utf8_lossy(&response[..split]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status line in {head:?}"))?;
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) = (
                header::HeaderName::from_bytes(name.trim().as_bytes()),
                header::HeaderValue::from_str(value.trim()),
            )
        {
            headers.append(name, value);
        }
    }
    Ok(Answer::new(status, &headers, &response[split + 4..]))
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

// --- the cases -------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Role {
    Anonymous,
    Learner,
    Admin,
    /// A second learner, whose data the first one attacks; setup only.
    OtherLearner,
}

/// One request and what, beyond the checks every answer gets, it must show.
struct Case {
    /// The part of the product it attacks, for the tally.
    surface: &'static str,
    what: String,
    role: Role,
    method: Method,
    /// Path and query, already percent-encoded.
    target: String,
    body: Option<Body>,
    accept: &'static str,
    origin: Origin,
    /// Relative ones are on this site.
    referer: Option<String>,
    expect: Expect,
    /// Sent verbatim instead, by `send_raw`.
    raw: Option<Vec<u8>>,
}

struct Body {
    content_type: &'static str,
    bytes: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Origin {
    Absent,
    SameSite,
    Other(&'static str),
}

#[derive(Clone, Copy)]
enum Expect {
    Anything,
    /// A 4xx: the request must not have been done.
    Refused,
    /// The page shows this (so its escaping is actually checked).
    Echoes(&'static str),
    /// The page does not show this.
    Hides(&'static str),
}

impl Case {
    fn new(
        surface: &'static str,
        role: Role,
        method: Method,
        target: impl Into<String>,
        what: impl Into<String>,
    ) -> Case {
        Case {
            surface,
            what: what.into(),
            role,
            method,
            target: target.into(),
            body: None,
            accept: "*/*",
            origin: Origin::Absent,
            referer: None,
            expect: Expect::Anything,
            raw: None,
        }
    }

    /// A page, as a browser navigates to it (no `Origin` on a GET).
    fn page(
        surface: &'static str,
        role: Role,
        target: impl Into<String>,
        what: impl Into<String>,
    ) -> Case {
        Case {
            accept: HTML,
            ..Case::new(surface, role, Method::GET, target, what)
        }
    }

    /// A server function as the hydrated app calls it: a form body, JSON back.
    fn call(
        surface: &'static str,
        role: Role,
        endpoint: &str,
        form: impl Into<Vec<u8>>,
        what: impl Into<String>,
    ) -> Case {
        Case {
            accept: JSON,
            origin: Origin::SameSite,
            ..Case::new(
                surface,
                role,
                Method::POST,
                format!("/api/{endpoint}"),
                what,
            )
        }
        .with_body(FORM, form)
    }

    /// A server function that takes JSON, as the hydrated app calls it.
    fn json_call(
        surface: &'static str,
        role: Role,
        endpoint: &str,
        json: impl Into<Vec<u8>>,
        what: impl Into<String>,
    ) -> Case {
        Case::call(surface, role, endpoint, Vec::new(), what).with_body(JSON, json)
    }

    /// A form posted by a browser without JavaScript: HTML accepted, and the
    /// page it was on as `Referer`, where leptos sends an error back to.
    fn form_post(
        surface: &'static str,
        role: Role,
        endpoint: &str,
        form: impl Into<Vec<u8>>,
        page: &str,
        what: impl Into<String>,
    ) -> Case {
        Case {
            accept: HTML,
            referer: Some(page.to_owned()),
            ..Case::call(surface, role, endpoint, form, what)
        }
    }

    /// Bytes written to the socket as they are, as a stranger.
    fn raw(surface: &'static str, what: &str, request: &[u8]) -> Case {
        let line = String::from_utf8_lossy(request);
        let line = line.lines().next().unwrap_or_default().to_owned();
        Case {
            raw: Some(request.to_vec()),
            ..Case::new(surface, Role::Anonymous, Method::GET, line, what)
        }
    }

    fn with_body(mut self, content_type: &'static str, bytes: impl Into<Vec<u8>>) -> Case {
        self.body = Some(Body {
            content_type,
            bytes: bytes.into(),
        });
        self
    }

    fn with_origin(mut self, origin: Origin) -> Case {
        self.origin = origin;
        self
    }

    fn with_referer(mut self, referer: &str) -> Case {
        self.referer = Some(referer.to_owned());
        self
    }

    fn expecting(mut self, expect: Expect) -> Case {
        self.expect = expect;
        self
    }

    /// `POST /api/…`, without the query: the server function it reaches.
    fn function(&self) -> Option<&str> {
        (self.raw.is_none() && self.target.starts_with("/api/"))
            .then(|| self.target.split('?').next().unwrap_or_default())
    }
}

/// A form body (or query), encoded as a browser encodes it: UTF-8, `+` for
/// spaces, `%XX` for everything but letters, digits and `-_.~`.
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Every kind of trouble a text field can be sent. `long` is sized for where
/// the value goes (a body or an address).
fn hostile_texts(long: usize) -> Vec<(&'static str, String)> {
    [
        ("empty", String::new()),
        ("too long", "A".repeat(long)),
        ("NUL", "before\0after".to_owned()),
        (
            "control characters",
            "\u{1}bell\u{7}escape\u{1b}[2J\u{7f}".to_owned(),
        ),
        (
            "SQL injection",
            "x' or '1'='1'; drop table users; --".to_owned(),
        ),
        (
            "textarea break-out",
            "</textarea><script>alert(1)</script>".to_owned(),
        ),
        (
            "attribute break-out",
            "\"'><img src=x onerror=alert(1)>".to_owned(),
        ),
        (
            "unicode tricks",
            "\u{202e}txt.exe\u{feff}\u{fffd}\u{10ffff}".to_owned(),
        ),
        ("i64 overflow", "9223372036854775808".to_owned()),
        ("negative", "-2147483649".to_owned()),
        ("float overflow", "1e309".to_owned()),
        ("tsquery and LIKE syntax", "!(&|:* %_\\".to_owned()),
    ]
    .into()
}

/// Out-of-range and malformed numbers, for numeric fields sent as text.
const HOSTILE_NUMBERS: &[&str] = &[
    "-1",
    "0",
    "2147483648",
    "-9223372036854775808",
    "9223372036854775807",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2.5",
    "٣",
    "0x10",
];

/// Dates that are malformed or far outside any real period.
const HOSTILE_DATES: &[&str] = &[
    "+262142-12-31",
    "-262143-01-01",
    "-5000-01-01",
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "99999-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-01-01T00:00:00Z",
    "yesterday",
];

/// Places a forged return address tries to send a browser.
const OFF_SITE: &[&str] = &[
    "https://evil.test",
    "//evil.test",
    "/\\evil.test",
    "https:evil.test",
    "\t//evil.test",
    "javascript:alert(1)",
];

/// The admin segment filter's fields, as its server function names them.
const SEGMENT_FIELDS: &[&str] = &[
    "goal_contains",
    "level",
    "min_hours",
    "joined_within_days",
    "interest",
];

/// Bytes that are not UTF-8, raw.
const NOT_UTF8: &[u8] = &[0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1];

fn with_raw_value(prefix: &str, name: &str) -> Vec<u8> {
    let mut body = prefix.as_bytes().to_vec();
    body.extend_from_slice(format!("{name}=").as_bytes());
    body.extend_from_slice(NOT_UTF8);
    body
}

// --- the setup: valid requests that make what the attacks need ------------

/// What the setup made.
struct World {
    /// Session cookies by role; strangers have none.
    cookies: HashMap<Role, String>,
    other_learner_id: Uuid,
    learner_id: Uuid,
    /// A recommendation of the learner's and one of the other learner's.
    own_recommendation: String,
    others_recommendation: String,
    /// The learner's request token already answered: repeating it is a no-op.
    answered_request: String,
}

impl World {
    fn new() -> World {
        World {
            cookies: HashMap::new(),
            other_learner_id: Uuid::nil(),
            learner_id: Uuid::nil(),
            own_recommendation: String::new(),
            others_recommendation: String::new(),
            answered_request: String::new(),
        }
    }
}

async fn setup(site: &Site, pool: &PgPool, tally: &mut Tally) -> World {
    let mut world = World::new();
    let s = "setup";
    let sign_up = |email: &str, next: &str| {
        Case::form_post(
            s,
            Role::Anonymous,
            "account/signup",
            form(&[
                ("email", email),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("next", next),
            ]),
            "/signup",
            format!("sign up {email}, forged next={next}"),
        )
    };

    // Signing up signs in: the session cookie comes with the redirect, which
    // must stay on this site whatever `next` says.
    let learner = required(
        site,
        &world,
        tally,
        sign_up("learner@example.test", "https://evil.test"),
    )
    .await;
    world
        .cookies
        .insert(Role::Learner, learner.session.expect("a session cookie"));
    let other = required(
        site,
        &world,
        tally,
        sign_up("other@example.test", "//evil.test"),
    )
    .await;
    world
        .cookies
        .insert(Role::OtherLearner, other.session.expect("a session cookie"));
    required(
        site,
        &world,
        tally,
        sign_up("admin@example.test", "/\\evil.test"),
    )
    .await;
    // Becoming admin ends the admin's sessions, so log in again.
    assert!(
        app::account::service::make_admin(pool, "admin@example.test")
            .await
            .unwrap()
    );
    let admin = required(
        site,
        &world,
        tally,
        Case::form_post(
            s,
            Role::Anonymous,
            "account/login",
            form(&[
                ("email", "admin@example.test"),
                ("password", PASSWORD),
                ("next", "https:evil.test"),
            ]),
            "/login",
            "admin logs in, forged next",
        ),
    )
    .await;
    world
        .cookies
        .insert(Role::Admin, admin.session.expect("a session cookie"));
    let user_id = |email: &'static str| async move {
        sqlx::query_scalar::<_, Uuid>("select id from users where email = $1")
            .bind(email)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    world.learner_id = user_id("learner@example.test").await;
    world.other_learner_id = user_id("other@example.test").await;

    // Hostile but valid: a goal is text, whatever it says.
    let save = |role: Role, goal: &str, interests: &[&str]| {
        let mut pairs = vec![
            ("expected_version", "1"),
            ("learning_goal", goal),
            ("current_level", "beginner"),
            ("hours_per_week", "5"),
        ];
        pairs.extend(interests.iter().map(|tag| ("interests[]", *tag)));
        Case::call(s, role, "profile/save", form(&pairs), "save a profile")
    };
    required(
        site,
        &world,
        tally,
        save(Role::Learner, GOAL_MARKUP, &["gardening"]),
    )
    .await;
    required(
        site,
        &world,
        tally,
        save(Role::OtherLearner, "Grow food", &["gardening"]),
    )
    .await;

    // A question made of markup (answered or found off-topic, both fine),
    // then a plain request whose answer is rated; the rated one is the
    // newest, so /recommendations shows its feedback.
    let ask = |role: Role, request_id: &str, question: &str| {
        Case::call(
            s,
            role,
            "recommendations/request",
            form(&[("request_id", request_id), ("question", question)]),
            "ask for recommendations",
        )
    };
    let token = Uuid::new_v4().to_string();
    required(
        site,
        &world,
        tally,
        ask(Role::Learner, &token, QUESTION_MARKUP),
    )
    .await;
    let token = Uuid::new_v4().to_string();
    let answer = required(site, &world, tally, ask(Role::Learner, &token, "")).await;
    world.own_recommendation = recommendation_id(&answer);
    world.answered_request = token;
    let token = Uuid::new_v4().to_string();
    let answer = required(site, &world, tally, ask(Role::OtherLearner, &token, "")).await;
    world.others_recommendation = recommendation_id(&answer);

    // Rated without JavaScript with a forged return address: the redirect
    // must stay on this site.
    required(
        site,
        &world,
        tally,
        Case::form_post(
            s,
            Role::Learner,
            "recommendations/rate",
            form(&[
                ("recommendation_id", &world.own_recommendation),
                ("rating", "4"),
                ("feedback", FEEDBACK_MARKUP),
                ("return_to", "https://evil.test/recommendations/history"),
            ]),
            "/recommendations",
            "rate with markup feedback, forged return_to",
        ),
    )
    .await;

    // A learner whose interests include a tag made only of a stop word asks
    // for recommendations: legitimate, and must not break the query.
    required(
        site,
        &world,
        tally,
        Case::call(
            s,
            Role::OtherLearner,
            "profile/save",
            form(&[
                ("expected_version", "2"),
                ("learning_goal", "Automate the help desk"),
                ("current_level", "beginner"),
                ("hours_per_week", "5"),
                ("interests[]", "it"),
                ("interests[]", "python"),
            ]),
            "save interests with a stop-word tag",
        ),
    )
    .await;
    let token = Uuid::new_v4().to_string();
    site.judge(&ask(Role::OtherLearner, &token, ""), &world, tally)
        .await;
    world
}

/// A setup step: checked like every request, and it must have worked, or
/// what follows would test nothing.
async fn required(site: &Site, world: &World, tally: &mut Tally, case: Case) -> Answer {
    let answer = site.judge(&case, world, tally).await;
    match answer {
        Some(answer) if answer.status < 400 => answer,
        Some(answer) => panic!(
            "setup step {:?} failed: {} {}",
            case.what,
            answer.status,
            excerpt(&answer.body)
        ),
        None => panic!("setup step {:?} got no answer", case.what),
    }
}

fn recommendation_id(answer: &Answer) -> String {
    answer.json()["Recommended"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no recommendation in {}", excerpt(&answer.body)))
        .to_owned()
}

// --- the attacks, in the order they are sent --------------------------------

/// Read-only attacks first; those that may trip a throttle (failed logins,
/// sign-ups, resets) last, so a 429 cannot hide anything else.
fn hostile_cases(world: &World) -> Vec<Case> {
    [
        echo_cases(world),
        catalog_cases(),
        profile_cases(),
        recommendation_cases(world),
        admin_cases(world),
        account_cases(),
        forged_error_cases(),
        other_cases(),
        cross_site_cases(world),
        forged_redirect_cases(),
        throttled_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Stored and reflected markup where the pages show it back: it must be
/// there, escaped.
fn echo_cases(world: &World) -> Vec<Case> {
    use Role::*;
    let s = "echo";
    let off_topic = format!(
        "/recommendations?{}",
        form(&[("off_topic", OFF_TOPIC_MARKUP)])
    );
    vec![
        Case::page(s, Learner, "/profile", "stored goal in the textarea")
            .expecting(Expect::Echoes("alert(101)")),
        Case::page(s, Learner, "/profile/history", "stored goal in the history"),
        Case::page(
            s,
            Learner,
            "/recommendations",
            "stored feedback in the textarea",
        )
        .expecting(Expect::Echoes("alert(103)")),
        Case::page(
            s,
            Learner,
            "/recommendations/history",
            "stored feedback and question",
        )
        .expecting(Expect::Echoes("alert(103)")),
        Case::page(s, Learner, off_topic, "reflected off-topic question")
            .expecting(Expect::Echoes("alert(105)")),
        Case::page(
            s,
            Anonymous,
            format!("/courses?{}", form(&[("q", SEARCH_MARKUP)])),
            "reflected search text",
        )
        .expecting(Expect::Echoes("alert(104)")),
        Case::page(
            s,
            Learner,
            format!(
                "/courses?{}",
                form(&[("q", SEARCH_MARKUP), ("tag", SEARCH_MARKUP)])
            ),
            "reflected search text and tag, signed in",
        )
        .expecting(Expect::Echoes("alert(104)")),
        Case::page(
            s,
            Admin,
            format!(
                "/admin?{}",
                form(&[
                    ("seg_goal", SEGMENT_MARKUP),
                    ("seg_interest", SEGMENT_MARKUP)
                ])
            ),
            "reflected segment filter",
        )
        .expecting(Expect::Echoes("alert(106)")),
        Case::page(
            s,
            Admin,
            format!("/admin/users?{}", form(&[("q", ADMIN_SEARCH_MARKUP)])),
            "reflected admin search",
        )
        .expecting(Expect::Echoes("alert(107)")),
        Case::page(
            s,
            Admin,
            format!("/admin/users/{}", world.learner_id),
            "the learner's stored goal, seen by the admin",
        ),
        Case::page(
            s,
            Anonymous,
            format!("/login?{}", form(&[("next", NEXT_MARKUP)])),
            "reflected next in a hidden field",
        )
        .expecting(Expect::Echoes("alert(108)")),
        Case::page(
            s,
            Anonymous,
            format!("/signup?{}", form(&[("next", NEXT_MARKUP)])),
            "reflected next in a hidden field",
        )
        .expecting(Expect::Echoes("alert(108)")),
        Case::page(
            s,
            Anonymous,
            format!("/reset-password?{}", form(&[("token", NEXT_MARKUP)])),
            "reflected token in a hidden field",
        )
        .expecting(Expect::Echoes("alert(108)")),
        Case::call(
            s,
            Learner,
            "recommendations/history",
            "",
            "stored question as data",
        ),
    ]
}

fn catalog_cases() -> Vec<Case> {
    use Role::*;
    let s = "catalog";
    let mut cases = Vec::new();
    let view = || {
        json!({"text": "", "difficulty": null, "tags": [], "min_hours": null,
               "max_hours": null, "sort": "relevance", "page": 1})
    };
    let search = |role: Role, query: Value, what: String| {
        Case::json_call(
            s,
            role,
            "courses/search",
            json!({ "query": query }).to_string(),
            what,
        )
    };

    // The search function: every text field, every kind of trouble.
    for (name, value) in hostile_texts(BODY_LONG) {
        for field in ["text", "difficulty", "sort"] {
            let mut query = view();
            query[field] = json!(value);
            cases.push(search(Anonymous, query, format!("search {field}: {name}")));
        }
        let mut query = view();
        query["tags"] = json!([value]);
        cases.push(search(Anonymous, query, format!("search tag: {name}")));
    }
    for field in ["min_hours", "max_hours", "page"] {
        for value in [
            json!(-1),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1e308),
            json!("7"),
            json!(true),
        ] {
            let mut query = view();
            query[field] = value.clone();
            cases.push(search(Anonymous, query, format!("search {field}: {value}")));
        }
    }
    for (role, tags) in [
        (Anonymous, json!(["the"])),
        (Anonymous, json!(["the", "and"])),
        (Learner, json!(["it", "python"])),
        (Admin, json!(["of the", "gardening"])),
        (Anonymous, json!(vec!["gardening"; 10_000])),
        (Learner, json!(["before\u{0}after"])),
    ] {
        let mut query = view();
        query["tags"] = tags.clone();
        query["text"] = json!("python");
        let what = format!("search tags {}", excerpt(&tags.to_string()));
        cases.push(search(role, query, what));
    }
    let nested = format!(
        "{{\"query\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    for (body, what) in [
        ("{\"query\": 5}".to_owned(), "query of the wrong type"),
        ("{\"query\": null}".to_owned(), "null query"),
        ("{\"query\": {}}".to_owned(), "query with no fields"),
        ("{}".to_owned(), "no query"),
        ("[]".to_owned(), "an array"),
        ("not json at all".to_owned(), "not JSON"),
        (
            "{\"query\": {\"text\": \"a\"}} trailing".to_owned(),
            "trailing garbage",
        ),
        ("{\"qu\u{0}ery\": {}}".to_owned(), "NUL in a key"),
        (nested, "100,000 levels deep"),
        (String::new(), "empty body"),
    ] {
        cases.push(Case::json_call(s, Anonymous, "courses/search", body, what));
    }
    let mut not_utf8 = b"{\"query\": {\"text\": \"".to_vec();
    not_utf8.extend_from_slice(NOT_UTF8);
    not_utf8.extend_from_slice(b"\"}}");
    cases.push(Case::json_call(
        s,
        Anonymous,
        "courses/search",
        not_utf8,
        "invalid UTF-8",
    ));
    cases.push(
        Case::json_call(
            s,
            Learner,
            "courses/search",
            "",
            "form body to a JSON function",
        )
        .with_body(FORM, form(&[("query", "x")])),
    );

    // The tag list and the home page's data take nothing: anything sent is
    // ignored.
    for role in [Anonymous, Learner, Admin] {
        for endpoint in ["courses/tags", "home"] {
            cases.push(Case::call(
                s,
                role,
                endpoint,
                "junk=%00&x[y]=1",
                "junk form",
            ));
            cases.push(Case::call(s, role, endpoint, NOT_UTF8, "invalid UTF-8"));
        }
    }

    // A course by key.
    for (name, value) in hostile_texts(BODY_LONG) {
        cases.push(Case::call(
            s,
            Anonymous,
            "courses/detail",
            form(&[("key", &value)]),
            format!("course key: {name}"),
        ));
    }
    for (role, key, what) in [
        (Anonymous, "../../../../etc/passwd", "path traversal"),
        (Anonymous, "00000000-0000-0000-0000-000000000000", "nil id"),
        (Learner, "garden-planning-basics' --", "SQL comment"),
        (Learner, "before\0after", "NUL, signed in"),
        (Admin, "x".repeat(201).as_str(), "just over the key limit"),
    ] {
        cases.push(Case::call(
            s,
            role,
            "courses/detail",
            form(&[("key", key)]),
            what,
        ));
    }
    for (body, what) in [
        (b"".to_vec(), "no key"),
        (b"key[]=a&key[]=b".to_vec(), "key as a list"),
        (b"key[a]=b".to_vec(), "key as a map"),
        (with_raw_value("", "key"), "raw invalid UTF-8"),
        (b"key=%FF%FE".to_vec(), "encoded invalid UTF-8"),
    ] {
        cases.push(Case::call(s, Anonymous, "courses/detail", body, what));
    }

    // The pages: every parameter, every kind of trouble.
    for (name, value) in hostile_texts(URL_LONG) {
        cases.push(Case::page(
            s,
            Anonymous,
            format!("/courses?{}", form(&[("q", &value)])),
            format!("search text: {name}"),
        ));
        cases.push(Case::page(
            s,
            Anonymous,
            format!("/courses?{}", form(&[("tag", &value)])),
            format!("tag: {name}"),
        ));
        cases.push(Case::page(
            s,
            Anonymous,
            format!("/courses/{}", encode(&value)),
            format!("course slug: {name}"),
        ));
    }
    for &value in HOSTILE_NUMBERS {
        for field in ["min_hours", "max_hours", "page"] {
            cases.push(Case::page(
                s,
                Anonymous,
                format!("/courses?{}", form(&[(field, value)])),
                format!("{field}: {value}"),
            ));
        }
    }
    for (role, target, what) in [
        (Anonymous, "/courses?tag=the".to_owned(), "stop-word tag"),
        (
            Anonymous,
            "/courses?tag=the+and&q=python".to_owned(),
            "stop-word tags with a search",
        ),
        (
            Learner,
            "/courses?tag=it&tag=python".to_owned(),
            "stop-word tag, signed in",
        ),
        (
            Learner,
            "/courses?q=%00&tag=%00&difficulty=%00&sort=%00".to_owned(),
            "NUL everywhere, signed in",
        ),
        (
            Admin,
            "/courses?q=%FF%FE&tag=%C3%28".to_owned(),
            "encoded invalid UTF-8, admin",
        ),
        (
            Anonymous,
            "/courses?difficulty=%3Cscript%3Ealert(1)%3C/script%3E".to_owned(),
            "markup difficulty",
        ),
        (
            Anonymous,
            "/courses?sort=title%27%3B+drop+table+courses".to_owned(),
            "SQL sort",
        ),
        (
            Anonymous,
            format!("/courses?{}", "tag=gardening&".repeat(500)),
            "500 tags",
        ),
        (Anonymous, "/courses/%FF".to_owned(), "invalid UTF-8 slug"),
        (
            Anonymous,
            "/courses/%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
            "encoded traversal slug",
        ),
        (
            Learner,
            "/courses/garden-planning-basics?__err=AAAA&__path=x".to_owned(),
            "garbage error parameters",
        ),
        (
            Anonymous,
            "/tags?q=%00&page=-1".to_owned(),
            "tags with junk",
        ),
        (
            Learner,
            "/tags?%FF=%FF".to_owned(),
            "tags with invalid UTF-8, signed in",
        ),
        // The offline page is rendered without the session, whoever asks.
        (
            Learner,
            "/offline?next=%3Cscript%3E&__err=AAAA".to_owned(),
            "offline page with junk, signed in",
        ),
        (
            Anonymous,
            "/offline/catalog.json?page=%00".to_owned(),
            "offline catalog with junk",
        ),
    ] {
        cases.push(Case::page(s, role, target, what));
    }
    cases
}

fn profile_cases() -> Vec<Case> {
    use Role::*;
    let s = "profile";
    let mut cases = Vec::new();
    for role in [Anonymous, Learner, Admin] {
        for endpoint in ["profile/get", "profile/history"] {
            cases.push(Case::call(s, role, endpoint, "x=%00&x[]=1", "junk form"));
            cases.push(Case::call(s, role, endpoint, NOT_UTF8, "invalid UTF-8"));
        }
    }

    // The learner is at version 2. Every save below is stale (version 1) or
    // invalid, so none of them may write, whatever else it carries.
    let fields = [
        ("expected_version", "1"),
        ("learning_goal", "Grow vegetables"),
        ("current_level", "beginner"),
        ("hours_per_week", "5"),
        ("interests[]", "gardening"),
    ];
    let with = |field: &str, value: &str| {
        form(
            &fields
                .iter()
                .map(|&(name, old)| (name, if name == field { value } else { old }))
                .collect::<Vec<_>>(),
        )
    };
    for (index, (name, value)) in hostile_texts(BODY_LONG).into_iter().enumerate() {
        for (field, _) in fields {
            let body = with(field, &value);
            let what = format!("{field}: {name}");
            // Half as the app sends it, half as a plain HTML form.
            cases.push(if index % 2 == 0 {
                Case::call(s, Learner, "profile/save", body, what)
            } else {
                Case::form_post(s, Learner, "profile/save", body, "/profile", what)
            });
        }
    }
    for &value in HOSTILE_NUMBERS {
        cases.push(Case::call(
            s,
            Learner,
            "profile/save",
            with("hours_per_week", value),
            format!("hours: {value}"),
        ));
        cases.push(Case::call(
            s,
            Learner,
            "profile/save",
            with("expected_version", value),
            format!("version: {value}"),
        ));
    }
    let many_interests = {
        let mut body = with("interests[]", "gardening");
        for index in 0..5_000 {
            let _ = write!(body, "&interests%5B%5D=tag{index}");
        }
        body
    };
    for (role, body, what) in [
        (Learner, with("interests[]", "underwater basket weaving"), "an interest not in the catalog"),
        (Learner, many_interests, "5,000 interests"),
        (Learner, format!("{}&interests%5B%5D=gardening", with("interests[]", "gardening")), "an interest twice"),
        (Learner, with("current_level", "BEGINNER"), "a level in capitals"),
        (Learner, with("expected_version", "99"), "a version from the future"),
        (Learner, with("hours_per_week", "169"), "one hour over a week"),
        (Learner, "expected_version=1".to_owned(), "only a version"),
        (Learner, String::new(), "an empty form"),
        (Learner, "expected_version[]=1&expected_version[]=2&learning_goal=a&current_level=beginner&hours_per_week=5".to_owned(), "the version as a list"),
        (Learner, "expected_version=1&learning_goal[a]=b&current_level=beginner&hours_per_week=5".to_owned(), "the goal as a map"),
        (Learner, format!("{}&interests=gardening", with("interests[]", "compost")), "interests as a list and a value"),
        (Learner, "interests[0][1][2][3][4][5][6]=x".to_owned(), "interests nested deep"),
        (Admin, with("learning_goal", "before\0after"), "NUL goal from the admin"),
        (Admin, with("hours_per_week", "-1"), "negative hours from the admin"),
        (Anonymous, with("learning_goal", "Grow vegetables"), "a stranger saves"),
    ] {
        let case = Case::call(s, role, "profile/save", body, what);
        cases.push(if role == Anonymous { case.expecting(Expect::Refused) } else { case });
    }
    for (body, what) in [
        (
            with_raw_value(
                "expected_version=1&current_level=beginner&hours_per_week=5&",
                "learning_goal",
            ),
            "raw invalid UTF-8 goal",
        ),
        (
            with("learning_goal", "")
                .replace("learning_goal=", "learning_goal=%FF%FE")
                .into_bytes(),
            "encoded invalid UTF-8 goal",
        ),
    ] {
        cases.push(Case::call(s, Learner, "profile/save", body.clone(), what));
        cases.push(Case::form_post(
            s,
            Learner,
            "profile/save",
            body,
            "/profile",
            what,
        ));
    }
    cases.push(Case::json_call(
        s,
        Learner,
        "profile/save",
        json!({"expected_version": 1, "learning_goal": null}).to_string(),
        "JSON to a form function",
    ));

    // The pages.
    for (name, value) in hostile_texts(URL_LONG) {
        for parameter in ["saved", "welcome"] {
            cases.push(Case::page(
                s,
                Learner,
                format!("/profile?{}", form(&[(parameter, &value)])),
                format!("{parameter}: {name}"),
            ));
        }
    }
    for (role, target, what) in [
        (Anonymous, "/profile?saved=%00", "a stranger, NUL"),
        (Admin, "/profile?unchanged=%FF", "the admin, invalid UTF-8"),
        (Anonymous, "/profile/history?x=%00", "a stranger's history"),
        (
            Learner,
            "/profile/history?page=-1&%FF=1",
            "history with junk",
        ),
        (Admin, "/profile/history", "the admin's history"),
    ] {
        cases.push(Case::page(s, role, target, what));
    }
    cases
}

fn recommendation_cases(world: &World) -> Vec<Case> {
    use Role::*;
    let s = "recommend";
    let mut cases = Vec::new();
    for role in [Anonymous, Learner, Admin] {
        for endpoint in ["recommendations/page", "recommendations/history"] {
            cases.push(Case::call(s, role, endpoint, "x=%00", "junk form"));
            cases.push(Case::call(s, role, endpoint, NOT_UTF8, "invalid UTF-8"));
        }
    }

    // Asking. A question with an already answered token gets that answer
    // again, so valid questions cannot add a recommendation here.
    let ask = |request_id: &str, question: &str| {
        form(&[("request_id", request_id), ("question", question)])
    };
    for (index, (name, value)) in hostile_texts(BODY_LONG).into_iter().enumerate() {
        let token_case = ask(&value, "");
        let question_case = ask(&world.answered_request, &value);
        if index % 2 == 0 {
            cases.push(Case::call(
                s,
                Learner,
                "recommendations/request",
                token_case,
                format!("request id: {name}"),
            ));
            cases.push(Case::call(
                s,
                Learner,
                "recommendations/request",
                question_case,
                format!("question: {name}"),
            ));
        } else {
            cases.push(Case::form_post(
                s,
                Learner,
                "recommendations/request",
                token_case,
                "/recommendations",
                format!("request id: {name}"),
            ));
            cases.push(Case::form_post(
                s,
                Learner,
                "recommendations/request",
                question_case,
                "/recommendations",
                format!("question: {name}"),
            ));
        }
    }
    // With fresh tokens, questions that must be refused before any work.
    for (value, what) in [
        ("gardening\0".to_owned(), "NUL question"),
        (
            "\u{1}\u{1b}[2J gardening".to_owned(),
            "control characters in the question",
        ),
        ("why ".repeat(BODY_LONG / 4), "1 MB question"),
    ] {
        cases.push(Case::call(
            s,
            Learner,
            "recommendations/request",
            ask(&Uuid::new_v4().to_string(), &value),
            what,
        ));
    }
    for (role, body, what) in [
        (Learner, String::new(), "an empty form"),
        (
            Learner,
            "request_id[]=a&request_id[]=b".to_owned(),
            "the token as a list",
        ),
        (
            Learner,
            ask("00000000-0000-0000-0000-000000000000", "\0"),
            "nil token, NUL question",
        ),
        (
            Admin,
            ask(&Uuid::new_v4().to_string(), "before\0after"),
            "the admin, NUL question",
        ),
    ] {
        cases.push(Case::call(s, role, "recommendations/request", body, what));
    }
    cases.push(
        Case::call(
            s,
            Anonymous,
            "recommendations/request",
            ask(&Uuid::new_v4().to_string(), ""),
            "a stranger asks",
        )
        .expecting(Expect::Refused),
    );
    cases.push(Case::call(
        s,
        Learner,
        "recommendations/request",
        with_raw_value("request_id=x&", "question"),
        "raw invalid UTF-8 question",
    ));
    cases.push(Case::json_call(
        s,
        Learner,
        "recommendations/request",
        "{\"request_id\": 5}",
        "JSON to a form function",
    ));

    // Rating. The recommendation is the other learner's, so even a valid
    // rating must change nothing; the values are checked before that.
    let rate = |id: &str, rating: &str, feedback: &str| {
        form(&[
            ("recommendation_id", id),
            ("rating", rating),
            ("feedback", feedback),
        ])
    };
    let theirs = world.others_recommendation.as_str();
    cases.push(
        Case::call(
            s,
            Learner,
            "recommendations/rate",
            rate(theirs, "1", "mine now"),
            "another learner's recommendation",
        )
        .expecting(Expect::Refused),
    );
    cases.push(
        Case::call(
            s,
            Admin,
            "recommendations/rate",
            rate(&world.own_recommendation, "1", ""),
            "the admin rates a learner's",
        )
        .expecting(Expect::Refused),
    );
    cases.push(
        Case::call(
            s,
            Anonymous,
            "recommendations/rate",
            rate(theirs, "1", ""),
            "a stranger rates",
        )
        .expecting(Expect::Refused),
    );
    for (index, (name, value)) in hostile_texts(BODY_LONG).into_iter().enumerate() {
        for (field, body) in [
            ("rating", rate(theirs, &value, "")),
            ("feedback", rate(theirs, "4", &value)),
            ("recommendation_id", rate(&value, "4", "")),
        ] {
            let what = format!("{field}: {name}");
            cases.push(if index % 2 == 0 {
                Case::call(s, Learner, "recommendations/rate", body, what)
            } else {
                Case::form_post(
                    s,
                    Learner,
                    "recommendations/rate",
                    body,
                    "/recommendations",
                    what,
                )
            });
        }
    }
    for &value in HOSTILE_NUMBERS {
        cases.push(Case::call(
            s,
            Learner,
            "recommendations/rate",
            rate(theirs, value, ""),
            format!("rating: {value}"),
        ));
    }
    for (body, what) in [
        (String::new(), "an empty form"),
        (
            format!("recommendation_id={theirs}&rating[]=4&rating[]=5"),
            "the rating as a list",
        ),
        (
            format!(
                "{}&return_to=https%3A%2F%2Fevil.test",
                rate(theirs, "9", "")
            ),
            "forged return_to, bad rating",
        ),
    ] {
        cases.push(Case::call(s, Learner, "recommendations/rate", body, what));
    }
    cases.push(Case::call(
        s,
        Learner,
        "recommendations/rate",
        with_raw_value(&format!("recommendation_id={theirs}&rating=4&"), "feedback"),
        "raw invalid UTF-8 feedback",
    ));

    // The pages.
    for (name, value) in hostile_texts(URL_LONG) {
        cases.push(Case::page(
            s,
            Learner,
            format!("/recommendations?{}", form(&[("off_topic", &value)])),
            format!("off_topic: {name}"),
        ));
    }
    for (role, target, what) in [
        (
            Learner,
            "/recommendations?shown=%00&rated=%FF".to_owned(),
            "shown and rated junk",
        ),
        (
            Learner,
            format!("/recommendations?rated={theirs}"),
            "rated: another learner's id",
        ),
        (
            Learner,
            "/recommendations/history?rated=%3Cscript%3Ealert(1)%3C/script%3E".to_owned(),
            "history, markup rated",
        ),
        (
            Admin,
            "/recommendations?off_topic=%00".to_owned(),
            "the admin, NUL",
        ),
        (
            Admin,
            "/recommendations/history".to_owned(),
            "the admin's history",
        ),
        (
            Anonymous,
            "/recommendations?off_topic=%3C/textarea%3E".to_owned(),
            "a stranger",
        ),
        (
            Anonymous,
            "/recommendations/history?x=%00".to_owned(),
            "a stranger's history",
        ),
    ] {
        cases.push(Case::page(s, role, target, what));
    }
    cases
}

fn admin_cases(world: &World) -> Vec<Case> {
    use Role::*;
    let s = "admin";
    let mut cases = Vec::new();
    let learner_id = world.learner_id.to_string();
    let other_id = world.other_learner_id.to_string();

    // Everything admin is refused to the others, and changes nothing.
    for role in [Anonymous, Learner] {
        for (endpoint, body) in [
            ("admin/dashboard", String::new()),
            ("admin/refresh", String::new()),
            ("admin/segment", "filter[goal_contains]=a&filter[level]=&filter[min_hours]=&filter[joined_within_days]=&filter[interest]=".to_owned()),
            ("admin/users", "search=example".to_owned()),
            ("admin/set-active", form(&[("user_id", &other_id), ("active", "false")])),
            ("admin/learner", form(&[("user_id", &other_id)])),
        ] {
            cases.push(Case::call(s, role, endpoint, body, "not an admin").expecting(Expect::Refused));
        }
        for target in [
            "/admin/export/users",
            "/admin/export/levels?from=2026-01-01",
        ] {
            cases.push(Case::page(s, role, target, "not an admin").expecting(Expect::Refused));
        }
        for target in [
            "/admin".to_owned(),
            "/admin/users?q=a".to_owned(),
            format!("/admin/users/{other_id}"),
        ] {
            cases.push(Case::page(s, role, target, "not an admin"));
        }
    }

    // The period: dates and day counts out of any range.
    for &date in HOSTILE_DATES {
        for field in ["from", "to"] {
            cases.push(Case::call(
                s,
                Admin,
                "admin/dashboard",
                form(&[(field, date)]),
                format!("{field}: {date}"),
            ));
        }
        cases.push(Case::page(
            s,
            Admin,
            format!(
                "/admin/export/levels?{}",
                form(&[("from", "2026-01-01"), ("to", date)])
            ),
            format!("export to: {date}"),
        ));
    }
    for (name, value) in hostile_texts(BODY_LONG) {
        cases.push(Case::call(
            s,
            Admin,
            "admin/dashboard",
            form(&[("from", &value), ("within", &value)]),
            format!("from and within: {name}"),
        ));
    }
    for &value in HOSTILE_NUMBERS {
        cases.push(Case::call(
            s,
            Admin,
            "admin/dashboard",
            form(&[("within", value)]),
            format!("within: {value}"),
        ));
    }
    cases.push(Case::call(
        s,
        Admin,
        "admin/dashboard",
        form(&[("from", "2026-12-31"), ("to", "2026-01-01")]),
        "a period ending before it starts",
    ));
    cases.push(Case::call(
        s,
        Admin,
        "admin/dashboard",
        with_raw_value("", "from"),
        "raw invalid UTF-8",
    ));
    // Recomputing the figures is the admin's to do: only junk comes along.
    for (body, what) in [
        (b"x=%00&y[z]=1".to_vec(), "junk form"),
        (NOT_UTF8.to_vec(), "invalid UTF-8"),
        (vec![b'A'; BODY_LONG], "1 MB of junk"),
    ] {
        cases.push(Case::call(s, Admin, "admin/refresh", body, what));
    }
    cases.push(Case::json_call(
        s,
        Admin,
        "admin/refresh",
        "{\"x\": null}",
        "JSON to a form function",
    ));
    // The page renders the same figures. A few of the worst dates only: a
    // render that panics may never answer, and each costs the full timeout.
    for target in [
        "/admin?to=%2B262142-12-31",
        "/admin?from=-5000-01-01&to=0000-00-00",
        "/admin?within=99999999999999999999",
        "/admin?from=%00&to=%FF&within=%3Cscript%3E",
    ] {
        cases.push(Case::page(s, Admin, target, "hostile period on the page"));
    }

    // The segment filter.
    let segment = |field: &str, value: &str| {
        SEGMENT_FIELDS
            .iter()
            .map(|name| {
                let value = if *name == field { value } else { "" };
                format!("filter%5B{name}%5D={}", encode(value))
            })
            .collect::<Vec<_>>()
            .join("&")
    };
    for (name, value) in hostile_texts(BODY_LONG) {
        for field in SEGMENT_FIELDS {
            cases.push(Case::call(
                s,
                Admin,
                "admin/segment",
                segment(field, &value),
                format!("segment {field}: {name}"),
            ));
        }
    }
    for &value in HOSTILE_NUMBERS {
        cases.push(Case::call(
            s,
            Admin,
            "admin/segment",
            segment("joined_within_days", value),
            format!("joined within: {value}"),
        ));
    }
    for (body, what) in [
        ("filter=abc".to_owned(), "the filter as a value"),
        (String::new(), "no filter"),
        ("filter[level][x]=1".to_owned(), "a field as a map"),
    ] {
        cases.push(Case::call(s, Admin, "admin/segment", body, what));
    }
    for (field, value) in [
        ("seg_goal", "%00"),
        ("seg_min_hours", "-1"),
        ("seg_joined_within", "99999999999999999999"),
        ("seg_interest", "%FF"),
        ("seg_level", "%27+or+1%3D1"),
    ] {
        cases.push(Case::page(
            s,
            Admin,
            format!("/admin?{field}={value}"),
            format!("{field} on the page"),
        ));
    }

    // The user list.
    for (name, value) in hostile_texts(BODY_LONG) {
        cases.push(Case::call(
            s,
            Admin,
            "admin/users",
            form(&[("search", &value)]),
            format!("search: {name}"),
        ));
    }
    for &value in HOSTILE_NUMBERS {
        cases.push(Case::call(
            s,
            Admin,
            "admin/users",
            form(&[("page", value)]),
            format!("page: {value}"),
        ));
        cases.push(Case::page(
            s,
            Admin,
            format!("/admin/users?{}", form(&[("page", value)])),
            format!("page: {value}"),
        ));
    }
    for (name, value) in hostile_texts(URL_LONG) {
        cases.push(Case::page(
            s,
            Admin,
            format!("/admin/users?{}", form(&[("q", &value)])),
            format!("search: {name}"),
        ));
        cases.push(Case::page(
            s,
            Admin,
            format!("/admin/users/{}", encode(&value)),
            format!("learner id: {name}"),
        ));
    }

    // Deactivating and looking up users, with nothing valid to act on.
    for (name, value) in hostile_texts(BODY_LONG) {
        cases.push(Case::call(
            s,
            Admin,
            "admin/set-active",
            form(&[("user_id", &value), ("active", "false")]),
            format!("user id: {name}"),
        ));
        cases.push(Case::call(
            s,
            Admin,
            "admin/set-active",
            form(&[("user_id", &other_id), ("active", &value)]),
            format!("active: {name}"),
        ));
        cases.push(Case::call(
            s,
            Admin,
            "admin/learner",
            form(&[("user_id", &value)]),
            format!("user id: {name}"),
        ));
    }
    for (body, what) in [
        (
            form(&[
                ("user_id", "00000000-0000-0000-0000-000000000000"),
                ("active", "false"),
            ]),
            "nobody's id",
        ),
        (
            form(&[
                ("user_id", &learner_id),
                ("active", "TRUE; drop table users"),
            ]),
            "SQL in active",
        ),
        (form(&[("user_id", &learner_id)]), "no active"),
        (
            format!("user_id[]={learner_id}&active=false"),
            "the id as a list",
        ),
    ] {
        cases.push(Case::call(s, Admin, "admin/set-active", body.clone(), what));
        cases.push(Case::form_post(
            s,
            Admin,
            "admin/set-active",
            body,
            "/admin/users",
            what,
        ));
    }
    cases.push(Case::call(
        s,
        Admin,
        "admin/learner",
        form(&[("user_id", "00000000-0000-0000-0000-000000000000")]),
        "nobody's id",
    ));

    // The CSV exports.
    for name in app::admin::Export::ALL.map(app::admin::Export::name) {
        for query in [
            "q=%00",
            "from=-5000-01-01&to=0000-00-00",
            "q=%3D1%2B2&from=%FF",
        ] {
            cases.push(Case::page(
                s,
                Admin,
                format!("/admin/export/{name}?{query}"),
                "hostile export parameters",
            ));
        }
    }
    for (name, value) in hostile_texts(URL_LONG) {
        cases.push(Case::page(
            s,
            Admin,
            format!("/admin/export/{}", encode(&value)),
            format!("export name: {name}"),
        ));
    }
    for target in [
        "/admin/export/users?q=%27%20or%201%3D1--",
        "/admin/export/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/admin/export/users?%FF=%FF",
    ] {
        cases.push(Case::page(s, Admin, target, "hostile export address"));
    }
    cases
}

/// The account functions that cannot trip a throttle: each attempt needs a
/// session and fails on a wrong password before anything else.
fn account_cases() -> Vec<Case> {
    use Role::*;
    let s = "account";
    let mut cases = Vec::new();
    for role in [Anonymous, Learner, Admin] {
        cases.push(Case::call(
            s,
            role,
            "account/me",
            "x=%00&x[y]=1",
            "junk form",
        ));
        cases.push(Case::call(s, role, "account/me", NOT_UTF8, "invalid UTF-8"));
        cases.push(Case::call(
            s,
            role,
            "account/me",
            "A".repeat(BODY_LONG),
            "1 MB of junk",
        ));
    }
    // Logging out takes nothing; only strangers do it here, so the sessions
    // the rest of the suite uses survive.
    cases.push(Case::call(
        s,
        Anonymous,
        "account/logout",
        "x=%00",
        "a stranger logs out, junk form",
    ));
    cases.push(Case::call(
        s,
        Anonymous,
        "account/logout",
        NOT_UTF8,
        "a stranger logs out, invalid UTF-8",
    ));

    let change = |current: &str, new: &str, confirmation: &str| {
        form(&[
            ("current_password", current),
            ("new_password", new),
            ("new_password_confirmation", confirmation),
        ])
    };
    for (index, (name, value)) in hostile_texts(BODY_LONG).into_iter().enumerate() {
        for (field, body) in [
            (
                "current password",
                change(&value, "a new sturdy passphrase", "a new sturdy passphrase"),
            ),
            // A wrong current password, so a valid new one cannot land.
            ("new password", change("not the password", &value, &value)),
        ] {
            let what = format!("{field}: {name}");
            cases.push(if index % 2 == 0 {
                Case::call(s, Learner, "account/password", body, what)
            } else {
                Case::form_post(s, Learner, "account/password", body, "/account", what)
            });
        }
        cases.push(Case::call(
            s,
            Learner,
            "account/deactivate",
            form(&[("password", &value)]),
            format!("password: {name}"),
        ));
    }
    for (role, endpoint, body, what) in [
        (Learner, "account/password", String::new(), "an empty form"),
        (
            Learner,
            "account/password",
            "current_password[]=a&current_password[]=b".to_owned(),
            "the password as a list",
        ),
        (
            Admin,
            "account/password",
            change("before\0after", "x", "y"),
            "the admin, NUL",
        ),
        (
            Learner,
            "account/deactivate",
            String::new(),
            "an empty form",
        ),
        (
            Learner,
            "account/deactivate",
            "password[a]=b".to_owned(),
            "the password as a map",
        ),
        (
            Admin,
            "account/deactivate",
            form(&[("password", "\0")]),
            "the admin, NUL",
        ),
    ] {
        cases.push(Case::call(s, role, endpoint, body, what));
    }
    for (endpoint, body) in [
        (
            "account/password",
            change(
                PASSWORD,
                "a new sturdy passphrase",
                "a new sturdy passphrase",
            ),
        ),
        ("account/deactivate", form(&[("password", PASSWORD)])),
    ] {
        cases.push(
            Case::call(s, Anonymous, endpoint, body, "a stranger").expecting(Expect::Refused),
        );
    }
    cases.push(Case::call(
        s,
        Learner,
        "account/password",
        with_raw_value("", "current_password"),
        "raw invalid UTF-8",
    ));
    cases.push(Case::json_call(
        s,
        Learner,
        "account/deactivate",
        "{\"password\": null}",
        "JSON to a form function",
    ));

    // The pages.
    for next in OFF_SITE
        .iter()
        .copied()
        .chain(["\0", "/\u{0}x", "/courses\u{1b}"])
    {
        for page in ["/login", "/signup"] {
            cases.push(Case::page(
                s,
                Anonymous,
                format!("{page}?{}", form(&[("next", next)])),
                format!("forged next {next:?}"),
            ));
        }
    }
    for (name, value) in hostile_texts(URL_LONG) {
        cases.push(Case::page(
            s,
            Anonymous,
            format!("/reset-password?{}", form(&[("token", &value)])),
            format!("reset token: {name}"),
        ));
        cases.push(Case::page(
            s,
            Learner,
            format!("/account?{}", form(&[("changed", &value)])),
            format!("changed: {name}"),
        ));
    }
    for (role, target) in [
        (Anonymous, "/account"),
        (Admin, "/account?x=%00"),
        (
            Anonymous,
            "/forgot-password?sent=%3Cscript%3Ealert(1)%3C/script%3E",
        ),
        (Learner, "/login?deactivated=%00&reset=%FF"),
        (Learner, "/signup?next=%2F%2Fevil.test"),
    ] {
        cases.push(Case::page(s, role, target, "page with junk parameters"));
    }
    cases
}

/// An error in the address (`__err`, with the form it is for in `__path`) is
/// how leptos brings a no-JavaScript form's error back to its page. Anyone
/// can put one in a link: it must never show as the server's own words.
fn forged_error_cases() -> Vec<Case> {
    use Role::*;
    let s = "forged error";
    let mut cases = Vec::new();
    let forged = |error: Value| base64_url(error.to_string().as_bytes());
    let errors = [
        (
            forged(json!({"BadRequest": FORGED_NOTICE})),
            Expect::Hides(FORGED_NOTICE),
            "forged notice",
        ),
        (
            forged(
                json!({"Invalid": {"message": FORGED_NOTICE, "fields": [["email", FORGED_NOTICE]]}}),
            ),
            Expect::Hides(FORGED_NOTICE),
            "forged field errors",
        ),
        (
            forged(json!({"BadRequest": FORGED_MARKUP})),
            Expect::Anything,
            "forged markup",
        ),
        (
            "%00%FF%3Cscript%3E".to_owned(),
            Expect::Anything,
            "not base64",
        ),
        ("A".repeat(URL_LONG), Expect::Anything, "30 kB of base64"),
    ];
    for (role, page, action) in [
        (Anonymous, "/login", "/api/account/login"),
        (Anonymous, "/signup", "/api/account/signup"),
        (Anonymous, "/forgot-password", "/api/account/forgot"),
        (
            Anonymous,
            "/reset-password?token=abc&",
            "/api/account/reset",
        ),
        (Learner, "/account", "/api/account/password"),
        (Learner, "/account", "/api/account/deactivate"),
        (Learner, "/profile", "/api/profile/save"),
        (Learner, "/recommendations", "/api/recommendations/request"),
        (Learner, "/recommendations", "/api/recommendations/rate"),
        (Admin, "/admin/users", "/api/admin/set-active"),
    ] {
        let separator = if page.ends_with('&') { "" } else { "?" };
        for (error, expect, what) in &errors {
            let target = format!("{page}{separator}__path={}&__err={error}", encode(action));
            cases.push(
                Case::page(s, role, target, format!("{what} for {action}")).expecting(*expect),
            );
        }
    }
    cases
}

/// Probes, static files, unknown addresses, odd methods, and requests no
/// HTTP library would send.
fn other_cases() -> Vec<Case> {
    use Role::*;
    let s = "other";
    let mut cases = Vec::new();
    for (role, target) in [
        (Anonymous, "/?q=%00&%FF"),
        (Anonymous, "/healthz?x=%00"),
        (Anonymous, "/readyz?%FF=%FF"),
        (Learner, "/healthz"),
        (Anonymous, "/pkg/acmelearn.js"),
        (Anonymous, "/pkg/acmelearn_bg.wasm?v=%00"),
        (Anonymous, "/pkg/%2e%2e/%2e%2e/Cargo.toml"),
        (Anonymous, "/pkg/..%2F..%2FCargo.toml"),
        (Anonymous, "/pkg/%00"),
        (Anonymous, "/favicon.svg?%FF"),
        (Anonymous, "/nowhere"),
        (Anonymous, "/%00"),
        (Anonymous, "/%FF%FE"),
        (Learner, "/admin/users/a/b/c/d"),
        (Anonymous, "/%3Cscript%3Ealert(1)%3C/script%3E"),
        (Admin, "/api/account/me"),
    ] {
        cases.push(Case::page(s, role, target, "GET"));
    }
    let long_path = format!("/{}", "a/".repeat(URL_LONG / 2));
    cases.push(Case::page(s, Anonymous, long_path, "30 kB path"));
    for (method, target) in [
        (Method::POST, "/api/nope"),
        (Method::POST, "/api/"),
        (Method::POST, "/healthz"),
        (Method::PUT, "/api/account/login"),
        (Method::DELETE, "/api/profile/save"),
        (Method::PATCH, "/profile"),
        (Method::OPTIONS, "/api/account/signup"),
        (Method::HEAD, "/courses?q=%00"),
        (Method::TRACE, "/"),
    ] {
        let case = Case::new(
            s,
            Learner,
            method.clone(),
            target,
            format!("{method} {target}"),
        )
        .with_origin(Origin::SameSite)
        .with_body(FORM, "x=%00");
        cases.push(case);
    }
    for (request, what) in [
        (&b"GET /pkg/../../Cargo.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..], "raw path traversal"),
        (&b"GET /courses/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..], "raw invalid UTF-8 in the path"),
        (&b"GET /courses?q=\xff\x00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..], "raw NUL in the query"),
        (&b"GET /courses HTTP/1.1\r\nHost: x\r\nCookie: acmelearn_session=\xff\xfe\r\nConnection: close\r\n\r\n"[..], "raw bytes in the cookie"),
        (&b"GET /courses HTTP/1.1\r\nHost: x\r\nCookie: acmelearn_session=%00'--\r\nConnection: close\r\n\r\n"[..], "a forged session id"),
        (&b"GET /profile HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n"[..], "another host's name"),
        (&b"POST /api/account/me HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"[..], "both body lengths"),
        (&b"POST /api/account/me HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n"[..], "an impossible length"),
        (&b"G\x00T / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..], "NUL in the method"),
        (&b"GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"[..], "an unknown HTTP version"),
    ] {
        cases.push(Case::raw(s, what, request));
    }
    cases
}

/// Every state-changing function, posted from another site with the
/// victim's session: refused, whatever the body.
fn cross_site_cases(world: &World) -> Vec<Case> {
    use Role::*;
    let s = "cross-site";
    let mut cases = Vec::new();
    let other_id = world.other_learner_id.to_string();
    let token = Uuid::new_v4().to_string();
    let functions: Vec<(&str, String)> = vec![
        ("account/me", String::new()),
        ("account/logout", String::new()),
        ("account/password", form(&[("current_password", PASSWORD), ("new_password", "hijacked passphrase"), ("new_password_confirmation", "hijacked passphrase")])),
        ("account/deactivate", form(&[("password", PASSWORD)])),
        ("account/login", form(&[("email", "learner@example.test"), ("password", PASSWORD)])),
        ("account/signup", form(&[("email", "victim@example.test"), ("password", PASSWORD), ("password_confirmation", PASSWORD)])),
        ("account/forgot", form(&[("email", "learner@example.test")])),
        ("account/reset", form(&[("token", "abc"), ("new_password", PASSWORD), ("new_password_confirmation", PASSWORD)])),
        ("profile/get", String::new()),
        ("profile/history", String::new()),
        ("profile/save", form(&[("expected_version", "2"), ("learning_goal", "hijacked"), ("current_level", "advanced"), ("hours_per_week", "1")])),
        ("recommendations/page", String::new()),
        ("recommendations/history", String::new()),
        ("recommendations/request", form(&[("request_id", &token)])),
        ("recommendations/rate", form(&[("recommendation_id", &world.own_recommendation), ("rating", "1")])),
        ("courses/tags", String::new()),
        ("home", String::new()),
        ("courses/detail", form(&[("key", "garden-planning-basics")])),
        ("admin/dashboard", String::new()),
        ("admin/refresh", String::new()),
        ("admin/segment", "filter[goal_contains]=&filter[level]=&filter[min_hours]=&filter[joined_within_days]=&filter[interest]=".to_owned()),
        ("admin/users", String::new()),
        ("admin/set-active", form(&[("user_id", &other_id), ("active", "false")])),
        ("admin/learner", form(&[("user_id", &other_id)])),
    ];
    for (endpoint, body) in &functions {
        for role in [Learner, Admin] {
            cases.push(
                Case::call(s, role, endpoint, body.clone(), "Origin: https://evil.test")
                    .with_origin(Origin::Other("https://evil.test"))
                    .expecting(Expect::Refused),
            );
        }
    }
    cases.push(
        Case::json_call(
            s,
            Learner,
            "courses/search",
            "{\"query\": {}}",
            "Origin: https://evil.test",
        )
        .with_origin(Origin::Other("https://evil.test"))
        .expecting(Expect::Refused),
    );
    let variants = [
        (
            Origin::Other("null"),
            None,
            "Origin: null (a sandboxed frame)",
        ),
        (
            Origin::Other("http://127.0.0.1.evil.test"),
            None,
            "a look-alike Origin",
        ),
        (
            Origin::Other("HTTPS://EVIL.TEST"),
            None,
            "Origin in capitals",
        ),
        (
            Origin::Absent,
            Some("https://evil.test/page"),
            "no Origin, Referer from another site",
        ),
    ];
    for (origin, referer, what) in variants {
        for (endpoint, body) in functions.iter().filter(|(endpoint, _)| {
            [
                "profile/save",
                "admin/set-active",
                "account/password",
                "account/logout",
            ]
            .contains(endpoint)
        }) {
            let role = if endpoint.starts_with("admin/") {
                Admin
            } else {
                Learner
            };
            let mut case = Case::call(s, role, endpoint, body.clone(), what)
                .with_origin(origin)
                .expecting(Expect::Refused);
            if let Some(referer) = referer {
                case = case.with_referer(referer);
            }
            cases.push(case);
        }
    }
    cases
}

/// Return addresses an attacker controls: `next` on a login that succeeds,
/// and the `Referer` a failing no-JavaScript form is sent back to.
fn forged_redirect_cases() -> Vec<Case> {
    use Role::*;
    let s = "forged redirect";
    let mut cases = Vec::new();
    for &next in OFF_SITE
        .iter()
        .chain(&["/%2F%2Fevil.test", "/\t/evil.test"])
    {
        cases.push(Case::form_post(
            s,
            Anonymous,
            "account/login",
            form(&[
                ("email", "learner@example.test"),
                ("password", PASSWORD),
                ("next", next),
            ]),
            "/login",
            format!("a login that works, next={next:?}"),
        ));
    }
    // The origin is this site's (the form really was posted from here), but
    // the Referer was forged: the error must not be carried off-site.
    for (role, endpoint, body, what) in [
        (
            Learner,
            "profile/save",
            form(&[("expected_version", "x")]),
            "profile",
        ),
        (
            Learner,
            "recommendations/rate",
            form(&[("recommendation_id", "x"), ("rating", "9")]),
            "rating",
        ),
        (
            Learner,
            "recommendations/request",
            form(&[("request_id", "x")]),
            "request",
        ),
        (
            Learner,
            "account/password",
            form(&[("current_password", "wrong")]),
            "password",
        ),
        (
            Admin,
            "admin/set-active",
            form(&[("user_id", "x"), ("active", "x")]),
            "set-active",
        ),
        (
            Anonymous,
            "account/reset",
            form(&[
                ("token", "x"),
                ("new_password", "a"),
                ("new_password_confirmation", "b"),
            ]),
            "reset",
        ),
        (
            Anonymous,
            "account/signup",
            form(&[
                ("email", "not an email"),
                ("password", "a"),
                ("password_confirmation", "b"),
            ]),
            "sign-up",
        ),
    ] {
        for referer in [
            "https://evil.test/login",
            "//evil.test/login",
            "http://127.0.0.1.evil.test/",
        ] {
            cases.push(Case::form_post(
                s,
                role,
                endpoint,
                body.clone(),
                referer,
                format!("failing {what}, Referer {referer}"),
            ));
        }
    }
    cases
}

/// Attempts a throttle counts: failed logins (5 per account, 20 per client
/// address), sign-ups, reset requests. Last, since a 429 is a fine answer.
fn throttled_cases() -> Vec<Case> {
    use Role::*;
    let s = "throttled";
    let mut cases = Vec::new();
    for (index, (name, value)) in hostile_texts(BODY_LONG).into_iter().enumerate() {
        let attempts = [
            (
                "login email",
                "account/login",
                form(&[("email", &value), ("password", PASSWORD)]),
                "/login",
            ),
            (
                "login password",
                "account/login",
                form(&[("email", "learner@example.test"), ("password", &value)]),
                "/login",
            ),
            // Passwords that differ, so no sign-up can succeed.
            (
                "sign-up email",
                "account/signup",
                form(&[
                    ("email", &value),
                    ("password", PASSWORD),
                    ("password_confirmation", "another passphrase"),
                ]),
                "/signup",
            ),
            (
                "sign-up password",
                "account/signup",
                form(&[
                    ("email", "new@example.test"),
                    ("password", &value),
                    ("password_confirmation", "x"),
                ]),
                "/signup",
            ),
            (
                "reset email",
                "account/forgot",
                form(&[("email", &value)]),
                "/forgot-password",
            ),
            (
                "reset token",
                "account/reset",
                form(&[
                    ("token", &value),
                    ("new_password", PASSWORD),
                    ("new_password_confirmation", PASSWORD),
                ]),
                "/reset-password",
            ),
        ];
        for (field, endpoint, body, page) in attempts {
            let what = format!("{field}: {name}");
            cases.push(if index % 2 == 0 {
                Case::call(s, Anonymous, endpoint, body, what)
            } else {
                Case::form_post(s, Anonymous, endpoint, body, page, what)
            });
        }
    }
    for (role, endpoint, body, what) in [
        // Control characters in an otherwise valid address and passwords
        // that match: refused at the edge, or a user is written.
        (
            Anonymous,
            "account/signup",
            form(&[
                ("email", "bell\u{7}@example.test"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ]),
            "control character in a new address",
        ),
        (
            Anonymous,
            "account/signup",
            form(&[
                ("email", "nul\0@example.test"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ]),
            "NUL in a new address",
        ),
        (
            Anonymous,
            "account/signup",
            "email[]=a&email[]=b&password=x&password_confirmation=x".to_owned(),
            "the address as a list",
        ),
        (Anonymous, "account/signup", String::new(), "an empty form"),
        (
            Learner,
            "account/signup",
            form(&[
                ("email", "learner@example.test"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ]),
            "sign up again with a taken address",
        ),
        (
            Anonymous,
            "account/forgot",
            form(&[("email", "learner@example.test\0")]),
            "a real address with NUL",
        ),
        (
            Anonymous,
            "account/forgot",
            "email[x]=y".to_owned(),
            "the address as a map",
        ),
        (
            Anonymous,
            "account/reset",
            form(&[
                ("token", "abc"),
                ("new_password", "\0\0\0\0\0\0\0\0"),
                ("new_password_confirmation", "\0\0\0\0\0\0\0\0"),
            ]),
            "NUL password",
        ),
        (Anonymous, "account/login", String::new(), "an empty form"),
        (
            Anonymous,
            "account/login",
            "email=a&password[]=b".to_owned(),
            "the password as a list",
        ),
        (
            Learner,
            "account/login",
            form(&[("email", "other@example.test"), ("password", "' or 1=1 --")]),
            "signed in, another's account, SQL",
        ),
    ] {
        cases.push(Case::call(s, role, endpoint, body, what));
    }
    cases.push(Case::call(
        s,
        Anonymous,
        "account/login",
        with_raw_value("password=x&", "email"),
        "raw invalid UTF-8",
    ));
    cases.push(Case::json_call(
        s,
        Anonymous,
        "account/login",
        "{\"email\": \"a\", \"password\": \"\\u0000\"}",
        "JSON to a form function",
    ));
    cases
}

/// Standard base64 with the URL-safe alphabet and padding, as leptos encodes
/// `__err`.
fn base64_url(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE, bytes)
}

// --- what must hold after the attacks ----------------------------------------

/// The rows a learner's or an admin's actions write, by table, less columns
/// that only record activity (`last_seen_at`, `updated_at` of users). Not
/// here: sessions, failed logins (a failed login is recorded on purpose) and
/// the analytics (an admin may recompute them).
const GUARDED_TABLES: &[(&str, &str)] = &[
    (
        "users",
        "select id, email, password_hash, role, is_active, session_epoch, created_at from users",
    ),
    ("user_profiles", "select * from user_profiles"),
    ("user_interests", "select * from user_interests"),
    (
        "user_profile_snapshots",
        "select * from user_profile_snapshots",
    ),
    ("recommendations", "select * from recommendations"),
    (
        "password_reset_tokens",
        "select * from password_reset_tokens",
    ),
    ("courses", "select * from courses"),
    ("tags", "select * from tags"),
    ("course_tags", "select * from course_tags"),
    ("search_terms", "select * from search_terms"),
];

/// Per guarded table, in order: its row count and a hash of all its rows,
/// so a changed value shows, not only a new row. One query for all.
async fn fingerprint(pool: &PgPool) -> Vec<String> {
    let summaries = GUARDED_TABLES
        .iter()
        .map(|(_, rows)| {
            format!(
                "(select count(*) || ' rows, ' || coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '')
                  from ({rows}) as t)"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query_scalar(&format!("select unnest(array[{summaries}])"))
        .fetch_all(pool)
        .await
        .unwrap()
}

fn check_nothing_written(case: &Case, before: &[String], after: &[String], tally: &mut Tally) {
    for (((table, _), before), after) in GUARDED_TABLES.iter().zip(before).zip(after) {
        if before != after {
            tally.fail(
                case,
                None,
                "unwanted write",
                format!("{table}: {before} → {after}"),
            );
        }
    }
}

/// The learner's and the admin's sessions were only ever attacked, never
/// ended: they still work.
async fn check_sessions_survived(site: &Site, world: &World, tally: &mut Tally) {
    for (role, email) in [
        (Role::Learner, "learner@example.test"),
        (Role::Admin, "admin@example.test"),
    ] {
        let case = Case::call("after", role, "account/me", "", "still signed in");
        let answer = site.judge(&case, world, tally).await;
        if !answer.is_some_and(|answer| answer.body.contains(email)) {
            tally.failures.push(Failure {
                kind: "session lost".to_owned(),
                request: format!("{role:?}"),
                answer: "no longer signed in after the attacks".to_owned(),
            });
        }
    }
}

/// Every server function and every page route the app registers was
/// attacked: a new one without cases here fails the suite.
fn check_coverage(tally: &mut Tally) {
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let count = tally.functions.get(path).copied().unwrap_or_default();
        if count < MIN_CASES_PER_FUNCTION {
            tally.failures.push(Failure {
                kind: "not covered".to_owned(),
                request: path.to_owned(),
                answer: format!("{count} hostile requests, fewer than {MIN_CASES_PER_FUNCTION}"),
            });
        }
    }
    for route in route_list() {
        let pattern: Vec<&str> = route.path().split('/').collect();
        let reached = tally.paths.iter().any(|path| {
            let segments: Vec<&str> = path.split('/').collect();
            segments.len() == pattern.len()
                && pattern.iter().zip(&segments).all(|(expected, actual)| {
                    expected == actual || expected.starts_with(':') || expected.starts_with('{')
                })
        });
        if !reached {
            tally.failures.push(Failure {
                kind: "not covered".to_owned(),
                request: route.path().to_owned(),
                answer: "no hostile request reached this page".to_owned(),
            });
        }
    }
}

// --- counting ----------------------------------------------------------------

struct Failure {
    kind: String,
    request: String,
    answer: String,
}

#[derive(Default)]
struct Tally {
    requests: usize,
    by_status: BTreeMap<String, usize>,
    by_role: BTreeMap<Role, BTreeMap<String, usize>>,
    by_surface: BTreeMap<&'static str, usize>,
    /// Hostile requests per server function (`/api/…`).
    functions: BTreeMap<String, usize>,
    /// Paths requested (without the query).
    paths: BTreeSet<String>,
    failures: Vec<Failure>,
}

impl Tally {
    fn count(&mut self, case: &Case, answer: &Result<Answer, String>) {
        let status = match answer {
            Ok(answer) => answer.status.to_string(),
            Err(_) => "no answer".to_owned(),
        };
        self.requests += 1;
        *self.by_status.entry(status.clone()).or_default() += 1;
        *self
            .by_role
            .entry(case.role)
            .or_default()
            .entry(status)
            .or_default() += 1;
        *self.by_surface.entry(case.surface).or_default() += 1;
        if let Some(function) = case.function() {
            *self.functions.entry(function.to_owned()).or_default() += 1;
        }
        if case.raw.is_none() {
            let path = case.target.split('?').next().unwrap_or_default();
            self.paths.insert(path.to_owned());
        }
    }

    fn fail(&mut self, case: &Case, answer: Option<&Answer>, kind: &str, detail: String) {
        let mut answer_text = detail;
        if let Some(answer) = answer {
            if !answer_text.is_empty() {
                answer_text.push_str(" — ");
            }
            let _ = write!(answer_text, "status {}", answer.status);
            // What the body says matters where the status is the problem.
            if answer.status >= 500 || kind == "not refused" {
                let _ = write!(answer_text, ": {}", excerpt(&answer.body));
            }
        }
        self.failures.push(Failure {
            kind: kind.to_owned(),
            request: format!(
                "[{}] {:?} {} {} — {}",
                case.surface,
                case.role,
                case.method,
                shorten(&case.target, 100),
                case.what
            ),
            answer: answer_text,
        });
    }

    fn report(&self, elapsed: Duration) -> String {
        let mut report = String::new();
        let counts = |map: &BTreeMap<String, usize>| {
            map.iter()
                .map(|(status, count)| format!("{status}: {count}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            report,
            "\nhostile input: {} requests in {:.1} s",
            self.requests,
            elapsed.as_secs_f64()
        );
        let _ = writeln!(report, "  by status: {}", counts(&self.by_status));
        for (role, statuses) in &self.by_role {
            let total: usize = statuses.values().sum();
            let _ = writeln!(report, "  {role:?}: {total} ({})", counts(statuses));
        }
        let surfaces = self
            .by_surface
            .iter()
            .map(|(surface, count)| format!("{surface}: {count}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(report, "  by surface: {surfaces}");
        let _ = writeln!(
            report,
            "  server functions reached: {}",
            self.functions.len()
        );
        // By kind, then by identical answer: a stored script shows on every
        // visit to its page, and is one finding, not thirty.
        let mut by_kind: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
        for failure in &self.failures {
            by_kind
                .entry(&failure.kind)
                .or_default()
                .entry(&failure.answer)
                .or_default()
                .push(&failure.request);
        }
        let _ = writeln!(report, "  failures: {}", self.failures.len());
        for (kind, answers) in by_kind {
            let count: usize = answers.values().map(Vec::len).sum();
            let _ = writeln!(report, "  == {kind} ({count}) ==");
            for (answer, requests) in answers {
                let _ = writeln!(report, "    → {answer}");
                for request in requests {
                    let _ = writeln!(report, "        {request}");
                }
            }
        }
        report
    }
}

fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let head: String = text.chars().take(limit).collect();
        format!("{head}… ({} bytes)", text.len())
    }
}

/// The start of a body; of a page, the text of its main part, without tags.
fn excerpt(body: &str) -> String {
    let text = match body.find("<main") {
        Some(main) => {
            let mut text = String::from("page: ");
            let mut in_tag = false;
            for character in body[main..].chars() {
                match character {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    _ if !in_tag => text.push(character),
                    _ => {}
                }
            }
            text
        }
        None => body.to_owned(),
    };
    shorten(&text.split_whitespace().collect::<Vec<_>>().join(" "), 160)
}

/// The text around the first `needle` in `body`.
fn around(body: &str, needle: &str) -> String {
    let at = body.find(needle).unwrap_or_default();
    let start = body.floor_char_boundary(at.saturating_sub(60));
    let end = body.ceil_char_boundary((at + needle.len() + 60).min(body.len()));
    body[start..end].replace('\n', " ")
}

// --- panics ------------------------------------------------------------------

/// Every panic in the process while the suite runs. Tokio catches a task's
/// panic (the connection just drops), so only a hook sees them all.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn count_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(info.to_string().replace('\n', " "));
            previous(info);
        }));
    });
}

fn panic_count() -> usize {
    PANICS.lock().unwrap_or_else(PoisonError::into_inner).len()
}

fn panics_since(count: usize) -> Vec<String> {
    PANICS.lock().unwrap_or_else(PoisonError::into_inner)[count..].to_vec()
}
