//! Server functions of the catalog, callable from pages on both sides.

use leptos::prelude::*;

use super::{CourseSummary, Difficulty};
use crate::AppError;

/// The catalog, optionally narrowed to one difficulty, ordered by title.
#[server(endpoint = "courses/list")]
pub async fn list_courses(difficulty: Option<Difficulty>) -> Result<Vec<CourseSummary>, AppError> {
    let pool = crate::context::pool()?;
    Ok(super::db::list_courses(&pool, difficulty).await?)
}
