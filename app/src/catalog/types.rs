//! What the catalog pages show, shared by server and browser: courses and
//! their pages, search hits, tags grouped by category, syllabus modules (the
//! URL query is in `query`).

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::text_enum::text_enum! {
    /// How demanding a course is. Stored as lowercase text, checked by the database.
    pub enum Difficulty {
        Beginner = "beginner", "Beginner";
        Intermediate = "intermediate", "Intermediate";
        Advanced = "advanced", "Advanced";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a difficulty; use beginner, intermediate or advanced")]
pub struct UnknownDifficulty(pub String);

impl FromStr for Difficulty {
    type Err = UnknownDifficulty;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Difficulty::from_text(text).ok_or_else(|| UnknownDifficulty(text.to_owned()))
    }
}

/// One course as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseSummary {
    pub id: Uuid,
    /// The readable part of the course's address, `/courses/{slug}`.
    pub slug: String,
    pub title: String,
    pub difficulty: Difficulty,
    pub duration_hours: i32,
    /// Tag names, alphabetical.
    pub tags: Vec<String>,
}

impl CourseSummary {
    pub fn path(&self) -> String {
        course_path(&self.slug)
    }
}

pub fn course_path(slug: &str) -> String {
    format!("/courses/{slug}")
}

/// A course as the offline copy of the catalog keeps it: what a list shows
/// and the text a search looks in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineCourse {
    pub course: CourseSummary,
    pub description: String,
    pub skills: Vec<String>,
}

/// Text with the parts that matched a search marked, rendered as `<mark>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlighted(pub Vec<(String, bool)>);

impl Highlighted {
    pub fn plain(text: impl Into<String>) -> Self {
        Highlighted(vec![(text.into(), false)])
    }

    /// Splits text whose matches sit between `start` and `stop` markers (as
    /// PostgreSQL's `ts_headline` writes them).
    pub fn from_marked(text: &str, start: char, stop: char) -> Self {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(start) {
            if open > 0 {
                parts.push((rest[..open].to_owned(), false));
            }
            let after_open = &rest[open + start.len_utf8()..];
            let close = after_open.find(stop).unwrap_or(after_open.len());
            if close > 0 {
                parts.push((after_open[..close].to_owned(), true));
            }
            rest = after_open
                .get(close + stop.len_utf8()..)
                .unwrap_or_default();
        }
        if !rest.is_empty() {
            parts.push((rest.to_owned(), false));
        }
        Highlighted(parts)
    }

    pub fn text(&self) -> String {
        self.0.iter().map(|(text, _)| text.as_str()).collect()
    }
}

/// One search result: the course, with the words that matched marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseHit {
    pub course: CourseSummary,
    pub title: Highlighted,
    /// The start of the description, or the passage that matched best.
    pub snippet: Highlighted,
}

/// One page of the catalog, as a view asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub courses: Vec<CourseHit>,
    /// Matching courses on every page (at most `COUNTED_MATCHES`).
    pub total: i64,
    /// Whether more courses than `total` match.
    pub more_than_counted: bool,
    /// The page shown (a page past the end shows the last one).
    pub page: i64,
    pub page_count: i64,
    /// What the server ignored or corrected (an unknown tag, a page past the end).
    pub notes: Vec<String>,
    /// Set when nothing matched the words as typed and a correction did:
    /// these results are for the corrected words.
    pub corrected_text: Option<String>,
}

/// A tag a learner can filter by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagChoice {
    pub name: String,
    pub category: String,
    pub course_count: i32,
}

/// Tags of one category, for the tag browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCategory {
    pub name: String,
    pub tags: Vec<TagChoice>,
}

/// Groups tags (sorted by category, then name) by their category.
pub fn group_by_category(tags: Vec<TagChoice>) -> Vec<TagCategory> {
    let mut groups: Vec<TagCategory> = Vec::new();
    for tag in tags {
        match groups.last_mut() {
            Some(group) if group.name == tag.category => group.tags.push(tag),
            _ => groups.push(TagCategory {
                name: tag.category.clone(),
                tags: vec![tag],
            }),
        }
    }
    groups
}

/// One module of a course's syllabus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyllabusModule {
    pub title: String,
    pub summary: String,
}

/// Reads "Module 1: Title - what it covers. Module 2: …" into modules. Text
/// that does not follow that shape gives no modules; the page then shows it
/// as written.
pub fn parse_syllabus(contents: &str) -> Vec<SyllabusModule> {
    let starts: Vec<(usize, usize)> = contents
        .match_indices("Module ")
        .filter_map(|(at, word)| {
            let after = &contents[at + word.len()..];
            let digits = after.chars().take_while(char::is_ascii_digit).count();
            (digits > 0 && after[digits..].starts_with(':'))
                .then_some((at, at + word.len() + digits + 1))
        })
        .collect();
    if starts
        .first()
        .is_none_or(|(at, _)| !contents[..*at].trim().is_empty())
    {
        return Vec::new();
    }
    starts
        .iter()
        .enumerate()
        .map(|(index, &(_, body_start))| {
            let body_end = starts.get(index + 1).map_or(contents.len(), |(at, _)| *at);
            let body = contents[body_start..body_end].trim();
            let (title, summary) = body.split_once(" - ").unwrap_or((body, ""));
            SyllabusModule {
                title: title.trim().trim_end_matches('.').to_owned(),
                summary: capitalise(summary.trim()),
            }
        })
        .collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Everything the course page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseDetail {
    pub course: CourseSummary,
    pub description: String,
    /// The syllabus as written; shown when it has no "Module N:" structure.
    pub contents: String,
    pub syllabus: Vec<SyllabusModule>,
    pub skills: Vec<String>,
    /// Courses sharing the most tags and skills with this one.
    pub related: Vec<CourseSummary>,
    /// The signed-in learner's hours per week, when their profile has them.
    pub learner_hours_per_week: Option<i32>,
}

/// Whole weeks a course takes at some hours per week (a started week counts).
pub fn weeks_at_pace(duration_hours: i32, hours_per_week: i32) -> i32 {
    if hours_per_week <= 0 {
        return 0;
    }
    (duration_hours + hours_per_week - 1) / hours_per_week
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
    fn marked_text_splits_into_highlighted_parts() {
        let text = Highlighted::from_marked(
            "Intro to \u{2}Python\u{3} and \u{2}data\u{3}",
            '\u{2}',
            '\u{3}',
        );
        assert_eq!(
            text.0,
            [
                ("Intro to ".to_owned(), false),
                ("Python".to_owned(), true),
                (" and ".to_owned(), false),
                ("data".to_owned(), true),
            ]
        );
        assert_eq!(text.text(), "Intro to Python and data");
        // An unclosed marker still keeps every character.
        assert_eq!(
            Highlighted::from_marked("a\u{2}b", '\u{2}', '\u{3}').text(),
            "ab"
        );
    }

    #[test]
    fn a_syllabus_reads_into_modules() {
        let modules = parse_syllabus(
            "Module 1: Your First Program - install Python and run it. Module 2: Values - numbers, strings. Module 10: Capstone - build a tool.",
        );
        assert_eq!(modules.len(), 3);
        assert_eq!(modules[0].title, "Your First Program");
        assert_eq!(modules[0].summary, "Install Python and run it.");
        assert_eq!(modules[2].title, "Capstone");
        assert!(parse_syllabus("Just some prose about the course.").is_empty());
        assert!(parse_syllabus("Intro first. Module 1: A - b.").is_empty());
    }

    #[test]
    fn weeks_round_up() {
        assert_eq!(weeks_at_pace(24, 5), 5);
        assert_eq!(weeks_at_pace(20, 5), 4);
        assert_eq!(weeks_at_pace(3, 10), 1);
        assert_eq!(weeks_at_pace(3, 0), 0);
        assert_eq!(weeks_at_pace(24, 4), 6);
        assert_eq!(weeks_at_pace(25, 4), 7);
        assert_eq!(weeks_at_pace(3, 168), 1);
    }

    #[test]
    fn tags_group_by_category_in_order() {
        let tag = |category: &str, name: &str| TagChoice {
            name: name.to_owned(),
            category: category.to_owned(),
            course_count: 1,
        };
        let groups = group_by_category(vec![
            tag("Data", "sql"),
            tag("Data", "spark"),
            tag("Web", "css"),
        ]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].tags.len(), 2);
        assert_eq!(groups[1].name, "Web");
    }
}
