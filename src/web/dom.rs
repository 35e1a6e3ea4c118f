//! Small helpers over web-sys for finding elements and listening to events.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget, Window};

/// The browser window. The shell only runs in a browser, where it always exists.
pub fn window() -> Window {
    web_sys::window().expect("running in a browser window")
}

/// The page's document.
pub fn document() -> Document {
    window().document().expect("a window has a document")
}

/// The first element under `root` matching `selector`, as type `T`.
pub fn find<T: JsCast>(root: &Element, selector: &str) -> Result<T, JsValue> {
    root.query_selector(selector)?
        .ok_or_else(|| JsValue::from_str(&format!("missing element {selector}")))?
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str(&format!("{selector} has the wrong element type")))
}

/// Every element under `root` matching `selector`, as type `T`.
pub fn find_all<T: JsCast>(root: &Element, selector: &str) -> Result<Vec<T>, JsValue> {
    let list = root.query_selector_all(selector)?;
    Ok((0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<T>().ok())
        .collect())
}

/// Event listeners that are removed, and their closures freed, when the set is cleared or
/// dropped: a figure taken out of its page takes its listeners with it.
#[derive(Default)]
pub struct Listeners(RefCell<Vec<Listener>>);

/// A listener: its target, its event and its closure.
type Listener = (EventTarget, String, Closure<dyn FnMut(Event)>);

impl Listeners {
    /// Calls `f` on every `event` at `target` until the set is cleared.
    pub fn on(&self, target: &EventTarget, event: &str, f: impl FnMut(Event) + 'static) {
        self.add(target, event, Closure::<dyn FnMut(Event)>::new(f));
    }

    /// The part of [`on`](Self::on) that is the same for every listener, compiled once.
    #[inline(never)]
    fn add(&self, target: &EventTarget, event: &str, closure: Closure<dyn FnMut(Event)>) {
        let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        self.0
            .borrow_mut()
            .push((target.clone(), event.to_string(), closure));
    }

    /// Removes every listener and frees its closure.
    pub fn clear(&self) {
        for (target, event, closure) in self.0.take() {
            let _ = target
                .remove_event_listener_with_callback(&event, closure.as_ref().unchecked_ref());
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Calls `f` on every `event` at `target`, for the life of the page.
pub fn on(target: &EventTarget, event: &str, f: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(f);
    // Adding a listener fails only for a target that is not one, which never reaches here.
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    closure.forget();
}

/// Sets an attribute, skipping the DOM write when it already has that value.
pub fn set_attr(el: &Element, name: &str, value: &str) {
    if el.get_attribute(name).as_deref() != Some(value) {
        let _ = el.set_attribute(name, value);
    }
}

/// One element's text or one of its attributes, written every frame: remembers what it
/// wrote, so an unchanged value costs no call into the browser at all.
pub struct Slot {
    el: Element,
    attribute: Option<&'static str>,
    last: RefCell<Option<String>>,
}

impl Slot {
    /// The text content of `el`.
    pub fn text(el: Element) -> Slot {
        Slot {
            el,
            attribute: None,
            last: RefCell::new(None),
        }
    }

    /// The attribute `name` of `el`.
    pub fn attribute(el: Element, name: &'static str) -> Slot {
        Slot {
            el,
            attribute: Some(name),
            last: RefCell::new(None),
        }
    }

    /// Writes `value` if it differs from the last value written.
    pub fn set(&self, value: &str) {
        let mut last = self.last.borrow_mut();
        if last.as_deref() == Some(value) {
            return;
        }
        match self.attribute {
            Some(name) => {
                let _ = self.el.set_attribute(name, value);
            }
            None => self.el.set_text_content(Some(value)),
        }
        *last = Some(value.to_string());
    }
}
