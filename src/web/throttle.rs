//! Work that may run at most once per interval, outside the redraw: writing the URL
//! (browsers refuse hundreds of `replaceState` calls a second, and each costs time),
//! refreshing the canvases' spoken summaries and the data tables. The last request is
//! always honoured.

use super::dom::window;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Runs a callback after a request, no sooner than an interval after its last run.
pub struct Throttle {
    interval_ms: f64,
    last_run: Rc<Cell<f64>>,
    pending: Rc<Cell<bool>>,
    /// The timeout set, while it is pending.
    id: Rc<Cell<Option<i32>>>,
    run: Closure<dyn FnMut()>,
}

fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

impl Throttle {
    /// A throttle that calls `f` at most once per `interval_ms`.
    pub fn new(interval_ms: f64, mut f: impl FnMut() + 'static) -> Throttle {
        let last_run = Rc::new(Cell::new(f64::NEG_INFINITY));
        let pending = Rc::new(Cell::new(false));
        let id = Rc::new(Cell::new(None));
        let (last, flag, set) = (last_run.clone(), pending.clone(), id.clone());
        let run = Closure::<dyn FnMut()>::new(move || {
            flag.set(false);
            set.set(None);
            last.set(now());
            f();
        });
        Throttle {
            interval_ms,
            last_run,
            pending,
            id,
            run,
        }
    }

    /// Asks for a run: after the current task, and no sooner than the interval after the
    /// last run. Several requests before it runs make one run.
    pub fn request(&self) {
        if !self.pending.replace(true) {
            let wait = (self.interval_ms - (now() - self.last_run.get())).max(0.0);
            let id = window().set_timeout_with_callback_and_timeout_and_arguments_0(
                self.run.as_ref().unchecked_ref(),
                wait.ceil() as i32,
            );
            self.id.set(id.ok());
        }
    }
}

impl Drop for Throttle {
    /// A run still due would call a freed closure: it is cancelled.
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            window().clear_timeout_with_handle(id);
        }
    }
}

/// Puts `query` in the address bar with `history.replaceState`, keeping the path (so it
/// works from any sub-path) and the fragment; does nothing if it is there already.
pub fn replace_query(query: &str) {
    let w = window();
    let location = w.location();
    let current = location.search().unwrap_or_default();
    if current.strip_prefix('?').unwrap_or(&current) == query {
        return;
    }
    let hash = location.hash().unwrap_or_default();
    if let Ok(history) = w.history() {
        let _ =
            history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("?{query}{hash}")));
    }
}
