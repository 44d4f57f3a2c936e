//! Recommendations from a language model over the OpenAI chat-completions
//! protocol (OpenAI, Ollama, vLLM, llama.cpp all speak it). Server-only.
//!
//! The built-in ranker shortlists the candidates so prompts stay small; the
//! model picks and explains among them; its answer is checked strictly and
//! anything wrong with it is a [`ModelFailure`], which the caller answers
//! with the built-in ranking instead.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ranker::{BUILTIN_MODEL, Candidate, Learner, Pick};
use super::types::{MAX_COURSES, MIN_COURSES};

const MAX_EXPLANATION_CHARS: usize = 600;
const MAX_SUMMARY_CHARS: usize = 1000;
/// The part of each description the model sees.
const DESCRIPTION_CHARS: usize = 240;
/// The most of a model's answer that is read. A valid answer (ten courses
/// with explanations of at most 600 characters) is under 20 KiB; a model or
/// proxy gone wrong could otherwise send more than the server can hold.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// A model and its share of learners in the A/B test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelArm {
    pub model: String,
    pub weight: u32,
}

/// Reads `LLM_MODELS`: "gpt-4o-mini:50,llama3.1:50"; a name without a
/// weight weighs 1. "builtin-v1" may be an arm of its own.
pub fn parse_model_arms(text: &str) -> Result<Vec<ModelArm>, String> {
    let mut arms = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        // Model names may contain ':' themselves ("llama3.1:8b"); only a
        // trailing number is a weight.
        let (model, weight) = match part.rsplit_once(':') {
            Some((model, weight))
                if !weight.is_empty() && weight.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let weight = weight
                    .parse::<u32>()
                    .map_err(|_| format!("LLM_MODELS: the weight of “{model}” is too large"))?;
                (model.trim(), weight)
            }
            _ => (part, 1),
        };
        if model.is_empty() {
            return Err(format!("LLM_MODELS: “{part}” has no model name"));
        }
        if weight == 0 {
            continue;
        }
        arms.push(ModelArm {
            model: model.to_owned(),
            weight,
        });
    }
    if arms.is_empty() {
        return Err("LLM_MODELS names no model with a weight above 0".to_owned());
    }
    Ok(arms)
}

/// The model a learner is assigned to: sticky (a hash of their id, so the
/// same learner always gets the same arm while the weights stay the same).
pub fn assigned_model(arms: &[ModelArm], user_id: Uuid) -> &str {
    let total: u64 = arms.iter().map(|arm| u64::from(arm.weight)).sum();
    if total == 0 {
        return BUILTIN_MODEL;
    }
    let digest = Sha256::digest(user_id.as_bytes());
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    let mut point = u64::from_be_bytes(first) % total;
    for arm in arms {
        let weight = u64::from(arm.weight);
        if point < weight {
            return &arm.model;
        }
        point -= weight;
    }
    BUILTIN_MODEL
}

/// A configured OpenAI-compatible provider. The key never leaves the server
/// and is not printed by `Debug`.
#[derive(Clone)]
pub struct ModelProvider {
    client: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
    pub arms: Vec<ModelArm>,
}

impl fmt::Debug for ModelProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelProvider")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "(set)"))
            .field("arms", &self.arms)
            .finish()
    }
}

/// Why a model's answer was not used. Stored with the recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelFailure {
    Timeout,
    RateLimited,
    Http(u16),
    Unreachable(String),
    InvalidOutput(String),
    /// The answer was longer than [`MAX_ANSWER_BYTES`]; the rest was not read.
    TooLarge,
}

impl fmt::Display for ModelFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelFailure::Timeout => write!(f, "timeout"),
            ModelFailure::RateLimited => write!(f, "rate limited (HTTP 429)"),
            ModelFailure::Http(status) => write!(f, "HTTP {status}"),
            ModelFailure::Unreachable(detail) => write!(f, "unreachable: {detail}"),
            ModelFailure::InvalidOutput(detail) => write!(f, "invalid output: {detail}"),
            ModelFailure::TooLarge => {
                write!(f, "answer too large (over {} KiB)", MAX_ANSWER_BYTES / 1024)
            }
        }
    }
}

impl ModelFailure {
    /// The kind of failure without its details: a bounded set, for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ModelFailure::Timeout => "timeout",
            ModelFailure::RateLimited => "rate_limited",
            ModelFailure::Http(_) => "http_error",
            ModelFailure::Unreachable(_) => "unreachable",
            ModelFailure::InvalidOutput(_) => "invalid_output",
            ModelFailure::TooLarge => "too_large",
        }
    }
}

/// A model's checked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelAnswer {
    Picks {
        summary: String,
        picks: Vec<Pick>,
        usage: Usage,
    },
    /// The model judged the question not to be about learning.
    OffTopic { message: String },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: Option<i32>,
    #[serde(default)]
    pub completion_tokens: Option<i32>,
}

const INSTRUCTIONS: &str = r#"You are AcmeLearn's course adviser. From the candidate courses given, choose 3 to 10 that best fit the learner, the best fit first (the page shows an order of study separately). Use only the candidates' ids. For each course give a match score from 0 to 100 and a specific explanation of one to three sentences that cites the evidence: which of the learner's interests and skills it matches, why its level fits theirs, and how long it takes at their hours per week. Also write a short overall summary.
If the learner's question is not about learning something (for example "write me a poem"), do not recommend courses: set "off_topic" to true and put a polite one-sentence reply in "message" saying what you can help with.
Answer with JSON only, exactly in this shape:
{"off_topic": false, "message": "", "summary": "...", "courses": [{"id": "c1", "score": 87, "explanation": "..."}]}"#;

impl ModelProvider {
    pub fn new(
        base_url: &str,
        api_key: Option<String>,
        arms: Vec<ModelArm>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let base_url = base_url.trim().trim_end_matches('/');
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(format!(
                "LLM_BASE_URL must start with http:// or https:// (got “{base_url}”)"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|error| format!("could not set up the model client: {error}"))?;
        Ok(ModelProvider {
            client,
            base_url: base_url.to_owned(),
            api_key: api_key.filter(|key| !key.trim().is_empty()),
            arms,
        })
    }

    /// Asks `model` to choose among `shortlist` for `learner`.
    pub async fn recommend(
        &self,
        model: &str,
        learner: &Learner,
        shortlist: &[&Candidate],
    ) -> Result<ModelAnswer, ModelFailure> {
        let body = json!({
            "model": model,
            "temperature": 0.2,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": prompt(learner, shortlist)},
            ],
        });
        let mut request = self
            .client
            .post(format!("{}/chat/completions", self.base_url))
            .json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(request_failure)?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(ModelFailure::RateLimited);
        }
        if !status.is_success() {
            return Err(ModelFailure::Http(status.as_u16()));
        }
        let body = read_at_most(response, MAX_ANSWER_BYTES).await?;
        let completion: Completion = serde_json::from_slice(&body).map_err(|error| {
            ModelFailure::InvalidOutput(format!("not a chat completion: {error}"))
        })?;
        let content = completion
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .ok_or_else(|| ModelFailure::InvalidOutput("no message content".to_owned()))?;
        check_answer(&content, shortlist, completion.usage.unwrap_or_default())
    }
}

/// The body as it arrives, piece by piece, given up on as soon as it is
/// longer than `limit` (whatever its Content-Length said, if it said any).
async fn read_at_most(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ModelFailure> {
    let mut body = Vec::new();
    while let Some(piece) = response.chunk().await.map_err(request_failure)? {
        if body.len() + piece.len() > limit {
            return Err(ModelFailure::TooLarge);
        }
        body.extend_from_slice(&piece);
    }
    Ok(body)
}

fn request_failure(error: reqwest::Error) -> ModelFailure {
    if error.is_timeout() {
        ModelFailure::Timeout
    } else {
        // Without the URL: it may carry credentials.
        ModelFailure::Unreachable(error.without_url().to_string())
    }
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

/// What the learner and the shortlist look like to the model. Candidates are
/// "c1", "c2"… so the model cannot invent a plausible-looking id.
fn prompt(learner: &Learner, shortlist: &[&Candidate]) -> String {
    let mut text = String::from("Learner:\n");
    let or_unset = |value: Option<String>| value.unwrap_or_else(|| "not set".to_owned());
    text.push_str(&format!(
        "- goal: {}\n- level: {}\n- hours per week: {}\n- interests: {}\n- question: {}\n\nCandidates:\n",
        or_unset(learner.goal.clone()),
        or_unset(learner.level.map(|level| level.as_str().to_owned())),
        or_unset(learner.hours_per_week.map(|hours| hours.to_string())),
        if learner.interests.is_empty() {
            "none chosen".to_owned()
        } else {
            learner.interests.join(", ")
        },
        or_unset(learner.question.clone()),
    ));
    for (index, course) in shortlist.iter().enumerate() {
        let description: String = course.description.chars().take(DESCRIPTION_CHARS).collect();
        text.push_str(&format!(
            "- id c{}: {} | {} | {} hours | tags: {} | skills: {} | {}\n",
            index + 1,
            course.title,
            course.difficulty.as_str(),
            course.duration_hours,
            course.tags.join(", "),
            course.skills.join(", "),
            description
        ));
    }
    text
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelReply {
    #[serde(default)]
    off_topic: bool,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    courses: Vec<ModelCourse>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelCourse {
    id: String,
    score: f64,
    explanation: String,
}

fn invalid(detail: impl Into<String>) -> ModelFailure {
    ModelFailure::InvalidOutput(detail.into())
}

/// Checks the model's JSON against the shortlist: known ids only, no
/// repeats, 3–10 courses, scores 0–100, explanations present and short.
pub fn check_answer(
    content: &str,
    shortlist: &[&Candidate],
    usage: Usage,
) -> Result<ModelAnswer, ModelFailure> {
    // Some local models wrap JSON in a Markdown fence despite being asked not to.
    let json = content
        .trim()
        .trim_start_matches("```json")
        .trim_start_matches("```")
        .trim_end_matches("```")
        .trim();
    let reply: ModelReply = serde_json::from_str(json)
        .map_err(|error| invalid(format!("not the JSON asked for: {error}")))?;
    if reply.off_topic {
        let message = reply.message.unwrap_or_default();
        let message = message.trim();
        if message.is_empty() {
            return Err(invalid("off_topic without a message"));
        }
        return Ok(ModelAnswer::OffTopic {
            message: message.chars().take(MAX_SUMMARY_CHARS).collect(),
        });
    }
    if !(MIN_COURSES..=MAX_COURSES).contains(&reply.courses.len()) {
        return Err(invalid(format!(
            "{} courses, expected {MIN_COURSES} to {MAX_COURSES}",
            reply.courses.len()
        )));
    }
    let summary = reply.summary.unwrap_or_default().trim().to_owned();
    if summary.is_empty() || summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(invalid("summary missing or too long"));
    }
    let mut picks: Vec<Pick> = Vec::with_capacity(reply.courses.len());
    for course in reply.courses {
        let candidate = course
            .id
            .trim()
            .strip_prefix('c')
            .and_then(|number| number.parse::<usize>().ok())
            .and_then(|number| number.checked_sub(1))
            .and_then(|index| shortlist.get(index))
            .ok_or_else(|| invalid(format!("unknown course id “{}”", course.id)))?;
        if picks.iter().any(|pick| pick.course_id == candidate.id) {
            return Err(invalid(format!("course “{}” listed twice", course.id)));
        }
        if !(0.0..=100.0).contains(&course.score) {
            return Err(invalid(format!("score {} outside 0–100", course.score)));
        }
        let explanation = course.explanation.trim();
        if explanation.is_empty() || explanation.chars().count() > MAX_EXPLANATION_CHARS {
            return Err(invalid(format!(
                "explanation of “{}” missing or too long",
                course.id
            )));
        }
        picks.push(Pick {
            course_id: candidate.id,
            score: course.score.round() as u8,
            explanation: explanation.to_owned(),
        });
    }
    Ok(ModelAnswer::Picks {
        summary,
        picks,
        usage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_arms_read_weights_and_names_with_colons() {
        assert_eq!(
            parse_model_arms("gpt-4o-mini:50, llama3.1:8b:50,builtin-v1").expect("valid"),
            vec![
                ModelArm {
                    model: "gpt-4o-mini".into(),
                    weight: 50
                },
                ModelArm {
                    model: "llama3.1:8b".into(),
                    weight: 50
                },
                ModelArm {
                    model: "builtin-v1".into(),
                    weight: 1
                },
            ]
        );
        assert!(parse_model_arms("").is_err());
        assert!(parse_model_arms("a:0").is_err());
        assert!(parse_model_arms(":5").is_err());
    }

    #[test]
    fn assignment_is_sticky_and_follows_the_weights() {
        let arms = parse_model_arms("a:50,b:50").expect("valid");
        let mut counts = [0_u32; 2];
        for number in 0..2_000_u128 {
            let user = Uuid::from_u128(number * 7_919 + 13);
            let first = assigned_model(&arms, user);
            assert_eq!(first, assigned_model(&arms, user), "sticky");
            counts[usize::from(first == "b")] += 1;
        }
        assert!((800..=1_200).contains(&counts[0]), "{counts:?}");
        let only_a = parse_model_arms("a:1").expect("valid");
        assert_eq!(assigned_model(&only_a, Uuid::nil()), "a");
    }

    #[test]
    fn the_key_is_not_in_debug_output() {
        let provider = ModelProvider::new(
            "http://localhost:1/v1",
            Some("sk-secret".into()),
            parse_model_arms("m").expect("valid"),
            Duration::from_secs(1),
        )
        .expect("valid");
        assert!(!format!("{provider:?}").contains("sk-secret"));
    }

    #[test]
    fn base_urls_must_be_http() {
        assert!(ModelProvider::new("ftp://x", None, Vec::new(), Duration::from_secs(1)).is_err());
    }
}
