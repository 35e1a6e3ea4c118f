//! The shell's tools: the toolbar (copy, export, projector, full screen, help), the view's
//! own buttons, the keyboard shortcuts, the value under the pointer, and the messages of a
//! host page.

use super::{describe, Host, Shell};
use crate::app::export::{figure_snippet, iframe_snippet};
use crate::app::page::{Embed, ThemeChoice, EMBED, THEME};
use crate::app::query;
use crate::app::shortcuts::{self, Shortcut};
use crate::web::banner;
use crate::web::dom::{self, document, find, find_all};
use crate::web::export;
use crate::web::theme;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlDialogElement, HtmlInputElement, KeyboardEvent, MessageEvent, PointerEvent,
};

impl Shell {
    pub(super) fn shortcut(&self, s: Shortcut) {
        match s {
            Shortcut::Nudge { key, delta, step } => self.nudge(key, delta, step),
            Shortcut::Preset(i) => self.preset(i),
            Shortcut::Action(key) => self.action(key),
            Shortcut::Fullscreen => self.toggle_fullscreen(),
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

    /// Applies the preset with index `i`, if the view has one.
    pub(super) fn preset(&self, i: usize) {
        if let Some(p) = self.view.presets.get(i) {
            p.apply(&mut self.values.borrow_mut());
            self.model
                .borrow_mut()
                .preset_applied(&self.values.borrow());
            self.changed();
        }
    }

    /// Runs the view's action `key` (play, step, reset).
    pub(super) fn action(&self, key: &str) {
        let changed = self
            .model
            .borrow_mut()
            .action(key, &mut self.values.borrow_mut());
        if changed {
            self.changed();
        }
    }

    /// Hands a click on a plot to the view (the surface's sets where its descents start).
    /// Only builds with a surface to click have it.
    #[cfg(feature = "surface-plot")]
    fn pick(&self, panel: usize, e: &web_sys::MouseEvent) {
        let at = self.figures[panel]
            .canvas
            .fraction_at(e.client_x() as f64, e.client_y() as f64);
        let Some(at) = at else {
            return;
        };
        let changed = self
            .model
            .borrow_mut()
            .pick(panel, at, &mut self.values.borrow_mut());
        if changed {
            self.changed();
        }
    }

    /// Shows the live value at the position under the pointer, next to the pointer.
    fn hover(&self, panel: usize, e: &PointerEvent) {
        let figure = &self.figures[panel];
        let model = self.model.borrow();
        let cx = e.client_x() as f64;
        // A surface reads its points in two dimensions; every other plot by its x axis.
        #[cfg(feature = "surface-plot")]
        let text = figure
            .canvas
            .fraction_at(cx, e.client_y() as f64)
            .and_then(|at| model.hover_at(panel, at));
        #[cfg(not(feature = "surface-plot"))]
        let text: Option<String> = None;
        let text = match text {
            Some(t) => t,
            None => {
                let (first, last) = self.plot(&**model, panel).x_bounds();
                let Some(k) = figure.canvas.layer_at(cx, first, last) else {
                    figure.tip.set_hidden(true);
                    return;
                };
                model.hover_text(panel, k)
            }
        };
        figure.tip.set_text_content(Some(&text));
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

    /// Adds `delta` to the number `key`, on its grid of `step`, clamped to its range.
    fn nudge(&self, key: &str, delta: f64, step: f64) {
        let v = self.values.borrow().number(key);
        self.values
            .borrow_mut()
            .set_number(key, shortcuts::nudge(v, delta, step));
        self.changed();
    }

    /// Whether the shortcut list is open (shortcuts then wait until it closes).
    fn help_open(&self) -> bool {
        find::<HtmlDialogElement>(&self.root, "[data-help]").is_ok_and(|d| d.open())
    }

    pub(super) fn toggle_projector(&self) {
        let on = self.page.borrow().of(&THEME) == ThemeChoice::Projector;
        self.page.borrow_mut().set_choice(
            &THEME,
            if on {
                ThemeChoice::Auto
            } else {
                ThemeChoice::Projector
            },
        );
        self.apply_page();
        self.changed();
    }

    /// Full screen for the page, or for an in-page figure its own element.
    fn toggle_fullscreen(&self) {
        let doc = document();
        if doc.fullscreen_element().is_some() {
            doc.exit_fullscreen();
        } else if let Host::Inline { .. } = self.host {
            let _ = self.root.request_fullscreen();
        } else if let Some(html) = doc.document_element() {
            let _ = html.request_fullscreen();
        }
    }

    fn say(&self, text: &str) {
        self.toast.set_text_content(Some(text));
    }

    /// Downloads a plot as `png` or `svg`.
    fn export(&self, kind: &str, panel: usize) -> Result<(), JsValue> {
        let model = self.model.borrow();
        let plot = self.plot(&**model, panel);
        let css = self.figures[panel].canvas.css_size();
        let name = format!(
            "deep-signal-{}-{}",
            self.view.panels[panel].key,
            model.file_stem()
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
        let here = match &self.host {
            Host::Page => {
                let location = dom::window().location();
                format!(
                    "{}{}",
                    location.origin().unwrap_or_default(),
                    location.pathname().unwrap_or_default()
                )
            }
            Host::Inline { base, .. } => base.clone(),
        };
        match action {
            "copy-link" => format!("{here}?{}", self.query()),
            "copy-figure" => {
                // The figure's own parameters: it is always embedded.
                let mut page = self.page.borrow().clone();
                page.set_choice(&EMBED, Embed::No);
                let query = query::build(self.view, &self.values.borrow(), &page);
                let folder = here.rsplit_once('/').map_or("", |(dir, _)| dir);
                figure_snippet(&format!("{folder}/"), &query, &self.model.borrow().title())
            }
            "copy-embed" => {
                let mut page = self.page.borrow().clone();
                page.set_choice(&EMBED, Embed::Yes);
                let url = format!(
                    "{here}?{}",
                    query::build(self.view, &self.values.borrow(), &page)
                );
                let title = self.model.borrow().title();
                let panels = self.figures.iter().filter(|f| f.shown.get()).count();
                iframe_snippet(&url, &title, panels)
            }
            _ => self.model.borrow().latex().unwrap_or_default(),
        }
    }
}

pub(super) fn warn(text: &str) {
    web_sys::console::warn_1(&JsValue::from_str(text));
}

/// Wires the toolbar, the figure buttons, the shortcuts and the host-page messages.
pub(super) fn bind_tools(app: &Rc<Shell>) -> Result<(), JsValue> {
    for button in find_all::<Element>(&app.root, "[data-action]")? {
        let action = button.get_attribute("data-action").unwrap_or_default();
        let a = app.clone();
        app.listeners
            .on(&button, "click", move |_: Event| match action.as_str() {
                "projector" => a.toggle_projector(),
                "fullscreen" => a.toggle_fullscreen(),
                "help" => a.shortcut(Shortcut::Help),
                "csv" => {
                    let model = a.model.borrow();
                    let name = format!("deep-signal-{}.csv", model.file_stem());
                    if let Err(e) = export::download_text(&name, "text/csv", &model.csv()) {
                        warn(&describe(&e));
                    }
                }
                copy => {
                    let text = a.copy_text(copy);
                    let done = match copy {
                        "copy-link" => "Link copied",
                        "copy-figure" => "Figure code copied",
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
    for button in find_all::<Element>(&app.root, "[data-view-action]")? {
        let key = button.get_attribute("data-view-action").unwrap_or_default();
        let a = app.clone();
        app.listeners
            .on(&button, "click", move |_: Event| a.action(&key));
    }
    for button in find_all::<Element>(&app.root, "[data-export]")? {
        let kind = button.get_attribute("data-export").unwrap_or_default();
        let name = button.get_attribute("data-for").unwrap_or_default();
        let panel = app
            .view
            .panels
            .iter()
            .position(|p| p.key == name)
            .unwrap_or(0);
        let a = app.clone();
        app.listeners.on(&button, "click", move |_: Event| {
            if let Err(e) = a.export(&kind, panel) {
                banner::show(&format!("Export failed: {}", describe(&e)));
            }
        });
    }
    for (i, figure) in app.figures.iter().enumerate() {
        let a = app.clone();
        app.listeners
            .on(&figure.table_button, "click", move |_: Event| {
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
        app.listeners
            .on(&figure.canvas.canvas, "pointermove", move |e: Event| {
                if let Some(e) = e.dyn_ref::<PointerEvent>() {
                    a.hover(i, e);
                }
            });
        let tip = figure.tip.clone();
        app.listeners
            .on(&figure.canvas.canvas, "pointerleave", move |_: Event| {
                tip.set_hidden(true);
            });
        #[cfg(feature = "surface-plot")]
        let a = app.clone();
        #[cfg(feature = "surface-plot")]
        app.listeners
            .on(&figure.canvas.canvas, "click", move |e: Event| {
                if let Some(e) = e.dyn_ref::<web_sys::MouseEvent>() {
                    a.pick(i, e);
                }
            });
    }
    // The page's own view takes keys anywhere; an in-page figure only while the focus is
    // inside it.
    let keys: web_sys::EventTarget = match app.host {
        Host::Page => dom::window().into(),
        Host::Inline { .. } => app.root.clone().into(),
    };
    let a = app.clone();
    app.listeners.on(&keys, "keydown", move |e: Event| {
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
        let view = a.view;
        if let Some(s) = shortcuts::shortcut(view.keys, view.presets.len(), &e.key(), e.shift_key())
        {
            e.prevent_default();
            a.shortcut(s);
        }
    });
    let a = app.clone();
    app.listeners
        .on(&document(), "fullscreenchange", move |_: Event| {
            if let Ok(button) = find::<Element>(&a.root, "[data-action=fullscreen]") {
                let on = document().fullscreen_element().is_some();
                let _ = button.set_attribute("aria-pressed", if on { "true" } else { "false" });
            }
        });
    if let Host::Page = app.host {
        let a = app.clone();
        app.listeners
            .on(&dom::window(), "message", move |e: Event| {
                if let Some(e) = e.dyn_ref::<MessageEvent>() {
                    a.on_message(&e.data());
                }
            });
    }
    Ok(())
}
