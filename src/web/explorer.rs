//! The explorer in the browser: builds its markup, binds the controls to the parameter
//! values, and redraws plots, readouts and formula once per animation frame. Page options
//! (theme, embedding, hidden controls), shortcuts, exports and the host-page messages are
//! wired here too.

use super::banner;
use super::canvas::{self, PlotCanvas};
use super::dom::{self, document, find, find_all, on, set_attr, Slot};
use super::embed::{self, Request};
use super::export;
use super::frames::Frames;
use super::notices::Notices;
use super::theme;
use super::throttle::{self, Throttle};
use crate::app::explorer::{summary, Readout, Settings, Snapshot, PRESETS};
use crate::app::export::{csv, iframe_snippet};
use crate::app::formula::{chain_formula, latex, mathml, split_text};
use crate::app::markup;
use crate::app::numbers::{js, short};
use crate::app::page::{PageOptions, Panel, ThemeChoice};
use crate::app::params::{ParamKind, Values};
use crate::app::query::{self, Parsed};
use crate::app::shortcuts::{self, Shortcut, DEPTH_STEPS, W_STEPS};
use crate::app::views::ViewSpec;
use crate::plot::{LayerPlot, Theme};
use crate::sim::Regime;
use js_sys::{Object, Reflect};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlCanvasElement, HtmlDialogElement, HtmlElement, HtmlInputElement,
    HtmlSelectElement, KeyboardEvent, MessageEvent, PointerEvent,
};

/// The User Timing measure that wraps each redraw.
const MEASURE: &str = "deep-signal:redraw";
const MARK: &str = "deep-signal:redraw-start";

/// The two plots, by the name their elements carry.
const PANELS: [&str; 2] = ["activations", "gradients"];

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
        controls: controls(root, &values)?,
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
                _ => match find::<HtmlSelectElement>(root, &format!("select[name={key}]")) {
                    Ok(select) => Control::Select { key, select },
                    Err(_) => Control::Radios {
                        key,
                        radios: find_all(root, &format!("input[type=radio][name={key}]"))?,
                    },
                },
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
                    // w is read aloud with its regime and at least two decimals:
                    // "0.90, vanishing".
                    let text = if *key == "w" {
                        let two = format!("{v:.2}");
                        let text = if two.parse() == Ok(v) { two } else { short(v) };
                        format!("{text}, {}", snap.facts.regime.key())
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

    fn shortcut(&self, s: Shortcut) {
        match s {
            Shortcut::NudgeW(d) => {
                let w = self.values.borrow().number("w");
                self.values
                    .borrow_mut()
                    .set_number("w", shortcuts::nudge(w, d, W_STEPS.0));
                self.changed();
            }
            Shortcut::NudgeDepth(d) => {
                let n = self.values.borrow().number("depth");
                self.values
                    .borrow_mut()
                    .set_number("depth", shortcuts::nudge(n, d, DEPTH_STEPS.0));
                self.changed();
            }
            Shortcut::Preset(i) => {
                if let Some(p) = PRESETS.get(i) {
                    p.apply(&mut self.values.borrow_mut());
                    self.changed();
                }
            }
            Shortcut::Fullscreen => toggle_fullscreen(),
            Shortcut::Projector => self.toggle_projector(),
            Shortcut::Help => {
                if let Ok(dialog) = find::<HtmlDialogElement>(&self.root, "[data-help]") {
                    if !dialog.open() {
                        let _ = dialog.show_modal();
                    }
                }
            }
        }
    }

    /// Shows the live value at the layer under the pointer, next to the pointer.
    fn hover(&self, panel: usize, e: &PointerEvent) {
        let figure = &self.figures[panel];
        let snapshot = self.snapshot.borrow();
        let Some(snap) = snapshot.as_ref() else {
            return;
        };
        // The activations plot starts at layer 0 (the input), the gradients plot at 1.
        let first = if panel == 0 { 0 } else { 1 };
        let last = snap.settings.chain.depth;
        let Some(k) = figure.canvas.layer_at(e.client_x() as f64, first, last) else {
            figure.tip.set_hidden(true);
            return;
        };
        figure
            .tip
            .set_text_content(Some(&snap.hover_text(panel == 1, k)));
        let rect = figure.canvas.canvas.get_bounding_client_rect();
        let (x, y) = (
            e.client_x() as f64 - rect.left(),
            e.client_y() as f64 - rect.top(),
        );
        // Beside the pointer, on the side with more room.
        let style = figure.tip.style();
        let (left, right) = if x > rect.width() / 2.0 {
            (String::new(), format!("{}px", rect.width() - x + 12.0))
        } else {
            (format!("{}px", x + 12.0), String::new())
        };
        let _ = style.set_property("left", &left);
        let _ = style.set_property("right", &right);
        let _ = style.set_property("top", &format!("{}px", y + 12.0));
        figure.tip.set_hidden(false);
    }

    /// Whether the shortcut list is open (shortcuts then wait until it closes).
    fn help_open(&self) -> bool {
        find::<HtmlDialogElement>(&self.root, "[data-help]").is_ok_and(|d| d.open())
    }

    fn toggle_projector(&self) {
        let on = self.page.borrow().choice("theme") == "projector";
        self.page
            .borrow_mut()
            .set_raw("theme", if on { "auto" } else { "projector" });
        self.apply_page();
        self.changed();
    }

    fn say(&self, text: &str) {
        self.toast.set_text_content(Some(text));
    }

    /// Downloads a plot as `png` or `svg`.
    fn export(&self, kind: &str, panel: usize) -> Result<(), JsValue> {
        let snapshot = self.snapshot.borrow();
        let Some(snap) = snapshot.as_ref() else {
            return Ok(());
        };
        let plot = self.plot(snap, panel);
        let css = self.figures[panel].canvas.css_size();
        let p = snap.settings.chain;
        let name = format!(
            "deep-signal-{}-n{}-w{}-{}",
            PANELS[panel],
            p.depth,
            js(p.w),
            p.format.key()
        );
        let theme = self.theme.borrow();
        match kind {
            "png" => export::download_png(&format!("{name}.png"), &plot, &theme, css),
            _ => export::download_text(
                &format!("{name}.svg"),
                "image/svg+xml",
                &export::svg(&plot, &theme, css)?,
            ),
        }
    }

    /// The text a copy button copies.
    fn copy_text(&self, action: &str) -> String {
        let location = dom::window().location();
        let here = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        match action {
            "copy-link" => format!("{here}?{}", self.query()),
            "copy-embed" => {
                let mut page = self.page.borrow().clone();
                page.set_raw("embed", "1");
                let url = format!(
                    "{here}?{}",
                    query::build(self.view, &self.values.borrow(), &page)
                );
                let snapshot = self.snapshot.borrow();
                let title = snapshot.as_ref().map_or("deep-signal".into(), |s| {
                    let p = s.settings.chain;
                    format!(
                        "deep-signal: a chain of {} layers with w = {} ({})",
                        p.depth,
                        js(p.w),
                        s.facts.regime.key()
                    )
                });
                let panels = if PageOptions::from_values(&page).panel == Panel::Both {
                    2
                } else {
                    1
                };
                iframe_snippet(&url, &title, panels)
            }
            _ => {
                let snapshot = self.snapshot.borrow();
                let Some(snap) = snapshot.as_ref() else {
                    return String::new();
                };
                let p = snap.settings.chain;
                let lines: Vec<String> = chain_formula(p.w, p.b, p.x, p.depth, &snap.facts.closed)
                    .iter()
                    .map(latex)
                    .collect();
                format!(
                    "\\begin{{gathered}}\n{}\n\\end{{gathered}}",
                    lines.join(" \\\\\n")
                )
            }
        }
    }
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}

fn toggle_fullscreen() {
    let doc = document();
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
    } else if let Some(html) = doc.document_element() {
        let _ = html.request_fullscreen();
    }
}

/// Wires every control and preset button to the values.
fn bind_controls(app: &Rc<Explorer>) -> Result<(), JsValue> {
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
                    a.resync(key);
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

impl Explorer {
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

/// Wires the toolbar, the figure buttons, the shortcuts and the host-page messages.
fn bind_tools(app: &Rc<Explorer>) -> Result<(), JsValue> {
    for button in find_all::<Element>(&app.root, "[data-action]")? {
        let action = button.get_attribute("data-action").unwrap_or_default();
        let a = app.clone();
        on(&button, "click", move |_: Event| match action.as_str() {
            "projector" => a.toggle_projector(),
            "fullscreen" => toggle_fullscreen(),
            "help" => a.shortcut(Shortcut::Help),
            "csv" => {
                let snapshot = a.snapshot.borrow();
                if let Some(snap) = snapshot.as_ref() {
                    let p = snap.settings.chain;
                    let name = format!(
                        "deep-signal-n{}-w{}-{}.csv",
                        p.depth,
                        js(p.w),
                        p.format.key()
                    );
                    if let Err(e) = export::download_text(&name, "text/csv", &csv(snap)) {
                        warn(&describe(&e));
                    }
                }
            }
            copy => {
                let text = a.copy_text(copy);
                let done = match copy {
                    "copy-link" => "Link copied",
                    "copy-embed" => "Embed code copied",
                    _ => "LaTeX copied",
                };
                let a = a.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if export::copy(text).await {
                        a.say(done);
                    } else {
                        a.say("Copying was refused by the browser");
                    }
                });
            }
        });
    }
    for button in find_all::<Element>(&app.root, "[data-export]")? {
        let kind = button.get_attribute("data-export").unwrap_or_default();
        let panel = usize::from(button.get_attribute("data-for").as_deref() == Some(PANELS[1]));
        let a = app.clone();
        on(&button, "click", move |_: Event| {
            if let Err(e) = a.export(&kind, panel) {
                banner::show(&format!("Export failed: {}", describe(&e)));
            }
        });
    }
    for (i, figure) in app.figures.iter().enumerate() {
        let a = app.clone();
        on(&figure.table_button, "click", move |_: Event| {
            let figure = &a.figures[i];
            let open = figure.table.has_attribute("hidden");
            let _ = figure.table.toggle_attribute_with_force("hidden", !open);
            let _ = figure
                .table_button
                .set_attribute("aria-expanded", if open { "true" } else { "false" });
            figure.table_button.set_text_content(Some(if open {
                "Hide data"
            } else {
                "Show data"
            }));
            if open {
                a.slow_updates();
            }
        });
    }
    for (i, figure) in app.figures.iter().enumerate() {
        let a = app.clone();
        on(&figure.canvas.canvas, "pointermove", move |e: Event| {
            if let Some(e) = e.dyn_ref::<PointerEvent>() {
                a.hover(i, e);
            }
        });
        let tip = figure.tip.clone();
        on(&figure.canvas.canvas, "pointerleave", move |_: Event| {
            tip.set_hidden(true);
        });
    }
    let a = app.clone();
    on(&dom::window(), "keydown", move |e: Event| {
        let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
            return;
        }
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        if target.as_ref().is_some_and(theme::is_text_entry) || a.help_open() {
            return;
        }
        // Sliders, menus and radio buttons use the arrow keys themselves.
        let arrow = e.key().starts_with("Arrow");
        let native = target.as_ref().is_some_and(|t| {
            t.tag_name().eq_ignore_ascii_case("select") || t.dyn_ref::<HtmlInputElement>().is_some()
        });
        if arrow && native {
            return;
        }
        if let Some(s) = shortcuts::shortcut(&e.key(), e.shift_key()) {
            e.prevent_default();
            a.shortcut(s);
        }
    });
    let a = app.clone();
    on(&document(), "fullscreenchange", move |_: Event| {
        if let Ok(button) = find::<Element>(&a.root, "[data-action=fullscreen]") {
            let on = document().fullscreen_element().is_some();
            let _ = button.set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
    });
    let a = app.clone();
    on(&dom::window(), "message", move |e: Event| {
        if let Some(e) = e.dyn_ref::<MessageEvent>() {
            a.on_message(&e.data());
        }
    });
    Ok(())
}
