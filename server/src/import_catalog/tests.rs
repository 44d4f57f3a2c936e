use super::*;
use serde_json::json;

fn course(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Learn the thing, step by step.",
        "difficulty": "beginner",
        "duration": 12,
        "tags": ["python", "data"],
        "skills_covered": ["Scripting", "Data Cleaning"],
        "contents": "Module 1: Start - the basics. Module 2: More - the rest."
    })
}

fn catalog_of(courses: &[Value]) -> String {
    Value::Array(courses.to_vec()).to_string()
}

fn with_field(title: &str, field: &str, value: Value) -> Value {
    let mut record = course(title);
    record[field] = value;
    record
}

fn without_field(title: &str, field: &str) -> Value {
    let mut record = course(title);
    record.as_object_mut().unwrap().remove(field);
    record
}

fn rejection(courses: &[Value]) -> String {
    parse_catalog(&catalog_of(courses), "catalog.json")
        .expect_err("the file should be rejected")
        .to_string()
}

// --- validation: every kind of bad record names its index, title and field ---

#[test]
fn missing_field_is_named() {
    let message = rejection(&[course("First"), without_field("Second", "contents")]);
    assert_eq!(
        message,
        "catalog.json: course at index 1 (“Second”), field “contents”: is missing"
    );
}

#[test]
fn unknown_difficulty_is_named() {
    let message = rejection(&[with_field("Odd", "difficulty", json!("expert"))]);
    assert!(
        message.contains("index 0 (“Odd”), field “difficulty”"),
        "{message}"
    );
    assert!(
        message.contains("“expert” is not a difficulty"),
        "{message}"
    );
}

#[test]
fn negative_and_zero_durations_are_rejected() {
    let message = rejection(&[course("Fine"), with_field("Neg", "duration", json!(-3))]);
    assert!(
        message.contains(
            "index 1 (“Neg”), field “duration”: must be a positive number of hours, found -3"
        ),
        "{message}"
    );
    let message = rejection(&[with_field("Zero", "duration", json!(0))]);
    assert!(message.contains("found 0"), "{message}");
}

#[test]
fn fractional_or_textual_durations_are_rejected() {
    let message = rejection(&[with_field("Half", "duration", json!(1.5))]);
    assert!(
        message.contains("expected a whole number of hours, found 1.5"),
        "{message}"
    );
    let message = rejection(&[with_field("Text", "duration", json!("12"))]);
    assert!(
        message.contains("expected a whole number of hours, found text"),
        "{message}"
    );
}

#[test]
fn wrong_types_are_named() {
    let message = rejection(&[with_field("T", "tags", json!("python"))]);
    assert!(
        message.contains("field “tags”: expected a list of names, found text"),
        "{message}"
    );
    let message = rejection(&[with_field("T", "skills_covered", json!(["ok", 3]))]);
    assert!(
        message.contains("field “skills_covered”: item 1: expected text, found a number"),
        "{message}"
    );
    let message = rejection(&[with_field("T", "description", json!(null))]);
    assert!(
        message.contains("field “description”: expected text, found null"),
        "{message}"
    );
}

#[test]
fn a_record_that_is_not_an_object_is_named() {
    let message = parse_catalog("[42]", "c.json").unwrap_err().to_string();
    assert_eq!(
        message,
        "c.json: course at index 0 (no title), field “(record)”: expected an object, found a number"
    );
}

#[test]
fn invalid_json_and_wrong_shape_are_rejected() {
    let message = parse_catalog("[{\"title\": ", "c.json")
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("c.json is not valid JSON"), "{message}");
    assert!(message.contains("line 1"), "{message}");
    let message = parse_catalog("{}", "c.json").unwrap_err().to_string();
    assert_eq!(
        message,
        "c.json: expected a JSON array of courses at the top level"
    );
}

#[test]
fn duplicate_titles_in_any_case_are_rejected() {
    let message = rejection(&[course("Rust Basics"), course("rust  basics")]);
    assert!(message.contains("index 1"), "{message}");
    assert!(
        message.contains("the course at index 0 has the same title"),
        "{message}"
    );
}

#[test]
fn empty_names_are_rejected() {
    let message = rejection(&[with_field("T", "tags", json!(["ok", "   "]))]);
    assert!(
        message.contains("field “tags”: item 1 is empty"),
        "{message}"
    );
    let message = rejection(&[with_field("  ", "description", json!("x"))]);
    assert!(
        message.contains("field “title”: must not be empty"),
        "{message}"
    );
}

#[test]
fn tags_and_skills_are_normalised_and_merged() {
    let record = json!({
        "title": "  Spaced   Title ",
        "description": "d",
        "difficulty": " Intermediate",
        "duration": 3,
        "tags": [" Web  Development", "web development", "CSS"],
        "skills_covered": ["Flexbox Layout", "flexbox  layout", " Grid "],
        "contents": "c",
        "an_extra_field": "is ignored"
    });
    let courses = parse_catalog(&catalog_of(&[record]), "c.json").unwrap();
    let course = &courses[0];
    assert_eq!(course.title, "Spaced Title");
    assert_eq!(course.difficulty, Difficulty::Intermediate);
    assert_eq!(course.tags, ["web development", "css"]);
    assert_eq!(course.skills, ["Flexbox Layout", "Grid"]);
}

#[test]
fn categories_must_be_a_flat_object_of_names() {
    let categories = parse_categories(r#"{" Web  Development ": "Web"}"#, "t.json").unwrap();
    assert_eq!(categories["web development"], "Web");
    assert!(parse_categories(r#"{"web": 3}"#, "t.json").is_err());
    assert!(parse_categories("[]", "t.json").is_err());
}

// --- against PostgreSQL: a fresh database per test ---

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

type CourseState = Vec<(Uuid, String, String, chrono::DateTime<chrono::Utc>)>;

async fn course_state(pool: &PgPool) -> CourseState {
    sqlx::query_as("select id, title, description, updated_at from courses order by title")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn importing_the_same_file_twice_changes_nothing(pool: PgPool) {
    let courses = parse_catalog(&catalog_of(&[course("A"), course("B")]), "c.json").unwrap();
    let categories = HashMap::from([("python".to_owned(), "Programming".to_owned())]);

    let first = import(&pool, &courses, &categories).await.unwrap();
    assert_eq!((first.courses_added, first.courses_updated), (2, 0));
    let before = course_state(&pool).await;
    let tags_before: Vec<(Uuid, String, String)> =
        sqlx::query_as("select id, name, category from tags order by name")
            .fetch_all(&pool)
            .await
            .unwrap();

    let second = import(&pool, &courses, &categories).await.unwrap();
    assert_eq!(
        (
            second.courses_added,
            second.courses_updated,
            second.courses_unchanged
        ),
        (0, 0, 2)
    );
    assert_eq!(course_state(&pool).await, before);
    let tags_after: Vec<(Uuid, String, String)> =
        sqlx::query_as("select id, name, category from tags order by name")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(tags_after, tags_before);
    assert_eq!(tags_after[0].2, "Other", "data has no category, so Other");
    assert_eq!(tags_after[1].2, "Programming");
    assert_eq!(count(&pool, "course_tags").await, 4);
    assert_eq!(count(&pool, "course_skills").await, 4);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_changed_course_is_updated_in_place(pool: PgPool) {
    let original = parse_catalog(&catalog_of(&[course("A"), course("B")]), "c.json").unwrap();
    import(&pool, &original, &HashMap::new()).await.unwrap();
    let before = course_state(&pool).await;

    let mut edited_record = with_field("B", "description", json!("A better description."));
    edited_record["tags"] = json!(["python", "testing"]);
    let edited = parse_catalog(&catalog_of(&[course("A"), edited_record]), "c.json").unwrap();
    let summary = import(&pool, &edited, &HashMap::new()).await.unwrap();
    assert_eq!(
        (
            summary.courses_added,
            summary.courses_updated,
            summary.courses_unchanged
        ),
        (0, 1, 1)
    );

    let after = course_state(&pool).await;
    assert_eq!(after[0], before[0], "A is untouched");
    assert_eq!(after[1].0, before[1].0, "B keeps its id");
    assert_eq!(after[1].2, "A better description.");
    let tags_of_b: Vec<String> = sqlx::query_scalar(
        "select t.name from course_tags ct join tags t on t.id = ct.tag_id
         join courses c on c.id = ct.course_id where c.title = 'B' order by t.name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(tags_of_b, ["python", "testing"]);
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_bad_file_writes_nothing(pool: PgPool) {
    let directory = std::env::temp_dir().join(format!("acmelearn-import-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("courses.json");
    let bad_files = [
        catalog_of(&[
            course("Good"),
            with_field("Bad", "difficulty", json!("expert")),
        ]),
        catalog_of(&[course("Good"), with_field("Bad", "duration", json!(-1))]),
        catalog_of(&[course("Good"), without_field("Bad", "title")]),
        catalog_of(&[course("Good"), with_field("Bad", "tags", json!({}))]),
        "[{\"title\": \"Good\"".to_owned(),
    ];
    for text in bad_files {
        std::fs::write(&file, &text).unwrap();
        let result = import_file(&pool, &file, None).await;
        assert!(result.is_err(), "accepted: {text}");
        for table in ["courses", "tags", "skills", "course_tags", "course_skills"] {
            assert_eq!(count(&pool, table).await, 0, "{table} written for {text}");
        }
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_shipped_catalog_imports_with_every_tag_categorised(pool: PgPool) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    let summary = import_file(
        &pool,
        &data.join("courses.json"),
        Some(&data.join("tag_categories.json")),
    )
    .await
    .unwrap();
    assert!(summary.courses_added >= 60, "{summary}");
    assert!(summary.tags >= 80, "{summary}");
    assert!(summary.skills >= 150, "{summary}");
    let uncategorised: i64 =
        sqlx::query_scalar("select count(*) from tags where category = 'Other'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(uncategorised, 0);
}
