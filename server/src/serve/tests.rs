//! The HTTP surface, driven in-process against a fresh database per test.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use super::*;
use crate::import_catalog::{import, parse_catalog};

#[tokio::test]
async fn a_session_that_could_not_be_written_is_a_503_to_try_again() {
    // What tower-sessions answers when writing the session fails.
    let mut unsaved = axum::response::Response::new(Body::empty());
    *unsaved.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let answer = unsaved_session_is_unavailable(unsaved).await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.headers()[header::RETRY_AFTER], "5");
    let body = answer.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("try again"));

    // Our own errors say what happened; they pass unchanged.
    let mut ours = axum::response::Response::new(Body::from("Something went wrong on our side."));
    *ours.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let answer = unsaved_session_is_unavailable(ours).await;
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let fine = unsaved_session_is_unavailable(axum::response::Response::new(Body::empty())).await;
    assert_eq!(fine.status(), StatusCode::OK);
}

const CATALOG: &str = r#"[
  {"title": "Garden Planning Basics", "description": "Plan a small garden.", "difficulty": "beginner",
   "duration": 6, "tags": ["gardening", "planning"], "skills_covered": ["Soil Testing"],
   "contents": "Module 1: Soil - what grows where."},
  {"title": "Advanced Composting", "description": "Run a hot compost.", "difficulty": "advanced",
   "duration": 14, "tags": ["gardening", "compost"], "skills_covered": ["Hot Composting"],
   "contents": "Module 1: Heat - keeping it cooking."}
]"#;

/// Imports the test catalog, with the courses of `more` (each a JSON array
/// in the catalog file's format).
pub(crate) async fn import_test_catalog(pool: &PgPool, more: &[&str]) {
    let mut courses = parse_catalog(CATALOG, "test.json").unwrap();
    for json in more {
        courses.extend(parse_catalog(json, "more.json").unwrap());
    }
    import(pool, &courses, &HashMap::new()).await.unwrap();
}

/// The settings tests serve with: no mail, no model, the caches on.
pub(crate) fn test_config(
    site_addr: std::net::SocketAddr,
    public_url: Option<String>,
) -> ServeConfig {
    ServeConfig {
        site_addr,
        // Absent in a test run; static files are 404s, which is fine here.
        site_root: "target/site".to_owned(),
        catalog_file: Default::default(),
        tag_categories_file: Default::default(),
        public_url,
        trusted_proxies: Vec::new(),
        session_inactivity_days: 14,
        smtp_url: None,
        mail_from: "AcmeLearn <no-reply@acmelearn.invalid>".to_owned(),
        mail_outbox_dir: None,
        catalog_cache_seconds: 60,
        page_cache_megabytes: 16,
        recommendations: crate::config::RecommendationConfig {
            recommendations_per_day: 10,
            llm_base_url: None,
            llm_api_key: None,
            llm_model: None,
            llm_models: None,
            llm_timeout_seconds: 20,
        },
        operations: crate::config::OperationsConfig::default(),
    }
}

async fn app_with_catalog(pool: PgPool) -> Router {
    import_test_catalog(&pool, &[]).await;
    let config = test_config("127.0.0.1:0".parse().unwrap(), None);
    router(pool, &config).await.unwrap()
}

async fn send(app: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_course_list_is_in_the_server_rendered_html(pool: PgPool) {
    let (status, html) = send(app_with_catalog(pool).await, get("/courses")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Garden Planning Basics"), "{html}");
    assert!(html.contains("Advanced Composting"));
    assert!(html.contains("2 courses"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn anonymous_catalog_pages_come_from_memory_after_the_first(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let cache_status = |response: &axum::response::Response| {
        response
            .headers()
            .get(crate::page_cache::CACHE_STATUS)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let first = app.clone().oneshot(get("/courses?q=garden")).await.unwrap();
    let second = app.clone().oneshot(get("/courses?q=garden")).await.unwrap();
    assert_eq!(cache_status(&first).as_deref(), Some("miss"));
    assert_eq!(cache_status(&second).as_deref(), Some("hit"));
    let first = first.into_body().collect().await.unwrap().to_bytes();
    let second = second.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(first, second);
    assert!(String::from_utf8_lossy(&second).contains("Garden Planning Basics"));

    // A signed-in learner's page is rendered for them.
    let learner = signed_up(&app, "reader@example.test").await;
    let mut request = get("/courses?q=garden");
    request
        .headers_mut()
        .insert(header::COOKIE, learner.cookie.unwrap().parse().unwrap());
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(cache_status(&response), None);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_home_page_shows_real_courses_and_a_learner_where_they_left_off(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let (status, html) = send(app.clone(), get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("What you get"), "{html}");
    assert!(html.contains("Garden Planning Basics"));
    assert!(html.contains("Advanced Composting"));
    assert!(html.contains("From a catalog of 2 courses"));
    assert!(!html.contains("Welcome back"));
    let again = app.clone().oneshot(get("/")).await.unwrap();
    assert_eq!(
        again
            .headers()
            .get(crate::page_cache::CACHE_STATUS)
            .unwrap(),
        "hit",
        "a visitor's home page is served from memory"
    );

    let mut learner = signed_up(&app, "home@example.test").await;
    let (status, html, _) = learner.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Welcome back"), "{html}");
    assert!(html.contains("0 of 4 parts filled in · version 1"));
    assert!(html.contains("Add your interests to get better picks."));
    assert!(html.contains("You have not asked for recommendations yet."));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_difficulty_in_the_url_filters_the_html(pool: PgPool) {
    let (status, html) = send(
        app_with_catalog(pool).await,
        get("/courses?difficulty=advanced"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Advanced Composting"));
    assert!(!html.contains("Garden Planning Basics"));
    assert!(html.contains("1 course"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_bad_difficulty_in_the_url_is_explained_not_an_error(pool: PgPool) {
    let (status, html) = send(
        app_with_catalog(pool).await,
        get("/courses?difficulty=%3Cscript%3E"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("is not a difficulty"));
    assert!(!html.contains("<script>"), "the typed value is escaped");
    assert!(html.contains("2 courses"));
}

fn search_request(body: &str) -> Request<Body> {
    Request::post("/api/courses/search")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_search_function_answers_bad_arguments_with_400(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    for bad in [
        r#"{"query": {"text": "", "difficulty": "wizard", "tags": [], "min_hours": null, "max_hours": null, "sort": "title", "page": 1}}"#,
        r#"{"query": "everything"}"#,
        "not json at all",
    ] {
        let (status, body) = send(app.clone(), search_request(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body.contains("BadRequest"), "{body}");
    }

    let (status, body) = send(
        app.clone(),
        search_request(
            r#"{"query": {"text": "garden", "difficulty": "beginner", "tags": ["gardening"], "min_hours": null, "max_hours": 10, "sort": "relevance", "page": 1}}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Garden Planning Basics"));
    assert!(!body.contains("Advanced Composting"));

    // Out-of-range values sent straight to the function are corrected, not trusted.
    let (status, body) = send(
        app,
        search_request(
            r#"{"query": {"text": "", "difficulty": null, "tags": [], "min_hours": -5, "max_hours": null, "sort": "title", "page": -3}}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("cannot be negative"), "{body}");
    assert!(body.contains("\"page\":1"), "{body}");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_course_has_its_own_page_and_unknown_ones_are_404(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let (status, html) = send(app.clone(), get("/courses/garden-planning-basics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Garden Planning Basics</h1>"), "{html}");
    assert!(html.contains("Soil Testing"));
    assert!(
        html.contains("Advanced Composting"),
        "related by the gardening tag"
    );

    let (status, html) = send(app, get("/courses/no-such-course")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Course not found"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn search_results_and_the_tag_index_are_in_the_html(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let (status, html) = send(app.clone(), get("/courses?q=compost")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<mark>Composting</mark>"), "{html}");
    assert!(html.contains("1 course"));

    let (status, html) = send(app, get("/tags")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("gardening"));
    assert!(html.contains("2 courses"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn unknown_pages_are_404_with_a_page(pool: PgPool) {
    let (status, html) = send(app_with_catalog(pool).await, get("/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn probes_answer_json(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let (status, body) = send(app.clone(), get("/healthz")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );
    let (status, body) = send(app.clone(), get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"database":"ok","status":"ok"}"#);

    pool.close().await;
    let (status, body) = send(app, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

// --- accounts over HTTP: sessions, cookies, cross-site refusal ---

const PASSWORD: &str = "a sturdy passphrase";

/// A browser-like client: remembers the session cookie between calls.
struct Client {
    app: Router,
    cookie: Option<String>,
}

impl Client {
    fn new(app: &Router) -> Self {
        Client {
            app: app.clone(),
            cookie: None,
        }
    }

    async fn post(&mut self, path: &str, form: &str) -> (StatusCode, String, Option<String>) {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::from(form.to_owned())).unwrap())
            .await
            .unwrap();
        if let Some(set_cookie) = response.headers().get(header::SET_COOKIE) {
            let pair = set_cookie
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned();
            self.cookie = Some(pair);
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|value| value.to_str().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8_lossy(&body).into_owned(),
            location,
        )
    }

    async fn who_am_i(&mut self) -> String {
        let (status, body, _) = self.post("/api/account/me", "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", value.replace(' ', "+").replace('@', "%40")))
        .collect::<Vec<_>>()
        .join("&")
}

async fn signed_up(app: &Router, email: &str) -> Client {
    let mut client = Client::new(app);
    let (status, body, _) = client
        .post(
            "/api/account/signup",
            &form(&[
                ("email", email),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ]),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    client
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn signing_up_signs_in_and_logging_out_signs_out(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let mut client = signed_up(&app, "web@example.test").await;
    assert!(client.who_am_i().await.contains("web@example.test"));
    let cookie = client.cookie.clone().unwrap();
    assert!(cookie.starts_with("acmelearn_session="));

    client.post("/api/account/logout", "").await;
    assert_eq!(client.who_am_i().await, "null");
    // The old cookie is worthless after logging out.
    let mut replay = Client::new(&app);
    replay.cookie = Some(cookie);
    assert_eq!(replay.who_am_i().await, "null");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_session_cookie_is_http_only_and_same_site_lax(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let request = Request::post("/api/account/signup")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("email", "cookie@example.test"),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ])))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let set_cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain http here: {set_cookie}"
    );
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn changing_the_password_logs_out_the_other_devices_only(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let mut laptop = signed_up(&app, "two@example.test").await;
    let mut phone = Client::new(&app);
    phone
        .post(
            "/api/account/login",
            &form(&[("email", "two@example.test"), ("password", PASSWORD)]),
        )
        .await;
    assert!(phone.who_am_i().await.contains("two@example.test"));

    let new_password = "another sturdy passphrase";
    let (status, body, _) = laptop
        .post(
            "/api/account/password",
            &form(&[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("new_password_confirmation", new_password),
            ]),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    assert!(laptop.who_am_i().await.contains("two@example.test"));
    assert_eq!(phone.who_am_i().await, "null");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn wrong_credentials_are_a_400_with_one_message(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    signed_up(&app, "known@example.test").await;
    let mut stranger = Client::new(&app);
    let (status, wrong_password, _) = stranger
        .post(
            "/api/account/login",
            &form(&[
                ("email", "known@example.test"),
                ("password", "nope nope nope"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, unknown_email, _) = stranger
        .post(
            "/api/account/login",
            &form(&[
                ("email", "unknown@example.test"),
                ("password", "nope nope nope"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_password, unknown_email);
    assert!(wrong_password.contains("Email or password is incorrect."));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_form_posted_without_javascript_comes_back_with_its_error(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let request = Request::post("/api/account/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::REFERER, "http://127.0.0.1:3000/login")
        .body(Body::from(form(&[
            ("email", "x@example.test"),
            ("password", "nope nope nope"),
        ])))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[header::LOCATION].to_str().unwrap();
    // Made a path on this site, the error signed (see form_redirects).
    assert!(location.starts_with("/login?"), "{location}");
    assert!(location.contains("__err="), "{location}");
    assert!(location.contains("__sig="), "{location}");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn account_actions_need_a_session(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let mut stranger = Client::new(&app);
    let (status, body, _) = stranger
        .post("/api/account/deactivate", &form(&[("password", PASSWORD)]))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let request = Request::get("/account")
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FOUND,
        "the page sends strangers to log in"
    );
    assert_eq!(response.headers()[header::LOCATION], "/login?next=/account");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn cross_site_posts_are_refused(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let request = Request::post("/api/account/signup")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "https://evil.test")
        .body(Body::from(form(&[
            ("email", "victim@example.test"),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ])))
        .unwrap();
    let (status, _) = send(app, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

// --- profile over HTTP, encoded exactly as a browser form sends it ---

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_profile_form_saves_a_new_version(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let mut learner = signed_up(&app, "profile@example.test").await;
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=1&learning_goal=Grow+vegetables&current_level=beginner&hours_per_week=5\
             &interests%5B%5D=gardening&interests%5B%5D=compost",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""version":2"#), "{body}");

    let (status, body, _) = learner.post("/api/profile/get", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#""interests":["compost","gardening"]"#),
        "{body}"
    );

    // No interests at all is a valid form too (no checkbox sent).
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=2&learning_goal=Grow+vegetables&current_level=beginner&hours_per_week=5",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""version":3"#), "{body}");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_bad_profile_form_is_a_400_with_field_messages(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut learner = signed_up(&app, "hours@example.test").await;
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=1&learning_goal=&current_level=wizard&hours_per_week=500",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("between 1 and 168"), "{body}");
    assert!(body.contains("is not a level"), "{body}");
    let versions: i64 = sqlx::query_scalar("select count(*) from user_profile_snapshots")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(versions, 1);

    let mut stranger = Client::new(&app);
    let (status, _, _) = stranger.post("/api/profile/get", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// --- recommendations over HTTP ---

/// Signs up a gardener whose profile matches the test catalog.
async fn gardener(app: &Router, email: &str) -> Client {
    let mut learner = signed_up(app, email).await;
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=1&learning_goal=Grow+vegetables&current_level=beginner&hours_per_week=3\
             &interests%5B%5D=gardening",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    learner
}

fn recommendation_id(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    value["Recommended"]["id"].as_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_recommendation_is_made_and_rated_over_http(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut learner = gardener(&app, "rec@example.test").await;
    let token = uuid::Uuid::new_v4().to_string();
    let (status, body, _) = learner
        .post(
            "/api/recommendations/request",
            &form(&[("request_id", &token), ("question", "composting")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("Advanced Composting") || body.contains("Garden Planning"),
        "{body}"
    );
    let id = recommendation_id(&body);

    let (status, body, _) = learner
        .post(
            "/api/recommendations/rate",
            &form(&[
                ("recommendation_id", &id),
                ("rating", "4"),
                ("feedback", "Just right"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""rating":4"#), "{body}");

    let (status, body, _) = learner.post("/api/recommendations/history", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Just right"), "{body}");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn bad_ratings_are_400s_that_change_nothing(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut learner = gardener(&app, "rate@example.test").await;
    let token = uuid::Uuid::new_v4().to_string();
    let (_, body, _) = learner
        .post(
            "/api/recommendations/request",
            &form(&[("request_id", &token)]),
        )
        .await;
    let id = recommendation_id(&body);
    let too_long = "x".repeat(2001);
    for (rating, feedback, message) in [
        ("0", "", "1 to 5"),
        ("6", "", "1 to 5"),
        ("2.5", "", "whole number"),
        ("", "", "Choose a rating"),
        ("3", too_long.as_str(), "2000 characters"),
    ] {
        let (status, body, _) = learner
            .post(
                "/api/recommendations/rate",
                &form(&[
                    ("recommendation_id", &id),
                    ("rating", rating),
                    ("feedback", feedback),
                ]),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rating}: {body}");
        assert!(body.contains(message), "{rating}: {body}");
    }
    let (status, _, _) = learner
        .post(
            "/api/recommendations/rate",
            &form(&[("recommendation_id", "not-an-id"), ("rating", "3")]),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let rated: i64 = sqlx::query_scalar("select count(*) from recommendations where user_rating is not null or feedback_at is not null")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rated, 0);

    // Someone else's recommendation does not exist for them.
    let mut stranger = gardener(&app, "stranger@example.test").await;
    let (status, _, _) = stranger
        .post(
            "/api/recommendations/rate",
            &form(&[("recommendation_id", &id), ("rating", "1")]),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let mut anonymous = Client::new(&app);
    let (status, _, _) = anonymous
        .post(
            "/api/recommendations/request",
            &form(&[("request_id", &token)]),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn bad_recommendation_requests_are_400s(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut learner = gardener(&app, "bad@example.test").await;
    let long_question = "why ".repeat(200);
    for (token, question, message) in [
        ("nonsense", "", "not valid"),
        ("", "", "not valid"),
        (
            "00000000-0000-0000-0000-000000000001",
            long_question.as_str(),
            "500 characters",
        ),
    ] {
        let (status, body, _) = learner
            .post(
                "/api/recommendations/request",
                &form(&[("request_id", token), ("question", question)]),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{token}: {body}");
        assert!(body.contains(message), "{token}: {body}");
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from recommendations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

// --- the admin pages and exports ---

async fn admin(app: &Router, pool: &PgPool, email: &str) -> Client {
    signed_up(app, email).await;
    assert!(
        app::account::service::make_admin(pool, email)
            .await
            .unwrap()
    );
    let mut admin = Client::new(app);
    let (status, body, _) = admin
        .post(
            "/api/account/login",
            &form(&[("email", email), ("password", PASSWORD)]),
        )
        .await;
    assert!(
        status.is_success() || status.is_redirection(),
        "{status} {body}"
    );
    admin
}

impl Client {
    /// A GET of `path` as this client: status, headers and body.
    async fn response(&self, path: &str) -> (StatusCode, axum::http::HeaderMap, axum::body::Bytes) {
        self.response_with(path, &[]).await
    }

    /// [`Self::response`] with more request headers.
    async fn response_with(
        &self,
        path: &str,
        headers: &[(header::HeaderName, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, axum::body::Bytes) {
        let mut request = Request::get(path).header(header::HOST, "127.0.0.1:3000");
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let (status, headers, body) = self.response(path).await;
        let disposition = headers
            .get(header::CONTENT_DISPOSITION)
            .map(|value| value.to_str().unwrap().to_owned());
        (
            status,
            String::from_utf8_lossy(&body).into_owned(),
            disposition,
        )
    }
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn learners_get_403_from_the_admin_pages_and_functions(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut learner = signed_up(&app, "curious@example.test").await;
    let (status, body, _) = learner.get("/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body.contains("You do not have access to this page"),
        "{body}"
    );
    let (status, _, _) = learner.post("/api/admin/dashboard", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = learner.get("/admin/export/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = Client::new(&app).get("/admin/export/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn admins_see_the_dashboard_and_download_csv(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut boss = admin(&app, &pool, "boss@example.test").await;
    let (status, body, _) = boss
        .get("/admin?from=2026-01-01&to=2026-03-31&within=oops")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("1. Level progression") && body.contains("7. Segments"),
        "{body}"
    );
    assert!(
        body.contains("is not a number of days"),
        "bad values are explained"
    );
    assert!(
        body.contains("<svg") || body.contains("No data in this period"),
        "{body}"
    );

    let (status, body, disposition) = boss.get("/admin/export/users?q=boss").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.starts_with("email,role,level,hours_per_week,signed_up,last_active,active,demo\n"),
        "{body}"
    );
    assert!(body.contains("boss@example.test,admin"), "{body}");
    assert!(
        disposition
            .unwrap()
            .starts_with("attachment; filename=\"acmelearn-users-")
    );
    for name in app::admin::Export::ALL.map(app::admin::Export::name) {
        let (status, body, _) = boss
            .get(&format!(
                "/admin/export/{name}?from=2026-01-01&to=2026-03-31"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    let (status, _, _) = boss.get("/admin/export/passwords").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

mod hostile_text;
mod signed_in_pages;

/// The app with metrics switched on (the listener itself is not bound here).
async fn app_with_metrics(pool: PgPool) -> (Router, Router) {
    import_test_catalog(&pool, &[]).await;
    let mut config = test_config("127.0.0.1:0".parse().unwrap(), None);
    config.operations.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    let app = build(pool, &config).await.unwrap();
    let metrics = telemetry::metrics_router(telemetry::recorder(), app.read_pool.clone());
    (app.router, metrics)
}

async fn scrape(metrics: &Router) -> Vec<telemetry::prometheus_text::Sample> {
    let response = metrics.clone().oneshot(get("/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    telemetry::prometheus_text::parse(&text).unwrap_or_else(|error| panic!("{error}\n{text}"))
}

/// The sum of the samples of `name` whose labels include all of `labels`.
fn total(
    samples: &[telemetry::prometheus_text::Sample],
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    samples
        .iter()
        .filter(|sample| sample.name == name)
        .filter(|sample| {
            labels
                .iter()
                .all(|(label, value)| sample.labels.get(*label).map(String::as_str) == Some(*value))
        })
        .map(|sample| sample.value)
        .sum()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn metrics_parse_as_prometheus_text_and_move_with_requests(pool: PgPool) {
    let (app, metrics) = app_with_metrics(pool).await;
    // The recorder is shared by every test in this process: only increases
    // are compared, never absolute values.
    let before = scrape(&metrics).await;
    let course = [("route", "/courses/{slug}"), ("status", "200")];
    let missing = [("route", "/courses/{slug}"), ("status", "404")];
    let page_hits = [("cache", "page"), ("result", "hit")];

    for _ in 0..3 {
        let (status, _) = send(app.clone(), get("/courses/garden-planning-basics")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = send(app.clone(), get("/courses/no-such-course")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let after = scrape(&metrics).await;
    let grew = |name: &str, labels: &[(&str, &str)]| {
        total(&after, name, labels) - total(&before, name, labels)
    };
    assert!(grew("http_requests_total", &course) >= 3.0);
    assert!(grew("http_requests_total", &missing) >= 1.0);
    assert!(grew("http_request_duration_seconds_count", &course) >= 3.0);
    assert!(
        grew("cache_lookups_total", &page_hits) >= 2.0,
        "the second and third visits came from memory"
    );
    assert!(
        !after.iter().any(|sample| sample
            .labels
            .get("route")
            .is_some_and(|route| route.contains("garden"))),
        "routes are templates, not addresses"
    );
    for state in ["idle", "in_use"] {
        assert_eq!(
            after
                .iter()
                .filter(|sample| sample.name == "db_pool_connections"
                    && sample.labels.get("pool").map(String::as_str) == Some("primary")
                    && sample.labels.get("state").map(String::as_str) == Some(state))
                .count(),
            1,
            "{state}"
        );
    }
    assert!(total(&after, "db_pool_max_connections", &[("pool", "primary")]) >= 1.0);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn every_response_carries_a_request_id_kept_only_when_sane(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let id_of = |response: &axum::response::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };

    let made = app.clone().oneshot(get("/healthz")).await.unwrap();
    let made = id_of(&made);
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "{made}");
    let other = app.clone().oneshot(get("/healthz")).await.unwrap();
    assert_ne!(id_of(&other), made, "a new id per request");

    let given = Request::get("/courses")
        .header("x-request-id", "lb-7F000001:1F90_0042")
        .body(Body::empty())
        .unwrap();
    let kept = app.clone().oneshot(given).await.unwrap();
    assert_eq!(id_of(&kept), "lb-7F000001:1F90_0042");

    let long = "a".repeat(300);
    for unusable in ["two words", "<script>alert(1)</script>", long.as_str()] {
        let request = Request::get("/healthz")
            .header("x-request-id", unusable)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let replaced = id_of(&response);
        assert!(
            uuid::Uuid::parse_str(&replaced).is_ok(),
            "{unusable:?} became {replaced}"
        );
    }
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn catalog_pages_work_when_the_read_replica_is_unreachable(pool: PgPool) {
    import_test_catalog(&pool, &[]).await;
    let mut config = test_config("127.0.0.1:0".parse().unwrap(), None);
    // Nothing listens on port 1.
    config.operations.database_read_url = Some("postgres://app@127.0.0.1:1/none".to_owned());
    config.catalog_cache_seconds = 0;
    let app = build(pool, &config).await.unwrap();
    // Even if a read finds it first: marked usable, it fails and is retried
    // on the primary.
    app.read_pool.set_replica_usable(true);
    for (uri, expected) in [
        ("/courses", "Garden Planning Basics"),
        ("/courses/advanced-composting", "Run a hot compost."),
        ("/tags", "compost"),
        ("/", "Garden Planning Basics"),
        ("/offline/catalog.json", "Advanced Composting"),
    ] {
        let (status, body) = send(app.router.clone(), get(uri)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert!(body.contains(expected), "{uri}: {body}");
    }
    assert!(!app.read_pool.uses_replica());
    let search = search_request(
        r#"{"query": {"text": "compost", "difficulty": null, "tags": [], "min_hours": null, "max_hours": null, "sort": "relevance", "page": 1}}"#,
    );
    let (status, body) = send(app.router.clone(), search).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Advanced Composting"), "{body}");
}
