//! The explorer in the browser: builds its markup, and redraws plots, readouts and
//! formula once per animation frame. Its controls are wired in [`controls`]; the toolbar,
//! shortcuts, exports, pointer readout and host-page messages in [`tools`].

mod controls;
mod tools;

use controls::{bind_controls, find_controls, Control};
use tools::{bind_tools, warn};

use super::banner;
use super::canvas::{self, PlotCanvas};
use super::dom::{self, document, find, find_all, set_attr, Slot};
use super::embed::{self, Request};
use super::frames::Frames;
use super::notices::Notices;
use super::theme;
use super::throttle::{self, Throttle};
use crate::app::explorer::{summary, Readout, Settings, Snapshot};
use crate::app::formula::{chain_formula, mathml, split_text};
use crate::app::markup;
use crate::app::page::{PageOptions, Panel, ThemeChoice};
use crate::app::params::Values;
use crate::app::query::{self, Parsed};
use crate::app::views::ViewSpec;
use crate::plot::{LayerPlot, Theme};
use crate::sim::Regime;
use js_sys::{Object, Reflect};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};

/// The User Timing measure that wraps each redraw.
const MEASURE: &str = "deep-signal:redraw";
const MARK: &str = "deep-signal:redraw-start";

/// The two plots, by the name their elements carry.
const PANELS: [&str; 2] = ["activations", "gradients"];

/// The formula as last written: its skeleton and the leaf elements whose text changes.
#[derive(Default)]
struct Formula {
    skeleton: String,
    leaves: Vec<Element>,
    texts: Vec<String>,
}

/// What one plot has on the page besides its canvas.
struct Figure {
    canvas: Rc<PlotCanvas>,
    /// The canvas's spoken summary (`aria-label`).
    label: Slot,
    /// The note and the regime badge's text and attribute.
    note: [Slot; 3],
    /// The data table's box and the button that shows it.
    table: Element,
    table_button: Element,
    /// The figure element, and whether the page options show it.
    element: Element,
    shown: Cell<bool>,
    /// The value under the pointer.
    tip: HtmlElement,
}

/// The mounted explorer.
struct Explorer {
    view: &'static ViewSpec,
    values: RefCell<Values>,
    page: RefCell<Values>,
    /// The snapshot of the last redraw, reused when only the canvas size changed.
    snapshot: RefCell<Option<Snapshot>>,
    /// Whether the values changed since the snapshot was computed.
    stale: Cell<bool>,
    theme: RefCell<Theme>,
    root: Element,
    figures: [Figure; 2],
    controls: Vec<Control>,
    /// The label, the shown value and the exact value of each readout.
    readouts: Vec<[Slot; 3]>,
    rows: Vec<(Regime, Element)>,
    current_row: Cell<Option<Regime>>,
    formula_box: Element,
    formula: RefCell<Formula>,
    notices: Notices,
    announce: Slot,
    announced: Cell<Option<Regime>>,
    open_full: Slot,
    toast: Element,
    frames: OnceCell<Frames>,
    /// Slower work after a change: the URL, the spoken summaries and the data tables.
    later: OnceCell<Throttle>,
    /// Whether the page is inside a frame, whose host gets state messages.
    framed: bool,
    /// Whether the host page is owed a state message.
    post_state: Cell<bool>,
    /// Whether the pointer is down on a slider (the `w` detent applies only then).
    dragging: Cell<bool>,
    measures: Cell<u32>,
}

/// Builds the explorer inside `root` from a parsed URL.
pub fn mount(root: &Element, parsed: Parsed) -> Result<(), JsValue> {
    let Parsed {
        view,
        values,
        page,
        notices,
    } = parsed;
    let first = Snapshot::compute(Settings::from_values(&values));
    root.set_inner_html(&markup::explorer(&values, &first));
    set_attr(root, "data-view", view.key);

    let figure = |panel: &str| -> Result<Figure, JsValue> {
        let c: HtmlCanvasElement = find(root, &format!("canvas[data-plot={panel}]"))?;
        let badge: Element = find(root, &format!("[data-regime-badge={panel}]"))?;
        Ok(Figure {
            label: Slot::attribute(c.clone().into(), "aria-label"),
            canvas: Rc::new(PlotCanvas::new(c)?),
            note: [
                Slot::text(find(root, &format!("[data-note={panel}]"))?),
                Slot::text(badge.clone()),
                Slot::attribute(badge, "data-regime"),
            ],
            table: find(root, &format!("[data-table={panel}]"))?,
            table_button: find(root, &format!("[data-show-data={panel}]"))?,
            element: find(root, &format!("figure[data-panel={panel}]"))?,
            shown: Cell::new(true),
            tip: find(root, &format!("[data-tip={panel}]"))?,
        })
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
    let rows = Regime::ALL
        .iter()
        .map(|r| Ok((*r, find(root, &format!("[data-regime-row={}]", r.key()))?)))
        .collect::<Result<Vec<_>, JsValue>>()?;
    let app = Rc::new(Explorer {
        view,
        controls: find_controls(root, &values)?,
        values: RefCell::new(values),
        page: RefCell::new(page),
        snapshot: RefCell::new(None),
        stale: Cell::new(true),
        theme: RefCell::new(Theme::light()),
        root: root.clone(),
        figures: [figure(PANELS[0])?, figure(PANELS[1])?],
        readouts,
        rows,
        current_row: Cell::new(None),
        formula_box: find(root, "[data-formula]")?,
        formula: RefCell::new(Formula::default()),
        notices: Notices::new(find(root, "[data-notices]")?)?,
        announce: Slot::text(find(root, "[data-announce]")?),
        announced: Cell::new(None),
        open_full: Slot::attribute(find(root, "[data-open-full]")?, "href"),
        toast: find(root, "[data-toast]")?,
        frames: OnceCell::new(),
        later: OnceCell::new(),
        framed: embed::parent().is_some(),
        post_state: Cell::new(true),
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
    let weak = Rc::downgrade(&app);
    let _ = app.later.set(Throttle::new(250.0, move || {
        if let Some(app) = weak.upgrade() {
            app.slow_updates();
        }
    }));
    app.notices.show(&notices);
    app.apply_page();
    bind_controls(&app)?;
    bind_tools(&app)?;
    let a = app.clone();
    canvas::observe(
        app.figures.iter().map(|f| f.canvas.clone()).collect(),
        move || a.request(),
    )?;
    let a = app.clone();
    theme::watch(move || a.apply_page());
    embed::post_height()?;
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

    /// Marks the values as changed and asks for a redraw.
    fn changed(&self) {
        self.stale.set(true);
        self.post_state.set(true);
        self.request();
    }

    fn plot<'a>(&self, snap: &'a Snapshot, panel: usize) -> LayerPlot<'a> {
        let theme = self.theme.borrow();
        if panel == 0 {
            snap.activation_plot(&theme)
        } else {
            snap.gradient_plot(&theme)
        }
    }

    /// One redraw: simulate if the values changed, draw both plots, update the text.
    fn redraw(&self) -> Result<(), JsValue> {
        let perf = dom::window().performance();
        if let Some(p) = &perf {
            let _ = p.mark(MARK);
        }
        if self.stale.replace(false) || self.snapshot.borrow().is_none() {
            let settings = Settings::from_values(&self.values.borrow());
            let previous = self.snapshot.borrow_mut().take();
            *self.snapshot.borrow_mut() = Some(Snapshot::next(settings, previous));
        }
        let snapshot = self.snapshot.borrow();
        let snap = snapshot.as_ref().expect("computed above");
        let mut drawn = true;
        for (i, figure) in self.figures.iter().enumerate() {
            if !figure.shown.get() {
                continue;
            }
            // Each plot keeps its axis range while the data still fills it.
            let mut plot = self.plot(snap, i);
            plot.previous_range = figure.canvas.range();
            drawn &= figure.canvas.draw(&plot, &self.theme.borrow())?.is_some();
        }
        let readouts = snap.readouts();
        self.update_text(snap, &readouts);
        self.sync_controls(snap);
        if self.post_state.replace(false) && self.framed {
            embed::post(&self.state_message(&readouts));
        }
        if let Some(later) = self.later.get() {
            later.request();
        }
        if drawn {
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

    /// The work that may lag a little behind a drag: the URL, the canvases' spoken
    /// summaries, the open data tables.
    fn slow_updates(&self) {
        throttle::replace_query(&self.query());
        // The embedded figure's link to the full page: the same state, not embedded.
        let mut full = self.page.borrow().clone();
        for key in ["embed", "panel", "hide"] {
            full.set(key, full.spec(key).expect("a page option").default_value());
        }
        self.open_full.set(&format!(
            "./?{}",
            query::build(self.view, &self.values.borrow(), &full)
        ));
        let snapshot = self.snapshot.borrow();
        let Some(snap) = snapshot.as_ref() else {
            return;
        };
        for (i, figure) in self.figures.iter().enumerate() {
            let plot = self.plot(snap, i);
            figure.label.set(&summary(&plot));
            if !figure.table.has_attribute("hidden") {
                figure.table.set_inner_html(&markup::data_table(&plot));
            }
        }
    }

    fn query(&self) -> String {
        query::build(self.view, &self.values.borrow(), &self.page.borrow())
    }

    fn update_text(&self, snap: &Snapshot, readouts: &[Readout]) {
        for (slots, r) in self.readouts.iter().zip(readouts) {
            slots[0].set(&r.label);
            slots[1].set(&r.shown);
            slots[2].set(&r.value);
        }
        let regime = snap.facts.regime;
        let notes = [snap.activation_note(), snap.gradient_note()];
        for (figure, text) in self.figures.iter().zip(notes) {
            figure.note[0].set(&text);
            figure.note[1].set(regime.key());
            figure.note[2].set(regime.key());
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
        // Announce a change of regime (not the first one: the page says it already).
        if let Some(before) = self.announced.replace(Some(regime)) {
            if before != regime {
                self.announce.set(&format!(
                    "Now {}: {}",
                    regime.key(),
                    match regime {
                        Regime::Vanishing => "|w| is below 1.",
                        Regime::Stable => "|w| is exactly 1.",
                        Regime::Exploding => "|w| is above 1.",
                    }
                ));
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

    /// Applies the page options: theme, embedded layout, shown panels, hidden controls.
    fn apply_page(&self) {
        let options = PageOptions::from_values(&self.page.borrow());
        let (theme, name) = theme::effective(options.theme);
        theme::mark_document(name);
        *self.theme.borrow_mut() = theme;
        let _ = self
            .root
            .class_list()
            .toggle_with_force("ds-embedded", options.embed);
        if let Some(html) = document().document_element() {
            let _ = html
                .class_list()
                .toggle_with_force("ds-embedded", options.embed);
        }
        let show = |el: &Element, shown: bool| {
            let _ = el.toggle_attribute_with_force("hidden", !shown);
        };
        for (figure, panel) in self.figures.iter().zip(PANELS) {
            let shown = options.panel.shows(panel);
            figure.shown.set(shown);
            show(&figure.element, shown);
        }
        let one = options.panel != Panel::Both;
        let _ = self
            .root
            .class_list()
            .toggle_with_force("ds-one-panel", one);
        let mut any_control = false;
        for el in find_all::<Element>(&self.root, "[data-param]").unwrap_or_default() {
            let key = el.get_attribute("data-param").unwrap_or_default();
            show(&el, !options.hides(&key));
            any_control |= !options.hides(&key);
        }
        let _ = self
            .root
            .class_list()
            .toggle_with_force("ds-no-controls", !any_control);
        if let Ok(button) = find::<Element>(&self.root, "[data-action=projector]") {
            let on = options.theme == ThemeChoice::Projector;
            let _ = button.set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
        self.post_state.set(true);
        self.request();
    }

    /// `{type: "deep-signal:state", params, readouts}` for the host page.
    fn state_message(&self, readouts: &[Readout]) -> JsValue {
        let params = Object::new();
        let query = self.query();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let _ = Reflect::set(&params, &JsValue::from_str(&k), &JsValue::from_str(&v));
        }
        let values = Object::new();
        for r in readouts {
            let _ = Reflect::set(&values, &r.key.into(), &JsValue::from_str(&r.value));
        }
        let message = embed::object(&[("type", "deep-signal:state")]);
        let _ = Reflect::set(&message, &"params".into(), &params);
        let _ = Reflect::set(&message, &"readouts".into(), &values);
        message.into()
    }

    /// Handles a message from the host page.
    fn on_message(&self, data: &JsValue) {
        match embed::read(data) {
            Ok(None) => {}
            Ok(Some(Request::Get)) => {
                self.post_state.set(true);
                self.request();
            }
            Ok(Some(Request::Set(changes))) => {
                let result = query::apply_strict(
                    &mut self.values.borrow_mut(),
                    &mut self.page.borrow_mut(),
                    &changes,
                );
                match result {
                    Ok(()) => {
                        self.apply_page();
                        self.changed();
                    }
                    Err(why) => warn(&format!("deep-signal ignored a message: {why}")),
                }
            }
            Err(why) => warn(&format!("deep-signal ignored a message: {why}")),
        }
    }
}
