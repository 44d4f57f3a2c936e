//! The page the service worker shows for an address it has no copy of
//! while there is no network. It is precached with the app, and rendered
//! without the hydration scripts: it stands in for any address, and the app
//! hydrating it as that address would not match.

use leptos::prelude::*;
use leptos_meta::Title;

/// Where the offline page lives (the shell leaves out hydration there).
pub const OFFLINE_PATH: &str = "/offline";

#[component]
pub fn OfflinePage() -> impl IntoView {
    view! {
        <Title text="Offline · AcmeLearn"/>
        <section class="offline-page">
            <h1>"You are offline"</h1>
            <p class="lede">
                "AcmeLearn cannot reach the server, and this page was not saved on this device."
            </p>
            <p>"What you can read without a network:"</p>
            <ul>
                <li>
                    <a href="/courses">"The course catalog"</a>
                    " — every course, and search over it, once you have saved the catalog for offline "
                    "(the button under the catalog); otherwise the pages you opened."
                </li>
                <li>
                    <a href="/profile">"Your profile"</a>
                    " and "
                    <a href="/profile/history">"its history"</a>
                    ", as you last opened them."
                </li>
                <li>
                    <a href="/recommendations">"Your recommendations"</a>
                    ", as you last opened them."
                </li>
            </ul>
            <p>
                <a href="" class="button">"Try again"</a>
            </p>
        </section>
    }
}
