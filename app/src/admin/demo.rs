//! Writing demo learners in bulk: whole journeys (sign-up, every profile
//! version with its snapshot, recommendations and ratings) with backdated
//! timestamps, through COPY. Server-only.
//!
//! The generator (`server seed-demo`) simulates journeys and hands them here;
//! the analytics tests hand in journeys written by hand. Demo learners are
//! flagged `is_demo` and live at DEMO_EMAIL_DOMAIN, so nothing here can be
//! mistaken for a person; `purge` removes them.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub const DEMO_EMAIL_DOMAIN: &str = "demo.acmelearn.invalid";

/// The state of a profile from one version on.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoVersion {
    pub at: DateTime<Utc>,
    pub goal: Option<String>,
    pub level: Option<&'static str>,
    pub hours: Option<i32>,
    /// Tag names, sorted, as the snapshot stores them.
    pub interests: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoRecommendation {
    pub at: DateTime<Utc>,
    pub profile_version: i32,
    pub model: String,
    pub course_ids: Vec<Uuid>,
    pub question: Option<String>,
    pub rating: Option<i16>,
    pub feedback: Option<String>,
    pub rated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoLearner {
    pub id: Uuid,
    pub email: String,
    pub signed_up_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Version 1 first; never empty.
    pub versions: Vec<DemoVersion>,
    pub recommendations: Vec<DemoRecommendation>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("learner {0} has no profile version")]
    NoVersions(String),
    #[error("interest “{0}” is not a tag of the catalog")]
    UnknownTag(String),
}

/// One value in COPY's text format: backslash, tab and line breaks escaped,
/// `\N` for null.
fn field(out: &mut String, value: Option<&str>) {
    match value {
        None => out.push_str("\\N"),
        Some(text) => {
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    other => out.push(other),
                }
            }
        }
    }
}

/// One row: fields separated by tabs, ended by a newline.
fn row(out: &mut String, values: &[Option<&str>]) {
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push('\t');
        }
        field(out, *value);
    }
    out.push('\n');
}

async fn copy(
    connection: &mut PgConnection,
    statement: &str,
    data: String,
) -> Result<(), sqlx::Error> {
    let mut copy = connection.copy_in_raw(statement).await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

fn uuid_array(ids: &[Uuid]) -> String {
    let mut text = String::from("{");
    for (index, id) in ids.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        let _ = write!(text, "{id}");
    }
    text.push('}');
    text
}

/// The tag ids by name, for writing interests.
pub async fn tag_ids(pool: &PgPool) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    Ok(sqlx::query!("select name, id from tags")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|tag| (tag.name, tag.id))
        .collect())
}

/// Writes the learners in one transaction. `password_hash` is stored for
/// all of them: a hash of a password nobody knows, so none can log in.
pub async fn write(
    pool: &PgPool,
    learners: &[DemoLearner],
    password_hash: &str,
    tags: &HashMap<String, Uuid>,
) -> Result<(), DemoError> {
    let mut users = String::new();
    let mut profiles = String::new();
    let mut snapshots = String::new();
    let mut interests = String::new();
    let mut recommendations = String::new();
    for learner in learners {
        let last = learner
            .versions
            .last()
            .ok_or_else(|| DemoError::NoVersions(learner.email.clone()))?;
        let user_id = learner.id.to_string();
        let signed_up = timestamp(learner.signed_up_at);
        let last_changed = timestamp(last.at);
        row(
            &mut users,
            &[
                Some(&user_id),
                Some(&learner.email),
                Some(password_hash),
                Some("true"),
                Some(&signed_up),
                Some(&last_changed),
                learner.last_seen_at.map(timestamp).as_deref(),
            ],
        );
        let profile_id = Uuid::new_v4().to_string();
        let version_count = learner.versions.len().to_string();
        let last_hours = last.hours.map(|hours| hours.to_string());
        row(
            &mut profiles,
            &[
                Some(&profile_id),
                Some(&user_id),
                last.goal.as_deref(),
                last.level,
                last_hours.as_deref(),
                Some(&version_count),
                Some(&signed_up),
                Some(&last_changed),
            ],
        );
        for (index, version) in learner.versions.iter().enumerate() {
            let number = (index + 1).to_string();
            let hours = version.hours.map(|hours| hours.to_string());
            let names = serde_json::to_string(&version.interests).unwrap_or_else(|_| "[]".into());
            let at = timestamp(version.at);
            row(
                &mut snapshots,
                &[
                    Some(&profile_id),
                    Some(&user_id),
                    Some(&number),
                    version.goal.as_deref(),
                    version.level,
                    hours.as_deref(),
                    Some(&names),
                    Some(&at),
                ],
            );
        }
        for name in &last.interests {
            let tag = tags
                .get(name)
                .ok_or_else(|| DemoError::UnknownTag(name.clone()))?
                .to_string();
            row(
                &mut interests,
                &[Some(&profile_id), Some(&tag), Some(&last_changed)],
            );
        }
        for recommendation in &learner.recommendations {
            let version = recommendation.profile_version.to_string();
            let explanations: Vec<serde_json::Value> = recommendation
                .course_ids
                .iter()
                .map(|id| serde_json::json!({"course_id": id, "score": 0, "explanation": "Demo data."}))
                .collect();
            let explanations = serde_json::Value::Array(explanations).to_string();
            let rating = recommendation.rating.map(|stars| stars.to_string());
            row(
                &mut recommendations,
                &[
                    Some(&user_id),
                    Some(&version),
                    recommendation.question.as_deref(),
                    Some(&uuid_array(&recommendation.course_ids)),
                    Some("Demo recommendation."),
                    Some(&explanations),
                    Some(&recommendation.model),
                    Some(&recommendation.model),
                    rating.as_deref(),
                    recommendation.feedback.as_deref(),
                    recommendation.rated_at.map(timestamp).as_deref(),
                    Some(&timestamp(recommendation.at)),
                ],
            );
        }
    }

    let mut transaction = pool.begin().await?;
    copy(
        &mut transaction,
        "copy users (id, email, password_hash, is_demo, created_at, updated_at, last_seen_at) from stdin",
        users,
    )
    .await?;
    copy(
        &mut transaction,
        "copy user_profiles (id, user_id, learning_goal, current_level, time_commitment, version, created_at, updated_at) from stdin",
        profiles,
    )
    .await?;
    copy(
        &mut transaction,
        "copy user_profile_snapshots (user_profile_id, user_id, version, learning_goal, current_level, time_commitment, interests_snapshot, created_at) from stdin",
        snapshots,
    )
    .await?;
    copy(
        &mut transaction,
        "copy user_interests (user_profile_id, tag_id, created_at) from stdin",
        interests,
    )
    .await?;
    copy(
        &mut transaction,
        "copy recommendations (user_id, profile_version, query, recommended_course_ids, explanation, course_explanations, llm_model, requested_model, user_rating, user_feedback_text, feedback_at, created_at) from stdin",
        recommendations,
    )
    .await?;
    // The database checks every profile against its snapshot here, at commit.
    transaction.commit().await?;
    Ok(())
}

/// Removes every demo learner and everything they wrote; real learners'
/// history stays untouchable (the snapshot trigger allows this delete only
/// for demo learners, and only when asked for in this transaction).
/// Returns how many learners were removed.
pub async fn purge(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    sqlx::query!("set local acmelearn.purge_demo = 'on'")
        .execute(&mut *transaction)
        .await?;
    sqlx::query!(
        "delete from recommendations where user_id in (select id from users where is_demo)",
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from user_profile_snapshots where user_id in (select id from users where is_demo)",
    )
    .execute(&mut *transaction)
    .await?;
    sqlx::query!("delete from user_profiles where user_id in (select id from users where is_demo)")
        .execute(&mut *transaction)
        .await?;
    let removed = sqlx::query!("delete from users where is_demo")
        .execute(&mut *transaction)
        .await?
        .rows_affected();
    transaction.commit().await?;
    Ok(removed)
}
