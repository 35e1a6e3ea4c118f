//! The explorer in the browser: builds its markup, binds the controls to the parameter
//! values, and redraws plots, readouts and formula once per animation frame.

use super::banner;
use super::canvas::{self, PlotCanvas};
use super::dom::{self, find, find_all, on, set_attr, Slot};
use super::frames::Frames;
use super::notices::Notices;
use super::url::UrlWriter;
use crate::app::explorer::{Settings, Snapshot, PRESETS};
use crate::app::formula::{chain_formula, mathml, split_text};
use crate::app::markup;
use crate::app::numbers::{js, short};
use crate::app::params::{ParamKind, Values};
use crate::app::query::{self, Parsed};
use crate::app::views::ViewSpec;
use crate::plot::Theme;
use crate::sim::Regime;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// The User Timing measure that wraps each redraw.
const MEASURE: &str = "deep-signal:redraw";
const MARK: &str = "deep-signal:redraw-start";

/// The input elements of one parameter.
enum Control {
    /// A slider and its number box.
    Number {
        key: &'static str,
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
}

/// The formula as last written: its skeleton and the leaf elements whose text changes.
#[derive(Default)]
struct Formula {
    skeleton: String,
    leaves: Vec<Element>,
    texts: Vec<String>,
}

/// The mounted explorer.
struct Explorer {
    view: &'static ViewSpec,
    values: RefCell<Values>,
    /// The snapshot of the last redraw, reused when only the canvas size changed.
    snapshot: RefCell<Option<Snapshot>>,
    theme: Theme,
    root: Element,
    activations: Rc<PlotCanvas>,
    gradients: Rc<PlotCanvas>,
    controls: Vec<Control>,
    /// The label, the shown value and the exact value of each readout.
    readouts: Vec<[Slot; 3]>,
    /// The note, the regime badge's text and its regime attribute, for each plot.
    notes: [[Slot; 3]; 2],
    rows: Vec<(Regime, Element)>,
    current_row: Cell<Option<Regime>>,
    formula_box: Element,
    formula: RefCell<Formula>,
    notices: Notices,
    url: UrlWriter,
    frames: OnceCell<Frames>,
    /// Whether the pointer is down on a slider (the `w` detent applies only then).
    dragging: Cell<bool>,
    measures: Cell<u32>,
}

/// Builds the explorer inside `root` from a parsed URL.
pub fn mount(root: &Element, parsed: Parsed) -> Result<(), JsValue> {
    let Parsed {
        view,
        values,
        notices,
    } = parsed;
    let first = Snapshot::compute(Settings::from_values(&values));
    root.set_inner_html(&markup::explorer(&values, &first));
    set_attr(root, "data-view", view.key);

    let canvas = |panel: &str| -> Result<Rc<PlotCanvas>, JsValue> {
        let c: HtmlCanvasElement = find(root, &format!("canvas[data-plot={panel}]"))?;
        Ok(Rc::new(PlotCanvas::new(c)?))
    };
    let mut readouts = Vec::new();
    for dd in find_all::<Element>(root, "[data-readout]")? {
        let key = dd.get_attribute("data-readout").unwrap_or_default();
        let dt: Element = find(root, &format!("[data-label=\"{key}\"]"))?;
        readouts.push([
            Slot::text(dt),
            Slot::text(dd.clone()),
            Slot::attribute(dd, "data-value"),
        ]);
    }
    let note = |panel: &str| -> Result<[Slot; 3], JsValue> {
        let badge: Element = find(root, &format!("[data-regime-badge={panel}]"))?;
        Ok([
            Slot::text(find(root, &format!("[data-note={panel}]"))?),
            Slot::text(badge.clone()),
            Slot::attribute(badge, "data-regime"),
        ])
    };
    let rows = Regime::ALL
        .iter()
        .map(|r| Ok((*r, find(root, &format!("[data-regime-row={}]", r.key()))?)))
        .collect::<Result<Vec<_>, JsValue>>()?;
    let app = Rc::new(Explorer {
        view,
        controls: controls(root, &values)?,
        values: RefCell::new(values),
        snapshot: RefCell::new(None),
        theme: Theme::light(),
        root: root.clone(),
        activations: canvas("activations")?,
        gradients: canvas("gradients")?,
        readouts,
        notes: [note("activations")?, note("gradients")?],
        rows,
        current_row: Cell::new(None),
        formula_box: find(root, "[data-formula]")?,
        formula: RefCell::new(Formula::default()),
        notices: Notices::new(find(root, "[data-notices]")?)?,
        url: UrlWriter::new(),
        frames: OnceCell::new(),
        dragging: Cell::new(false),
        measures: Cell::new(0),
    });
    let weak = Rc::downgrade(&app);
    let _ = app.frames.set(Frames::new(move || {
        if let Some(app) = weak.upgrade() {
            if let Err(e) = app.redraw() {
                banner::show(&format!(
                    "Drawing failed: {}",
                    e.as_string().unwrap_or_else(|| format!("{e:?}"))
                ));
            }
        }
    }));
    app.notices.show(&notices);
    bind(&app)?;
    let a = app.clone();
    canvas::observe(
        vec![app.activations.clone(), app.gradients.clone()],
        move || a.request(),
    )?;
    app.request();
    Ok(())
}

/// Finds the input elements of every parameter.
fn controls(root: &Element, values: &Values) -> Result<Vec<Control>, JsValue> {
    values
        .specs()
        .iter()
        .map(|spec| {
            let key = spec.key;
            Ok(match spec.kind {
                ParamKind::Number(_) => {
                    let range: HtmlInputElement =
                        find(root, &format!("input[type=range][name={key}]"))?;
                    Control::Number {
                        key,
                        valuetext: Slot::attribute(range.clone().into(), "aria-valuetext"),
                        range,
                        number: find(root, &format!("[data-number={key}]"))?,
                        synced: Cell::new(f64::NAN),
                    }
                }
                ParamKind::Choice(_) => {
                    match find::<HtmlSelectElement>(root, &format!("select[name={key}]")) {
                        Ok(select) => Control::Select { key, select },
                        Err(_) => Control::Radios {
                            key,
                            radios: find_all(root, &format!("input[type=radio][name={key}]"))?,
                        },
                    }
                }
            })
        })
        .collect()
}

impl Explorer {
    fn request(&self) {
        if let Some(f) = self.frames.get() {
            f.request();
        }
    }

    /// Marks the values as changed and asks for a redraw.
    fn changed(&self) {
        self.snapshot.borrow_mut().take();
        self.request();
    }

    /// One redraw: simulate if the values changed, draw both plots, update the text.
    fn redraw(&self) -> Result<(), JsValue> {
        let perf = dom::window().performance();
        if let Some(p) = &perf {
            let _ = p.mark(MARK);
        }
        if self.snapshot.borrow().is_none() {
            let settings = Settings::from_values(&self.values.borrow());
            *self.snapshot.borrow_mut() = Some(Snapshot::compute(settings));
        }
        let snapshot = self.snapshot.borrow();
        let snap = snapshot.as_ref().expect("computed above");
        // Each plot keeps its axis range while the data still fills it.
        let mut plot = snap.activation_plot(&self.theme);
        plot.previous_range = self.activations.range();
        let acts = self.activations.draw(&plot, &self.theme)?;
        let mut plot = snap.gradient_plot(&self.theme);
        plot.previous_range = self.gradients.range();
        let grads = self.gradients.draw(&plot, &self.theme)?;
        self.update_text(snap);
        self.sync_controls(snap);
        self.url
            .update(query::build(self.view, &self.values.borrow()));
        if acts.is_some() && grads.is_some() {
            // Both plots are on screen at their current size: tests and embedding pages
            // can wait for this.
            set_attr(&self.root, "data-state", "ready");
        }
        if let Some(p) = &perf {
            let _ = p.measure_with_start_mark(MEASURE, MARK);
            p.clear_marks_with_mark_name(MARK);
            // Keep the timeline bounded in a long lecture.
            let n = self.measures.get() + 1;
            self.measures.set(n);
            if n.is_multiple_of(5000) {
                p.clear_measures_with_measure_name(MEASURE);
            }
        }
        Ok(())
    }

    fn update_text(&self, snap: &Snapshot) {
        for (slots, r) in self.readouts.iter().zip(snap.readouts()) {
            slots[0].set(&r.label);
            slots[1].set(&r.shown);
            slots[2].set(&r.value);
        }
        let regime = snap.facts.regime;
        let notes = [snap.activation_note(), snap.gradient_note()];
        for (slots, text) in self.notes.iter().zip(notes) {
            slots[0].set(&text);
            slots[1].set(regime.key());
            slots[2].set(regime.key());
        }
        if self.current_row.replace(Some(regime)) != Some(regime) {
            for (r, row) in &self.rows {
                if *r == regime {
                    let _ = row.set_attribute("aria-current", "true");
                } else {
                    let _ = row.remove_attribute("aria-current");
                }
            }
        }
        self.update_formula(snap);
    }

    /// Writes the formula: new markup when its shape changed, else only the changed texts.
    fn update_formula(&self, snap: &Snapshot) {
        let p = snap.settings.chain;
        let markup: String = chain_formula(p.w, p.b, p.x, p.depth, &snap.facts.closed)
            .iter()
            .map(|line| format!("<math display=\"block\">{}</math>", mathml(line)))
            .collect();
        let (skeleton, texts) = split_text(&markup);
        let mut f = self.formula.borrow_mut();
        if f.skeleton != skeleton {
            self.formula_box.set_inner_html(&markup);
            f.leaves = find_all(&self.formula_box, "mi, mn, mo").unwrap_or_default();
            f.skeleton = skeleton;
        } else {
            for ((leaf, old), new) in f.leaves.iter().zip(&f.texts).zip(&texts) {
                if old != new {
                    leaf.set_text_content(Some(new));
                }
            }
        }
        f.texts = texts;
    }

    /// Puts the current values into the controls (after a preset, a URL or a clamp).
    fn sync_controls(&self, snap: &Snapshot) {
        let values = self.values.borrow();
        for control in &self.controls {
            match control {
                Control::Number {
                    key,
                    range,
                    number,
                    valuetext,
                    synced,
                } => {
                    let v = values.number(key);
                    if synced.replace(v) != v {
                        // The slider may be mid-drag at v already; setting it again is harmless.
                        range.set_value(&js(v));
                        number.set_value(&js(v));
                    }
                    let text = if *key == "w" {
                        format!("{}, {}", short(v), snap.facts.regime.key())
                    } else {
                        short(v)
                    };
                    valuetext.set(&text);
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
            }
        }
    }
}

/// Wires every control and preset button to the values.
fn bind(app: &Rc<Explorer>) -> Result<(), JsValue> {
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
                on(range, "input", move |_: Event| {
                    let mut v = r.value_as_number();
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
                on(range, "pointerdown", move |_: Event| a.dragging.set(true));
                let a = app.clone();
                on(&dom::window(), "pointerup", move |_: Event| {
                    a.dragging.set(false)
                });
                let (a, b) = (app.clone(), number.clone());
                on(number, "change", move |_: Event| {
                    let raw = b.value();
                    if !raw.trim().is_empty() {
                        let notice = a.values.borrow_mut().set_raw(key, &raw).flatten();
                        a.notices.show(notice.as_slice());
                    }
                    // An empty box (not a number the browser could read) gets the value back.
                    a.changed();
                });
            }
            Control::Select { key, select } => {
                let (a, s, key) = (app.clone(), select.clone(), *key);
                on(select, "change", move |_: Event| {
                    a.values.borrow_mut().set_raw(key, &s.value());
                    a.changed();
                });
            }
            Control::Radios { key, radios } => {
                for radio in radios {
                    let (a, r, key) = (app.clone(), radio.clone(), *key);
                    on(radio, "change", move |_: Event| {
                        a.values.borrow_mut().set_raw(key, &r.value());
                        a.changed();
                    });
                }
            }
        }
    }
    for (preset, button) in PRESETS
        .iter()
        .zip(find_all::<Element>(&app.root, "[data-preset]")?)
    {
        let a = app.clone();
        on(&button, "click", move |_: Event| {
            preset.apply(&mut a.values.borrow_mut());
            a.changed();
        });
    }
    Ok(())
}
