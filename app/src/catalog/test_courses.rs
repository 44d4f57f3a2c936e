//! Courses for tests, written as the import writes them. Test-only.

use sqlx::PgPool;
use uuid::Uuid;

pub struct Course<'a> {
    pub title: &'a str,
    pub difficulty: &'a str,
    pub hours: i32,
    pub tags: &'a [&'a str],
    pub skills: &'a [&'a str],
    pub description: &'a str,
}

/// Inserts courses as the import would (links, then the search refresh).
pub async fn insert(pool: &PgPool, courses: &[Course<'_>]) {
    for course in courses {
        let id: Uuid = sqlx::query_scalar(
            "insert into courses (title, description, difficulty, duration, contents)
             values ($1, $2, $3, $4, 'Module 1: Start - the basics. Module 2: Next - the rest.')
             returning id",
        )
        .bind(course.title)
        .bind(course.description)
        .bind(course.difficulty)
        .bind(course.hours)
        .fetch_one(pool)
        .await
        .unwrap();
        for tag in course.tags {
            sqlx::query(
                "with tag as (insert into tags (name, category) values ($1, 'Topics')
                              on conflict (name) do update set name = excluded.name returning id)
                 insert into course_tags (course_id, tag_id) select $2, id from tag",
            )
            .bind(tag)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        }
        for skill in course.skills {
            sqlx::query(
                "with skill as (insert into skills (name) values ($1)
                                on conflict ((lower(name))) do update set name = excluded.name returning id)
                 insert into course_skills (course_id, skill_id) select $2, id from skill",
            )
            .bind(skill)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        }
    }
    sqlx::query("select refresh_catalog_search(array(select id from courses))")
        .execute(pool)
        .await
        .unwrap();
}
