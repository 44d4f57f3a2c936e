//! Catalog pages for signed-in learners, assembled from the visitor's page and
//! the learner's own header (see `crate::signed_in_pages`).

use super::*;

/// A page as `client` gets it: status, headers, HTML.
async fn page(client: &Client, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let (status, headers, body) = client.response(path).await;
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn cache_status(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(crate::page_cache::CACHE_STATUS)
        .map(|value| value.to_str().unwrap())
}

/// The nonce the page's policy admits.
fn policy_nonce(headers: &axum::http::HeaderMap) -> String {
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let start = policy.find("'nonce-").unwrap() + "'nonce-".len();
    policy[start..start + policy[start..].find('\'').unwrap()].to_owned()
}

/// The nonce every inline script of the page carries; fails if they differ.
fn script_nonce(html: &str) -> String {
    let nonces: Vec<&str> = html
        .match_indices("<script nonce=\"")
        .map(|(at, found)| {
            let start = at + found.len();
            &html[start..start + html[start..].find('"').unwrap()]
        })
        .collect();
    assert!(!nonces.is_empty(), "{html}");
    assert!(nonces.iter().all(|nonce| *nonce == nonces[0]), "{nonces:?}");
    nonces[0].to_owned()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_learners_header_reaches_nobody_else(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let ada = signed_up(&app, "ada@example.test").await;
    let bob = signed_up(&app, "bob@example.test").await;
    let visitor = Client::new(&app);
    for path in ["/courses?q=garden", "/tags"] {
        // Ada's first visit is rendered for her; her second is assembled.
        let (_, headers, _) = page(&ada, path).await;
        assert_eq!(cache_status(&headers), None, "{path}");
        let (status, headers, html) = page(&ada, path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(cache_status(&headers), Some("hit"), "{path}");
        assert!(html.contains("ada@example.test"), "{html}");

        // Bob, after Ada, on the same page: his header, never hers.
        for _ in 0..2 {
            let (status, _, html) = page(&bob, path).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("bob@example.test"), "{html}");
            assert!(!html.contains("ada@example.test"), "{html}");
        }
        // A visitor, from the page cache or not: nobody's.
        for _ in 0..2 {
            let (status, headers, html) = page(&visitor, path).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("href=\"/login\""), "{html}");
            assert!(!html.contains("ada@example.test") && !html.contains("bob@example.test"));
            assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        }
    }
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn an_assembled_page_has_its_own_nonce_and_stays_private(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let ada = signed_up(&app, "ada@example.test").await;
    page(&ada, "/courses").await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let (_, headers, html) = page(&ada, "/courses").await;
        assert_eq!(cache_status(&headers), Some("hit"));
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
        // Labelled with its learner, for the service worker.
        let learner = headers[crate::offline::LEARNER_HEADER].to_str().unwrap();
        assert!(html.contains(learner));
        let nonce = script_nonce(&html);
        assert_eq!(policy_nonce(&headers), nonce);
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "each response has a nonce of its own");
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn an_assembled_page_is_the_page_a_full_render_gives(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    // The same app with nothing kept: every page rendered in full.
    let mut config = test_config("127.0.0.1:0".parse().unwrap(), None);
    config.catalog_cache_seconds = 0;
    let rendering = router(pool, &config).await.unwrap();
    let ada = signed_up(&app, "ada@example.test").await;
    let ada_rendered = Client {
        app: rendering,
        cookie: ada.cookie.clone(),
    };
    for path in ["/courses", "/courses?q=compost&sort=longest", "/tags"] {
        page(&ada, path).await;
        let (_, assembled_headers, assembled) = page(&ada, path).await;
        assert_eq!(cache_status(&assembled_headers), Some("hit"), "{path}");
        let (_, rendered_headers, rendered) = page(&ada_rendered, path).await;
        assert_eq!(cache_status(&rendered_headers), None, "{path}");
        assert!(rendered.contains("ada@example.test"));
        let rendered = rendered.replace(
            &policy_nonce(&rendered_headers),
            &policy_nonce(&assembled_headers),
        );
        assert_eq!(assembled, rendered, "{path}");
        for name in [header::CONTENT_TYPE, header::CACHE_CONTROL] {
            assert_eq!(assembled_headers[&name], rendered_headers[&name]);
        }
    }
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn an_assembled_page_is_sent_as_brotli_to_browsers_that_accept_it(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let ada = signed_up(&app, "ada@example.test").await;
    let browser = [(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")];
    for path in ["/courses", "/courses?q=garden", "/tags"] {
        page(&ada, path).await;
        let (_, plain_headers, plain) = page(&ada, path).await;
        assert_eq!(cache_status(&plain_headers), Some("hit"), "{path}");
        // Twice: the second joins the page's pieces made by the first.
        for _ in 0..2 {
            let (status, headers, body) = ada.response_with(path, &browser).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(cache_status(&headers), Some("hit"), "{path}");
            assert_eq!(headers[header::CONTENT_ENCODING], "br");
            assert!(
                headers
                    .get_all(header::VARY)
                    .iter()
                    .any(|value| value.to_str().unwrap().contains("accept-encoding")),
                "{headers:?}"
            );
            assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
            let html = crate::signed_in_pages::decompress(&body);
            // The page the learner gets uncompressed, with this response's nonce.
            assert_eq!(policy_nonce(&headers), script_nonce(&html));
            let expected = plain.replace(&policy_nonce(&plain_headers), &policy_nonce(&headers));
            assert_eq!(html, expected, "{path}");
            // Compressed, not stored (how small is the benchmark's to say:
            // this test catalog's pages are a few KB).
            assert!(body.len() < html.len(), "{} of {}", body.len(), html.len());
        }
    }
    // Refused brotli: not sent.
    let (_, headers, _) = ada
        .response_with("/courses", &[(header::ACCEPT_ENCODING, "br;q=0")])
        .await;
    assert_ne!(
        headers
            .get(header::CONTENT_ENCODING)
            .map(|value| value.to_str().unwrap()),
        Some("br")
    );
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn what_the_header_shows_changes_as_soon_as_postgres_tells(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let mut ada = signed_up(&app, "ada@example.test").await;
    page(&ada, "/courses").await;
    let (_, headers, html) = page(&ada, "/courses").await;
    assert_eq!(cache_status(&headers), Some("hit"));
    assert!(!html.contains("href=\"/admin\""));

    // A new role and email (as an admin tool or another server would write
    // them): the page shows both once the users table's notification has
    // arrived (app::account::user_checks), milliseconds later.
    sqlx::query("update users set role = 'admin', email = 'ada.l@example.test' where email = 'ada@example.test'")
        .execute(&pool)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let (_, _, html) = page(&ada, "/courses").await;
        if html.contains("href=\"/admin\"") {
            assert!(html.contains("ada.l@example.test"));
            assert!(!html.contains(">ada@example.test<"));
            break;
        }
        assert!(html.contains(">ada@example.test<"), "{html}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the change never showed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (_, headers, html) = page(&ada, "/courses").await;
    assert_eq!(cache_status(&headers), Some("hit"));
    assert!(html.contains("ada.l@example.test") && html.contains("href=\"/admin\""));

    // Logged out: the same cookie gets a visitor's page at once.
    let old_cookie = ada.cookie.clone();
    ada.post("/api/account/logout", "").await;
    ada.cookie = old_cookie;
    let (status, _, html) = page(&ada, "/courses").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/login\""), "{html}");
    assert!(!html.contains("ada.l@example.test"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn pages_about_the_learner_are_rendered_for_each_request(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let ada = signed_up(&app, "ada@example.test").await;
    for path in ["/", "/courses/garden-planning-basics", "/profile"] {
        for _ in 0..2 {
            let (_, headers, _) = page(&ada, path).await;
            assert_eq!(cache_status(&headers), None, "{path}");
        }
    }
}
