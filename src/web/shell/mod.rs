//! The shell every view runs in: builds the page from the view's registry entry, and
//! redraws plots, readouts and text once per animation frame, running the view's
//! background work (training) in slices of a frame. Its controls are wired in
//! [`controls`]; the toolbar, shortcuts, exports, pointer readout and host-page messages in
//! [`tools`]. Nothing here knows which view it shows.

mod controls;
mod tools;

use controls::{bind_controls, find_controls, Control};
use tools::{bind_tools, warn};

use super::banner::{self, describe};
use super::canvas::{self, PlotCanvas};
use super::dom::{self, document, find, find_all, set_attr, Listeners, Slot};
use super::embed::{self, Request};
use super::frames::Frames;
use super::notices::Notices;
use super::theme;
use super::throttle::{self, Throttle};
use crate::app::formula::split_text;
use crate::app::markup;
use crate::app::page::{PageOptions, ThemeChoice};
use crate::app::params::Values;
use crate::app::query::{self, Parsed};
use crate::app::view::{summary, Readout, Tick, ViewModel};
use crate::app::views::ViewSpec;
use crate::plot::{Plot, Theme};
use js_sys::{Object, Reflect};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};

/// The User Timing measure that wraps each redraw.
const MEASURE: &str = "deep-signal:redraw";
const MARK: &str = "deep-signal:redraw-start";
/// The User Timing measure that wraps a frame's background work (training), when it ran.
const WORK_MEASURE: &str = "deep-signal:work";
const WORK_MARK: &str = "deep-signal:work-start";

/// How long the view's background work may run in one frame, in milliseconds: a frame
/// of 60 Hz is 16.7 ms, and drawing needs the rest.
const WORK_BUDGET_MS: f64 = 8.0;
/// A frame that has drawn for this long leaves its other figures to the next frames, so that
/// drawing a page of many plots at once (its start, a theme) never holds the page long.
#[cfg(feature = "lab")]
const DRAW_BUDGET_MS: f64 = 20.0;
/// The explorer's two plots draw in about a millisecond: a module of it alone draws them in
/// one go, without the code that divides a drawing.
#[cfg(not(feature = "lab"))]
const DRAW_BUDGET_MS: f64 = f64::INFINITY;

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
    /// The note and the badge's text and attribute.
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

/// Where a view is mounted.
pub enum Host {
    /// The page of its own (`index.html`), perhaps inside an iframe: it owns the URL,
    /// the document's theme and the window's keys and messages.
    Page,
    /// A figure inside someone else's page: it owns only its element. `base` is the
    /// app's address (for the link to the full page), `n` makes its ids unique.
    Inline { base: String, n: u32 },
}

impl Host {
    /// The address of the app's own page, to which a query is appended.
    fn base(&self) -> &str {
        match self {
            Host::Page => "./",
            Host::Inline { base, .. } => base,
        }
    }
}

/// A mounted view.
pub struct Shell {
    host: Host,
    /// Whether its element is on screen: background work pauses while it is not.
    visible: Cell<bool>,
    /// Whether the next redraw must draw: something other than the model's own background
    /// work asked for it (a change, a resize, a theme). A frame whose work changed nothing
    /// (one that only began a divided step) draws nothing.
    stale: Cell<bool>,
    /// Whether every shown plot drawn since the last change was on screen.
    drawn: Cell<bool>,
    /// The first figure a drawing left for the next frame, its time used up
    /// ([`DRAW_BUDGET_MS`]), and how many of its round are left from there.
    undrawn: Cell<Option<(usize, usize)>>,
    /// Whether the next drawing draws every figure in one go (printing cannot wait).
    at_once: Cell<bool>,
    view: &'static ViewSpec,
    model: RefCell<Box<dyn ViewModel>>,
    values: RefCell<Values>,
    /// The values the model last saw.
    seen: RefCell<Values>,
    page: RefCell<Values>,
    theme: RefCell<Theme>,
    root: Element,
    figures: Vec<Figure>,
    controls: Vec<Control>,
    /// The label, the shown value and the exact value of each readout.
    readouts: Vec<[Slot; 3]>,
    rows: Vec<(String, Element)>,
    current_row: Cell<Option<&'static str>>,
    formula_box: Option<Element>,
    formula: RefCell<Formula>,
    notices: Notices,
    announce: Slot,
    announced: RefCell<Option<String>>,
    open_full: Slot,
    toast: Element,
    frames: OnceCell<Frames>,
    /// Slower work after a change: the URL, the spoken summaries and the data tables.
    later: OnceCell<Throttle>,
    /// Whether the page is inside a frame, whose host gets state messages.
    framed: bool,
    /// Every listener the view added to the page, removed by [`Shell::release`].
    listeners: Listeners,
    /// What watches the canvases' sizes, until the shell is dropped.
    resize: OnceCell<canvas::Observer>,
    /// Whether the host page is owed a state message.
    post_state: Cell<bool>,
    /// The view's buttons by action: their label and `aria-pressed`.
    toggles: Vec<(String, Slot, Slot)>,
    /// Whether the pointer is down on a slider (a detent applies only then).
    dragging: Cell<bool>,
    measures: Cell<u32>,
    /// Whether the view was busy at the end of the last redraw.
    was_busy: Cell<bool>,
    /// The view's link to the workers, while it trains away from the page.
    #[cfg(feature = "lab")]
    away: RefCell<Option<super::workers::Client>>,
}

/// Builds the view a parsed URL names inside `root`.
pub fn mount(root: &Element, parsed: Parsed, host: Host) -> Result<Rc<Shell>, JsValue> {
    let Parsed {
        view,
        values,
        page,
        notices,
    } = parsed;
    // A view that trains decides once, when it is made, whether it trains away.
    #[cfg(feature = "lab")]
    crate::app::lab::engine::train_away(
        PageOptions::from_values(&page).workers && super::workers::pool().is_some(),
    );
    let model = view.model(&values).ok_or_else(|| {
        JsValue::from_str(&format!(
            "this module was built without the view '{}'; deep-signal.js has every view",
            view.key
        ))
    })?;
    let html = markup::page(view, &values, &*model);
    match host {
        Host::Page => root.set_inner_html(&html),
        Host::Inline { n, .. } => root.set_inner_html(&markup::scope_ids(&html, n)),
    }
    set_attr(root, "data-view", view.key);

    let figure = |panel: &str| -> Result<Figure, JsValue> {
        let c: HtmlCanvasElement = find(root, &format!("canvas[data-plot={panel}]"))?;
        let badge: Element = find(root, &format!("[data-badge={panel}]"))?;
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
    let rows = find_all::<Element>(root, "[data-row]")?
        .into_iter()
        .map(|row| (row.get_attribute("data-row").unwrap_or_default(), row))
        .collect();
    let app = Rc::new(Shell {
        view,
        model: RefCell::new(model),
        controls: find_controls(root, &values)?,
        seen: RefCell::new(values.clone()),
        values: RefCell::new(values),
        page: RefCell::new(page),
        theme: RefCell::new(Theme::light()),
        root: root.clone(),
        figures: view
            .panels
            .iter()
            .map(|p| figure(p.key))
            .collect::<Result<_, _>>()?,
        readouts,
        toggles: find_all::<Element>(root, "[data-view-action]")?
            .into_iter()
            .map(|b| {
                (
                    b.get_attribute("data-view-action").unwrap_or_default(),
                    Slot::text(b.clone()),
                    Slot::attribute(b, "aria-pressed"),
                )
            })
            .collect(),
        rows,
        current_row: Cell::new(None),
        formula_box: find(root, "[data-formula]").ok(),
        formula: RefCell::new(Formula::default()),
        notices: Notices::new(find(root, "[data-notices]")?)?,
        announce: Slot::text(find(root, "[data-announce]")?),
        announced: RefCell::new(None),
        open_full: Slot::attribute(find(root, "[data-open-full]")?, "href"),
        toast: find(root, "[data-toast]")?,
        frames: OnceCell::new(),
        later: OnceCell::new(),
        framed: matches!(host, Host::Page) && embed::parent().is_some(),
        listeners: Listeners::default(),
        resize: OnceCell::new(),
        host,
        visible: Cell::new(true),
        stale: Cell::new(true),
        drawn: Cell::new(false),
        undrawn: Cell::new(None),
        at_once: Cell::new(false),
        post_state: Cell::new(true),
        dragging: Cell::new(false),
        measures: Cell::new(0),
        was_busy: Cell::new(false),
        #[cfg(feature = "lab")]
        away: RefCell::new(None),
    });
    #[cfg(feature = "lab")]
    if crate::app::lab::engine::trains_away() {
        if let Some(pool) = super::workers::pool() {
            let weak = Rc::downgrade(&app);
            *app.away.borrow_mut() = Some(pool.client(move || {
                if let Some(app) = weak.upgrade() {
                    app.request_work();
                }
            }));
        }
    }
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
    let weak = Rc::downgrade(&app);
    let observer = canvas::observe(
        app.figures.iter().map(|f| f.canvas.clone()).collect(),
        move || {
            if let Some(app) = weak.upgrade() {
                app.request();
            }
        },
    )?;
    let _ = app.resize.set(observer);
    let a = app.clone();
    theme::watch(&app.listeners, move || a.apply_page());
    if app.framed {
        embed::post_height()?;
    }
    app.request();
    Ok(app)
}

impl Shell {
    /// Lets the view go: removes every listener it added to the page (their closures held
    /// the shell), so that once its figure lets go of it too, it is freed, its pending
    /// frames cancelled and its canvases no longer watched.
    pub fn release(&self) {
        self.listeners.clear();
        // Its runs in the workers are let go.
        #[cfg(feature = "lab")]
        self.away.borrow_mut().take();
    }

    fn request(&self) {
        self.stale.set(true);
        self.request_work();
    }

    /// Asks for a frame for the background work only: it draws if the work changes
    /// something.
    fn request_work(&self) {
        if let Some(f) = self.frames.get() {
            f.request();
        }
    }

    /// Pauses the background work while the view is off screen, and resumes it.
    pub fn set_visible(&self, visible: bool) {
        if self.visible.replace(visible) != visible && visible {
            self.request();
        }
        // Off screen, its runs in the workers stop where they are.
        #[cfg(feature = "lab")]
        self.sync_away();
    }

    /// Whether the view trains away from the page.
    #[cfg(feature = "lab")]
    fn trains_away(&self) -> bool {
        self.away.borrow().is_some()
    }

    /// Whether a worker has yet to answer the view's last message.
    #[cfg(feature = "lab")]
    fn waits_for_workers(&self) -> bool {
        self.away.borrow().as_ref().is_some_and(|c| c.pending())
    }

    /// Views of a module without workers train here.
    #[cfg(not(feature = "lab"))]
    fn trains_away(&self) -> bool {
        false
    }

    /// Views of a module without workers never wait for one.
    #[cfg(not(feature = "lab"))]
    fn waits_for_workers(&self) -> bool {
        false
    }

    /// Takes in what the workers sent; where they failed, the view trains here.
    #[cfg(feature = "lab")]
    fn take_news(&self) {
        use super::workers::Arrival;
        let failed = match self.away.borrow().as_ref() {
            None => false,
            Some(client) if client.inbox().failed() => true,
            Some(client) => {
                let mut model = self.model.borrow_mut();
                for arrival in client.inbox().take() {
                    match arrival {
                        Arrival::News { run, news } => model.receive(run, news),
                        Arrival::Measured {
                            run,
                            generation,
                            probe,
                        } => model.measured(run, generation, &probe),
                    };
                }
                false
            }
        };
        if failed {
            self.bring_home();
        }
    }

    /// Hands the workers what the view now asks of its runs.
    #[cfg(feature = "lab")]
    fn sync_away(&self) {
        let (jobs, measures) = {
            let model = self.model.borrow();
            (model.jobs(), model.measures())
        };
        // Runs away and no worker to train them are brought home.
        let orphaned = match self.away.borrow().as_ref() {
            Some(client) => {
                client.measure(&measures);
                client.sync(&jobs, self.visible.get());
                false
            }
            None => !jobs.is_empty() || !measures.is_empty(),
        };
        if orphaned {
            self.bring_home();
        }
    }

    /// Trains the view's runs here from now on, each brought to its step.
    #[cfg(feature = "lab")]
    fn bring_home(&self) {
        self.away.borrow_mut().take();
        self.model.borrow_mut().bring_home();
        self.stale.set(true);
        self.request_work();
    }

    /// Draws now rather than at the next frame, at the canvases' current laid-out size:
    /// for printing, which does not wait for a frame.
    pub fn draw_now(&self) {
        for f in &self.figures {
            f.canvas.measure();
        }
        self.stale.set(true);
        self.at_once.set(true);
        let drawn = self.redraw();
        self.at_once.set(false);
        if let Err(e) = drawn {
            banner::show(&format!("Drawing failed: {}", describe(&e)));
        }
    }

    /// Runs the work the URL asked for (`steps=N`) to its end at once, for at most
    /// `limit_ms`, whether the view is on screen or not, then draws: for printing, where a
    /// figure shows its final numbers, never a run still training. A run that plays is
    /// printed at the step it has reached; with no time left, so is every run.
    pub fn finish_now(&self, limit_ms: f64) {
        // A run away still on its way is brought here: printing cannot wait for a worker.
        #[cfg(feature = "lab")]
        if limit_ms > 0.0 && self.model.borrow().busy() && self.away.borrow().is_some() {
            self.bring_home();
        }
        self.draw_now();
        let perf = dom::window().performance();
        let now = || perf.as_ref().map_or(0.0, |p| p.now());
        let end = now() + limit_ms;
        let mut worked = false;
        {
            let mut values = self.values.borrow_mut();
            let mut model = self.model.borrow_mut();
            while model.busy() && now() < end {
                model.tick(&mut values, &now, WORK_BUDGET_MS);
                worked = true;
            }
            // What the work wrote (the step reached) is the model's own news.
            *self.seen.borrow_mut() = values.clone();
        }
        if worked {
            self.draw_now();
        }
    }

    /// Marks the values as changed and asks for a redraw; until it is done, the page is
    /// not ready.
    fn changed(&self) {
        set_attr(&self.root, "data-state", "busy");
        self.post_state.set(true);
        self.request();
    }

    fn plot<'a>(&self, model: &'a dyn ViewModel, panel: usize) -> Plot<'a> {
        model.plot(panel, &self.theme.borrow())
    }

    /// One redraw: update the model if the values changed, run its background work for a
    /// slice of the frame, draw the shown plots, update the text.
    fn redraw(&self) -> Result<(), JsValue> {
        let perf = dom::window().performance();
        let started = perf.as_ref().map_or(0.0, |p| p.now());
        if let Some(p) = &perf {
            let _ = p.mark(MARK);
        }
        let mut draw = self.stale.replace(false);
        {
            let values = self.values.borrow();
            if *self.seen.borrow() != *values {
                self.model.borrow_mut().update(&values, &self.seen.borrow());
                *self.seen.borrow_mut() = values.clone();
                self.show_controls();
                draw = true;
            }
        }
        #[cfg(feature = "lab")]
        self.take_news();
        let now = || perf.as_ref().map_or(0.0, |p| p.now());
        // Off screen a view does no work, but one that trains away still takes in the news
        // of the steps it asked for.
        let tick = if !self.visible.get() && !self.trains_away() {
            Tick::default()
        } else {
            let mut values = self.values.borrow_mut();
            if let Some(p) = &perf {
                let _ = p.mark(WORK_MARK);
            }
            let tick = self
                .model
                .borrow_mut()
                .tick(&mut values, &now, WORK_BUDGET_MS);
            if let (Some(p), true) = (&perf, tick.worked) {
                // Only frames that trained: the benchmark divides steps by this time.
                let _ = p.measure_with_start_mark(WORK_MEASURE, WORK_MARK);
            }
            // What the work wrote (the step reached) is the model's own news.
            if *self.seen.borrow() != *values {
                *self.seen.borrow_mut() = values.clone();
            }
            tick
        };
        #[cfg(feature = "lab")]
        self.sync_away();
        let model = self.model.borrow();
        // A round draws every figure, from the first a frame left undrawn (so that while the
        // view keeps changing, none waits behind the others for ever), after a change; or
        // goes on with what an earlier frame of the round left.
        let changed = draw || tick.changed;
        let round = match (changed, self.undrawn.take()) {
            (true, left) => Some((left.map_or(0, |l| l.0), self.figures.len())),
            (false, left) => left,
        };
        if let Some((start, remaining)) = round {
            // Whether every figure drawn so far in this round was on screen.
            let mut drawn = changed || self.drawn.get();
            let n = self.figures.len();
            for k in 0..remaining {
                let i = (start + k) % n;
                let figure = &self.figures[i];
                if !figure.shown.get() {
                    continue;
                }
                if k > 0 && !self.at_once.get() && now() - started > DRAW_BUDGET_MS {
                    self.undrawn.set(Some((i, remaining - k)));
                    self.request_work();
                    break;
                }
                // Each plot keeps its axis range while the data still fills it.
                let mut plot = self.plot(&**model, i);
                if let Plot::Layers(p) = &mut plot {
                    p.previous_range = figure.canvas.range();
                }
                drawn &= figure.canvas.draw(&plot, &self.theme.borrow())?.is_some();
            }
            self.drawn.set(drawn);
        }
        // Drawn once every figure is, none left for a later frame.
        let drawn = self.drawn.get() && self.undrawn.get().is_none();
        let readouts = model.readouts();
        self.update_text(&**model, &readouts);
        self.sync_controls(&**model);
        let busy = model.busy() || self.waits_for_workers();
        if tick.changed && !tick.more {
            // Background work came to rest: the host page learns the new state.
            self.post_state.set(true);
        }
        // An in-page figure's event goes out last, once nothing is borrowed and the page's
        // state is set: a listener may call the figure again.
        let mut event = None;
        if self.post_state.get() && !busy {
            self.post_state.set(false);
            match self.host {
                Host::Page if self.framed => embed::post(&self.state_message(&readouts)),
                Host::Page => {}
                Host::Inline { .. } => event = Some(self.state_message(&readouts)),
            }
        }
        if let Some(later) = self.later.get() {
            later.request();
        }
        // `ready`: every shown plot is on screen at its current size, and the work the URL
        // or a change asked for is done; tests and embedding pages can wait for it.
        let state = if drawn && !busy { "ready" } else { "busy" };
        set_attr(&self.root, "data-state", state);
        // Coming to rest, the spoken summaries and the tables are written at once, so that
        // `ready` means they are final too (the URL follows within its interval).
        let settled = self.was_busy.replace(busy) && !busy;
        if let Some(p) = &perf {
            let _ = p.measure_with_start_mark(MEASURE, MARK);
            p.clear_marks_with_mark_name(MARK);
            // Keep the timeline bounded in a long lecture.
            let n = self.measures.get() + 1;
            self.measures.set(n);
            if n.is_multiple_of(5000) {
                p.clear_measures_with_measure_name(MEASURE);
                p.clear_measures_with_measure_name(WORK_MEASURE);
            }
            p.clear_marks_with_mark_name(WORK_MARK);
        }
        if tick.more {
            self.request_work();
        }
        drop(model);
        if settled {
            self.describe();
        }
        if let Some(message) = event {
            embed::dispatch(&self.root, "deep-signal:state", &message);
        }
        Ok(())
    }

    /// The work that may lag a little behind a drag: the URL, the canvases' spoken
    /// summaries, the open data tables.
    fn slow_updates(&self) {
        if let Host::Page = self.host {
            throttle::replace_query(&self.query());
        }
        self.describe();
    }

    /// The link to the full page, the canvases' spoken summaries and the open data tables.
    /// (Called from two places and kept out of line: the redraw stays small.)
    #[inline(never)]
    fn describe(&self) {
        // The embedded figure's link to the full page: the same state, not embedded.
        let mut full = self.page.borrow().clone();
        for key in ["embed", "panel", "hide"] {
            full.set(key, full.spec(key).expect("a page option").default_value());
        }
        self.open_full.set(&format!(
            "{}?{}",
            self.host.base(),
            query::build(self.view, &self.values.borrow(), &full)
        ));
        let model = self.model.borrow();
        for (i, figure) in self.figures.iter().enumerate() {
            let plot = self.plot(&**model, i);
            figure.label.set(&summary(&plot));
            if !figure.table.has_attribute("hidden") {
                figure.table.set_inner_html(&markup::data_table(&plot));
            }
        }
    }

    fn query(&self) -> String {
        query::build(self.view, &self.values.borrow(), &self.page.borrow())
    }

    fn update_text(&self, model: &dyn ViewModel, readouts: &[Readout]) {
        for (slots, r) in self.readouts.iter().zip(readouts) {
            slots[0].set(&r.label);
            slots[1].set(&r.shown);
            slots[2].set(&r.value);
        }
        for (i, figure) in self.figures.iter().enumerate() {
            let (key, label) = model.badge(i).unwrap_or_default();
            figure.note[0].set(&model.note(i));
            figure.note[1].set(label);
            figure.note[2].set(key);
        }
        let row = model.current_row();
        if self.current_row.replace(row) != row {
            for (key, element) in &self.rows {
                if Some(key.as_str()) == row {
                    let _ = element.set_attribute("aria-current", "true");
                } else {
                    let _ = element.remove_attribute("aria-current");
                }
            }
        }
        // Announce a change (not the first state: the page says it already).
        let text = model.announcement();
        let mut announced = self.announced.borrow_mut();
        if announced.as_ref().is_some_and(|before| *before != text) {
            self.announce.set(&text);
        }
        *announced = Some(text);
        for (key, label, pressed) in &self.toggles {
            if let Some((text, on)) = model.toggled(key) {
                label.set(text);
                pressed.set(if on { "true" } else { "false" });
            }
        }
        if let (Some(formula_box), Some(markup)) = (&self.formula_box, model.formula()) {
            self.update_formula(formula_box, markup);
        }
    }

    /// Writes the formula: new markup when its shape changed, else only the changed texts.
    fn update_formula(&self, formula_box: &Element, markup: String) {
        let (skeleton, texts) = split_text(&markup);
        let mut f = self.formula.borrow_mut();
        if f.skeleton != skeleton {
            formula_box.set_inner_html(&markup);
            f.leaves = find_all(formula_box, "mi, mn, mo").unwrap_or_default();
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
    /// An in-page figure's host calls it again when its own theme changes.
    pub fn apply_page(&self) {
        let options = PageOptions::from_values(&self.page.borrow());
        let _ = self
            .root
            .class_list()
            .toggle_with_force("ds-embedded", options.embed);
        match self.host {
            Host::Page => {
                let (theme, name) = theme::effective(options.theme);
                theme::mark_document(name);
                *self.theme.borrow_mut() = theme;
                if let Some(html) = document().document_element() {
                    let _ = html
                        .class_list()
                        .toggle_with_force("ds-embedded", options.embed);
                }
            }
            Host::Inline { .. } => {
                // `auto` follows the host page's theme, if it names one.
                let choice = match options.theme {
                    ThemeChoice::Auto => theme::of_document(),
                    choice => choice,
                };
                let (theme, name) = theme::effective(choice);
                set_attr(&self.root, "data-theme", name);
                *self.theme.borrow_mut() = theme;
            }
        }
        let show = |el: &Element, shown: bool| {
            let _ = el.toggle_attribute_with_force("hidden", !shown);
        };
        let none = !self.view.panels.iter().any(|p| options.shows(p.key));
        for (figure, panel) in self.figures.iter().zip(self.view.panels) {
            let shown = none || options.shows(panel.key);
            figure.shown.set(shown);
            show(&figure.element, shown);
        }
        let one = self.figures.iter().filter(|f| f.shown.get()).count() == 1;
        let _ = self
            .root
            .class_list()
            .toggle_with_force("ds-one-panel", one);
        self.show_controls();
        if let Ok(button) = find::<Element>(&self.root, "[data-action=projector]") {
            let on = options.theme == ThemeChoice::Projector;
            let _ = button.set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
        self.post_state.set(true);
        self.request();
    }

    /// Shows the controls that are neither hidden by `hide=` nor meaningless in the
    /// model's current state, and the view's buttons in their current state.
    fn show_controls(&self) {
        let options = PageOptions::from_values(&self.page.borrow());
        let model = self.model.borrow();
        let mut any_control = false;
        let values = self.values.borrow();
        let inline = matches!(self.host, Host::Inline { .. });
        for el in find_all::<Element>(&self.root, "[data-param]").unwrap_or_default() {
            let key = el.get_attribute("data-param").unwrap_or_default();
            let shown =
                options.shows_control(self.view, &values, &key, model.applies(&key), inline);
            let _ = el.toggle_attribute_with_force("hidden", !shown);
            any_control |= shown;
        }
        let _ = self
            .root
            .class_list()
            .toggle_with_force("ds-no-controls", !any_control);
    }

    /// The state as the host page gets it: see [`state_message`](Self::state_message).
    pub fn state(&self) -> JsValue {
        self.state_message(&self.model.borrow().readouts())
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
                if let Err(why) = self.set(&changes) {
                    warn(&format!("deep-signal ignored a message: {why}"));
                }
            }
            Err(why) => warn(&format!("deep-signal ignored a message: {why}")),
        }
    }

    /// Whether [`set`](Self::set) would apply `changes`, without applying them.
    pub fn check(&self, changes: &[(String, String)]) -> Result<(), String> {
        let mut values = self.values.borrow().clone();
        let mut page = self.page.borrow().clone();
        query::apply_strict(self.view, &mut values, &mut page, changes).map(|_| ())
    }

    /// Applies a host page's changes, all or none (see [`query::apply_strict`]). A preset
    /// among them is applied as its button would.
    pub fn set(&self, changes: &[(String, String)]) -> Result<(), String> {
        let named = query::apply_strict(
            self.view,
            &mut self.values.borrow_mut(),
            &mut self.page.borrow_mut(),
            changes,
        )?;
        if named.is_some() {
            self.model
                .borrow_mut()
                .preset_applied(&self.values.borrow());
        }
        self.apply_page();
        self.changed();
        Ok(())
    }
}
