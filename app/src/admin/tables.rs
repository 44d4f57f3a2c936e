//! The admin tables, each described once: its columns drive both the table
//! on the page and the CSV download of the same rows, and every download is
//! named by [`Export`]. Shared by the server (CSV) and the browser (tables).

use super::model::{
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
    Column {
        heading: "From",
        csv_name: "from_level",
        cell: |row| Cell::text(&row.from_level),
    },
    Column {
        heading: "To",
        csv_name: "to_level",
        cell: |row| Cell::text(&row.to_level),
    },
    Column {
        heading: "Learners",
        csv_name: "transitions",
        cell: |row| Cell::text(row.count),
    },
    Column {
        heading: "Average days between versions",
        csv_name: "average_days",
        cell: |row| Cell::text(format!("{:.1}", row.average_days)),
    },
];

pub const INTEREST_COLUMNS: &[Column<InterestWeek>] = &[
    Column {
        heading: "Week of",
        csv_name: "week",
        cell: |row| Cell::text(&row.week),
    },
    Column {
        heading: "Added",
        csv_name: "added",
        cell: |row| Cell::text(row.added),
    },
    Column {
        heading: "Removed",
        csv_name: "removed",
        cell: |row| Cell::text(row.removed),
    },
];

pub const MODEL_COLUMNS: &[Column<ModelRow>] = &[
    Column {
        heading: "Model",
        csv_name: "model",
        cell: |row| Cell::text(&row.model),
    },
    Column {
        heading: "Level",
        csv_name: "level",
        cell: |row| Cell::text(row.level.as_deref().unwrap_or("all")),
    },
    Column {
        heading: "Recommendations",
        csv_name: "recommendations",
        cell: |row| Cell::text(row.recommendations),
    },
    Column {
        heading: "Rated",
        csv_name: "rated",
        cell: |row| Cell::text(row.rated),
    },
    Column {
        heading: "With feedback",
        csv_name: "with_feedback",
        cell: |row| {
            Cell::text(format!(
                "{} ({:.0}%)",
                row.with_feedback,
                row.feedback_rate()
            ))
            .exported_as(row.with_feedback)
        },
    },
    Column {
        heading: "Average",
        csv_name: "average_rating",
        cell: |row| average(row.average_rating),
    },
    Column {
        heading: "1★",
        csv_name: "stars_1",
        cell: |row| Cell::text(row.stars[0]),
    },
    Column {
        heading: "2★",
        csv_name: "stars_2",
        cell: |row| Cell::text(row.stars[1]),
    },
    Column {
        heading: "3★",
        csv_name: "stars_3",
        cell: |row| Cell::text(row.stars[2]),
    },
    Column {
        heading: "4★",
        csv_name: "stars_4",
        cell: |row| Cell::text(row.stars[3]),
    },
    Column {
        heading: "5★",
        csv_name: "stars_5",
        cell: |row| Cell::text(row.stars[4]),
    },
];

pub const VERSION_COLUMNS: &[Column<VersionRating>] = &[
    Column {
        heading: "Profile version",
        csv_name: "profile_version",
        cell: |row| {
            // Versions past 10 are few; the views count them together.
            let shown = if row.version >= 10 {
                "10+".to_owned()
            } else {
                row.version.to_string()
            };
            Cell::text(shown).exported_as(row.version)
        },
    },
    Column {
        heading: "Rated",
        csv_name: "rated",
        cell: |row| Cell::text(row.rated),
    },
    Column {
        heading: "Average",
        csv_name: "average_rating",
        cell: |row| average(row.average_rating),
    },
];

pub const AT_RISK_COLUMNS: &[Column<AtRiskLearner>] = &[
    Column {
        heading: "Email",
        csv_name: "email",
        cell: |row| Cell::text(&row.email),
    },
    Column {
        heading: "Last active",
        csv_name: "last_active",
        cell: |row| Cell::text(&row.last_active),
    },
    Column {
        heading: "Signals",
        csv_name: "signals",
        cell: |row| Cell::text(row.signals.join("; ")),
    },
];

pub const POPULARITY_COLUMNS: &[Column<CoursePopularity>] = &[
    Column {
        heading: "Course",
        csv_name: "course",
        cell: |row| Cell::text(&row.title).linked(format!("/courses/{}", row.slug)),
    },
    Column {
        heading: "Recommended",
        csv_name: "recommended",
        cell: |row| Cell::text(row.recommended),
    },
    Column {
        heading: "Rated",
        csv_name: "rated",
        cell: |row| Cell::text(row.rated),
    },
    Column {
        heading: "Average rating",
        csv_name: "average_rating",
        cell: |row| average(row.average_rating),
    },
];

/// Segments and the user list: the same learner rows.
pub const LEARNER_COLUMNS: &[Column<LearnerRow>] = &[
    Column {
        heading: "Email",
        csv_name: "email",
        cell: |row| Cell::text(&row.email).linked(format!("/admin/users/{}", row.id)),
    },
    Column {
        heading: "Role",
        csv_name: "role",
        cell: |row| Cell::text(&row.role),
    },
    Column {
        heading: "Level",
        csv_name: "level",
        cell: |row| optional(row.level.as_deref()),
    },
    Column {
        heading: "Hours/week",
        csv_name: "hours_per_week",
        cell: |row| optional(row.hours_per_week),
    },
    Column {
        heading: "Signed up",
        csv_name: "signed_up",
        cell: |row| Cell::text(&row.signed_up),
    },
    Column {
        heading: "Last active",
        csv_name: "last_active",
        cell: |row| Cell::text(&row.last_active),
    },
    Column {
        heading: "Status",
        csv_name: "active",
        cell: |row| {
            Cell::text(if row.is_active {
                "active"
            } else {
                "deactivated"
            })
            .exported_as(row.is_active)
        },
    },
    Column {
        heading: "Demo",
        csv_name: "demo",
        cell: |row| Cell::text(if row.is_demo { "demo" } else { "" }).exported_as(row.is_demo),
    },
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
