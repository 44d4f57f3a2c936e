//! Regression tests for what an attacker found (issue 13): text that looks
//! like markup, control characters, forged redirects and errors, and the
//! headers that back escaping up.

use super::*;

const MARKUP: &str = "</textarea><script>alert(1)</script>";
const ESCAPED: &str = "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;";

fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn response_to(app: &Router, request: Request<Body>) -> axum::response::Response {
    app.clone().oneshot(request).await.unwrap()
}

fn with_cookie(path: &str, client: &Client) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(cookie) = &client.cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn text_closing_a_textarea_comes_back_escaped_in_every_field(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let mut learner = gardener(&app, "markup@example.test").await;

    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            &format!(
                "expected_version=2&learning_goal={}&current_level=beginner&hours_per_week=3\
                 &interests%5B%5D=gardening",
                encoded(MARKUP)
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, page, _) = learner.get("/profile").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(ESCAPED), "the goal is escaped: {page}");
    assert!(!page.contains(MARKUP), "the goal is not markup");

    let (status, page, _) = learner
        .get(&format!("/recommendations?off_topic={}", encoded(MARKUP)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(ESCAPED), "the question is escaped: {page}");
    assert!(!page.contains(MARKUP));

    let token = uuid::Uuid::new_v4().to_string();
    let (status, body, _) = learner
        .post(
            "/api/recommendations/request",
            &form(&[("request_id", &token), ("question", "composting")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = recommendation_id(&body);
    let (status, body, _) = learner
        .post(
            "/api/recommendations/rate",
            &format!(
                "recommendation_id={id}&rating=2&feedback={}",
                encoded(MARKUP)
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for path in ["/recommendations", "/recommendations/history"] {
        let (status, page, _) = learner.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(ESCAPED),
            "feedback is escaped on {path}: {page}"
        );
        assert!(!page.contains(MARKUP), "{path}");
    }
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn pages_carry_a_policy_naming_the_nonce_of_their_scripts(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let learner = signed_up(&app, "policy@example.test").await;
    for (path, client) in [
        ("/courses", None),
        ("/profile", Some(&learner)),
        ("/nowhere", None),
    ] {
        let request = match client {
            Some(client) => with_cookie(path, client),
            None => get(path),
        };
        let response = response_to(&app, request).await;
        let headers = response.headers().clone();
        let policy = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let html =
            String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes())
                .into_owned();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"));
        assert!(nonce.len() >= 16, "{nonce}");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: {html}"
        );
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "'wasm-unsafe-eval'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
        assert!(headers.contains_key("permissions-policy"));
        assert!(
            !headers.contains_key(header::STRICT_TRANSPORT_SECURITY),
            "no HSTS over plain HTTP"
        );
        let cache = headers[header::CACHE_CONTROL].to_str().unwrap();
        if client.is_some() {
            assert_eq!(cache, "private, no-store", "{path}");
        } else {
            assert_eq!(cache, "no-cache", "{path}");
        }
    }
    // Two responses, two nonces.
    let policies: Vec<String> = login_page_policies(&app).await;
    assert_ne!(policies[0], policies[1]);

    let response = response_to(
        &app,
        Request::post("/api/account/me")
            .header(header::HOST, "127.0.0.1:3000")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "private, no-store"
    );
    assert_eq!(
        response.headers()[header::CONTENT_SECURITY_POLICY],
        crate::security_headers::NO_CONTENT_POLICY
    );
}

async fn login_page_policies(app: &Router) -> Vec<String> {
    let mut policies = Vec::new();
    for _ in 0..2 {
        // A signed-out page that is never kept in memory.
        let response = response_to(app, get("/login")).await;
        policies.push(
            response.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    policies
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn control_characters_are_refused_with_a_message_and_change_nothing(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    for path in [
        "/courses?tag=%00",
        "/courses/%00",
        "/courses?q=a%01b",
        "/tags?x=%7F",
    ] {
        let (status, body) = send(app.clone(), get(path)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.contains("control character"), "{path}: {body}");
    }
    let response = response_to(&app, search_request(r#"{"query": {"text": "a\u0000b", "difficulty": null, "tags": [], "min_hours": null, "max_hours": null, "sort": "relevance", "page": 1}}"#)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let mut learner = gardener(&app, "nul@example.test").await;
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=2&learning_goal=grow%00things&current_level=beginner&hours_per_week=3",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("learning_goal") && body.contains("control character"),
        "{body}"
    );
    let versions: i32 = sqlx::query_scalar("select max(version) from user_profile_snapshots")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(versions, 2, "nothing was saved");

    // Line breaks and tabs are text.
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=2&learning_goal=grow%0Athings%09well&current_level=beginner&hours_per_week=3",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_profile_save_the_writer_refuses_is_a_400_not_a_500(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let mut learner = gardener(&app, "stale@example.test").await;
    // Unknown in the catalog.
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=2&learning_goal=x&current_level=beginner&hours_per_week=3&interests%5B%5D=knitting",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // A form from before another tab's save.
    let (status, body, _) = learner
        .post(
            "/api/profile/save",
            "expected_version=1&learning_goal=x&current_level=beginner&hours_per_week=3",
        )
        .await;
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::CONFLICT,
        "{status} {body}"
    );
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn redirects_never_leave_the_site_and_forged_errors_are_dropped(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let failing_login = |referer: &'static str| {
        Request::post("/api/account/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::HOST, "127.0.0.1:3000")
            // Same-site by its origin (else the cross-site check answers 403
            // first), with a Referer the client chose.
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::REFERER, referer)
            .body(Body::from(
                "email=x%40example.test&password=wrong+wrong+wrong",
            ))
            .unwrap()
    };
    for referer in ["https://evil.test/login", "//evil.test/x"] {
        let response = response_to(&app, failing_login(referer)).await;
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "{referer} → {location}"
        );
    }

    // A signed error from the server survives the trip back to its page.
    let response = response_to(&app, failing_login("http://127.0.0.1:3000/login")).await;
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, page) = send(app.clone(), get(&location)).await;
    assert_eq!(status, StatusCode::OK, "{location}");
    assert!(page.contains("Email or password is incorrect."), "{page}");

    // A forged one is removed before the page is shown.
    let forged = format!(
        "/login?__path=%2Fapi%2Faccount%2Flogin&__err={}",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE,
            r#"{"BadRequest":"Your account is locked. Call +1 555 0100."}"#
        )
    );
    let response = response_to(&app, get(&forged)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/login");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn admin_periods_far_outside_the_calendar_are_explained(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut boss = admin(&app, &pool, "dates@example.test").await;
    for query in [
        "to=%2B262142-12-31",
        "to=-5000-01-01",
        "from=0000-00-00&to=9999-99-99",
    ] {
        let (status, body, _) = boss.get(&format!("/admin?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        let (status, body, _) = boss.get(&format!("/admin/export/levels?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
    }
}
