//! Keeping the page URL in step with the state, with `history.replaceState`. Browsers
//! refuse (and complain about) hundreds of URL changes per second, and each change costs
//! time, so writes are throttled to one per 200 ms, outside the redraw, and the last state
//! is always written.

use super::dom::window;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const INTERVAL_MS: f64 = 200.0;

/// Writes the query part of the URL, at most once per [`INTERVAL_MS`].
pub struct UrlWriter {
    state: Rc<State>,
    flush: Closure<dyn FnMut()>,
}

struct State {
    latest: RefCell<String>,
    written: RefCell<String>,
    last_write: Cell<f64>,
    timer: Cell<bool>,
}

impl State {
    fn write(&self) {
        let latest = self.latest.borrow().clone();
        if *self.written.borrow() == latest {
            return;
        }
        let w = window();
        let hash = w.location().hash().unwrap_or_default();
        if let Ok(history) = w.history() {
            // A relative URL keeps the path, so this works from any sub-path.
            let _ = history.replace_state_with_url(
                &JsValue::NULL,
                "",
                Some(&format!("?{latest}{hash}")),
            );
        }
        self.last_write.set(now());
        *self.written.borrow_mut() = latest;
    }
}

fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

impl UrlWriter {
    /// A writer for the current page URL.
    pub fn new() -> UrlWriter {
        let search = window().location().search().unwrap_or_default();
        let current = search.strip_prefix('?').unwrap_or(&search).to_string();
        let state = Rc::new(State {
            latest: RefCell::new(current.clone()),
            written: RefCell::new(current),
            last_write: Cell::new(f64::NEG_INFINITY),
            timer: Cell::new(false),
        });
        let s = state.clone();
        let flush = Closure::<dyn FnMut()>::new(move || {
            s.timer.set(false);
            s.write();
        });
        UrlWriter { state, flush }
    }

    /// Puts `query` in the URL soon: after the current frame, and no sooner than
    /// [`INTERVAL_MS`] after the last write. The write never runs inside a redraw.
    pub fn update(&self, query: String) {
        *self.state.latest.borrow_mut() = query;
        if !self.state.timer.replace(true) {
            let wait = (INTERVAL_MS - (now() - self.state.last_write.get())).max(0.0);
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
                self.flush.as_ref().unchecked_ref(),
                wait.ceil() as i32,
            );
        }
    }
}
