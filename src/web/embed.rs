//! Talking to a host page when the figure sits in an iframe: the height it needs, its state
//! after every change, and the `deep-signal:set` and `deep-signal:get` messages a host sends
//! to drive it.

use super::dom::{document, window};
use js_sys::{Object, Reflect};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ResizeObserver, Window};

/// A message from a host page.
#[derive(Debug, PartialEq)]
pub enum Request {
    /// Set these URL parameters (key and value as text), all or none.
    Set(Vec<(String, String)>),
    /// Answer with the current state.
    Get,
}

/// The window of the page that frames this one, if any.
pub fn parent() -> Option<Window> {
    let w = window();
    let parent = w.parent().ok()??;
    (!Object::is(&parent, &w)).then_some(parent)
}

/// Posts `message` to the parent page, if there is one (any origin may host a figure).
pub fn post(message: &JsValue) {
    if let Some(p) = parent() {
        let _ = p.post_message(message, "*");
    }
}

/// A plain object with the given string properties.
pub fn object(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// Dispatches `{type, params, readouts}` (or any `detail`) as a bubbling `CustomEvent`
/// named `name` at `target`: how an in-page figure tells its page. With in-page figures
/// (see [`events`]): dispatched from inside another figure event, it waits for that one's
/// end, and the calls its listeners make into figures run after it.
pub fn dispatch(target: &web_sys::EventTarget, name: &str, detail: &JsValue) {
    #[cfg(feature = "figures")]
    if events::inside() {
        let (target, name, detail) = (target.clone(), name.to_string(), detail.clone());
        events::after(move || dispatch(&target, &name, &detail));
        return;
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        #[cfg(feature = "figures")]
        events::enter(true);
        let _ = target.dispatch_event(&event);
        #[cfg(feature = "figures")]
        events::enter(false);
    }
    #[cfg(feature = "figures")]
    events::drain();
}

/// The calls into figures that a host page makes from inside one of their events, run once
/// the event is over: a listener that calls `figure.set()` never finds the figure in the
/// middle of its own work. Only in-page figures have such events.
#[cfg(feature = "figures")]
pub mod events {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use wasm_bindgen::JsValue;

    /// What is queued, and whether an event is being dispatched.
    struct Events {
        /// Whether a figure's event is being dispatched (its listeners are running).
        inside: Cell<bool>,
        /// The calls made meanwhile, in order.
        queue: RefCell<VecDeque<Box<dyn FnOnce()>>>,
        /// Whether the queue is being run, and how many calls it has run.
        draining: Cell<bool>,
        ran: Cell<usize>,
    }

    thread_local! {
        static EVENTS: Events = const {
            Events {
                inside: Cell::new(false),
                queue: RefCell::new(VecDeque::new()),
                draining: Cell::new(false),
                ran: Cell::new(0),
            }
        };
    }

    /// The most calls made from inside events that run after one event: a listener that
    /// calls a figure from every event it gets, forever, is stopped there.
    const MAX_DEFERRED: usize = 1000;

    /// Whether a figure's event is being dispatched: calls into figures wait for its end.
    pub fn inside() -> bool {
        EVENTS.with(|e| e.inside.get())
    }

    /// Marks the dispatch of an event as begun or over.
    pub(super) fn enter(inside: bool) {
        EVENTS.with(|e| e.inside.set(inside));
    }

    /// Runs `call` once the event being dispatched is over.
    pub fn after(call: impl FnOnce() + 'static) {
        EVENTS.with(|e| e.queue.borrow_mut().push_back(Box::new(call)));
    }

    /// Runs the calls made from inside events, the ones they make in turn included, in
    /// order.
    #[inline(never)]
    pub(super) fn drain() {
        if EVENTS.with(|e| e.draining.replace(true)) {
            return;
        }
        EVENTS.with(|e| e.ran.set(0));
        loop {
            let Some(call) = EVENTS.with(|e| e.queue.borrow_mut().pop_front()) else {
                break;
            };
            let ran = EVENTS.with(|e| {
                e.ran.set(e.ran.get() + 1);
                e.ran.get()
            });
            if ran > MAX_DEFERRED {
                EVENTS.with(|e| e.queue.borrow_mut().clear());
                web_sys::console::warn_1(&JsValue::from_str(
                    "deep-signal: a page keeps calling its figures from their own events; the calls were stopped",
                ));
                break;
            }
            call();
        }
        EVENTS.with(|e| e.draining.set(false));
    }
}

/// Reads the data of a `message` event. `Ok(None)` for messages that are not for us
/// (anything whose `type` does not start with `deep-signal:`), `Err` with the reason for
/// ours that are malformed. Never throws, whatever the data.
pub fn read(data: &JsValue) -> Result<Option<Request>, String> {
    if !data.is_object() {
        return Ok(None);
    }
    let kind = Reflect::get(data, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    if !kind.starts_with("deep-signal:") {
        return Ok(None);
    }
    match kind.as_str() {
        "deep-signal:get" => Ok(Some(Request::Get)),
        "deep-signal:set" => {
            let params = Reflect::get(data, &"params".into()).map_err(|_| "no params")?;
            Ok(Some(Request::Set(read_params(&params)?)))
        }
        "deep-signal:state" | "deep-signal:height" => Ok(None),
        other => Err(format!("unknown message type {other}")),
    }
}

/// Reads the parameters of a `set` call: an object of parameter values, each a string or
/// a finite number, or a query string such as `w=1.1&depth=200`.
pub fn read_params(params: &JsValue) -> Result<Vec<(String, String)>, String> {
    let mut changes = Vec::new();
    if let Some(query) = params.as_string() {
        let query = query.strip_prefix('?').unwrap_or(&query);
        changes.extend(form_urlencoded::parse(query.as_bytes()).into_owned());
    } else {
        if !params.is_object() || js_sys::Array::is_array(params) {
            return Err("params must be an object of parameter values".into());
        }
        for entry in Object::entries(params.unchecked_ref()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let key = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            let text = if let Some(s) = value.as_string() {
                s
            } else if let Some(n) = value.as_f64().filter(|n| n.is_finite()) {
                crate::app::numbers::js(n)
            } else {
                return Err(format!("{key} must be a string or a finite number"));
            };
            changes.push((key, text));
        }
    }
    if changes.is_empty() {
        return Err("params is empty".into());
    }
    Ok(changes)
}

/// Posts `{type: "deep-signal:height", height}` to the parent whenever the page's height
/// changes, so the host can size the iframe to fit.
pub fn post_height() -> Result<(), JsValue> {
    if parent().is_none() {
        return Ok(());
    }
    let body = document()
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    let last = Cell::new(-1.0);
    let b = body.clone();
    let callback = Closure::<dyn FnMut()>::new(move || {
        let height = b.get_bounding_client_rect().height().ceil();
        if height != last.replace(height) {
            let message = Object::new();
            let _ = Reflect::set(&message, &"type".into(), &"deep-signal:height".into());
            let _ = Reflect::set(&message, &"height".into(), &height.into());
            post(&message);
        }
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref())?;
    observer.observe(&body);
    // Both live as long as the page.
    callback.forget();
    std::mem::forget(observer);
    Ok(())
}
