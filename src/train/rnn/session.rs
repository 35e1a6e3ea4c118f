//! A recurrent training run: the network, the optional learning-rate-0 baseline, the data
//! set and its batches, the records, and the halt at the first non-finite value.

use super::net::{engine, Engine};
use super::records::{RnnRecords, Row};
use super::singular::PowerIteration;
use super::spec::RnnSpec;
use super::tasks::SeqData;
use crate::train::optim::Hyper;
use crate::train::task::Batches;

/// The relative change at which the records' power iteration stops.
const SIGMA_TOL: f64 = 1e-10;
/// The most power iterations per recorded row.
const SIGMA_ITERATIONS: usize = 200;

/// Where in a step a value first became non-finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pass {
    /// A pre-activation of the forward pass (the RNN's `W·h_(t-1) + U·x_t + b`, the LSTM's
    /// gates' `z_t`; every state is finite while these are).
    Forward,
    /// Every state was finite, but the outputs or the loss were not.
    Loss,
    /// The forward pass and the loss were finite, but a gradient with respect to a state
    /// (`∂L/∂h_t`, the LSTM's `∂L/∂c_t`) was not.
    Backward,
    /// Every gradient with respect to a state was finite, but the parameters' gradient (its
    /// norm) was not.
    Gradient,
    /// Every gradient was finite, but the update made a parameter non-finite.
    Update,
}

/// Where a run halted: the first step at which a value became non-finite. That step runs to
/// its end (its update applied, as PyTorch would) and is recorded; no step runs after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RnnHalt {
    /// The step (numbered from 1).
    pub step: u64,
    /// The time step `t` (`1..=T`, the state `h_t`) at which it happened, when inside the
    /// pass through time: the first `t` of the forward pass, or the latest `t` the backward
    /// pass reached (it runs from `T` down to 1).
    pub time: Option<usize>,
    /// Which part of the step.
    pub pass: Pass,
}

/// A recurrent training run. Construction generates the data set, initialises the
/// parameters and allocates the buffers a step needs.
///
/// With a baseline, a copy of the initial parameters is evaluated on every step's batch
/// (learning rate 0: it never changes, so each sequence's loss term is computed once, the
/// first time a batch holds it, and each batch's loss added up from the terms in the order
/// of the forward pass: the bits of a forward pass, at the cost of about one forward pass
/// per step during the first epoch and none after).
pub struct RnnSession {
    spec: RnnSpec,
    hyper: Hyper,
    data: SeqData,
    batches: Batches,
    /// The current batch's sequences.
    batch_idx: Vec<usize>,
    main: Box<dyn Engine>,
    baseline: Option<Box<dyn Engine>>,
    /// The recurrent matrix the current step evaluates, as `f64`, and the power iteration
    /// that measures it.
    w: Vec<f64>,
    power: PowerIteration,
    steps: u64,
    halt: Option<RnnHalt>,
    records: RnnRecords,
}

impl RnnSession {
    /// A new run of `spec`, brought into range first ([`RnnSpec::sanitized`]).
    pub fn new(spec: &RnnSpec) -> RnnSession {
        let spec = spec.sanitized();
        let data = SeqData::generate(spec.task, spec.samples, spec.length, spec.seed);
        let batches = Batches::new(spec.samples, spec.batch, spec.seed);
        let batch_idx: Vec<usize> = (0..spec.batch).collect();
        let mut main = engine(&spec);
        if spec.batch == spec.samples {
            // The whole data set, every step: loaded once.
            main.load_batch(&data, &batch_idx);
        }
        let rows = spec.cell.recurrent_rows(spec.hidden);
        RnnSession {
            hyper: Hyper {
                lr: spec.lr,
                momentum: spec.momentum,
                clip: spec.clip,
            },
            baseline: spec.baseline.then(|| main.duplicate()),
            main,
            data,
            batches,
            batch_idx,
            w: vec![0.0; rows * spec.hidden],
            power: PowerIteration::new(rows, spec.hidden),
            steps: 0,
            halt: None,
            records: RnnRecords::new(spec.length, spec.baseline),
            spec,
        }
    }

    /// The spec as this run uses it (after [`RnnSpec::sanitized`]).
    pub fn spec(&self) -> &RnnSpec {
        &self.spec
    }

    /// The data set.
    pub fn data(&self) -> &SeqData {
        &self.data
    }

    /// Runs one step: loads its batch, runs forward, back-propagation through time, clipping
    /// and the update, and records it. Returns `false`, and does nothing, once the run has
    /// halted.
    pub fn step(&mut self) -> bool {
        if self.halt.is_some() {
            return false;
        }
        let s = self.steps + 1;
        if let Some(idx) = self.batches.next_batch() {
            self.batch_idx.copy_from_slice(idx);
            self.main.load_batch(&self.data, &self.batch_idx);
        }
        self.main.recurrent(&mut self.w);
        let out = self.main.step(&self.hyper);
        let baseline_loss = self
            .baseline
            .as_mut()
            .map(|b| b.frozen_loss(&self.data, &self.batch_idx));
        if let Some((pass, time)) = out.fault {
            self.halt = Some(RnnHalt {
                step: s,
                time,
                pass,
            });
        }
        let force = self.halt.is_some();
        let sigma_max = if self.records.due(s) || force {
            self.power.largest(&self.w, SIGMA_TOL, SIGMA_ITERATIONS)
        } else {
            f64::NAN
        };
        let row = Row {
            step: s,
            loss: out.loss,
            baseline_loss,
            accuracy: out.accuracy,
            grad_total: out.total,
            clip_coef: out.coef,
            sigma_max,
        };
        self.records.record(row, self.main.time_grads(), force);
        self.steps = s;
        true
    }

    /// Runs up to `n` steps, stopping early if the run halts; returns how many ran.
    pub fn run(&mut self, n: u64) -> u64 {
        for i in 0..n {
            if !self.step() {
                return i;
            }
        }
        n
    }

    /// The number of steps run.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Where the run halted, once it has.
    pub fn halt(&self) -> Option<RnnHalt> {
        self.halt
    }

    /// The history and the profiles through time.
    pub fn records(&self) -> &RnnRecords {
        &self.records
    }

    /// The network's current parameters as `f64` (exactly their values in the format), in
    /// the order `W`, `U`, `b`, `V`, `c` (see [`crate::train::rnn::net`]).
    pub fn parameters(&self) -> Vec<f64> {
        self.main.parameters()
    }
}
