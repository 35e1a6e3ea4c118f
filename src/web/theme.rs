//! The colours the page is drawn in: the theme asked for in the URL, the system's light or
//! dark preference for `auto`, and the system colours in forced-colours mode.

use super::dom::{document, window, Listeners};
use crate::app::page::ThemeChoice;
use crate::plot::theme::parse_css_color;
use crate::plot::Theme;
use plotters::style::RGBColor;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement};

fn matches(query: &str) -> bool {
    window()
        .match_media(query)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// The plot theme for `choice`, and the name the stylesheet knows it by (`data-theme`).
pub fn effective(choice: ThemeChoice) -> (Theme, &'static str) {
    if matches("(forced-colors: active)") {
        return (system_colors(), "forced");
    }
    match choice {
        ThemeChoice::Light => (Theme::light(), "light"),
        ThemeChoice::Dark => (Theme::dark(), "dark"),
        ThemeChoice::Projector => (Theme::projector(), "projector"),
        ThemeChoice::Auto if matches("(prefers-color-scheme: dark)") => (Theme::dark(), "dark"),
        ThemeChoice::Auto => (Theme::light(), "light"),
    }
}

/// The system colours of forced-colours mode, read from a probe element.
fn system_colors() -> Theme {
    let fallback = Theme::system(
        RGBColor(255, 255, 255),
        RGBColor(0, 0, 0),
        RGBColor(0, 0, 255),
    );
    let doc = document();
    let (Ok(probe), Some(body)) = (doc.create_element("span"), doc.body()) else {
        return fallback;
    };
    let _ = probe.set_attribute(
        "style",
        "color: CanvasText; background-color: Canvas; border: 1px solid Highlight; position: absolute",
    );
    if body.append_child(&probe).is_err() {
        return fallback;
    }
    let color = |property: &str| -> Option<RGBColor> {
        let style = window().get_computed_style(&probe).ok()??;
        parse_css_color(&style.get_property_value(property).ok()?)
    };
    let theme = match (
        color("background-color"),
        color("color"),
        color("border-top-color"),
    ) {
        (Some(bg), Some(text), Some(highlight)) => Theme::system(bg, text, highlight),
        _ => fallback,
    };
    probe.remove();
    theme
}

/// Calls `changed` whenever the system's colour scheme or forced-colours mode changes,
/// through listeners kept in `listeners`.
pub fn watch(listeners: &Listeners, changed: impl Fn() + 'static) {
    let changed: Rc<dyn Fn()> = Rc::new(changed);
    for query in ["(prefers-color-scheme: dark)", "(forced-colors: active)"] {
        if let Ok(Some(list)) = window().match_media(query) {
            let c = changed.clone();
            listeners.on(&list, "change", move |_: Event| c());
        }
    }
}

/// Marks the document with the theme's name, for the stylesheet.
pub fn mark_document(name: &str) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-theme", name);
    }
}

/// The theme the host page names with `data-theme` on its root element (`light`, `dark`
/// or `projector`), or `auto` when it names none: what an in-page figure follows.
pub fn of_document() -> ThemeChoice {
    let named = document()
        .document_element()
        .and_then(|html| html.get_attribute("data-theme"));
    match named.as_deref() {
        Some("light") => ThemeChoice::Light,
        Some("dark") => ThemeChoice::Dark,
        Some("projector") => ThemeChoice::Projector,
        _ => ThemeChoice::Auto,
    }
}

/// Whether `el` is (or is inside) an element that takes typed text, where shortcuts must
/// not fire.
pub fn is_text_entry(el: &Element) -> bool {
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        return !matches!(
            input.type_().as_str(),
            "range" | "radio" | "checkbox" | "button" | "submit" | "reset" | "color"
        );
    }
    el.tag_name().eq_ignore_ascii_case("textarea")
        || el
            .dyn_ref::<HtmlElement>()
            .is_some_and(|h| h.is_content_editable())
}
