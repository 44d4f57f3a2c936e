//! The script that makes a server-rendered page's islands live, loaded after
//! the page has painted.
//!
//! Leptos's own `<HydrationScripts>` preloads the WASM from the `<head>`. On a
//! phone's link that download (most of what a first visit fetches) competes
//! with the stylesheet and the page itself, and Lighthouse counts it towards
//! the largest paint. Here nothing of the bundle is fetched before the page's
//! `load` event and the browser's next idle moment; until then the page is
//! plain HTML, whose links and forms work on their own.

use std::sync::OnceLock;

use leptos::prelude::*;

/// The bundle's two files, under the site root.
struct BundlePaths {
    javascript: String,
    wasm: String,
}

/// Waits for `load` and then for an idle moment (at most two seconds, the
/// backstop for a page that is never idle), then imports the bundle's
/// JavaScript, which fetches and starts the WASM, and starts each island:
/// every `<leptos-island>` names the WASM export that makes it live. (Leptos's
/// own island script does the same; it would also preload the bundle from the
/// `<head>`. Islands are never nested here, so `<leptos-children>` needs
/// nothing.)
const LOADER: &str = r#"(function (javascript, wasm) {
  const hydrate = () =>
    import(javascript).then((bundle) =>
      bundle.default({ module_or_path: wasm }).then(() => {
        bundle.hydrate();
        for (const island of document.querySelectorAll("leptos-island")) {
          const start = bundle[island.dataset.component];
          if (start) start(island);
          else console.error(`no island called ${island.dataset.component} in the bundle`);
        }
      }));
  const whenIdle = () =>
    "requestIdleCallback" in window ? requestIdleCallback(hydrate, { timeout: 2000 }) : setTimeout(hydrate, 0);
  if (document.readyState === "complete") whenIdle();
  else addEventListener("load", whenIdle, { once: true });
})"#;

/// The `<script>` that loads and hydrates the bundle; goes in the `<head>`.
#[component]
pub fn DeferredHydrationScript(options: LeptosOptions) -> impl IntoView {
    // The names are fixed for the life of the process (hash.txt is written by
    // the build), so they are worked out once, not on every page.
    static PATHS: OnceLock<BundlePaths> = OnceLock::new();
    let paths = PATHS.get_or_init(|| bundle_paths(&options));
    let nonce = leptos::nonce::use_nonce();
    let call = format!("{LOADER}({:?}, {:?});", paths.javascript, paths.wasm);
    view! { <script type="module" nonce=nonce>{call}</script> }
}

/// Where cargo-leptos put the bundle, named as Leptos's `<HydrationScripts>`
/// names it: with `hash-files`, each name carries the hash that hash.txt
/// (beside the server binary) gives for its kind.
fn bundle_paths(options: &LeptosOptions) -> BundlePaths {
    let mut javascript = options.output_name.to_string();
    let mut wasm = options.output_name.to_string();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|binary| {
                binary
                    .parent()
                    .map(|folder| folder.join(options.hash_file.as_ref()))
            })
            .and_then(|path| std::fs::read_to_string(path).ok());
        match hashes {
            Some(hashes) => {
                for (kind, hash) in hashes
                    .lines()
                    .filter_map(|line| line.trim().split_once(':'))
                {
                    match kind {
                        "js" => javascript = format!("{javascript}.{}", hash.trim()),
                        "wasm" => wasm = format!("{wasm}.{}", hash.trim()),
                        _ => {}
                    }
                }
            }
            None => leptos::logging::error!("hash-files is on but hash.txt could not be read"),
        }
    } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        // Built without cargo-leptos: wasm-bindgen's own name for the WASM.
        wasm.push_str("_bg");
    }
    let folder = format!("/{}", options.site_pkg_dir);
    BundlePaths {
        javascript: format!("{folder}/{javascript}.js"),
        wasm: format!("{folder}/{wasm}.wasm"),
    }
}
