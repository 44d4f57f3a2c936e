//! The signed-in user of the current request, kept in a tower-sessions
//! session stored in PostgreSQL. Server-only.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use tower_sessions::Session;
use uuid::Uuid;

use super::model::CurrentUser;
use super::service::{self, SignedIn};
use crate::AppError;

const USER_ID: &str = "user_id";
const SESSION_EPOCH: &str = "session_epoch";
/// The day (UTC, days since 1970) the session's expiry was last pushed back.
const REFRESHED_ON: &str = "refreshed_on";

fn session_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store");
    AppError::Unavailable.with_status()
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of the app");
        AppError::Internal.with_status()
    })
}

/// Starts a signed-in session under a new id, so an id planted before login
/// (session fixation) is worthless afterwards.
pub async fn start(signed_in: &SignedIn) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID, signed_in.user.id)
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_EPOCH, signed_in.session_epoch)
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Keeps this session signed in after its epoch moved (password change).
pub async fn renew(session_epoch: i32) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(SESSION_EPOCH, session_epoch)
        .await
        .map_err(session_error)
}

pub async fn end() -> Result<(), AppError> {
    session().await?.flush().await.map_err(session_error)
}

/// The user this request is signed in as, if any.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let session = session().await?;
    let pool = crate::context::pool()?;
    user_in(&session, &pool).await
}

/// The user a session is signed in as, if any; for handlers outside the
/// Leptos context (file downloads).
pub async fn user_in(
    session: &Session,
    pool: &sqlx::PgPool,
) -> Result<Option<CurrentUser>, AppError> {
    let user_id: Option<Uuid> = session.get(USER_ID).await.map_err(session_error)?;
    let epoch: Option<i32> = session.get(SESSION_EPOCH).await.map_err(session_error)?;
    let (Some(user_id), Some(epoch)) = (user_id, epoch) else {
        return Ok(None);
    };
    let user = service::user_for_session(pool, user_id, epoch).await?;
    if user.is_some() {
        keep_alive(session).await?;
    }
    Ok(user)
}

/// Sessions end after a stretch of inactivity, but the store only moves the
/// expiry when the session is written. Writing once a day per active session
/// keeps "inactive for N days" true without a database write per request.
async fn keep_alive(session: &Session) -> Result<(), AppError> {
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| (elapsed.as_secs() / 86_400) as i64)
        .unwrap_or_default();
    let refreshed_on: Option<i64> = session.get(REFRESHED_ON).await.map_err(session_error)?;
    if refreshed_on != Some(today) {
        session
            .insert(REFRESHED_ON, today)
            .await
            .map_err(session_error)?;
    }
    Ok(())
}

/// The signed-in user, or "please log in" (401).
pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user()
        .await?
        .ok_or_else(|| AppError::Unauthorized.with_status())
}

/// The signed-in admin; "please log in" (401) or "no access" (403) otherwise.
pub async fn require_admin() -> Result<CurrentUser, AppError> {
    let user = require_user().await?;
    if user.role == super::model::Role::Admin {
        Ok(user)
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

/// The client's address, for throttling. Behind a proxy every client shares
/// the proxy's address, which only makes throttling stricter.
pub async fn client_address() -> String {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(address)| address.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned())
}
