//! The browser entry point. Pages are rendered on the server and stay server
//! HTML; only the islands (`#[island]` in the app crate) run here, each
//! started by the shell's loader (app/src/hydration.rs) from the export its
//! `<leptos-island>` names.
// Deeply nested view! trees are deeply nested types; the WASM build needs room.
#![recursion_limit = "256"]

// Nothing here calls into the app crate, so without this rustc would not link
// it and the islands' exports would be dropped from the WASM.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Lets tests (and curious people) tell the page is now interactive.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
