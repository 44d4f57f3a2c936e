//! The read-only course catalog: what a course is, how it is searched, and
//! the pages that show it (`/courses`, `/courses/:slug`, `/tags`).

mod api;
mod course_page;
mod in_place;
mod page;
mod query;
#[cfg(feature = "ssr")]
pub mod search_cache;
#[cfg(feature = "ssr")]
pub mod service;
mod tags_page;
#[cfg(all(test, feature = "ssr"))]
pub(crate) mod test_courses;
mod types;

pub use api::*;
pub use course_page::CoursePage;
pub use page::{CoursesPage, DifficultyBadge, TagLinks, hours_label};
pub use query::*;
pub use tags_page::TagsPage;
pub use types::*;
