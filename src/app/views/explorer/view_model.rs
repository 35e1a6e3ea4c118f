//! The explorer as the shell drives it: the snapshot of the current setting, recomputed
//! when a value changes.

use super::csv::csv;
use super::snapshot::Snapshot;
use super::{Panel, Settings, W};
use crate::app::formula::{chain_formula, latex, mathml, Expr};
use crate::app::numbers::{js, short};
use crate::app::params::Values;
use crate::app::view::{Readout, ViewModel};
use crate::decimal::parse;
use crate::plot::{Plot, Theme};
use crate::sim::Regime;

/// The explorer as the shell sees it: the snapshot of the current setting.
pub struct ExplorerModel {
    /// Always `Some`; taken for a moment while the next snapshot reuses its references.
    snap: Option<Snapshot>,
}

/// The explorer's model for `values`.
pub fn model(values: &Values) -> Box<dyn ViewModel> {
    Box::new(ExplorerModel {
        snap: Some(Snapshot::compute(Settings::from_values(values))),
    })
}

impl ExplorerModel {
    fn snap(&self) -> &Snapshot {
        self.snap.as_ref().expect("a snapshot is always kept")
    }

    /// The closed form's lines with the current values.
    fn formula_lines(&self) -> Vec<Expr> {
        let s = self.snap();
        let p = s.settings.chain;
        chain_formula(p.w, p.b, p.x, p.depth, &s.facts.closed)
    }
}

impl ViewModel for ExplorerModel {
    fn update(&mut self, values: &Values, _previous: &Values) {
        self.snap = Some(Snapshot::next(
            Settings::from_values(values),
            self.snap.take(),
        ));
    }

    fn plot(&self, panel: usize, theme: &Theme) -> Plot<'_> {
        Plot::Layers(match Panel::at(panel) {
            Panel::Activations => self.snap().activation_plot(theme),
            Panel::Gradients => self.snap().gradient_plot(theme),
        })
    }

    fn note(&self, panel: usize) -> String {
        match Panel::at(panel) {
            Panel::Activations => self.snap().activation_note(),
            Panel::Gradients => self.snap().gradient_note(),
        }
    }

    fn badge(&self, _panel: usize) -> Option<(&'static str, &'static str)> {
        let key = self.snap().facts.regime.key();
        Some((key, key))
    }

    fn readouts(&self) -> Vec<Readout> {
        self.snap().readouts()
    }

    fn announcement(&self) -> String {
        let regime = self.snap().facts.regime;
        format!(
            "Now {}: {}",
            regime.key(),
            match regime {
                Regime::Vanishing => "|w| is below 1.",
                Regime::Stable => "|w| is exactly 1.",
                Regime::Exploding => "|w| is above 1.",
            }
        )
    }

    fn current_row(&self) -> Option<&'static str> {
        Some(self.snap().facts.regime.key())
    }

    fn formula(&self) -> Option<String> {
        Some(
            self.formula_lines()
                .iter()
                .map(|line| format!("<math display=\"block\">{}</math>", mathml(line)))
                .collect(),
        )
    }

    fn latex(&self) -> Option<String> {
        let lines: Vec<String> = self.formula_lines().iter().map(latex).collect();
        Some(format!(
            "\\begin{{gathered}}\n{}\n\\end{{gathered}}",
            lines.join(" \\\\\n")
        ))
    }

    fn value_text(&self, key: &str, v: f64) -> String {
        // w is read aloud with its regime and at least two decimals: "0.90, vanishing".
        if key != W.key() {
            return short(v);
        }
        let two = format!("{v:.2}");
        let text = if parse(&two) == Some(v) {
            two
        } else {
            short(v)
        };
        format!("{text}, {}", self.snap().facts.regime.key())
    }

    fn hover_text(&self, panel: usize, x: usize) -> String {
        self.snap()
            .hover_text(Panel::at(panel) == Panel::Gradients, x)
    }

    fn csv(&self) -> String {
        csv(self.snap())
    }

    fn file_stem(&self) -> String {
        let p = self.snap().settings.chain;
        format!("n{}-w{}-{}", p.depth, js(p.w), p.format.key())
    }

    fn title(&self) -> String {
        let s = self.snap();
        let p = s.settings.chain;
        format!(
            "deep-signal: a chain of {} layers with w = {} ({})",
            p.depth,
            js(p.w),
            s.facts.regime.key()
        )
    }
}
