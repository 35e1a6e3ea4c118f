//! What every view is to the shell: its static description ([`ViewSpec`](super::views::ViewSpec)
//! holds the parameters, panels, presets and keys) and its live model, a [`ViewModel`].
//! The web shell drives any view through this trait alone: controls, URL state, notices,
//! embedding, messages, themes, shortcuts, exports and accessibility are written once.

use super::numbers::{js, short};
use super::params::Values;
use crate::plot::points::{self, Mark};
#[cfg(feature = "heat-plot")]
use crate::plot::HeatPlot;
#[cfg(feature = "phase-plot")]
use crate::plot::PhasePlot;
#[cfg(feature = "surface-plot")]
use crate::plot::SurfacePlot;
use crate::plot::{LayerPlot, Plot, Role, Theme};
use crate::train::TrainSpec;

/// One plot of a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanelSpec {
    /// The name the plot's elements carry, and what `panel=` selects.
    pub key: &'static str,
    /// Its title for people (`Activations`).
    pub title: &'static str,
    /// Whether training changes what it shows: a page showing only panels that training
    /// leaves alone (the remedies lab's measurements at initialisation) hides the training
    /// buttons, which would change nothing visible.
    pub trained: bool,
}

/// Declares a view's panels as an enum, with the [`PanelSpec`]s the shell reads in the same
/// order, so that the model matches a panel by name, never by position:
///
/// ```ignore
/// panels! {
///     pub enum Panel { Loss = ("loss", "Loss", trained: true) }
/// }
/// pub static PANELS: &[PanelSpec] = Panel::SPECS;
/// ```
#[macro_export]
macro_rules! panels {
    ($(#[$m:meta])* $vis:vis enum $name:ident {
        $($(#[$vm:meta])* $variant:ident = ($key:literal, $title:literal, trained: $trained:literal)),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            /// Every panel, in the order of the page.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The panels as the shell knows them, in the same order.
            pub const SPECS: &'static [$crate::app::view::PanelSpec] = &[$(
                $crate::app::view::PanelSpec { key: $key, title: $title, trained: $trained }
            ),+];
            /// The panel the shell numbers `index` (the first for an index past the end).
            pub fn at(index: usize) -> $name {
                Self::ALL.get(index).copied().unwrap_or(Self::ALL[0])
            }
        }
    };
}

/// A named setting a preset button (and its digit key) jumps to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PresetSpec {
    /// Its name in a URL (`preset=`) and in a host page's `set` calls.
    pub slug: &'static str,
    /// The button's label.
    pub label: &'static str,
    /// The word that colours its button (`vanishing`, `stable`, `exploding` or `healthy`).
    pub tag: &'static str,
    /// One sentence on what it shows.
    pub description: &'static str,
    /// `(key, value)` pairs shared with other presets, set first, values as a URL carries
    /// them.
    pub base: &'static [(&'static str, &'static str)],
    /// `(key, value)` for each parameter it sets on top of [`base`](Self::base).
    pub values: &'static [(&'static str, &'static str)],
}

impl PresetSpec {
    /// Applies the preset to `values`.
    pub fn apply(&self, values: &mut Values) {
        for (key, v) in self.base.iter().chain(self.values) {
            values.set_raw(key, v);
        }
    }
}

/// A button of a view's own (play, step, reset), identified by its action name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    /// The name passed to [`ViewModel::action`].
    pub key: &'static str,
    /// The button's label.
    pub label: &'static str,
    /// The key that presses it, as `KeyboardEvent.key` (`" "` for space), if any.
    pub shortcut: Option<&'static str>,
}

/// One readout: a labelled value with a stable key for course-note authors and tests.
#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    /// The `data-readout` attribute.
    pub key: &'static str,
    /// The visible label.
    pub label: String,
    /// The visible value.
    pub shown: String,
    /// The `data-value` attribute: the exact number as JavaScript prints it, or a word.
    pub value: String,
}

impl Readout {
    /// A number: shown short, its value exact.
    pub fn number(key: &'static str, label: &str, v: f64) -> Readout {
        Readout {
            key,
            label: label.into(),
            shown: short(v),
            value: js(v),
        }
    }

    /// A word, shown as it is.
    pub fn text(key: &'static str, label: &str, word: &str) -> Readout {
        Readout {
            key,
            label: label.into(),
            shown: word.into(),
            value: word.into(),
        }
    }

    /// A count or an index that may be absent (`none`).
    pub fn optional(key: &'static str, label: &str, v: Option<u64>, unit: &str) -> Readout {
        match v {
            Some(v) => Readout {
                key,
                label: label.into(),
                shown: format!("{unit}{v}"),
                value: v.to_string(),
            },
            None => Readout::text(key, label, "none"),
        }
    }
}

/// What a frame of background work did (see [`ViewModel::tick`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tick {
    /// Whether anything changed (the readouts and plots need redrawing).
    pub changed: bool,
    /// Whether background work ran, even if it finished nothing (the first part of a
    /// divided step).
    pub worked: bool,
    /// Whether the view wants another frame (it is still playing).
    pub more: bool,
}

/// A run that trains away from the page's thread, as its view wants it now: the web shell
/// hands it to a worker (starting it again whenever `generation` changes) and sends the
/// worker's state back with [`ViewModel::receive`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Job {
    /// Which of the view's runs (a configuration's index; 0 for a view with one).
    pub run: usize,
    /// Which start of the run: every restart gets a new one, and a state of an older one
    /// is dropped.
    pub generation: u32,
    /// What to train.
    pub spec: JobSpec,
    /// The step to train to and stop at (`u64::MAX` while playing at full speed); a run
    /// already further stops where it is.
    pub target: u64,
    /// Whether the step was asked for (`steps=N`, one step, a hundred) rather than reached
    /// by playing: a view off screen still finishes it, but stops playing.
    pub asked: bool,
    /// Whether the view plays: what it shows then is never final, and nobody waits for it.
    pub playing: bool,
}

/// What a [`Job`] trains: a run of the training lab's engine, or a recurrent one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JobSpec {
    /// A chain or an MLP ([`crate::train::Session`]).
    Mlp(TrainSpec),
    /// A recurrent network ([`crate::train::rnn::session::RnnSession`]).
    #[cfg(feature = "rnn-lab")]
    Rnn(crate::train::rnn::spec::RnnSpec),
}

/// A state of one of a view's runs, as its worker sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct News {
    /// Which start of the run it is of: a state of an older one is dropped.
    pub generation: u32,
    /// The state (`train::wire`'s update).
    pub update: Vec<f64>,
    /// What one step took in the worker, in milliseconds, if it said.
    pub step_ms: Option<f64>,
}

/// A measurement at initialisation that a view wants made away from the page (the remedies
/// lab's statistics of a freshly initialised network, over `seeds` seeds): the web shell
/// hands it to a worker once and gives the result back with [`ViewModel::measured`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    /// Which of the view's configurations.
    pub run: usize,
    /// Which measurement: a result of an older one is dropped.
    pub generation: u32,
    /// The network to measure.
    pub spec: TrainSpec,
    /// Over how many seeds.
    pub seeds: usize,
}

/// A view's live model: everything it computes and shows, as pure Rust.
pub trait ViewModel {
    /// Recomputes after the values changed (from a control, the URL, a message or a
    /// preset). `previous` is the values before the change.
    fn update(&mut self, values: &Values, previous: &Values);

    /// Background work for one frame (training), for about `budget_ms` milliseconds as
    /// measured by `now`; it may write its progress into `values` (the step reached).
    /// Views without any do nothing.
    fn tick(&mut self, _values: &mut Values, _now: &dyn Fn() -> f64, _budget_ms: f64) -> Tick {
        Tick::default()
    }

    /// Called after a preset button (or its key) set `values`.
    fn preset_applied(&mut self, _values: &Values) {}

    /// The label and pressed state of a toggling action's button (play: `Pause`, pressed),
    /// or `None` for a plain button.
    fn toggled(&self, _action: &str) -> Option<(&'static str, bool)> {
        None
    }

    /// Whether the control `key` means anything in the current state (the MLP's width
    /// does not for the chain); controls that do not are hidden.
    fn applies(&self, _key: &str) -> bool {
        true
    }

    /// Whether work the URL asked for is still running (`steps=N`): the page is not
    /// `ready` until it is done.
    fn busy(&self) -> bool {
        false
    }

    /// The runs this view trains away from the page (none while it trains here).
    fn jobs(&self) -> Vec<Job> {
        Vec::new()
    }

    /// A state of run `run` as its worker sent it, kept to be shown by the next frame;
    /// returns whether it was one of the view's.
    fn receive(&mut self, _run: usize, _news: News) -> bool {
        false
    }

    /// The measurements at initialisation this view waits for away from the page.
    fn measures(&self) -> Vec<Measure> {
        Vec::new()
    }

    /// The result of measurement `generation` of configuration `run` (`Probe::to_wire`'s
    /// numbers); returns whether it was one the view waited for.
    fn measured(&mut self, _run: usize, _generation: u32, _probe: &[f64]) -> bool {
        false
    }

    /// Trains every run here from now on, each brought to the step it had reached (the
    /// same bits: the engine is deterministic), and measures here what it waited for: where
    /// no worker can run, and for printing, which cannot wait for one.
    fn bring_home(&mut self) {}

    /// Runs one of the view's own actions (a button or its key); returns whether anything
    /// changed.
    fn action(&mut self, _key: &str, _values: &mut Values) -> bool {
        false
    }

    /// The plot of panel `panel` (an index into the view's panels).
    fn plot(&self, panel: usize, theme: &Theme) -> Plot<'_>;

    /// The sentence beside panel `panel`.
    fn note(&self, panel: usize) -> String;

    /// Panel `panel`'s badge: its key, which colours it (`vanishing`, `healthy`…), and its
    /// words; `None` for a panel that shows several runs, which no single verdict fits.
    fn badge(&self, panel: usize) -> Option<(&'static str, &'static str)>;

    /// The readouts, in the order of the facts panel.
    fn readouts(&self) -> Vec<Readout>;

    /// What is announced to screen readers when it changes (not on the first frame).
    fn announcement(&self) -> String;

    /// The key of the row of the view's table that describes the current state, if any.
    fn current_row(&self) -> Option<&'static str> {
        None
    }

    /// The view's formulas as MathML `<math>` elements, if it has any.
    fn formula(&self) -> Option<String> {
        None
    }

    /// The same formulas as LaTeX, for the clipboard.
    fn latex(&self) -> Option<String> {
        None
    }

    /// How a slider reads its value aloud (`aria-valuetext`).
    fn value_text(&self, _key: &str, v: f64) -> String {
        short(v)
    }

    /// What the pointer reads at position `x` of panel `panel`'s x axis.
    fn hover_text(&self, panel: usize, x: usize) -> String;

    /// What the pointer reads at a point of panel `panel`'s plotting area, given as
    /// fractions of its width (from the left) and height (from the bottom), for a plot whose
    /// points are read in two dimensions (a surface); `None` reads by the x axis alone
    /// ([`hover_text`](Self::hover_text)).
    fn hover_at(&self, _panel: usize, _at: (f64, f64)) -> Option<String> {
        None
    }

    /// A click at a point of panel `panel`'s plotting area (fractions as for
    /// [`hover_at`](Self::hover_at)); returns whether it changed the values (the surface's
    /// click sets where its descents start).
    fn pick(&mut self, _panel: usize, _at: (f64, f64), _values: &mut Values) -> bool {
        false
    }

    /// The data behind the plots, as CSV.
    fn csv(&self) -> String;

    /// The start of the names of downloaded files (`deep-signal-n50-w0.8-f32`).
    fn file_stem(&self) -> String;

    /// A title for an embedded figure of the current state.
    fn title(&self) -> String;
}

/// What a plot shows in words, for its canvas's `aria-label`.
pub fn summary(plot: &Plot) -> String {
    match plot {
        Plot::Layers(p) => layer_summary(p),
        #[cfg(feature = "heat-plot")]
        Plot::Heat(p) => heat_summary(p),
        #[cfg(feature = "phase-plot")]
        Plot::Phase(p) => phase_summary(p),
        #[cfg(feature = "surface-plot")]
        Plot::Surface(p) => surface_summary(p),
    }
}

/// A loss surface in words: its range, where it is lowest and highest, and where each path
/// starts and ends.
#[cfg(feature = "surface-plot")]
fn surface_summary(plot: &SurfacePlot) -> String {
    let (x, y) = (&plot.x_axis, &plot.y_axis);
    let mut s = format!(
        "{}. {} over {} from {} to {} and {} from {} to {}.",
        plot.title,
        plot.quantity,
        x.label,
        short(x.lo),
        short(x.hi),
        y.label,
        short(y.lo),
        short(y.hi)
    );
    let finite = plot.values.iter().copied().filter(|v| v.is_finite());
    if let (Some(lo), Some(hi)) = (finite.clone().reduce(f64::min), finite.reduce(f64::max)) {
        s.push_str(&format!(" It ranges from {} to {}.", short(lo), short(hi)));
    }
    for path in &plot.paths {
        if let (Some(a), Some(b)) = (path.points.first(), path.points.last()) {
            s.push_str(&format!(
                " {}: {} steps from ({}, {}) to ({}, {}).",
                path.label,
                path.points.len() - 1,
                short(a.0),
                short(a.1),
                short(b.0),
                short(b.1)
            ));
        }
    }
    s
}

/// A phase diagram in words: where each configuration sits relative to the critical line.
#[cfg(feature = "phase-plot")]
fn phase_summary(plot: &PhasePlot) -> String {
    let mut s = format!("{}.", plot.title);
    for p in &plot.points {
        let (x, y) = p.at;
        let critical = plot
            .critical
            .iter()
            .min_by(|a, b| (a.1 - y).abs().total_cmp(&(b.1 - y).abs()))
            .map(|c| c.0);
        let side = match critical {
            Some(c) if (x - c).abs() <= 0.02 * c => "on the critical line",
            Some(c) if x < c => "in the ordered phase",
            Some(_) => "in the chaotic phase",
            None => "off the diagram",
        };
        s.push_str(&format!(
            " {} at σ_w² = {}, σ_b² = {}: {side}.",
            p.label,
            short(x),
            short(y)
        ));
    }
    s
}

/// A heat map in words: its extent, the last row's first and last layer, and where the
/// first `inf` or `NaN` appeared.
#[cfg(feature = "heat-plot")]
fn heat_summary(plot: &HeatPlot) -> String {
    if plot.y_axis.is_some() {
        return histogram_summary(plot);
    }
    let rows = plot.rows();
    if rows == 0 || plot.cols == 0 {
        return format!("{}. Nothing recorded yet.", plot.title);
    }
    let last = &plot.values[(rows - 1) * plot.cols..];
    let mut s = format!(
        "{}. {} layers over {} {}s to {} {}. At the last, layer 1 has {} and layer {} has {}.",
        plot.title,
        plot.cols,
        plot.x_label,
        rows,
        plot.x_label,
        plot.last_x(),
        short(last[0]),
        plot.cols,
        short(last[plot.cols - 1])
    );
    let first_bad = plot
        .values
        .iter()
        .position(|v| !v.is_finite())
        .map(|i| (i / plot.cols, i % plot.cols));
    if let Some((r, c)) = first_bad {
        let v = plot.values[r * plot.cols + c];
        s.push_str(&format!(
            " {} first at {} {}, layer {}.",
            short(v),
            plot.x_label,
            plot.first_x + r * plot.x_stride,
            c + 1
        ));
    }
    s
}

/// Histograms per layer in words: where the first and the last layer's values mostly lie.
#[cfg(feature = "heat-plot")]
fn histogram_summary(plot: &HeatPlot) -> String {
    let (rows, cols) = (plot.rows(), plot.cols);
    let Some(axis) = plot.y_axis.as_ref().filter(|_| rows > 0 && cols > 0) else {
        return format!("{}. Nothing measured.", plot.title);
    };
    let mode = |r: usize| {
        let (centre, share) = plot.mode(r).unwrap_or((f64::NAN, 0.0));
        format!(
            "near {} ({}% of them)",
            bin_value(centre, axis.decades),
            short(100.0 * share)
        )
    };
    let last = plot.first_x + (rows - 1) * plot.x_stride;
    format!(
        "{}. {rows} layers. Most of layer {}'s values lie {}; most of layer {last}'s {}.",
        plot.title,
        plot.first_x,
        mode(0),
        mode(rows - 1)
    )
}

/// A histogram bin's centre as words: a power of ten to a quarter decade on a log axis.
pub fn bin_value(centre: f64, decades: bool) -> String {
    if decades {
        format!("1e{}", js((centre * 4.0).round() / 4.0))
    } else {
        short(centre)
    }
}

/// One sentence on a layer plot: how the live curve runs from the first position to the
/// last, and where it hits `inf`, `NaN` or 0.
fn layer_summary(plot: &LayerPlot) -> String {
    let Some(live) = plot.curves.iter().find(|c| c.role == Role::Live) else {
        return plot.title.clone();
    };
    let (first, last) = (plot.first_layer, plot.last_layer());
    let a = live.values.first().map_or(f64::NAN, |v| v.abs());
    let b = live.values.last().map_or(f64::NAN, |v| v.abs());
    let verb = if a.is_nan() || b.is_nan() {
        "goes"
    } else if b < a {
        "shrinks"
    } else if b > a {
        "grows"
    } else {
        "stays the same"
    };
    let x = plot.x_name;
    let mut s = format!(
        "{}. {} {verb} from {} at {x} {first} to {} at {x} {last}.",
        plot.title,
        live.label,
        short(a),
        short(b)
    );
    let runs = points::runs(live.values, first, plot.x_stride, plot.scale);
    for mark in Mark::ALL {
        if let Some(words) = points::describe(&runs, mark, last, x) {
            s.push(' ');
            s.push_str(&words);
            s.push('.');
        }
    }
    s
}
