//! Recommendations against PostgreSQL (a fresh database per test) and, for
//! the model path, against a real HTTP server speaking the chat-completions
//! protocol (wiremock).

use std::time::Duration as StdDuration;

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::quota::OFF_TOPIC_ALLOWANCE_FACTOR;
use super::*;
use crate::account::service::register;
use crate::catalog::test_courses::{Course, insert};
use crate::profile::{Level, ProfileState};
use crate::recommend::llm::{ModelProvider, parse_model_arms};

const PASSWORD: &str = "a sturdy passphrase";
const MODEL: &str = "test-model";

const CATALOG: &[Course] = &[
    Course {
        title: "Python Foundations",
        difficulty: "beginner",
        hours: 20,
        tags: &["python", "programming"],
        skills: &["Python Syntax"],
        description: "A course.",
    },
    Course {
        title: "SQL Basics",
        difficulty: "beginner",
        hours: 12,
        tags: &["sql", "data analysis"],
        skills: &["Select Queries"],
        description: "A course.",
    },
    Course {
        title: "Data Pipelines in Practice",
        difficulty: "intermediate",
        hours: 30,
        tags: &["data engineering", "python"],
        skills: &["Batch Jobs"],
        description: "A course.",
    },
    Course {
        title: "Data Warehouse Modelling",
        difficulty: "intermediate",
        hours: 24,
        tags: &["data engineering", "sql"],
        skills: &["Star Schemas"],
        description: "A course.",
    },
    Course {
        title: "Streaming Systems",
        difficulty: "advanced",
        hours: 36,
        tags: &["data engineering", "streaming"],
        skills: &["Kafka"],
        description: "A course.",
    },
    Course {
        title: "Visual Design Basics",
        difficulty: "beginner",
        hours: 10,
        tags: &["design"],
        skills: &["Typography"],
        description: "A course.",
    },
    Course {
        title: "Excel for Everyone",
        difficulty: "beginner",
        hours: 6,
        tags: &["spreadsheets", "data analysis"],
        skills: &["Formulas"],
        description: "A course.",
    },
];

async fn catalog(pool: &PgPool) {
    insert(pool, CATALOG).await;
}

/// A learner with a data-engineering profile (now at version 2).
async fn data_learner(pool: &PgPool, email: &str) -> Uuid {
    let user_id = register(pool, email, PASSWORD, PASSWORD)
        .await
        .unwrap()
        .user
        .id;
    let state = ProfileState::example(
        Some(Level::Beginner),
        Some(6),
        &["data engineering", "python", "sql"],
        Some("Build data pipelines"),
    );
    crate::profile::service::save(pool, user_id, 1, state)
        .await
        .unwrap();
    user_id
}

fn builtin_only() -> RecommendSettings {
    RecommendSettings::default()
}

fn with_model(server: &MockServer, timeout: StdDuration) -> RecommendSettings {
    RecommendSettings {
        daily_limit: 10,
        provider: Some(
            ModelProvider::new(
                &format!("{}/v1", server.uri()),
                Some("test-key".into()),
                parse_model_arms(MODEL).unwrap(),
                timeout,
            )
            .unwrap(),
        ),
    }
}

async fn ask(
    pool: &PgPool,
    settings: &RecommendSettings,
    user_id: Uuid,
    question: Option<&str>,
) -> Result<RecommendOutcome, AppError> {
    recommend(
        pool,
        &ReadPool::primary_only(pool.clone()),
        settings,
        user_id,
        Uuid::new_v4(),
        question.map(str::to_owned),
    )
    .await
}

fn recommended(outcome: RecommendOutcome) -> Recommendation {
    match outcome {
        RecommendOutcome::Recommended(recommendation) => recommendation,
        other => panic!("expected a recommendation, got {other:?}"),
    }
}

#[derive(sqlx::FromRow, Debug)]
struct StoredRow {
    profile_version: i32,
    query: Option<String>,
    recommended_course_ids: Vec<Uuid>,
    llm_model: String,
    requested_model: Option<String>,
    fallback_reason: Option<String>,
    kind: String,
    latency_ms: Option<i32>,
    prompt_tokens: Option<i32>,
    completion_tokens: Option<i32>,
}

async fn stored_rows(pool: &PgPool) -> Vec<StoredRow> {
    sqlx::query_as(
        "select profile_version, query, recommended_course_ids, llm_model, requested_model,
                fallback_reason, kind, latency_ms, prompt_tokens, completion_tokens
         from recommendations order by created_at",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_builtin_ranker_answers_and_everything_is_stored(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "data@example.test").await;
    let recommendation = recommended(
        ask(
            &pool,
            &builtin_only(),
            user_id,
            Some("I want to get into data engineering"),
        )
        .await
        .unwrap(),
    );
    let titles: Vec<&str> = recommendation
        .courses
        .iter()
        .map(|course| course.title.as_str())
        .collect();
    // Only the two data engineering courses answer the question; the
    // beginner Python and SQL courses share an interest but not what was
    // asked, so they do not pad the list.
    assert!((2..=10).contains(&titles.len()), "{titles:?}");
    assert!(titles.contains(&"Data Pipelines in Practice"), "{titles:?}");
    assert!(!titles.contains(&"Visual Design Basics"), "{titles:?}");
    assert!(
        !titles.contains(&"Streaming Systems"),
        "a beginner gets no advanced course: {titles:?}"
    );
    assert!(
        recommendation
            .courses
            .iter()
            .all(|course| !course.explanation.is_empty())
    );
    assert_eq!(recommendation.model, BUILTIN_MODEL);
    assert_eq!(recommendation.profile_version, 2);
    assert_eq!(recommendation.kind, RecommendationKind::Personal);

    let rows = stored_rows(&pool).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.profile_version, 2);
    assert_eq!(
        row.query.as_deref(),
        Some("I want to get into data engineering")
    );
    assert_eq!(
        row.recommended_course_ids,
        recommendation
            .courses
            .iter()
            .map(|course| course.course_id)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        (row.llm_model.as_str(), row.requested_model.as_deref()),
        (BUILTIN_MODEL, Some(BUILTIN_MODEL))
    );
    assert_eq!(row.fallback_reason, None);
    assert_eq!(row.kind, "personal");
    assert!(row.latency_ms.is_some());
    assert_eq!((row.prompt_tokens, row.completion_tokens), (None, None));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_same_request_token_twice_stores_one_recommendation(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "twice@example.test").await;
    let token = Uuid::new_v4();
    let settings = builtin_only();
    let catalog = ReadPool::primary_only(pool.clone());
    let (first, second) = tokio::join!(
        recommend(&pool, &catalog, &settings, user_id, token, None),
        recommend(&pool, &catalog, &settings, user_id, token, None),
    );
    assert_eq!(
        recommended(first.unwrap()).id,
        recommended(second.unwrap()).id
    );
    assert_eq!(stored_rows(&pool).await.len(), 1);
    let again = recommended(
        recommend(&pool, &catalog, &settings, user_id, token, None)
            .await
            .unwrap(),
    );
    assert_eq!(stored_rows(&pool).await.len(), 1);
    assert_eq!(again.profile_version, 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_daily_quota_refuses_extra_requests_and_says_when_more_come(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "quota@example.test").await;
    let settings = RecommendSettings {
        daily_limit: 2,
        provider: None,
    };
    ask(&pool, &settings, user_id, None).await.unwrap();
    ask(&pool, &settings, user_id, None).await.unwrap();
    let refused = ask(&pool, &settings, user_id, None).await.unwrap_err();
    assert_eq!(refused.status_code(), 429);
    assert!(refused.to_string().contains("frees up at"), "{refused}");
    assert_eq!(stored_rows(&pool).await.len(), 2);
    let quota = quota(&pool, 2, user_id).await.unwrap();
    assert_eq!((quota.used, quota.remaining()), (2, 0));
    assert!(quota.next_free_at.is_some());

    // Requests older than 24 hours no longer count.
    sqlx::query("update recommendations set created_at = now() - interval '25 hours'")
        .execute(&pool)
        .await
        .unwrap();
    ask(&pool, &settings, user_id, None).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_question_off_the_catalog_gets_a_polite_answer_and_costs_nothing(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "poem@example.test").await;
    for question in ["write me a poem", "tell me a joke about cats"] {
        let outcome = ask(&pool, &builtin_only(), user_id, Some(question))
            .await
            .unwrap();
        let RecommendOutcome::OffTopic { message } = outcome else {
            panic!("{question}: {outcome:?}")
        };
        assert!(message.contains("AcmeLearn catalog"), "{message}");
    }
    assert!(stored_rows(&pool).await.is_empty());
    assert_eq!(quota(&pool, 10, user_id).await.unwrap().used, 0);
    // A question about something the catalog has is answered.
    recommended(
        ask(&pool, &builtin_only(), user_id, Some("help me learn sql"))
            .await
            .unwrap(),
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_empty_profile_gets_popular_beginner_courses_labelled(pool: PgPool) {
    catalog(&pool).await;
    let user_id = register(&pool, "new@example.test", PASSWORD, PASSWORD)
        .await
        .unwrap()
        .user
        .id;
    let page_data = page(&pool, &builtin_only(), user_id).await.unwrap();
    assert!(!page_data.profile_is_filled);
    assert_eq!(page_data.latest, None);
    let recommendation = recommended(ask(&pool, &builtin_only(), user_id, None).await.unwrap());
    assert_eq!(recommendation.kind, RecommendationKind::Popular);
    assert_eq!(recommendation.profile_version, 1);
    assert!(
        recommendation
            .courses
            .iter()
            .all(|course| course.difficulty == Difficulty::Beginner)
    );
    assert!(recommendation.summary.contains("popular beginner courses"));
    assert_eq!(stored_rows(&pool).await[0].kind, "popular");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_owner_can_rate_and_a_rating_can_change(pool: PgPool) {
    catalog(&pool).await;
    let owner = data_learner(&pool, "owner@example.test").await;
    let other = data_learner(&pool, "other@example.test").await;
    let recommendation = recommended(ask(&pool, &builtin_only(), owner, None).await.unwrap());

    let four = Rating::from_form("4", "Good start, but more SQL please").unwrap();
    let rated = rate(&pool, owner, recommendation.id, &four).await.unwrap();
    assert_eq!(rated.rating, Some(4));
    assert_eq!(
        rated.feedback.as_deref(),
        Some("Good start, but more SQL please")
    );
    assert!(rated.rated_at.is_some());

    let two = Rating::from_form("2", "").unwrap();
    let changed = rate(&pool, owner, recommendation.id, &two).await.unwrap();
    assert_eq!((changed.rating, changed.feedback), (Some(2), None));

    let refused = rate(&pool, other, recommendation.id, &four)
        .await
        .unwrap_err();
    assert_eq!(refused.status_code(), 404);
    let unknown = rate(&pool, owner, Uuid::new_v4(), &four).await.unwrap_err();
    assert_eq!(unknown.status_code(), 404);
    let (stars, feedback_at): (Option<i16>, Option<DateTime<Utc>>) =
        sqlx::query_as("select user_rating, feedback_at from recommendations")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stars, Some(2));
    assert!(feedback_at.is_some());

    let listed = history(&pool, owner).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].rating, Some(2));
    assert!(history(&pool, other).await.unwrap().is_empty());
}

// --- the model path, against a real HTTP double of the provider ---

/// A chat completion whose message content is `content`.
fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 812, "completion_tokens": 164, "total_tokens": 976}
    })
}

/// The candidate ids ("c1"…) the request offered, with their titles.
fn offered(request: &Request) -> Vec<(String, String)> {
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    let prompt = body["messages"][1]["content"].as_str().unwrap().to_owned();
    prompt
        .lines()
        .filter_map(|line| line.strip_prefix("- id "))
        .map(|line| {
            let (id, rest) = line.split_once(": ").unwrap();
            (id.to_owned(), rest.split(" | ").next().unwrap().to_owned())
        })
        .collect()
}

/// A valid answer: the first three courses offered, in reverse order.
fn three_picks(request: &Request) -> ResponseTemplate {
    let offered = offered(request);
    assert!(offered.len() >= 3 && offered.len() <= 25, "{offered:?}");
    let picks: Vec<Value> = offered
        .iter()
        .take(3)
        .rev()
        .map(|(id, title)| json!({"id": id, "score": 80, "explanation": format!("Model says: {title} fits.")}))
        .collect();
    ResponseTemplate::new(200).set_body_json(completion(
        &json!({"off_topic": false, "summary": "Three picks from the model.", "courses": picks})
            .to_string(),
    ))
}

async fn model_answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer test-key"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[sqlx::test(migrations = "../migrations")]
async fn a_models_valid_answer_is_stored_as_the_model_gave_it(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "model@example.test").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer test-key"))
        .respond_with(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(body["model"], MODEL);
            three_picks(request)
        })
        .expect(1)
        .mount(&server)
        .await;
    let settings = with_model(&server, StdDuration::from_secs(5));
    let recommendation = recommended(
        ask(&pool, &settings, user_id, Some("data engineering"))
            .await
            .unwrap(),
    );
    assert_eq!(recommendation.model, MODEL);
    assert_eq!(recommendation.summary, "Three picks from the model.");
    assert_eq!(recommendation.courses.len(), 3);
    assert!(
        recommendation
            .courses
            .iter()
            .all(|course| course.explanation == format!("Model says: {} fits.", course.title))
    );
    let row = &stored_rows(&pool).await[0];
    assert_eq!(row.llm_model, MODEL);
    assert_eq!(row.requested_model.as_deref(), Some(MODEL));
    assert_eq!(row.fallback_reason, None);
    assert_eq!(
        (row.prompt_tokens, row.completion_tokens),
        (Some(812), Some(164))
    );
}

/// Asks with the model answering `template`; the learner must still get a
/// stored, valid built-in answer, with the failure recorded.
async fn falls_back(
    pool: &PgPool,
    email: &str,
    template: ResponseTemplate,
    timeout: StdDuration,
) -> String {
    let user_id = data_learner(pool, email).await;
    let server = model_answering(template).await;
    let settings = with_model(&server, timeout);
    let recommendation = recommended(
        ask(pool, &settings, user_id, Some("data engineering"))
            .await
            .unwrap(),
    );
    assert_eq!(recommendation.model, BUILTIN_MODEL);
    assert!((2..=10).contains(&recommendation.courses.len()));
    let rows = stored_rows(pool).await;
    let row = rows.last().unwrap();
    assert_eq!(row.llm_model, BUILTIN_MODEL);
    assert_eq!(row.requested_model.as_deref(), Some(MODEL));
    row.fallback_reason
        .clone()
        .expect("the failure is recorded")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_slow_model_is_answered_by_the_builtin_ranker(pool: PgPool) {
    catalog(&pool).await;
    let slow = ResponseTemplate::new(200)
        .set_body_json(completion("{}"))
        .set_delay(StdDuration::from_secs(5));
    let reason = falls_back(
        &pool,
        "slow@example.test",
        slow,
        StdDuration::from_millis(300),
    )
    .await;
    assert_eq!(reason, "timeout");
}

#[sqlx::test(migrations = "../migrations")]
async fn model_http_errors_and_rate_limits_fall_back(pool: PgPool) {
    catalog(&pool).await;
    let reason = falls_back(
        &pool,
        "e500@example.test",
        ResponseTemplate::new(500),
        StdDuration::from_secs(5),
    )
    .await;
    assert_eq!(reason, "HTTP 500");
    let reason = falls_back(
        &pool,
        "e429@example.test",
        ResponseTemplate::new(429),
        StdDuration::from_secs(5),
    )
    .await;
    assert_eq!(reason, "rate limited (HTTP 429)");
}

#[sqlx::test(migrations = "../migrations")]
async fn invalid_model_output_falls_back(pool: PgPool) {
    catalog(&pool).await;
    let cases: [(&str, ResponseTemplate, &str); 6] = [
        (
            "malformed",
            ResponseTemplate::new(200).set_body_json(completion("{\"courses\": [")),
            "not the JSON asked for",
        ),
        (
            "not-a-completion",
            ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
            "not a chat completion",
        ),
        (
            "unknown-ids",
            ResponseTemplate::new(200).set_body_json(completion(
                &json!({"summary": "s", "courses": [
                {"id": "c1", "score": 90, "explanation": "a"},
                {"id": "c2", "score": 80, "explanation": "b"},
                {"id": "c99", "score": 70, "explanation": "c"}]})
                .to_string(),
            )),
            "unknown course id “c99”",
        ),
        (
            "too-few",
            ResponseTemplate::new(200).set_body_json(completion(
                &json!({"summary": "s", "courses": [
                {"id": "c1", "score": 90, "explanation": "a"}]})
                .to_string(),
            )),
            "1 courses, expected 3 to 10",
        ),
        (
            "duplicates",
            ResponseTemplate::new(200).set_body_json(completion(
                &json!({"summary": "s", "courses": [
                {"id": "c1", "score": 90, "explanation": "a"},
                {"id": "c1", "score": 80, "explanation": "b"},
                {"id": "c2", "score": 70, "explanation": "c"}]})
                .to_string(),
            )),
            "listed twice",
        ),
        (
            "empty-explanation",
            ResponseTemplate::new(200).set_body_json(completion(
                &json!({"summary": "s", "courses": [
                {"id": "c1", "score": 90, "explanation": " "},
                {"id": "c2", "score": 80, "explanation": "b"},
                {"id": "c3", "score": 70, "explanation": "c"}]})
                .to_string(),
            )),
            "explanation of “c1” missing",
        ),
    ];
    for (name, template, expected) in cases {
        let reason = falls_back(
            &pool,
            &format!("{name}@example.test"),
            template,
            StdDuration::from_secs(5),
        )
        .await;
        assert!(reason.starts_with("invalid output"), "{name}: {reason}");
        assert!(reason.contains(expected), "{name}: {reason}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unreachable_model_falls_back(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "down@example.test").await;
    // A port nothing listens on (wiremock pools its servers, so a dropped
    // one may still answer).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = RecommendSettings {
        daily_limit: 10,
        provider: Some(
            ModelProvider::new(
                &format!("http://127.0.0.1:{port}/v1"),
                None,
                parse_model_arms(MODEL).unwrap(),
                StdDuration::from_secs(2),
            )
            .unwrap(),
        ),
    };
    let recommendation = recommended(ask(&pool, &settings, user_id, None).await.unwrap());
    assert_eq!(recommendation.model, BUILTIN_MODEL);
    let reason = stored_rows(&pool).await[0].fallback_reason.clone().unwrap();
    assert!(reason.starts_with("unreachable"), "{reason}");
}

#[sqlx::test(migrations = "../migrations")]
async fn learners_in_the_builtin_arm_never_reach_the_model(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "arm@example.test").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let mut settings = with_model(&server, StdDuration::from_secs(5));
    if let Some(provider) = settings.provider.as_mut() {
        provider.arms = parse_model_arms("builtin-v1:1").unwrap();
    }
    recommended(ask(&pool, &settings, user_id, None).await.unwrap());
    let row = &stored_rows(&pool).await[0];
    assert_eq!(
        (row.llm_model.as_str(), row.fallback_reason.as_deref()),
        (BUILTIN_MODEL, None)
    );
}

// --- the quota is taken before the work it pays for ---

async fn model_calls(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

async fn reservations(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from recommendation_reservations")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn parallel_requests_for_the_last_slot_make_one_model_call(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "racer@example.test").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(|request: &Request| {
            three_picks(request).set_delay(StdDuration::from_millis(300))
        })
        .mount(&server)
        .await;
    let settings = RecommendSettings {
        daily_limit: 3,
        ..with_model(&server, StdDuration::from_secs(5))
    };
    // Two of three used: one request left.
    for _ in 0..2 {
        recommended(ask(&pool, &builtin_only(), user_id, None).await.unwrap());
    }
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (pool, settings) = (pool.clone(), settings.clone());
        requests
            .spawn(async move { ask(&pool, &settings, user_id, Some("data engineering")).await });
    }
    let answers = requests.join_all().await;
    let refused = answers
        .iter()
        .filter(|answer| matches!(answer, Err(error) if error.status_code() == 429))
        .count();
    assert_eq!(refused, 7, "{answers:?}");
    assert_eq!(model_calls(&server).await, 1);
    let rows = stored_rows(&pool).await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().filter(|row| row.llm_model == MODEL).count(), 1);
    assert_eq!(reservations(&pool).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_double_submit_makes_one_model_call(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "double@example.test").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(|request: &Request| {
            three_picks(request).set_delay(StdDuration::from_millis(300))
        })
        .mount(&server)
        .await;
    let settings = with_model(&server, StdDuration::from_secs(5));
    let token = Uuid::new_v4();
    let catalog = ReadPool::primary_only(pool.clone());
    let (first, second) = tokio::join!(
        recommend(&pool, &catalog, &settings, user_id, token, None),
        recommend(&pool, &catalog, &settings, user_id, token, None),
    );
    let (first, second) = (recommended(first.unwrap()), recommended(second.unwrap()));
    assert_eq!(first.id, second.id);
    assert_eq!(first.model, MODEL);
    assert_eq!(model_calls(&server).await, 1);
    assert_eq!(quota(&pool, 10, user_id).await.unwrap().used, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn off_topic_model_answers_are_free_but_have_their_own_allowance(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "chatty@example.test").await;
    let server = model_answering(ResponseTemplate::new(200).set_body_json(completion(
        &json!({"off_topic": true, "message": "I can only help with learning."}).to_string(),
    )))
    .await;
    let settings = RecommendSettings {
        daily_limit: 1,
        ..with_model(&server, StdDuration::from_secs(5))
    };
    // About a catalog topic, so only the model can tell it is off-topic.
    let question = Some("write me a poem about python".to_owned());
    let token = Uuid::new_v4();
    for _ in 0..2 {
        let outcome = recommend(
            &pool,
            &ReadPool::primary_only(pool.clone()),
            &settings,
            user_id,
            token,
            question.clone(),
        )
        .await
        .unwrap();
        assert_eq!(
            outcome,
            RecommendOutcome::OffTopic {
                message: "I can only help with learning.".into()
            }
        );
    }
    assert_eq!(
        model_calls(&server).await,
        1,
        "a repeat of the token does not ask the model again"
    );
    let allowance = OFF_TOPIC_ALLOWANCE_FACTOR as usize;
    for _ in 1..allowance {
        let outcome = ask(&pool, &settings, user_id, question.as_deref())
            .await
            .unwrap();
        assert!(matches!(outcome, RecommendOutcome::OffTopic { .. }));
    }
    assert_eq!(model_calls(&server).await, allowance);
    assert_eq!(quota(&pool, 1, user_id).await.unwrap().used, 0, "free");

    let refused = ask(&pool, &settings, user_id, question.as_deref())
        .await
        .unwrap_err();
    assert_eq!(refused.status_code(), 429);
    assert!(
        refused.to_string().contains("not about learning"),
        "{refused}"
    );
    assert_eq!(
        model_calls(&server).await,
        allowance,
        "no model call when refused"
    );
    assert!(stored_rows(&pool).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_that_fails_gives_its_slot_back(pool: PgPool) {
    // No catalog: nothing to recommend, a 404 after the slot was taken.
    let user_id = register(&pool, "early@example.test", PASSWORD, PASSWORD)
        .await
        .unwrap()
        .user
        .id;
    let settings = RecommendSettings {
        daily_limit: 1,
        provider: None,
    };
    for _ in 0..2 {
        let failed = ask(&pool, &settings, user_id, None).await.unwrap_err();
        assert_eq!(failed.status_code(), 404, "{failed}");
    }
    assert_eq!(reservations(&pool).await, 0);
    assert_eq!(quota(&pool, 1, user_id).await.unwrap().used, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_abandoned_midway_gives_its_slot_back(pool: PgPool) {
    catalog(&pool).await;
    let user_id = data_learner(&pool, "leaver@example.test").await;
    let server = model_answering(
        ResponseTemplate::new(200)
            .set_body_json(completion("{}"))
            .set_delay(StdDuration::from_secs(5)),
    )
    .await;
    let settings = RecommendSettings {
        daily_limit: 1,
        ..with_model(&server, StdDuration::from_secs(10))
    };
    // The client goes away while the model is thinking.
    let abandoned = tokio::time::timeout(
        StdDuration::from_millis(500),
        ask(&pool, &settings, user_id, Some("data engineering")),
    )
    .await;
    assert!(abandoned.is_err());
    let mut waited = 0;
    while reservations(&pool).await > 0 && waited < 50 {
        tokio::time::sleep(StdDuration::from_millis(20)).await;
        waited += 1;
    }
    assert_eq!(reservations(&pool).await, 0);
    assert_eq!(quota(&pool, 1, user_id).await.unwrap().used, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_oversized_model_answer_falls_back(pool: PgPool) {
    catalog(&pool).await;
    let huge = completion(&"x".repeat(300 * 1024));
    let reason = falls_back(
        &pool,
        "huge@example.test",
        ResponseTemplate::new(200).set_body_json(huge),
        StdDuration::from_secs(5),
    )
    .await;
    assert_eq!(reason, "answer too large (over 256 KiB)");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_interest_made_only_of_stop_words_still_gets_recommendations(pool: PgPool) {
    // "it" and "the" are English stop words: the tag's text query is empty.
    insert(
        &pool,
        &[Course {
            title: "IT Support Essentials",
            difficulty: "beginner",
            hours: 8,
            tags: &["it", "the", "python"],
            skills: &["Help Desk"],
            description: "A course.",
        }],
    )
    .await;
    catalog(&pool).await;
    let user_id = register(&pool, "stop-words@example.test", PASSWORD, PASSWORD)
        .await
        .unwrap()
        .user
        .id;
    let state = ProfileState::example(None, None, &["it", "the", "python"], None);
    crate::profile::service::save(&pool, user_id, 1, state)
        .await
        .unwrap();

    let outcome = ask(&pool, &builtin_only(), user_id, None).await.unwrap();
    let RecommendOutcome::Recommended(recommendation) = outcome else {
        panic!("expected recommendations, got {outcome:?}");
    };
    assert!(!recommendation.courses.is_empty());
}

/// The shipped catalog (`data/courses.json`), inserted as the import writes it.
async fn shipped_catalog(pool: &PgPool) {
    #[derive(serde::Deserialize)]
    struct Shipped {
        title: String,
        description: String,
        difficulty: String,
        duration: i32,
        tags: Vec<String>,
        skills_covered: Vec<String>,
    }
    let text = include_str!("../../../../data/courses.json");
    let shipped: Vec<Shipped> = serde_json::from_str(text).unwrap();
    let tags: Vec<Vec<&str>> = shipped
        .iter()
        .map(|course| course.tags.iter().map(String::as_str).collect())
        .collect();
    let skills: Vec<Vec<&str>> = shipped
        .iter()
        .map(|course| course.skills_covered.iter().map(String::as_str).collect())
        .collect();
    let courses: Vec<Course> = shipped
        .iter()
        .enumerate()
        .map(|(place, course)| Course {
            title: &course.title,
            difficulty: &course.difficulty,
            hours: course.duration,
            tags: &tags[place],
            skills: &skills[place],
            description: &course.description,
        })
        .collect();
    insert(pool, &courses).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn everyday_questions_in_the_catalogs_words_are_told_apart_from_learning_questions(
    pool: PgPool,
) {
    #[derive(serde::Deserialize)]
    struct Labelled {
        question: String,
        off_topic: bool,
    }
    #[derive(serde::Deserialize)]
    struct QuestionsFile {
        questions: Vec<Labelled>,
    }
    shipped_catalog(&pool).await;
    let file: QuestionsFile =
        serde_json::from_str(include_str!("../../../../data/off_topic_questions.json")).unwrap();
    let mut misread = Vec::new();
    for labelled in &file.questions {
        let mut learner = Learner {
            question: Some(labelled.question.clone()),
            ..Learner::default()
        };
        let on_topic = understand(&pool, &mut learner).await.unwrap();
        if on_topic == labelled.off_topic {
            misread.push(format!(
                "{} as {}",
                labelled.question,
                if on_topic { "on topic" } else { "off topic" }
            ));
        }
    }
    assert!(
        misread.is_empty(),
        "{} misread:\n{}",
        misread.len(),
        misread.join("\n")
    );
}
