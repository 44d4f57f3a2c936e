//! Refuses state-changing requests that come from another site.
//!
//! SameSite=Lax cookies already keep sessions out of most cross-site
//! requests; this is the second lock. A browser states where a request comes
//! from in `Origin` (or at least `Referer`); a POST whose origin is neither
//! this host nor the configured public URL is refused. Requests with neither
//! header come from non-browser clients, which carry no victim's cookies.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone)]
pub struct AllowedOrigin(pub String);

pub async fn reject_cross_site(
    State(public_origin): State<AllowedOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || is_same_site(request.headers(), &public_origin.0)
    {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = ?request.headers().get(header::ORIGIN),
        referer = ?request.headers().get(header::REFERER),
        path = %request.uri().path(),
        "refused a cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        "This request came from another website and was refused. Reload AcmeLearn and try again.",
    )
        .into_response()
}

fn is_same_site(headers: &HeaderMap, public_origin: &str) -> bool {
    let source = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|value| value.to_str().ok())
                .and_then(origin_of)
        });
    let Some(source) = source else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    let source_host = source
        .strip_prefix("http://")
        .or_else(|| source.strip_prefix("https://"));
    source.eq_ignore_ascii_case(public_origin)
        || (host.is_some() && source_host.is_some() && source_host == host)
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const PUBLIC: &str = "https://learn.example.test";

    #[test]
    fn same_host_and_public_origin_pass() {
        let local = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:3000"),
        ]);
        assert!(is_same_site(&local, PUBLIC));
        let public = headers(&[(header::HOST, "internal:8080"), (header::ORIGIN, PUBLIC)]);
        assert!(is_same_site(&public, PUBLIC));
        let referer_only = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::REFERER, "http://127.0.0.1:3000/login?next=/account"),
        ]);
        assert!(is_same_site(&referer_only, PUBLIC));
    }

    #[test]
    fn other_sites_are_refused() {
        let evil = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "https://evil.test"),
        ]);
        assert!(!is_same_site(&evil, PUBLIC));
        let evil_referer = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::REFERER, "https://evil.test/page"),
        ]);
        assert!(!is_same_site(&evil_referer, PUBLIC));
        let opaque = headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "null")]);
        assert!(!is_same_site(&opaque, PUBLIC));
        let lookalike = headers(&[
            (header::HOST, "127.0.0.1:3000"),
            (header::ORIGIN, "http://127.0.0.1:3000.evil.test"),
        ]);
        assert!(!is_same_site(&lookalike, PUBLIC));
    }

    #[test]
    fn clients_without_origin_headers_pass() {
        assert!(is_same_site(
            &headers(&[(header::HOST, "127.0.0.1:3000")]),
            PUBLIC
        ));
    }
}
