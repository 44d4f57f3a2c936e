//! The browser entry point: hydrates the server-rendered page.
// Deeply nested view! trees are deeply nested types; the WASM build needs room.
#![recursion_limit = "256"]

use any_spawner::Executor;
use leptos::tachys::dom::{body, document};
use leptos::task::spawn_local;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Hydration is asynchronous: a lazy route's page (app/src/lazy_routes.rs)
    // hydrates once its WASM chunk has arrived. As leptos's hydrate_lazy, but
    // the page is marked as interactive only when all of it is.
    let _ = Executor::init_wasm_bindgen();
    spawn_local(async {
        let mounted = leptos::mount::hydrate_from_async(body(), app::App).await;
        mounted.forget();
        // Lets tests (and curious people) tell the page is now interactive.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
