//! The middleware around a handler that counts its renders.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::*;

/// A router whose pages say how many times they were rendered; `/courses/gone`
/// is a 404 and `/courses/cookie` sets a cookie.
fn app(cache: Option<PageCache>, renders: Arc<AtomicUsize>) -> Router {
    let page = move |request: Request| {
        let renders = renders.clone();
        async move {
            let count = renders.fetch_add(1, Ordering::SeqCst) + 1;
            match request.uri().path() {
                "/courses/gone" => (StatusCode::NOT_FOUND, "no such course").into_response(),
                "/courses/cookie" => {
                    ([(header::SET_COOKIE, "x=1")], format!("render {count}")).into_response()
                }
                _ => format!("render {count}").into_response(),
            }
        }
    };
    Router::new()
        .route("/courses", get(page.clone()))
        .route("/courses/{slug}", get(page.clone()))
        .route("/profile", get(page))
        .layer(from_fn_with_state(cache, serve_catalog_pages))
}

fn minute_cache() -> Option<PageCache> {
    PageCache::new(Duration::from_secs(60), 1024 * 1024)
}

async fn fetch(app: &Router, request: Request) -> (StatusCode, Option<String>, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cache = response
        .headers()
        .get(CACHE_STATUS)
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, cache, String::from_utf8(body.to_vec()).unwrap())
}

fn anonymous(uri: &str) -> Request {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn an_anonymous_catalog_page_is_rendered_once_then_served_from_memory() {
    let renders = Arc::new(AtomicUsize::new(0));
    let app = app(minute_cache(), renders.clone());
    let first = fetch(&app, anonymous("/courses?q=python")).await;
    let second = fetch(&app, anonymous("/courses?q=python")).await;
    assert_eq!(
        first,
        (StatusCode::OK, Some("miss".into()), "render 1".into())
    );
    assert_eq!(
        second,
        (StatusCode::OK, Some("hit".into()), "render 1".into())
    );
    // Another query is another page.
    let other = fetch(&app, anonymous("/courses?q=rust")).await;
    assert_eq!(other.2, "render 2");
    assert_eq!(renders.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn signed_in_visitors_and_other_pages_always_get_a_fresh_render() {
    let renders = Arc::new(AtomicUsize::new(0));
    let app = app(minute_cache(), renders.clone());
    for _ in 0..2 {
        let with_cookie = Request::get("/courses")
            .header(header::COOKIE, "acmelearn_session=abc")
            .body(Body::empty())
            .unwrap();
        assert_eq!(fetch(&app, with_cookie).await.1, None);
        assert_eq!(fetch(&app, anonymous("/profile")).await.1, None);
        let post = Request::post("/courses").body(Body::empty()).unwrap();
        fetch(&app, post).await;
    }
    assert_eq!(
        renders.load(Ordering::SeqCst),
        4,
        "the POSTs are 405s, never rendered"
    );
}

#[tokio::test]
async fn errors_and_pages_setting_cookies_are_not_kept() {
    let renders = Arc::new(AtomicUsize::new(0));
    let app = app(minute_cache(), renders.clone());
    for _ in 0..2 {
        assert_eq!(
            fetch(&app, anonymous("/courses/gone")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(fetch(&app, anonymous("/courses/cookie")).await.1, None);
    }
    assert_eq!(renders.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn each_encoding_is_its_own_entry() {
    let renders = Arc::new(AtomicUsize::new(0));
    let app = app(minute_cache(), renders.clone());
    let with_encoding = |encoding: &str| {
        Request::get("/courses")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(fetch(&app, with_encoding("br")).await.2, "render 1");
    assert_eq!(fetch(&app, with_encoding("gzip")).await.2, "render 2");
    assert_eq!(fetch(&app, with_encoding("br")).await.1, Some("hit".into()));
}

#[tokio::test]
async fn pages_expire_and_a_zero_lifetime_turns_caching_off() {
    let renders = Arc::new(AtomicUsize::new(0));
    let clock = app::expiring_cache::Clock::stopped();
    let short_lived = app(
        PageCache::new(Duration::from_secs(30), 1024 * 1024)
            .map(|cache| cache.with_clock(clock.clone())),
        renders.clone(),
    );
    fetch(&short_lived, anonymous("/courses")).await;
    clock.advance(Duration::from_secs(29));
    assert_eq!(
        fetch(&short_lived, anonymous("/courses")).await.1,
        Some("hit".into())
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        fetch(&short_lived, anonymous("/courses")).await.1,
        Some("miss".into())
    );

    assert!(PageCache::new(Duration::ZERO, 1024).is_none());
    let uncached = app(None, renders.clone());
    fetch(&uncached, anonymous("/courses")).await;
    assert_eq!(fetch(&uncached, anonymous("/courses")).await.1, None);
}

/// Many visitors asking for the same uncached page at once, all on the test's
/// one thread: all are answered, none waits on another.
#[tokio::test]
async fn simultaneous_requests_for_one_page_all_complete() {
    let renders = Arc::new(AtomicUsize::new(0));
    let app = app(minute_cache(), renders.clone());
    let mut visitors = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let app = app.clone();
        visitors.spawn(async move { fetch(&app, anonymous("/courses?q=same")).await });
    }
    let answers = tokio::time::timeout(Duration::from_secs(10), visitors.join_all())
        .await
        .expect("no request hangs");
    assert_eq!(answers.len(), 50);
    assert!(
        answers
            .iter()
            .all(|answer| answer.0 == StatusCode::OK && answer.2.starts_with("render"))
    );
}

#[test]
fn the_cache_is_bounded_by_bytes() {
    let cache = PageCache::new(Duration::from_secs(60), 10_000).unwrap();
    for page in 0..100 {
        cache.pages.insert(
            PageKey {
                path_and_query: format!("/courses?page={page}"),
                accept_encoding: String::new(),
            },
            StoredPage {
                headers: HeaderMap::new(),
                body: Bytes::from(vec![b'x'; 1_000]),
            },
        );
    }
    assert!(cache.pages.weight() <= 10_000, "{}", cache.pages.weight());
    assert!(cache.pages.len() < 100);
}
