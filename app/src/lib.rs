//! AcmeLearn's user interface and server functions, compiled twice: with
//! `ssr` into the server binary and with `hydrate` into the browser's WASM.
// Deeply nested view! trees are deeply nested types; the WASM build needs room.
#![recursion_limit = "256"]

pub mod account;
pub mod admin;
pub mod catalog;
mod error;
#[cfg(feature = "ssr")]
pub mod expiring_cache;
mod home;
mod hydration;
pub mod offline;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod read_pool;
pub mod recommend;
#[cfg(feature = "ssr")]
pub mod services;
mod text_enum;
#[cfg(feature = "ssr")]
mod time;
mod ui;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

pub use error::{AppError, FormErrors};
#[cfg(feature = "ssr")]
pub use services::{Services, services};

/// The HTML document around the app, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let hydrates = !is_offline_page();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="AcmeLearn helps you find the right course to learn next."/>
                <meta name="theme-color" content="#1f4e79"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                // The stylesheet's name carries its hash (hash-files), which only
                // the server knows: it is written here, in the shell.
                <HashedStylesheet options=options.clone() id="leptos"/>
                {hydrates
                    .then(|| {
                        view! {
                            <AutoReload options=options.clone()/>
                            <hydration::DeferredHydrationScript options/>
                        }
                    })}
                // The installable app: service worker, offline banner, update
                // prompt (frontend/pwa). Plain JavaScript, so it also runs where
                // the WASM has not loaded.
                <script type="module" src="/pwa.js"></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Whether this render is the offline page (see [`offline`]).
fn is_offline_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .is_some_and(|request| request.uri.path() == offline::OFFLINE_PATH)
    }
    #[cfg(not(feature = "ssr"))]
    false
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    account::provide_auth();

    view! {
        <Title text="AcmeLearn"/>
        <Router>
            // rel="external": the browser, not the router, follows it, so focus
            // moves to the content as well as the view.
            <a class="skip-link" href="#main" rel="external">"Skip to content"</a>
            <ui::SiteHeader/>
            <main id="main" class="site-main">
                // Every page renders SsrMode::Async: the HTML is complete before it
                // is sent, so pages work without JavaScript, and data-dependent
                // statuses and redirects (404, "log in first") still apply.
                <Routes fallback=NotFoundPage>
                    <Route path=path!("") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/courses") view=catalog::CoursesPage ssr=SsrMode::Async/>
                    <Route path=path!("/courses/:slug") view=catalog::CoursePage ssr=SsrMode::Async/>
                    <Route path=path!("/tags") view=catalog::TagsPage ssr=SsrMode::Async/>
                    <Route path=path!("/offline") view=offline::OfflinePage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=account::SignupPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=account::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/profile") view=profile::ProfilePage ssr=SsrMode::Async/>
                    <Route
                        path=path!("/profile/history")
                        view=profile::ProfileHistoryPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/recommendations")
                        view=recommend::RecommendationsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/recommendations/history")
                        view=recommend::RecommendationHistoryPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/admin") view=admin::AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=admin::AdminUsersPage ssr=SsrMode::Async/>
                    <Route
                        path=path!("/admin/users/:id")
                        view=admin::AdminLearnerPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/forgot-password")
                        view=account::ForgotPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/reset-password")
                        view=account::ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"AcmeLearn — find the course to take next."</p>
            </footer>
        </Router>
    }
}

#[component]
fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <ui::NotFoundNotice
            heading="Page not found"
            message="There is nothing at this address. It may have moved, or the link may be mistyped."
        />
    }
}
