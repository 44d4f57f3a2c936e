//! Catalog SQL. Server-only.

use sqlx::PgPool;
use uuid::Uuid;

use super::{CourseSummary, Difficulty};

#[derive(sqlx::FromRow)]
struct CourseSummaryRow {
    id: Uuid,
    title: String,
    difficulty: String,
    duration: i32,
    tags: Vec<String>,
}

pub async fn list_courses(
    pool: &PgPool,
    difficulty: Option<Difficulty>,
) -> Result<Vec<CourseSummary>, sqlx::Error> {
    let rows: Vec<CourseSummaryRow> = sqlx::query_as(
        r#"
        select c.id, c.title, c.difficulty, c.duration,
               coalesce(array_agg(t.name order by t.name) filter (where t.name is not null),
                        '{}') as tags
        from courses c
        left join course_tags ct on ct.course_id = c.id
        left join tags t on t.id = ct.tag_id
        where $1::text is null or c.difficulty = $1
        group by c.id
        order by lower(c.title), c.title
        "#,
    )
    .bind(difficulty.map(Difficulty::as_str))
    .fetch_all(pool)
    .await?;

    rows.into_iter()
        .map(|row| {
            // The database CHECK constraint admits only the three known values.
            let difficulty = row
                .difficulty
                .parse()
                .map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
            Ok(CourseSummary {
                id: row.id,
                title: row.title,
                difficulty,
                duration_hours: row.duration,
                tags: row.tags,
            })
        })
        .collect()
}
