//! The explorer in the browser: builds its markup, binds the controls to the parameter
//! values, and redraws plots, readouts and formula once per animation frame.

use super::banner;
use super::canvas::{self, PlotCanvas};
use super::dom::{self, find, find_all, on, set_attr, set_text};
use super::frames::Frames;
use super::notices::Notices;
use super::url::UrlWriter;
use crate::app::explorer::{Settings, Snapshot, PRESETS};
use crate::app::formula::{chain_formula, mathml};
use crate::app::numbers::{js, short};
use crate::app::params::{ParamKind, Values};
use crate::app::query::{self, Parsed};
use crate::app::views::ViewSpec;
use crate::plot::Theme;
use crate::sim::Regime;
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlButtonElement, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement,
};

/// The User Timing measure that wraps each redraw.
const MEASURE: &str = "deep-signal:redraw";
const MARK: &str = "deep-signal:redraw-start";

/// The mounted explorer.
struct Explorer {
    view: &'static ViewSpec,
    values: RefCell<Values>,
    /// The snapshot of the last redraw, reused when only the canvas size changed.
    snapshot: RefCell<Option<Snapshot>>,
    theme: Theme,
    activations: Rc<PlotCanvas>,
    gradients: Rc<PlotCanvas>,
    readouts: Vec<(Element, Element)>,
    formula: Element,
    formula_source: RefCell<String>,
    controls: Element,
    root: Element,
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
    root.set_inner_html(&crate::app::markup::explorer(&values, &first));
    set_attr(root, "data-view", view.key);

    let canvas = |panel: &str| -> Result<Rc<PlotCanvas>, JsValue> {
        let c: HtmlCanvasElement = find(root, &format!("canvas[data-plot={panel}]"))?;
        Ok(Rc::new(PlotCanvas::new(c)))
    };
    let mut readouts = Vec::new();
    for dd in find_all::<Element>(root, "[data-readout]")? {
        let key = dd.get_attribute("data-readout").unwrap_or_default();
        let dt: Element = find(root, &format!("[data-label=\"{key}\"]"))?;
        readouts.push((dt, dd));
    }
    let app = Rc::new(Explorer {
        view,
        url: UrlWriter::new(query::build(view, &values)),
        values: RefCell::new(values),
        snapshot: RefCell::new(None),
        theme: Theme::light(),
        activations: canvas("activations")?,
        gradients: canvas("gradients")?,
        readouts,
        formula: find(root, "[data-formula]")?,
        formula_source: RefCell::new(String::new()),
        controls: find(root, ".ds-controls")?,
        root: root.clone(),
        notices: Notices::new(find(root, "[data-notices]")?)?,
        frames: OnceCell::new(),
        dragging: Cell::new(false),
        measures: Cell::new(0),
    });
    let weak = Rc::downgrade(&app);
    let _ = app.frames.set(Frames::new(move || {
        if let Some(app) = weak.upgrade() {
            if let Err(e) = app.redraw() {
                banner::show(&format!("Drawing failed: {}", describe(&e)));
            }
        }
    }));
    app.notices.show(&notices);
    bind_controls(&app)?;
    let a = app.clone();
    canvas::observe(
        vec![app.activations.clone(), app.gradients.clone()],
        move || a.request(),
    )?;
    app.request();
    Ok(())
}

fn describe(e: &JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

impl Explorer {
    fn request(&self) {
        if let Some(f) = self.frames.get() {
            f.request();
        }
    }

    /// Marks the model as changed and asks for a redraw.
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
        self.activations
            .draw(&snap.activation_plot(&self.theme), &self.theme)?;
        self.gradients
            .draw(&snap.gradient_plot(&self.theme), &self.theme)?;
        self.update_text(snap);
        self.sync_controls(snap);
        self.url
            .update(query::build(self.view, &self.values.borrow()));
        if let Some(p) = &perf {
            let _ = p.measure_with_start_mark(MEASURE, MARK);
            p.clear_marks_with_mark_name(MARK);
            // Keep the timeline bounded in a long lecture.
            let n = self.measures.get() + 1;
            self.measures.set(n);
            if n % 5000 == 0 {
                p.clear_measures_with_measure_name(MEASURE);
            }
        }
        Ok(())
    }

    fn update_text(&self, snap: &Snapshot) {
        for ((dt, dd), r) in self.readouts.iter().zip(snap.readouts()) {
            set_text(dt, &r.label);
            set_text(dd, &r.shown);
            set_attr(dd, "data-value", &r.value);
        }
        let regime = snap.facts.regime;
        for (panel, note) in [
            ("activations", snap.activation_note()),
            ("gradients", snap.gradient_note()),
        ] {
            if let Ok(el) = find::<Element>(&self.root, &format!("[data-note={panel}]")) {
                set_text(&el, &note);
            }
            if let Ok(el) = find::<Element>(&self.root, &format!("[data-regime-badge={panel}]")) {
                set_text(&el, regime.key());
                set_attr(&el, "data-regime", regime.key());
            }
        }
        for r in Regime::ALL {
            if let Ok(row) = find::<Element>(&self.root, &format!("[data-regime-row={}]", r.key()))
            {
                if r == regime {
                    set_attr(&row, "aria-current", "true");
                } else {
                    let _ = row.remove_attribute("aria-current");
                }
            }
        }
        let p = snap.settings.chain;
        let lines = chain_formula(p.w, p.b, p.x, p.depth, &snap.facts.closed);
        let source: String = lines
            .iter()
            .map(|l| format!("<math display=\"block\">{}</math>", mathml(l)))
            .collect();
        if *self.formula_source.borrow() != source {
            self.formula.set_inner_html(&source);
            *self.formula_source.borrow_mut() = source;
        }
    }

    /// Puts the current values into the controls (after a preset, a URL or a clamp).
    fn sync_controls(&self, snap: &Snapshot) {
        let values = self.values.borrow();
        for spec in values.specs() {
            let key = spec.key;
            match spec.kind {
                ParamKind::Number(_) => {
                    let v = values.number(key);
                    let text = js(v);
                    if let Ok(range) = find::<HtmlInputElement>(
                        &self.controls,
                        &format!("input[type=range][name={key}]"),
                    ) {
                        if range.value_as_number() != v {
                            range.set_value(&text);
                        }
                        let mut valuetext = short(v);
                        if key == "w" {
                            valuetext = format!("{}, {}", short(v), snap.facts.regime.key());
                        }
                        set_attr(&range, "aria-valuetext", &valuetext);
                    }
                    if let Ok(number) =
                        find::<HtmlInputElement>(&self.controls, &format!("[data-number={key}]"))
                    {
                        if number.value_as_number() != v {
                            number.set_value(&text);
                        }
                    }
                }
                ParamKind::Choice(_) => {
                    let v = values.choice(key);
                    if let Ok(select) =
                        find::<HtmlSelectElement>(&self.controls, &format!("select[name={key}]"))
                    {
                        if select.value() != v {
                            select.set_value(v);
                        }
                    }
                    for radio in find_all::<HtmlInputElement>(
                        &self.controls,
                        &format!("input[type=radio][name={key}]"),
                    )
                    .unwrap_or_default()
                    {
                        radio.set_checked(radio.value() == v);
                    }
                }
            }
        }
    }
}

/// Wires every control to the values.
fn bind_controls(app: &Rc<Explorer>) -> Result<(), JsValue> {
    let controls = &app.controls;
    let specs = app.values.borrow().specs();
    for spec in specs {
        let key = spec.key;
        match spec.kind {
            ParamKind::Number(n) => {
                let range: HtmlInputElement =
                    find(controls, &format!("input[type=range][name={key}]"))?;
                let a = app.clone();
                let r = range.clone();
                on(&range, "input", move |_: Event| {
                    let mut v = r.value_as_number();
                    if let Some(d) = n.detent {
                        let width = 0.01 * (n.slider.1 - n.slider.0);
                        if a.dragging.get() && (v - d).abs() <= width {
                            v = d;
                        }
                    }
                    a.values.borrow_mut().set_number(key, v);
                    a.changed();
                });
                let a = app.clone();
                on(&range, "pointerdown", move |_: Event| a.dragging.set(true));
                let a = app.clone();
                on(&dom::window(), "pointerup", move |_: Event| {
                    a.dragging.set(false)
                });

                let number: HtmlInputElement = find(controls, &format!("[data-number={key}]"))?;
                let a = app.clone();
                let b = number.clone();
                on(&number, "change", move |_: Event| {
                    let raw = b.value();
                    if raw.trim().is_empty() {
                        // Not a number the browser could read: put the current value back.
                        a.changed();
                        return;
                    }
                    let notice = a.values.borrow_mut().set_raw(key, &raw).flatten();
                    a.notices.show(&notice.into_iter().collect::<Vec<_>>());
                    a.changed();
                });
            }
            ParamKind::Choice(_) => {
                for input in find_all::<Element>(controls, &format!("[name={key}]"))? {
                    let a = app.clone();
                    let el = input.clone();
                    on(&input, "change", move |_: Event| {
                        let value = if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
                            s.value()
                        } else if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
                            i.value()
                        } else {
                            return;
                        };
                        a.values.borrow_mut().set_raw(key, &value);
                        a.changed();
                    });
                }
            }
        }
    }
    for button in find_all::<HtmlButtonElement>(controls, "[data-preset]")? {
        let index: usize = button
            .get_attribute("data-preset")
            .and_then(|i| i.parse().ok())
            .unwrap_or(0);
        let a = app.clone();
        on(&button, "click", move |_: Event| {
            PRESETS[index.min(PRESETS.len() - 1)].apply(&mut a.values.borrow_mut());
            a.changed();
        });
    }
    Ok(())
}
