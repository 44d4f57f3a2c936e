//! Learners for admins: segments of the current profiles, the user list,
//! deactivation, and a learner's history. Server-only.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::AppError;
use crate::admin::types::{LearnerHistory, LearnerRow, SegmentFilter, SegmentResult, UserList};
use crate::profile::Level;

pub const SEGMENT_SHOWN: i64 = 20;
pub const USERS_PER_PAGE: i64 = 50;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    email: String,
    role: String,
    current_level: Option<String>,
    time_commitment: Option<i32>,
    created_at: DateTime<Utc>,
    last_active_at: DateTime<Utc>,
    is_active: bool,
    is_demo: bool,
}

impl Row {
    fn learner(self) -> LearnerRow {
        LearnerRow {
            id: self.id,
            email: self.email,
            role: self.role,
            level: self.current_level,
            hours_per_week: self.time_commitment,
            signed_up: crate::time::day(self.created_at),
            last_active: crate::time::day(self.last_active_at),
            is_active: self.is_active,
            is_demo: self.is_demo,
        }
    }
}

/// The columns of a learner row, for the segment's statements (assembled
/// from the conditions, so checked by the tests rather than the macros).
const COLUMNS: &str = "u.id, u.email, u.role, p.current_level, p.time_commitment, u.created_at,
    coalesce(u.last_seen_at, u.created_at) as last_active_at, u.is_active, u.is_demo";

/// `text` for a LIKE pattern that matches it literally.
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The checked conditions of a segment, and notes on what was ignored.
struct Conditions {
    goal: Option<String>,
    level: Option<String>,
    min_hours: Option<i32>,
    joined_within_days: Option<i32>,
    interest: Option<String>,
    notes: Vec<String>,
}

fn conditions(filter: &SegmentFilter) -> Conditions {
    let mut notes = Vec::new();
    let text = |value: &str| Some(value.trim().to_owned()).filter(|value| !value.is_empty());
    let level = text(&filter.level).and_then(|level| match level.parse::<Level>() {
        Ok(level) => Some(level.as_str().to_owned()),
        Err(message) => {
            notes.push(format!("{message} The level was ignored."));
            None
        }
    });
    let mut number = |value: &str, what: &str, range: std::ops::RangeInclusive<i32>| {
        text(value).and_then(|value| match value.parse::<i32>() {
            Ok(number) if range.contains(&number) => Some(number),
            _ => {
                notes.push(format!(
                    "“{value}” is not a valid {what} ({} to {}); it was ignored.",
                    range.start(),
                    range.end()
                ));
                None
            }
        })
    };
    let min_hours = number(&filter.min_hours, "number of hours", 1..=168);
    let joined_within_days = number(&filter.joined_within_days, "number of days", 1..=36_500);
    Conditions {
        goal: text(&filter.goal_contains).map(|goal| goal.chars().take(200).collect()),
        level,
        min_hours,
        joined_within_days,
        interest: text(&filter.interest).map(|interest| interest.to_lowercase()),
        notes,
    }
}

/// The WHERE clause of a segment, over users `u` and their profile `p`.
const SEGMENT_CONDITIONS: &str = r#"
    u.role = 'learner'
    and ($1::text is null or p.learning_goal ilike '%' || $1 || '%')
    and ($2::text is null or p.current_level = $2)
    and ($3::int is null or p.time_commitment >= $3)
    and ($4::int is null or u.created_at >= now() - make_interval(days => $4))
    and ($5::text is null or exists (
            select 1 from user_interests ui join tags t on t.id = ui.tag_id
            where ui.user_profile_id = p.id and t.name = $5))
"#;

/// Learners whose current profile matches every given condition: how many,
/// and the newest `limit` of them (all of them without a limit).
pub async fn segment(
    pool: &PgPool,
    filter: &SegmentFilter,
    limit: Option<i64>,
) -> Result<SegmentResult, AppError> {
    let conditions = conditions(filter);
    let goal = conditions.goal.as_deref().map(like_literal);
    let list_sql = format!(
        "select {COLUMNS}
         from users u join user_profiles p on p.user_id = u.id
         where {SEGMENT_CONDITIONS}
         order by u.created_at desc, u.id
         limit $6"
    );
    // Every user has exactly one profile (written with the account), so
    // without conditions on the profile the users alone give the count,
    // without joining a million profiles.
    let profile_conditions = goal.is_some()
        || conditions.level.is_some()
        || conditions.min_hours.is_some()
        || conditions.interest.is_some();
    let count_sql = if profile_conditions {
        format!(
            "select count(*) from users u join user_profiles p on p.user_id = u.id where {SEGMENT_CONDITIONS}"
        )
    } else {
        "select count(*) from users u
         where u.role = 'learner' and ($4::int is null or u.created_at >= now() - make_interval(days => $4))
           and $1::text is null and $2::text is null and $3::int is null and $5::text is null"
            .to_owned()
    };
    let list = sqlx::query_as::<_, Row>(&list_sql)
        .bind(&goal)
        .bind(&conditions.level)
        .bind(conditions.min_hours)
        .bind(conditions.joined_within_days)
        .bind(&conditions.interest)
        .bind(limit)
        .fetch_all(pool);
    // Counted apart from the page: a window count would make the database
    // build every matching row just to show twenty.
    let count = sqlx::query_scalar::<_, i64>(&count_sql)
        .bind(&goal)
        .bind(&conditions.level)
        .bind(conditions.min_hours)
        .bind(conditions.joined_within_days)
        .bind(&conditions.interest)
        .fetch_one(pool);
    let (rows, count) = tokio::try_join!(list, count)?;
    Ok(SegmentResult {
        count,
        learners: rows.into_iter().map(Row::learner).collect(),
        notes: conditions.notes,
    })
}

/// Users whose email contains `search`, newest first, a page at a time
/// (`page` from 1; None: all of them, for the CSV).
pub async fn users(pool: &PgPool, search: &str, page: Option<i64>) -> Result<UserList, AppError> {
    let search = search.trim().chars().take(200).collect::<String>();
    let page_number = page.unwrap_or(1).clamp(1, 1_000_000);
    let pattern = like_literal(&search);
    let rows = sqlx::query_as!(
        Row,
        r#"select u.id, u.email, u.role, p.current_level as "current_level?",
                  p.time_commitment as "time_commitment?",
                  u.created_at as "created_at: DateTime<Utc>",
                  coalesce(u.last_seen_at, u.created_at) as "last_active_at!: DateTime<Utc>", u.is_active, u.is_demo
           from users u left join user_profiles p on p.user_id = u.id
           where ($1 = '' or u.email ilike '%' || $1 || '%')
           order by u.created_at desc, u.id
           limit $2 offset $3"#,
        pattern,
        page.map(|_| USERS_PER_PAGE),
        page.map_or(0, |_| (page_number - 1) * USERS_PER_PAGE),
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "count!" from users u where ($1 = '' or u.email ilike '%' || $1 || '%')"#,
        pattern,
    )
    .fetch_one(pool)
    .await?;
    Ok(UserList {
        search,
        page: page_number,
        page_count: ((total + USERS_PER_PAGE - 1) / USERS_PER_PAGE).max(1),
        total,
        users: rows.into_iter().map(Row::learner).collect(),
    })
}

async fn user(pool: &PgPool, user_id: Uuid) -> Result<LearnerRow, AppError> {
    let row = sqlx::query_as!(
        Row,
        r#"select u.id, u.email, u.role, p.current_level as "current_level?",
                  p.time_commitment as "time_commitment?",
                  u.created_at as "created_at: DateTime<Utc>",
                  coalesce(u.last_seen_at, u.created_at) as "last_active_at!: DateTime<Utc>", u.is_active, u.is_demo
           from users u left join user_profiles p on p.user_id = u.id where u.id = $1"#,
        user_id,
    )
    .fetch_optional(pool)
    .await?;
    row.map(Row::learner)
        .ok_or_else(|| AppError::not_found("There is no such user."))
}

/// Deactivates (ending their sessions) or reactivates a user. Admins cannot
/// deactivate themselves: that would lock them out mid-task.
pub async fn set_active(
    pool: &PgPool,
    admin_id: Uuid,
    user_id: Uuid,
    active: bool,
) -> Result<LearnerRow, AppError> {
    if admin_id == user_id && !active {
        return Err(AppError::bad_request(
            "You cannot deactivate your own account here.",
        ));
    }
    let changed = sqlx::query!(
        "update users
         set is_active = $2,
             session_epoch = session_epoch + case when is_active and not $2 then 1 else 0 end
         where id = $1",
        user_id,
        active,
    )
    .execute(pool)
    .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::not_found("There is no such user."));
    }
    user(pool, user_id).await
}

pub async fn history(pool: &PgPool, user_id: Uuid) -> Result<LearnerHistory, AppError> {
    let user = user(pool, user_id).await?;
    let versions = crate::profile::service::history(pool, user_id).await?;
    Ok(LearnerHistory { user, versions })
}

#[cfg(test)]
mod tests;
