//! The controls of every view: finding each parameter's inputs, writing values into them,
//! and turning their events into new values.

use super::Shell;
use crate::app::numbers::js;
use crate::app::params::{NumberSpec, ParamKind, Values};
use crate::app::view::ViewModel;
use crate::web::dom::{self, find, find_all, Slot};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement};

/// The input elements of one parameter.
pub(super) enum Control {
    /// A slider and its number box.
    Number {
        key: &'static str,
        spec: NumberSpec,
        range: HtmlInputElement,
        number: HtmlInputElement,
        valuetext: Slot,
        /// The value last put into both inputs.
        synced: Cell<f64>,
    },
    /// A menu.
    Select {
        key: &'static str,
        select: HtmlSelectElement,
    },
    /// A group of radio buttons.
    Radios {
        key: &'static str,
        radios: Vec<HtmlInputElement>,
    },
    /// A text box.
    Text {
        key: &'static str,
        input: HtmlInputElement,
        /// The value last put into the box (none before the first).
        synced: RefCell<Option<String>>,
    },
}

/// Finds the input elements of every parameter.
pub(super) fn find_controls(root: &Element, values: &Values) -> Result<Vec<Control>, JsValue> {
    values
        .specs()
        .iter()
        .map(|spec| {
            let key = spec.key;
            Ok(match spec.kind {
                ParamKind::Number(spec) => {
                    let range: HtmlInputElement =
                        find(root, &format!("input[type=range][name={key}]"))?;
                    Control::Number {
                        key,
                        spec,
                        valuetext: Slot::attribute(range.clone().into(), "aria-valuetext"),
                        range,
                        number: find(root, &format!("[data-number={key}]"))?,
                        synced: Cell::new(f64::NAN),
                    }
                }
                ParamKind::Text(_) => Control::Text {
                    key,
                    input: find(root, &format!("input[type=text][name={key}]"))?,
                    synced: RefCell::new(None),
                },
                _ => match find::<HtmlSelectElement>(root, &format!("select[name={key}]")) {
                    Ok(select) => Control::Select { key, select },
                    Err(_) => Control::Radios {
                        key,
                        radios: find_all(root, &format!("[data-param={key}] input[type=radio]"))?,
                    },
                },
            })
        })
        .collect()
}

impl Shell {
    /// Puts the current values into the controls (after a preset, a URL or a clamp).
    pub(super) fn sync_controls(&self, model: &dyn ViewModel) {
        let values = self.values.borrow();
        for control in &self.controls {
            match control {
                Control::Number {
                    key,
                    spec,
                    range,
                    number,
                    valuetext,
                    synced,
                } => {
                    let v = values.number(key);
                    if synced.replace(v) != v {
                        // The slider may be mid-drag at v already; setting it again is harmless.
                        range.set_value(&js(spec.slider_position(v)));
                        number.set_value(&js(v));
                    }
                    valuetext.set(&model.value_text(key, v));
                }
                Control::Select { key, select } => {
                    let v = values.choice(key);
                    if select.value() != v {
                        select.set_value(v);
                    }
                }
                Control::Radios { key, radios } => {
                    let v = values.choice(key);
                    for radio in radios {
                        let on = radio.value() == v;
                        if radio.checked() != on {
                            radio.set_checked(on);
                        }
                    }
                }
                Control::Text { key, input, synced } => {
                    // Only a new value replaces the box's text, so what the reader is typing
                    // (not yet sent with Enter) survives the redraws of a lab at work.
                    let v = values.text(key);
                    if synced.borrow().as_deref() != Some(v) {
                        input.set_value(v);
                        synced.replace(Some(v.to_owned()));
                    }
                }
            }
        }
    }

    /// Forgets what was last put into `key`'s inputs, so the next redraw writes them.
    fn resync(&self, key: &str) {
        for control in &self.controls {
            if let Control::Number { key: k, synced, .. } = control {
                if *k == key {
                    synced.set(f64::NAN);
                }
            }
        }
    }
}

/// Wires every control and preset button to the values.
pub(super) fn bind_controls(app: &Rc<Shell>) -> Result<(), JsValue> {
    for control in &app.controls {
        match control {
            Control::Number {
                key, range, number, ..
            } => {
                let key = *key;
                let spec = match app.values.borrow().spec(key).map(|s| s.kind) {
                    Some(ParamKind::Number(n)) => n,
                    _ => continue,
                };
                let (a, r) = (app.clone(), range.clone());
                app.listeners.on(range, "input", move |_: Event| {
                    let mut v = spec.from_slider(r.value_as_number());
                    if let Some(d) = spec.detent {
                        let width = 0.01 * (spec.slider.1 - spec.slider.0);
                        if a.dragging.get() && (v - d).abs() <= width {
                            v = d;
                        }
                    }
                    a.values.borrow_mut().set_number(key, v);
                    a.changed();
                });
                let a = app.clone();
                app.listeners
                    .on(range, "pointerdown", move |_: Event| a.dragging.set(true));
                let a = app.clone();
                app.listeners
                    .on(&dom::window(), "pointerup", move |_: Event| {
                        a.dragging.set(false)
                    });
                let (a, b) = (app.clone(), number.clone());
                app.listeners.on(number, "change", move |_: Event| {
                    let raw = b.value();
                    if !raw.trim().is_empty() {
                        let notice = a.values.borrow_mut().set_raw(key, &raw).flatten();
                        a.notices.show(notice.as_slice());
                    }
                    // An empty box (not a number the browser could read) gets the value back.
                    a.resync(key);
                    a.changed();
                });
            }
            Control::Select { key, select } => {
                let (a, s, key) = (app.clone(), select.clone(), *key);
                app.listeners.on(select, "change", move |_: Event| {
                    a.values.borrow_mut().set_raw(key, &s.value());
                    a.changed();
                });
            }
            Control::Radios { key, radios } => {
                for radio in radios {
                    let (a, r, key) = (app.clone(), radio.clone(), *key);
                    app.listeners.on(radio, "change", move |_: Event| {
                        a.values.borrow_mut().set_raw(key, &r.value());
                        a.changed();
                    });
                }
            }
            Control::Text { key, input, .. } => {
                // On change (Enter or leaving the box), not on every key: half-typed words
                // would otherwise be corrected under the reader's fingers.
                let (a, b, key) = (app.clone(), input.clone(), *key);
                app.listeners.on(input, "change", move |_: Event| {
                    let notice = a.values.borrow_mut().set_raw(key, &b.value()).flatten();
                    // The box shows the value as read, also when it reads as the value before
                    // (which the redraw would then leave alone).
                    b.set_value(a.values.borrow().text(key));
                    a.notices.show(notice.as_slice());
                    a.changed();
                });
            }
        }
    }
    for (i, button) in find_all::<Element>(&app.root, "[data-preset]")?
        .into_iter()
        .enumerate()
    {
        let a = app.clone();
        app.listeners
            .on(&button, "click", move |_: Event| a.preset(i));
    }
    Ok(())
}
