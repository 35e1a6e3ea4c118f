//! A visible error banner: a Rust panic or a drawing error never leaves a silently dead
//! page.

use super::dom::document;
use wasm_bindgen::{JsCast, JsValue};

/// Installs the panic hook: the message goes to the console (with the Rust location) and
/// into a banner at the top of the page.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&format!(
            "deep-signal stopped because of an internal error: {info}"
        ));
    }));
}

/// A JavaScript error or value in words: its text, an `Error`'s message, or what
/// `String(value)` gives (without wasm-bindgen's `Debug`, which brings a JavaScript
/// pretty-printer into the page).
pub fn describe(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    if let Some(error) = e.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    e.dyn_ref::<js_sys::Object>().map_or_else(
        || "an unknown error".into(),
        |o| String::from(o.to_string()),
    )
}

/// Shows `message` in the error banner, creating it if needed.
pub fn show(message: &str) {
    let doc = document();
    let banner = match doc.get_element_by_id("ds-error") {
        Some(b) => b,
        None => {
            let Ok(b) = doc.create_element("div") else {
                return;
            };
            b.set_id("ds-error");
            let _ = b.set_attribute("role", "alert");
            let _ = b.set_attribute("class", "ds-error");
            if let Some(body) = doc.body() {
                let _ = body.prepend_with_node_1(&b);
            }
            b
        }
    };
    banner.set_text_content(Some(&format!("{message} Reload the page to start again.")));
}
