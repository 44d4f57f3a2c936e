//! What the recommendation pages show, shared by server and browser, and the
//! rating a learner gives, which checks itself.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FormErrors;
use crate::catalog::Difficulty;

pub const MAX_QUESTION_CHARS: usize = 500;
pub const MAX_FEEDBACK_CHARS: usize = 2000;
pub const MIN_COURSES: usize = 3;
pub const MAX_COURSES: usize = 10;

/// Whether a recommendation was made for this learner or is a generic start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecommendationKind {
    /// Ranked from the learner's profile and question.
    Personal,
    /// The profile said too little: popular beginner courses, labelled as such.
    Popular,
}

impl RecommendationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationKind::Personal => "personal",
            RecommendationKind::Popular => "popular",
        }
    }

    pub fn from_column(text: &str) -> Self {
        if text == "popular" {
            RecommendationKind::Popular
        } else {
            RecommendationKind::Personal
        }
    }
}

/// One recommended course as shown: the course, its match and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendedCourse {
    pub course_id: Uuid,
    pub slug: String,
    pub title: String,
    pub difficulty: Difficulty,
    pub duration_hours: i32,
    /// How well it matches, 0–100.
    pub score: u8,
    pub explanation: String,
}

/// A stored recommendation with the learner's rating of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub id: Uuid,
    pub kind: RecommendationKind,
    pub question: Option<String>,
    pub summary: String,
    /// The best match first; `learning_path` gives an order of study.
    pub courses: Vec<RecommendedCourse>,
    pub profile_version: i32,
    /// What produced it: "builtin-v1" or a model's name.
    pub model: String,
    pub created_at: String,
    pub rating: Option<u8>,
    pub feedback: Option<String>,
    pub rated_at: Option<String>,
}

/// One course of a learning path and why it comes at that point.
#[derive(Debug, Clone, PartialEq)]
pub struct PathStep {
    pub slug: String,
    pub title: String,
    pub difficulty: Difficulty,
    pub reason: String,
}

/// The picks in an order to study them: easier courses first, so each
/// builds on the ones before; within a level, the better match first. A view
/// of the same courses, not a second ranking: the list itself stays ordered
/// by how well each course matches.
pub fn learning_path(courses: &[RecommendedCourse]) -> Vec<PathStep> {
    let mut order: Vec<(usize, &RecommendedCourse)> = courses.iter().enumerate().collect();
    // Stable: courses of one level keep their ranking order.
    order.sort_by_key(|(_, course)| course.difficulty);
    let mut steps = Vec::with_capacity(order.len());
    let mut earlier: Option<Difficulty> = None;
    for (place, (rank, course)) in order.iter().enumerate() {
        let best = if *rank == 0 {
            " It is also your best match."
        } else {
            ""
        };
        let reason = match (place, earlier, course.difficulty) {
            (0, _, Difficulty::Beginner) => {
                "Start here: a beginner course that lays the groundwork for the rest.".to_owned()
            }
            (0, _, difficulty) => format!(
                "Start here: at {} level, the most approachable of these picks.",
                difficulty.label().to_lowercase()
            ),
            (_, Some(before), difficulty) if before == difficulty => format!(
                "Also {}: take it alongside or after the one before.",
                difficulty.label().to_lowercase()
            ),
            (_, _, Difficulty::Intermediate) => {
                "Intermediate: builds on the beginner courses before it.".to_owned()
            }
            (_, _, Difficulty::Advanced) => {
                "Advanced: take it once the courses before it feel comfortable.".to_owned()
            }
            (_, _, Difficulty::Beginner) => "Beginner level.".to_owned(),
        };
        steps.push(PathStep {
            slug: course.slug.clone(),
            title: course.title.clone(),
            difficulty: course.difficulty,
            reason: format!("{reason}{best}"),
        });
        earlier = Some(course.difficulty);
    }
    steps
}

/// How many requests the learner has left in the rolling day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub limit: u32,
    pub used: u32,
    /// When the oldest request of the window stops counting, if any counts.
    pub next_free_at: Option<String>,
}

impl Quota {
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    /// "7 of 10 requests left today. The next one frees up at 14:05 UTC."
    pub fn describe(&self) -> String {
        let remaining = self.remaining();
        let left = match remaining {
            1 => format!("1 of {} requests left in the last 24 hours.", self.limit),
            n => format!("{n} of {} requests left in the last 24 hours.", self.limit),
        };
        match (&self.next_free_at, remaining) {
            (Some(at), 0) => format!("No requests left for now; the next one frees up at {at}."),
            (Some(at), _) => format!("{left} The next one frees up at {at}."),
            (None, _) => left,
        }
    }
}

/// The recommendations page: what the learner can ask and what they last got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationsData {
    /// Whether the profile says enough (interests or a goal) for personal picks.
    pub profile_is_filled: bool,
    pub quota: Quota,
    /// A fresh token for the request form: sending the same one twice (a
    /// double click) yields one recommendation.
    pub request_id: Uuid,
    pub latest: Option<Recommendation>,
}

/// The answer to "recommend me courses".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RecommendOutcome {
    Recommended(Recommendation),
    /// The question is not about learning anything the catalog has; nothing
    /// was stored or counted.
    OffTopic {
        message: String,
    },
}

/// A 1–5 star rating with optional feedback, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub stars: u8,
    pub feedback: Option<String>,
}

impl Rating {
    pub fn from_form(stars: &str, feedback: &str) -> Result<Rating, FormErrors> {
        let mut errors = FormErrors::new();
        let stars = match stars.trim() {
            "" => {
                errors.add("rating", "Choose a rating from 1 to 5 stars.");
                None
            }
            text => match text.parse::<i64>() {
                Ok(value @ 1..=5) => Some(value as u8),
                Ok(_) => {
                    errors.add("rating", "A rating is 1 to 5 stars.");
                    None
                }
                Err(_) => {
                    errors.add("rating", "A rating is a whole number of stars from 1 to 5.");
                    None
                }
            },
        };
        let feedback = feedback.trim();
        let feedback_chars = feedback.chars().count();
        if feedback_chars > MAX_FEEDBACK_CHARS {
            errors.add(
                "feedback",
                format!(
                    "Keep feedback to {MAX_FEEDBACK_CHARS} characters (this has {feedback_chars})."
                ),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Rating {
            stars: stars.unwrap_or_default(),
            feedback: (!feedback.is_empty()).then(|| feedback.to_owned()),
        })
    }
}

/// The polite answer to a question the catalog cannot help with.
pub fn off_topic_message(question: &str) -> String {
    format!(
        "I can only recommend courses from the AcmeLearn catalog, and nothing in it is about “{question}”. \
         Ask about something you want to learn, for example “I want to get into data engineering” or “help me start with web design”."
    )
}

/// The learner's question, trimmed; empty means none. Too long is an error.
pub fn question_from_form(question: &str) -> Result<Option<String>, FormErrors> {
    let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars = question.chars().count();
    if chars > MAX_QUESTION_CHARS {
        return Err(FormErrors::new().with(
            "question",
            format!("Keep your question to {MAX_QUESTION_CHARS} characters (this has {chars})."),
        ));
    }
    Ok((!question.is_empty()).then_some(question))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(title: &str, difficulty: Difficulty) -> RecommendedCourse {
        RecommendedCourse {
            course_id: Uuid::nil(),
            slug: title.to_lowercase(),
            title: title.to_owned(),
            difficulty,
            duration_hours: 10,
            score: 50,
            explanation: String::new(),
        }
    }

    #[test]
    fn the_learning_path_puts_foundations_first_and_keeps_match_order_within_a_level() {
        let courses = [
            picked("Advanced A", Difficulty::Advanced),
            picked("Beginner B", Difficulty::Beginner),
            picked("Intermediate C", Difficulty::Intermediate),
            picked("Beginner D", Difficulty::Beginner),
        ];
        let path = learning_path(&courses);
        let titles: Vec<&str> = path.iter().map(|step| step.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Beginner B", "Beginner D", "Intermediate C", "Advanced A"]
        );
        assert!(
            path[0].reason.starts_with("Start here"),
            "{}",
            path[0].reason
        );
        assert!(
            path[1].reason.starts_with("Also beginner"),
            "{}",
            path[1].reason
        );
        assert!(path[2].reason.contains("builds on"), "{}", path[2].reason);
        assert!(path[3].reason.contains("best match"), "{}", path[3].reason);
        assert!(learning_path(&[]).is_empty());
    }

    #[test]
    fn ratings_are_whole_stars_from_one_to_five() {
        for stars in ["1", "3", " 5 "] {
            assert!(Rating::from_form(stars, "").is_ok(), "{stars}");
        }
        for (stars, message) in [
            ("0", "1 to 5"),
            ("6", "1 to 5"),
            ("-1", "1 to 5"),
            ("2.5", "whole number"),
            ("five", "whole number"),
            ("", "Choose a rating"),
        ] {
            let errors = Rating::from_form(stars, "").expect_err(stars);
            assert!(
                errors
                    .field("rating")
                    .is_some_and(|text| text.contains(message)),
                "{stars}: {errors:?}"
            );
        }
    }

    #[test]
    fn feedback_is_optional_and_limited() {
        let rating = Rating::from_form("4", "  useful  ").expect("valid");
        assert_eq!(rating.feedback.as_deref(), Some("useful"));
        assert_eq!(Rating::from_form("4", "   ").expect("valid").feedback, None);
        let at_limit = "é".repeat(MAX_FEEDBACK_CHARS);
        assert!(Rating::from_form("4", &at_limit).is_ok());
        let errors = Rating::from_form("4", &format!("{at_limit}x")).expect_err("too long");
        assert!(errors.field("feedback").is_some());
    }

    #[test]
    fn questions_are_tidied_and_limited() {
        assert_eq!(question_from_form("  ").expect("empty is fine"), None);
        assert_eq!(
            question_from_form(" data \n engineering ").expect("valid"),
            Some("data engineering".to_owned())
        );
        assert!(question_from_form(&"a".repeat(MAX_QUESTION_CHARS + 1)).is_err());
    }

    #[test]
    fn quota_says_what_is_left_and_when_more_comes() {
        let quota = Quota {
            limit: 10,
            used: 3,
            next_free_at: Some("14:05 UTC".into()),
        };
        assert_eq!(quota.remaining(), 7);
        assert!(quota.describe().starts_with("7 of 10"));
        let spent = Quota { used: 10, ..quota };
        assert!(spent.describe().contains("No requests left"));
        assert!(spent.describe().contains("14:05 UTC"));
    }
}
