//! The learner's profile, shared by server and browser: its state, the
//! checks a form goes through, the changes between versions and a save's
//! outcome.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::FormErrors;
use crate::catalog::TagCategory;

pub const MAX_GOAL_CHARS: usize = 500;
pub const MAX_INTERESTS: usize = 20;
pub const MIN_HOURS_PER_WEEK: i32 = 1;
pub const MAX_HOURS_PER_WEEK: i32 = 168;

crate::text_enum::text_enum! {
    /// Where a learner says they stand. Stored as lowercase text, checked by the database.
    pub enum Level {
        Beginner = "beginner", "Beginner";
        Intermediate = "intermediate", "Intermediate";
        Advanced = "advanced", "Advanced";
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Level::from_text(text).ok_or_else(|| {
            format!("“{text}” is not a level; choose beginner, intermediate or advanced.")
        })
    }
}

/// One part of the profile a learner fills in, for saying what is left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfilePart {
    Interests,
    Goal,
    Level,
    HoursPerWeek,
}

impl ProfilePart {
    pub const COUNT: usize = 4;

    /// What to do, and what it gives the learner.
    pub fn advice(self) -> &'static str {
        match self {
            ProfilePart::Interests => "Add your interests to get better picks.",
            ProfilePart::Goal => "Say what you want to learn, in your own words.",
            ProfilePart::Level => "Give your level, so picks start at the right place.",
            ProfilePart::HoursPerWeek => {
                "Add your hours per week to see how long each course will take you."
            }
        }
    }
}

/// A learner's profile as of one version: what the form edits and what each
/// snapshot records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileState {
    pub learning_goal: Option<String>,
    pub current_level: Option<Level>,
    pub hours_per_week: Option<i32>,
    /// Tag names, sorted.
    pub interests: Vec<String>,
}

impl ProfileState {
    /// Checks a submitted profile form. Every problem is reported next to its
    /// field; whether the interests exist in the catalog is for the server to say.
    pub fn from_form(
        learning_goal: &str,
        current_level: &str,
        hours_per_week: &str,
        interests: &[String],
    ) -> Result<ProfileState, FormErrors> {
        let mut errors = FormErrors::new();

        let goal = learning_goal.trim();
        let goal_chars = goal.chars().count();
        if goal_chars > MAX_GOAL_CHARS {
            errors.add(
                "learning_goal",
                format!(
                    "Keep your goal to {MAX_GOAL_CHARS} characters (this one has {goal_chars})."
                ),
            );
        }

        let level = match current_level.trim() {
            "" => None,
            text => match text.parse::<Level>() {
                Ok(level) => Some(level),
                Err(message) => {
                    errors.add("current_level", message);
                    None
                }
            },
        };

        let hours = match hours_per_week.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(hours)
                    if (i64::from(MIN_HOURS_PER_WEEK)..=i64::from(MAX_HOURS_PER_WEEK))
                        .contains(&hours) =>
                {
                    Some(hours as i32)
                }
                Ok(_) => {
                    errors.add(
                        "hours_per_week",
                        format!("Hours per week must be between {MIN_HOURS_PER_WEEK} and {MAX_HOURS_PER_WEEK} (a week has 168 hours)."),
                    );
                    None
                }
                Err(_) => {
                    errors.add(
                        "hours_per_week",
                        format!("Enter hours per week as a whole number from {MIN_HOURS_PER_WEEK} to {MAX_HOURS_PER_WEEK}."),
                    );
                    None
                }
            },
        };

        let chosen: BTreeSet<String> = interests
            .iter()
            .map(|tag| {
                tag.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            })
            .filter(|tag| !tag.is_empty())
            .collect();
        if chosen.len() > MAX_INTERESTS {
            errors.add(
                "interests",
                format!(
                    "Choose at most {MAX_INTERESTS} interests (you chose {}).",
                    chosen.len()
                ),
            );
        }

        if errors.is_empty() {
            Ok(ProfileState {
                learning_goal: (!goal.is_empty()).then(|| goal.to_owned()),
                current_level: level,
                hours_per_week: hours,
                interests: chosen.into_iter().collect(),
            })
        } else {
            Err(errors)
        }
    }

    /// The parts of the profile still empty, in the order the form shows
    /// them: each one the ranker could use to choose better.
    pub fn missing_parts(&self) -> Vec<ProfilePart> {
        [
            (ProfilePart::Interests, self.interests.is_empty()),
            (ProfilePart::Goal, self.learning_goal.is_none()),
            (ProfilePart::Level, self.current_level.is_none()),
            (ProfilePart::HoursPerWeek, self.hours_per_week.is_none()),
        ]
        .into_iter()
        .filter_map(|(part, missing)| missing.then_some(part))
        .collect()
    }

    /// What differs from `before`, in the order the form shows the fields.
    pub fn changes_since(&self, before: &ProfileState) -> Vec<Change> {
        let mut changes = Vec::new();
        if before.current_level != self.current_level {
            changes.push(Change::Level {
                from: before.current_level,
                to: self.current_level,
            });
        }
        if before.hours_per_week != self.hours_per_week {
            changes.push(Change::HoursPerWeek {
                from: before.hours_per_week,
                to: self.hours_per_week,
            });
        }
        let added: Vec<String> = self
            .interests
            .iter()
            .filter(|tag| !before.interests.contains(tag))
            .cloned()
            .collect();
        let removed: Vec<String> = before
            .interests
            .iter()
            .filter(|tag| !self.interests.contains(tag))
            .cloned()
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            changes.push(Change::Interests { added, removed });
        }
        if before.learning_goal != self.learning_goal {
            changes.push(Change::Goal {
                from: before.learning_goal.clone(),
                to: self.learning_goal.clone(),
            });
        }
        changes
    }
}

#[cfg(test)]
impl ProfileState {
    /// A state for tests, in the order the form shows the fields.
    pub(crate) fn example(
        level: Option<Level>,
        hours: Option<i32>,
        interests: &[&str],
        goal: Option<&str>,
    ) -> ProfileState {
        ProfileState {
            learning_goal: goal.map(str::to_owned),
            current_level: level,
            hours_per_week: hours,
            interests: interests.iter().map(|tag| tag.to_string()).collect(),
        }
    }
}

/// One difference between two consecutive versions of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Level {
        from: Option<Level>,
        to: Option<Level>,
    },
    HoursPerWeek {
        from: Option<i32>,
        to: Option<i32>,
    },
    Interests {
        added: Vec<String>,
        removed: Vec<String>,
    },
    Goal {
        from: Option<String>,
        to: Option<String>,
    },
}

fn or_not_set<T: fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "not set".to_owned(), ToString::to_string)
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Level { from, to } => {
                write!(f, "level: {} → {}", or_not_set(from), or_not_set(to))
            }
            Change::HoursPerWeek { from, to } => {
                write!(
                    f,
                    "hours per week: {} → {}",
                    or_not_set(from),
                    or_not_set(to)
                )
            }
            Change::Interests { added, removed } => {
                let parts: Vec<String> = added
                    .iter()
                    .map(|tag| format!("+ {tag}"))
                    .chain(removed.iter().map(|tag| format!("− {tag}")))
                    .collect();
                write!(f, "interests: {}", parts.join(", "))
            }
            Change::Goal { .. } => f.write_str("goal changed"),
        }
    }
}

/// What the profile page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileData {
    pub version: i32,
    pub state: ProfileState,
    /// How the current version differs from the one before.
    pub latest_changes: Vec<Change>,
    /// The catalog's tags to choose interests from, by category.
    pub tag_groups: Vec<TagCategory>,
}

/// The result of a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveOutcome {
    /// `state` is the profile as saved, so the page can show it without
    /// asking again.
    Saved {
        version: i32,
        state: ProfileState,
        changes: Vec<Change>,
    },
    Unchanged {
        version: i32,
    },
}

/// One version in the learner's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub version: i32,
    /// When it was saved, already formatted (UTC).
    pub saved_at: String,
    /// Empty for version 1, the profile as created at sign-up.
    pub changes: Vec<Change>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parts_lists_what_is_empty_interests_first() {
        let empty = ProfileState::example(None, None, &[], None);
        assert_eq!(
            empty.missing_parts(),
            vec![
                ProfilePart::Interests,
                ProfilePart::Goal,
                ProfilePart::Level,
                ProfilePart::HoursPerWeek
            ]
        );
        let full = ProfileState::example(
            Some(Level::Beginner),
            Some(4),
            &["python"],
            Some("data jobs"),
        );
        assert!(full.missing_parts().is_empty());
        let no_interests =
            ProfileState::example(Some(Level::Beginner), Some(4), &[], Some("data jobs"));
        assert_eq!(no_interests.missing_parts(), vec![ProfilePart::Interests]);
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let errors = ProfileState::from_form(&"x".repeat(501), "expert", "169", &[]).unwrap_err();
        assert!(
            errors
                .field("learning_goal")
                .unwrap()
                .contains("500 characters (this one has 501)")
        );
        assert!(
            errors
                .field("current_level")
                .unwrap()
                .contains("“expert” is not a level")
        );
        assert!(
            errors
                .field("hours_per_week")
                .unwrap()
                .contains("between 1 and 168")
        );
        let errors = ProfileState::from_form("", "", "ten", &[]).unwrap_err();
        assert!(
            errors
                .field("hours_per_week")
                .unwrap()
                .contains("whole number")
        );
        let errors = ProfileState::from_form("", "", "0", &[]).unwrap_err();
        assert!(errors.field("hours_per_week").is_some());
        let too_many: Vec<String> = (0..21).map(|n| format!("tag {n}")).collect();
        let errors = ProfileState::from_form("", "", "", &too_many).unwrap_err();
        assert!(errors.field("interests").unwrap().contains("at most 20"));
    }

    #[test]
    fn a_valid_form_is_normalised() {
        let parsed = ProfileState::from_form(
            "  Become a data engineer ",
            "Intermediate",
            " 6 ",
            &[
                "SQL".to_owned(),
                "python".to_owned(),
                "sql".to_owned(),
                " ".to_owned(),
            ],
        )
        .unwrap();
        assert_eq!(
            parsed,
            ProfileState::example(
                Some(Level::Intermediate),
                Some(6),
                &["python", "sql"],
                Some("Become a data engineer")
            )
        );
        assert_eq!(
            ProfileState::from_form("", "", "", &[]).unwrap(),
            ProfileState::default()
        );
    }

    #[test]
    fn changes_read_like_the_history_page() {
        let before = ProfileState::example(
            Some(Level::Beginner),
            Some(10),
            &["design", "python"],
            Some("learn"),
        );
        let after = ProfileState::example(
            Some(Level::Intermediate),
            Some(4),
            &["cloud", "python"],
            Some("build"),
        );
        let changes: Vec<String> = after
            .changes_since(&before)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            changes,
            [
                "level: beginner → intermediate",
                "hours per week: 10 → 4",
                "interests: + cloud, − design",
                "goal changed",
            ]
        );
        assert!(before.changes_since(&before).is_empty());
        let from_empty = ProfileState::example(Some(Level::Advanced), None, &[], None)
            .changes_since(&ProfileState::default());
        assert_eq!(from_empty[0].to_string(), "level: not set → advanced");
    }
}
