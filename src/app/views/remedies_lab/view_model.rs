//! The remedies lab's model: up to four configurations, each measured at initialisation
//! (recomputed only when its own spec changes) and set against theory, and trained side by
//! side, in step, on the same batches.

use super::config::{self, Config};
use super::plots::{self, Series};
use super::{
    Hist, Letter, Panel, ALPHA, CONFIGS, COPY, DEPTH, FORMAT, HIST, REMOVE, SEEDS, SHOW, WIDTH,
};
use crate::app::lab::diagnosis::{diagnose, Diagnosis, Finding, VANISHING_RATIO};
use crate::app::lab::engine::{next_generation, pace, trains_away, Engine};
use crate::app::lab::player::{frame, press, Player, Trainer};
use crate::app::lab::{LabSettings, Speed, PLAY, STEPS};
use crate::app::numbers::short;
use crate::app::params::Values;
use crate::app::typed::Choice;
use crate::app::view::{Job, JobSpec, Measure, News, Readout, Tick, ViewModel};
use crate::plot::{PhasePoint, Plot, Scale, Theme};
use crate::sim::NumberFormat;
use crate::train::probe::{probe, LayerStats, Probe};
use crate::train::theory;
use crate::train::{Activation, LayerProfile, ModelSpec, Norm, Records, TrainSpec};
use std::fmt::Write;

/// Readout keys, one per configuration (`a-rms-first` …), so each is a `'static` name.
macro_rules! keys {
    ($suffix:literal) => {
        [
            concat!("a-", $suffix),
            concat!("b-", $suffix),
            concat!("c-", $suffix),
            concat!("d-", $suffix),
        ]
    };
}

const CONFIG: [&str; 4] = keys!("config");
const RMS_FIRST: [&str; 4] = keys!("rms-first");
const RMS_LAST: [&str; 4] = keys!("rms-last");
const RMS_LAST_THEORY: [&str; 4] = keys!("rms-last-theory");
const GRAD_FIRST: [&str; 4] = keys!("grad-first");
const GRAD_LAST: [&str; 4] = keys!("grad-last");
const CHI1: [&str; 4] = keys!("chi1");
const DEPTH_SCALE: [&str; 4] = keys!("depth-scale");
const TRAINABLE: [&str; 4] = keys!("trainable-depth");
const LOSS: [&str; 4] = keys!("loss");
const DIAGNOSIS: [&str; 4] = keys!("diagnosis");
const FINDING: [&str; 4] = keys!("finding");

/// A signal or gradient changing more than this factor from the first hidden layer to the
/// last at initialisation is called exploding (or, below its inverse, vanishing).
const AT_INIT_FACTOR: f64 = 1.0 / VANISHING_RATIO;

/// The shared settings.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Shared {
    depth: usize,
    width: usize,
    alpha: f64,
    format: NumberFormat,
    seeds: usize,
    show: usize,
    gradients: bool,
    steps: u64,
    speed: Speed,
    scale: Scale,
    /// Everything but the model: task, data, batches, optimiser, seed.
    base: TrainSpec,
}

impl Shared {
    fn from_values(v: &Values) -> Shared {
        let lab = LabSettings::from_values(v);
        Shared {
            depth: v.of(&DEPTH),
            width: v.of(&WIDTH),
            alpha: v.of(&ALPHA),
            format: v.of(&FORMAT).format(),
            seeds: v.of(&SEEDS),
            show: Letter::ALL
                .iter()
                .position(|l| *l == v.of(&SHOW))
                .expect("every letter is listed"),
            gradients: v.of(&HIST) == Hist::Gradients,
            steps: lab.steps,
            speed: lab.speed,
            scale: lab.scale,
            base: TrainSpec {
                task: lab.task,
                samples: lab.samples,
                batch: lab.batch,
                lr: lab.lr,
                momentum: lab.momentum,
                seed: lab.seed,
                baseline: false,
                ..TrainSpec::default()
            },
        }
    }
}

/// One configuration in use.
struct Slot {
    config: Config,
    spec: TrainSpec,
    /// The statistics at initialisation, for `spec` over `seeds` seeds.
    probe: Probe,
    seeds: usize,
    series: Series,
    /// The training run, here or away, made on the first step (measuring at
    /// initialisation needs none).
    session: Option<Engine>,
    /// The per-layer profile of step 1, once it has run.
    initial: Option<Vec<LayerProfile>>,
    finding: Finding,
}

impl Slot {
    /// A configuration measured here.
    fn new(letter: usize, config: Config, spec: TrainSpec, seeds: usize) -> Slot {
        Slot::measured(letter, config, spec, probe(&spec, seeds))
    }

    /// A configuration with its measurement at initialisation (made here or away).
    fn measured(letter: usize, config: Config, spec: TrainSpec, probe: Probe) -> Slot {
        let seeds = probe.seeds;
        let mlp = mlp_of(&spec);
        let laws = theory::predict(&mlp, probe.input_dim, probe.input_ms);
        let series = Series::of(upper(letter), config.describe(), &probe, &laws);
        let mut slot = Slot {
            session: None,
            config,
            spec,
            probe,
            seeds,
            series,
            initial: None,
            finding: Finding {
                diagnosis: Diagnosis::Untrained,
                text: String::new(),
            },
        };
        slot.diagnose();
        slot
    }

    /// The diagnosis: once trained, the training lab's rules on this run (which judge
    /// vanishing at step 1, as the lecture does); before, what the statistics at
    /// initialisation say.
    fn diagnose(&mut self) {
        self.finding = match self.session.as_ref().filter(|s| s.steps() > 0) {
            Some(s) => diagnose(s.records(), s.halt(), self.initial.as_deref(), s.spec().lr),
            None => at_init(&self.probe, self.config.norm),
        };
    }

    fn diagnosis(&self) -> Diagnosis {
        self.finding.diagnosis
    }

    fn steps(&self) -> u64 {
        self.session.as_ref().map_or(0, Engine::steps)
    }

    fn halted(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.halt().is_some())
    }

    fn records(&self) -> Option<&Records> {
        self.session.as_ref().map(Engine::records)
    }

    /// Runs up to `n` steps here; the first step alone, so its per-layer profile is kept.
    fn run(&mut self, n: u64) -> u64 {
        if n == 0 || self.halted() {
            return 0;
        }
        let spec = self.spec;
        let Some(session) = self
            .session
            .get_or_insert_with(|| Engine::new(&spec, false))
            .here()
        else {
            return 0;
        };
        let ran = if session.steps() == 0 {
            let first = u64::from(session.step());
            self.initial = session.records().latest().map(|l| l.layers.clone());
            first + session.run(n - 1)
        } else {
            session.run(n)
        };
        self.diagnose();
        ran
    }

    /// Shows the states its worker sent up to step `limit` (see [`Engine::release`]); the
    /// first one (after step 1) gives the profile kept as the start.
    fn release(&mut self, limit: u64) -> bool {
        let Some(engine) = self.session.as_mut() else {
            return false;
        };
        let initial = &mut self.initial;
        let shown = engine.release(limit, |records| {
            if initial.is_none() {
                *initial = records.latest().map(|l| l.layers.clone());
            }
        });
        if shown {
            self.diagnose();
        }
        shown
    }

    /// The step of the newest state its worker sent, and whether it stopped itself.
    fn received(&self) -> (u64, bool) {
        let steps = self.session.as_ref().map_or(0, Engine::received_steps);
        (steps, self.halted())
    }

    /// The hidden layers' `(σ_w², σ_b²)` and `χ₁` of the plain layer map.
    fn mean_field(&self) -> (f64, f64, f64) {
        let m = mlp_of(&self.spec);
        let gain2 = m.gain.map_or(m.activation.gain_squared(), |g| g * g);
        let (sw2, sb2) = m.init.mean_field(gain2, m.width, m.width);
        (sw2, sb2, theory::chi1(m.activation, sw2, sb2))
    }
}

/// The diagnosis at initialisation, from the first hidden layer to the last: exploding
/// where a value is not finite, or the signal's RMS or the gradient grows more than a
/// hundredfold; vanishing where either shrinks that much; healthy otherwise. A gradient that
/// grows toward the first layers while normalisation keeps the forward signal is named as
/// what it is: BatchNorm does that at initialisation (Yang et al., 2019), and only training
/// shows whether it hurts.
fn at_init(p: &Probe, norm: Norm) -> Finding {
    let hidden = &p.layers[..p.layers.len().saturating_sub(1).max(1)];
    let (first, last) = (&hidden[0], &hidden[hidden.len() - 1]);
    let n = hidden.len();
    let bad = p
        .layers
        .iter()
        .any(|l| l.nonfinite > 0.0 || !l.grad_norm.is_finite() || !l.act_ms.is_finite());
    let signal = (last.act_ms / first.act_ms).sqrt();
    let gradient = first.grad_norm / last.grad_norm;
    let signal_words = format!(
        "the signal's RMS goes from {} at layer 1 to {} at layer {n}",
        short(first.act_ms.sqrt()),
        short(last.act_ms.sqrt())
    );
    let gradient_words = format!(
        "layer 1's gradient is {} times layer {n}'s",
        short(gradient)
    );
    let (diagnosis, text) = if bad {
        (
            Diagnosis::Exploding,
            "a value is already inf or NaN".to_string(),
        )
    } else if signal > AT_INIT_FACTOR {
        (Diagnosis::Exploding, signal_words)
    } else if signal < 1.0 / AT_INIT_FACTOR {
        (Diagnosis::Vanishing, signal_words)
    } else if gradient > AT_INIT_FACTOR && norm != Norm::None {
        (
            Diagnosis::Exploding,
            format!(
                "the gradient explodes toward the first layers ({gradient_words}) while the normalisation keeps the forward signal ({signal_words}); normalising over the batch does this in deep networks (Yang et al., 2019), and training shows whether it hurts"
            ),
        )
    } else if gradient > AT_INIT_FACTOR {
        (Diagnosis::Exploding, gradient_words.clone())
    } else if gradient < 1.0 / AT_INIT_FACTOR || gradient.is_nan() {
        (Diagnosis::Vanishing, gradient_words.clone())
    } else {
        (
            Diagnosis::Healthy,
            format!("{signal_words}, and {gradient_words}"),
        )
    };
    Finding { diagnosis, text }
}

fn mlp_of(spec: &TrainSpec) -> crate::train::MlpSpec {
    match spec.model {
        ModelSpec::Mlp(m) => m,
        ModelSpec::Chain(_) => unreachable!("the remedies lab trains MLPs"),
    }
}

fn upper(i: usize) -> &'static str {
    ["A", "B", "C", "D"][i]
}

/// A configuration waiting to be measured at initialisation.
struct Pending {
    slot: usize,
    config: Config,
    spec: TrainSpec,
    seeds: usize,
    /// Which measurement it is, away: an older one's result is dropped.
    generation: u32,
}

/// The remedies lab as the shell sees it.
pub struct RemediesModel {
    shared: Shared,
    slots: [Option<Slot>; 4],
    /// Configurations changed by the reader and waiting to be measured, in slot order:
    /// away, each in a worker; here, one or more per frame, so a change never holds the
    /// page for all four at once. The page shows the previous state until all are measured.
    pending: Vec<Pending>,
    player: Player,
    /// Whether the configurations train away from the page.
    away: bool,
    /// Whether the last measurement away arrived since the last frame.
    received: bool,
}

/// The remedies lab's model for `values`, training `steps` steps first.
pub fn model(values: &Values) -> Box<dyn ViewModel> {
    let mut m = RemediesModel {
        shared: Shared::from_values(values),
        slots: [None, None, None, None],
        pending: Vec::new(),
        player: Player::default(),
        away: trains_away(),
        received: false,
    };
    m.rebuild(values, true);
    if !m.away {
        m.measure_pending(&|| 0.0, f64::INFINITY);
    }
    Box::new(m)
}

impl RemediesModel {
    /// Brings every slot to the values: a slot whose spec or seeds changed is queued to be
    /// measured and started again (all of them with `restart`); the others keep their
    /// state. [`measure_pending`](Self::measure_pending) does the measuring.
    fn rebuild(&mut self, values: &Values, restart: bool) {
        let shared = self.shared;
        let before = std::mem::take(&mut self.pending);
        for (i, param) in CONFIGS.iter().enumerate() {
            let Some(config) = config::read(&values.of(param)).0 else {
                self.slots[i] = None;
                continue;
            };
            let spec = TrainSpec {
                model: ModelSpec::Mlp(config.spec(
                    shared.depth,
                    shared.width,
                    shared.alpha,
                    shared.format,
                )),
                ..shared.base
            }
            .sanitized();
            let keep = !restart
                && self.slots[i]
                    .as_ref()
                    .is_some_and(|s| s.spec == spec && s.seeds == shared.seeds);
            if keep {
                if let Some(s) = &mut self.slots[i] {
                    s.config = config;
                    s.series.words = config.describe();
                }
            } else {
                // A measurement already on its way is not asked for again.
                let generation = before
                    .iter()
                    .find(|p| p.slot == i && p.spec == spec && p.seeds == shared.seeds)
                    .map_or_else(next_generation, |p| p.generation);
                self.pending.push(Pending {
                    slot: i,
                    config,
                    spec,
                    seeds: shared.seeds,
                    generation,
                });
            }
        }
        if restart {
            self.player.target = (shared.steps > 0).then_some(shared.steps);
        }
    }

    /// Measures queued configurations, at least one, then more while `now()` stays within
    /// `budget_ms` of the start; returns whether it measured any.
    fn measure_pending(&mut self, now: &dyn Fn() -> f64, budget_ms: f64) -> bool {
        let start = now();
        let mut measured = false;
        while !self.pending.is_empty() && (!measured || now() - start < budget_ms) {
            let p = self.pending.remove(0);
            self.slots[p.slot] = Some(Slot::new(p.slot, p.config, p.spec, p.seeds));
            measured = true;
        }
        measured
    }

    fn active(&self) -> impl Iterator<Item = (usize, &Slot)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
    }

    /// Each configuration's steps and whether it stopped itself, for runs away.
    fn runs(&self) -> Vec<(u64, bool)> {
        self.active()
            .map(|(_, s)| (s.steps(), s.halted()))
            .collect()
    }

    /// A frame away: the configurations train in workers, in step; the frame aims them
    /// (starting their runs once there is a step to reach) and takes in what they sent.
    fn tick_away(&mut self, values: &mut Values) -> Tick {
        let runs = self.runs();
        let aim = self.player.aim(&runs, self.shared.speed);
        if aim > 0 {
            for slot in self.slots.iter_mut().flatten() {
                let spec = slot.spec;
                slot.session.get_or_insert_with(|| Engine::new(&spec, true));
            }
        }
        let received: Vec<(u64, bool)> = self.active().map(|(_, s)| s.received()).collect();
        let limit = self.player.shown_up_to(&received);
        let mut shown = false;
        for slot in self.slots.iter_mut().flatten() {
            shown |= slot.release(limit);
        }
        let runs = self.runs();
        if shown {
            // Aimed again from the steps now shown: a step asked for and reached is done
            // in this frame, so the page comes to rest with it.
            self.player.aim(&runs, self.shared.speed);
        }
        values.set_number_of(&STEPS, self.steps() as f64);
        self.shared.steps = values.of(&STEPS);
        Tick {
            changed: shown || std::mem::take(&mut self.received),
            worked: false,
            more: self.player.active() || self.player.waiting(&runs),
        }
    }

    /// The shown configuration, or the first in use.
    fn shown(&self) -> Option<(usize, &Slot)> {
        match &self.slots[self.shared.show] {
            Some(s) => Some((self.shared.show, s)),
            None => self.active().next(),
        }
    }
}

impl Trainer for RemediesModel {
    fn steps(&self) -> u64 {
        self.active().map(|(_, s)| s.steps()).max().unwrap_or(0)
    }

    /// Every configuration that has not stopped runs `n` steps, in turn.
    fn run(&mut self, n: u64) -> u64 {
        self.slots
            .iter_mut()
            .flatten()
            .map(|s| s.run(n))
            .max()
            .unwrap_or(0)
    }

    /// Every configuration stopped itself (none is waiting to be measured).
    fn halted(&self) -> bool {
        self.pending.is_empty() && self.active().all(|(_, s)| s.halted())
    }

    fn reset(&mut self, values: &Values) {
        self.shared.steps = 0;
        self.rebuild(values, true);
    }
}

impl ViewModel for RemediesModel {
    fn update(&mut self, values: &Values, _previous: &Values) {
        let next = Shared::from_values(values);
        // A step asked for is where the run stops, also when it was playing (playing
        // writes the step it reached into the shared settings, and a preset sets them).
        let asked = next.steps != self.shared.steps;
        // (Against the step asked before, not the runs': runs away may have gone on since
        // the values last heard of them.)
        let restart = next.base != self.shared.base || (asked && next.steps < self.steps());
        self.shared = next;
        self.rebuild(values, restart);
        if !restart && asked && next.steps > self.steps() {
            self.player.target = Some(next.steps);
        }
        if asked {
            self.player.playing = false;
        }
    }

    fn tick(&mut self, values: &mut Values, now: &dyn Fn() -> f64, budget_ms: f64) -> Tick {
        // Changed configurations are measured before any training goes on, a frame or
        // more apart; the plots change once all are measured, so they never set a measured
        // configuration beside one still at the old settings.
        if self.away && !self.pending.is_empty() {
            // Measured away: the workers' results wake the page.
            return Tick {
                changed: false,
                worked: false,
                more: false,
            };
        }
        if !self.away && self.measure_pending(now, budget_ms) {
            return Tick {
                changed: self.pending.is_empty(),
                worked: false,
                more: true,
            };
        }
        if self.away {
            return self.tick_away(values);
        }
        let speed = self.shared.speed;
        let (tick, steps) = frame(self, |m| &mut m.player, speed, values, now, budget_ms);
        self.shared.steps = steps;
        tick
    }

    fn busy(&self) -> bool {
        self.player.target.is_some()
            || !self.pending.is_empty()
            || (self.away && self.player.waiting(&self.runs()))
    }

    fn jobs(&self) -> Vec<Job> {
        self.active()
            .filter_map(|(i, s)| {
                let engine = s.session.as_ref()?;
                Some(Job {
                    run: i,
                    generation: engine.generation()?,
                    spec: JobSpec::Mlp(*engine.spec()),
                    target: self.player.aimed(),
                    asked: self.player.target.is_some(),
                    playing: self.player.playing,
                })
            })
            .collect()
    }

    fn receive(&mut self, run: usize, news: News) -> bool {
        self.slots
            .get_mut(run)
            .and_then(Option::as_mut)
            .and_then(|s| s.session.as_mut())
            .is_some_and(|e| e.receive(news))
    }

    fn measures(&self) -> Vec<Measure> {
        if !self.away {
            return Vec::new();
        }
        self.pending
            .iter()
            .map(|p| Measure {
                run: p.slot,
                generation: p.generation,
                spec: p.spec,
                seeds: p.seeds,
            })
            .collect()
    }

    fn measured(&mut self, run: usize, generation: u32, probe: &[f64]) -> bool {
        let Some(at) = self
            .pending
            .iter()
            .position(|p| p.slot == run && p.generation == generation)
        else {
            return false;
        };
        let Some(probe) = Probe::from_wire(probe) else {
            return false;
        };
        let p = self.pending.remove(at);
        self.slots[p.slot] = Some(Slot::measured(p.slot, p.config, p.spec, probe));
        // Drawn once all are in, as when measured here.
        self.received |= self.pending.is_empty();
        true
    }

    fn bring_home(&mut self) {
        self.away = false;
        for slot in self.slots.iter_mut().flatten() {
            if let Some(engine) = &mut slot.session {
                engine.bring_home();
            }
        }
    }

    fn action(&mut self, key: &str, values: &mut Values) -> bool {
        let shown = &CONFIGS[self.shared.show];
        let empty = |values: &Values, i: usize| values.of(&CONFIGS[i]).is_empty();
        // The shell sees the values change and updates the model.
        if key == COPY.key {
            let text = values.of(shown);
            let free = (0..CONFIGS.len()).find(|&i| empty(values, i));
            return match (text.is_empty(), free) {
                (false, Some(free)) => {
                    values.set_raw(CONFIGS[free].key(), &text);
                    values.set_choice(&SHOW, Letter::ALL[free]);
                    true
                }
                _ => false,
            };
        }
        if key == REMOVE.key {
            values.set_raw(shown.key(), "");
            if let Some(other) = (0..CONFIGS.len()).find(|&i| !empty(values, i)) {
                values.set_choice(&SHOW, Letter::ALL[other]);
            }
            return true;
        }
        press(self, |m| &mut m.player, key, values)
    }

    /// A preset shows its networks at initialisation; Play trains them.
    fn preset_applied(&mut self, values: &Values) {
        self.shared = Shared::from_values(values);
        self.player.playing = false;
        self.rebuild(values, true);
    }

    /// The α slider only shows while a configuration uses it.
    fn applies(&self, key: &str) -> bool {
        // Configurations still being measured count as in use.
        let slider = |c: &Config| c.residual == Some(config::Alpha::Slider);
        key != ALPHA.key()
            || self.active().any(|(_, s)| slider(&s.config))
            || self.pending.iter().any(|p| slider(&p.config))
    }

    fn toggled(&self, action: &str) -> Option<(&'static str, bool)> {
        (action == PLAY.key).then_some(self.player.play_button())
    }

    fn plot(&self, panel: usize, theme: &Theme) -> Plot<'_> {
        let all: Vec<(usize, &Series)> = self.active().map(|(i, s)| (i, &s.series)).collect();
        let scale = self.shared.scale;
        match Panel::at(panel) {
            Panel::Signal => Plot::Layers(plots::signal(&all, self.shared.show, scale, theme)),
            Panel::Gradients => Plot::Layers(plots::gradients(&all, scale, theme)),
            Panel::Histogram => match self.shown() {
                Some((_, s)) => {
                    Plot::Heat(plots::histogram(&s.series, &s.probe, self.shared.gradients))
                }
                None => Plot::Layers(plots::gradients(&[], scale, theme)),
            },
            Panel::Phase => Plot::Phase(plots::phase(
                self.active()
                    .filter(|(_, s)| s.config.act == Activation::Tanh)
                    .map(|(i, s)| {
                        let (sw2, sb2, _) = s.mean_field();
                        PhasePoint {
                            label: upper(i).into(),
                            at: (sw2, sb2),
                            color: theme.series[i],
                        }
                    })
                    .collect(),
            )),
            Panel::Loss => {
                let runs: Vec<_> = self
                    .active()
                    .filter_map(|(i, s)| s.records().map(|r| (i, upper(i), r)))
                    .collect();
                Plot::Layers(plots::loss(&runs, scale, theme))
            }
        }
    }

    fn note(&self, panel: usize) -> String {
        let seeds = match self.shared.seeds {
            1 => "one draw of the weights".to_string(),
            n => format!("the mean of {n} draws of the weights"),
        };
        let at_init = matches!(
            Panel::at(panel),
            Panel::Signal | Panel::Gradients | Panel::Histogram
        );
        match Panel::at(panel) {
            _ if at_init && self.away && !self.pending.is_empty() => {
                let letters: Vec<&str> = self.pending.iter().map(|p| upper(p.slot)).collect();
                format!(
                    "Measuring {} at initialisation ({seeds}) in the background; the plots change once all are measured.",
                    letters.join(", ")
                )
            }
            Panel::Signal => format!(
                "Solid: measured on {} samples at initialisation ({seeds}); dashed: what mean-field theory predicts; faint: how far a network of this width may stray from it (two standard deviations) for {}.",
                self.shown().map_or(0, |(_, s)| s.probe.samples),
                self.shown().map_or("none", |(i, _)| upper(i)),
            ),
            Panel::Gradients => {
                let mut text = String::from("The gradient each layer's parameters receive at initialisation; dashed: the prediction, pinned to the output layer's measured value.");
                if self
                    .active()
                    .any(|(_, s)| matches!(s.config.norm, crate::train::Norm::Batch(_)))
                {
                    text.push_str(" The law for BatchNorm treats each sample alone; normalising a batch together makes the gradient grow toward the first layers of a deep network at initialisation (Yang et al., 2019), as measured here.");
                }
                text
            }
            Panel::Histogram => {
                let mut text = String::from("One column per layer: the colour is the share of values in each bin (log scale). Outputs bunching at 0 mean a vanishing signal; at ±1, saturated tanh or sigmoid units.");
                if let Some((i, s)) = self.shown() {
                    let layers = &s.probe.layers;
                    let last = layers.len().saturating_sub(2);
                    let _ = write!(
                        text,
                        " {}: layer 1 has {}; layer {} has {}.",
                        upper(i),
                        layer_stats(&layers[0]),
                        last + 1,
                        layer_stats(&layers[last])
                    );
                }
                text
            }
            Panel::Phase => "For tanh networks: left of the line a perturbation, and the gradient, shrinks by χ₁ < 1 per layer; right of it, it grows. About 6ξ layers can be trained, ξ = −1/ln χ₁.".into(),
            Panel::Loss => {
                let mut text = String::from("Every configuration learns the same data from the same batches, in the same order.");
                // The slowest configuration sets the pace of all four.
                let slowest = self
                    .active()
                    .filter_map(|(_, s)| s.session.as_ref()?.step_ms())
                    .reduce(f64::max);
                if let Some(pace) = pace(slowest) {
                    text.push(' ');
                    text.push_str(&pace);
                }
                text
            }
        }
    }

    /// Only the histogram shows a single configuration; the other panels set several side
    /// by side, and no single verdict fits them.
    fn badge(&self, panel: usize) -> Option<(&'static str, &'static str)> {
        let (_, s) = self
            .shown()
            .filter(|_| Panel::at(panel) == Panel::Histogram)?;
        Some((s.diagnosis().key(), s.diagnosis().label()))
    }

    /// Every slot has the same readouts, in the same order, whether it is in use or not.
    fn readouts(&self) -> Vec<Readout> {
        let mut out = vec![Readout::number("steps", "Steps", self.steps() as f64)];
        for (i, slot) in self.slots.iter().enumerate() {
            let l = upper(i);
            let label = |key: &str| format!("{l}: {}", key_words(key));
            let Some(s) = slot else {
                for key in [
                    CONFIG[i],
                    RMS_FIRST[i],
                    RMS_LAST[i],
                    RMS_LAST_THEORY[i],
                    GRAD_FIRST[i],
                    GRAD_LAST[i],
                    CHI1[i],
                    DEPTH_SCALE[i],
                    TRAINABLE[i],
                    LOSS[i],
                    DIAGNOSIS[i],
                    FINDING[i],
                ] {
                    out.push(Readout::text(key, &label(key), "none"));
                }
                continue;
            };
            let hidden = s.probe.layers.len() - 1;
            let last = hidden.max(1) - 1;
            let (_, _, chi1) = s.mean_field();
            let loss = match s.records().and_then(Records::latest) {
                Some(latest) => latest.loss,
                None => s.probe.loss,
            };
            out.push(Readout::text(
                CONFIG[i],
                &label(CONFIG[i]),
                &config::write(&s.config),
            ));
            for (key, v) in [
                (RMS_FIRST[i], s.series.rms[0]),
                (RMS_LAST[i], s.series.rms[last]),
                (RMS_LAST_THEORY[i], s.series.rms_law[last]),
                (GRAD_FIRST[i], s.series.grad[0]),
                (GRAD_LAST[i], s.series.grad[last]),
                (CHI1[i], chi1),
                (DEPTH_SCALE[i], theory::depth_scale(chi1)),
                (TRAINABLE[i], 6.0 * theory::depth_scale(chi1)),
                (LOSS[i], loss),
            ] {
                out.push(Readout::number(key, &label(key), v));
            }
            out.push(Readout::text(
                DIAGNOSIS[i],
                &label(DIAGNOSIS[i]),
                s.diagnosis().key(),
            ));
            let when = match s.steps() {
                0 => "At initialisation".to_string(),
                n => format!("After {n} steps"),
            };
            out.push(Readout::text(
                FINDING[i],
                &label(FINDING[i]),
                &format!("{when}: {}", s.finding.text),
            ));
        }
        out
    }

    fn announcement(&self) -> String {
        let parts: Vec<String> = self
            .active()
            .map(|(i, s)| format!("{} {}", upper(i), s.diagnosis().label()))
            .collect();
        format!("Step {}: {}.", self.steps(), parts.join(", "))
    }

    fn hover_text(&self, panel: usize, x: usize) -> String {
        let panel = Panel::at(panel);
        let mut s = match panel {
            Panel::Loss => format!("step {x}:"),
            Panel::Phase => return String::new(),
            Panel::Signal | Panel::Gradients | Panel::Histogram => format!("layer {x}:"),
        };
        for (i, slot) in self.active() {
            let v = match panel {
                Panel::Signal => slot.series.rms.get(x.wrapping_sub(1)).copied(),
                Panel::Gradients => slot.series.grad.get(x.wrapping_sub(1)).copied(),
                Panel::Histogram => {
                    if Some(i) != self.shown().map(|(i, _)| i) {
                        continue;
                    }
                    if let Some(l) = slot.probe.layers.get(x.wrapping_sub(1)) {
                        let _ = write!(s, " {}", layer_stats(l));
                    }
                    continue;
                }
                Panel::Loss | Panel::Phase => {
                    let Some(r) = slot.records() else {
                        continue;
                    };
                    let stride = r.stride().max(1) as usize;
                    let first = r.steps().first().copied().unwrap_or(0) as usize;
                    r.loss().get(x.saturating_sub(first) / stride).copied()
                }
            };
            if let Some(v) = v {
                let _ = write!(s, " {} {}", upper(i), short(v));
            }
        }
        s
    }

    fn csv(&self) -> String {
        let mut s = String::from("section,configuration,x,value\n");
        for (i, slot) in self.active() {
            let l = upper(i);
            for (section, values) in [
                ("rms", &slot.series.rms),
                ("rms_theory", &slot.series.rms_law),
                ("grad_norm", &slot.series.grad),
                ("grad_norm_theory", &slot.series.grad_law),
            ] {
                for (k, v) in values.iter().enumerate() {
                    let _ = writeln!(s, "{section},{l},{},{}", k + 1, crate::app::numbers::js(*v));
                }
            }
            if let Some(r) = slot.records() {
                for (step, v) in r.steps().iter().zip(r.loss()) {
                    let _ = writeln!(s, "loss,{l},{step},{}", crate::app::numbers::js(*v));
                }
            }
        }
        s
    }

    fn file_stem(&self) -> String {
        format!("remedies-n{}-w{}", self.shared.depth, self.shared.width)
    }

    fn title(&self) -> String {
        let parts: Vec<String> = self
            .active()
            .map(|(i, s)| format!("{} {}", upper(i), s.config.describe()))
            .collect();
        format!(
            "Remedies at depth {}: {}",
            self.shared.depth,
            parts.join("; ")
        )
    }
}

/// A layer's outputs in words: mean, standard deviation, and the saturated or dead share.
fn layer_stats(l: &LayerStats) -> String {
    let mut s = format!("mean {}, std {}", short(l.act_mean), short(l.act_std));
    if l.saturated > 0.0 {
        let _ = write!(s, ", {}% saturated", short(100.0 * l.saturated));
    }
    if l.dead > 0.0 {
        let _ = write!(s, ", {}% dead", short(100.0 * l.dead));
    }
    s
}

/// The words of a readout key's suffix.
fn key_words(key: &str) -> &'static str {
    match &key[2..] {
        "config" => "configuration",
        "rms-first" => "RMS, layer 1",
        "rms-last" => "RMS, last hidden layer",
        "rms-last-theory" => "RMS, last hidden layer, theory",
        "grad-first" => "gradient norm, layer 1",
        "grad-last" => "gradient norm, last hidden layer",
        "chi1" => "χ₁ of the layer map",
        "depth-scale" => "depth scale ξ",
        "trainable-depth" => "trainable depth, about 6ξ",
        "loss" => "loss",
        "finding" => "why",
        _ => "diagnosis",
    }
}

#[cfg(test)]
mod tests {
    use super::super::PARAMS;
    use super::*;
    use std::cell::Cell;

    fn values_of(readouts: &[Readout], key: &str) -> String {
        readouts
            .iter()
            .find(|r| r.key == key)
            .map(|r| r.value.clone())
            .expect("a readout")
    }

    fn trained(pairs: &[(&str, &str)]) -> Box<dyn ViewModel> {
        let mut values = Values::defaults(PARAMS);
        for (k, v) in pairs {
            values.set_raw(k, v);
        }
        let mut m = model(&values);
        while m.busy() {
            m.tick(&mut values, &|| 0.0, f64::INFINITY);
        }
        m
    }

    #[test]
    fn on_the_critical_line_chi1_is_exactly_one_and_the_depth_scale_infinite() {
        let m = trained(&[("a", "tanh,normal,sw:1"), ("depth", "20"), ("width", "16")]);
        let r = m.readouts();
        // tanh at σ_w² = 1, σ_b² = 0, and ReLU with He's init (B by default).
        for letter in ["a", "b"] {
            assert_eq!(values_of(&r, &format!("{letter}-chi1")), "1");
            assert_eq!(values_of(&r, &format!("{letter}-depth-scale")), "Infinity");
        }
    }

    #[test]
    fn batchnorm_is_judged_by_its_training_once_trained_and_explained_before() {
        // The defaults at initialisation: C's gradient grows about 2,000-fold toward layer 1
        // while BatchNorm holds its signal, and the words say both.
        let m = trained(&[]);
        let r = m.readouts();
        let finding = values_of(&r, "c-finding");
        assert_eq!(values_of(&r, "c-diagnosis"), "exploding");
        assert!(finding.starts_with("At initialisation: the gradient explodes"));
        assert!(finding.contains("keeps the forward signal"), "{finding}");
        assert!(finding.contains("Yang et al., 2019"), "{finding}");
        // Once trained, C is judged by its run (the end-to-end test plays the issue's
        // default, where C ends with the lowest loss of the four).
        let m = trained(&[("depth", "8"), ("width", "16"), ("steps", "100")]);
        let r = m.readouts();
        assert_eq!(values_of(&r, "c-diagnosis"), "healthy");
        assert!(values_of(&r, "c-finding").starts_with("After 100 steps: Healthy"));
        // Panels that set several configurations side by side carry no single verdict.
        for panel in [0, 1, 3, 4] {
            assert_eq!(m.badge(panel), None, "panel {panel}");
        }
        assert!(m.badge(2).is_some());
    }

    #[test]
    fn every_slot_has_the_same_readouts_in_use_or_not() {
        let names = |m: &dyn ViewModel| -> Vec<String> {
            m.readouts()
                .iter()
                .map(|r| format!("{}={}", r.key, r.label))
                .collect()
        };
        let full = trained(&[("depth", "8"), ("width", "16")]);
        let empty = trained(&[("depth", "8"), ("width", "16"), ("a", ""), ("c", "")]);
        assert_eq!(names(&*full), names(&*empty));
        assert_eq!(values_of(&empty.readouts(), "a-trainable-depth"), "none");
        assert_eq!(values_of(&empty.readouts(), "b-config"), "relu,he");
    }

    #[test]
    fn a_change_is_measured_one_configuration_a_frame_redrawn_once_and_ends_as_a_fresh_model() {
        let mut values = Values::defaults(PARAMS);
        values.set_raw("depth", "8");
        values.set_raw("width", "16");
        let mut m = model(&values);
        let before = m.readouts();
        let previous = values.clone();
        values.set_raw("depth", "12");
        m.update(&values, &previous);
        assert!(m.busy(), "four configurations wait to be measured");
        assert_eq!(
            m.readouts(),
            before,
            "each shows its previous state until measured"
        );
        // A clock that moves 10 ms at every reading: one configuration fills a frame.
        let clock = Cell::new(0.0);
        let now = || {
            clock.set(clock.get() + 10.0);
            clock.get()
        };
        let fresh = model(&values).readouts();
        for (frame, letter) in ["a", "b", "c", "d"].iter().enumerate() {
            let tick = m.tick(&mut values, &now, 8.0);
            assert!(tick.more && !tick.worked, "frame {frame}");
            // The plots are drawn again once, when the last is measured.
            assert_eq!(tick.changed, frame == 3, "frame {frame}");
            let key = format!("{letter}-rms-last");
            assert_eq!(values_of(&m.readouts(), &key), values_of(&fresh, &key));
            if let Some(next) = ["b", "c", "d"].get(frame) {
                let key = format!("{next}-rms-last");
                assert_eq!(values_of(&m.readouts(), &key), values_of(&before, &key));
            }
        }
        assert!(!m.busy());
        assert_eq!(m.readouts(), fresh);
    }
}
