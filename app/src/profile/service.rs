//! Profile reads and the versioned save. Server-only.
//!
//! A save is one statement (so one transaction): update the row with
//! `version = version + 1` computed by the database, guarded by the version
//! the form was loaded from, replace the interests, and insert the snapshot
//! of the new state. The database refuses to commit a version without its
//! matching snapshot (see the profile_versions migration).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::model::{HistoryEntry, Level, ProfileData, ProfileState, SaveOutcome, TagGroup};
use crate::{AppError, FormErrors};

pub const CHANGED_ELSEWHERE: &str = "Your profile was changed elsewhere (another tab or device) since you opened this page. Reload to see the latest version, then make your change again.";

#[derive(sqlx::FromRow)]
struct ProfileRow {
    id: Uuid,
    version: i32,
    learning_goal: Option<String>,
    current_level: Option<String>,
    time_commitment: Option<i32>,
    interests: Vec<String>,
}

/// A profile state from its database columns. The level's CHECK constraint
/// admits only known values.
fn state_from_columns(
    learning_goal: &Option<String>,
    current_level: &Option<String>,
    time_commitment: Option<i32>,
    interests: &[String],
) -> ProfileState {
    ProfileState {
        learning_goal: learning_goal.clone(),
        current_level: current_level
            .as_deref()
            .and_then(|text| text.parse::<Level>().ok()),
        hours_per_week: time_commitment,
        interests: interests.to_vec(),
    }
}

impl ProfileRow {
    fn state(&self) -> ProfileState {
        state_from_columns(
            &self.learning_goal,
            &self.current_level,
            self.time_commitment,
            &self.interests,
        )
    }
}

const PROFILE_COLUMNS: &str = r#"
    p.id, p.version, p.learning_goal, p.current_level, p.time_commitment,
    coalesce((select array_agg(t.name order by t.name)
              from user_interests ui join tags t on t.id = ui.tag_id
              where ui.user_profile_id = p.id), '{}') as interests
"#;

async fn profile_of(pool: &PgPool, user_id: Uuid) -> Result<ProfileRow, AppError> {
    sqlx::query_as(&format!(
        "select {PROFILE_COLUMNS} from user_profiles p where p.user_id = $1"
    ))
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found("This account has no profile."))
}

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    version: i32,
    learning_goal: Option<String>,
    current_level: Option<String>,
    time_commitment: Option<i32>,
    interests_snapshot: sqlx::types::Json<Vec<String>>,
    created_at: DateTime<Utc>,
}

impl SnapshotRow {
    fn state(&self) -> ProfileState {
        state_from_columns(
            &self.learning_goal,
            &self.current_level,
            self.time_commitment,
            &self.interests_snapshot.0,
        )
    }
}

async fn snapshots(
    pool: &PgPool,
    user_id: Uuid,
    from_version: i32,
) -> Result<Vec<SnapshotRow>, sqlx::Error> {
    sqlx::query_as(
        "select version, learning_goal, current_level, time_commitment, interests_snapshot, created_at
         from user_profile_snapshots where user_id = $1 and version >= $2 order by version",
    )
    .bind(user_id)
    .bind(from_version)
    .fetch_all(pool)
    .await
}

/// The learner's newest snapshot: the current state and its version, read
/// from one row, so they always belong together.
pub async fn newest_version(pool: &PgPool, user_id: Uuid) -> Result<(i32, ProfileState), AppError> {
    let row: SnapshotRow = sqlx::query_as(
        "select version, learning_goal, current_level, time_commitment, interests_snapshot, created_at
         from user_profile_snapshots where user_id = $1 order by version desc limit 1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found("This account has no profile."))?;
    Ok((row.version, row.state()))
}

/// The learner's hours per week, when their profile says.
pub async fn hours_per_week(pool: &PgPool, user_id: Uuid) -> Result<Option<i32>, AppError> {
    Ok(
        sqlx::query_scalar("select time_commitment from user_profiles where user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?
            .flatten(),
    )
}

/// The profile page: current state, what the last save changed, and the
/// tags to choose interests from.
pub async fn page(pool: &PgPool, user_id: Uuid) -> Result<ProfileData, AppError> {
    let profile = profile_of(pool, user_id).await?;
    let recent = snapshots(pool, user_id, profile.version - 1).await?;
    let latest_changes = match recent.as_slice() {
        [before, after] => after.state().changes_since(&before.state()),
        _ => Vec::new(),
    };
    let tags: Vec<(String, String)> =
        sqlx::query_as("select category, name from tags order by category, name")
            .fetch_all(pool)
            .await?;
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (category, name) in tags {
        groups.entry(category).or_default().push(name);
    }
    Ok(ProfileData {
        version: profile.version,
        state: profile.state(),
        latest_changes,
        tag_groups: groups
            .into_iter()
            .map(|(category, tags)| TagGroup { category, tags })
            .collect(),
    })
}

/// The learner's timeline, newest first, from the snapshots alone.
pub async fn history(pool: &PgPool, user_id: Uuid) -> Result<Vec<HistoryEntry>, AppError> {
    let rows = snapshots(pool, user_id, 1).await?;
    let mut entries = Vec::with_capacity(rows.len());
    let mut previous: Option<ProfileState> = None;
    for row in rows {
        let state = row.state();
        entries.push(HistoryEntry {
            version: row.version,
            saved_at: crate::time::readable(row.created_at),
            changes: previous
                .as_ref()
                .map_or_else(Vec::new, |before| state.changes_since(before)),
        });
        previous = Some(state);
    }
    entries.reverse();
    Ok(entries)
}

/// Saves a new version when `input` differs from the current state and the
/// profile is still at `expected_version`.
///
/// One statement, so one round trip and one implicit transaction. Its parts
/// all see the state from before the statement: `current` is what the form
/// is compared against, `chosen` resolves the interests' names, and the
/// update writes only when the version is still the expected one, every
/// chosen tag exists and something differs. The interests and the snapshot
/// of the new state follow the update, so they commit together with it (and
/// the deferred checks run at its end).
pub async fn save(
    pool: &PgPool,
    user_id: Uuid,
    expected_version: i32,
    input: ProfileState,
) -> Result<SaveOutcome, AppError> {
    let attempt: Option<SaveAttempt> = sqlx::query_as(
        r#"
        with chosen as (
            select coalesce(array_agg(id order by name), '{}') as tag_ids,
                   coalesce(array_agg(name order by name), '{}') as names
            from tags where name = any($5)
        ), current as (
            select p.id, p.version, p.learning_goal, p.current_level, p.time_commitment,
                   coalesce((select array_agg(t.name order by t.name)
                             from user_interests ui join tags t on t.id = ui.tag_id
                             where ui.user_profile_id = p.id), '{}') as interests
            from user_profiles p where p.user_id = $1
        ), updated as (
            update user_profiles p
            set learning_goal = $2, current_level = $3, time_commitment = $4, version = p.version + 1
            from current, chosen
            where p.id = current.id and p.version = $6
              and cardinality(chosen.names) = cardinality($5)
              and ((p.learning_goal, p.current_level, p.time_commitment) is distinct from ($2, $3, $4)
                   or current.interests <> chosen.names)
            returning p.id, p.user_id, p.version, p.learning_goal, p.current_level, p.time_commitment
        ), removed as (
            delete from user_interests ui
            using updated, chosen
            where ui.user_profile_id = updated.id and not (ui.tag_id = any(chosen.tag_ids))
        ), added as (
            insert into user_interests (user_profile_id, tag_id)
            select updated.id, tag_id from updated, chosen, unnest(chosen.tag_ids) as tag_id
            on conflict do nothing
        ), snapshot as (
            insert into user_profile_snapshots
                (user_profile_id, user_id, version, learning_goal, current_level, time_commitment, interests_snapshot)
            select updated.id, updated.user_id, updated.version, updated.learning_goal,
                   updated.current_level, updated.time_commitment, to_jsonb(chosen.names)
            from updated, chosen
            returning version
        )
        select current.id, current.version, current.learning_goal, current.current_level,
               current.time_commitment, current.interests, chosen.names as known_interests,
               (select version from snapshot) as saved_version
        from current, chosen
        "#,
    )
    .bind(user_id)
    .bind(&input.learning_goal)
    .bind(input.current_level.map(Level::as_str))
    .bind(input.hours_per_week)
    .bind(&input.interests)
    .bind(expected_version)
    .fetch_optional(pool)
    .await?;
    let attempt = attempt.ok_or_else(|| AppError::not_found("This account has no profile."))?;

    let unknown: Vec<&str> = input
        .interests
        .iter()
        .filter(|name| !attempt.known_interests.contains(name))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid(FormErrors::new().with(
            "interests",
            format!(
                "Not in the catalog: {}. Choose interests from the list.",
                unknown.join(", ")
            ),
        )));
    }
    if attempt.current.version != expected_version {
        return Err(AppError::invalid(FormErrors::form(CHANGED_ELSEWHERE)));
    }
    let changes = input.changes_since(&attempt.current.state());
    match attempt.saved_version {
        Some(version) => Ok(SaveOutcome::Saved { version, changes }),
        None if changes.is_empty() => Ok(SaveOutcome::Unchanged {
            version: attempt.current.version,
        }),
        // Another save committed between the statement's start and its
        // update, which re-checks the version on the newest row.
        None => Err(AppError::invalid(FormErrors::form(CHANGED_ELSEWHERE))),
    }
}

/// What one save statement saw and did: the profile before it, which of the
/// chosen interests the catalog has, and the new version if it wrote one.
#[derive(sqlx::FromRow)]
struct SaveAttempt {
    #[sqlx(flatten)]
    current: ProfileRow,
    known_interests: Vec<String>,
    saved_version: Option<i32>,
}

#[cfg(test)]
mod tests;
