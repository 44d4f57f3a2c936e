//! The catalog's views shown in place, by the filter form's island.
//!
//! A search, a filter or a link within the catalog asks the server for the
//! page at the new address, exactly as a plain visit would, and the parts of
//! the page that depend on the address (below) replace those on screen. The
//! rest stays: focus in the search box, what is being typed, the scroll
//! position, the open filters on a phone. The address changes with
//! `history.pushState`, so a link reproduces the view and back and forward
//! walk through the views, shown in place too.
//!
//! Offline, the service worker answers these requests as it answers pages:
//! with the kept copy of the view, or the results it writes from the catalog
//! saved on the device (frontend/pwa). Whenever this cannot show a view (no
//! answer at all, or an answer that is not the catalog page), the browser
//! loads the address itself, as it would without JavaScript.
//!
//! Leptos's islands router (`islands_routing.js`) would do this for every
//! page, by diffing whole documents; upstream still calls it experimental,
//! and only this page needs it.

/// The parts of the catalog page that depend on its address, by `id`.
pub const NOTES: &str = "catalog-notes";
pub const RESULTS: &str = "catalog-results";
pub const CHOSEN_TAGS: &str = "catalog-chosen-tags";
pub const ACTIVE_COUNT: &str = "catalog-active-count";
#[cfg(feature = "hydrate")]
const PARTS: [&str; 4] = [NOTES, RESULTS, CHOSEN_TAGS, ACTIVE_COUNT];

/// The filter form's submission, shown in place.
pub fn show_submitted(event: leptos::ev::SubmitEvent) {
    #[cfg(feature = "hydrate")]
    browser::show_submitted(event);
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// Links within the catalog and the history's back and forward, shown in
/// place. Called once, when the island starts.
pub fn follow_links_and_history() {
    #[cfg(feature = "hydrate")]
    browser::follow_links_and_history();
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;

    use leptos::prelude::window_event_listener;
    use leptos::task::spawn_local;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Document, DocumentFragment, Element, HtmlAnchorElement, HtmlElement, HtmlFormElement,
        HtmlInputElement, HtmlSelectElement, HtmlTemplateElement, Response, Url,
    };

    use super::{PARTS, RESULTS};

    const CATALOG_PATH: &str = "/courses";

    thread_local! {
        /// Which request is the latest: an answer to an earlier one, arriving
        /// late, is dropped.
        static LATEST: Cell<u64> = const { Cell::new(0) };
    }

    fn document() -> Document {
        leptos::prelude::document()
    }

    pub fn show_submitted(event: web_sys::SubmitEvent) {
        let Some(form) = event
            .target()
            .and_then(|target| target.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let Some(query) = web_sys::FormData::new_with_form(&form)
            .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data))
            .ok()
        else {
            return;
        };
        event.prevent_default();
        let address = format!("{CATALOG_PATH}?{}", String::from(query.to_string()));
        spawn_local(show(address, true));
    }

    pub fn follow_links_and_history() {
        window_event_listener(leptos::ev::click, |event| {
            if let Some(address) = catalog_link(&event) {
                event.prevent_default();
                spawn_local(show(address, true));
            }
        });
        window_event_listener(leptos::ev::popstate, |_| {
            let location = leptos::prelude::window().location();
            if location.pathname().as_deref() == Ok(CATALOG_PATH)
                && let Ok(address) = location.href()
            {
                spawn_local(show(address, false));
            }
        });
    }

    /// The address of a plain click on a link inside the catalog page that
    /// leads to another view of it.
    fn catalog_link(event: &web_sys::MouseEvent) -> Option<String> {
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.ctrl_key()
            || event.shift_key()
            || event.alt_key()
        {
            return None;
        }
        let link = event
            .target()?
            .dyn_into::<Element>()
            .ok()?
            .closest(".catalog a[href]")
            .ok()??
            .dyn_into::<HtmlAnchorElement>()
            .ok()?;
        if !link.target().is_empty() || link.has_attribute("download") {
            return None;
        }
        let address = Url::new(&link.href()).ok()?;
        let here = leptos::prelude::window().location();
        (address.origin() == here.origin().ok()?
            && address.pathname() == CATALOG_PATH
            && address.hash().is_empty())
        .then(|| address.href())
    }

    /// Shows the catalog at `address` in place, or has the browser load it.
    async fn show(address: String, push: bool) {
        let request = LATEST.with(|latest| {
            latest.set(latest.get() + 1);
            latest.get()
        });
        let focused = document().active_element();
        let typed = focused.as_ref().and_then(value_of);
        if let Some(results) = document().get_element_by_id(RESULTS) {
            let _ = results.set_attribute("aria-busy", "true");
        }
        let page = catalog_page(&address).await;
        if LATEST.with(Cell::get) != request {
            return;
        }
        let Some((shown_address, page)) = page else {
            let _ = leptos::prelude::window().location().assign(&address);
            return;
        };
        for id in PARTS {
            if let (Some(old), Some(new)) =
                (document().get_element_by_id(id), page.get_element_by_id(id))
            {
                let _ = old.replace_with_with_node_1(&new);
            }
        }
        show_controls_of(&page, focused.as_ref(), typed.as_deref());
        if push && let Ok(history) = leptos::prelude::window().history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&shown_address));
        }
        // Focus was on something that is gone (a tag's remove link, the
        // pager): it goes to the new result count, which screen readers read.
        if focused.is_some_and(|element| !element.is_connected())
            && let Ok(Some(count)) = document().query_selector(".result-count")
            && let Ok(count) = count.dyn_into::<HtmlElement>()
        {
            let _ = count.set_attribute("tabindex", "-1");
            let _ = count.focus();
        }
    }

    /// The catalog page at `address`, parsed (inert: nothing in it runs), and
    /// the address it came from after any redirect. `None` when the server
    /// cannot be reached or answers with something else.
    async fn catalog_page(address: &str) -> Option<(String, DocumentFragment)> {
        let answer = JsFuture::from(leptos::prelude::window().fetch_with_str(address))
            .await
            .ok()?
            .dyn_into::<Response>()
            .ok()?;
        let html_page = answer
            .headers()
            .get("content-type")
            .ok()
            .flatten()
            .is_some_and(|kind| kind.starts_with("text/html"));
        let shown_address = answer.url();
        let shown_path = Url::new(&shown_address).ok()?.pathname();
        if !answer.ok() || !html_page || shown_path != CATALOG_PATH {
            return None;
        }
        let html = JsFuture::from(answer.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        let template = document()
            .create_element("template")
            .ok()?
            .dyn_into::<HtmlTemplateElement>()
            .ok()?;
        template.set_inner_html(&html);
        Some((shown_address, template.content()))
    }

    /// The filter controls (inputs and selects with an `id`) take the values
    /// the new page has for them, except the one the learner is still typing
    /// in: focused, and changed since the request went.
    fn show_controls_of(page: &DocumentFragment, focused: Option<&Element>, typed: Option<&str>) {
        let Ok(controls) = document().query_selector_all("form.filters [id]") else {
            return;
        };
        for index in 0..controls.length() {
            let Some(control) = controls
                .item(index)
                .and_then(|node| node.dyn_into::<Element>().ok())
            else {
                continue;
            };
            if focused == Some(&control) && value_of(&control).as_deref() != typed {
                continue;
            }
            let Some(shown) = page.get_element_by_id(&control.id()) else {
                continue;
            };
            if let Some(input) = control.dyn_ref::<HtmlInputElement>() {
                input.set_value(&shown.get_attribute("value").unwrap_or_default());
            } else if let Some(select) = control.dyn_ref::<HtmlSelectElement>() {
                // In a parsed page the chosen option is the one marked
                // `selected`; with none, the first.
                let chosen = shown
                    .query_selector("option[selected]")
                    .ok()
                    .flatten()
                    .or_else(|| shown.query_selector("option").ok().flatten());
                select.set_value(
                    &chosen
                        .and_then(|option| option.get_attribute("value"))
                        .unwrap_or_default(),
                );
            }
        }
    }

    fn value_of(element: &Element) -> Option<String> {
        if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
            Some(input.value())
        } else {
            element
                .dyn_ref::<HtmlSelectElement>()
                .map(HtmlSelectElement::value)
        }
    }
}
