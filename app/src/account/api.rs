//! Account server functions. Each one that acts on a learner takes the user
//! from the session, never from its arguments.

use leptos::prelude::*;

use super::CurrentUser;
use crate::AppError;

#[cfg(feature = "ssr")]
use super::{service, session, types::safe_return_path};

#[cfg(feature = "ssr")]
fn redirect(path: &str) {
    leptos_axum::redirect(path);
}

/// The signed-in user, or `None`.
#[server(endpoint = "account/me")]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    session::current_user().await
}

#[server(endpoint = "account/signup")]
pub async fn sign_up(
    email: String,
    password: String,
    password_confirmation: String,
    next: Option<String>,
) -> Result<(), AppError> {
    let services = crate::services()?;
    let pool = &services.pool;
    let client = session::client_address().await;
    let signed_in =
        service::sign_up(pool, &email, &password, &password_confirmation, &client).await?;
    session::start(&signed_in).await?;
    tracing::info!(user_id = %signed_in.user.id, "signed up");
    let landing = match next.as_deref().map(str::trim) {
        Some(next) if !next.is_empty() => safe_return_path(Some(next)),
        _ => "/profile?welcome=1".to_owned(),
    };
    redirect(&landing);
    Ok(())
}

#[server(endpoint = "account/login")]
pub async fn log_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let services = crate::services()?;
    let pool = &services.pool;
    let client = session::client_address().await;
    let signed_in = service::authenticate(pool, &email, &password, &client).await?;
    session::start(&signed_in).await?;
    redirect(&safe_return_path(next.as_deref()));
    Ok(())
}

/// The browser drops what it keeps for the learner who leaves: the service
/// worker's copies of their pages, the offline outbox, the saved catalog
/// (`Clear-Site-Data: "storage"`). The page does the same itself, for a
/// logout made offline, which gets no response.
#[cfg(feature = "ssr")]
fn forget_the_learner_on_this_device() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::HeaderName::from_static("clear-site-data"),
            http::HeaderValue::from_static("\"storage\""),
        );
    }
}

#[server(endpoint = "account/logout")]
pub async fn log_out() -> Result<(), AppError> {
    session::end().await?;
    forget_the_learner_on_this_device();
    redirect("/");
    Ok(())
}

#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let user = session::require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    let epoch = service::change_password(
        pool,
        user.id,
        &current_password,
        &new_password,
        &new_password_confirmation,
    )
    .await?;
    session::renew(epoch).await?;
    redirect("/account?changed=password");
    Ok(())
}

#[server(endpoint = "account/deactivate")]
pub async fn deactivate_account(password: String) -> Result<(), AppError> {
    let user = session::require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    service::deactivate(pool, user.id, &password).await?;
    session::end().await?;
    forget_the_learner_on_this_device();
    tracing::info!(user_id = %user.id, "account deactivated");
    redirect("/login?deactivated=1");
    Ok(())
}

/// Always the same answer for a valid email, whether or not it has an
/// account (a throttled email too); the email goes out in the background so
/// timing tells nothing.
#[server(endpoint = "account/forgot")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let services = crate::services()?;
    let pool = &services.pool;
    let settings = &services.account;
    let client = session::client_address().await;
    if let Some((address, token)) = service::start_password_reset(pool, &email, &client).await? {
        let link = format!(
            "{}/reset-password?token={token}",
            settings.public_url.trim_end_matches('/')
        );
        let mailer = services.mailer.clone();
        tokio::spawn(async move {
            if let Err(error) = mailer.send_password_reset(&address, &link).await {
                tracing::error!(%error, "password reset email not sent");
            }
        });
    }
    redirect("/forgot-password?sent=1");
    Ok(())
}

#[server(endpoint = "account/reset")]
pub async fn reset_password(
    token: String,
    new_password: String,
    new_password_confirmation: String,
) -> Result<(), AppError> {
    let services = crate::services()?;
    let pool = &services.pool;
    service::finish_password_reset(pool, &token, &new_password, &new_password_confirmation).await?;
    redirect("/login?reset=1");
    Ok(())
}
