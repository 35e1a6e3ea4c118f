//! The deep scalar chain of the lecture: `y_k = w * y_(k-1) + b`, for `k = 1..=n`, with
//! `y_0 = x`, every layer sharing `w` and `b`; and its backward pass.

use super::format::{NumberFormat, Real};
use half::{bf16, f16};

/// The deepest chain the app simulates.
pub const MAX_DEPTH: usize = 10_000;

/// The settings of one chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChainParams {
    /// Number of layers `n`, from 1 to [`MAX_DEPTH`].
    pub depth: usize,
    /// The weight every layer multiplies by.
    pub w: f64,
    /// The bias every layer adds.
    pub b: f64,
    /// The input `x = y_0`.
    pub x: f64,
    /// The format every operation is rounded to.
    pub format: NumberFormat,
}

/// A simulated chain: the forward and backward pass, every value as the chosen format
/// computed it (stored as `f64`, which holds every value of every format exactly).
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The settings this chain was computed for.
    pub params: ChainParams,
    /// `w`, `b` and `x` as stored in the format (rounded to nearest).
    pub stored: Stored,
    /// `activations[k] = y_k` for `k = 0..=n` (`y_0 = x`).
    pub activations: Vec<f64>,
    /// `grads[k] = dy_n/dy_k` for `k = 0..=n`, by back-propagation (`grads[n] = 1`).
    /// `grads[0]` is the gradient that reaches the input.
    pub grads: Vec<f64>,
    /// `weight_grads[k - 1] = dy_n/dw_k = dy_n/dy_k * y_(k-1)` for `k = 1..=n`, treating each
    /// layer's weight as its own parameter (whose value is `w`). The bias gradient
    /// `dy_n/db_k` equals `grads[k]`.
    pub weight_grads: Vec<f64>,
}

/// The chain's parameters as rounded to its number format.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stored {
    /// `w` in the format.
    pub w: f64,
    /// `b` in the format.
    pub b: f64,
    /// `x` in the format.
    pub x: f64,
}

impl Chain {
    /// Runs the forward and backward pass of the chain in `params.format`.
    ///
    /// The depth is clamped to `1..=MAX_DEPTH`.
    pub fn simulate(params: ChainParams) -> Chain {
        let params = ChainParams {
            depth: params.depth.clamp(1, MAX_DEPTH),
            ..params
        };
        match params.format {
            NumberFormat::F16 => run::<f16>(params),
            NumberFormat::Bf16 => run::<bf16>(params),
            NumberFormat::F32 => run::<f32>(params),
            NumberFormat::F64 => run::<f64>(params),
        }
    }

    /// The output `y_n`.
    pub fn output(&self) -> f64 {
        self.activations[self.params.depth]
    }
}

fn run<T: Real>(params: ChainParams) -> Chain {
    let n = params.depth;
    let (w, b, x) = (
        T::from_f64(params.w),
        T::from_f64(params.b),
        T::from_f64(params.x),
    );

    let mut activations = Vec::with_capacity(n + 1);
    let mut y = x;
    activations.push(y.to_f64());
    for _ in 0..n {
        y = w * y + b;
        activations.push(y.to_f64());
    }

    // Back-propagation: g_n = 1, g_(k-1) = w * g_k, each product rounded to T.
    let mut grads = vec![0.0; n + 1];
    let mut weight_grads = vec![0.0; n];
    let mut g = T::from_f64(1.0);
    for k in (1..=n).rev() {
        grads[k] = g.to_f64();
        weight_grads[k - 1] = (g * T::from_f64(activations[k - 1])).to_f64();
        g = w * g;
    }
    grads[0] = g.to_f64();

    Chain {
        params,
        stored: Stored {
            w: w.to_f64(),
            b: b.to_f64(),
            x: x.to_f64(),
        },
        activations,
        grads,
        weight_grads,
    }
}
