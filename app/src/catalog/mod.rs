//! The read-only course catalog: what a course is, how the list is queried,
//! and the pages that show it.

mod api;
#[cfg(feature = "ssr")]
pub mod db;
mod model;
mod page;

pub use api::*;
pub use model::*;
pub use page::CoursesPage;
