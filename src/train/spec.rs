//! What to train: the model, the task, the optimiser and the seed, with their ranges.

use crate::sim::format::NumberFormat;

/// The deepest chain the training lab trains.
pub const MAX_CHAIN_DEPTH: usize = 1_000;
/// The widest hidden layer of the MLP.
pub const MAX_MLP_WIDTH: usize = 256;
/// The most hidden layers of the MLP.
pub const MAX_MLP_DEPTH: usize = 200;
/// The fewest samples in a data set (two, so that a line's inputs have both signs).
pub const MIN_SAMPLES: usize = 2;
/// The most samples in a data set.
pub const MAX_SAMPLES: usize = 2_048;
/// The MLP's batch is capped so that its activations, `batch × width × (depth + 1)` numbers,
/// stay within this many (32 MB in `f32`).
pub const MAX_MLP_BATCH_CELLS: usize = 1 << 23;
/// The largest residual factor `α`.
pub const MAX_ALPHA: f64 = 10.0;
/// The smallest non-zero learning rate.
pub const MIN_LR: f64 = 1e-5;
/// The largest learning rate.
pub const MAX_LR: f64 = 10.0;

/// Everything that defines a training run. Same spec and seed, same bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainSpec {
    /// The model to train.
    pub model: ModelSpec,
    /// The data it learns.
    pub task: TaskSpec,
    /// Number of samples in the data set, from [`MIN_SAMPLES`] to [`MAX_SAMPLES`].
    pub samples: usize,
    /// Noise on the targets (see [`TaskSpec`]): the standard deviation of Gaussian noise
    /// added to regression targets, or the probability (at most 0.5) of flipping a class label.
    pub noise: f64,
    /// Samples per step. `0`, or at least `samples`, means the full data set every step.
    pub batch: usize,
    /// The learning rate: exactly 0, or from [`MIN_LR`] to [`MAX_LR`].
    pub lr: f64,
    /// SGD momentum `μ` from 0 to 1, with PyTorch's semantics (`buf = μ·buf + g`,
    /// `p -= lr·buf`); 0 turns it off.
    pub momentum: f64,
    /// Gradient clipping.
    pub clip: Clip,
    /// The seed of every random number the run draws.
    pub seed: u64,
    /// Also train a copy with learning rate 0 on the same batches, for the baseline loss.
    pub baseline: bool,
}

impl Default for TrainSpec {
    /// The chain's default: 50 layers at `w0 = 1`, `b0 = 0` in `f32`, learning the line
    /// `t = 0.5·x + 0.1` from 32 samples, full batch, learning rate 0.01, with a baseline.
    fn default() -> Self {
        TrainSpec {
            model: ModelSpec::Chain(ChainSpec::default()),
            task: TaskSpec::Line {
                slope: 0.5,
                intercept: 0.1,
            },
            samples: 32,
            noise: 0.0,
            batch: 0,
            lr: 0.01,
            momentum: 0.0,
            clip: Clip::Off,
            seed: 1,
            baseline: true,
        }
    }
}

/// The model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ModelSpec {
    /// The lecture's scalar chain (the default).
    Chain(ChainSpec),
    /// A fully connected network.
    Mlp(MlpSpec),
}

/// The lecture's chain `y_k = w_k·y_(k-1) + b_k` for `k = 1..=depth`, `y_0 = x`, with a
/// trainable weight `w_k` and bias `b_k` per layer; the output is `y_depth`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainSpec {
    /// Number of layers, from 1 to [`MAX_CHAIN_DEPTH`].
    pub depth: usize,
    /// Every weight's starting value.
    pub w0: f64,
    /// Every bias's starting value.
    pub b0: f64,
    /// Standard deviation of seeded Gaussian noise added to every starting weight and bias
    /// (0: none, and no random number is drawn for it).
    pub init_noise: f64,
    /// The format every operation (forward, backward, loss, clipping, update) is rounded to.
    pub format: NumberFormat,
}

impl Default for ChainSpec {
    /// 50 layers, `w0 = 1`, `b0 = 0`, no init noise, `f32`.
    fn default() -> Self {
        ChainSpec {
            depth: 50,
            w0: 1.0,
            b0: 0.0,
            init_noise: 0.0,
            format: NumberFormat::F32,
        }
    }
}

/// A fully connected network: `depth` hidden layers, each a linear layer of `width` units
/// followed by the activation, then one linear output layer with one unit and no activation.
/// So it has `depth + 1` linear layers, numbered 1 to `depth + 1`, and the records hold
/// `depth + 1` layers (the last is the output layer).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MlpSpec {
    /// Units per hidden layer, from 1 to [`MAX_MLP_WIDTH`].
    pub width: usize,
    /// Number of hidden layers, from 1 to [`MAX_MLP_DEPTH`].
    pub depth: usize,
    /// The activation after every hidden layer.
    pub activation: Activation,
    /// How every linear layer (the output layer too) is initialised.
    pub init: Init,
    /// The gain of the Xavier, Kaiming and orthogonal inits; `None` for PyTorch's
    /// recommended gain of the activation ([`Activation::gain`]).
    pub gain: Option<f64>,
    /// `F32` or `F64` (the 16-bit formats are trained as `F32`).
    pub format: NumberFormat,
    /// Normalisation in every hidden layer (see [`Norm`]).
    pub norm: Norm,
    /// Residual connections (see [`Residual`]).
    pub residual: Residual,
}

impl Default for MlpSpec {
    /// Width 32, 10 hidden layers, tanh, PyTorch's default init, `f32`, no normalisation,
    /// no residual connections.
    fn default() -> Self {
        MlpSpec {
            width: 32,
            depth: 10,
            activation: Activation::Tanh,
            init: Init::PyTorchDefault,
            gain: None,
            format: NumberFormat::F32,
            norm: Norm::None,
            residual: Residual::Off,
        }
    }
}

impl MlpSpec {
    /// How many `batch × width` arrays the model keeps per layer: the activations, plus the
    /// residual stream, plus the normalised values and the values around the activation.
    pub fn buffers_per_layer(&self) -> usize {
        let residual = usize::from(self.residual != Residual::Off);
        let norm = if self.norm == Norm::None { 0 } else { 2 };
        1 + residual + norm
    }
}

/// Normalisation of a hidden layer's units, with PyTorch's `eps = 1e-5`, and a trainable
/// scale `γ` (starting at 1) and shift `β` (starting at 0) per unit. In a plain network it
/// sits in every hidden layer, between the linear layer and the activation or after the
/// activation; in a residual network at the start of every block and before the output
/// layer (see [`Residual`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Norm {
    /// None.
    None,
    /// `LayerNorm`: each sample's units to mean 0 and variance 1 (biased variance), the same
    /// in training and evaluation.
    Layer(NormPlace),
    /// `BatchNorm1d` in training mode: each unit to mean 0 and variance 1 over the batch
    /// (biased variance); running statistics kept with momentum 0.1 from a mean of 0 and a
    /// variance of 1, updated with the unbiased variance. Needs batches of at least 2.
    Batch(NormPlace),
}

/// Where the normalisation sits relative to the activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NormPlace {
    /// Normalise, then the activation (as in the BatchNorm paper).
    Before,
    /// The activation, then normalise.
    After,
}

/// Residual connections. With `On`, the first hidden layer is a plain linear layer
/// `h_1 = W_1·x + b_1` (no activation); each further hidden layer `l` is a block
/// `h_l = h_(l-1) + α·(W_l·f(h_(l-1)) + b_l)`, where `f` is the activation with the
/// normalisation where [`Norm`] puts it; the output layer reads `f(h_depth)`. So with ReLU,
/// no normalisation and weights of variance `σ²/n`, a block multiplies the mean square of
/// `h` by about `1 + α²σ²/2`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Residual {
    /// A plain network.
    Off,
    /// Residual blocks.
    On {
        /// The branch's factor `α` (1, or `1/√depth`, or anything from 0 to 10).
        alpha: f64,
        /// Whether every block's weights and bias start at exactly 0, so that each block
        /// starts as the identity.
        zero_init: bool,
    },
}

/// The MLP's activation function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    /// The identity.
    Linear,
    /// `tanh`.
    Tanh,
    /// `max(0, z)` (a NaN input stays NaN, as in PyTorch).
    Relu,
    /// `1/(1 + exp(-z))`.
    Sigmoid,
}

impl Activation {
    /// PyTorch's `calculate_gain`: linear and sigmoid 1, tanh 5/3, ReLU √2.
    pub fn gain(self) -> f64 {
        match self {
            Activation::Linear | Activation::Sigmoid => 1.0,
            Activation::Tanh => 5.0 / 3.0,
            Activation::Relu => std::f64::consts::SQRT_2,
        }
    }

    /// The square of [`gain`](Self::gain), exactly where it is exact (ReLU's 2, not
    /// `SQRT_2²`), so that He's init lands on the critical line.
    pub fn gain_squared(self) -> f64 {
        match self {
            Activation::Linear | Activation::Sigmoid => 1.0,
            Activation::Tanh => 25.0 / 9.0,
            Activation::Relu => 2.0,
        }
    }
}

/// How a linear layer with weight `W` of shape `(fan_out, fan_in)` is initialised; `g` is the
/// gain ([`MlpSpec::gain`]). Every formula is PyTorch's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// `nn.Linear`'s default (`kaiming_uniform_` with `a = √5`): `W ~ U(±1/√fan_in)`, and
    /// the bias `~ U(±1/√fan_in)` too. The only init here with random biases.
    PyTorchDefault,
    /// `W ~ N(0, (sigma/√fan_in)²)`; biases `~ N(0, sigma_b²)` (none drawn when
    /// `sigma_b` is 0): the mean-field papers' `(σ_w, σ_b)`.
    Normal {
        /// The standard deviation times `√fan_in`: `σ_w`.
        sigma: f64,
        /// The biases' standard deviation `σ_b`.
        sigma_b: f64,
    },
    /// Glorot & Bengio's "standard" init: `W ~ U(±1/√fan_in)` (variance `1/(3·fan_in)`, as
    /// PyTorch's default), biases 0.
    Standard,
    /// `xavier_uniform_`: `W ~ U(±g·√(6/(fan_in + fan_out)))`; biases 0.
    XavierUniform,
    /// `xavier_normal_`: `W ~ N(0, (g·√(2/(fan_in + fan_out)))²)`; biases 0.
    XavierNormal,
    /// `kaiming_normal_` in `fan_in` mode: `W ~ N(0, (g/√fan_in)²)`; biases 0.
    KaimingNormal,
    /// `orthogonal_`: the `Q` of the QR factorisation of a standard Gaussian matrix (of `W`'s
    /// shape, transposed when `fan_out < fan_in`), each column's sign set so that `R`'s
    /// diagonal is positive, times `g`; so `W·Wᵀ = g²·I` (wide or square) or
    /// `Wᵀ·W = g²·I` (tall). Biases 0.
    Orthogonal,
}

impl Init {
    /// The variance of one weight and of one bias of a layer of shape `(fan_out, fan_in)`
    /// with gain `gain`, as the formulas above draw them: `U(±a)` has variance `a²/3`; an
    /// orthogonal matrix's entries `gain²/max(fan_in, fan_out)`. So `fan_in` times the first is
    /// the mean-field `σ_w²` of the layer and the second its `σ_b²`.
    pub fn variances(self, gain: f64, fan_out: usize, fan_in: usize) -> (f64, f64) {
        let (fi, fo) = (fan_in as f64, fan_out as f64);
        match self {
            Init::PyTorchDefault => (1.0 / (3.0 * fi), 1.0 / (3.0 * fi)),
            Init::Normal { sigma, sigma_b } => (sigma * sigma / fi, sigma_b * sigma_b),
            Init::Standard => (1.0 / (3.0 * fi), 0.0),
            Init::XavierUniform | Init::XavierNormal => (gain * gain * 2.0 / (fi + fo), 0.0),
            Init::KaimingNormal => (gain * gain / fi, 0.0),
            Init::Orthogonal => (gain * gain / fi.max(fo), 0.0),
        }
    }

    /// The mean-field `(σ_w², σ_b²)` of a layer of shape `(fan_out, fan_in)` whose gain
    /// squared is `gain2`: `fan_in` times [`variances`](Self::variances)' weight variance
    /// and its bias variance, written so that no rounding moves a critical init off the
    /// critical line (He's `σ_w² = 2`, a square layer's Xavier `σ_w² = gain²`).
    pub fn mean_field(self, gain2: f64, fan_out: usize, fan_in: usize) -> (f64, f64) {
        let (fi, fo) = (fan_in as f64, fan_out as f64);
        match self {
            Init::PyTorchDefault => (1.0 / 3.0, 1.0 / (3.0 * fi)),
            Init::Normal { sigma, sigma_b } => (sigma * sigma, sigma_b * sigma_b),
            Init::Standard => (1.0 / 3.0, 0.0),
            Init::XavierUniform | Init::XavierNormal if fan_in == fan_out => (gain2, 0.0),
            Init::XavierUniform | Init::XavierNormal => (gain2 * (2.0 * fi / (fi + fo)), 0.0),
            Init::KaimingNormal => (gain2, 0.0),
            Init::Orthogonal if fan_in >= fan_out => (gain2, 0.0),
            Init::Orthogonal => (gain2 * (fi / fo), 0.0),
        }
    }
}

/// Gradient clipping, applied to the whole gradient after the backward pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// No clipping.
    Off,
    /// PyTorch's `clip_grad_norm_(max_norm)`: `total` = 2-norm of every parameter's gradient
    /// concatenated, `coef = min(1, max_norm/(total + 1e-6))`, every gradient times `coef`
    /// (a NaN `total` gives a NaN `coef`, as in PyTorch).
    Norm(f64),
    /// PyTorch's `clip_grad_value_(v)`: every gradient element clamped to `[-v, v]`.
    Value(f64),
}

/// The data set (see [`crate::train::task`] for the exact definitions).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TaskSpec {
    /// 1-D regression of the line `t = slope·x + intercept`.
    Line {
        /// The line's slope.
        slope: f64,
        /// The line's value at 0.
        intercept: f64,
    },
    /// 1-D regression of `t = sin(π·x)`.
    Sine,
    /// 2-D classification: a disc inside a ring.
    Circle,
    /// 2-D classification: the signs of the two coordinates agree or not.
    Xor,
    /// 2-D classification: two interleaved spirals.
    Spiral,
}

impl TaskSpec {
    /// The number of inputs per sample: 1 or 2.
    pub fn input_dim(self) -> usize {
        match self {
            TaskSpec::Line { .. } | TaskSpec::Sine => 1,
            TaskSpec::Circle | TaskSpec::Xor | TaskSpec::Spiral => 2,
        }
    }

    /// Whether the targets are class labels 0 and 1 (trained with the logistic loss) rather
    /// than numbers (trained with the mean squared error).
    pub fn is_classification(self) -> bool {
        self.input_dim() == 2
    }
}

impl TrainSpec {
    /// This spec brought into range, as [`Session::new`](crate::train::Session::new) uses
    /// it: depths, width and samples clamped to their ranges; a non-finite number replaced
    /// by its default (`w0` 1, `b0`, `noise`, `init_noise`, `lr`, `momentum` 0, `sigma` 1,
    /// a gain of PyTorch's); negative `noise`, `init_noise` clamped to 0; `noise` of a
    /// classification task to at most 0.5; the learning rate to 0 or `MIN_LR..=MAX_LR`;
    /// `momentum` to `[0, 1]`; a clipping threshold to at least `1e-12` (a non-finite one
    /// turns clipping off); `batch` at least `samples` to 0 (full batch); a chain given a
    /// 2-D task learns the default line instead; an MLP in `f16` or `bf16` runs in `f32`;
    /// an MLP's batch (the full data set too) is lowered to at most
    /// `MAX_MLP_BATCH_CELLS / (width × (depth + 1) × buffers)` samples
    /// ([`MlpSpec::buffers_per_layer`]), which only the widest and deepest networks reach
    /// (256 × 200, plain: 163 samples); a residual factor `α` is clamped to `0..=MAX_ALPHA`
    /// (1 if not finite), `sigma_b` made non-negative; BatchNorm raises a batch of 1 to 2.
    pub fn sanitized(&self) -> TrainSpec {
        let mut s = *self;
        let finite_or = |v: f64, d: f64| if v.is_finite() { v } else { d };
        match &mut s.model {
            ModelSpec::Chain(c) => {
                c.depth = c.depth.clamp(1, MAX_CHAIN_DEPTH);
                c.w0 = finite_or(c.w0, 1.0);
                c.b0 = finite_or(c.b0, 0.0);
                c.init_noise = finite_or(c.init_noise, 0.0).max(0.0);
                if s.task.input_dim() != 1 {
                    s.task = TrainSpec::default().task;
                }
            }
            ModelSpec::Mlp(m) => {
                m.width = m.width.clamp(1, MAX_MLP_WIDTH);
                m.depth = m.depth.clamp(1, MAX_MLP_DEPTH);
                if let Init::Normal { sigma, sigma_b } = &mut m.init {
                    *sigma = finite_or(*sigma, 1.0).abs();
                    *sigma_b = finite_or(*sigma_b, 0.0).abs();
                }
                if let Residual::On { alpha, .. } = &mut m.residual {
                    *alpha = finite_or(*alpha, 1.0).clamp(0.0, MAX_ALPHA);
                }
                m.gain = m.gain.filter(|g| g.is_finite());
                if !matches!(m.format, NumberFormat::F64) {
                    m.format = NumberFormat::F32;
                }
            }
        }
        if let TaskSpec::Line { slope, intercept } = &mut s.task {
            *slope = finite_or(*slope, 0.5);
            *intercept = finite_or(*intercept, 0.1);
        }
        s.samples = s.samples.clamp(MIN_SAMPLES, MAX_SAMPLES);
        s.noise = finite_or(s.noise, 0.0).max(0.0);
        if s.task.is_classification() {
            s.noise = s.noise.min(0.5);
        }
        if s.batch >= s.samples {
            s.batch = 0;
        }
        if let ModelSpec::Mlp(m) = s.model {
            let cells = m.width * (m.depth + 1) * m.buffers_per_layer();
            let most = (MAX_MLP_BATCH_CELLS / cells).max(2);
            let b = if s.batch == 0 { s.samples } else { s.batch };
            if b > most {
                s.batch = most;
            }
            if matches!(m.norm, Norm::Batch(_)) && s.batch == 1 {
                s.batch = 2;
            }
        }
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
        s
    }

    /// The number of layers the records hold: the chain's depth, or the MLP's hidden layers
    /// plus its output layer.
    pub fn layers(&self) -> usize {
        match self.model {
            ModelSpec::Chain(c) => c.depth,
            ModelSpec::Mlp(m) => m.depth + 1,
        }
    }
}
