//! The admin tables, each described once: its columns drive both the table
//! on the page and the CSV download of the same rows, and every download is
//! named by [`Export`]. Shared by the server (CSV) and the browser (tables).

use super::types::{
    AtRiskLearner, CoursePopularity, InterestWeek, LearnerRow, LevelTransition, ModelRow,
    VersionRating,
};

/// The CSV downloads, one per table an admin can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Levels,
    Interests,
    Models,
    Versions,
    AtRisk,
    Popularity,
    Segment,
    Users,
}

impl Export {
    pub const ALL: [Export; 8] = [
        Export::Levels,
        Export::Interests,
        Export::Models,
        Export::Versions,
        Export::AtRisk,
        Export::Popularity,
        Export::Segment,
        Export::Users,
    ];

    /// The name in the download's URL and file name.
    pub fn name(self) -> &'static str {
        match self {
            Export::Levels => "levels",
            Export::Interests => "interests",
            Export::Models => "models",
            Export::Versions => "versions",
            Export::AtRisk => "at-risk",
            Export::Popularity => "popularity",
            Export::Segment => "segment",
            Export::Users => "users",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|export| export.name() == name)
    }

    /// The download of this table for the view in `query` (a URL query).
    pub fn href(self, query: &str) -> String {
        format!("/admin/export/{}?{query}", self.name())
    }
}

/// One cell: the text the page shows (a link when `link` is set), and the
/// value the CSV gets when it differs (an exact number, a plain flag).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub link: Option<String>,
    exported: Option<String>,
}

impl Cell {
    pub fn text(text: impl ToString) -> Self {
        Self {
            text: text.to_string(),
            link: None,
            exported: None,
        }
    }

    /// No value: a dash on the page, an empty CSV cell.
    pub fn missing() -> Self {
        Self::text("–").exported_as("")
    }

    pub fn linked(self, href: String) -> Self {
        Self {
            link: Some(href),
            ..self
        }
    }

    pub fn exported_as(self, value: impl ToString) -> Self {
        Self {
            exported: Some(value.to_string()),
            ..self
        }
    }

    /// What the CSV gets.
    pub fn exported(&self) -> &str {
        self.exported.as_deref().unwrap_or(&self.text)
    }
}

/// A column: its heading on the page, its name in the CSV, and its cell.
pub struct Column<Row> {
    pub heading: &'static str,
    pub csv_name: &'static str,
    pub cell: fn(&Row) -> Cell,
}

/// A column, written on one line of the tables below.
const fn column<Row>(
    heading: &'static str,
    csv_name: &'static str,
    cell: fn(&Row) -> Cell,
) -> Column<Row> {
    Column {
        heading,
        csv_name,
        cell,
    }
}

/// An average rating: one decimal on the page, two in the CSV.
fn average(value: Option<f64>) -> Cell {
    match value {
        Some(value) => Cell::text(format!("{value:.1}")).exported_as(format!("{value:.2}")),
        None => Cell::missing(),
    }
}

fn optional(value: Option<impl ToString>) -> Cell {
    value.map_or_else(Cell::missing, Cell::text)
}

pub const LEVEL_COLUMNS: &[Column<LevelTransition>] = &[
    column("From", "from_level", |row| Cell::text(&row.from_level)),
    column("To", "to_level", |row| Cell::text(&row.to_level)),
    column("Learners", "transitions", |row| Cell::text(row.count)),
    column("Average days between versions", "average_days", |row| {
        Cell::text(format!("{:.1}", row.average_days))
    }),
];

pub const INTEREST_COLUMNS: &[Column<InterestWeek>] = &[
    column("Week of", "week", |row| Cell::text(&row.week)),
    column("Added", "added", |row| Cell::text(row.added)),
    column("Removed", "removed", |row| Cell::text(row.removed)),
];

pub const MODEL_COLUMNS: &[Column<ModelRow>] = &[
    column("Model", "model", |row| Cell::text(&row.model)),
    column("Level", "level", |row| {
        Cell::text(row.level.as_deref().unwrap_or("all"))
    }),
    column("Recommendations", "recommendations", |row| {
        Cell::text(row.recommendations)
    }),
    column("Rated", "rated", |row| Cell::text(row.rated)),
    column("With feedback", "with_feedback", |row| {
        Cell::text(format!(
            "{} ({:.0}%)",
            row.with_feedback,
            row.feedback_rate()
        ))
        .exported_as(row.with_feedback)
    }),
    column("Average", "average_rating", |row| {
        average(row.average_rating)
    }),
    column("1★", "stars_1", |row| Cell::text(row.stars[0])),
    column("2★", "stars_2", |row| Cell::text(row.stars[1])),
    column("3★", "stars_3", |row| Cell::text(row.stars[2])),
    column("4★", "stars_4", |row| Cell::text(row.stars[3])),
    column("5★", "stars_5", |row| Cell::text(row.stars[4])),
];

pub const VERSION_COLUMNS: &[Column<VersionRating>] = &[
    column("Profile version", "profile_version", |row| {
        // The view counts version 10 and every later one together.
        let shown = if row.version >= 10 {
            "10+".to_owned()
        } else {
            row.version.to_string()
        };
        Cell::text(shown).exported_as(row.version)
    }),
    column("Rated", "rated", |row| Cell::text(row.rated)),
    column("Average", "average_rating", |row| {
        average(row.average_rating)
    }),
];

pub const AT_RISK_COLUMNS: &[Column<AtRiskLearner>] = &[
    column("Email", "email", |row| Cell::text(&row.email)),
    column("Last active", "last_active", |row| {
        Cell::text(&row.last_active)
    }),
    column("Signals", "signals", |row| {
        Cell::text(row.signals.join("; "))
    }),
];

pub const POPULARITY_COLUMNS: &[Column<CoursePopularity>] = &[
    column("Course", "course", |row| {
        Cell::text(&row.title).linked(format!("/courses/{}", row.slug))
    }),
    column("Recommended", "recommended", |row| {
        Cell::text(row.recommended)
    }),
    column("Rated", "rated", |row| Cell::text(row.rated)),
    column("Average rating", "average_rating", |row| {
        average(row.average_rating)
    }),
];

/// Segments and the user list: the same learner rows.
pub const LEARNER_COLUMNS: &[Column<LearnerRow>] = &[
    column("Email", "email", |row| {
        Cell::text(&row.email).linked(format!("/admin/users/{}", row.id))
    }),
    column("Role", "role", |row| Cell::text(&row.role)),
    column("Level", "level", |row| optional(row.level.as_deref())),
    column("Hours/week", "hours_per_week", |row| {
        optional(row.hours_per_week)
    }),
    column("Signed up", "signed_up", |row| Cell::text(&row.signed_up)),
    column("Last active", "last_active", |row| {
        Cell::text(&row.last_active)
    }),
    column("Status", "active", |row| {
        Cell::text(if row.is_active {
            "active"
        } else {
            "deactivated"
        })
        .exported_as(row.is_active)
    }),
    column("Demo", "demo", |row| {
        Cell::text(if row.is_demo { "demo" } else { "" }).exported_as(row.is_demo)
    }),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_is_found_by_its_name() {
        for export in Export::ALL {
            assert_eq!(Export::from_name(export.name()), Some(export));
        }
        assert_eq!(Export::from_name("passwords"), None);
        assert_eq!(
            Export::Models.href("from=2026-01-01"),
            "/admin/export/models?from=2026-01-01"
        );
    }

    #[test]
    fn averages_are_rounded_on_the_page_and_exact_in_the_csv() {
        let cell = average(Some(3.456));
        assert_eq!((cell.text.as_str(), cell.exported()), ("3.5", "3.46"));
        let none = average(None);
        assert_eq!((none.text.as_str(), none.exported()), ("–", ""));
    }
}
