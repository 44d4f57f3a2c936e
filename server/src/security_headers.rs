//! Headers that tell the browser what this site may do, on every response.
//!
//! The Content-Security-Policy is the backstop for escaping: even if text a
//! learner typed ever reached the page as markup, the browser would run no
//! script that does not carry this response's nonce. [`nonce_pages`] makes
//! the nonce before the app renders (the app writes it on its inline scripts,
//! see `serve::router`) and names it in the page's policy; it runs inside the
//! page cache, so a catalog page kept in memory is kept with its own policy.
//! [`add_security_headers`] adds the rest to every response, and gives
//! anything that is not a page (JSON, files, plain errors)
//! [`NO_CONTENT_POLICY`], which allows nothing at all.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

/// For responses that are not pages: they load nothing and may not be framed.
pub const NO_CONTENT_POLICY: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The service worker's own policy (a worker's policy comes with its
/// script): it fetches and caches the site's own pages and files, nothing
/// else.
pub const WORKER_POLICY: &str = "default-src 'none'; connect-src 'self'; script-src 'self'";

/// The policy of a page whose inline scripts carry `nonce`.
///
/// `'self'` in `script-src` admits the bundle under /pkg, which the page's
/// inline (nonced) script imports;
/// `'wasm-unsafe-eval'` lets the browser compile the WASM, nothing more: no
/// `eval`, no inline handlers, no injected `<script>` without the nonce.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Whether a response is an HTML page (not a file, a server function's
/// answer or an error without a body).
pub fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// Makes this request's nonce (found by the app in the request's extensions)
/// and, when the answer is a page, its policy.
pub async fn nonce_pages(mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let is_page = is_page(&response);
    if is_page && let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce)) {
        response
            .headers_mut()
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(policy);
    }
    response
}

/// Powerful browser features this site never uses, switched off for it and
/// for anything that might ever be embedded in it.
const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()";

/// Browsers remember for a year to come only over HTTPS.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Answers that carry a learner's data stay out of every shared and disk
/// cache; the back button asks the server again.
pub const PRIVATE: &str = "private, no-store";
/// Pages and files anyone may see: a browser may keep them but must ask
/// whether they changed before using them again.
const REVALIDATE: &str = "no-cache";

/// The bundle under /pkg when its names carry their content's hash: a new
/// release has new names, so a browser never needs to ask again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[derive(Clone, Copy)]
pub struct SecurityHeaders {
    /// HSTS only makes sense (and is only honoured) over HTTPS.
    pub https: bool,
    /// Whether the files under /pkg have hashed names (cargo-leptos
    /// `hash-files`); unhashed, they are revalidated like any other file.
    pub hashed_bundle: bool,
}

pub async fn add_security_headers(
    State(settings): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let cache_control = cache_control_for(&request, settings.hashed_bundle);
    let is_worker = request.uri().path() == SERVICE_WORKER;
    if !settings.https && arrived_over_https(&request) {
        warn_once_about_http_public_url();
    }
    let mut response = next.run(request).await;
    // A missing file's 404 must not be kept a year under a name that may
    // exist after the next deploy.
    let response_is_ok = response.status().is_success();
    let headers = response.headers_mut();
    set_default(
        headers,
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if is_worker {
            WORKER_POLICY
        } else {
            NO_CONTENT_POLICY
        }),
    );
    set_default(
        headers,
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    set_default(
        headers,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    set_default(
        headers,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if settings.https {
        set_default(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    match cache_control {
        RequestKind::Bundle if response_is_ok => set_default(
            headers,
            header::CACHE_CONTROL,
            HeaderValue::from_static(IMMUTABLE),
        ),
        RequestKind::Personal => set_default(
            headers,
            header::CACHE_CONTROL,
            HeaderValue::from_static(PRIVATE),
        ),
        RequestKind::Anonymous | RequestKind::Bundle => set_default(
            headers,
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ),
    }
    response
}

/// A proxy in front says the browser used HTTPS.
fn arrived_over_https(request: &Request) -> bool {
    request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// With an `http://` PUBLIC_URL behind an HTTPS proxy, session cookies go
/// out without `Secure` and no HSTS is sent: said loudly, once.
fn warn_once_about_http_public_url() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        tracing::error!(
            "requests arrive over HTTPS (X-Forwarded-Proto) but PUBLIC_URL is not https://: \
             session cookies are sent without Secure and HSTS is off; set PUBLIC_URL to the \
             https:// address people use"
        );
    });
}

#[derive(Debug, PartialEq, Eq)]
enum RequestKind {
    /// A hashed file of the bundle: the same name is the same bytes forever.
    Bundle,
    /// Signed in, or a server function: the answer may be about someone.
    Personal,
    /// Anything else: kept, but checked with the server before each use.
    Anonymous,
}

/// Where the service worker is served (frontend/pwa builds it into the site).
const SERVICE_WORKER: &str = "/sw.js";

/// Files of the installed app that are the same for everyone, cookie or not,
/// under fixed names: revalidated on every use, so a release reaches
/// browsers at once (the worker first of all).
fn is_shared_app_file(path: &str) -> bool {
    matches!(
        path,
        SERVICE_WORKER
            | "/pwa.js"
            | "/manifest.webmanifest"
            | "/favicon.svg"
            | "/offline/catalog.json"
    ) || path.starts_with("/icons/")
        || path.starts_with("/screenshots/")
}

fn cache_control_for(request: &Request, hashed_bundle: bool) -> RequestKind {
    let path = request.uri().path();
    if hashed_bundle && path.starts_with("/pkg/") {
        return RequestKind::Bundle;
    }
    if is_shared_app_file(path) {
        return RequestKind::Anonymous;
    }
    let server_function = path.starts_with("/api/");
    let carries_session = request.headers().contains_key(header::COOKIE);
    let export = path.starts_with("/admin/");
    if server_function || carries_session || export {
        RequestKind::Personal
    } else {
        RequestKind::Anonymous
    }
}

fn set_default(headers: &mut HeaderMap, name: header::HeaderName, value: HeaderValue) {
    headers.entry(name).or_insert(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, cookie: bool) -> Request {
        let mut request = Request::get(path);
        if cookie {
            request = request.header(header::COOKIE, "acmelearn_session=x");
        }
        request.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn only_the_hashed_bundle_is_kept_forever_and_personal_answers_never() {
        use RequestKind::*;
        for (path, cookie, hashed, kind) in [
            ("/pkg/acmelearn.0a1b2c3d.wasm", false, true, Bundle),
            ("/pkg/acmelearn.0a1b2c3d.wasm", true, true, Bundle),
            ("/pkg/acmelearn.wasm", false, false, Anonymous),
            ("/sw.js", true, true, Anonymous),
            ("/manifest.webmanifest", true, true, Anonymous),
            ("/icons/icon-192.png", true, true, Anonymous),
            ("/favicon.svg", false, true, Anonymous),
            ("/courses", false, true, Anonymous),
            ("/courses", true, true, Personal),
            ("/api/profile/get", false, true, Personal),
            ("/admin/export/users", false, true, Personal),
        ] {
            assert_eq!(
                cache_control_for(&request(path, cookie), hashed),
                kind,
                "{path}"
            );
        }
    }

    #[test]
    fn a_page_policy_admits_only_scripts_with_its_nonce() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "connect-src 'self'",
        ] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
    }
}
