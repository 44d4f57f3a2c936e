//! The pages most visitors never open first, as lazy routes: the admin
//! pages, the account settings, the profile and the recommendations.
//!
//! Built with `cargo leptos build --split` (as `make run`, `make test` and the
//! benches do), each route's view becomes a WASM chunk of its own
//! (`#[lazy_route]` makes `view` a `#[lazy]` function), fetched when the page
//! is hydrated or navigated to, so a first visit to the catalog downloads none
//! of it. Code two of them share goes into a chunk of its own, fetched once.
//! On the server nothing changes: the view is rendered as before.
//!
//! Each route has no data of its own to start early: the pages' resources
//! are created by the pages themselves, as before.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::{account, admin, profile, recommend};

/// `/admin`.
pub struct AdminRoute;

#[lazy_route]
impl LazyRoute for AdminRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <admin::AdminPage/> }.into_any()
    }
}

/// `/admin/users`.
pub struct AdminUsersRoute;

#[lazy_route]
impl LazyRoute for AdminUsersRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <admin::AdminUsersPage/> }.into_any()
    }
}

/// `/admin/users/:id`.
pub struct AdminLearnerRoute;

#[lazy_route]
impl LazyRoute for AdminLearnerRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <admin::AdminLearnerPage/> }.into_any()
    }
}

/// `/account`: the signed-in learner's settings.
pub struct AccountRoute;

#[lazy_route]
impl LazyRoute for AccountRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <account::AccountPage/> }.into_any()
    }
}

/// `/profile`.
pub struct ProfileRoute;

#[lazy_route]
impl LazyRoute for ProfileRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <profile::ProfilePage/> }.into_any()
    }
}

/// `/profile/history`.
pub struct ProfileHistoryRoute;

#[lazy_route]
impl LazyRoute for ProfileHistoryRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <profile::ProfileHistoryPage/> }.into_any()
    }
}

/// `/recommendations`.
pub struct RecommendationsRoute;

#[lazy_route]
impl LazyRoute for RecommendationsRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <recommend::RecommendationsPage/> }.into_any()
    }
}

/// `/recommendations/history`.
pub struct RecommendationHistoryRoute;

#[lazy_route]
impl LazyRoute for RecommendationHistoryRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        view! { <recommend::RecommendationHistoryPage/> }.into_any()
    }
}
