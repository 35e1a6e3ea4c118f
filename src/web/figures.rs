//! In-page figures: every element of a host page with a `data-deep-signal` attribute (a
//! URL query, for example `view=train&preset=exploding-lr&panel=loss`) becomes a live,
//! embedded figure, all of them run by this one wasm instance.
//!
//! A figure starts when it first comes near the screen and pauses its training while it
//! is off it, so a page with twenty figures opens as fast as a page with one. Printing
//! starts and draws every figure. Each element gets the message API as methods
//! (`element.set(params)`, `element.get()`) and as events (`deep-signal:set` with the
//! parameters as `detail`, `deep-signal:get`); it answers with `deep-signal:state`
//! events. Buttons and links with `data-deep-signal-for` (a figure's id) and
//! `data-deep-signal-set` (a query) set that figure when pressed.

use super::banner;
use super::dom::{document, find_all, on, set_attr, window, Listeners};
use super::embed::{self, read_params};
use super::shell::{self, Host, Shell};
use crate::app::page::{Embed, EMBED};
use crate::app::query::{self, Parsed};
use js_sys::{Array, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit,
    MutationObserver, MutationObserverInit,
};

/// The attribute that makes an element a figure.
const ATTRIBUTE: &str = "data-deep-signal";
/// How far from the screen a figure starts, so it is drawn by the time it scrolls in.
const MARGIN: &str = "200px 0px";

/// The element's `set` method.
type SetMethod = Closure<dyn Fn(JsValue) -> Result<JsValue, JsValue>>;
/// The element's `get` method.
type GetMethod = Closure<dyn Fn() -> JsValue>;

/// One figure of the page: waiting with its parsed state, or running.
struct Figure {
    element: Element,
    n: u32,
    waiting: RefCell<Option<Parsed>>,
    shell: RefCell<Option<Rc<Shell>>>,
    /// Whether it is near the screen, as the observer last said.
    near: Cell<bool>,
    /// Its `deep-signal:set` and `deep-signal:get` listeners.
    listeners: Listeners,
    /// Its `set` and `get` methods.
    methods: RefCell<Option<(SetMethod, GetMethod)>>,
}

/// The figures of the page and what they share.
struct Figures {
    base: String,
    list: RefCell<Vec<Rc<Figure>>>,
    observer: IntersectionObserver,
    count: Cell<u32>,
}

thread_local! {
    static FIGURES: RefCell<Option<Rc<Figures>>> = const { RefCell::new(None) };
}

/// Turns every `[data-deep-signal]` element not yet a figure into one, and returns how
/// many it found. `base` is the app's address (where `index.html` is), for the link from
/// each figure to the full page. Call it again after adding figures to the page.
#[wasm_bindgen]
pub fn figures(base: &str) -> Result<u32, JsValue> {
    let all = match FIGURES.with(|f| f.borrow().clone()) {
        Some(all) => all,
        None => {
            let all = Rc::new(Figures::new(base)?);
            FIGURES.with(|f| *f.borrow_mut() = Some(all.clone()));
            all.watch()?;
            all
        }
    };
    all.release_detached();
    let mut found = 0;
    for element in find_all::<Element>(
        &document().document_element().ok_or("no document")?,
        &format!("[{ATTRIBUTE}]"),
    )? {
        if all.list.borrow().iter().any(|f| f.element == element) {
            continue;
        }
        let n = all.count.get() + 1;
        all.count.set(n);
        let mut parsed = query::parse(&element.get_attribute(ATTRIBUTE).unwrap_or_default());
        // A figure is always embedded: no page header, no prose.
        parsed.page.set_choice(&EMBED, Embed::Yes);
        let unfit = unfit(&element);
        let figure = Rc::new(Figure {
            element: element.clone(),
            n,
            waiting: RefCell::new(unfit.is_none().then_some(parsed)),
            shell: RefCell::new(None),
            near: Cell::new(false),
            listeners: Listeners::default(),
            methods: RefCell::new(None),
        });
        match unfit {
            // Kept in the list, never started: a later scan does not say it again.
            Some(why) => {
                banner::show(&format!("A deep-signal figure could not start: {why}"));
                set_attr(&element, "data-state", "failed");
            }
            None => {
                let _ = element.class_list().add_2("ds-app", "ds-figure");
                set_attr(&element, "data-state", "waiting");
                all.observer.observe(&element);
            }
        }
        bind(&figure)?;
        all.list.borrow_mut().push(figure);
        found += 1;
    }
    Ok(found)
}

impl Figures {
    /// Lets go of every figure whose element has left the document: its view, its
    /// listeners, its methods and its memory. A figure moved elsewhere in the page (out
    /// and back in within one task) stays.
    fn release_detached(&self) {
        let gone: Vec<Rc<Figure>> = {
            let mut list = self.list.borrow_mut();
            let (kept, gone) = list.drain(..).partition(|f| f.element.is_connected());
            *list = kept;
            gone
        };
        for figure in gone {
            self.observer.unobserve(&figure.element);
            figure.release();
        }
    }

    fn new(base: &str) -> Result<Figures, JsValue> {
        let callback = Closure::<dyn FnMut(Array)>::new(|entries: Array| {
            for entry in entries.iter() {
                let entry: IntersectionObserverEntry = entry.unchecked_into();
                if let Some(figure) = find(&entry.target()) {
                    figure.show(entry.is_intersecting());
                }
            }
        });
        let init = IntersectionObserverInit::new();
        init.set_root_margin(MARGIN);
        let observer =
            IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init)?;
        // The observer lives as long as the page.
        callback.forget();
        Ok(Figures {
            base: base.to_string(),
            list: RefCell::new(Vec::new()),
            observer,
            count: Cell::new(0),
        })
    }

    /// Watches what concerns every figure: printing, the host page's theme, and the
    /// buttons in the prose.
    fn watch(&self) -> Result<(), JsValue> {
        on(&window(), "beforeprint", |_: Event| print());
        if let Ok(Some(list)) = window().match_media("print") {
            let l = list.clone();
            on(&list, "change", move |_: Event| {
                if l.matches() {
                    print();
                }
            });
        }
        let callback = Closure::<dyn FnMut()>::new(|| {
            for figure in running() {
                figure.apply_page();
            }
        });
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let init = MutationObserverInit::new();
        init.set_attribute_filter(&Array::of1(&"data-theme".into()));
        if let Some(html) = document().document_element() {
            observer.observe_with_options(&html, &init)?;
        }
        callback.forget();
        std::mem::forget(observer);
        // Figures taken out of the page are let go of as soon as they are.
        let callback = Closure::<dyn FnMut()>::new(|| {
            if let Some(all) = FIGURES.with(|f| f.borrow().clone()) {
                all.release_detached();
            }
        });
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        if let Some(html) = document().document_element() {
            observer.observe_with_options(&html, &init)?;
        }
        callback.forget();
        std::mem::forget(observer);
        on(&document(), "click", |e: Event| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            let Ok(Some(button)) = target.closest("[data-deep-signal-for]") else {
                return;
            };
            e.prevent_default();
            let id = button
                .get_attribute("data-deep-signal-for")
                .unwrap_or_default();
            let set = button
                .get_attribute("data-deep-signal-set")
                .unwrap_or_default();
            let figure = document().get_element_by_id(&id).and_then(|el| find(&el));
            match figure {
                Some(figure) => {
                    if let Err(why) = read_params(&set.into()).and_then(|c| figure.set(&c)) {
                        warn(&format!(
                            "deep-signal: the button for #{id} did nothing: {why}"
                        ));
                    }
                    figure.element.scroll_into_view_with_bool(false);
                }
                None => warn(&format!("deep-signal: no figure has the id {id}")),
            }
        });
        Ok(())
    }
}

/// Why `element` cannot hold a figure, if it cannot: a figure fills its element with the
/// view's markup, so it needs an HTML element that holds other elements, such as a `<div>`.
fn unfit(element: &Element) -> Option<String> {
    let tag = element.tag_name().to_ascii_lowercase();
    let holds = element.dyn_ref::<web_sys::HtmlElement>().is_some()
        && !matches!(
            tag.as_str(),
            "input"
                | "select"
                | "textarea"
                | "template"
                | "option"
                | "optgroup"
                | "img"
                | "br"
                | "hr"
                | "area"
                | "base"
                | "col"
                | "colgroup"
                | "embed"
                | "link"
                | "meta"
                | "source"
                | "track"
                | "wbr"
                | "script"
                | "style"
                | "canvas"
                | "iframe"
                | "video"
                | "audio"
                | "object"
                | "picture"
                | "table"
                | "thead"
                | "tbody"
                | "tfoot"
                | "tr"
                | "title"
                | "head"
                | "html"
                | "noscript"
        );
    let id = match element.id() {
        id if id.is_empty() => String::new(),
        id => format!(" id=\"{id}\""),
    };
    (!holds).then(|| {
        format!("it needs an element that holds other elements, such as <div>; <{tag}{id}> cannot")
    })
}

/// The figure of `element`, if it is one.
fn find(element: &Element) -> Option<Rc<Figure>> {
    FIGURES.with(|f| {
        f.borrow()
            .as_ref()?
            .list
            .borrow()
            .iter()
            .find(|fig| fig.element == *element)
            .cloned()
    })
}

/// Every figure already started.
fn running() -> Vec<Rc<Shell>> {
    FIGURES.with(|f| {
        f.borrow()
            .as_ref()
            .map(|all| {
                all.list
                    .borrow()
                    .iter()
                    .filter_map(|fig| fig.shell.borrow().clone())
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// How long printing may spend finishing the figures' `steps=N`, all of them together (the
/// lecture's all take a few milliseconds): beyond it, a figure prints the step it reached.
/// Printing cannot wait for a worker, nor be cut into slices: the browser lays the page out
/// for print as soon as this returns.
const PRINT_BUDGET_MS: f64 = 2000.0;

/// Starts every figure, finishes the steps each was asked for, within [`PRINT_BUDGET_MS`]
/// for the page, and draws it at once, so the printed page shows every figure with its
/// final numbers, never a run still training. Those off screen stay paused afterwards.
fn print() {
    let list: Vec<Rc<Figure>> = FIGURES.with(|f| {
        f.borrow()
            .as_ref()
            .map(|all| all.list.borrow().clone())
            .unwrap_or_default()
    });
    let perf = window().performance();
    let now = || perf.as_ref().map_or(0.0, |p| p.now());
    let end = now() + PRINT_BUDGET_MS;
    for figure in list {
        if let Some(shell) = figure.start() {
            shell.set_visible(figure.near.get());
            shell.finish_now((end - now()).max(0.0));
        }
    }
}

fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}

impl Figure {
    /// Lets go of the view, the listeners and the methods, whose closures held the figure.
    fn release(&self) {
        if let Some(shell) = self.shell.take() {
            shell.release();
        }
        self.waiting.take();
        self.listeners.clear();
        for name in ["set", "get"] {
            let _ = Reflect::delete_property(&self.element, &name.into());
        }
        self.methods.take();
        set_attr(&self.element, "data-state", "released");
    }

    /// Mounts the view, if it is still waiting; returns the running shell.
    fn start(&self) -> Option<Rc<Shell>> {
        if let Some(parsed) = self.waiting.borrow_mut().take() {
            let base = FIGURES.with(|f| f.borrow().as_ref().map(|a| a.base.clone()));
            let host = Host::Inline {
                base: base.unwrap_or_default(),
                n: self.n,
            };
            match shell::mount(&self.element, parsed, host) {
                Ok(shell) => *self.shell.borrow_mut() = Some(shell),
                Err(e) => banner::show(&format!(
                    "A deep-signal figure could not start: {}",
                    banner::describe(&e)
                )),
            }
        }
        self.shell.borrow().clone()
    }

    /// Starts the figure when it first comes near the screen; pauses or resumes its work.
    fn show(&self, near: bool) {
        self.near.set(near);
        if near {
            self.start();
        }
        if let Some(shell) = self.shell.borrow().as_ref() {
            shell.set_visible(near);
        }
    }

    /// Applies a host page's changes, all or none: to the running view, or to the state
    /// a waiting figure will start with. Called from inside a figure's event, the changes
    /// are checked at once (an invalid one is refused as always) and applied once the
    /// event is over.
    fn set(self: &Rc<Self>, changes: &[(String, String)]) -> Result<(), String> {
        if embed::events::inside() {
            self.check(changes)?;
            let (figure, changes) = (self.clone(), changes.to_vec());
            embed::events::after(move || {
                if let Err(why) = figure.set(&changes) {
                    warn(&format!("deep-signal ignored a change: {why}"));
                }
            });
            return Ok(());
        }
        if let Some(shell) = self.shell.borrow().as_ref() {
            return shell.set(changes);
        }
        let mut waiting = self.waiting.borrow_mut();
        let parsed = waiting.as_mut().ok_or("the figure could not start")?;
        query::apply_strict(parsed.view, &mut parsed.values, &mut parsed.page, changes)?;
        Ok(())
    }

    /// Whether `changes` would be applied, without applying them.
    fn check(&self, changes: &[(String, String)]) -> Result<(), String> {
        if let Some(shell) = self.shell.borrow().as_ref() {
            return shell.check(changes);
        }
        let waiting = self.waiting.borrow();
        let parsed = waiting.as_ref().ok_or("the figure could not start")?;
        let (mut values, mut page) = (parsed.values.clone(), parsed.page.clone());
        query::apply_strict(parsed.view, &mut values, &mut page, changes).map(|_| ())
    }

    /// `{type: "deep-signal:state", params, readouts}`; a waiting figure has no readouts
    /// yet.
    fn state(&self) -> JsValue {
        if let Some(shell) = self.shell.borrow().as_ref() {
            return shell.state();
        }
        let message = embed::object(&[("type", "deep-signal:state")]);
        let params = Object::new();
        if let Some(p) = self.waiting.borrow().as_ref() {
            let q = query::build(p.view, &p.values, &p.page);
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                let _ = Reflect::set(&params, &JsValue::from_str(&k), &JsValue::from_str(&v));
            }
        }
        let _ = Reflect::set(&message, &"params".into(), &params);
        let _ = Reflect::set(&message, &"readouts".into(), &Object::new());
        message.into()
    }
}

/// Gives the element its methods and its event listeners.
fn bind(figure: &Rc<Figure>) -> Result<(), JsValue> {
    let el = &figure.element;
    let f = figure.clone();
    let set =
        Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(move |params: JsValue| {
            let changes = read_params(&params).map_err(|why| js_sys::Error::new(&why))?;
            f.set(&changes).map_err(|why| js_sys::Error::new(&why))?;
            Ok(f.state())
        });
    Reflect::set(el, &"set".into(), set.as_ref())?;
    let f = figure.clone();
    let get = Closure::<dyn Fn() -> JsValue>::new(move || f.state());
    Reflect::set(el, &"get".into(), get.as_ref())?;
    *figure.methods.borrow_mut() = Some((set, get));
    let f = figure.clone();
    figure.listeners.on(el, "deep-signal:set", move |e: Event| {
        let detail = e
            .dyn_ref::<web_sys::CustomEvent>()
            .map(|c| c.detail())
            .unwrap_or(JsValue::UNDEFINED);
        if let Err(why) = read_params(&detail).and_then(|c| f.set(&c)) {
            warn(&format!("deep-signal ignored an event: {why}"));
        }
    });
    let f = figure.clone();
    figure.listeners.on(el, "deep-signal:get", move |_: Event| {
        embed::dispatch(&f.element, "deep-signal:state", &f.state());
    });
    Ok(())
}
