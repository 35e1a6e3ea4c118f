//! Helpers the test files share: a view's readouts and its plots as SVG.
// Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use deep_signal::app::params::Values;
use deep_signal::app::view::ViewModel;
use deep_signal::app::views::{ViewSpec, VIEWS};
use deep_signal::plot::{self, Plot, Style, Theme};
use plotters::prelude::*;

/// The `data-value` of readout `key` of `m`.
pub fn readout(m: &dyn ViewModel, key: &str) -> String {
    m.readouts()
        .into_iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no readout {key}"))
        .value
}

/// `plot` drawn as the page draws it, as SVG of 800 × 420 pixels in the light theme.
pub fn svg(plot: &Plot) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 420)).into_drawing_area();
        plot::draw_plot(&root, plot, &Style::svg(Theme::light())).expect("drawing succeeds");
        root.present().expect("present");
    }
    svg
}

/// The view and values of `query` (`view=…&preset=…&key=value…`, the training lab if no
/// view is named), as the page reads them: the preset first, then the other keys.
pub fn values_of(query: &str) -> (&'static ViewSpec, Values) {
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .map(|kv| kv.split_once('=').expect("key=value"))
        .collect();
    let key = pairs
        .iter()
        .find(|(k, _)| *k == "view")
        .map_or("train", |p| p.1);
    let view = VIEWS.iter().find(|v| v.key == key).expect("a view");
    let mut values = Values::defaults(view.params);
    if let Some((_, slug)) = pairs.iter().find(|(k, _)| *k == "preset") {
        let preset = view
            .presets
            .iter()
            .find(|p| p.slug == *slug)
            .expect("a preset");
        for (k, v) in preset.base.iter().chain(preset.values) {
            values.set_raw(k, v);
        }
    }
    for (k, v) in pairs.iter().filter(|(k, _)| *k != "view" && *k != "preset") {
        values.set_raw(k, v);
    }
    (view, values)
}
