//! Keeps the redirects that answer plain form posts on this site, and makes
//! the error they carry trustworthy.
//!
//! Without JavaScript a form posts to a server function, and Leptos answers
//! with a redirect: to the address the function chose, or back to the
//! `Referer`, with a failure written into the query (`__path`, `__err`) for
//! the page to show beside the form. Two things follow that this module
//! closes:
//! - the `Referer` is whatever the client sent, so the redirect could lead to
//!   another site. Every `Location` this server sends is made a path on this
//!   site; one that points elsewhere becomes `/`.
//! - a page shows any `__err` in its address, so a link could make AcmeLearn
//!   display an attacker's words ("your account is locked, call …"). The
//!   redirect signs the error it writes (`__sig`, an HMAC with a key kept in
//!   PostgreSQL, so every instance accepts the others' redirects), and a page
//!   asked for with an unsigned or altered error is first redirected to its
//!   address without it.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

const ERROR: &str = "__err";
const ERROR_PATH: &str = "__path";
const SIGNATURE: &str = "__sig";
/// Larger errors in an address are replaced by [`shortened_error`].
const MAX_ERROR_BYTES: usize = 4096;

/// The error, encoded as Leptos encodes `__err` (the server function's error
/// type as JSON, in URL-safe base64), for a form whose own error was too long
/// to carry back.
fn shortened_error() -> String {
    let error = app::AppError::BadRequest(
        "A field of this form is far longer than it accepts. Shorten it and try again.".to_owned(),
    );
    let json = serde_json::to_string(&error).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE.encode(json)
}

fn urlencoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Clone)]
pub struct FormRedirects {
    key: std::sync::Arc<[u8]>,
    /// `scheme://host[:port]` people use; an absolute `Location` on it is
    /// made a path like any other.
    public_origin: String,
}

impl FormRedirects {
    /// The signing key is made once, by whichever instance starts first.
    pub async fn load(pool: &PgPool, public_origin: &str) -> Result<Self, sqlx::Error> {
        let mut fresh = [0u8; 32];
        OsRng.fill_bytes(&mut fresh);
        let key = sqlx::query_scalar!(
            r#"with made as (
                 insert into server_keys (name, secret) values ('form_errors', $1)
                 on conflict (name) do nothing
                 returning secret
             )
             select secret as "secret!" from made
             union all
             select secret from server_keys where name = 'form_errors'
             limit 1"#,
            &fresh[..],
        )
        .fetch_one(pool)
        .await?;
        Ok(Self {
            key: key.into(),
            public_origin: public_origin.trim_end_matches('/').to_ascii_lowercase(),
        })
    }

    #[cfg(test)]
    pub fn with_key(key: &[u8], public_origin: &str) -> Self {
        Self {
            key: key.into(),
            public_origin: public_origin.to_owned(),
        }
    }

    /// The MAC of a form error and the server function it came from.
    fn mac(&self, error_path: &str, error: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(error_path.as_bytes());
        mac.update(&[0]);
        mac.update(error.as_bytes());
        mac
    }

    fn signature(&self, error_path: &str, error: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(error_path, error).finalize().into_bytes())
    }

    fn verify(&self, error_path: &str, error: &str, signature: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|signature| self.mac(error_path, error).verify_slice(&signature).is_ok())
    }

    /// The redirect target as a path on this site, its form error signed.
    /// The query is kept as written but for the signature.
    fn rewrite_location(&self, location: &str, request_origin: Option<&str>) -> String {
        let path = self
            .on_site_path(location, request_origin)
            .unwrap_or_else(|| "/".to_owned());
        let (before_fragment, fragment) = match path.split_once('#') {
            Some((before, fragment)) => (before, Some(fragment)),
            None => (path.as_str(), None),
        };
        let Some((base, query)) = before_fragment.split_once('?') else {
            return path;
        };
        let is_signature = |pair: &&str| pair.split('=').next() == Some(SIGNATURE);
        let mut pairs: Vec<String> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && !is_signature(pair))
            .map(str::to_owned)
            .collect();
        let decoded = decoded_query(query);
        let value_of = |name: &str| value_of(&decoded, name);
        if let Some(error) = value_of(ERROR) {
            let error = if error.len() > MAX_ERROR_BYTES {
                // An error that quotes a huge field would make a Location no
                // browser follows; the page says what to fix instead.
                let shorter = shortened_error();
                pairs.retain(|pair| pair.split('=').next() != Some(ERROR));
                pairs.push(format!("{ERROR}={}", urlencoded(&shorter)));
                shorter
            } else {
                error.to_owned()
            };
            let signature = self.signature(value_of(ERROR_PATH).unwrap_or_default(), &error);
            pairs.push(format!("{SIGNATURE}={signature}"));
        }
        let mut rewritten = base.to_owned();
        if !pairs.is_empty() {
            rewritten.push('?');
            rewritten.push_str(&pairs.join("&"));
        }
        if let Some(fragment) = fragment {
            rewritten.push('#');
            rewritten.push_str(fragment);
        }
        rewritten
    }

    /// `location` as a path on this site, or `None` when it leads elsewhere.
    fn on_site_path(&self, location: &str, request_origin: Option<&str>) -> Option<String> {
        let location = location.trim();
        let rest = strip_prefix_ignore_case(location, &self.public_origin).or_else(|| {
            request_origin.and_then(|origin| strip_prefix_ignore_case(location, origin))
        });
        let path = if let Some(rest) = rest {
            if rest.is_empty() {
                "/".to_owned()
            } else {
                rest.to_owned()
            }
        } else {
            location.to_owned()
        };
        // Only a plain absolute path stays: `//host`, `/\host` and anything
        // with a scheme are other sites to a browser.
        let is_plain_path = path.starts_with('/')
            && !path.starts_with("//")
            && !path.starts_with("/\\")
            && !path.chars().any(|c| c.is_control());
        is_plain_path.then_some(path)
    }

    /// For a page asked for with an error in its address: the same address
    /// without it, unless the error is one this server signed.
    fn without_forged_error(&self, query: &str) -> Option<String> {
        let pairs = decoded_query(query);
        let value_of = |name: &str| value_of(&pairs, name);
        let error = value_of(ERROR)?;
        let genuine = value_of(SIGNATURE).is_some_and(|signature| {
            self.verify(value_of(ERROR_PATH).unwrap_or_default(), error, signature)
        });
        if genuine {
            return None;
        }
        Some(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    pairs.iter().filter(|(name, _)| {
                        ![ERROR, ERROR_PATH, SIGNATURE].contains(&name.as_str())
                    }),
                )
                .finish(),
        )
    }
}

fn decoded_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// The first value of `name` in a decoded query.
fn value_of<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
        .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

pub async fn keep_redirects_on_site(
    State(redirects): State<FormRedirects>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == axum::http::Method::GET
        && let Some(query) = request.uri().query()
        && let Some(cleaned) = redirects.without_forged_error(query)
    {
        let path = request.uri().path();
        let target = if cleaned.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{cleaned}")
        };
        return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    }
    // The host the browser asked (as the cross-site check accepts it), so a
    // `Referer` naming this server by its own address stays a path here.
    // Kept as it came; made an origin only for the few answers that redirect.
    let host = request.headers().get(header::HOST).cloned();
    let scheme = if request.uri().scheme_str() == Some("https") {
        "https"
    } else {
        "http"
    };
    let mut response = next.run(request).await;
    if let Some(location) = response
        .headers()
        .get(header::LOCATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    {
        let request_origin = host
            .as_ref()
            .and_then(|host| host.to_str().ok())
            .map(|host| format!("{scheme}://{host}"));
        let rewritten = redirects.rewrite_location(&location, request_origin.as_deref());
        if rewritten != location {
            match HeaderValue::from_str(&rewritten) {
                Ok(value) => {
                    response.headers_mut().insert(header::LOCATION, value);
                }
                Err(_) => {
                    response
                        .headers_mut()
                        .insert(header::LOCATION, HeaderValue::from_static("/"));
                }
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirects() -> FormRedirects {
        FormRedirects::with_key(b"test key", "http://127.0.0.1:3000")
    }

    #[test]
    fn redirects_to_other_sites_become_the_home_page() {
        let redirects = redirects();
        for elsewhere in [
            "https://evil.test/login",
            "//evil.test/",
            "/\\evil.test",
            "javascript:alert(1)",
            "http://127.0.0.1:3000.evil.test/",
        ] {
            assert_eq!(
                redirects.rewrite_location(elsewhere, Some("http://localhost:3000")),
                "/",
                "{elsewhere}"
            );
        }
    }

    #[test]
    fn redirects_on_this_site_keep_their_path() {
        let redirects = redirects();
        assert_eq!(
            redirects.rewrite_location("/profile?saved=2", None),
            "/profile?saved=2"
        );
        assert_eq!(
            redirects.rewrite_location("http://127.0.0.1:3000/recommendations?rated=1#r-1", None),
            "/recommendations?rated=1#r-1"
        );
        assert_eq!(
            redirects.rewrite_location("HTTP://127.0.0.1:3000", None),
            "/"
        );
        assert_eq!(
            redirects.rewrite_location(
                "http://localhost:3000/login?x=1",
                Some("http://localhost:3000")
            ),
            "/login?x=1",
            "the address the browser used is this site too"
        );
    }

    #[test]
    fn an_error_written_by_the_server_is_accepted_a_forged_one_is_removed() {
        let redirects = redirects();
        let location = redirects.rewrite_location(
            "/login?next=/account&__path=%2Fapi%2Faccount%2Flogin&__err=eyJ4Ijoi&__sig=old",
            None,
        );
        assert!(
            location.starts_with("/login?next=/account&__path="),
            "kept as written: {location}"
        );
        assert_eq!(location.matches("__sig=").count(), 1, "{location}");
        let (_, query) = location.split_once('?').unwrap();
        assert!(query.contains("__sig="), "{location}");
        assert_eq!(redirects.without_forged_error(query), None);

        let forged = "next=%2Faccount&__path=%2Fapi%2Faccount%2Flogin&__err=ZXZpbA";
        assert_eq!(
            redirects.without_forged_error(forged).as_deref(),
            Some("next=%2Faccount")
        );
        let altered = query.replace("__err=eyJ4Ijoi", "__err=ZXZpbA");
        assert_eq!(
            redirects.without_forged_error(&altered).as_deref(),
            Some("next=%2Faccount")
        );
        assert_eq!(redirects.without_forged_error("q=rust"), None);
    }

    #[test]
    fn an_error_too_long_for_an_address_is_replaced_by_a_short_one() {
        let redirects = redirects();
        let huge = "A".repeat(100_000);
        let location = redirects.rewrite_location(
            &format!("/profile?__path=%2Fapi%2Fprofile%2Fsave&__err={huge}"),
            None,
        );
        assert!(location.len() < 1_000, "{location}");
        let (_, query) = location.split_once('?').unwrap();
        assert_eq!(redirects.without_forged_error(query), None, "still signed");
        let error = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == ERROR)
            .map(|(_, value)| value.into_owned())
            .unwrap();
        let json = base64::engine::general_purpose::URL_SAFE
            .decode(error)
            .unwrap();
        let error: app::AppError = serde_json::from_slice(&json).unwrap();
        assert!(error.to_string().contains("far longer"), "{error}");
    }
}
