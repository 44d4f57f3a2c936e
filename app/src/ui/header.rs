//! The site header. On a wide screen: the brand, the main links and the
//! account links in one row. On a phone the row keeps the brand, Courses and
//! For you, and folds the tag index and the account links into a `<details>`
//! menu, which opens and closes without JavaScript. Both sets are in the
//! page; the stylesheet shows one, so the other is out of the accessibility
//! tree too.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::account::UserMenu;

#[component]
pub fn SiteHeader() -> impl IntoView {
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
                <PhoneMenu>
                    <ul class="nav-menu-panel">
                        <li>
                            <A href="/tags">"Tags"</A>
                        </li>
                        <UserMenu/>
                    </ul>
                </PhoneMenu>
            </nav>
        </header>
    }
}

/// The phone menu: an island, so that Escape closes it and gives focus back to
/// its toggle, as a keyboard user expects. Opening and closing need no
/// JavaScript, and every link in it loads a page whose menu starts closed.
#[island]
fn PhoneMenu(children: Children) -> impl IntoView {
    let menu = NodeRef::<leptos::html::Details>::new();
    let close_on_escape = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" {
            close(menu);
        }
    };
    view! {
        <details class="nav-menu narrow-only" node_ref=menu on:keydown=close_on_escape>
            <summary>"Menu"</summary>
            {children()}
        </details>
    }
}

/// Closes the phone menu if it is open, and focus returns to its toggle.
fn close(menu: NodeRef<leptos::html::Details>) {
    let Some(details) = menu.get_untracked() else {
        return;
    };
    if !details.open() {
        return;
    }
    details.set_open(false);
    if let Ok(Some(summary)) = details.query_selector("summary")
        && let Ok(summary) =
            leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(summary)
    {
        let _ = summary.focus();
    }
}
