//! `/`: what AcmeLearn does, a search straight into the catalog, a course
//! at each level, and for a signed-in learner the way back to where they
//! were (their latest recommendation, what their profile still lacks).

mod api;
mod page;

pub use api::*;
pub use page::HomePage;
