//! The recurrent networks' starting parameters, drawn in `f64` from the seed's init
//! generator and rounded to the run's format afterwards.
//!
//! Every weight and bias but the recurrent matrix starts as PyTorch's `nn.RNN`, `nn.LSTM` and
//! `nn.Linear` start them: `U(−√k, √k)` with `k = 1/hidden` (the readout `nn.Linear(H, O)`
//! has `1/√fan_in = √k` too). They are drawn first, in the order of the parameters
//! ([`Shape`]): the input weights, the bias, the readout's weights and bias; then the
//! LSTM's forget-gate biases are set to `forget_bias`. The recurrent matrix is drawn last,
//! so that changing its init leaves every other parameter as it was:
//!
//! - [`RnnInit::PyTorch`]: `U(−√k, √k)`.
//! - [`RnnInit::Spectral`]: a standard normal matrix, times `rho/σ₁` with `σ₁` its largest
//!   singular value by power iteration ([`PowerIteration`], to a relative change of
//!   `1e-15`, at most [`SPECTRAL_ITERATIONS`] iterations).
//! - [`RnnInit::Orthogonal`]: PyTorch's `orthogonal_`, `gain·Q` from the QR factorisation of
//!   a standard normal matrix with `R`'s diagonal made positive.
//! - [`RnnInit::Identity`]: `gain·I` (no draw).
//!
//! The LSTM's `W_hh` is four `H × H` blocks, one per gate (i, f, g, o); the last three inits
//! make each block on its own, in that order, so each block has largest singular value
//! `rho` (and the stacked matrix between `rho` and `2·rho`), or is `gain` times an
//! orthogonal matrix or the identity.

use super::net::Shape;
use super::singular::PowerIteration;
use super::spec::{Cell, RnnInit};
use crate::train::draws::{Draws, Kind};
use crate::train::init::orthogonal;
use crate::train::rng::{generator, Stream};

/// The most power iterations the spectral init makes.
pub const SPECTRAL_ITERATIONS: usize = 10_000;

/// Every parameter at the start, in [`Shape`]'s layout.
pub(crate) fn initial_parameters(
    shape: &Shape,
    init: RnnInit,
    forget_bias: f64,
    seed: u64,
) -> Vec<f64> {
    let mut rng = generator(seed, Stream::Init);
    let h = shape.hidden;
    let bound = (1.0 / h as f64).sqrt();
    let mut p = vec![0.0; shape.len()];
    let rest = &mut p[shape.recurrent().end..];
    // The input weights, the bias, the readout's weights and bias, in one run: they are
    // stored in that order right after W.
    uniform(&mut rng, rest, bound);
    if shape.cell == Cell::Lstm {
        let b = &mut p[shape.bias()];
        b[h..2 * h].fill(forget_bias);
    }
    let w = &mut p[shape.recurrent()];
    match init {
        RnnInit::PyTorch => uniform(&mut rng, w, bound),
        RnnInit::Spectral { rho } => {
            let mut power = PowerIteration::new(h, h);
            for block in w.chunks_exact_mut(h * h) {
                rng.draw_into(Kind::Normal, block);
                let sigma = power.largest(block, 1e-15, SPECTRAL_ITERATIONS);
                if sigma > 0.0 {
                    block.iter_mut().for_each(|x| *x *= rho / sigma);
                }
            }
        }
        RnnInit::Orthogonal { gain } => {
            for block in w.chunks_exact_mut(h * h) {
                orthogonal(&mut rng, block, h, h, gain);
            }
        }
        RnnInit::Identity { gain } => {
            for block in w.chunks_exact_mut(h * h) {
                for i in 0..h {
                    block[i * h + i] = gain;
                }
            }
        }
    }
    p
}

/// `U(−bound, bound)` exactly as `rand`'s `random_range(-bound..bound)` draws it.
fn uniform<D: Draws>(draws: &mut D, v: &mut [f64], bound: f64) {
    draws.draw_into(Kind::Unit, v);
    let (low, scale) = (-bound, bound - -bound);
    for x in v {
        *x = *x * scale + low;
    }
}

#[cfg(test)]
mod tests {
    use super::super::singular::tests::largest_by_jacobi;
    use super::super::spec::{RecAct, SeqTask};
    use super::*;

    fn shape(cell: Cell, hidden: usize) -> Shape {
        Shape::new(cell, hidden, SeqTask::TemporalOrder)
    }

    /// The recurrent blocks (`H × H` each) of `p`.
    fn blocks(s: &Shape, p: &[f64]) -> Vec<Vec<f64>> {
        p[s.recurrent()]
            .chunks_exact(s.hidden * s.hidden)
            .map(|b| b.to_vec())
            .collect()
    }

    const RNN: Cell = Cell::Rnn(RecAct::Tanh);

    #[test]
    fn pytorch_draws_every_parameter_within_one_over_root_hidden() {
        for cell in [RNN, Cell::Lstm] {
            let s = shape(cell, 50);
            let p = initial_parameters(&s, RnnInit::PyTorch, 1.0, 3);
            let bound = 1.0 / 50f64.sqrt();
            let mut forget = 0;
            for (k, x) in p.iter().enumerate() {
                let is_forget =
                    cell == Cell::Lstm && s.bias().start + 50 <= k && k < s.bias().start + 100;
                if is_forget {
                    assert_eq!(*x, 1.0);
                    forget += 1;
                } else {
                    assert!(x.abs() < bound, "{k}: {x}");
                }
            }
            assert_eq!(forget, if cell == Cell::Lstm { 50 } else { 0 });
            assert!(p.iter().any(|x| x.abs() > 0.99 * bound));
            // Uniform: mean 0, variance bound²/3 over W (within 5 standard errors).
            let w = &p[s.recurrent()];
            let n = w.len() as f64;
            let mean = w.iter().sum::<f64>() / n;
            let var = w.iter().map(|x| x * x).sum::<f64>() / n;
            assert!(mean.abs() < 5.0 * bound / (3.0 * n).sqrt());
            let want = bound * bound / 3.0;
            assert!((var - want).abs() < 5.0 * want * (0.8 / n).sqrt(), "{var}");
        }
    }

    #[test]
    fn spectral_has_the_largest_singular_value_rho() {
        for (cell, h) in [(RNN, 16), (RNN, 40), (Cell::Lstm, 12)] {
            let s = shape(cell, h);
            let p = initial_parameters(&s, RnnInit::Spectral { rho: 3.0 }, 1.0, 8);
            for b in blocks(&s, &p) {
                let sigma = largest_by_jacobi(&b, h, h);
                assert!((sigma - 3.0).abs() < 1e-9, "{cell:?} {h}: {sigma}");
            }
        }
    }

    #[test]
    fn orthogonal_has_w_transpose_w_gain_squared_times_identity() {
        for cell in [RNN, Cell::Lstm] {
            let h = 24;
            let s = shape(cell, h);
            let g = -1.5;
            let p = initial_parameters(&s, RnnInit::Orthogonal { gain: g }, 1.0, 4);
            for b in blocks(&s, &p) {
                for i in 0..h {
                    for j in 0..h {
                        let dot: f64 = (0..h).map(|k| b[k * h + i] * b[k * h + j]).sum();
                        let want = if i == j { g * g } else { 0.0 };
                        assert!((dot - want).abs() < 1e-9, "({i},{j}): {dot}");
                    }
                }
            }
        }
    }

    #[test]
    fn identity_is_exact_and_leaves_the_other_parameters_alone() {
        let s = shape(Cell::Lstm, 5);
        let p = initial_parameters(&s, RnnInit::Identity { gain: 0.75 }, -2.0, 6);
        for b in blocks(&s, &p) {
            for (k, &x) in b.iter().enumerate() {
                assert_eq!(x, if k % 6 == 0 { 0.75 } else { 0.0 });
            }
        }
        // The recurrent matrix is drawn last: every other parameter is the same whatever the
        // init; the forget-gate biases are `forget_bias`.
        let q = initial_parameters(&s, RnnInit::PyTorch, -2.0, 6);
        assert_eq!(p[s.recurrent().end..], q[s.recurrent().end..]);
        assert!(p[s.bias()][5..10].iter().all(|&x| x == -2.0));
    }
}
