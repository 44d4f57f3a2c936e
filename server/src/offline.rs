//! What the service worker (frontend/pwa) needs from the server to keep
//! AcmeLearn readable with no network: the whole catalog in one file, and a
//! label on every page rendered for a learner so the worker keeps that page
//! in the learner's own cache and nobody else's.

use app::read_pool::ReadPool;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Names the learner a page was rendered for. The worker reads it; the
/// browser shows it to nobody else (pages for a learner are `no-store`).
pub const LEARNER_HEADER: HeaderName = HeaderName::from_static("x-acmelearn-learner");

/// `GET /offline/catalog.json`: every course with the text search reads,
/// for "Save the catalog for offline" and the offline search. Public, like
/// the catalog itself.
pub async fn offline_catalog(State(catalog): State<ReadPool>) -> Response {
    let courses = catalog
        .read(|pool| async move { app::catalog::service::offline_catalog(&pool).await })
        .await;
    match courses {
        Ok(courses) => Json(courses).into_response(),
        Err(error) => {
            tracing::error!(%error, "offline catalog not read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The catalog cannot be read right now; try again in a moment.",
            )
                .into_response()
        }
    }
}

/// Labels a page rendered for a signed-in learner with their id. Runs inside
/// the session layer, reading the session the page itself read.
pub async fn label_learner_pages(request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let mut response = next.run(request).await;
    let is_page = crate::security_headers::is_page(&response);
    if !is_page || !response.status().is_success() {
        return response;
    }
    if let Some(session) = session
        && let Some(user_id) = app::account::named_user(&session).await
        && let Ok(value) = HeaderValue::from_str(&user_id.to_string())
    {
        response.headers_mut().insert(LEARNER_HEADER, value);
    }
    response
}

/// The offline page is the same for everyone: it is precached with the app
/// and shown to whoever is offline on the device, so it is rendered without
/// the session (no learner's email in its header) and the page cache keeps it.
pub async fn render_offline_page_anonymously(mut request: Request, next: Next) -> Response {
    if request.uri().path() == app::offline::OFFLINE_PATH {
        request.headers_mut().remove(header::COOKIE);
    }
    next.run(request).await
}
