//! Course recommendations: the built-in ranker, an optional language model
//! (A/B by model), explanations, ratings, history and a daily quota.

mod api;
#[cfg(feature = "ssr")]
pub mod llm;
mod pages;
#[cfg(feature = "ssr")]
pub mod ranker;
#[cfg(feature = "ssr")]
pub mod service;
mod types;

pub use api::*;
pub use pages::*;
pub use types::*;

/// How recommendations are made on this server (from its configuration).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct RecommendSettings {
    /// Requests per learner per rolling 24 hours.
    pub daily_limit: u32,
    /// The language model(s), when configured; the built-in ranker otherwise.
    pub provider: Option<llm::ModelProvider>,
}

#[cfg(feature = "ssr")]
impl Default for RecommendSettings {
    fn default() -> Self {
        RecommendSettings {
            daily_limit: 10,
            provider: None,
        }
    }
}
