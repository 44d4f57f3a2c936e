//! Profile reads and the versioned save. Server-only.
//!
//! A save is one statement (so one transaction), for one learner or a batch
//! of them: update the row with `version = version + 1` computed by the
//! database, guarded by the version the form was loaded from, replace the
//! interests, and insert the snapshot of the new state. The database refuses
//! to commit a version without its matching snapshot (see the
//! profile_versions migration).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::types::{HistoryEntry, Level, ProfileData, ProfileState, SaveOutcome};
use crate::{AppError, FormErrors};

pub const CHANGED_ELSEWHERE: &str = "Your profile was changed elsewhere (another tab or device) since you opened this page. Reload to see the latest version, then make your change again.";

struct ProfileRow {
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

async fn profile_of(pool: &PgPool, user_id: Uuid) -> Result<ProfileRow, AppError> {
    sqlx::query_as!(
        ProfileRow,
        r#"select p.version, p.learning_goal, p.current_level, p.time_commitment,
                  coalesce((select array_agg(t.name order by t.name)
                            from user_interests ui join tags t on t.id = ui.tag_id
                            where ui.user_profile_id = p.id), '{}') as "interests!"
           from user_profiles p where p.user_id = $1"#,
        user_id,
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found("This account has no profile."))
}

struct SnapshotRow {
    version: i32,
    learning_goal: Option<String>,
    current_level: Option<String>,
    time_commitment: Option<i32>,
    interests_snapshot: Json<Vec<String>>,
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
    sqlx::query_as!(
        SnapshotRow,
        r#"select version, learning_goal, current_level, time_commitment,
                  interests_snapshot as "interests_snapshot: Json<Vec<String>>",
                  created_at as "created_at: DateTime<Utc>"
           from user_profile_snapshots where user_id = $1 and version >= $2 order by version"#,
        user_id,
        from_version,
    )
    .fetch_all(pool)
    .await
}

/// Starts a new learner's profile at version 1, empty, with its snapshot, in
/// the sign-up's transaction: the profile history starts with the account.
pub async fn create_first_version(
    connection: &mut PgConnection,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "with profile as (
             insert into user_profiles (user_id) values ($1) returning id, user_id, version
         )
         insert into user_profile_snapshots (user_profile_id, user_id, version, interests_snapshot)
         select id, user_id, version, '[]' from profile",
        user_id,
    )
    .execute(connection)
    .await?;
    Ok(())
}

/// The learner's newest snapshot: the current state and its version, read
/// from one row, so they always belong together.
pub async fn newest_version(pool: &PgPool, user_id: Uuid) -> Result<(i32, ProfileState), AppError> {
    let row = sqlx::query_as!(
        SnapshotRow,
        r#"select version, learning_goal, current_level, time_commitment,
                  interests_snapshot as "interests_snapshot: Json<Vec<String>>",
                  created_at as "created_at: DateTime<Utc>"
           from user_profile_snapshots where user_id = $1 order by version desc limit 1"#,
        user_id,
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| AppError::not_found("This account has no profile."))?;
    Ok((row.version, row.state()))
}

/// The learner's hours per week, when their profile says.
pub async fn hours_per_week(pool: &PgPool, user_id: Uuid) -> Result<Option<i32>, AppError> {
    Ok(sqlx::query_scalar!(
        "select time_commitment from user_profiles where user_id = $1",
        user_id
    )
    .fetch_optional(pool)
    .await?
    .flatten())
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
    let tags = crate::catalog::service::tag_choices(pool).await?;
    Ok(ProfileData {
        version: profile.version,
        state: profile.state(),
        latest_changes,
        tag_groups: crate::catalog::group_by_category(tags),
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

/// One learner's save: the form's state and the version it was loaded from.
#[derive(Debug, Clone)]
pub struct SaveRequest {
    pub user_id: Uuid,
    pub expected_version: i32,
    pub input: ProfileState,
}

/// Saves a new version when `input` differs from the current state and the
/// profile is still at `expected_version`.
pub async fn save(
    pool: &PgPool,
    user_id: Uuid,
    expected_version: i32,
    input: ProfileState,
) -> Result<SaveOutcome, AppError> {
    let request = SaveRequest {
        user_id,
        expected_version,
        input,
    };
    save_one(pool, &request).await
}

/// One request saved on its own: a batch of one.
pub async fn save_one(pool: &PgPool, request: &SaveRequest) -> Result<SaveOutcome, AppError> {
    save_each(pool, std::slice::from_ref(request))
        .await?
        .pop()
        .unwrap_or(Err(AppError::Internal))
}

/// Saves several learners' profiles in one statement, so one round trip and
/// one commit for all of them (the writer batches concurrent saves this way);
/// returns one outcome per request, in order. Each request is judged on its
/// own: a stale form or an unknown tag refuses that save and no other. The
/// requests must be for different learners.
///
/// The statement's parts all see the state from before it: `current` is what
/// each form is compared against, `chosen` resolves the interests' names, and
/// the update writes a profile only when its version is still the expected
/// one, every chosen tag exists and something differs. Interests and the
/// snapshot of each new state follow from the updated rows, so they commit
/// together with them (and the deferred checks run at the end).
pub async fn save_each(
    pool: &PgPool,
    requests: &[SaveRequest],
) -> Result<Vec<Result<SaveOutcome, AppError>>, AppError> {
    let mut user_ids = Vec::with_capacity(requests.len());
    let mut goals = Vec::with_capacity(requests.len());
    let mut levels = Vec::with_capacity(requests.len());
    let mut hours = Vec::with_capacity(requests.len());
    let mut expected_versions = Vec::with_capacity(requests.len());
    let mut interest_owners: Vec<i64> = Vec::new();
    let mut interest_names: Vec<&str> = Vec::new();
    for (position, request) in (1_i64..).zip(requests) {
        user_ids.push(request.user_id);
        goals.push(request.input.learning_goal.as_deref());
        levels.push(request.input.current_level.map(Level::as_str));
        hours.push(request.input.hours_per_week);
        expected_versions.push(request.expected_version);
        for name in &request.input.interests {
            interest_owners.push(position);
            interest_names.push(name);
        }
    }
    let attempts = sqlx::query_as!(
        SaveAttempt,
        r#"
        with input as (
            select * from unnest($1::uuid[], $2::text[], $3::text[], $4::int4[], $5::int4[])
                with ordinality as i(user_id, learning_goal, current_level, time_commitment, expected_version, position)
        ), chosen as (
            select i.position,
                   coalesce(array_agg(t.id order by t.name) filter (where t.id is not null), '{}') as tag_ids,
                   coalesce(array_agg(t.name order by t.name) filter (where t.id is not null), '{}') as names,
                   count(w.name) as wanted
            from input i
            left join unnest($6::int8[], $7::text[]) as w(position, name) on w.position = i.position
            left join tags t on t.name = w.name
            group by i.position
        ), current as (
            select i.position, p.id, p.user_id, p.version, p.learning_goal, p.current_level, p.time_commitment,
                   coalesce((select array_agg(t.name order by t.name)
                             from user_interests ui join tags t on t.id = ui.tag_id
                             where ui.user_profile_id = p.id), '{}') as interests
            from input i join user_profiles p on p.user_id = i.user_id
        ), updated as (
            update user_profiles p
            set learning_goal = i.learning_goal, current_level = i.current_level,
                time_commitment = i.time_commitment, version = p.version + 1
            from input i
            join current c on c.position = i.position
            join chosen ch on ch.position = i.position
            where p.id = c.id and p.version = i.expected_version
              and cardinality(ch.names) = ch.wanted
              and ((p.learning_goal, p.current_level, p.time_commitment)
                       is distinct from (i.learning_goal, i.current_level, i.time_commitment)
                   or c.interests <> ch.names)
            returning p.id, p.user_id, p.version, p.learning_goal, p.current_level, p.time_commitment,
                      i.position
        ), removed as (
            delete from user_interests ui
            using updated u join chosen ch on ch.position = u.position
            where ui.user_profile_id = u.id and not (ui.tag_id = any(ch.tag_ids))
        ), added as (
            insert into user_interests (user_profile_id, tag_id)
            select u.id, tag_id
            from updated u join chosen ch on ch.position = u.position, unnest(ch.tag_ids) as tag_id
            on conflict do nothing
        ), snapshot as (
            insert into user_profile_snapshots
                (user_profile_id, user_id, version, learning_goal, current_level, time_commitment, interests_snapshot)
            select u.id, u.user_id, u.version, u.learning_goal, u.current_level, u.time_commitment,
                   to_jsonb(ch.names)
            from updated u join chosen ch on ch.position = u.position
            returning user_id, version
        )
        select c.position as "position!", c.version as "version!", c.learning_goal,
               c.current_level, c.time_commitment, c.interests as "interests!",
               ch.names as "known_interests!", s.version as "saved_version?"
        from current c
        join chosen ch on ch.position = c.position
        left join snapshot s on s.user_id = c.user_id
        "#,
        &user_ids,
        &goals as &[Option<&str>],
        &levels as &[Option<&str>],
        &hours as &[Option<i32>],
        &expected_versions,
        &interest_owners,
        &interest_names as &[&str],
    )
        .fetch_all(pool)
        .await?;

    let mut by_position: BTreeMap<i64, SaveAttempt> = attempts
        .into_iter()
        .map(|attempt| (attempt.position, attempt))
        .collect();
    Ok((1_i64..)
        .zip(requests)
        .map(|(position, request)| match by_position.remove(&position) {
            Some(attempt) => attempt.outcome(request),
            None => Err(AppError::not_found("This account has no profile.")),
        })
        .collect())
}

/// What the save statement saw and did for one request: the profile before
/// it, which of the chosen interests the catalog has, and the new version if
/// it wrote one.
struct SaveAttempt {
    position: i64,
    version: i32,
    learning_goal: Option<String>,
    current_level: Option<String>,
    time_commitment: Option<i32>,
    interests: Vec<String>,
    known_interests: Vec<String>,
    saved_version: Option<i32>,
}

impl SaveAttempt {
    fn current(&self) -> ProfileState {
        state_from_columns(
            &self.learning_goal,
            &self.current_level,
            self.time_commitment,
            &self.interests,
        )
    }

    fn outcome(self, request: &SaveRequest) -> Result<SaveOutcome, AppError> {
        let unknown: Vec<&str> = request
            .input
            .interests
            .iter()
            .filter(|name| !self.known_interests.contains(name))
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
        if self.version != request.expected_version {
            return Err(AppError::invalid(FormErrors::form(CHANGED_ELSEWHERE)));
        }
        let current = self.current();
        // The form's interests in the order the database keeps them, so the
        // answer reads as the profile page would from the database.
        let state = ProfileState {
            interests: self.known_interests,
            ..request.input.clone()
        };
        let changes = state.changes_since(&current);
        match self.saved_version {
            Some(version) => Ok(SaveOutcome::Saved {
                version,
                state,
                changes,
            }),
            None if changes.is_empty() => Ok(SaveOutcome::Unchanged {
                version: self.version,
            }),
            // Another save committed between the statement's start and its
            // update, which re-checks the version on the newest row.
            None => Err(AppError::invalid(FormErrors::form(CHANGED_ELSEWHERE))),
        }
    }
}

#[cfg(test)]
pub(super) mod tests;
