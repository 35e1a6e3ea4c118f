//! The recurrent lab's values, typed: the one neuron's descents, and the engine's
//! [`RnnSpec`] with what the view does with it. The engine clamps what it cannot train
//! ([`RnnSpec::sanitized`]: the memory kept for back-propagation through time) in that one
//! place; [`Settings::adjustments`] says so in words.

use super::{
    Act, CellKind, Neuron, Precision, Start, Task, ACT, B, BASELINE, BATCH, CELL, FORGET, FORMAT,
    GAIN, HIDDEN, INIT, LENGTH, NEURON, PATH_CLIP, PATH_LR, PATH_STEPS, RHO, SAMPLES, TASK, W,
};
use crate::app::lab::{ClipMode, Speed, Toggle, CLIP, CLIP_MAX, LR, MOMENTUM, SEED, SPEED, STEPS};
use crate::app::params::Values;
use crate::app::shared::SCALE;
use crate::plot::Scale;
use crate::sim::NumberFormat;
use crate::train::rnn::neuron::Recurrence;
use crate::train::rnn::spec::{
    Cell, RecAct, RnnInit, RnnSpec, SeqTask, MAX_HIDDEN, MAX_KEPT, MAX_LENGTH,
};
use crate::train::Clip;

/// The longest a step may take on the page's thread, as [`step_ms`] predicts it
/// ([`Settings::trained`] lowers the batch and then the hidden size to fit).
pub const PAGE_STEP_MS: f64 = 25.0;

/// The multiply-adds of one forward pass of `s`: `T × batch × hidden × (hidden + inputs)`,
/// times 4 for the LSTM's four gates (the backward pass costs about twice as much again).
pub fn work(s: &RnnSpec) -> f64 {
    let gates = match s.cell {
        Cell::Rnn(_) => 1.0,
        Cell::Lstm => 4.0,
    };
    let (t, b, h) = (s.length as f64, s.batch as f64, s.hidden as f64);
    t * b * h * (h + s.task.inputs() as f64) * gates
}

/// A step's time in milliseconds, predicted from its [`work`] at the rates measured in
/// Chromium on the benchmark's machine: at a batch of 32 or more, 4.4 million multiply-adds
/// a millisecond for the plain RNN and 2.2 million for the LSTM (its gates counted), and
/// slower with smaller batches, as `√(batch/32)` (a batch of 1 runs about a fifth as fast
/// per multiply-add: its products are matrix-vector ones). It is a model, not a
/// measurement: the same on every computer, so that a URL trains the same run everywhere.
pub fn step_ms(s: &RnnSpec) -> f64 {
    let rate = match s.cell {
        Cell::Rnn(_) => 4.4e6,
        Cell::Lstm => 2.2e6,
    };
    let batch = (s.batch as f64 / 32.0).min(1.0);
    work(s) / (rate * batch.sqrt())
}

/// The one neuron's descents on its loss surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Descents {
    /// The recurrence.
    pub recurrence: Recurrence,
    /// Where both start, `(w, b)`.
    pub start: (f64, f64),
    /// Their learning rate.
    pub lr: f64,
    /// The clipped one's threshold.
    pub clip: f64,
    /// Their updates.
    pub steps: usize,
}

/// Everything the lab's values say.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// The one neuron's part.
    pub descents: Descents,
    /// What to train, as asked for (the engine trains its [`RnnSpec::sanitized`] form).
    pub spec: RnnSpec,
    /// The steps to show: trained on load, then paused.
    pub steps: u64,
    /// How fast playing goes.
    pub speed: Speed,
    /// The y axes of the plots against time step and step.
    pub scale: Scale,
}

impl Settings {
    /// Reads the settings from the view's values.
    pub fn from_values(v: &Values) -> Settings {
        let act = match v.of(&ACT) {
            Act::Tanh => RecAct::Tanh,
            Act::Sigmoid => RecAct::Sigmoid,
            Act::Relu => RecAct::Relu,
            Act::Linear => RecAct::Linear,
        };
        let samples = v.of(&SAMPLES);
        let batch = match v.of(&BATCH) {
            0 => samples,
            b => b,
        };
        Settings {
            descents: Descents {
                recurrence: match v.of(&NEURON) {
                    Neuron::Sigmoid => Recurrence::Sigmoid,
                    Neuron::Linear => Recurrence::Linear,
                },
                start: (v.of(&W), v.of(&B)),
                lr: v.of(&PATH_LR),
                clip: v.of(&PATH_CLIP),
                steps: v.of(&PATH_STEPS),
            },
            spec: RnnSpec {
                cell: match v.of(&CELL) {
                    CellKind::Rnn => Cell::Rnn(act),
                    CellKind::Lstm => Cell::Lstm,
                },
                hidden: v.of(&HIDDEN),
                length: v.of(&LENGTH),
                task: match v.of(&TASK) {
                    Task::Adding => SeqTask::Adding,
                    Task::Order => SeqTask::TemporalOrder,
                    Task::First => SeqTask::FirstSign,
                },
                init: match v.of(&INIT) {
                    Start::Default => RnnInit::PyTorch,
                    Start::Spectral => RnnInit::Spectral { rho: v.of(&RHO) },
                    Start::Orthogonal => RnnInit::Orthogonal { gain: v.of(&GAIN) },
                    Start::Identity => RnnInit::Identity { gain: v.of(&GAIN) },
                },
                forget_bias: v.of(&FORGET),
                format: match v.of(&FORMAT) {
                    Precision::F32 => NumberFormat::F32,
                    Precision::F64 => NumberFormat::F64,
                },
                samples,
                batch,
                lr: v.of(&LR),
                momentum: v.of(&MOMENTUM),
                clip: match v.of(&CLIP) {
                    ClipMode::Off => Clip::Off,
                    ClipMode::Norm => Clip::Norm(v.of(&CLIP_MAX)),
                    ClipMode::Value => Clip::Value(v.of(&CLIP_MAX)),
                },
                seed: v.of(&SEED),
                baseline: v.of(&BASELINE) == Toggle::On,
            },
            steps: v.of(&STEPS),
            speed: v.of(&SPEED),
            scale: v.of(&SCALE),
        }
    }

    /// What is trained: the spec brought into range by the engine ([`RnnSpec::sanitized`]).
    /// Trained on the page's thread (not `away` in a worker), the batch, and if need be the
    /// hidden size, are then lowered until a step is predicted to take at most
    /// [`PAGE_STEP_MS`] ([`step_ms`]): one step is the smallest piece a run can be cut into.
    pub fn trained(&self, away: bool) -> RnnSpec {
        let mut s = self.spec.sanitized();
        if away {
            return s;
        }
        // Below `PAGE_STEP_MS`, the batch first (about 40 tries at most), then the hidden size.
        while s.batch > 1 && step_ms(&s) > PAGE_STEP_MS {
            s.batch -= (s.batch / 8).max(1);
        }
        while s.hidden > 1 && step_ms(&s) > PAGE_STEP_MS {
            s.hidden -= 1;
        }
        s
    }

    /// Each way what the engine trains differs from what the values ask for, in words: the
    /// batch (and then the hidden size) lowered so that the activations kept for
    /// back-propagation through time stay within [`MAX_KEPT`] values, a batch larger than
    /// the data set, and, on the page's thread (not `away`), the batch lowered so that a
    /// step fits it.
    pub fn adjustments(&self, away: bool) -> Vec<String> {
        let (asked, used) = (self.spec, self.spec.sanitized());
        let mut out = Vec::new();
        let capped = RnnSpec {
            batch: asked.batch.min(used.samples),
            ..used
        };
        if capped.batch != asked.batch {
            out.push(format!(
                "A batch holds at most the {} sequences of the data set; trained with {}.",
                used.samples, capped.batch
            ));
        }
        if used.batch != capped.batch || used.hidden != asked.hidden.min(MAX_HIDDEN) {
            let k = asked.cell.kept_per_step();
            out.push(format!(
                "Back-propagation through time keeps every time step's activations, T × batch × hidden{} values: {} as asked, at most {}; that lowers the batch to {} (hidden size {}).",
                if k > 1 { format!(" × {k}") } else { String::new() },
                capped.kept_values(),
                MAX_KEPT,
                used.batch,
                used.hidden
            ));
        }
        let trained = self.trained(away);
        if trained != used {
            out.push(format!(
                "One step of this network would take about {} ms, too long for the page's thread, which it trains on where no background worker can; trained with batch {} and hidden size {}, about {} ms a step.",
                crate::app::numbers::short(step_ms(&used).round()),
                trained.batch,
                trained.hidden,
                crate::app::numbers::short(step_ms(&trained).round())
            ));
        }
        if used.length != asked.length.min(MAX_LENGTH) {
            out.push(format!(
                "The temporal order problem needs at least {} time steps; trained with T = {}.",
                used.length, used.length
            ));
        }
        out
    }

    /// Whether the values ask for the same run (the same spec): a change of the descents,
    /// the speed or the axes keeps the run.
    pub fn same_run(&self, other: &Settings) -> bool {
        self.spec == other.spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::params::Values;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let mut v = Values::defaults(super::super::PARAMS);
        for (k, x) in pairs {
            v.set_raw(k, x);
        }
        Settings::from_values(&v)
    }

    #[test]
    fn a_step_on_the_page_stays_within_its_time_and_the_benchmarks_are_untouched() {
        for cell in ["rnn", "lstm"] {
            let s = settings(&[
                ("cell", cell),
                ("hidden", "256"),
                ("length", "1000"),
                ("batch", "2048"),
                ("samples", "2048"),
            ]);
            let t = s.trained(false);
            assert_eq!(t.batch, 1, "{cell}");
            assert!(t.hidden < 256, "{cell}");
            assert!(step_ms(&t) <= PAGE_STEP_MS, "{cell}");
            // Not lower than needed: one more unit would pass the limit.
            let more = RnnSpec {
                hidden: t.hidden + 1,
                ..t
            };
            assert!(step_ms(&more) > PAGE_STEP_MS, "{cell}");
            let words = s.adjustments(false).join(" ");
            assert_eq!(
                s.trained(true),
                s.spec.sanitized(),
                "a worker trains it whole"
            );
            assert!(!s.adjustments(true).join(" ").contains("page's thread"));
            assert!(words.contains("lowers the batch to"), "{words}");
            let said = format!("trained with batch 1 and hidden size {}", t.hidden);
            assert!(words.contains(&said), "{words}");
        }
        // The benchmark's workloads train as asked.
        for pairs in [
            &[("hidden", "128"), ("length", "100"), ("batch", "32")][..],
            &[
                ("cell", "lstm"),
                ("hidden", "64"),
                ("length", "100"),
                ("batch", "32"),
            ][..],
        ] {
            let s = settings(pairs);
            assert_eq!(s.trained(false), s.spec.sanitized(), "{pairs:?}");
            assert!(s.adjustments(false).is_empty(), "{pairs:?}");
        }
    }
}
