//! The schema's own guarantees, checked against PostgreSQL.

use sqlx::PgPool;
use uuid::Uuid;

const TABLES: [&str; 10] = [
    "users",
    "user_profiles",
    "user_profile_snapshots",
    "user_interests",
    "courses",
    "tags",
    "skills",
    "course_tags",
    "course_skills",
    "recommendations",
];

/// The Postgres error code of a failed statement.
fn code_of(result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>) -> String {
    match result {
        Ok(_) => panic!("the statement should have been rejected"),
        Err(sqlx::Error::Database(error)) => error.code().unwrap_or_default().into_owned(),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

const CHECK_VIOLATION: &str = "23514";
const UNIQUE_VIOLATION: &str = "23505";
const FOREIGN_KEY_VIOLATION: &str = "23503";
const RESTRICT_VIOLATION: &str = "23001";

async fn new_learner(pool: &PgPool, email: &str) -> (Uuid, Uuid) {
    // Profile and first snapshot commit together, as sign-up does: the
    // database refuses a profile version without its snapshot.
    let mut transaction = pool.begin().await.unwrap();
    let user_id: Uuid = sqlx::query_scalar(
        "insert into users (email, password_hash) values ($1, 'x') returning id",
    )
    .bind(email)
    .fetch_one(&mut *transaction)
    .await
    .unwrap();
    let profile_id: Uuid =
        sqlx::query_scalar("insert into user_profiles (user_id) values ($1) returning id")
            .bind(user_id)
            .fetch_one(&mut *transaction)
            .await
            .unwrap();
    sqlx::query(
        "insert into user_profile_snapshots (user_profile_id, user_id, version) values ($1, $2, 1)",
    )
    .bind(profile_id)
    .bind(user_id)
    .execute(&mut *transaction)
    .await
    .unwrap();
    transaction.commit().await.unwrap();
    (user_id, profile_id)
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn all_ten_tables_exist(pool: PgPool) {
    let present: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables where table_schema = 'public'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in TABLES {
        assert!(
            present.iter().any(|name| name == table),
            "{table} is missing"
        );
    }
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn every_foreign_key_is_indexed(pool: PgPool) {
    // A foreign key is covered when some index starts with its columns.
    let uncovered: Vec<String> = sqlx::query_scalar(
        r#"
        select c.conrelid::regclass::text || ' ' || c.conname
        from pg_constraint c
        where c.contype = 'f'
          and not exists (
              select 1 from pg_index i
              where i.indrelid = c.conrelid
                and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)
        "#,
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        uncovered.is_empty(),
        "foreign keys without an index: {uncovered:?}"
    );
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn closed_sets_and_ranges_are_checked(pool: PgPool) {
    let bad_course = sqlx::query(
        "insert into courses (title, description, difficulty, duration, contents)
         values ('T', 'd', 'expert', 3, 'c')",
    )
    .execute(&pool)
    .await;
    assert_eq!(code_of(bad_course), CHECK_VIOLATION);
    let zero_hours = sqlx::query(
        "insert into courses (title, description, difficulty, duration, contents)
         values ('T', 'd', 'beginner', 0, 'c')",
    )
    .execute(&pool)
    .await;
    assert_eq!(code_of(zero_hours), CHECK_VIOLATION);

    let (user_id, _) = new_learner(&pool, "checks@example.test").await;
    for hours in [0, 169] {
        let result =
            sqlx::query("update user_profiles set time_commitment = $1, version = version + 1 where user_id = $2")
                .bind(hours)
                .bind(user_id)
                .execute(&pool)
                .await;
        assert_eq!(code_of(result), CHECK_VIOLATION, "{hours} hours");
    }
    let bad_level =
        sqlx::query("update user_profiles set current_level = 'expert', version = version + 1 where user_id = $1")
            .bind(user_id)
            .execute(&pool)
            .await;
    assert_eq!(code_of(bad_level), CHECK_VIOLATION);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn emails_are_unique_regardless_of_case(pool: PgPool) {
    new_learner(&pool, "Ada@Example.test").await;
    let duplicate =
        sqlx::query("insert into users (email, password_hash) values ('ada@example.TEST', 'x')")
            .execute(&pool)
            .await;
    assert_eq!(code_of(duplicate), UNIQUE_VIOLATION);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn snapshots_are_insert_only(pool: PgPool) {
    let (_, profile_id) = new_learner(&pool, "history@example.test").await;

    let update = sqlx::query(
        "update user_profile_snapshots set learning_goal = 'rewritten' where user_profile_id = $1",
    )
    .bind(profile_id)
    .execute(&pool)
    .await;
    assert_eq!(code_of(update), RESTRICT_VIOLATION);

    let delete = sqlx::query("delete from user_profile_snapshots where user_profile_id = $1")
        .bind(profile_id)
        .execute(&pool)
        .await;
    assert_eq!(code_of(delete), RESTRICT_VIOLATION);

    let truncate = sqlx::query("truncate user_profile_snapshots cascade")
        .execute(&pool)
        .await;
    assert_eq!(code_of(truncate), RESTRICT_VIOLATION);

    let remaining: i64 = sqlx::query_scalar("select count(*) from user_profile_snapshots")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(remaining, 1);

    let same_version_again = sqlx::query(
        "insert into user_profile_snapshots (user_profile_id, user_id, version)
         select id, user_id, 1 from user_profiles where id = $1",
    )
    .bind(profile_id)
    .execute(&pool)
    .await;
    assert_eq!(code_of(same_version_again), UNIQUE_VIOLATION);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn learners_with_history_cannot_be_deleted(pool: PgPool) {
    let (user_id, _) = new_learner(&pool, "keep@example.test").await;
    let delete = sqlx::query("delete from users where id = $1")
        .bind(user_id)
        .execute(&pool)
        .await;
    assert_eq!(code_of(delete), FOREIGN_KEY_VIOLATION);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn recommendations_refer_to_a_real_profile_version_and_ratings_are_1_to_5(pool: PgPool) {
    let (user_id, _) = new_learner(&pool, "recs@example.test").await;
    let course_id: Uuid = sqlx::query_scalar(
        "insert into courses (title, description, difficulty, duration, contents)
         values ('T', 'd', 'beginner', 3, 'c') returning id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let insert = |version: i32| {
        sqlx::query(
            "insert into recommendations (user_id, profile_version, recommended_course_ids, explanation, llm_model)
             values ($1, $2, array[$3]::uuid[], 'because', 'builtin-v1')",
        )
        .bind(user_id)
        .bind(version)
        .bind(course_id)
        .execute(&pool)
    };
    assert_eq!(
        code_of(insert(2).await),
        FOREIGN_KEY_VIOLATION,
        "no snapshot for version 2"
    );
    insert(1).await.unwrap();

    let bad_rating = sqlx::query(
        "update recommendations set user_rating = 6, feedback_at = now() where user_id = $1",
    )
    .bind(user_id)
    .execute(&pool)
    .await;
    assert_eq!(code_of(bad_rating), CHECK_VIOLATION);
    let rating_without_time =
        sqlx::query("update recommendations set user_rating = 4 where user_id = $1")
            .bind(user_id)
            .execute(&pool)
            .await;
    assert_eq!(code_of(rating_without_time), CHECK_VIOLATION);
    sqlx::query(
        "update recommendations set user_rating = 5, feedback_at = now() where user_id = $1",
    )
    .bind(user_id)
    .execute(&pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn updated_at_is_kept_by_the_database(pool: PgPool) {
    let (user_id, _) = new_learner(&pool, "clock@example.test").await;
    let (created, updated): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("update users set role = 'admin', updated_at = '2000-01-01' where id = $1 returning created_at, updated_at")
            .bind(user_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        updated >= created,
        "the trigger overrides a hand-set updated_at"
    );
}
