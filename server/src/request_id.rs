//! Request ids: every request gets one (`x-request-id`: the caller's, when it
//! is sane, e.g. from the load balancer; a new UUID otherwise). It is echoed
//! in the response and is a field of the request's tracing span, so every log
//! line written while serving the request names it.
//!
//! tower-http's `SetRequestIdLayer` / `PropagateRequestIdLayer` set and echo
//! the header; [`drop_unusable_id`] runs before them, so a caller cannot
//! write arbitrary text (or megabytes) into our logs through the header.
//! All three are plain tower layers: no per-request boxing or cloning of the
//! services they wrap (a cached page is served in tens of microseconds).

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::{Instrument, Span};

use crate::task_owner::OwnPerTask;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longer ids are replaced: a UUID is 36 characters, HAProxy's and nginx's
/// ids are shorter than this.
const LONGEST_ID: usize = 128;

/// Whether a caller's id is kept: 1 to 128 characters of letters, digits and
/// `- _ . : + = / @` (UUIDs, hex, base64, HAProxy's unique ids). Anything
/// else (spaces, quotes, control or non-ASCII bytes) could forge or break a
/// log line.
pub fn is_usable(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= LONGEST_ID
        && id
            .iter()
            .all(|&byte| byte.is_ascii_alphanumeric() || b"-_.:+=/@".contains(&byte))
}

/// Drops a request id that is not [usable](is_usable) (or given twice), so a
/// new one is made for the request.
pub fn drop_unusable_id(mut request: Request<Body>) -> Request<Body> {
    let headers = request.headers_mut();
    let mut given = headers.get_all(&REQUEST_ID).iter();
    let unusable = match (given.next(), given.next()) {
        (Some(id), None) => !is_usable(id.as_bytes()),
        (Some(_), Some(_)) => true,
        (None, _) => false,
    };
    if unusable {
        headers.remove(&REQUEST_ID);
    }
    request
}

/// New ids: random (version 4) UUIDs from a fast per-thread generator.
/// `Uuid::new_v4` asks the operating system, a system call per request; an
/// id needs to be unique, not unguessable.
#[derive(Clone, Copy, Debug, Default)]
pub struct MakeRandomId;

impl MakeRequestId for MakeRandomId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
            .ok()
            .map(RequestId::new)
    }
}

/// The span each request is served in: its id, method and path (not the
/// query, which may carry a reset token).
pub fn request_span(request: &Request<Body>) -> Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        path = request.uri().path(),
    )
}

/// Leptos renders a page's data in tasks of its own; spawned plainly they
/// would lose the request's span, and their log lines its id. This executor
/// spawns them on Tokio inside the span that was current when they were made.
struct InRequestSpan;

impl any_spawner::CustomExecutor for InRequestSpan {
    fn spawn(&self, future: any_spawner::PinnedFuture<()>) {
        tokio::spawn(OwnPerTask::new(future).instrument(Span::current()));
    }

    fn spawn_local(&self, future: any_spawner::PinnedLocalFuture<()>) {
        tokio::task::spawn_local(OwnPerTask::new(future).instrument(Span::current()));
    }

    fn poll_local(&self) {}
}

/// Installs [`InRequestSpan`] as Leptos's executor. Once per process, before
/// the first request; later calls (and Leptos's own tokio executor) are no-ops.
pub fn spawn_in_request_span() {
    if any_spawner::Executor::init_custom_executor(InRequestSpan).is_err() {
        tracing::debug!("an executor was already set; spawned work logs without the request id");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept_and_others_replaced() {
        for kept in [
            "3f2b6c1e-9a0d-4c8e-9a51-2b7f4d1c0e9a",
            "7F000001:C0A8_00000001",
            "abc",
            "dGVzdA==",
        ] {
            assert!(is_usable(kept.as_bytes()), "{kept}");
        }
        let long = "a".repeat(LONGEST_ID + 1);
        for replaced in [
            "",
            "two words",
            "quote\"d",
            "line\nbreak",
            "caf\u{e9}",
            "<script>",
            long.as_str(),
        ] {
            assert!(!is_usable(replaced.as_bytes()), "{replaced:?}");
        }
    }

    #[test]
    fn made_ids_are_distinct_version_4_uuids() {
        let request = Request::new(Body::empty());
        let mut make = MakeRandomId;
        let ids: std::collections::HashSet<String> = (0..1000)
            .map(|_| {
                let id = make.make_request_id(&request).unwrap();
                let text = id.header_value().to_str().unwrap().to_owned();
                let parsed = uuid::Uuid::parse_str(&text).unwrap();
                assert_eq!(parsed.get_version_num(), 4, "{text}");
                text
            })
            .collect();
        assert_eq!(ids.len(), 1000);
    }
}
