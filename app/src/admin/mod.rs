//! Product analytics for admins: the data strategy's questions answered
//! from the snapshots and the recommendation history, and demo data to see
//! them at scale.

#[cfg(feature = "ssr")]
pub mod analytics;
#[cfg(feature = "ssr")]
pub mod demo;
mod model;

pub use model::*;
