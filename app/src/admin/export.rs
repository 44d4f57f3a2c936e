//! CSV downloads of every dashboard table, the at-risk list, segments and
//! users: the numbers behind the charts, whole. Server-only.

use chrono::Utc;
use serde::Serialize;
use sqlx::PgPool;

use super::analytics::{self, period_from};
use super::learners;
use super::model::{LearnerRow, SegmentFilter};
use crate::AppError;

/// A file to download.
pub struct CsvFile {
    pub file_name: String,
    pub body: String,
}

pub const EXPORTS: &[&str] = &[
    "levels",
    "interests",
    "models",
    "versions",
    "at-risk",
    "popularity",
    "segment",
    "users",
];

fn csv_of<R: Serialize>(rows: impl IntoIterator<Item = R>) -> Result<String, AppError> {
    let failed = |error: csv::Error| {
        tracing::error!(%error, "writing CSV");
        AppError::Internal.with_status()
    };
    // Rows go through serde once, as records, so every cell of every export
    // passes the one check below on its way out.
    let mut plain = csv::Writer::from_writer(Vec::new());
    for row in rows {
        plain.serialize(row).map_err(failed)?;
    }
    let plain = plain
        .into_inner()
        .map_err(|error| failed(error.into_error().into()))?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice())
        .records()
    {
        let record = record.map_err(failed)?;
        writer
            .write_record(record.iter().map(|cell| inert_cell(cell).into_owned()))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| failed(error.into_error().into()))?;
    String::from_utf8(bytes).map_err(|_| AppError::Internal.with_status())
}

/// A cell a spreadsheet will show as text. Spreadsheets run a cell that
/// starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one)
/// as a formula, and emails and goals are the learners' own text
/// (`=1+2@example.test` is a valid address). OWASP's rule: such a cell gets a
/// leading `'`. A number stays a number; it cannot be a formula.
fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let starts_like_a_formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let is_number = cell.parse::<f64>().is_ok_and(f64::is_finite);
    if starts_like_a_formula && !is_number {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

#[derive(Serialize)]
struct LearnerCsv<'a> {
    email: &'a str,
    role: &'a str,
    level: Option<&'a str>,
    hours_per_week: Option<i32>,
    signed_up: &'a str,
    last_active: &'a str,
    active: bool,
    demo: bool,
}

fn learner_rows(rows: &[LearnerRow]) -> impl Iterator<Item = LearnerCsv<'_>> {
    rows.iter().map(|row| LearnerCsv {
        email: &row.email,
        role: &row.role,
        level: row.level.as_deref(),
        hours_per_week: row.hours_per_week,
        signed_up: &row.signed_up,
        last_active: &row.last_active,
        active: row.is_active,
        demo: row.is_demo,
    })
}

/// The export called `name` for the view in `pairs` (the dashboard's URL
/// parameters).
pub async fn export(
    pool: &PgPool,
    name: &str,
    pairs: &[(String, String)],
) -> Result<CsvFile, AppError> {
    let (period, start, end) = period_from(
        value(pairs, "from"),
        value(pairs, "to"),
        value(pairs, "within"),
        Utc::now().date_naive(),
    );
    let body = match name {
        "levels" => {
            let panel = analytics::levels(pool, start, end, period.within_days).await?;
            csv_of(panel.transitions.iter().map(|t| {
                (
                    t.from_level.as_str(),
                    t.to_level.as_str(),
                    t.count,
                    format!("{:.1}", t.average_days),
                )
            }))
            .map(|rows| format!("from_level,to_level,transitions,average_days\n{rows}"))?
        }
        "interests" => {
            let panel = analytics::interests(pool, start, end).await?;
            csv_of(
                panel
                    .weeks
                    .iter()
                    .map(|week| (week.week.as_str(), week.added, week.removed)),
            )
            .map(|rows| format!("week,added,removed\n{rows}"))?
        }
        "models" => {
            let rows = analytics::models(pool, start, end).await?;
            csv_of(rows.iter().map(|row| {
                (
                    row.model.as_str(),
                    row.level.as_deref().unwrap_or("all"),
                    row.recommendations,
                    row.rated,
                    row.with_feedback,
                    row.average_rating.map(|average| format!("{average:.2}")),
                    row.stars[0],
                    row.stars[1],
                    row.stars[2],
                    row.stars[3],
                    row.stars[4],
                )
            }))
            .map(|rows| {
                format!("model,level,recommendations,rated,with_feedback,average_rating,stars_1,stars_2,stars_3,stars_4,stars_5\n{rows}")
            })?
        }
        "versions" => {
            let panel = analytics::personalisation(pool, start, end).await?;
            csv_of(panel.by_version.iter().map(|row| {
                (
                    row.version,
                    row.rated,
                    row.average_rating.map(|average| format!("{average:.2}")),
                )
            }))
            .map(|rows| format!("profile_version,rated,average_rating\n{rows}"))?
        }
        "at-risk" => {
            let learners = analytics::at_risk(pool, start, end, None).await?;
            csv_of(learners.iter().map(|learner| {
                (
                    learner.email.as_str(),
                    learner.last_active.as_str(),
                    learner.signals.join("; "),
                )
            }))
            .map(|rows| format!("email,last_active,signals\n{rows}"))?
        }
        "popularity" => {
            let panel = analytics::popularity(pool, start, end).await?;
            csv_of(panel.top.iter().map(|course| {
                (
                    course.title.as_str(),
                    course.recommended,
                    course.rated,
                    course.average_rating.map(|average| format!("{average:.2}")),
                )
            }))
            .map(|rows| format!("course,recommended,rated,average_rating\n{rows}"))?
        }
        "segment" => {
            let filter = SegmentFilter {
                goal_contains: value(pairs, "seg_goal").unwrap_or_default().to_owned(),
                level: value(pairs, "seg_level").unwrap_or_default().to_owned(),
                min_hours: value(pairs, "seg_min_hours").unwrap_or_default().to_owned(),
                joined_within_days: value(pairs, "seg_joined_within")
                    .unwrap_or_default()
                    .to_owned(),
                interest: value(pairs, "seg_interest").unwrap_or_default().to_owned(),
            };
            let result = learners::segment(pool, &filter, None).await?;
            csv_of(learner_rows(&result.learners))?
        }
        "users" => {
            let list = learners::users(pool, value(pairs, "q").unwrap_or_default(), None).await?;
            csv_of(learner_rows(&list.users))?
        }
        _ => return Err(AppError::not_found("There is no such export.")),
    };
    Ok(CsvFile {
        file_name: format!("acmelearn-{name}-{}-to-{}.csv", period.from, period.to),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row<'a> {
        email: &'a str,
        change: i64,
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_written_as_text() {
        let rows = [
            Row {
                email: "=1+2@example.test",
                change: -3,
            },
            Row {
                email: "+cmd@example.test",
                change: 4,
            },
            Row {
                email: "-2+3@example.test",
                change: 0,
            },
            Row {
                email: "@SUM(A1)@example.test",
                change: 0,
            },
            Row {
                email: "\t=1@example.test",
                change: 0,
            },
            Row {
                email: "plain@example.test",
                change: 0,
            },
        ];
        let csv = csv_of(rows).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "email,change");
        assert_eq!(
            lines[1], "'=1+2@example.test,-3",
            "negative numbers stay numbers"
        );
        assert_eq!(lines[2], "'+cmd@example.test,4");
        assert_eq!(lines[3], "'-2+3@example.test,0");
        assert_eq!(lines[4], "'@SUM(A1)@example.test,0");
        assert_eq!(lines[5], "'\t=1@example.test,0");
        assert_eq!(lines[6], "plain@example.test,0");
    }
}
