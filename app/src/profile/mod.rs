//! The learner's profile and its version history: every save is a new
//! version with an insert-only snapshot of the new state.

mod api;
mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod writer;

pub use api::*;
pub use model::*;
pub use pages::*;
