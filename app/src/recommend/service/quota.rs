//! A learner's daily quota of recommendation requests, and the slot each
//! request holds while it is answered. Server-only.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::AppError;
use crate::recommend::Quota;

/// How long an unfinished request keeps its slot. Far longer than a request
/// takes (the model's timeout is 20 s by default), and a request that ends
/// in any way gives its slot back at once; this only frees the slots of
/// requests whose server stopped in the middle.
const RESERVATION_MINUTES: i32 = 15;
/// Questions the model turns away as off-topic cost the learner no request,
/// but each was a model call: they have an allowance of their own, this many
/// times the daily limit.
pub(super) const OFF_TOPIC_ALLOWANCE_FACTOR: u32 = 3;

/// Requests in the rolling 24 hours before now, counting those being
/// answered right now.
pub async fn quota(pool: &PgPool, limit: u32, user_id: Uuid) -> Result<Quota, AppError> {
    let counted = sqlx::query!(
        r#"select (select count(*) from recommendations
                   where user_id = $1 and created_at > now() - interval '24 hours')
                + (select count(*) from recommendation_reservations
                   where user_id = $1 and off_topic_at is null
                     and reserved_at > now() - make_interval(mins => $2)) as "used!",
                  (select min(created_at) from recommendations
                   where user_id = $1 and created_at > now() - interval '24 hours')
                  as "oldest: DateTime<Utc>""#,
        user_id,
        RESERVATION_MINUTES,
    )
    .fetch_one(pool)
    .await?;
    Ok(quota_from(limit, counted.used, counted.oldest))
}

fn quota_from(limit: u32, used: i64, oldest: Option<DateTime<Utc>>) -> Quota {
    Quota {
        limit,
        used: u32::try_from(used).unwrap_or(u32::MAX),
        next_free_at: oldest.map(|oldest| crate::time::readable(oldest + Duration::hours(24))),
    }
}

fn limit_reached(quota: &Quota) -> AppError {
    AppError::LimitReached(format!(
        "You have used all {} recommendation requests of the last 24 hours. {}",
        quota.limit,
        quota
            .next_free_at
            .as_ref()
            .map(|at| format!("The next one frees up at {at}."))
            .unwrap_or_default()
    ))
    .with_status()
}

fn off_topic_allowance_used(count: i64, oldest: Option<DateTime<Utc>>) -> AppError {
    AppError::LimitReached(format!(
        "You have asked {count} questions in the last 24 hours that were not about learning. {}",
        oldest
            .map(|at| format!(
                "You can ask again at {}.",
                crate::time::readable(at + Duration::hours(24))
            ))
            .unwrap_or_default()
    ))
    .with_status()
}

/// A learner's slot for one request, held from before any expensive work
/// until the request ends: storing its answer turns it into that
/// recommendation, an off-topic answer from the model keeps it in the
/// off-topic allowance, and anything else gives it back.
pub(super) struct Reservation {
    pub(super) pool: PgPool,
    pub(super) user_id: Uuid,
    pub(super) request_id: Uuid,
    pub(super) settled: bool,
}

impl Reservation {
    /// Gives the slot back, unless the request used it.
    pub(super) async fn end(mut self) {
        if self.settled {
            return;
        }
        self.settled = true;
        if let Err(error) = release(&self.pool, self.user_id, self.request_id).await {
            tracing::error!(%error, request_id = %self.request_id, "a recommendation slot was not given back");
        }
    }

    /// Keeps the slot as an off-topic answer (with its message, for a repeat
    /// of the same token).
    pub(super) async fn keep_as_off_topic(&mut self, message: &str) -> Result<(), AppError> {
        sqlx::query!(
            "update recommendation_reservations set off_topic_at = now(), off_topic_message = $3
             where user_id = $1 and request_id = $2",
            self.user_id,
            self.request_id,
            message,
        )
        .execute(&self.pool)
        .await?;
        self.settled = true;
        Ok(())
    }
}

/// A request dropped midway (its client went away) gives its slot back too.
impl Drop for Reservation {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let (pool, user_id, request_id) = (self.pool.clone(), self.user_id, self.request_id);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = release(&pool, user_id, request_id).await {
                    tracing::error!(%error, %request_id, "a recommendation slot was not given back");
                }
            });
        }
    }
}

async fn release(pool: &PgPool, user_id: Uuid, request_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from recommendation_reservations
         where user_id = $1 and request_id = $2 and off_topic_at is null",
        user_id,
        request_id,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// What asking for a slot found.
pub(super) enum Slot {
    Reserved(Reservation),
    /// This token's recommendation is stored already.
    Answered,
    /// The model turned this token's question away; its message.
    AnsweredOffTopic(String),
    /// A request with this token is being answered right now.
    InFlight,
}

/// Takes one of the learner's slots for `request_id`, or says why not.
/// The count (stored answers and open slots) and the new slot are one
/// transaction under a per-learner lock, so parallel requests take the last
/// slot one at a time and only one of them gets it.
pub(super) async fn reserve(
    pool: &PgPool,
    daily_limit: u32,
    user_id: Uuid,
    request_id: Uuid,
) -> Result<Slot, AppError> {
    let mut transaction = pool.begin().await?;
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('recommendations:' || $1::uuid::text, 0))",
        user_id,
    )
    .execute(&mut *transaction)
    .await?;
    // The learner's own leftovers: off-topic answers out of their window and
    // slots of requests that never ended.
    sqlx::query!(
        "delete from recommendation_reservations
         where user_id = $1
           and (off_topic_at < now() - interval '24 hours'
                or (off_topic_at is null and reserved_at < now() - make_interval(mins => $2)))",
        user_id,
        RESERVATION_MINUTES,
    )
    .execute(&mut *transaction)
    .await?;
    let counts = sqlx::query!(
        r#"
        select
            exists (select 1 from recommendations where user_id = $1 and request_id = $2)
                as "answered!",
            (select off_topic_message from recommendation_reservations
             where user_id = $1 and request_id = $2) as off_topic_message,
            exists (select 1 from recommendation_reservations
                    where user_id = $1 and request_id = $2 and off_topic_at is null) as "in_flight!",
            (select count(*) from recommendations
             where user_id = $1 and created_at > now() - interval '24 hours') as "stored!",
            (select min(created_at) from recommendations
             where user_id = $1 and created_at > now() - interval '24 hours')
                as "oldest_stored: DateTime<Utc>",
            (select count(*) from recommendation_reservations
             where user_id = $1 and off_topic_at is null) as "open!",
            (select count(*) from recommendation_reservations
             where user_id = $1 and off_topic_at is not null) as "off_topic!",
            (select min(off_topic_at) from recommendation_reservations
             where user_id = $1 and off_topic_at is not null) as "oldest_off_topic: DateTime<Utc>"
        "#,
        user_id,
        request_id,
    )
    .fetch_one(&mut *transaction)
    .await?;
    if counts.answered {
        return Ok(Slot::Answered);
    }
    if let Some(message) = counts.off_topic_message {
        return Ok(Slot::AnsweredOffTopic(message));
    }
    if counts.in_flight {
        return Ok(Slot::InFlight);
    }
    if counts.stored + counts.open >= i64::from(daily_limit) {
        return Err(limit_reached(&quota_from(
            daily_limit,
            counts.stored + counts.open,
            counts.oldest_stored,
        )));
    }
    // Every open slot may still end as an off-topic answer.
    let off_topic_allowance = i64::from(daily_limit.saturating_mul(OFF_TOPIC_ALLOWANCE_FACTOR));
    if counts.off_topic + counts.open >= off_topic_allowance {
        return Err(off_topic_allowance_used(
            counts.off_topic,
            counts.oldest_off_topic,
        ));
    }
    sqlx::query!(
        "insert into recommendation_reservations (user_id, request_id) values ($1, $2)",
        user_id,
        request_id,
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(Slot::Reserved(Reservation {
        pool: pool.clone(),
        user_id,
        request_id,
        settled: false,
    }))
}
