//! Asking for, storing, rating and listing recommendations. Server-only.
//!
//! A request reads the learner's newest profile snapshot (state and version
//! in one row, so they always match), picks candidate courses with the
//! catalog's indexes, ranks them with the built-in ranker and, when the
//! learner's A/B arm names a model, lets the model choose among the ranker's
//! shortlist. Whatever goes wrong with the model, the learner gets the
//! built-in answer and the failure is stored with it. The daily quota and
//! each request's slot are in `quota`, reading the learner's words in
//! `words`.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::types::Json;
use uuid::Uuid;

use super::RecommendSettings;
use super::llm::{ModelAnswer, Usage, assigned_model};
use super::ranker::{self, BUILTIN_MODEL, Candidate, Learner, Pick};
use super::types::{
    Rating, RecommendOutcome, Recommendation, RecommendationKind, RecommendationsData,
    RecommendedCourse,
};
use crate::AppError;
use crate::catalog::{CourseSummary, Difficulty};
use crate::profile::ProfileState;
use crate::profile::service::newest_version;
use crate::read_pool::ReadPool;

mod quota;
mod words;

pub use quota::quota;
use quota::{Reservation, Slot, reserve};
pub use words::understand;

/// How many of the ranker's best a model chooses from.
const MODEL_SHORTLIST: usize = 25;
/// History shows this many recommendations, newest first.
const HISTORY_LENGTH: i64 = 50;
/// The longest wait between looks at a request with the same token that is
/// still being answered.
const MAX_POLL_INTERVAL: StdDuration = StdDuration::from_secs(1);

/// The learner as their newest profile snapshot has them.
fn learner_from(state: ProfileState, question: Option<String>) -> Learner {
    Learner {
        goal: state.learning_goal,
        level: state.current_level,
        hours_per_week: state.hours_per_week,
        interests: state.interests,
        question,
    }
}

pub async fn page(
    pool: &PgPool,
    settings: &RecommendSettings,
    user_id: Uuid,
) -> Result<RecommendationsData, AppError> {
    let (_, state) = newest_version(pool, user_id).await?;
    let learner = learner_from(state, None);
    Ok(RecommendationsData {
        profile_is_filled: learner.has_preferences(),
        quota: quota(pool, settings.daily_limit, user_id).await?,
        request_id: Uuid::new_v4(),
        latest: latest(pool, user_id).await?,
    })
}

struct CandidateRow {
    id: Uuid,
    title: String,
    description: String,
    difficulty: String,
    duration: i32,
    tags: Vec<String>,
    skills: Vec<String>,
    popularity: i64,
}

/// Courses worth ranking, from several sources, each capped so the work per
/// request stays bounded however big the catalog is:
/// - courses about all the words of the question, and of the goal;
/// - courses sharing at least two of the learner's interests;
/// - a few courses per tag the concept map says the learner's words mean;
/// - a few courses per single word and per single interest (so every part
///   of what the learner said is represented);
/// - the most recommended courses and the shortest of each level, to round
///   out a short list.
///
/// The capped sources take matches as the index yields them, not ordered by
/// relevance: ordering would mean scoring every match, which is tens of
/// thousands of courses for a common word in a large catalog. The ranker
/// does the ordering, on evidence it can explain. Below the caps (the
/// shipped catalog) every matching course is a candidate.
pub async fn candidates(pool: &PgPool, learner: &Learner) -> Result<Vec<Candidate>, sqlx::Error> {
    let question_words = learner
        .question
        .as_deref()
        .map(ranker::topic_words)
        .unwrap_or_default();
    let goal_words = learner
        .goal
        .as_deref()
        .map(ranker::topic_words)
        .unwrap_or_default();
    let concept_tags = ranker::concept_tags(learner);
    let rows = sqlx::query_as!(
        CandidateRow,
        r#"
        with lexemes as (
            select distinct lexeme
            from unnest(tsvector_to_array(to_tsvector('english', $2 || ' ' || $3))) as lexeme
        ), all_of as (
            select (select string_agg(quote_literal(lexeme), ' & ')::tsquery
                    from unnest(tsvector_to_array(to_tsvector('english', $2))) as lexeme) as question,
                   (select string_agg(quote_literal(lexeme), ' & ')::tsquery
                    from unnest(tsvector_to_array(to_tsvector('english', $3))) as lexeme) as goal
        ), interests as (
            select t.id, t.name, row_number() over (order by t.name) as place
            from tags t where t.name = any($1)
        ), bridged as (
            -- Tags the concept map says the learner's words mean.
            select t.id from tags t where t.name = any($4)
        ), interest_pairs as (
            -- Two interests at a time, as one query on the search documents
            -- (tags are in them as phrases). The first eight interests only:
            -- the pairs grow quadratically. A tag made only of stop words
            -- ("it", "the") has an empty query, which would leave "()" in the
            -- text and make it unreadable as a tsquery: such tags are left out.
            select string_agg(format('(%s) & (%s)',
                                     phraseto_tsquery('english', a.name), phraseto_tsquery('english', b.name)),
                              ' | ')::tsquery as query
            from interests a join interests b on a.place < b.place
            where b.place <= 8
              and numnode(phraseto_tsquery('english', a.name)) > 0
              and numnode(phraseto_tsquery('english', b.name)) > 0
        ), popularity as (
            select course_id, count(*) as times
            from recommendations r, unnest(r.recommended_course_ids) as course_id
            where r.created_at > now() - interval '30 days'
            group by course_id
        ), picked as (
            (select c.id as course_id from courses c, all_of where c.search_document @@ all_of.question limit 100)
            union
            (select c.id from courses c, all_of where c.search_document @@ all_of.goal limit 60)
            union
            (select c.id from courses c, interest_pairs where c.search_document @@ interest_pairs.query limit 100)
            union
            (select per_word.id from lexemes
             cross join lateral (select c.id from courses c
                                 where c.search_document @@ quote_literal(lexemes.lexeme)::tsquery
                                 limit 25) per_word)
            union
            (select per_interest.course_id from interests
             cross join lateral (select ct.course_id from course_tags ct
                                 where ct.tag_id = interests.id limit 25) per_interest)
            union
            (select per_bridged.course_id from bridged
             cross join lateral (select ct.course_id from course_tags ct
                                 where ct.tag_id = bridged.id limit 12) per_bridged)
            union
            (select course_id from popularity order by times desc, course_id limit 30)
            union
            (select id from courses where difficulty = 'beginner' order by duration, lower(title) limit 10)
            union
            (select id from courses where difficulty = 'intermediate' order by duration, lower(title) limit 10)
            union
            (select id from courses where difficulty = 'advanced' order by duration, lower(title) limit 10)
        ), tag_names as (
            -- One join for all candidates beats one lookup per candidate.
            select ct.course_id, array_agg(t.name order by t.name) as names
            from picked join course_tags ct using (course_id) join tags t on t.id = ct.tag_id
            group by ct.course_id
        ), skill_names as (
            select cs.course_id, array_agg(s.name order by s.name) as names
            from picked join course_skills cs using (course_id) join skills s on s.id = cs.skill_id
            group by cs.course_id
        )
        select c.id as "id!", c.title as "title!", c.description as "description!",
               c.difficulty as "difficulty!", c.duration as "duration!",
               coalesce(tag_names.names, '{}') as "tags!",
               coalesce(skill_names.names, '{}') as "skills!",
               coalesce(p.times, 0) as "popularity!"
        from picked join courses c on c.id = picked.course_id
        left join tag_names on tag_names.course_id = c.id
        left join skill_names on skill_names.course_id = c.id
        left join popularity p on p.course_id = c.id
        "#,
        &learner.interests,
        question_words.join(" "),
        goal_words.join(" "),
        &concept_tags,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Candidate {
                difficulty: row.difficulty.parse::<Difficulty>().ok()?,
                id: row.id,
                title: row.title,
                description: row.description,
                duration_hours: row.duration,
                tags: row.tags,
                skills: row.skills,
                popularity: row.popularity,
            })
        })
        .collect())
}

/// One course of a stored recommendation, as the jsonb column holds it.
#[derive(Serialize, Deserialize)]
struct StoredPick {
    course_id: Uuid,
    score: u8,
    explanation: String,
}

/// What answered a request, ready to store.
struct Answer {
    kind: RecommendationKind,
    summary: String,
    picks: Vec<Pick>,
    model: String,
    requested_model: String,
    fallback_reason: Option<String>,
    usage: Usage,
}

/// Answers "recommend me courses" for the learner, with an optional question.
/// `request_id` is the form's one-time token: a repeat returns the first
/// answer (waiting for it while it is being made).
pub async fn recommend(
    pool: &PgPool,
    catalog: &ReadPool,
    settings: &RecommendSettings,
    user_id: Uuid,
    request_id: Uuid,
    question: Option<String>,
) -> Result<RecommendOutcome, AppError> {
    let mut poll_interval = StdDuration::from_millis(50);
    let mut reservation = loop {
        match reserve(pool, settings.daily_limit, user_id, request_id).await? {
            Slot::Reserved(reservation) => break reservation,
            Slot::Answered => return answered(pool, user_id, request_id).await,
            Slot::AnsweredOffTopic(message) => return Ok(RecommendOutcome::OffTopic { message }),
            Slot::InFlight => {
                tokio::time::sleep(poll_interval).await;
                poll_interval = (poll_interval * 2).min(MAX_POLL_INTERVAL);
            }
        }
    };
    let started = Instant::now();
    let outcome = answer(pool, catalog, settings, &mut reservation, question, started).await;
    reservation.end().await;
    match outcome? {
        Answered::Stored(recommendation) => Ok(RecommendOutcome::Recommended(recommendation)),
        Answered::StoredBefore => answered(pool, user_id, request_id).await,
        Answered::OffTopic(message) => Ok(RecommendOutcome::OffTopic { message }),
    }
}

async fn answered(
    pool: &PgPool,
    user_id: Uuid,
    request_id: Uuid,
) -> Result<RecommendOutcome, AppError> {
    stored(pool, user_id, Which::Request(request_id))
        .await?
        .into_iter()
        .next()
        .map(RecommendOutcome::Recommended)
        .ok_or_else(|| {
            tracing::error!(%request_id, "a stored recommendation could not be read back");
            AppError::Internal.with_status()
        })
}

/// How a request with a slot ended.
enum Answered {
    /// The answer as stored, assembled from what was in hand.
    Stored(Recommendation),
    /// The same token's answer was stored meanwhile (only possible after its
    /// first request outlived its reservation): that one is the answer.
    StoredBefore,
    OffTopic(String),
}

/// The work a slot pays for: candidates, ranking, the model, storing.
async fn answer(
    pool: &PgPool,
    catalog: &ReadPool,
    settings: &RecommendSettings,
    reservation: &mut Reservation,
    question: Option<String>,
    started: Instant,
) -> Result<Answered, AppError> {
    let user_id = reservation.user_id;
    let (profile_version, state) = newest_version(pool, user_id).await?;
    let mut learner = learner_from(state, question.clone());
    // The catalog's words and courses may come from the replica; the
    // learner's profile above came from the primary.
    let understood = catalog
        .read(|pool| {
            let mut learner = learner.clone();
            async move {
                let understood = understand(&pool, &mut learner).await;
                understood.map(|understood| (understood, learner))
            }
        })
        .await;
    let understood = match understood {
        Ok((understood, understood_learner)) => {
            learner = understood_learner;
            understood
        }
        Err(error) => return Err(error.into()),
    };
    if !understood {
        return Ok(Answered::OffTopic(super::types::off_topic_message(
            question.as_deref().unwrap_or_default(),
        )));
    }
    let candidates = {
        let learner = &learner;
        catalog
            .read(|pool| async move { candidates(&pool, learner).await })
            .await?
    };
    let ranking = ranker::rank(&learner, &candidates);
    if ranking.picks.is_empty() {
        return Err(AppError::not_found(
            "The catalog has no courses yet, so there is nothing to recommend.",
        ));
    }

    let requested_model = settings
        .provider
        .as_ref()
        .map_or(BUILTIN_MODEL, |provider| {
            assigned_model(&provider.arms, user_id)
        })
        .to_owned();
    let builtin = |fallback_reason: Option<String>| Answer {
        kind: if ranking.popular {
            RecommendationKind::Popular
        } else {
            RecommendationKind::Personal
        },
        summary: ranking.summary.clone(),
        picks: ranking.picks.clone(),
        model: BUILTIN_MODEL.to_owned(),
        requested_model: requested_model.clone(),
        fallback_reason,
        usage: Usage::default(),
    };
    let answer = match &settings.provider {
        // A popular list has nothing personal for a model to reason about.
        Some(provider) if requested_model != BUILTIN_MODEL && !ranking.popular => {
            let shortlist = ranker::shortlist(&learner, &candidates, MODEL_SHORTLIST);
            match provider
                .recommend(&requested_model, &learner, &shortlist)
                .await
            {
                Ok(ModelAnswer::Picks {
                    summary,
                    picks,
                    usage,
                }) => Answer {
                    kind: RecommendationKind::Personal,
                    summary,
                    picks,
                    model: requested_model.clone(),
                    requested_model: requested_model.clone(),
                    fallback_reason: None,
                    usage,
                },
                Ok(ModelAnswer::OffTopic { message }) => {
                    reservation.keep_as_off_topic(&message).await?;
                    return Ok(Answered::OffTopic(message));
                }
                Err(failure) => {
                    tracing::warn!(model = %requested_model, %failure, "model failed; answering with the built-in ranker");
                    metrics::counter!(
                        "recommendation_fallbacks_total",
                        "model" => requested_model.clone(),
                        "reason" => failure.kind(),
                    )
                    .increment(1);
                    builtin(Some(failure.to_string()))
                }
            }
        }
        _ => builtin(None),
    };
    record_metrics(&answer, started.elapsed());
    let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let Some(row) = store(reservation, profile_version, question, answer, latency_ms).await? else {
        return Ok(Answered::StoredBefore);
    };
    let mut assembled = assemble(pool, vec![row]).await?;
    Ok(assembled
        .pop()
        .map_or(Answered::StoredBefore, Answered::Stored))
}

/// What an answer cost, per model that answered (model names come from the
/// configuration, so the labels are few).
fn record_metrics(answer: &Answer, elapsed: StdDuration) {
    metrics::histogram!("recommendation_duration_seconds", "model" => answer.model.clone())
        .record(elapsed.as_secs_f64());
    for (kind, tokens) in [
        ("prompt", answer.usage.prompt_tokens),
        ("completion", answer.usage.completion_tokens),
    ] {
        if let Some(tokens) = tokens.and_then(|tokens| u64::try_from(tokens).ok()) {
            metrics::counter!(
                "recommendation_model_tokens_total",
                "model" => answer.model.clone(),
                "kind" => kind,
            )
            .increment(tokens);
        }
    }
}

/// Stores an answer in the slot it was reserved with: the recommendation and
/// the end of the reservation commit together, so every count sees one of
/// them, never both or neither. Returns the stored row, or nothing when the
/// same token was stored meanwhile.
async fn store(
    reservation: &mut Reservation,
    profile_version: i32,
    question: Option<String>,
    answer: Answer,
    latency_ms: i32,
) -> Result<Option<RecommendationRow>, AppError> {
    let picks: Vec<StoredPick> = answer
        .picks
        .into_iter()
        .map(|pick| StoredPick {
            course_id: pick.course_id,
            score: pick.score,
            explanation: pick.explanation,
        })
        .collect();
    let course_ids: Vec<Uuid> = picks.iter().map(|pick| pick.course_id).collect();
    let fallback_reason = answer
        .fallback_reason
        .as_deref()
        .map(|reason| reason.chars().take(500).collect::<String>());
    let mut transaction = reservation.pool.begin().await?;
    let inserted = sqlx::query!(
        r#"
        insert into recommendations
            (user_id, request_id, profile_version, query, recommended_course_ids, explanation,
             course_explanations, llm_model, requested_model, fallback_reason, kind,
             latency_ms, prompt_tokens, completion_tokens)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        on conflict (user_id, request_id) do nothing
        returning id, created_at as "created_at: DateTime<Utc>"
        "#,
        reservation.user_id,
        reservation.request_id,
        profile_version,
        question.as_deref(),
        &course_ids,
        &answer.summary,
        Json(&picks) as _,
        &answer.model,
        &answer.requested_model,
        fallback_reason,
        answer.kind.as_str(),
        latency_ms,
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
    )
    .fetch_optional(&mut *transaction)
    .await?;
    sqlx::query!(
        "delete from recommendation_reservations where user_id = $1 and request_id = $2",
        reservation.user_id,
        reservation.request_id,
    )
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    reservation.settled = true;
    Ok(inserted.map(|inserted| RecommendationRow {
        id: inserted.id,
        kind: answer.kind.as_str().to_owned(),
        query: question,
        explanation: answer.summary,
        course_explanations: Json(picks),
        profile_version,
        llm_model: answer.model,
        created_at: inserted.created_at,
        user_rating: None,
        user_feedback_text: None,
        feedback_at: None,
    }))
}

/// A stored recommendation as its row holds it.
struct RecommendationRow {
    id: Uuid,
    kind: String,
    query: Option<String>,
    explanation: String,
    course_explanations: Json<Vec<StoredPick>>,
    profile_version: i32,
    llm_model: String,
    created_at: DateTime<Utc>,
    user_rating: Option<i16>,
    user_feedback_text: Option<String>,
    feedback_at: Option<DateTime<Utc>>,
}

/// Which of a learner's recommendations to read.
enum Which {
    /// The newest, at most this many.
    Newest(i64),
    Id(Uuid),
    /// The one stored for this one-time request token.
    Request(Uuid),
}

/// The learner's recommendations, newest first.
async fn stored(
    pool: &PgPool,
    user_id: Uuid,
    which: Which,
) -> Result<Vec<Recommendation>, AppError> {
    let (id, request_id, limit) = match which {
        Which::Newest(limit) => (None, None, limit),
        Which::Id(id) => (Some(id), None, 1),
        Which::Request(request_id) => (None, Some(request_id), 1),
    };
    let rows = sqlx::query_as!(
        RecommendationRow,
        r#"select id, kind, query, explanation,
                  course_explanations as "course_explanations: Json<Vec<StoredPick>>",
                  profile_version, llm_model, created_at as "created_at: DateTime<Utc>",
                  user_rating, user_feedback_text, feedback_at as "feedback_at: DateTime<Utc>"
           from recommendations
           where user_id = $1 and ($2::uuid is null or id = $2)
             and ($3::uuid is null or request_id = $3)
           order by created_at desc, id limit $4"#,
        user_id,
        id,
        request_id,
        limit,
    )
    .fetch_all(pool)
    .await?;
    assemble(pool, rows).await
}

/// Recommendations for the page, with each picked course's catalog details
/// (a course that has left the catalog is left out).
async fn assemble(
    pool: &PgPool,
    rows: Vec<RecommendationRow>,
) -> Result<Vec<Recommendation>, AppError> {
    let course_ids: Vec<Uuid> = rows
        .iter()
        .flat_map(|row| row.course_explanations.0.iter().map(|pick| pick.course_id))
        .collect();
    let courses: HashMap<Uuid, CourseSummary> =
        crate::catalog::service::summaries(pool, &course_ids)
            .await?
            .into_iter()
            .map(|course| (course.id, course))
            .collect();
    Ok(rows
        .into_iter()
        .map(|row| Recommendation {
            id: row.id,
            kind: RecommendationKind::from_column(&row.kind),
            question: row.query,
            summary: row.explanation,
            courses: row
                .course_explanations
                .0
                .into_iter()
                .filter_map(|pick| {
                    let course = courses.get(&pick.course_id)?;
                    Some(RecommendedCourse {
                        course_id: pick.course_id,
                        slug: course.slug.clone(),
                        title: course.title.clone(),
                        difficulty: course.difficulty,
                        duration_hours: course.duration_hours,
                        score: pick.score,
                        explanation: pick.explanation,
                    })
                })
                .collect(),
            profile_version: row.profile_version,
            model: row.llm_model,
            created_at: crate::time::readable(row.created_at),
            rating: row.user_rating.and_then(|stars| u8::try_from(stars).ok()),
            feedback: row.user_feedback_text,
            rated_at: row.feedback_at.map(crate::time::readable),
        })
        .collect())
}

/// The learner's newest recommendation, if they have one.
pub async fn latest(pool: &PgPool, user_id: Uuid) -> Result<Option<Recommendation>, AppError> {
    Ok(stored(pool, user_id, Which::Newest(1))
        .await?
        .into_iter()
        .next())
}

pub async fn history(pool: &PgPool, user_id: Uuid) -> Result<Vec<Recommendation>, AppError> {
    stored(pool, user_id, Which::Newest(HISTORY_LENGTH)).await
}

/// Rates one of the learner's own recommendations (again, if they like);
/// anyone else's is "not found", as if it did not exist.
pub async fn rate(
    pool: &PgPool,
    user_id: Uuid,
    recommendation_id: Uuid,
    rating: &Rating,
) -> Result<Recommendation, AppError> {
    let updated = sqlx::query!(
        "update recommendations
         set user_rating = $3, user_feedback_text = $4, feedback_at = now()
         where id = $1 and user_id = $2",
        recommendation_id,
        user_id,
        i16::from(rating.stars),
        rating.feedback.as_deref(),
    )
    .execute(pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::not_found("There is no such recommendation."));
    }
    stored(pool, user_id, Which::Id(recommendation_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found("There is no such recommendation."))
}

#[cfg(test)]
mod tests;
