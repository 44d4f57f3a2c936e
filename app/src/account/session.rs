//! The signed-in user of the current request, kept in a tower-sessions
//! session stored in PostgreSQL. Server-only.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use tower_sessions::Session;
use uuid::Uuid;

use super::service::{self, SignedIn};
use super::types::CurrentUser;
use super::user_checks::UserChecks;
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
    let services = crate::services()?;
    let pool = &services.pool;
    user_in(&session, pool).await
}

/// The user a session is signed in as, if any; for handlers outside the
/// Leptos context (file downloads).
pub async fn user_in(
    session: &Session,
    pool: &sqlx::PgPool,
) -> Result<Option<CurrentUser>, AppError> {
    let Some((user_id, epoch)) = signed_in_as(session).await? else {
        return Ok(None);
    };
    let user = service::user_for_session(pool, user_id, epoch).await?;
    kept_alive(session, user).await
}

/// [`user_in`] from `checks`: the answer may come from memory, and so lag a
/// change to the user by a notification's trip. Only for pages whose content
/// is the same for everyone (the header aside), never to decide access.
pub async fn recently_checked_user_in(
    session: &Session,
    checks: &UserChecks,
) -> Result<Option<CurrentUser>, AppError> {
    let Some((user_id, epoch)) = signed_in_as(session).await? else {
        return Ok(None);
    };
    let user = checks.user(user_id, epoch).await?;
    kept_alive(session, user).await
}

/// The user id and session epoch a session holds, unchecked.
async fn signed_in_as(session: &Session) -> Result<Option<(Uuid, i32)>, AppError> {
    let user_id: Option<Uuid> = session.get(USER_ID).await.map_err(session_error)?;
    let epoch: Option<i32> = session.get(SESSION_EPOCH).await.map_err(session_error)?;
    Ok(user_id.zip(epoch))
}

async fn kept_alive(
    session: &Session,
    user: Option<CurrentUser>,
) -> Result<Option<CurrentUser>, AppError> {
    if user.is_some() {
        keep_alive(session).await?;
    }
    Ok(user)
}

/// The user id a session names, unchecked (no database): enough to label
/// what a browser keeps for its learner, never to decide what they may see.
pub async fn named_user(session: &Session) -> Option<Uuid> {
    session.get(USER_ID).await.ok().flatten()
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
    if user.role == super::types::Role::Admin {
        Ok(user)
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

/// The client's address, for throttling: the peer of the connection, or,
/// when that is one of the configured reverse proxies, the client it names in
/// `X-Forwarded-For`. An unconfigured proxy makes every visitor share its
/// address (and so its limits).
pub async fn client_address() -> String {
    let Ok(ConnectInfo(peer)) = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await else {
        return "unknown".to_owned();
    };
    let trusted = match crate::services() {
        Ok(services) => services.account.trusted_proxies.clone(),
        Err(_) => return peer.ip().to_string(),
    };
    if trusted.is_empty() {
        return peer.ip().to_string();
    }
    let forwarded: Vec<String> = leptos::prelude::use_context::<http::request::Parts>()
        .map(|request| {
            request
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .map(|hop| hop.trim().to_owned())
                .collect()
        })
        .unwrap_or_default();
    client_behind(peer.ip(), &forwarded, &trusted).to_string()
}

/// Walks `X-Forwarded-For` from the nearest hop outwards while the hop that
/// handed the request on is a trusted proxy: the first address not vouched
/// for by one is the client. Entries left of it are whatever the client
/// wrote, so they are never believed.
fn client_behind(peer: IpAddr, forwarded_for: &[String], trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    for hop in forwarded_for.iter().rev() {
        if !trusted.contains(&client) {
            break;
        }
        match hop.parse::<IpAddr>() {
            Ok(address) => client = address,
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hops(list: &[&str]) -> Vec<String> {
        list.iter().map(|hop| (*hop).to_owned()).collect()
    }

    #[test]
    fn the_client_is_the_first_address_no_trusted_proxy_vouches_for() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let edge: IpAddr = "10.0.0.6".parse().unwrap();
        let visitor: IpAddr = "203.0.113.7".parse().unwrap();
        // No proxies configured or an untrusted peer: the header is ignored.
        assert_eq!(
            client_behind(visitor, &hops(&["198.51.100.1"]), &[]),
            visitor
        );
        assert_eq!(
            client_behind(visitor, &hops(&["198.51.100.1"]), &[proxy]),
            visitor
        );
        // One proxy in front.
        assert_eq!(
            client_behind(proxy, &hops(&["203.0.113.7"]), &[proxy]),
            visitor
        );
        // Two proxies; a forged entry left of the real client is not believed.
        assert_eq!(
            client_behind(
                proxy,
                &hops(&["1.2.3.4", "203.0.113.7", "10.0.0.6"]),
                &[proxy, edge]
            ),
            visitor
        );
        // A proxy that forwards no header, or a garbled one: the proxy itself.
        assert_eq!(client_behind(proxy, &[], &[proxy]), proxy);
        assert_eq!(
            client_behind(proxy, &hops(&["not an address"]), &[proxy]),
            proxy
        );
    }
}
