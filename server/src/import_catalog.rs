//! `import-catalog`: load a course catalog file into the database.
//!
//! The whole file is validated before anything is written, and written in one
//! transaction, so a bad file changes nothing. Courses are matched by title
//! (the file has no ids), so re-importing the same file changes no row and no
//! id, and an edited description updates just that course. Courses missing
//! from the file are left alone: recommendations made from them stay readable.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use app::catalog::Difficulty;
use serde_json::{Map, Value};
use sqlx::PgPool;
use uuid::Uuid;

const MAX_TITLE_CHARS: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: expected a JSON array of courses at the top level")]
    NotAList { path: String },
    #[error("{path}: course at index {index} ({title}), field “{field}”: {problem}")]
    InvalidCourse {
        path: String,
        index: usize,
        title: String,
        field: &'static str,
        problem: String,
    },
    #[error("{path}: expected a JSON object mapping tag names to category names")]
    InvalidCategories { path: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// One validated, normalised course of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRecord {
    pub title: String,
    pub description: String,
    pub difficulty: Difficulty,
    pub duration_hours: i32,
    pub tags: Vec<String>,
    pub skills: Vec<String>,
    pub contents: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub courses_added: u64,
    pub courses_updated: u64,
    pub courses_unchanged: u64,
    pub tags: usize,
    pub skills: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} courses added, {} updated, {} unchanged; {} tags, {} skills",
            self.courses_added,
            self.courses_updated,
            self.courses_unchanged,
            self.tags,
            self.skills
        )
    }
}

pub async fn import_file(
    pool: &PgPool,
    catalog: &Path,
    categories: Option<&Path>,
) -> Result<ImportSummary, ImportError> {
    let courses = parse_catalog(&read(catalog)?, &catalog.display().to_string())?;
    let categories = match categories {
        Some(path) => parse_categories(&read(path)?, &path.display().to_string())?,
        None => HashMap::new(),
    };
    import(pool, &courses, &categories).await
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Validates every record; the first problem found rejects the whole file.
pub fn parse_catalog(text: &str, path: &str) -> Result<Vec<CourseRecord>, ImportError> {
    let document: Value = serde_json::from_str(text).map_err(|source| ImportError::Json {
        path: path.to_owned(),
        source,
    })?;
    let Value::Array(items) = document else {
        return Err(ImportError::NotAList {
            path: path.to_owned(),
        });
    };

    let mut courses = Vec::with_capacity(items.len());
    let mut first_index_by_title: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let course =
            parse_course(item).map_err(|(title, field, problem)| ImportError::InvalidCourse {
                path: path.to_owned(),
                index,
                title,
                field,
                problem,
            })?;
        let key = course.title.to_lowercase();
        if let Some(first) = first_index_by_title.insert(key, index) {
            return Err(ImportError::InvalidCourse {
                path: path.to_owned(),
                index,
                title: quoted(&course.title),
                field: "title",
                problem: format!("the course at index {first} has the same title"),
            });
        }
        courses.push(course);
    }
    Ok(courses)
}

type FieldProblem = (String, &'static str, String);

fn parse_course(item: &Value) -> Result<CourseRecord, FieldProblem> {
    let Value::Object(object) = item else {
        return Err((
            "no title".to_owned(),
            "(record)",
            format!("expected an object, found {}", kind(item)),
        ));
    };
    let title_for_errors = object
        .get("title")
        .and_then(Value::as_str)
        .map(quoted)
        .unwrap_or_else(|| "no title".to_owned());
    let problem = |field: &'static str, message: String| (title_for_errors.clone(), field, message);

    let title = collapse_spaces(&text_field(object, "title").map_err(|m| problem("title", m))?);
    if title.is_empty() {
        return Err(problem("title", "must not be empty".to_owned()));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(problem(
            "title",
            format!("is longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
    let description = text_field(object, "description").map_err(|m| problem("description", m))?;
    if description.trim().is_empty() {
        return Err(problem("description", "must not be empty".to_owned()));
    }
    let difficulty = text_field(object, "difficulty")
        .map_err(|m| problem("difficulty", m))?
        .parse::<Difficulty>()
        .map_err(|error| problem("difficulty", error.to_string()))?;
    let duration_hours = duration_field(object).map_err(|m| problem("duration", m))?;
    let tags = list_field(object, "tags", |tag| collapse_spaces(tag).to_lowercase())
        .map_err(|m| problem("tags", m))?;
    let skills = list_field(object, "skills_covered", collapse_spaces)
        .map_err(|m| problem("skills_covered", m))?;
    let contents = text_field(object, "contents").map_err(|m| problem("contents", m))?;

    Ok(CourseRecord {
        title,
        description: description.trim().to_owned(),
        difficulty,
        duration_hours,
        tags,
        skills,
        contents: contents.trim().to_owned(),
    })
}

fn text_field(object: &Map<String, Value>, field: &str) -> Result<String, String> {
    match object.get(field) {
        None => Err("is missing".to_owned()),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(format!("expected text, found {}", kind(other))),
    }
}

fn duration_field(object: &Map<String, Value>) -> Result<i32, String> {
    let value = object.get("duration").ok_or("is missing")?;
    let Value::Number(number) = value else {
        return Err(format!(
            "expected a whole number of hours, found {}",
            kind(value)
        ));
    };
    match number.as_i64() {
        Some(hours) if hours > 0 => {
            i32::try_from(hours).map_err(|_| format!("{hours} hours is not a plausible duration"))
        }
        Some(hours) => Err(format!("must be a positive number of hours, found {hours}")),
        None => Err(format!("expected a whole number of hours, found {number}")),
    }
}

/// A list of names, normalised and with duplicates (after normalising, in any
/// letter case) merged, first spelling kept.
fn list_field(
    object: &Map<String, Value>,
    field: &str,
    normalise: impl Fn(&str) -> String,
) -> Result<Vec<String>, String> {
    let value = object.get(field).ok_or("is missing")?;
    let Value::Array(items) = value else {
        return Err(format!("expected a list of names, found {}", kind(value)));
    };
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        let Value::String(raw) = item else {
            return Err(format!(
                "item {position}: expected text, found {}",
                kind(item)
            ));
        };
        let name = normalise(raw);
        if name.is_empty() {
            return Err(format!("item {position} is empty"));
        }
        if seen.insert(name.to_lowercase()) {
            names.push(name);
        }
    }
    Ok(names)
}

/// The optional tag → category file: a flat JSON object.
pub fn parse_categories(text: &str, path: &str) -> Result<HashMap<String, String>, ImportError> {
    let document: Value = serde_json::from_str(text).map_err(|source| ImportError::Json {
        path: path.to_owned(),
        source,
    })?;
    let Value::Object(entries) = document else {
        return Err(ImportError::InvalidCategories {
            path: path.to_owned(),
        });
    };
    entries
        .into_iter()
        .map(|(tag, category)| match category {
            Value::String(category) if !category.trim().is_empty() => Ok((
                collapse_spaces(&tag).to_lowercase(),
                collapse_spaces(&category),
            )),
            _ => Err(ImportError::InvalidCategories {
                path: path.to_owned(),
            }),
        })
        .collect()
}

/// Writes validated courses in one transaction.
pub async fn import(
    pool: &PgPool,
    courses: &[CourseRecord],
    categories: &HashMap<String, String>,
) -> Result<ImportSummary, ImportError> {
    let mut transaction = pool.begin().await?;

    // Tags: name → category; a tag the category file does not name is "Other".
    let tags: BTreeMap<&str, &str> = courses
        .iter()
        .flat_map(|course| course.tags.iter())
        .map(|tag| {
            let category = categories.get(tag).map(String::as_str).unwrap_or("Other");
            (tag.as_str(), category)
        })
        .collect();
    let (tag_names, tag_categories): (Vec<&str>, Vec<&str>) = tags.into_iter().unzip();
    sqlx::query!(
        r#"
        insert into tags (name, category)
        select * from unnest($1::text[], $2::text[])
        on conflict (name) do update set category = excluded.category
            where tags.category is distinct from excluded.category
        "#,
        &tag_names as &[&str],
        &tag_categories as &[&str],
    )
    .execute(&mut *transaction)
    .await?;
    let tag_ids: HashMap<String, Uuid> = sqlx::query!(
        "select name, id from tags where name = any($1)",
        &tag_names as &[&str],
    )
    .fetch_all(&mut *transaction)
    .await?
    .into_iter()
    .map(|tag| (tag.name, tag.id))
    .collect();

    // Skills: unique regardless of case; the first spelling ever imported stays.
    let mut skill_names: Vec<&str> = Vec::new();
    let mut skill_keys: BTreeSet<String> = BTreeSet::new();
    for skill in courses.iter().flat_map(|course| course.skills.iter()) {
        if skill_keys.insert(skill.to_lowercase()) {
            skill_names.push(skill);
        }
    }
    let skill_keys: Vec<String> = skill_keys.into_iter().collect();
    sqlx::query!(
        r#"
        insert into skills (name)
        select * from unnest($1::text[])
        on conflict ((lower(name))) do nothing
        "#,
        &skill_names as &[&str],
    )
    .execute(&mut *transaction)
    .await?;
    let skill_ids: HashMap<String, Uuid> = sqlx::query!(
        r#"select lower(name) as "key!", id from skills where lower(name) = any($1)"#,
        &skill_keys,
    )
    .fetch_all(&mut *transaction)
    .await?
    .into_iter()
    .map(|skill| (skill.key, skill.id))
    .collect();

    // Courses: insert new ones, update changed ones, leave equal ones untouched
    // (no write at all, so updated_at keeps meaning "last changed").
    let changed = sqlx::query_scalar!(
        r#"
        insert into courses (title, description, difficulty, duration, contents)
        select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
        on conflict ((lower(title))) do update set
            title = excluded.title,
            description = excluded.description,
            difficulty = excluded.difficulty,
            duration = excluded.duration,
            contents = excluded.contents
        where (courses.title, courses.description, courses.difficulty, courses.duration, courses.contents)
            is distinct from
              (excluded.title, excluded.description, excluded.difficulty, excluded.duration, excluded.contents)
        returning (xmax = 0) as "inserted!"
        "#,
        &courses.iter().map(|c| c.title.as_str()).collect::<Vec<_>>() as &[&str],
        &courses.iter().map(|c| c.description.as_str()).collect::<Vec<_>>() as &[&str],
        &courses.iter().map(|c| c.difficulty.as_str()).collect::<Vec<_>>() as &[&str],
        &courses.iter().map(|c| c.duration_hours).collect::<Vec<_>>(),
        &courses.iter().map(|c| c.contents.as_str()).collect::<Vec<_>>() as &[&str],
    )
    .fetch_all(&mut *transaction)
    .await?;
    let courses_added = changed.iter().filter(|inserted| **inserted).count() as u64;
    let courses_updated = changed.len() as u64 - courses_added;

    let title_keys: Vec<String> = courses.iter().map(|c| c.title.to_lowercase()).collect();
    let course_ids: HashMap<String, Uuid> = sqlx::query!(
        r#"select lower(title) as "key!", id from courses where lower(title) = any($1)"#,
        &title_keys,
    )
    .fetch_all(&mut *transaction)
    .await?
    .into_iter()
    .map(|course| (course.key, course.id))
    .collect();

    let mut link_courses = Vec::new();
    let mut link_tags = Vec::new();
    let mut skill_link_courses = Vec::new();
    let mut skill_link_skills = Vec::new();
    for course in courses {
        let course_id = course_ids[&course.title.to_lowercase()];
        for tag in &course.tags {
            link_courses.push(course_id);
            link_tags.push(tag_ids[tag]);
        }
        for skill in &course.skills {
            skill_link_courses.push(course_id);
            skill_link_skills.push(skill_ids[&skill.to_lowercase()]);
        }
    }
    let all_course_ids: Vec<Uuid> = course_ids.values().copied().collect();
    sync_links(
        &mut transaction,
        "course_tags",
        "tag_id",
        &all_course_ids,
        &link_courses,
        &link_tags,
    )
    .await?;
    sync_links(
        &mut transaction,
        "course_skills",
        "skill_id",
        &all_course_ids,
        &skill_link_courses,
        &skill_link_skills,
    )
    .await?;
    // Search documents, tag counts and the search vocabulary follow the
    // courses and their links (see the catalog_search migration).
    sqlx::query!("select refresh_catalog_search($1)", &all_course_ids)
        .execute(&mut *transaction)
        .await?;

    transaction.commit().await?;
    Ok(ImportSummary {
        courses_added,
        courses_updated,
        courses_unchanged: courses.len() as u64 - courses_added - courses_updated,
        tags: tag_names.len(),
        skills: skill_names.len(),
    })
}

/// Makes a junction table hold exactly the given pairs for the given courses,
/// touching only the pairs that differ.
async fn sync_links(
    transaction: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &'static str,
    other_column: &'static str,
    course_ids: &[Uuid],
    link_courses: &[Uuid],
    link_others: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        r#"
        delete from {table} link
        where link.course_id = any($1)
          and not exists (
              select 1 from unnest($2::uuid[], $3::uuid[]) as wanted (course_id, other_id)
              where wanted.course_id = link.course_id and wanted.other_id = link.{other_column})
        "#
    ))
    .bind(course_ids)
    .bind(link_courses)
    .bind(link_others)
    .execute(&mut **transaction)
    .await?;
    sqlx::query(&format!(
        r#"
        insert into {table} (course_id, {other_column})
        select * from unnest($1::uuid[], $2::uuid[])
        on conflict do nothing
        "#
    ))
    .bind(link_courses)
    .bind(link_others)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn quoted(title: &str) -> String {
    let short: String = title.chars().take(80).collect();
    format!("“{short}”")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
