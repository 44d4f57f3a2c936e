//! `/admin/users/:id`: one learner's profile history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::RequireAdmin;
use crate::account::CurrentUser;
use crate::admin::api::*;
use crate::admin::types::LearnerHistory;
use crate::ui::Loaded;

/// `/admin/users/:id`: one learner's profile history.
#[component]
pub fn AdminLearnerPage() -> impl IntoView {
    view! {
        <Title text="Learner · AcmeLearn"/>
        <section class="admin-page">
            <p class="admin-links">
                <A href="/admin/users">"All users"</A>
            </p>
            <RequireAdmin content=|_admin: CurrentUser| view! { <LearnerView/> }/>
        </section>
    }
}

#[component]
fn LearnerView() -> impl IntoView {
    let params = use_params_map();
    let learner = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        admin_learner,
    );
    view! {
        <Loaded resource=learner loading="Loading…" show=|found: LearnerHistory| view! {
                        <h1>{found.user.email.clone()}</h1>
                        <p>
                            {format!(
                                "Signed up {} · last active {} · {}{}",
                                found.user.signed_up,
                                found.user.last_active,
                                if found.user.is_active { "active" } else { "deactivated" },
                                if found.user.is_demo { " · demo learner" } else { "" }
                            )}
                        </p>
                        <ol class="timeline" aria-label="Profile versions">
                            {found
                                .versions
                                .into_iter()
                                .map(|entry| {
                                    view! {
                                        <li class="timeline-entry">
                                            <h2>{format!("Version {}", entry.version)}</h2>
                                            <p class="timeline-date">{entry.saved_at}</p>
                                            <ul class="changes">
                                                {entry.changes.iter().map(|change| view! { <li>{change.to_string()}</li> }).collect_view()}
                                            </ul>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }/>
    }
}
