//! Catalog pages for visitors who are not signed in, kept for a short while.
//!
//! The catalog is read-only while the server runs (it is imported at
//! start-up), and a catalog page for someone without a session depends only
//! on its address: the same search, the same page. Rendering one costs about
//! a millisecond of CPU and, with 100,000 courses, tens of milliseconds of
//! database work; serving it again from memory costs microseconds. Requests
//! with a session pass by: a signed-in learner's page has their own header
//! (`signed_in_pages` assembles their course list and tag index from the
//! visitor's page and that header) and, on a course page, their own pace.
//! Pages are stored as sent, compressed or not, so the key includes the
//! request's Accept-Encoding.
//!
//! Only plain reads can hit: GET, no cookie, no authorisation; only a 200
//! without Set-Cookie is stored. Entries expire after `ttl` and the whole
//! cache is bounded in bytes (least recently used pages go first).

use std::time::Duration;

use app::expiring_cache::{ExpiringCache, Stored};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use quick_cache::Weighter;

/// Says whether the page came from the cache ("hit") or was rendered
/// ("miss"); absent when the request could not be served from it.
pub const CACHE_STATUS: HeaderName = HeaderName::from_static("x-page-cache");

/// Catalog pages are well under this (the budget is 100 KB); a
/// bigger response is passed on without being kept.
const LARGEST_PAGE: usize = 512 * 1024;

#[derive(Clone)]
pub struct PageCache {
    pages: ExpiringCache<PageKey, StoredPage, PageWeight>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct PageKey {
    path_and_query: String,
    accept_encoding: String,
}

#[derive(Clone)]
struct StoredPage {
    headers: HeaderMap,
    body: Bytes,
}

/// Weighs pages by their bytes, so the bound is on memory, not on count.
#[derive(Clone)]
struct PageWeight;

impl Weighter<PageKey, Stored<StoredPage>> for PageWeight {
    fn weight(&self, key: &PageKey, stored: &Stored<StoredPage>) -> u64 {
        let page = &stored.value;
        let headers: usize = page
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        (key.path_and_query.len() + key.accept_encoding.len() + headers + page.body.len()) as u64
    }
}

impl PageCache {
    /// A cache keeping pages for `ttl` within `capacity_bytes`; `None` when
    /// either is zero (caching off).
    pub fn new(ttl: Duration, capacity_bytes: u64) -> Option<Self> {
        // The entry estimate only sizes the table up front: ~60 KB a page.
        let estimated_pages = (capacity_bytes / 60_000).clamp(16, 100_000) as usize;
        let pages = ExpiringCache::with_weighter(estimated_pages, capacity_bytes, PageWeight, ttl)?;
        Some(Self { pages })
    }

    /// The same cache reading the time from `clock` (tests move it by hand).
    #[cfg(test)]
    pub fn with_clock(self, clock: app::expiring_cache::Clock) -> Self {
        Self {
            pages: self.pages.with_clock(clock),
        }
    }
}

/// The catalog's pages: the list with its searches, course pages, the tags,
/// and the home page (for a visitor it shows only the catalog).
fn is_catalog_page(path: &str) -> bool {
    path == "/" || path == "/courses" || path == "/tags" || path.starts_with("/courses/")
}

/// The key a request is served under, if it may be served from the cache.
fn key_for(request: &Request) -> Option<PageKey> {
    let headers = request.headers();
    let anonymous =
        !headers.contains_key(header::COOKIE) && !headers.contains_key(header::AUTHORIZATION);
    if request.method() != Method::GET || !anonymous || !is_catalog_page(request.uri().path()) {
        return None;
    }
    Some(PageKey {
        path_and_query: request.uri().path_and_query().map_or_else(
            || request.uri().path().to_owned(),
            |value| value.to_string(),
        ),
        accept_encoding: headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    })
}

/// The middleware; with no cache (turned off) every request passes through.
pub async fn serve_catalog_pages(
    State(cache): State<Option<PageCache>>,
    request: Request,
    next: Next,
) -> Response {
    let (Some(cache), Some(key)) = (cache, key_for(&request)) else {
        return next.run(request).await;
    };
    let kept = cache.pages.get(&key);
    // Literal labels make a static key: nothing allocated on this hot path.
    if kept.is_some() {
        metrics::counter!("cache_lookups_total", "cache" => "page", "result" => "hit").increment(1);
    } else {
        metrics::counter!("cache_lookups_total", "cache" => "page", "result" => "miss")
            .increment(1);
    }
    if let Some(page) = kept {
        let mut response = (page.headers, page.body).into_response();
        response
            .headers_mut()
            .insert(CACHE_STATUS, HeaderValue::from_static("hit"));
        return response;
    }

    let response = next.run(request).await;
    let storable =
        response.status() == StatusCode::OK && !response.headers().contains_key(header::SET_COOKIE);
    if !storable {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            // The page failed while it was being produced; the visitor would
            // have received a broken page either way.
            tracing::error!(%error, "a catalog page failed while rendering");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if body.len() <= LARGEST_PAGE {
        cache.pages.insert(
            key,
            StoredPage {
                headers: parts.headers.clone(),
                body: body.clone(),
            },
        );
    }
    parts
        .headers
        .insert(CACHE_STATUS, HeaderValue::from_static("miss"));
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests;
