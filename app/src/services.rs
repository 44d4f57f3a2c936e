//! What the server gives every page render and server function: one
//! [`Services`] value, provided once per request (`leptos_routes_with_context`
//! and `handle_server_fns_with_context` in the server's `serve`), read with
//! [`services`].
//!
//! This is the app's composition root, beside `lib.rs`'s routes: it alone
//! names the parts of every feature, so the features and the shared modules
//! need not know each other's.

use std::sync::Arc;

use sqlx::PgPool;

use crate::AppError;
use crate::account::AccountSettings;
use crate::account::mail::Mailer;
use crate::catalog::search_cache::SearchCache;
use crate::profile::writer::ProfileWriter;
use crate::read_pool::ReadPool;
use crate::recommend::RecommendSettings;

pub struct Services {
    /// The primary: every write, and every read of what a learner wrote.
    pub pool: PgPool,
    /// Catalog-wide reads: a replica when one is configured and keeping up
    /// (see `read_pool`). The choice is visible at each call site.
    pub read_pool: ReadPool,
    /// Profile saves go through it (see `profile::writer`).
    pub profile_writer: ProfileWriter,
    /// Catalog searches answered lately; none when caching is off.
    pub search_cache: Option<SearchCache>,
    pub account: AccountSettings,
    pub mailer: Mailer,
    pub recommend: RecommendSettings,
}

/// The server's services. Missing only if the server was wired up wrongly,
/// which is a fault of ours, not of the request: logged, and a 500.
pub fn services() -> Result<Arc<Services>, AppError> {
    leptos::prelude::use_context::<Arc<Services>>().ok_or_else(|| {
        tracing::error!("no services in the request's context: the server was wired up wrongly");
        AppError::Internal.with_status()
    })
}
