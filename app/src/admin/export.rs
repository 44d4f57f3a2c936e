//! CSV downloads of every dashboard table, the at-risk list, segments and
//! users: the numbers behind the charts, whole. Server-only.

use chrono::Utc;
use sqlx::PgPool;

use super::service::analytics::{self, period_from};
use super::service::learners;
use super::tables::*;
use super::types::SegmentFilter;
use crate::AppError;

/// A file to download.
pub struct CsvFile {
    pub file_name: String,
    pub body: String,
}

/// The rows as CSV: a header of the columns' names, then each row's cells,
/// every one through the check below on its way out.
fn csv_of<Row>(rows: &[Row], columns: &[Column<Row>]) -> Result<String, AppError> {
    let failed = |error: csv::Error| {
        tracing::error!(%error, "writing CSV");
        AppError::Internal.with_status()
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(columns.iter().map(|column| column.csv_name))
        .map_err(failed)?;
    for row in rows {
        let cells = columns.iter().map(|column| (column.cell)(row));
        writer
            .write_record(cells.map(|cell| inert_cell(cell.exported()).into_owned()))
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
    let export =
        Export::from_name(name).ok_or_else(|| AppError::not_found("There is no such export."))?;
    let body = match export {
        Export::Levels => {
            let panel = analytics::levels(pool, start, end, period.within_days).await?;
            csv_of(&panel.transitions, LEVEL_COLUMNS)?
        }
        Export::Interests => {
            let panel = analytics::interests(pool, start, end).await?;
            csv_of(&panel.weeks, INTEREST_COLUMNS)?
        }
        Export::Models => csv_of(&analytics::models(pool, start, end).await?, MODEL_COLUMNS)?,
        Export::Versions => {
            let panel = analytics::personalisation(pool, start, end).await?;
            csv_of(&panel.by_version, VERSION_COLUMNS)?
        }
        Export::AtRisk => csv_of(
            &analytics::at_risk(pool, start, end, None).await?,
            AT_RISK_COLUMNS,
        )?,
        Export::Popularity => {
            let panel = analytics::popularity(pool, start, end).await?;
            csv_of(&panel.top, POPULARITY_COLUMNS)?
        }
        Export::Segment => {
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
            csv_of(&result.learners, LEARNER_COLUMNS)?
        }
        Export::Users => {
            let list = learners::users(pool, value(pairs, "q").unwrap_or_default(), None).await?;
            csv_of(&list.users, LEARNER_COLUMNS)?
        }
    };
    Ok(CsvFile {
        file_name: format!("acmelearn-{name}-{}-to-{}.csv", period.from, period.to),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        email: &'static str,
        change: i64,
    }

    const COLUMNS: &[Column<Row>] = &[
        Column {
            heading: "Email",
            csv_name: "email",
            cell: |row| Cell::text(row.email),
        },
        Column {
            heading: "Change",
            csv_name: "change",
            cell: |row| Cell::text(row.change),
        },
    ];

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_written_as_text() {
        let rows = [
            ("=1+2@example.test", -3),
            ("+cmd@example.test", 4),
            ("-2+3@example.test", 0),
            ("@SUM(A1)@example.test", 0),
            ("\t=1@example.test", 0),
            ("plain@example.test", 0),
        ]
        .map(|(email, change)| Row { email, change });
        let csv = csv_of(&rows, COLUMNS).unwrap();
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
