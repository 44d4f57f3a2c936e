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
    let services = crate::services()?;
    let catalog = &services.read_pool;
    let checked = query.checked();
    let cache = services.search_cache.as_ref();
    let cached = cache.and_then(|cache| cache.get(&checked.query));
    if cache.is_some() {
        let result = if cached.is_some() { "hit" } else { "miss" };
        metrics::counter!("cache_lookups_total", "cache" => "search", "result" => result)
            .increment(1);
    }
    let mut page = match cached {
        Some(page) => page,
        None => {
            let query = &checked.query;
            let page = catalog
                .read(|pool| async move { super::service::search(&pool, query).await })
                .await?;
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
    let services = crate::services()?;
    let catalog = &services.read_pool;
    Ok(catalog
        .read(|pool| async move { super::service::tag_choices(&pool).await })
        .await?)
}

/// A course by its slug (or id), with related courses and, for a signed-in
/// learner who gave their hours per week, what that means for this course.
#[server(endpoint = "courses/detail")]
pub async fn get_course(key: String) -> Result<CourseDetail, AppError> {
    let services = crate::services()?;
    let catalog = &services.read_pool;
    let not_found = || AppError::not_found("There is no course at this address.");
    if key.len() > 200 {
        return Err(not_found());
    }
    let key = key.as_str();
    let mut detail = catalog
        .read(|pool| async move { super::service::course_detail(&pool, key).await })
        .await?
        .ok_or_else(not_found)?;
    if let Some(user) = crate::account::current_user().await? {
        // The learner's own profile: from the primary, which has their latest save.
        let pool = &services.pool;
        detail.learner_hours_per_week =
            crate::profile::service::hours_per_week(pool, user.id).await?;
    }
    Ok(detail)
}
