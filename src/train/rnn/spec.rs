//! What the recurrent lab trains: the cell, its size, the sequence task, the init, the
//! optimiser and the seed, with their ranges.

use crate::sim::format::NumberFormat;
use crate::train::spec::{Clip, MAX_LR, MIN_LR};

/// The most hidden units.
pub const MAX_HIDDEN: usize = 256;
/// The longest sequence `T`.
pub const MAX_LENGTH: usize = 1_000;
/// The most sequences in a data set.
pub const MAX_SAMPLES: usize = 2_048;
/// The most values the forward pass keeps for back-propagation through time,
/// `length × batch × hidden × k` ([`RnnSpec::kept_values`]): 32 MB in `f32`, 64 MB in `f64`.
pub const MAX_KEPT: usize = 1 << 23;
/// The largest `|gain|` of the orthogonal and identity inits, and the largest `rho`.
pub const MAX_GAIN: f64 = 10.0;
/// The largest `|forget_bias|`.
pub const MAX_FORGET_BIAS: f64 = 10.0;

/// Everything that defines a recurrent training run. Same spec, same bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RnnSpec {
    /// The recurrent cell.
    pub cell: Cell,
    /// Hidden units `H`, from 1 to [`MAX_HIDDEN`].
    pub hidden: usize,
    /// Sequence length `T`, from 1 to [`MAX_LENGTH`] (2 for [`SeqTask::TemporalOrder`]).
    pub length: usize,
    /// The task.
    pub task: SeqTask,
    /// How the recurrent matrix starts (the other weights and biases always start as
    /// PyTorch's).
    pub init: RnnInit,
    /// The LSTM's forget-gate bias at the start (every unit's); PyTorch starts it like any
    /// other bias, Gers et al. (2000) and Jozefowicz et al. (2015) at 1, our default.
    /// Ignored by the plain RNN.
    pub forget_bias: f64,
    /// `F32` or `F64`; the 16-bit formats are trained as `F32`.
    pub format: NumberFormat,
    /// Sequences in the data set, from 1 to [`MAX_SAMPLES`].
    pub samples: usize,
    /// Sequences per step, from 1 to `samples` (lowered further by the memory cap, see
    /// [`RnnSpec::sanitized`]).
    pub batch: usize,
    /// The learning rate: exactly 0, or from [`MIN_LR`] to [`MAX_LR`].
    pub lr: f64,
    /// SGD momentum `μ` from 0 to 1, with PyTorch's semantics (`v = μ·v + g`,
    /// `p -= lr·v`); 0 turns it off.
    pub momentum: f64,
    /// Gradient clipping, PyTorch's (see [`Clip`]).
    pub clip: Clip,
    /// The seed of every random number the run draws.
    pub seed: u64,
    /// Also evaluate a copy of the initial parameters (learning rate 0) on every step's
    /// batch, for the baseline loss.
    pub baseline: bool,
}

impl Default for RnnSpec {
    /// A tanh RNN of 32 units on the adding problem with `T = 50`, PyTorch's init, `f32`,
    /// 512 sequences in batches of 32, learning rate 0.01, no momentum, no clipping, seed 1,
    /// with a baseline.
    fn default() -> Self {
        RnnSpec {
            cell: Cell::Rnn(RecAct::Tanh),
            hidden: 32,
            length: 50,
            task: SeqTask::Adding,
            init: RnnInit::PyTorch,
            forget_bias: 1.0,
            format: NumberFormat::F32,
            samples: 512,
            batch: 32,
            lr: 0.01,
            momentum: 0.0,
            clip: Clip::Off,
            seed: 1,
            baseline: true,
        }
    }
}

/// The recurrent cell (see [`crate::train::rnn::net`] for the exact equations).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cell {
    /// The plain ("vanilla", Elman) RNN `h_t = f(W·h_(t-1) + U·x_t + b)` with its activation.
    Rnn(RecAct),
    /// The LSTM, PyTorch's `nn.LSTM` (gates i, f, g, o).
    Lstm,
}

impl Cell {
    /// Every cell: the RNN with each activation, then the LSTM.
    pub const ALL: [Cell; 5] = [
        Cell::Rnn(RecAct::Tanh),
        Cell::Rnn(RecAct::Sigmoid),
        Cell::Rnn(RecAct::Relu),
        Cell::Rnn(RecAct::Linear),
        Cell::Lstm,
    ];

    /// How many `batch × hidden` arrays the forward pass keeps per time step for
    /// back-propagation: 1 for the RNN (`h_t`), 6 for the LSTM (`i`, `f`, `g`, `o`, `c_t`,
    /// `h_t`).
    pub fn kept_per_step(self) -> usize {
        match self {
            Cell::Rnn(_) => 1,
            Cell::Lstm => 6,
        }
    }

    /// The rows of the recurrent matrix: `H` for the RNN's `W`, `4H` for the LSTM's stacked
    /// `W_hh`.
    pub fn recurrent_rows(self, hidden: usize) -> usize {
        match self {
            Cell::Rnn(_) => hidden,
            Cell::Lstm => 4 * hidden,
        }
    }
}

/// The plain RNN's activation `f`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RecAct {
    /// `tanh` (PyTorch's default, and ours).
    #[default]
    Tanh,
    /// `1/(1 + e^(-z))`.
    Sigmoid,
    /// `max(0, z)` (a NaN stays NaN).
    Relu,
    /// The identity.
    Linear,
}

impl RecAct {
    /// The bound `γ` on `|f'|` of Pascanu et al. (2013): 1 for tanh, ReLU and the identity,
    /// 1/4 for the sigmoid. A largest singular value `λ₁ < 1/γ` of `W` makes the gradient
    /// through time vanish; `λ₁ > 1/γ` is necessary for it to explode.
    pub fn gamma(self) -> f64 {
        match self {
            RecAct::Sigmoid => 0.25,
            RecAct::Tanh | RecAct::Relu | RecAct::Linear => 1.0,
        }
    }
}

/// How the recurrent matrix (the RNN's `W`, each of the LSTM's four `H × H` gate blocks of
/// `W_hh`) starts. Every other weight and bias starts as PyTorch's, `U(−√k, √k)` with
/// `k = 1/hidden` (see [`crate::train::rnn::init`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RnnInit {
    /// PyTorch's default: `U(−√k, √k)`, `k = 1/hidden`.
    PyTorch,
    /// A standard normal matrix scaled so that its largest singular value is exactly `rho`.
    Spectral {
        /// The largest singular value, from 0 to [`MAX_GAIN`].
        rho: f64,
    },
    /// `gain·Q`, `Q` the orthogonal factor of a standard normal matrix (PyTorch's
    /// `orthogonal_`), so `WᵀW = gain²·I`.
    Orthogonal {
        /// The factor, from `−MAX_GAIN` to [`MAX_GAIN`].
        gain: f64,
    },
    /// `gain·I` (Le, Jaitly and Hinton 2015 with ReLU and gain 1: the IRNN).
    Identity {
        /// The factor, from `−MAX_GAIN` to [`MAX_GAIN`].
        gain: f64,
    },
}

/// The sequence task (see [`crate::train::rnn::tasks`] for the exact definitions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeqTask {
    /// The adding problem: regress the sum of the two marked values (MSE).
    Adding,
    /// Temporal order: which of A and B came first and second, four classes (cross-entropy).
    TemporalOrder,
    /// Remember the sign of the first input, two classes (cross-entropy).
    FirstSign,
}

impl SeqTask {
    /// Every task.
    pub const ALL: [SeqTask; 3] = [Self::Adding, Self::TemporalOrder, Self::FirstSign];

    /// Input channels per time step: 2, 6, 1.
    pub fn inputs(self) -> usize {
        match self {
            SeqTask::Adding => 2,
            SeqTask::TemporalOrder => 6,
            SeqTask::FirstSign => 1,
        }
    }

    /// Outputs of the readout: 1 for the adding problem, else the number of classes (4, 2).
    pub fn outputs(self) -> usize {
        match self {
            SeqTask::Adding => 1,
            SeqTask::TemporalOrder => 4,
            SeqTask::FirstSign => 2,
        }
    }

    /// Whether the task is a classification (softmax cross-entropy) rather than a
    /// regression (mean squared error).
    pub fn is_classification(self) -> bool {
        self != SeqTask::Adding
    }

    /// The loss of knowing nothing about the sequence: the adding problem's expected squared
    /// error of always predicting 1, `Var(a + b) = 2/12 = 1/6` (for `T ≥ 2`; at `T = 1` the
    /// target is twice one value and the variance 1/3); the cross-entropy of uniform
    /// probabilities, `ln 4` and `ln 2`.
    pub fn chance_loss(self) -> f64 {
        match self {
            SeqTask::Adding => 1.0 / 6.0,
            SeqTask::TemporalOrder => 4f64.ln(),
            SeqTask::FirstSign => 2f64.ln(),
        }
    }

    /// The accuracy of guessing: 1/4 and 1/2; `None` for the adding problem (a regression).
    pub fn chance_accuracy(self) -> Option<f64> {
        match self {
            SeqTask::Adding => None,
            SeqTask::TemporalOrder => Some(0.25),
            SeqTask::FirstSign => Some(0.5),
        }
    }

    /// The shortest sequence the task is defined for: 2 for temporal order (two distinct
    /// positions), else 1.
    pub fn min_length(self) -> usize {
        match self {
            SeqTask::TemporalOrder => 2,
            SeqTask::Adding | SeqTask::FirstSign => 1,
        }
    }
}

impl RnnSpec {
    /// The values the forward pass keeps for back-propagation through time:
    /// `length × batch × hidden × k`, `k` = [`Cell::kept_per_step`] (1 for the RNN, 6 for
    /// the LSTM).
    pub fn kept_values(&self) -> usize {
        self.length * self.batch * self.hidden * self.cell.kept_per_step()
    }

    /// This spec brought into range, as [`RnnSession::new`] uses it:
    ///
    /// - `hidden` clamped to `1..=MAX_HIDDEN`; `length` to `min_length..=MAX_LENGTH`
    ///   ([`SeqTask::min_length`]); `samples` to `1..=MAX_SAMPLES`; `batch` to `1..=samples`;
    /// - `F16` and `Bf16` become `F32`;
    /// - a non-finite `rho`, `gain` or `forget_bias` becomes 1; `rho` is clamped to
    ///   `0..=MAX_GAIN`, `gain` to `±MAX_GAIN`, `forget_bias` to `±MAX_FORGET_BIAS`;
    /// - the learning rate: a non-finite or non-positive one becomes 0, any other is clamped
    ///   to `MIN_LR..=MAX_LR`; `momentum` (non-finite: 0) to `[0, 1]`; a clipping threshold
    ///   to at least `1e-12` (its absolute value, for clipping by value), and a non-finite
    ///   one turns clipping off;
    /// - **the memory cap**: while [`kept_values`](Self::kept_values) exceeds [`MAX_KEPT`],
    ///   the batch is lowered to `MAX_KEPT / (length × hidden × k)` (at least 1), and if a
    ///   batch of 1 is still over, `hidden` to `MAX_KEPT / (length × k)`. Within the ranges
    ///   above only the batch is ever lowered (at `T = 1000`, `H = 256`: 32 sequences for the
    ///   RNN, 5 for the LSTM).
    ///
    /// [`RnnSession::new`]: crate::train::rnn::session::RnnSession::new
    pub fn sanitized(&self) -> RnnSpec {
        let mut s = *self;
        let finite_or = |v: f64, d: f64| if v.is_finite() { v } else { d };
        s.hidden = s.hidden.clamp(1, MAX_HIDDEN);
        s.length = s.length.clamp(s.task.min_length(), MAX_LENGTH);
        s.samples = s.samples.clamp(1, MAX_SAMPLES);
        s.batch = s.batch.clamp(1, s.samples);
        if !matches!(s.format, NumberFormat::F64) {
            s.format = NumberFormat::F32;
        }
        s.init = match s.init {
            RnnInit::PyTorch => RnnInit::PyTorch,
            RnnInit::Spectral { rho } => RnnInit::Spectral {
                rho: finite_or(rho, 1.0).clamp(0.0, MAX_GAIN),
            },
            RnnInit::Orthogonal { gain } => RnnInit::Orthogonal {
                gain: finite_or(gain, 1.0).clamp(-MAX_GAIN, MAX_GAIN),
            },
            RnnInit::Identity { gain } => RnnInit::Identity {
                gain: finite_or(gain, 1.0).clamp(-MAX_GAIN, MAX_GAIN),
            },
        };
        s.forget_bias = finite_or(s.forget_bias, 1.0).clamp(-MAX_FORGET_BIAS, MAX_FORGET_BIAS);
        let lr = finite_or(s.lr, 0.0);
        s.lr = if lr <= 0.0 {
            0.0
        } else {
            lr.clamp(MIN_LR, MAX_LR)
        };
        s.momentum = finite_or(s.momentum, 0.0).clamp(0.0, 1.0);
        s.clip = match s.clip {
            Clip::Norm(m) if m.is_finite() => Clip::Norm(m.max(1e-12)),
            Clip::Value(v) if v.is_finite() => Clip::Value(v.abs().max(1e-12)),
            _ => Clip::Off,
        };
        let k = s.cell.kept_per_step();
        if s.kept_values() > MAX_KEPT {
            s.batch = (MAX_KEPT / (s.length * s.hidden * k)).max(1);
        }
        if s.kept_values() > MAX_KEPT {
            s.hidden = (MAX_KEPT / (s.length * k)).max(1);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_cap_lowers_the_batch() {
        for (cell, batch) in [(Cell::Rnn(RecAct::Tanh), 32), (Cell::Lstm, 5)] {
            let s = RnnSpec {
                cell,
                hidden: 256,
                length: 1000,
                samples: 2048,
                batch: 2048,
                ..RnnSpec::default()
            }
            .sanitized();
            assert!(s.kept_values() <= MAX_KEPT, "{cell:?}");
            assert_eq!(
                (s.batch, s.hidden, s.length),
                (batch, 256, 1000),
                "{cell:?}"
            );
        }
        // Just under the cap nothing moves.
        let s = RnnSpec {
            hidden: 256,
            length: 1000,
            samples: 2048,
            batch: 32,
            ..RnnSpec::default()
        };
        assert_eq!(s.sanitized().batch, 32);
        assert_eq!(s.kept_values(), 8_192_000);
    }

    #[test]
    fn every_field_is_brought_into_range() {
        let s = RnnSpec {
            hidden: 0,
            length: 5000,
            task: SeqTask::Adding,
            init: RnnInit::Spectral { rho: f64::NAN },
            forget_bias: f64::INFINITY,
            format: NumberFormat::F16,
            samples: 0,
            batch: 7,
            lr: -1.0,
            momentum: 3.0,
            clip: Clip::Norm(f64::NAN),
            ..RnnSpec::default()
        }
        .sanitized();
        assert_eq!(
            (s.hidden, s.length, s.samples, s.batch),
            (1, MAX_LENGTH, 1, 1)
        );
        assert_eq!(s.init, RnnInit::Spectral { rho: 1.0 });
        assert_eq!((s.forget_bias, s.format), (1.0, NumberFormat::F32));
        assert_eq!((s.lr, s.momentum, s.clip), (0.0, 1.0, Clip::Off));
        let s = RnnSpec {
            length: 1,
            task: SeqTask::TemporalOrder,
            init: RnnInit::Orthogonal { gain: -40.0 },
            lr: 100.0,
            clip: Clip::Value(-0.5),
            ..RnnSpec::default()
        }
        .sanitized();
        assert_eq!(s.length, 2);
        assert_eq!(s.init, RnnInit::Orthogonal { gain: -MAX_GAIN });
        assert_eq!((s.lr, s.clip), (MAX_LR, Clip::Value(0.5)));
        assert_eq!(RnnSpec::default().sanitized(), RnnSpec::default());
    }
}
