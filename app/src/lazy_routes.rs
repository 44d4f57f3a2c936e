//! The pages most visitors never open first, as lazy routes: the admin
//! pages and the account settings.
//!
//! Built with `cargo leptos build --split` (as `make run`, `make test` and the
//! benches do), each route's view becomes a WASM chunk of its own
//! (`#[lazy_route]` makes `view` a `#[lazy]` function), fetched when the page
//! is hydrated or navigated to, so a first visit to the catalog downloads none
//! of it. Code two of them share goes into a chunk of its own, fetched once.
//! On the server nothing changes: the view is rendered as before.
//!
//! The profile and recommendations pages stay in the main bundle although a
//! visitor never needs them: measured with Lighthouse, a lazy page hydrates in
//! a second long task once its chunk arrives, and /profile's blocking time
//! went from ~90 ms to 230-350 ms (performance 99 to 92-96), while those are
//! the pages a signed-in learner opens most.
//!
//! Each route has no data of its own to start early: the pages' resources
//! are created by the pages themselves, as before.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use crate::{account, admin};

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
