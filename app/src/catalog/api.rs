//! Server functions of the catalog, callable from pages on both sides.

use leptos::prelude::*;
use server_fn::codec::Json;

use super::{CatalogPage, CatalogQuery, CourseDetail, TagChoice};
use crate::AppError;

/// One page of the catalog for a view (search words, filters, sort, page).
/// The view is checked again here, whatever the caller sent: the server is
/// the authority on what a valid view is.
#[server(endpoint = "courses/search", input = Json)]
pub async fn search_courses(query: CatalogQuery) -> Result<CatalogPage, AppError> {
    let pool = crate::context::pool()?;
    let checked = query.checked();
    let cache = use_context::<super::search_cache::SearchCache>();
    let cached = cache.as_ref().and_then(|cache| cache.get(&checked.query));
    let mut page = match cached {
        Some(page) => page,
        None => {
            let page = super::db::search(&pool, &checked.query).await?;
            if let Some(cache) = &cache {
                cache.insert(checked.query.clone(), page.clone());
            }
            page
        }
    };
    let mut notes = checked.notes;
    notes.append(&mut page.notes);
    page.notes = notes;
    Ok(page)
}

/// Every tag with its course count, by category.
#[server(endpoint = "courses/tags")]
pub async fn tag_choices() -> Result<Vec<TagChoice>, AppError> {
    let pool = crate::context::pool()?;
    Ok(super::db::tag_choices(&pool).await?)
}

/// A course by its slug (or id), with related courses and, for a signed-in
/// learner who gave their hours per week, what that means for this course.
#[server(endpoint = "courses/detail")]
pub async fn get_course(key: String) -> Result<CourseDetail, AppError> {
    let pool = crate::context::pool()?;
    let not_found = || AppError::not_found("There is no course at this address.");
    if key.len() > 200 {
        return Err(not_found());
    }
    let mut detail = super::db::course_detail(&pool, &key)
        .await?
        .ok_or_else(not_found)?;
    if let Some(user) = crate::account::current_user().await? {
        detail.learner_hours_per_week =
            crate::profile::service::hours_per_week(&pool, user.id).await?;
    }
    Ok(detail)
}
