//! The home page's one server function and what it answers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::catalog::CourseSummary;
use crate::profile::ProfilePart;
use crate::recommend::Recommendation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeData {
    pub course_count: i64,
    pub tag_count: i64,
    /// The shortest course of each level, beginner first.
    pub starters: Vec<CourseSummary>,
    /// For a signed-in learner only.
    pub learner: Option<LearnerHome>,
}

/// Where a signed-in learner left off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerHome {
    pub profile_version: i32,
    /// What the profile still lacks, most useful first.
    pub missing: Vec<ProfilePart>,
    pub latest: Option<Recommendation>,
}

#[server(endpoint = "home")]
pub async fn home_page() -> Result<HomeData, AppError> {
    let services = crate::services()?;
    let catalog = &services.read_pool;
    let (course_count, tag_count) = catalog
        .read(|pool| async move { crate::catalog::service::size(&pool).await })
        .await?;
    let starters = catalog
        .read(|pool| async move { crate::catalog::service::shortest_of_each_level(&pool).await })
        .await?;
    let learner = match crate::account::current_user().await? {
        Some(user) => {
            // What the learner wrote: from the primary.
            let pool = &services.pool;
            let (profile_version, state) =
                crate::profile::service::newest_version(pool, user.id).await?;
            Some(LearnerHome {
                profile_version,
                missing: state.missing_parts(),
                latest: crate::recommend::service::latest(pool, user.id).await?,
            })
        }
        None => None,
    };
    Ok(HomeData {
        course_count,
        tag_count,
        starters,
        learner,
    })
}
