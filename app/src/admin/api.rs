//! Admin server functions: every one checks the admin role first.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use uuid::Uuid;

use super::{Dashboard, LearnerHistory, LearnerRow, SegmentFilter, SegmentResult, UserList};
use crate::AppError;

#[cfg(feature = "ssr")]
use crate::account::require_admin;

#[server(endpoint = "admin/dashboard")]
pub async fn admin_dashboard(
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
    #[server(default)] within: Option<String>,
) -> Result<Dashboard, AppError> {
    require_admin().await?;
    // The figures are hourly aggregates: a replica's copy is as good.
    let services = crate::services()?;
    let analytics = &services.read_pool;
    let (period, start, end) = super::service::analytics::period_from(
        from.as_deref(),
        to.as_deref(),
        within.as_deref(),
        chrono::Utc::now().date_naive(),
    );
    super::service::analytics::dashboard(analytics.current(), period, start, end).await
}

/// Recomputes the analytics now; returns how long it took (ms).
#[server(endpoint = "admin/refresh")]
pub async fn refresh_analytics() -> Result<i32, AppError> {
    require_admin().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    super::service::analytics::refresh(pool).await
}

#[server(endpoint = "admin/segment")]
pub async fn admin_segment(filter: SegmentFilter) -> Result<SegmentResult, AppError> {
    require_admin().await?;
    let services = crate::services()?;
    let analytics = &services.read_pool;
    super::service::learners::segment(
        analytics.current(),
        &filter,
        Some(super::service::learners::SEGMENT_SHOWN),
    )
    .await
}

#[server(endpoint = "admin/users")]
pub async fn admin_users(
    #[server(default)] search: String,
    #[server(default)] page: Option<i64>,
) -> Result<UserList, AppError> {
    require_admin().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    super::service::learners::users(pool, &search, Some(page.unwrap_or(1))).await
}

/// Deactivates or reactivates a user ("true"/"false" from the form).
#[server(endpoint = "admin/set-active")]
pub async fn set_user_active(
    user_id: String,
    active: String,
    #[server(default)] search: String,
) -> Result<LearnerRow, AppError> {
    let admin = require_admin().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    let user_id = user_id_from(&user_id)?;
    let active = match active.trim() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(AppError::bad_request(
                "Say whether the account should be active (true or false).",
            ));
        }
    };
    let user = super::service::learners::set_active(pool, admin.id, user_id, active).await?;
    // Back to the list as it was, for forms posted without JavaScript.
    let back = form_urlencoded::Serializer::new(String::new())
        .append_pair("q", search.trim())
        .append_pair("changed", &user_id.to_string())
        .finish();
    leptos_axum::redirect(&format!("/admin/users?{back}"));
    Ok(user)
}

#[server(endpoint = "admin/learner")]
pub async fn admin_learner(user_id: String) -> Result<LearnerHistory, AppError> {
    require_admin().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    let user_id = user_id_from(&user_id)?;
    super::service::learners::history(pool, user_id).await
}

/// The user a form or link names; anything but an id names no one.
#[cfg(feature = "ssr")]
fn user_id_from(text: &str) -> Result<Uuid, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::not_found("There is no such user."))
}
