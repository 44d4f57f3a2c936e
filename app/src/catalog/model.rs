use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How demanding a course is. Stored as lowercase text, checked by the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [
        Difficulty::Beginner,
        Difficulty::Intermediate,
        Difficulty::Advanced,
    ];

    /// The value used in the database, in JSON and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Beginner => "beginner",
            Difficulty::Intermediate => "intermediate",
            Difficulty::Advanced => "advanced",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Beginner => "Beginner",
            Difficulty::Intermediate => "Intermediate",
            Difficulty::Advanced => "Advanced",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a difficulty; use beginner, intermediate or advanced")]
pub struct UnknownDifficulty(pub String);

impl FromStr for Difficulty {
    type Err = UnknownDifficulty;

    /// Accepts any letter case and surrounding spaces, as people type them.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim();
        Difficulty::ALL
            .into_iter()
            .find(|difficulty| difficulty.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownDifficulty(text.to_owned()))
    }
}

/// One row of the course list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseSummary {
    pub id: Uuid,
    pub title: String,
    pub difficulty: Difficulty,
    pub duration_hours: i32,
    /// Tag names, alphabetical.
    pub tags: Vec<String>,
}

/// The catalog view a URL asks for. Parsing never fails: a parameter that
/// makes no sense is dropped and explained in `notes`, so a hand-edited or
/// stale link still shows a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseQuery {
    pub difficulty: Option<Difficulty>,
    pub notes: Vec<String>,
}

impl CourseQuery {
    pub fn from_url_params(difficulty: Option<&str>) -> Self {
        let mut query = CourseQuery::default();
        match difficulty.map(str::trim) {
            None | Some("") => {}
            Some(text) => match text.parse::<Difficulty>() {
                Ok(difficulty) => query.difficulty = Some(difficulty),
                Err(error) => query
                    .notes
                    .push(format!("{error}. Showing every difficulty instead.")),
            },
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difficulty_parses_any_case_and_spacing() {
        assert_eq!(" Advanced ".parse(), Ok(Difficulty::Advanced));
        assert_eq!("BEGINNER".parse(), Ok(Difficulty::Beginner));
    }

    #[test]
    fn unknown_difficulty_names_what_was_typed() {
        let error = "expert".parse::<Difficulty>().unwrap_err();
        assert!(error.to_string().contains("“expert”"));
    }

    #[test]
    fn difficulty_round_trips_through_its_text() {
        for difficulty in Difficulty::ALL {
            assert_eq!(difficulty.as_str().parse(), Ok(difficulty));
        }
    }

    #[test]
    fn url_query_ignores_a_bad_difficulty_with_a_note() {
        let query = CourseQuery::from_url_params(Some("wizard"));
        assert_eq!(query.difficulty, None);
        assert_eq!(query.notes.len(), 1);
        assert!(query.notes[0].contains("wizard"));
    }

    #[test]
    fn url_query_accepts_an_empty_difficulty_silently() {
        assert_eq!(
            CourseQuery::from_url_params(Some("")),
            CourseQuery::default()
        );
        assert_eq!(CourseQuery::from_url_params(None), CourseQuery::default());
    }
}
