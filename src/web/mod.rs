//! The web shell: the only code that touches the browser. It reads the URL, mounts the
//! chosen view from the registry, and shows a banner if anything panics.

// The explorer's and the training lab's own modules (built without the `figures` feature)
// leave the in-page figures and other views' plots out: what only they use is dead there,
// and with one kind of plot left, a test of the kind cannot fail. The full build's lints
// still apply to all of it.
#![cfg_attr(
    not(feature = "figures"),
    allow(
        dead_code,
        irrefutable_let_patterns,
        clippy::infallible_destructuring_match
    )
)]

mod backend;
mod banner;
mod canvas;
mod dom;
mod embed;
mod export;
#[cfg(feature = "figures")]
mod figures;
mod frames;
mod notices;
mod shell;
mod theme;
mod throttle;
#[cfg(feature = "lab")]
mod worker;
#[cfg(feature = "lab")]
mod workers;

use crate::app::query;
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// The id of the element the app mounts into.
const ROOT_ID: &str = "deep-signal";

/// Entry point: installs the panic banner and mounts the app into `#deep-signal`, if the
/// page has one (a test page may mount elsewhere with [`mount`]).
#[wasm_bindgen(start)]
pub fn start() {
    banner::install_panic_hook();
    // In a worker (`worker.js`), the module only trains: `worker_start` starts it.
    if web_sys::window().is_none() {
        return;
    }
    let doc = dom::document();
    if let Some(root) = doc.get_element_by_id(ROOT_ID) {
        let parsed = query::parse(&page_query());
        if parsed.view.build.is_none() {
            // See `lacks_view`: index.html starts the full module instead.
            return;
        }
        if let Err(e) = shell::mount(&root, parsed, shell::Host::Page) {
            banner::show(&format!(
                "deep-signal could not start: {}",
                banner::describe(&e)
            ));
        }
    }
}

/// The page's URL query.
fn page_query() -> String {
    dom::window().location().search().unwrap_or_default()
}

/// Whether the page's URL names a view this module was built without. The explorer's and
/// the training lab's own modules then leave the page alone, and `index.html` starts the
/// full module, which has every view.
#[wasm_bindgen]
pub fn lacks_view() -> bool {
    query::parse(&page_query()).view.build.is_none()
}

/// Mounts the view a URL query selects (for example `?view=explorer&w=1.1`) into `root`.
#[wasm_bindgen]
pub fn mount(root: &Element, query: &str) -> Result<(), JsValue> {
    shell::mount(root, query::parse(query), shell::Host::Page).map(|_| ())
}

/// Panics on purpose with `message`, so that tests (and anyone curious) can check that a
/// panic shows the error banner instead of leaving a dead page.
#[wasm_bindgen]
pub fn debug_panic(message: String) {
    panic!("{message}");
}
