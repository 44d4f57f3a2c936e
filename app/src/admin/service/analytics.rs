//! The dashboard's queries. Server-only.
//!
//! Every panel reads the analytics materialized views (see the analytics
//! migration) for a period of whole UTC days, both ends included. Snapshots
//! carry `user_id`; activity is `users.last_seen_at` (a signed-in request,
//! recorded at most hourly), never `updated_at`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use crate::AppError;
use crate::admin::types::*;

/// The longest period the dashboard accepts.
const MAX_PERIOD_DAYS: i64 = 3 * 366;
/// Dates a period may name. Far enough out for any real question, and near
/// enough that day arithmetic on them cannot overflow (chrono panics past
/// year 262,143) or leave PostgreSQL's range.
const EARLIEST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
const LATEST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2999, 12, 31).expect("a valid date");
const TOP_COURSES: i64 = 15;
const TOP_TRENDS: usize = 8;

/// The period from the URL's values, corrected with a note when wrong.
/// Returns the first day and the day after the last (a half-open range).
pub fn period_from(
    from: Option<&str>,
    to: Option<&str>,
    within: Option<&str>,
    today: NaiveDate,
) -> (Period, NaiveDate, NaiveDate) {
    let mut notes = Vec::new();
    let mut date = |text: Option<&str>, name: &str, default: NaiveDate| match text
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        None => default,
        Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(day) if (EARLIEST_DAY..=LATEST_DAY).contains(&day) => day,
            Ok(_) => {
                notes.push(format!(
                    "“{text}” is outside {EARLIEST_DAY} to {LATEST_DAY}; showing {name} {default} instead."
                ));
                default
            }
            Err(_) => {
                notes.push(format!(
                    "“{text}” is not a date (YYYY-MM-DD); showing {name} {default} instead."
                ));
                default
            }
        },
    };
    let mut last = date(to, "to", today);
    let mut first = date(from, "from", last - Duration::days(DEFAULT_PERIOD_DAYS - 1));
    if first > last {
        notes.push("The period started after it ended; the dates were swapped.".to_owned());
        std::mem::swap(&mut first, &mut last);
    }
    if (last - first).num_days() >= MAX_PERIOD_DAYS {
        first = last - Duration::days(MAX_PERIOD_DAYS - 1);
        notes.push(format!(
            "Periods are at most {MAX_PERIOD_DAYS} days; showing the last {MAX_PERIOD_DAYS} days up to {last}."
        ));
    }
    let within_days = match within.map(str::trim).filter(|text| !text.is_empty()) {
        None => DEFAULT_WITHIN_DAYS,
        Some(text) => match text.parse::<i32>() {
            Ok(days @ 1..=3650) => days,
            _ => {
                notes.push(format!(
                    "“{text}” is not a number of days from 1 to 3650; using {DEFAULT_WITHIN_DAYS}."
                ));
                DEFAULT_WITHIN_DAYS
            }
        },
    };
    (
        Period {
            from: first.to_string(),
            to: last.to_string(),
            within_days,
            notes,
        },
        first,
        last + Duration::days(1),
    )
}

fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn average(sum: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| sum as f64 / count as f64)
}

pub async fn dashboard(
    pool: &PgPool,
    period: Period,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Dashboard, AppError> {
    let (refreshed_at, levels, interests, models, personalisation, churn, popularity) = tokio::try_join!(
        refreshed_at(pool),
        levels(pool, start, end, period.within_days),
        interests(pool, start, end),
        models(pool, start, end),
        personalisation(pool, start, end),
        churn(pool, start, end, AT_RISK_SHOWN),
        popularity(pool, start, end),
    )?;
    Ok(Dashboard {
        period,
        refreshed_at,
        levels,
        interests,
        models,
        personalisation,
        churn,
        popularity,
    })
}

async fn refreshed_at(pool: &PgPool) -> Result<Option<String>, AppError> {
    let at = sqlx::query_scalar!(
        r#"select max(refreshed_at) as "at: DateTime<Utc>" from analytics_refreshes"#
    )
    .fetch_one(pool)
    .await?;
    Ok(at.map(crate::time::readable))
}

/// Recomputes the views; returns how long it took in milliseconds.
/// Recomputes the views when the newest figures are older than `max_age`
/// (or there are none); returns how long it took when it did.
pub async fn refresh_when_older_than(
    pool: &PgPool,
    max_age: std::time::Duration,
) -> Result<Option<i32>, AppError> {
    let stale = sqlx::query_scalar!(
        r#"select coalesce(max(refreshed_at) < now() - make_interval(secs => $1), true) as "stale!"
           from analytics_refreshes"#,
        max_age.as_secs_f64(),
    )
    .fetch_one(pool)
    .await?;
    if stale {
        refresh(pool).await.map(Some)
    } else {
        Ok(None)
    }
}

pub async fn refresh(pool: &PgPool) -> Result<i32, AppError> {
    sqlx::query!("select refresh_analytics()")
        .execute(pool)
        .await?;
    Ok(
        sqlx::query_scalar!("select duration_ms from analytics_refreshes order by id desc limit 1")
            .fetch_one(pool)
            .await?,
    )
}

pub async fn levels(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
    within_days: i32,
) -> Result<LevelPanel, AppError> {
    let transitions = sqlx::query_as!(
        LevelTransition,
        r#"select level_before as "from_level!", level_after as "to_level!",
                  sum(transitions)::bigint as "count!",
                  (sum(seconds_between) / sum(transitions) / 86400)::float8 as "average_days!"
           from analytics_daily_level_transitions
           where day >= $1 and day < $2
           group by 1, 2
           order by array_position(array['beginner', 'intermediate', 'advanced'], level_before),
                    array_position(array['beginner', 'intermediate', 'advanced'], level_after)"#,
        start as _,
        end as _,
    )
    .fetch_all(pool)
    .await?;
    let cohort = sqlx::query!(
        r#"select count(*) filter (where first_level = 'beginner') as "beginner_cohort!",
                  count(*) filter (where first_level = 'beginner'
                                   and beginner_to_intermediate_at <= signed_up_at + make_interval(days => $3))
                      as "moved_within!"
           from analytics_learners
           where signed_up_at >= $1 and signed_up_at < $2"#,
        day_start(start) as _,
        day_start(end) as _,
        within_days,
    )
    .fetch_one(pool)
    .await?;
    Ok(LevelPanel {
        transitions,
        beginner_cohort: cohort.beginner_cohort,
        moved_within: cohort.moved_within,
    })
}

pub async fn interests(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<InterestPanel, AppError> {
    let weeks = sqlx::query!(
        r#"select date_trunc('week', day)::date as "week!", sum(added)::bigint as "added!",
                  sum(removed)::bigint as "removed!"
           from analytics_daily_interest_changes
           where day >= $1 and day < $2
           group by 1 order by 1"#,
        start as _,
        end as _,
    )
    .fetch_all(pool)
    .await?;
    let mut trends = sqlx::query_as!(
        InterestTrend,
        r#"select interest as "interest!", sum(added)::bigint as "added!",
                  sum(removed)::bigint as "removed!"
           from analytics_daily_interest_changes
           where day >= $1 and day < $2
           group by 1"#,
        start as _,
        end as _,
    )
    .fetch_all(pool)
    .await?;
    trends.sort_by(|a, b| {
        b.net()
            .cmp(&a.net())
            .then_with(|| a.interest.cmp(&b.interest))
    });
    let risers = trends
        .iter()
        .filter(|trend| trend.net() > 0)
        .take(TOP_TRENDS)
        .cloned()
        .collect();
    let fallers = trends
        .iter()
        .rev()
        .filter(|trend| trend.net() < 0)
        .take(TOP_TRENDS)
        .cloned()
        .collect();
    Ok(InterestPanel {
        weeks: weeks
            .into_iter()
            .map(|row| InterestWeek {
                week: row.week.to_string(),
                added: row.added,
                removed: row.removed,
            })
            .collect(),
        risers,
        fallers,
    })
}

pub async fn models(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Vec<ModelRow>, AppError> {
    // Per model, then per model and level (grouping sets: one pass).
    let rows = sqlx::query!(
        r#"select llm_model as "model!", level as "level?", sum(recommendations)::bigint as "recommendations!",
                  sum(rated)::bigint as "rated!", sum(with_feedback)::bigint as "with_feedback!",
                  sum(rating_sum)::bigint as "rating_sum!",
                  sum(stars_1)::bigint as "stars_1!", sum(stars_2)::bigint as "stars_2!",
                  sum(stars_3)::bigint as "stars_3!", sum(stars_4)::bigint as "stars_4!",
                  sum(stars_5)::bigint as "stars_5!"
           from analytics_daily_model_ratings
           where day >= $1 and day < $2
           group by grouping sets ((llm_model), (llm_model, level))
           order by llm_model, level nulls first"#,
        start as _,
        end as _,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ModelRow {
            model: row.model,
            level: row.level,
            recommendations: row.recommendations,
            rated: row.rated,
            with_feedback: row.with_feedback,
            average_rating: average(row.rating_sum, row.rated),
            stars: [
                row.stars_1,
                row.stars_2,
                row.stars_3,
                row.stars_4,
                row.stars_5,
            ],
        })
        .collect())
}

pub async fn personalisation(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<PersonalisationPanel, AppError> {
    let versions = sqlx::query!(
        r#"select version as "version!", sum(rated)::bigint as "rated!",
                  sum(rating_sum)::bigint as "rating_sum!"
           from analytics_daily_version_ratings
           where day >= $1 and day < $2
           group by 1 order by 1"#,
        start as _,
        end as _,
    )
    .fetch_all(pool)
    .await?;
    let followups = sqlx::query!(
        r#"select count(*) as "low_ratings!", count(profile_updated_at) as "updated_after!",
                  count(next_rating) as "next_rated!", sum(next_rating) as next_sum
           from analytics_low_rating_followups
           where rated_at >= $1 and rated_at < $2"#,
        day_start(start) as _,
        day_start(end) as _,
    )
    .fetch_one(pool)
    .await?;
    Ok(PersonalisationPanel {
        by_version: versions
            .into_iter()
            .map(|row| VersionRating {
                version: row.version,
                rated: row.rated,
                average_rating: average(row.rating_sum, row.rated),
            })
            .collect(),
        low_ratings: followups.low_ratings,
        updated_after: followups.updated_after,
        next_rated: followups.next_rated,
        next_average: average(followups.next_sum.unwrap_or_default(), followups.next_rated),
    })
}

struct AtRiskRow {
    email: String,
    last_active_at: DateTime<Utc>,
    hours_drop: bool,
    narrowed: bool,
    negative: bool,
    inactive: bool,
}

pub async fn churn(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
    listed: i64,
) -> Result<ChurnPanel, AppError> {
    let (from, to) = (day_start(start), day_start(end));
    // One pass over the learners for every count (parallel in PostgreSQL;
    // a CTE or a subquery per count would forgo that), with the list
    // fetched at the same time.
    let counts = sqlx::query!(
        r#"select
            count(*) filter (where hours_drop_at >= $1 and hours_drop_at < $2) as "hours_drop!",
            count(*) filter (where last_active_at < $2 - interval '90 days' and signed_up_at < $2)
                as "inactive!",
            count(*) filter (where last_negative_at >= $1 and last_negative_at < $2)
                as "negative_ratings!",
            count(*) filter (where narrowed_at >= $1 and narrowed_at < $2) as "narrowing!",
            count(*) filter (where hours_drop_at >= $1 and hours_drop_at < $2 - interval '30 days')
                as "dropped_and_observed!",
            count(*) filter (where hours_drop_at >= $1 and hours_drop_at < $2 - interval '30 days'
                             and last_active_at < hours_drop_at + interval '30 days')
                as "dropped_then_inactive!",
            count(*) filter (where (hours_drop_at >= $1 and hours_drop_at < $2)
                                or (narrowed_at >= $1 and narrowed_at < $2)
                                or (last_negative_at >= $1 and last_negative_at < $2))
                as "at_risk_total!"
         from analytics_learners
         where is_active"#,
        from as _,
        to as _,
    )
    .fetch_one(pool);
    let (counts, at_risk) = tokio::try_join!(
        async { counts.await.map_err(AppError::from) },
        at_risk(pool, start, end, Some(listed)),
    )?;
    Ok(ChurnPanel {
        hours_drop: counts.hours_drop,
        inactive: counts.inactive,
        negative_ratings: counts.negative_ratings,
        narrowing: counts.narrowing,
        dropped_and_observed: counts.dropped_and_observed,
        dropped_then_inactive: counts.dropped_then_inactive,
        at_risk_total: counts.at_risk_total,
        at_risk,
    })
}

/// Learners showing a warning sign in the period (a drop in hours, narrowed
/// interests, a low rating), least recently active first.
pub async fn at_risk(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
    limit: Option<i64>,
) -> Result<Vec<AtRiskLearner>, AppError> {
    // Signals count when they showed in the period; "inactive" means no
    // activity in the 90 days before the period's end.
    let rows = sqlx::query_as!(
        AtRiskRow,
        r#"select email as "email!", last_active_at as "last_active_at!: DateTime<Utc>",
                  coalesce(hours_drop_at >= $1 and hours_drop_at < $2, false) as "hours_drop!",
                  coalesce(narrowed_at >= $1 and narrowed_at < $2, false) as "narrowed!",
                  coalesce(last_negative_at >= $1 and last_negative_at < $2, false) as "negative!",
                  coalesce(last_active_at < $2 - interval '90 days' and signed_up_at < $2, false)
                      as "inactive!"
         from analytics_learners
         -- Implied by the signals below (each is something the learner did
         -- while signed in, and activity is recorded at most an hour late),
         -- and it lets the index start at the period instead of walking
         -- past every long-gone learner.
         where is_active and last_active_at >= $1 - interval '1 hour'
           and ((hours_drop_at >= $1 and hours_drop_at < $2)
                or (narrowed_at >= $1 and narrowed_at < $2)
                or (last_negative_at >= $1 and last_negative_at < $2))
         order by last_active_at, email
         limit $3"#,
        day_start(start) as _,
        day_start(end) as _,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut signals = Vec::new();
            if row.hours_drop {
                signals.push("hours per week dropped by more than half".to_owned());
            }
            if row.narrowed {
                signals.push("interests narrowed to one".to_owned());
            }
            if row.negative {
                signals.push("gave a low rating".to_owned());
            }
            if row.inactive {
                signals.push("no activity in 90 days".to_owned());
            }
            AtRiskLearner {
                email: row.email,
                last_active: crate::time::day(row.last_active_at),
                signals,
            }
        })
        .collect())
}

pub async fn popularity(
    pool: &PgPool,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<PopularityPanel, AppError> {
    let top = sqlx::query!(
        r#"select c.title, c.slug, p.recommended as "recommended!", p.rated as "rated!",
                  p.rating_sum as "rating_sum!"
         from (select course_id, sum(recommended)::bigint as recommended, sum(rated)::bigint as rated,
                      sum(rating_sum)::bigint as rating_sum
               from analytics_daily_course_popularity
               where day >= $1 and day < $2
               group by course_id
               order by 2 desc, course_id
               limit $3) p
         join courses c on c.id = p.course_id
         order by p.recommended desc, c.title"#,
        start as _,
        end as _,
        TOP_COURSES,
    )
    .fetch_all(pool)
    .await?;
    let never = sqlx::query!(
        r#"select c.title, c.slug, count(*) over () as "total!"
         from courses c
         where not exists (select 1 from analytics_daily_course_popularity p
                           where p.course_id = c.id and p.day >= $1 and p.day < $2)
         order by c.title
         limit 10"#,
        start as _,
        end as _,
    )
    .fetch_all(pool)
    .await?;
    Ok(PopularityPanel {
        top: top
            .into_iter()
            .map(|row| CoursePopularity {
                title: row.title,
                slug: row.slug,
                recommended: row.recommended,
                rated: row.rated,
                average_rating: average(row.rating_sum, row.rated),
            })
            .collect(),
        never_recommended: never.first().map_or(0, |row| row.total),
        never_examples: never.into_iter().map(|row| (row.title, row.slug)).collect(),
    })
}

#[cfg(test)]
mod tests;
