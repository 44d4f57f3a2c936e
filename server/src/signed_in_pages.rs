//! Catalog pages for signed-in learners: the visitor's page with the
//! learner's own parts put in.
//!
//! A signed-in learner's course list differs from a visitor's in two places
//! only: the site header (their email and links instead of "Log in") and the
//! signed-in user the page hands to the browser for hydration. Rendering the
//! whole page for every request cost ~3 ms of CPU (60 KB of HTML, 18 KB of
//! hydration data), against microseconds for a visitor's page from the page
//! cache. So the visitor's page for each address is kept here too (rendered
//! without the session, so it holds nobody's data), each learner's two parts
//! are kept under that learner's data, and a request costs the session read,
//! the check of the user that every signed-in request makes (from memory
//! while the user is unchanged, `app::account::user_checks`), and a copy of
//! the page.
//!
//! Exact by construction: a learner's parts are cut from a full render of the
//! page for them, and kept only if putting them into the visitor's page gives
//! back that render byte for byte (nonce aside). A page that differs anywhere
//! else is never assembled; it is rendered in full, as before.
//!
//! Fresh and private: the user (id, email, role) is checked on each request,
//! against the same users table a full render reads, and is the key the parts
//! are kept under, so a new email or role shows as soon as PostgreSQL's
//! notification of it arrives (milliseconds), and a
//! logout or an ended session is no learner at all (the page is rendered in
//! full, as a visitor's). Each response carries its own nonce, the one
//! `security_headers::nonce_pages` names in its policy; the Cache-Control of
//! a request with a cookie stays private (`security_headers`).
//!
//! Brotli, which browsers ask for, is joined from pieces compressed ahead
//! (`compressed`), not made per response.
//!
//! Only pages whose content is the same for everyone: the course list and the
//! tag index. A course page says how long it takes at the learner's pace, and
//! the home page greets them; those are rendered for each request.

use std::ops::Range;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use app::account::CurrentUser;
use app::account::user_checks::UserChecks;
use app::expiring_cache::{ExpiringCache, Stored};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::nonce::Nonce;
use quick_cache::Weighter;
use tower_sessions::{Session, SessionStore};

use crate::page_cache::CACHE_STATUS;

mod compressed;
#[cfg(test)]
pub(crate) use compressed::decompress;

/// Pages are well under this; a bigger one is served as rendered, not kept
/// (nor assembled).
const LARGEST_PAGE: usize = 512 * 1024;

/// Where `ui::SiteHeader` begins and ends in a page (it has no nested
/// `<header>`).
const SITE_HEADER_START: &str = "<header class=\"site-header\"";
const SITE_HEADER_END: &str = "</header>";

/// How Leptos hands a resource's value to the browser, after the document:
/// `__RESOLVED_RESOURCES[<id>] = "<JSON as a JavaScript string>";`.
const RESOURCE_ENTRY: &str = "__RESOLVED_RESOURCES[";
const RESOURCE_VALUE: &str = "] = ";

#[derive(Clone)]
pub struct SignedInPages {
    user_checks: UserChecks,
    /// Gives the visitor's render an empty session (never loaded or saved).
    sessions: Arc<dyn SessionStoreHandle>,
    visitor_pages: ExpiringCache<String, Arc<VisitorPage>, ByBytes>,
    learner_parts: ExpiringCache<LearnerKey, Arc<LearnerParts>, ByBytes>,
}

/// Makes a session with no id: what a request without a cookie gets.
trait SessionStoreHandle: Send + Sync {
    fn empty_session(&self) -> Session;
}

impl<Store: SessionStore + Clone> SessionStoreHandle for Store {
    fn empty_session(&self) -> Session {
        Session::new(None, Arc::new(self.clone()), None)
    }
}

/// A page as a visitor gets it, with where its learner-specific parts are.
struct VisitorPage {
    headers: HeaderMap,
    html: String,
    /// The nonce it was rendered with, and where it occurs.
    nonce: String,
    nonce_at: Vec<usize>,
    header: Range<usize>,
    /// The header's text, shared by every learner key made from this page
    /// (cut once, not per request).
    header_text: Arc<str>,
    resources: Vec<(u64, Range<usize>)>,
    /// Made by the first learner's request that accepts brotli.
    compressed: OnceLock<Option<CompressedPage>>,
}

/// A visitor's page as brotli pieces: the stretches between the places a
/// learner's page differs, for the user resource they were cut around.
struct CompressedPage {
    user_resource: u64,
    /// Each stretch up to a place, with the place that follows it.
    before: Vec<(Vec<u8>, Place)>,
    /// The stretch after the last place.
    rest: Vec<u8>,
}

/// A place where a learner's page differs from the visitor's.
#[derive(Clone, Copy)]
enum Place {
    Nonce,
    Header,
    User,
}

/// A learner's parts for pages whose visitor's header is `visitor_header`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct LearnerKey {
    user: CurrentUser,
    visitor_header: Arc<str>,
}

struct LearnerParts {
    header: String,
    /// The resource holding the signed-in user, what a visitor's page has
    /// there, and what the learner's has.
    user_resource: u64,
    visitor_user: String,
    learner_user: String,
    /// The header and the learner's user as brotli pieces.
    compressed: Option<(Vec<u8>, Vec<u8>)>,
}

/// Weighs entries by their bytes, so the bounds are on memory.
#[derive(Clone)]
struct ByBytes;

impl Weighter<String, Stored<Arc<VisitorPage>>> for ByBytes {
    fn weight(&self, address: &String, stored: &Stored<Arc<VisitorPage>>) -> u64 {
        // With room for its brotli pieces, made later: under a fifth of it.
        (address.len() + stored.value.html.len() * 6 / 5) as u64
    }
}

impl Weighter<LearnerKey, Stored<Arc<LearnerParts>>> for ByBytes {
    fn weight(&self, key: &LearnerKey, stored: &Stored<Arc<LearnerParts>>) -> u64 {
        let parts = &stored.value;
        (key.user.email.len()
            + key.visitor_header.len()
            + parts.header.len()
            + parts.visitor_user.len()
            + parts.learner_user.len()
            + parts
                .compressed
                .as_ref()
                .map_or(0, |(header, user)| header.len() + user.len())) as u64
    }
}

impl SignedInPages {
    /// Keeps pages and parts for `ttl` (the catalog's cache lifetime) within
    /// `capacity_bytes` in all; `None` when either is zero (caching off).
    pub fn new(
        user_checks: UserChecks,
        sessions: impl SessionStore + Clone,
        ttl: Duration,
        capacity_bytes: u64,
    ) -> Option<Self> {
        // A learner's parts are ~4 KB against ~60 KB a page: a quarter of the
        // memory holds the parts of thousands of learners. The entry
        // estimates only size the tables.
        let parts_bytes = capacity_bytes / 4;
        let pages_bytes = capacity_bytes - parts_bytes;
        let pages = (pages_bytes / 60_000).clamp(16, 100_000) as usize;
        let learners = (parts_bytes / 4_000).clamp(16, 100_000) as usize;
        Some(Self {
            user_checks,
            sessions: Arc::new(sessions),
            visitor_pages: ExpiringCache::with_weighter(pages, pages_bytes, ByBytes, ttl)?,
            learner_parts: ExpiringCache::with_weighter(learners, parts_bytes, ByBytes, ttl)?,
        })
    }

    /// Renders the page at the request's address as a visitor would get it.
    fn render_for_a_visitor(
        &self,
        request: &Request,
        next: Next,
    ) -> impl Future<Output = Option<VisitorPage>> + Send + use<> {
        // Made before the render: a request (its body) cannot be shared
        // across an await.
        let (visitor, nonce) = self.visitor_request(request);
        async move {
            let (headers, html) = html_of(next.run(visitor).await).await.ok()?;
            VisitorPage::new(headers, html, nonce.to_string())
        }
    }

    /// The request without its cookie, with an empty session and a nonce of
    /// its own.
    fn visitor_request(&self, request: &Request) -> (Request, Nonce) {
        let mut visitor = Request::new(Body::empty());
        *visitor.method_mut() = Method::GET;
        *visitor.uri_mut() = request.uri().clone();
        *visitor.version_mut() = request.version();
        *visitor.headers_mut() = request.headers().clone();
        visitor.headers_mut().remove(header::COOKIE);
        visitor.headers_mut().remove(header::AUTHORIZATION);
        *visitor.extensions_mut() = request.extensions().clone();
        let nonce = Nonce::new();
        visitor.extensions_mut().insert(nonce.clone());
        visitor
            .extensions_mut()
            .insert(self.sessions.empty_session());
        (visitor, nonce)
    }
}

impl VisitorPage {
    fn new(mut headers: HeaderMap, html: String, nonce: String) -> Option<Self> {
        if html.len() > LARGEST_PAGE {
            return None;
        }
        headers.remove(header::CONTENT_LENGTH);
        let nonce_at = html.match_indices(&nonce).map(|(at, _)| at).collect();
        let header = site_header(&html)?;
        Some(Self {
            header_text: Arc::from(&html[header.clone()]),
            header,
            resources: resolved_resources(&html),
            headers,
            html,
            nonce,
            nonce_at,
            compressed: OnceLock::new(),
        })
    }

    fn resource(&self, id: u64) -> Option<Range<usize>> {
        self.resources
            .iter()
            .find(|(found, _)| *found == id)
            .map(|(_, range)| range.clone())
    }

    /// Whether `parts` were cut around what this page has.
    fn fits(&self, parts: &LearnerParts) -> bool {
        self.resource(parts.user_resource)
            .is_some_and(|user| self.html[user] == parts.visitor_user)
    }

    /// Where a learner's page differs from this one, in order: each nonce,
    /// the header, and the resource `user_resource`. `None` if they overlap.
    fn places(&self, user_resource: u64) -> Option<Vec<(Range<usize>, Place)>> {
        let mut places: Vec<(Range<usize>, Place)> = self
            .nonce_at
            .iter()
            .map(|&at| (at..at + self.nonce.len(), Place::Nonce))
            .collect();
        places.push((self.header.clone(), Place::Header));
        places.push((self.resource(user_resource)?, Place::User));
        places.sort_by_key(|(range, _)| range.start);
        places
            .windows(2)
            .all(|pair| pair[0].0.end <= pair[1].0.start)
            .then_some(places)
    }

    /// This page with `parts` in place of the visitor's and `nonce` in place
    /// of its own; `None` if the parts do not fit it.
    fn with_learner(&self, parts: &LearnerParts, nonce: &str) -> Option<String> {
        if !self.fits(parts) {
            return None;
        }
        let mut html = String::with_capacity(self.html.len() + parts.header.len());
        let mut copied = 0;
        for (range, place) in self.places(parts.user_resource)? {
            html.push_str(&self.html[copied..range.start]);
            html.push_str(match place {
                Place::Nonce => nonce,
                Place::Header => &parts.header,
                Place::User => &parts.learner_user,
            });
            copied = range.end;
        }
        html.push_str(&self.html[copied..]);
        Some(html)
    }

    /// What [`Self::with_learner`] gives, as brotli, joined from pieces
    /// compressed ahead; `None` if the parts do not fit or have no pieces.
    fn compressed_with_learner(&self, parts: &LearnerParts, nonce: &str) -> Option<Vec<u8>> {
        let (header, user) = parts.compressed.as_ref()?;
        if !self.fits(parts) {
            return None;
        }
        let page = self
            .compressed
            .get_or_init(|| self.compress(parts.user_resource))
            .as_ref()
            .filter(|page| page.user_resource == parts.user_resource)?;
        let nonce = compressed::compress(nonce, compressed::PER_RESPONSE)?;
        let mut pieces: Vec<&[u8]> = Vec::with_capacity(page.before.len() * 2 + 1);
        for (stretch, place) in &page.before {
            pieces.push(stretch);
            pieces.push(match place {
                Place::Nonce => &nonce,
                Place::Header => header,
                Place::User => user,
            });
        }
        pieces.push(&page.rest);
        compressed::join(pieces)
    }

    /// This page's stretches between the places around `user_resource`,
    /// each compressed, with the place each is followed by: cut once, so a
    /// response only joins them.
    fn compress(&self, user_resource: u64) -> Option<CompressedPage> {
        let mut before = Vec::new();
        let mut copied = 0;
        for (range, place) in self.places(user_resource)? {
            let stretch = &self.html[copied..range.start];
            before.push((compressed::compress(stretch, compressed::KEPT)?, place));
            copied = range.end;
        }
        Some(CompressedPage {
            user_resource,
            before,
            rest: compressed::compress(&self.html[copied..], compressed::KEPT)?,
        })
    }

    /// The learner's parts of `rendered`, their page at this address with
    /// the nonce `rendered_nonce`, if it differs from this page nowhere else.
    fn learner_parts(&self, rendered: &str, rendered_nonce: &str) -> Option<LearnerParts> {
        let rendered = rendered.replace(rendered_nonce, &self.nonce);
        let header = site_header(&rendered)?;
        let theirs = resolved_resources(&rendered);
        if theirs.len() != self.resources.len() {
            return None;
        }
        let mut differing = self
            .resources
            .iter()
            .zip(&theirs)
            .filter(|((_, ours), (_, theirs))| self.html[ours.clone()] != rendered[theirs.clone()]);
        let ((id, ours), (their_id, theirs)) = differing.next()?;
        if differing.next().is_some() || id != their_id {
            return None;
        }
        let mut parts = LearnerParts {
            header: rendered[header].to_owned(),
            user_resource: *id,
            visitor_user: self.html[ours.clone()].to_owned(),
            learner_user: rendered[theirs.clone()].to_owned(),
            compressed: None,
        };
        if self.with_learner(&parts, &self.nonce)? != rendered {
            return None;
        }
        parts.compressed = compressed::compress(&parts.header, compressed::KEPT)
            .zip(compressed::compress(&parts.learner_user, compressed::KEPT));
        Some(parts)
    }

    fn response(&self, html: String) -> Response {
        let mut response = (self.headers.clone(), html).into_response();
        response
            .headers_mut()
            .insert(CACHE_STATUS, HeaderValue::from_static("hit"));
        response
    }

    /// A response of `brotli`, the page compressed; the compression layer
    /// leaves an encoded response as it is.
    fn compressed_response(&self, brotli: Vec<u8>) -> Response {
        let mut response = (self.headers.clone(), brotli).into_response();
        let headers = response.headers_mut();
        headers.insert(CACHE_STATUS, HeaderValue::from_static("hit"));
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

/// Where the site header is in a page.
fn site_header(html: &str) -> Option<Range<usize>> {
    let start = html.find(SITE_HEADER_START)?;
    let end = start + html[start..].find(SITE_HEADER_END)? + SITE_HEADER_END.len();
    Some(start..end)
}

/// The resource values a page hands to the browser, by id, each as the
/// JavaScript string literal it is written as. They follow the document, so
/// nothing in the page's text can pose as one.
fn resolved_resources(html: &str) -> Vec<(u64, Range<usize>)> {
    let mut resources = Vec::new();
    let Some(mut from) = html.rfind("</html>") else {
        return resources;
    };
    while let Some(offset) = html[from..].find(RESOURCE_ENTRY) {
        let id_start = from + offset + RESOURCE_ENTRY.len();
        from = id_start;
        let digits = html[id_start..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let Ok(id) = html[id_start..id_start + digits].parse() else {
            continue;
        };
        let literal_start = id_start + digits + RESOURCE_VALUE.len();
        if html.get(id_start + digits..literal_start) != Some(RESOURCE_VALUE) {
            continue;
        }
        let Some(length) = string_literal_length(&html.as_bytes()[literal_start..]) else {
            continue;
        };
        resources.push((id, literal_start..literal_start + length));
        from = literal_start + length;
    }
    resources
}

/// The length, quotes included, of the double-quoted JavaScript string
/// literal `text` begins with.
fn string_literal_length(text: &[u8]) -> Option<usize> {
    if text.first() != Some(&b'"') {
        return None;
    }
    let mut index = 1;
    while let Some(&byte) = text.get(index) {
        match byte {
            b'\\' => index += 2,
            b'"' => return Some(index + 1),
            _ => index += 1,
        }
    }
    None
}

/// A successful page's headers and HTML; anything else is handed back.
async fn html_of(response: Response) -> Result<(HeaderMap, String), Response> {
    if response.status() != StatusCode::OK
        || !crate::security_headers::is_page(&response)
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    // Read whole whatever its size: the page is sent either way (a big one
    // is only not kept).
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
            Ok(html) => Ok((parts.headers, html)),
            Err(error) => Err(Response::from_parts(parts, Body::from(error.into_bytes()))),
        },
        Err(error) => {
            // The render failed midway; the learner would have received a
            // broken page either way.
            tracing::error!(%error, "a catalog page could not be read whole");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// Pages whose content, header aside, is the same for everyone.
fn is_shared_page(path: &str) -> bool {
    path == "/courses" || path == "/tags"
}

/// The middleware; inside the session layer (it reads the session) and
/// inside `nonce_pages` (it writes this request's nonce).
pub async fn serve_signed_in_pages(
    State(pages): State<Option<SignedInPages>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(pages) = pages else {
        return next.run(request).await;
    };
    let extensions = request.extensions();
    let (Some(session), Some(nonce)) = (
        extensions.get::<Session>().cloned(),
        extensions.get::<Nonce>().cloned(),
    ) else {
        return next.run(request).await;
    };
    let candidate = request.method() == Method::GET
        && is_shared_page(request.uri().path())
        && request.headers().contains_key(header::COOKIE);
    if !candidate {
        return next.run(request).await;
    }
    // The check a full render makes: nobody, for a session that was never
    // signed in, logged out, or ended by a password change or deactivation.
    // A database error is the full render's to report.
    let Ok(Some(user)) = app::account::recently_checked_user_in(&session, &pages.user_checks).await
    else {
        return next.run(request).await;
    };

    let address = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), ToString::to_string);
    let visitor_page = match pages.visitor_pages.get(&address) {
        Some(page) => page,
        None => match pages.render_for_a_visitor(&request, next.clone()).await {
            Some(page) => {
                let page = Arc::new(page);
                pages.visitor_pages.insert(address.clone(), page.clone());
                page
            }
            None => return next.run(request).await,
        },
    };
    let key = LearnerKey {
        user,
        visitor_header: visitor_page.header_text.clone(),
    };
    if let Some(parts) = pages.learner_parts.get(&key) {
        let brotli = request
            .headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .is_some_and(compressed::accepts_brotli)
            .then(|| visitor_page.compressed_with_learner(&parts, &nonce))
            .flatten();
        let response = match brotli {
            Some(brotli) => Some(visitor_page.compressed_response(brotli)),
            None => visitor_page
                .with_learner(&parts, &nonce)
                .map(|html| visitor_page.response(html)),
        };
        if let Some(response) = response {
            // Literal labels make a static key: nothing allocated on this hot path.
            metrics::counter!("cache_lookups_total", "cache" => "signed_in_page", "result" => "hit")
                .increment(1);
            return response;
        }
    }
    metrics::counter!("cache_lookups_total", "cache" => "signed_in_page", "result" => "miss")
        .increment(1);

    let (headers, html) = match html_of(next.run(request).await).await {
        Ok(page) => page,
        Err(response) => return response,
    };
    match visitor_page.learner_parts(&html, &nonce) {
        Some(parts) => pages.learner_parts.insert(key, Arc::new(parts)),
        None => tracing::warn!(
            %address,
            "a signed-in page differs from the visitor's beyond the header; rendered in full"
        ),
    }
    (headers, html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = concat!(
        "<html><head><script nonce=\"N1\">go()</script></head><body>",
        "<header class=\"site-header\"><a href=\"/login\">Log in</a></header>",
        "<main>courses</main></body></html>",
        "<script nonce=\"N1\">__RESOLVED_RESOURCES=[];</script>",
        "<script nonce=\"N1\">__RESOLVED_RESOURCES[0] = \"{\\\"Ok\\\":null}\";",
        "__RESOLVED_RESOURCES[3] = \"{\\\"Ok\\\":\\\"a \\\\\\\"quoted\\\\\\\" course\\\"}\";</script>",
    );

    fn learners_page(email: &str, nonce: &str, main: &str) -> String {
        PAGE.replace("N1", nonce)
            .replace(
                "<a href=\"/login\">Log in</a>",
                &format!("<a href=\"/account\">{email}</a>"),
            )
            .replace(
                "{\\\"Ok\\\":null}",
                &format!("{{\\\"Ok\\\":\\\"{email}\\\"}}"),
            )
            .replace("courses", main)
    }

    fn visitor_page() -> VisitorPage {
        VisitorPage::new(HeaderMap::new(), PAGE.to_owned(), "N1".to_owned()).unwrap()
    }

    #[test]
    fn resources_are_read_after_the_document_with_their_escapes() {
        let page = visitor_page();
        let values: Vec<(u64, &str)> = page
            .resources
            .iter()
            .map(|(id, range)| (*id, &PAGE[range.clone()]))
            .collect();
        assert_eq!(
            values,
            [
                (0, "\"{\\\"Ok\\\":null}\""),
                (
                    3,
                    "\"{\\\"Ok\\\":\\\"a \\\\\\\"quoted\\\\\\\" course\\\"}\""
                ),
            ]
        );
        // Text inside the document cannot pose as a resource.
        let posing = PAGE.replace("courses", "__RESOLVED_RESOURCES[9] = \"x\";");
        assert_eq!(resolved_resources(&posing).len(), 2);
    }

    #[test]
    fn a_learners_parts_rebuild_their_page_with_a_fresh_nonce() {
        let page = visitor_page();
        let rendered = learners_page("ada@example.test", "N2", "courses");
        let parts = page.learner_parts(&rendered, "N2").unwrap();
        assert_eq!(parts.user_resource, 0);
        assert_eq!(
            page.with_learner(&parts, "N3").unwrap(),
            learners_page("ada@example.test", "N3", "courses")
        );
    }

    #[test]
    fn a_learners_page_as_brotli_decodes_to_their_page() {
        let page = visitor_page();
        let rendered = learners_page("ada@example.test", "N2", "courses");
        let parts = page.learner_parts(&rendered, "N2").unwrap();
        for nonce in ["N3", "N4"] {
            let brotli = page.compressed_with_learner(&parts, nonce).unwrap();
            let html = decompress(&brotli);
            assert_eq!(html, learners_page("ada@example.test", nonce, "courses"));
        }
    }

    #[test]
    fn a_page_that_differs_beyond_the_header_is_not_cut() {
        let page = visitor_page();
        let personal = learners_page("ada@example.test", "N2", "your courses");
        assert!(page.learner_parts(&personal, "N2").is_none());
        // Nor one whose parts do not match what this page has.
        let parts = page
            .learner_parts(&learners_page("ada@example.test", "N2", "courses"), "N2")
            .unwrap();
        let other = VisitorPage::new(
            HeaderMap::new(),
            PAGE.replace("{\\\"Ok\\\":null}", "{\\\"Ok\\\":0}"),
            "N1".to_owned(),
        )
        .unwrap();
        assert!(other.with_learner(&parts, "N3").is_none());
    }
}
