//! Recommendation server functions; the learner always comes from the session.

use leptos::prelude::*;

use super::{RecommendOutcome, Recommendation, RecommendationsData};
use crate::AppError;

#[cfg(feature = "ssr")]
use crate::account::require_user;

#[cfg(feature = "ssr")]
fn parse_id(text: &str, what: &str) -> Result<uuid::Uuid, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::bad_request(format!("The {what} is not valid; reload the page.")))
}

#[server(endpoint = "recommendations/page")]
pub async fn load_recommendations() -> Result<RecommendationsData, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    super::service::page(pool, &services.recommend, user.id).await
}

/// Asks for recommendations. `request_id` is the form's one-time token, so a
/// double submit yields one recommendation.
#[server(endpoint = "recommendations/request")]
pub async fn request_recommendations(
    request_id: String,
    #[server(default)] question: String,
) -> Result<RecommendOutcome, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    let question = super::question_from_form(&question).map_err(AppError::invalid)?;
    let request_id = parse_id(&request_id, "request form")?;
    let catalog = &services.read_pool;
    let outcome = super::service::recommend(
        pool,
        catalog,
        &services.recommend,
        user.id,
        request_id,
        question.clone(),
    )
    .await?;
    // Plain HTML forms land back on the page, which shows the outcome.
    match &outcome {
        RecommendOutcome::Recommended(recommendation) => {
            leptos_axum::redirect(&format!("/recommendations?shown={}", recommendation.id))
        }
        RecommendOutcome::OffTopic { .. } => {
            let asked: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("off_topic", question.as_deref().unwrap_or_default())
                .finish();
            leptos_axum::redirect(&format!("/recommendations?{asked}"))
        }
    }
    Ok(outcome)
}

/// Rates one of the learner's recommendations, 1–5 stars with optional
/// feedback; rating again replaces the earlier rating.
#[server(endpoint = "recommendations/rate")]
pub async fn rate_recommendation(
    recommendation_id: String,
    #[server(default)] rating: String,
    #[server(default)] feedback: String,
    #[server(default)] return_to: String,
) -> Result<Recommendation, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    let rating = super::Rating::from_form(&rating, &feedback).map_err(AppError::invalid)?;
    let id = parse_id(&recommendation_id, "recommendation")
        .map_err(|_| AppError::not_found("There is no such recommendation."))?;
    let rated = super::service::rate(pool, user.id, id, &rating).await?;
    // Back to the page the rating was given on; only these two have ratings.
    let path = if return_to.trim() == "/recommendations/history" {
        "/recommendations/history"
    } else {
        "/recommendations"
    };
    leptos_axum::redirect(&format!("{path}?rated={id}#recommendation-{id}"));
    Ok(rated)
}

#[server(endpoint = "recommendations/history")]
pub async fn recommendation_history() -> Result<Vec<Recommendation>, AppError> {
    let user = require_user().await?;
    let services = crate::services()?;
    let pool = &services.pool;
    super::service::history(pool, user.id).await
}
