//! What the server provides to every page render and server function
//! (through `leptos_routes_with_context` and `handle_server_fns_with_context`).

use sqlx::PgPool;

use crate::AppError;

/// The database pool. Missing only if the server was wired up wrongly, which
/// is a fault of ours, not of the request.
pub fn pool() -> Result<PgPool, AppError> {
    leptos::prelude::use_context::<PgPool>().ok_or_else(|| {
        tracing::error!("no database pool in the server-function context");
        AppError::Internal.with_status()
    })
}

/// Where catalog-wide reads go: a replica when one is configured and keeping
/// up (see `read_pool`). Never for what a learner has just written.
pub fn read_pool() -> Result<crate::read_pool::ReadPool, AppError> {
    leptos::prelude::use_context::<crate::read_pool::ReadPool>().ok_or_else(|| {
        tracing::error!("no read pool in the server-function context");
        AppError::Internal.with_status()
    })
}

/// The writer profile saves go through (see `profile::writer`).
pub fn profile_writer() -> Result<crate::profile::writer::ProfileWriter, AppError> {
    leptos::prelude::use_context::<crate::profile::writer::ProfileWriter>().ok_or_else(|| {
        tracing::error!("no profile writer in the server-function context");
        AppError::Internal.with_status()
    })
}
