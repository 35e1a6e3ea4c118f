//! Initial weights and biases of a linear layer, by PyTorch's formulas (see
//! [`Init`](super::spec::Init)). Values are drawn in `f64`, weights first (row-major, shape
//! `(fan_out, fan_in)`), then the biases, and rounded to the model's format afterwards.

use super::spec::Init;
use rand::RngExt;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;

/// Fills the weight `w` (`fan_out × fan_in`, row-major) and the bias `b` (`fan_out`) of one
/// layer by `init` with gain `gain`.
pub(crate) fn init_layer(
    init: Init,
    gain: f64,
    fan_out: usize,
    fan_in: usize,
    rng: &mut Pcg64,
    w: &mut [f64],
    b: &mut [f64],
) {
    let (fi, fo) = (fan_in as f64, fan_out as f64);
    let uniform = |rng: &mut Pcg64, v: &mut [f64], bound: f64| {
        for x in v {
            *x = rng.random_range(-bound..bound);
        }
    };
    let normal = |rng: &mut Pcg64, v: &mut [f64], std: f64| {
        for x in v {
            let e: f64 = rng.sample(StandardNormal);
            *x = std * e;
        }
    };
    b.fill(0.0);
    match init {
        Init::PyTorchDefault => {
            uniform(rng, w, 1.0 / fi.sqrt());
            uniform(rng, b, 1.0 / fi.sqrt());
        }
        Init::Normal { sigma } => normal(rng, w, sigma / fi.sqrt()),
        Init::XavierUniform => uniform(rng, w, gain * (6.0 / (fi + fo)).sqrt()),
        Init::XavierNormal => normal(rng, w, gain * (2.0 / (fi + fo)).sqrt()),
        Init::KaimingNormal => normal(rng, w, gain / fi.sqrt()),
        Init::Orthogonal => orthogonal(rng, w, fan_out, fan_in, gain),
    }
}

/// PyTorch's `orthogonal_`: a standard Gaussian `rows × cols` matrix (drawn row-major),
/// transposed when `rows < cols`; the `Q` of its QR factorisation with `R`'s diagonal made
/// positive (modified Gram–Schmidt, run twice per column, gives exactly that `Q`);
/// transposed back; times `gain`.
fn orthogonal(rng: &mut Pcg64, w: &mut [f64], rows: usize, cols: usize, gain: f64) {
    for x in w.iter_mut() {
        *x = rng.sample(StandardNormal);
    }
    // The tall matrix's columns, each contiguous: `tall` is `m × n` with `m ≥ n`.
    let (m, n) = (rows.max(cols), rows.min(cols));
    let mut q: Vec<f64> = if rows >= cols {
        (0..n)
            .flat_map(|j| (0..m).map(move |i| (i, j)))
            .map(|(i, j)| w[i * cols + j])
            .collect()
    } else {
        // The transpose's column j is the original's row j.
        w.to_vec()
    };
    for j in 0..n {
        let (done, rest) = q.split_at_mut(j * m);
        let v = &mut rest[..m];
        for _ in 0..2 {
            for qi in done.chunks_exact(m) {
                let r: f64 = qi.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
                for (x, &y) in v.iter_mut().zip(qi) {
                    *x -= r * y;
                }
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        for x in v.iter_mut() {
            *x /= norm;
        }
    }
    for j in 0..n {
        for i in 0..m {
            let x = gain * q[j * m + i];
            if rows >= cols {
                w[i * cols + j] = x;
            } else {
                w[j * cols + i] = x;
            }
        }
    }
}
