//! The one error type server functions return, shared by server and browser.
//!
//! Expected failures (bad input, not found) carry a message a learner can act
//! on and a 4xx status. Internal faults are logged on the server with their
//! details and reach the browser only as a generic message.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// The database or another dependency is down; retrying later may work.
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// Only seen in the browser: the server could not be reached at all.
    #[error("Could not reach AcmeLearn. Check your connection and try again.")]
    Offline,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::NotFound(_) => 404,
            AppError::Unavailable | AppError::Offline => 503,
            AppError::Internal => 500,
        }
    }

    /// Builds a "bad request" error and, on the server, sets the response
    /// status: leptos answers every server-function `Err` with 500 otherwise.
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into()).with_status()
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound(message.into()).with_status()
    }

    /// Records this error's status on the response being built, when there is
    /// one (inside a server function or a page render); a no-op in the browser.
    pub fn with_status(self) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(self.status_code())
        {
            response.set_status(status);
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            // Arguments that do not parse are the caller's mistake, not ours.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::bad_request(format!("The request could not be read: {detail}"))
            }
            ServerFnErrorErr::Request(_) => AppError::Offline,
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal.with_status()
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        let unavailable = matches!(
            error,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)
        );
        tracing::error!(%error, "database error");
        if unavailable {
            AppError::Unavailable.with_status()
        } else {
            AppError::Internal.with_status()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_errors_are_the_callers_fault() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args("bad".into()));
        assert_eq!(error.status_code(), 400);
        assert!(error.to_string().contains("bad"));
    }

    #[test]
    fn internal_details_are_not_shown() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "password=hunter2".into(),
        ));
        assert_eq!(error, AppError::Internal);
        assert!(!error.to_string().contains("hunter2"));
    }
}
