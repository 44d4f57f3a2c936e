//! The learner's profile and its version history: every save is a new
//! version with an insert-only snapshot of the new state.

mod api;
mod pages;
#[cfg(feature = "ssr")]
pub mod service;
mod types;
#[cfg(feature = "ssr")]
pub mod writer;

pub use api::*;
pub use pages::*;
pub use types::*;
