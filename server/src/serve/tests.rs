//! The HTTP surface, driven in-process against a fresh database per test.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use super::*;
use crate::import_catalog::{import, parse_catalog};

const CATALOG: &str = r#"[
  {"title": "Garden Planning Basics", "description": "Plan a small garden.", "difficulty": "beginner",
   "duration": 6, "tags": ["gardening", "planning"], "skills_covered": ["Soil Testing"],
   "contents": "Module 1: Soil - what grows where."},
  {"title": "Advanced Composting", "description": "Run a hot compost.", "difficulty": "advanced",
   "duration": 14, "tags": ["gardening", "compost"], "skills_covered": ["Hot Composting"],
   "contents": "Module 1: Heat - keeping it cooking."}
]"#;

async fn app_with_catalog(pool: PgPool) -> Router {
    let courses = parse_catalog(CATALOG, "test.json").unwrap();
    import(&pool, &courses, &HashMap::new()).await.unwrap();
    let config = ServeConfig {
        site_addr: "127.0.0.1:0".parse().unwrap(),
        site_root: "target/site".to_owned(),
        catalog_file: Default::default(),
        tag_categories_file: Default::default(),
    };
    router(pool, &config)
}

async fn send(app: Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_course_list_is_in_the_server_rendered_html(pool: PgPool) {
    let (status, html) = send(app_with_catalog(pool).await, get("/courses")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Garden Planning Basics"), "{html}");
    assert!(html.contains("Advanced Composting"));
    assert!(html.contains("2 courses"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_difficulty_in_the_url_filters_the_html(pool: PgPool) {
    let (status, html) = send(
        app_with_catalog(pool).await,
        get("/courses?difficulty=advanced"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Advanced Composting"));
    assert!(!html.contains("Garden Planning Basics"));
    assert!(html.contains("1 course"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn a_bad_difficulty_in_the_url_is_explained_not_an_error(pool: PgPool) {
    let (status, html) = send(
        app_with_catalog(pool).await,
        get("/courses?difficulty=%3Cscript%3E"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("is not a difficulty"));
    assert!(!html.contains("<script>"), "the typed value is escaped");
    assert!(html.contains("2 courses"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn the_server_function_answers_bad_arguments_with_400(pool: PgPool) {
    let app = app_with_catalog(pool).await;
    let request = Request::post("/api/courses/list")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("difficulty=wizard"))
        .unwrap();
    let (status, body) = send(app.clone(), request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("BadRequest"), "{body}");

    let request = Request::post("/api/courses/list")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("difficulty=beginner"))
        .unwrap();
    let (status, body) = send(app, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Garden Planning Basics"));
    assert!(!body.contains("Advanced Composting"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn unknown_pages_are_404_with_a_page(pool: PgPool) {
    let (status, html) = send(app_with_catalog(pool).await, get("/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[sqlx::test(migrator = "crate::database::MIGRATOR")]
async fn probes_answer_json(pool: PgPool) {
    let app = app_with_catalog(pool.clone()).await;
    let (status, body) = send(app.clone(), get("/healthz")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );
    let (status, body) = send(app.clone(), get("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"database":"ok","status":"ok"}"#);

    pool.close().await;
    let (status, body) = send(app, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}
