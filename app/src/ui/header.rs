//! The site header. On a wide screen: the brand, the main links and the
//! account links in one row. On a phone the row keeps the brand, Courses and
//! For you, and folds the tag index and the account links into a `<details>`
//! menu, which opens and closes without JavaScript. Both sets are in the
//! page; the stylesheet shows one, so the other is out of the accessibility
//! tree too.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::account::UserMenu;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let menu = NodeRef::<leptos::html::Details>::new();
    // Once the app is live, following a link keeps the header in place: the
    // menu would stay open over the next page.
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let here = format!("{}?{}", location.pathname.get(), location.search.get());
        if previous.is_some_and(|previous| previous != here) {
            close(menu, false);
        }
        here
    });
    let close_on_escape = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            close(menu, true);
        }
    };
    view! {
        <header class="site-header">
            <nav class="site-nav" aria-label="Main">
                <A href="/" attr:class="brand">"AcmeLearn"</A>
                <ul class="main-links">
                    <li>
                        <A href="/courses">"Courses"</A>
                    </li>
                    <li class="wide-only">
                        <A href="/tags">"Tags"</A>
                    </li>
                    <li>
                        <A href="/recommendations">"For you"</A>
                    </li>
                </ul>
                <ul class="user-menu wide-only">
                    <UserMenu/>
                </ul>
                <details class="nav-menu narrow-only" node_ref=menu on:keydown=close_on_escape>
                    <summary>"Menu"</summary>
                    <ul class="nav-menu-panel">
                        <li>
                            <A href="/tags">"Tags"</A>
                        </li>
                        <UserMenu/>
                    </ul>
                </details>
            </nav>
        </header>
    }
}

/// Closes the phone menu if it is open; with `refocus`, focus returns to
/// its toggle (after Escape, as a keyboard user expects).
fn close(menu: NodeRef<leptos::html::Details>, refocus: bool) {
    let Some(details) = menu.get_untracked() else {
        return;
    };
    if !details.open() {
        return;
    }
    details.set_open(false);
    if refocus
        && let Ok(Some(summary)) = details.query_selector("summary")
        && let Ok(summary) =
            leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(summary)
    {
        let _ = summary.focus();
    }
}
