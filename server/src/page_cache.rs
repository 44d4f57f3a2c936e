//! A short-lived cache of catalog pages as anonymous visitors see them.
//!
//! The catalog is read-only and a catalog page for someone who is not signed
//! in depends on nothing but its URL, so the rendered HTML can be reused: a
//! hit skips the session lookup, the database and server-side rendering. Any
//! request with a cookie (a signed-in learner, whose header and "weeks at
//! your pace" differ) is rendered fresh, and entries expire after a minute by
//! default, so a catalog re-imported by another process shows up quickly.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use moka::sync::Cache;

/// Pages larger than this are served but not kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;
/// Memory the cache may use for pages, in bytes.
const CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct PageCache(Option<Cache<String, CachedPage>>);

#[derive(Clone)]
struct CachedPage {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

impl PageCache {
    /// A cache keeping pages for `time_to_live`; zero turns caching off.
    pub fn new(time_to_live: Duration) -> Self {
        if time_to_live.is_zero() {
            return PageCache(None);
        }
        PageCache(Some(
            Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|key: &String, page: &CachedPage| {
                    u32::try_from(key.len() + page.body.len()).unwrap_or(u32::MAX)
                })
                .time_to_live(time_to_live)
                .build(),
        ))
    }
}

/// Whether a request may be answered from, and its answer kept in, the cache.
fn is_cacheable(method: &Method, headers: &HeaderMap, path: &str) -> bool {
    method == Method::GET
        && !headers.contains_key(header::COOKIE)
        && !headers.contains_key(header::AUTHORIZATION)
        && (path == "/courses" || path.starts_with("/courses/") || path == "/tags")
}

pub async fn serve_catalog_pages(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    let Some(pages) = cache.0 else {
        return next.run(request).await;
    };
    if !is_cacheable(request.method(), request.headers(), request.uri().path()) {
        return next.run(request).await;
    }
    let key = request.uri().to_string();
    if let Some(page) = pages.get(&key) {
        return page.into_response();
    }

    let response = next.run(request).await;
    let keep = matches!(response.status(), StatusCode::OK | StatusCode::NOT_FOUND)
        && !response.headers().contains_key(header::SET_COOKIE);
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    // The page is sent whole anyway (server rendering is not streamed), so
    // collecting it costs no extra waiting.
    match to_bytes(body, usize::MAX).await {
        Ok(body) => {
            let page = CachedPage {
                status: parts.status,
                content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
                body,
            };
            if page.body.len() <= MAX_PAGE_BYTES {
                pages.insert(key, page.clone());
            }
            page.into_response()
        }
        Err(error) => {
            tracing::error!(%error, "rendering a catalog page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please reload the page.",
            )
                .into_response()
        }
    }
}

impl IntoResponse for CachedPage {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        if let Some(content_type) = self.content_type {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_anonymous_catalog_reads_are_cached() {
        let none = HeaderMap::new();
        let mut with_cookie = HeaderMap::new();
        with_cookie.insert(
            header::COOKIE,
            HeaderValue::from_static("acmelearn_session=x"),
        );
        assert!(is_cacheable(&Method::GET, &none, "/courses"));
        assert!(is_cacheable(&Method::GET, &none, "/courses/python-basics"));
        assert!(is_cacheable(&Method::GET, &none, "/tags"));
        assert!(!is_cacheable(&Method::GET, &with_cookie, "/courses"));
        assert!(!is_cacheable(&Method::POST, &none, "/courses"));
        assert!(!is_cacheable(&Method::GET, &none, "/profile"));
        assert!(!is_cacheable(&Method::GET, &none, "/api/courses/search"));
        assert!(!is_cacheable(&Method::GET, &none, "/coursesx"));
    }
}
