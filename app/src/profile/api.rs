//! Profile server functions; the learner always comes from the session.

use leptos::prelude::*;

use super::{HistoryEntry, ProfileData, SaveOutcome};
use crate::AppError;

#[cfg(feature = "ssr")]
use super::ProfileState;
#[cfg(feature = "ssr")]
use crate::account::require_user;

#[server(endpoint = "profile/get")]
pub async fn my_profile() -> Result<ProfileData, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    super::service::page(pool, user.id).await
}

/// Saves the profile form. `expected_version` is the version the form was
/// loaded from; a newer one in the database means another tab got there first.
#[server(endpoint = "profile/save")]
pub async fn save_profile(
    expected_version: String,
    learning_goal: String,
    current_level: String,
    hours_per_week: String,
    #[server(default)] interests: Vec<String>,
) -> Result<SaveOutcome, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let writer = &services.profile_writer;
    let state =
        ProfileState::from_form(&learning_goal, &current_level, &hours_per_week, &interests)
            .map_err(AppError::invalid)?;
    let expected_version = expected_version
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::bad_request("The form is missing its version; reload the page."))?;
    let outcome = writer
        .save(super::service::SaveRequest {
            user_id: user.id,
            expected_version,
            input: state,
        })
        .await
        // The writer task decided the answer but has no response to set its
        // status on; this request's task does.
        .map_err(AppError::with_status)?;
    // Plain HTML forms land back on the page with the outcome in the address.
    match &outcome {
        SaveOutcome::Saved { version, .. } => {
            leptos_axum::redirect(&format!("/profile?saved={version}"))
        }
        SaveOutcome::Unchanged { .. } => leptos_axum::redirect("/profile?unchanged=1"),
    }
    Ok(outcome)
}

#[server(endpoint = "profile/history")]
pub async fn my_profile_history() -> Result<Vec<HistoryEntry>, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    super::service::history(pool, user.id).await
}
