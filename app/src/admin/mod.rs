//! Product analytics for admins: the data strategy's questions answered
//! from the snapshots and the recommendation history, user management, and
//! demo data to see it all at scale.

mod api;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(all(test, feature = "ssr"))]
mod fixture;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
mod tables;
mod types;

pub use api::*;
pub use pages::*;
pub use tables::Export;
pub use types::*;
