//! Helpers the test files share: a view's readouts and its plots as SVG.
// Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use deep_signal::app::view::ViewModel;
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
