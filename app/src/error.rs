//! The one error type server functions return, shared by server and browser.
//!
//! Expected failures (bad input, not found) carry a message a learner can act
//! on and a 4xx status. Internal faults are logged on the server with their
//! details and reach the browser only as a generic message.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// What is wrong with a submitted form: messages per field (shown next to
/// it) and optionally one for the whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormErrors {
    pub message: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn form(message: impl Into<String>) -> Self {
        FormErrors {
            message: Some(message.into()),
            fields: Vec::new(),
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push((field.to_owned(), message.into()));
    }

    pub fn with(mut self, field: &str, message: impl Into<String>) -> Self {
        self.add(field, message);
        self
    }

    pub fn field(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, message)| message.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.message.is_none() && self.fields.is_empty()
    }

    /// `Ok` when nothing was found wrong, the errors otherwise.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(self))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// A form with mistakes; nothing was changed.
    #[error("{}", .0.message.clone().unwrap_or_else(|| "Please correct the fields marked below.".to_owned()))]
    Invalid(FormErrors),
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("You do not have access to this page.")]
    Forbidden,
    #[error("Too many failed attempts. Try again in {}.", minutes(.retry_after_minutes))]
    TooManyAttempts { retry_after_minutes: i64 },
    /// A fair-use limit (not a failed login): the message says when it frees up.
    #[error("{0}")]
    LimitReached(String),
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

fn minutes(count: &i64) -> String {
    match count {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest(_) | AppError::Invalid(_) => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::TooManyAttempts { .. } | AppError::LimitReached(_) => 429,
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

    pub fn invalid(errors: FormErrors) -> Self {
        AppError::Invalid(errors).with_status()
    }

    /// The field-by-field errors, when this is a form error.
    pub fn form_errors(&self) -> Option<&FormErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound(message.into()).with_status()
    }

    /// Records this error's status on the response being built, when there is
    /// one (inside a server function or a page render); a no-op in the browser.
    ///
    /// A form posted without JavaScript is the exception: leptos answers it
    /// with a redirect back to the form, carrying the error in the URL, and a
    /// 4xx status would replace that redirect.
    pub fn with_status(self) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(self.status_code())
            && !is_plain_form_post()
        {
            response.set_status(status);
        }
        self
    }
}

#[cfg(feature = "ssr")]
fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|request| {
        request.method == http::Method::POST
            && request
                .headers
                .get(http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    })
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            // Arguments that do not parse are the caller's mistake, not ours.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::bad_request(format!("The request could not be read: {detail}"))
            }
            // On the server this is a JSON body that does not decode: the
            // caller's mistake too. In the browser it would be a response we
            // sent and cannot read, which is ours.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => {
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
        // The database is away (restarting, shutting down, unreachable):
        // "try again" is the honest answer, not "something broke".
        let unavailable = crate::read_pool::is_connection_fault(&error);
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
