//! Accounts: sign-up, login, sessions, password change and reset, deactivation.

mod api;
#[cfg(feature = "ssr")]
pub mod mail;
mod pages;
#[cfg(feature = "ssr")]
mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod session;
#[cfg(feature = "ssr")]
mod throttle;
mod types;
#[cfg(feature = "ssr")]
pub mod user_checks;

#[cfg(feature = "ssr")]
pub use session::{
    current_user, named_user, recently_checked_user_in, require_admin, require_user, user_in,
};

pub use api::*;
pub use pages::*;
pub use types::*;

/// Settings the account pages need from the server's configuration.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// Where the site is reached, for links in emails (`PUBLIC_URL`).
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`TRUSTED_PROXIES`); see `session::client_address`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}
