//! A training run: the main model, the optional baseline with learning rate 0, the batches,
//! the records, and the halt when every parameter has become NaN.

use super::chain::ChainModel;
use super::mlp::MlpModel;
use super::model::Model;
use super::optim::{Detail, Hyper};
use super::records::{EventKind, LayerProfile, Origin, Records, StepScalars};
use super::spec::{ModelSpec, TrainSpec};
use super::task::{Batches, Dataset};
use crate::sim::format::NumberFormat;
use half::{bf16, f16};

/// Why and where training stopped itself: after step [`step`](Self::step)'s update every
/// parameter was NaN, so no later step could change anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Halt {
    /// The step (numbered from 1) after whose update every parameter was NaN.
    pub step: u64,
    /// The first step after whose update some parameter was NaN.
    pub first_nan_step: u64,
    /// Where it started: the first step with a non-finite activation, loss or gradient, and
    /// the place (for the lecture's chain of events, the first layer whose activation
    /// overflowed). `None` only if parameters turned NaN without one (not seen in practice).
    pub origin: Option<Origin>,
}

/// A training run: the main model and, optionally, a baseline copy trained with learning rate
/// 0 on the very same batches (in the same order). With learning rate 0 the baseline's
/// parameters never change, so it needs no backward pass, and each sample's part of its
/// loss is computed once, at construction (with the full data set, the loss itself): its
/// loss on a batch is then those parts added up in the forward pass's order, the same bits
/// as a forward pass would give. Its loss shows how much the loss moves by itself, from
/// batch to batch.
///
/// Construction allocates every buffer a step needs, so steps allocate nothing (the history
/// grows until it reaches its capacity, then stays). It costs one initialisation: for the
/// orthogonal init, a QR factorisation per layer, `O(width³)` each.
///
/// Steps are numbered from 1: step `s` evaluates the loss of the parameters after `s − 1`
/// updates on its batch, back-propagates, clips, and makes update `s` (see
/// [`crate::train::records`]).
pub struct Session {
    spec: TrainSpec,
    hyper: Hyper,
    main: Box<dyn Model>,
    baseline: Option<Box<dyn Model>>,
    /// The baseline's loss on the full data set, which never changes once computed.
    baseline_full_loss: Option<f64>,
    batches: Batches,
    steps: u64,
    halt: Option<Halt>,
    origin: Option<Origin>,
    first_nan_step: Option<u64>,
    records: Records,
    profile: Vec<LayerProfile>,
    /// A step begun by [`Session::begin`]: whether it loaded a new batch.
    begun: Option<bool>,
}

impl Session {
    /// A new run of `spec`, brought into range first ([`TrainSpec::sanitized`]). Generates
    /// the data set, initialises the parameters and allocates every buffer a step needs.
    pub fn new(spec: &TrainSpec) -> Session {
        let spec = spec.sanitized();
        let data = Dataset::generate(spec.task, spec.samples, spec.noise, spec.seed);
        let batches = Batches::new(data.len(), spec.batch, spec.seed);
        let b = batches.size();
        let momentum = spec.momentum > 0.0;
        let main: Box<dyn Model> = match spec.model {
            ModelSpec::Chain(c) => match c.format {
                NumberFormat::F16 => {
                    Box::new(ChainModel::<f16>::new(&c, &data, b, momentum, spec.seed))
                }
                NumberFormat::Bf16 => {
                    Box::new(ChainModel::<bf16>::new(&c, &data, b, momentum, spec.seed))
                }
                NumberFormat::F32 => {
                    Box::new(ChainModel::<f32>::new(&c, &data, b, momentum, spec.seed))
                }
                NumberFormat::F64 => {
                    Box::new(ChainModel::<f64>::new(&c, &data, b, momentum, spec.seed))
                }
            },
            ModelSpec::Mlp(m) => match m.format {
                NumberFormat::F64 => {
                    Box::new(MlpModel::<f64>::new(&m, &data, b, momentum, spec.seed))
                }
                _ => Box::new(MlpModel::<f32>::new(&m, &data, b, momentum, spec.seed)),
            },
        };
        let depth = spec.layers();
        Session {
            baseline: spec.baseline.then(|| {
                let mut b = main.duplicate();
                // With the full data set the baseline's loss is computed once anyway.
                if batches.size() < data.len() {
                    b.freeze();
                }
                b
            }),
            hyper: Hyper {
                lr: spec.lr,
                momentum: spec.momentum,
                clip: spec.clip,
            },
            main,
            baseline_full_loss: None,
            batches,
            steps: 0,
            halt: None,
            origin: None,
            first_nan_step: None,
            records: Records::new(depth, spec.baseline),
            profile: vec![LayerProfile::default(); depth],
            begun: None,
            spec,
        }
    }

    /// The spec as this run uses it (after [`TrainSpec::sanitized`]).
    pub fn spec(&self) -> &TrainSpec {
        &self.spec
    }

    /// Runs one step and records every per-layer profile. Returns `false`, and does
    /// nothing, once training has halted.
    pub fn step(&mut self) -> bool {
        self.step_with(true)
    }

    /// Runs up to `n` steps, stopping early if training halts; returns how many ran. This is
    /// the hot path: the per-layer gradient norms are computed only on the steps that the
    /// history records and on steps whose gradient is not finite (so the halting step has
    /// them), the full per-layer profiles only for the last step run; every other step
    /// computes its scalars only (loss, total gradient norm, clip factor), which costs
    /// `O(parameters)` beside the forward and backward passes. The full profiles cost a few
    /// passes over the activations and parameters (sums in 4 fixed partial sums), small beside
    /// a step even when every call runs a single step.
    pub fn run(&mut self, n: u64) -> u64 {
        for i in 0..n {
            if !self.step_with(i + 1 == n) {
                return i;
            }
        }
        n
    }

    /// Begins the next step, with every per-layer profile: loads its batch and runs its
    /// forward pass, so that the rest of it ([`step`](Self::step) or [`run`](Self::run)
    /// finishes it) can run in another frame. The bits are those of an undivided step.
    /// Returns `false`, and does nothing, once training has halted or while a step is
    /// begun.
    pub fn begin(&mut self) -> bool {
        if self.halt.is_some() || self.begun.is_some() {
            return false;
        }
        let new_batch = self.next_batch();
        self.main.forward_ahead();
        self.begun = Some(new_batch);
        true
    }

    /// Loads the next batch, if the batches change from step to step; returns whether.
    fn next_batch(&mut self) -> bool {
        match self.batches.next_batch() {
            Some(idx) => {
                self.main.load_batch(idx);
                if let Some(b) = &mut self.baseline {
                    b.load_batch(idx);
                }
                true
            }
            None => false,
        }
    }

    fn step_with(&mut self, full: bool) -> bool {
        if self.halt.is_some() {
            return false;
        }
        let s = self.steps + 1;
        let (new_batch, full) = match self.begun.take() {
            Some(new_batch) => (new_batch, true),
            None => (self.next_batch(), full),
        };
        // Once a value has gone non-finite, training halts within a step or two: profile
        // every step from then on, so the halting step's profile is the one shown.
        let full = full || self.origin.is_some();
        let detail = if full {
            Detail::Full
        } else if self.records.due(s) {
            Detail::Grads
        } else {
            Detail::Scalars
        };
        let out = self.main.step(&self.hyper, detail, &mut self.profile);
        let baseline_loss = match (&mut self.baseline, self.baseline_full_loss) {
            (Some(_), Some(loss)) if !new_batch => Some(loss),
            (Some(b), _) => {
                let loss = b.loss();
                if !new_batch {
                    self.baseline_full_loss = Some(loss);
                }
                Some(loss)
            }
            (None, _) => None,
        };
        let rec = &mut self.records;
        if let Some(place) = out.place {
            self.origin.get_or_insert(Origin { step: s, place });
            rec.event(s, EventKind::NonFinite(place));
        }
        if !out.loss.is_finite() {
            rec.event(s, EventKind::LossNonFinite);
        }
        if out.applied.total.is_nan() {
            rec.event(s, EventKind::GradientNan);
        }
        if out.applied.health.any_nan {
            self.first_nan_step.get_or_insert(s);
            rec.event(s, EventKind::SomeParametersNan);
        }
        let halting = out.applied.health.all_nan;
        if halting {
            rec.event(s, EventKind::AllParametersNan);
            self.halt = Some(Halt {
                step: s,
                first_nan_step: self.first_nan_step.unwrap_or(s),
                origin: self.origin,
            });
        }
        rec.record(
            StepScalars {
                step: s,
                loss: out.loss,
                baseline_loss,
                grad_total: out.applied.total,
                clip_coef: out.applied.coef,
            },
            &self.profile,
            halting,
            full,
        );
        self.steps += 1;
        true
    }

    /// The number of steps run.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Why and where training stopped itself, once it has.
    pub fn halt(&self) -> Option<Halt> {
        self.halt
    }

    /// The history, the latest profiles and the events.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// The number of layers recorded: the chain's depth, or the MLP's hidden layers plus
    /// its output layer.
    pub fn depth(&self) -> usize {
        self.profile.len()
    }

    /// The main model's current parameters as `f64` (exactly their values in the format):
    /// the chain's `[w_1, b_1, w_2, b_2, …]`; the MLP's `W_1` (row-major, shape
    /// `(fan_out, fan_in)`), `b_1`, `W_2`, `b_2`, ….
    pub fn parameters(&self) -> Vec<f64> {
        self.main.parameters()
    }

    /// The baseline's parameters (which never change), if the run has a baseline.
    pub fn baseline_parameters(&self) -> Option<Vec<f64>> {
        self.baseline.as_ref().map(|b| b.parameters())
    }
}
