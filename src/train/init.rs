//! Initial weights and biases of a linear layer, by PyTorch's formulas (see
//! [`Init`]). Values are drawn in `f64`, weights first (row-major, shape
//! `(fan_out, fan_in)`), then the biases, and rounded to the model's format afterwards.

use super::draws::{Draws, Kind};
use super::spec::Init;

/// Fills the weight `w` (`fan_out × fan_in`, row-major) and the bias `b` (`fan_out`) of one
/// layer by `init` with gain `gain`, from `draws`.
pub(crate) fn init_layer<D: Draws>(
    init: Init,
    gain: f64,
    fan_out: usize,
    fan_in: usize,
    draws: &mut D,
    w: &mut [f64],
    b: &mut [f64],
) {
    let (fi, fo) = (fan_in as f64, fan_out as f64);
    // `U(−bound, bound)` exactly as `rand`'s `random_range(-bound..bound)` draws it.
    let uniform = |draws: &mut D, v: &mut [f64], bound: f64| {
        draws.draw_into(Kind::Unit, v);
        let (low, scale) = (-bound, bound - -bound);
        for x in v {
            *x = *x * scale + low;
        }
    };
    let normal = |draws: &mut D, v: &mut [f64], std: f64| {
        draws.draw_into(Kind::Normal, v);
        for x in v {
            *x *= std;
        }
    };
    b.fill(0.0);
    match init {
        Init::PyTorchDefault => {
            uniform(draws, w, 1.0 / fi.sqrt());
            uniform(draws, b, 1.0 / fi.sqrt());
        }
        Init::Normal { sigma, sigma_b } => {
            normal(draws, w, sigma / fi.sqrt());
            if sigma_b > 0.0 {
                normal(draws, b, sigma_b);
            }
        }
        Init::Standard => uniform(draws, w, 1.0 / fi.sqrt()),
        Init::XavierUniform => uniform(draws, w, gain * (6.0 / (fi + fo)).sqrt()),
        Init::XavierNormal => normal(draws, w, gain * (2.0 / (fi + fo)).sqrt()),
        Init::KaimingNormal => normal(draws, w, gain / fi.sqrt()),
        Init::Orthogonal => orthogonal(draws, w, fan_out, fan_in, gain),
    }
}

/// PyTorch's `orthogonal_`: a standard Gaussian `rows × cols` matrix (drawn row-major),
/// transposed when `rows < cols`; the `Q` of its QR factorisation with `R`'s diagonal made
/// positive (modified Gram–Schmidt gives exactly that `Q`, to within a few units of the last
/// place times the matrix's condition number);
/// transposed back; times `gain`.
pub(crate) fn orthogonal<D: Draws>(
    draws: &mut D,
    w: &mut [f64],
    rows: usize,
    cols: usize,
    gain: f64,
) {
    draws.draw_into(Kind::Normal, w);
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
        for qi in done.chunks_exact(m) {
            let r = dot(qi, v);
            for (x, &y) in v.iter_mut().zip(qi) {
                *x -= r * y;
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

/// `Σ a_i·b_i` in four partial sums (four independent additions in flight).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        s[0] += x[0] * y[0];
        s[1] += x[1] * y[1];
        s[2] += x[2] * y[2];
        s[3] += x[3] * y[3];
    }
    (s[0] + s[2]) + (s[1] + s[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::rng::{generator, Stream};

    fn layer(init: Init, gain: f64, fan_out: usize, fan_in: usize) -> (Vec<f64>, Vec<f64>) {
        let mut rng = generator(5, Stream::Init);
        let mut w = vec![f64::NAN; fan_out * fan_in];
        let mut b = vec![f64::NAN; fan_out];
        init_layer(init, gain, fan_out, fan_in, &mut rng, &mut w, &mut b);
        (w, b)
    }

    fn mean_var(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (m, v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n)
    }

    /// Checks mean 0 and variance `var` within 5 standard errors (`kurtosis` is `E[x⁴]/σ⁴`:
    /// 3 for a normal, 9/5 for a uniform law).
    fn assert_moments(v: &[f64], var: f64, kurtosis: f64) {
        let n = v.len() as f64;
        let (m, s2) = mean_var(v);
        assert!(m.abs() < 5.0 * (var / n).sqrt(), "mean {m}");
        let se = var * ((kurtosis - 1.0) / n).sqrt();
        assert!((s2 - var).abs() < 5.0 * se, "variance {s2} vs {var}");
    }

    #[test]
    fn pytorch_default_is_uniform_in_one_over_root_fan_in() {
        let (w, b) = layer(Init::PyTorchDefault, 1.0, 200, 100);
        let bound = 0.1;
        assert!(w.iter().chain(&b).all(|x| x.abs() < bound));
        assert!(w.iter().any(|x| x.abs() > 0.999 * bound));
        assert_moments(&w, bound * bound / 3.0, 1.8);
        let (m, _) = mean_var(&b);
        assert!(m.abs() < 5.0 * bound / (3.0f64 * 200.0).sqrt());
        assert!(b.iter().any(|&x| x != 0.0));
    }

    #[test]
    fn normal_inits_have_pytorchs_standard_deviations() {
        let g = 5.0 / 3.0;
        let (w, b) = layer(Init::KaimingNormal, g, 300, 200);
        assert_moments(&w, g * g / 200.0, 3.0);
        assert!(b.iter().all(|&x| x == 0.0));
        let (w, _) = layer(Init::XavierNormal, g, 300, 200);
        assert_moments(&w, g * g * 2.0 / 500.0, 3.0);
        let (w, b) = layer(
            Init::Normal {
                sigma: 0.5,
                sigma_b: 0.0,
            },
            g,
            300,
            200,
        );
        assert_moments(&w, 0.25 / 200.0, 3.0);
        assert!(b.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn every_init_draws_the_variances_it_declares() {
        let g = 5.0 / 3.0;
        let kurtosis = |init: Init| match init {
            Init::PyTorchDefault | Init::Standard | Init::XavierUniform => 1.8,
            _ => 3.0,
        };
        for init in [
            Init::PyTorchDefault,
            Init::Standard,
            Init::Normal {
                sigma: 1.3,
                sigma_b: 0.4,
            },
            Init::XavierUniform,
            Init::XavierNormal,
            Init::KaimingNormal,
        ] {
            for (fo, fi) in [(300, 200), (200, 300)] {
                let (w, b) = layer(init, g, fo, fi);
                let (vw, vb) = init.variances(g, fo, fi);
                assert_moments(&w, vw, kurtosis(init));
                if vb == 0.0 {
                    assert!(b.iter().all(|&x| x == 0.0), "{init:?}");
                } else {
                    assert_moments(&b, vb, kurtosis(init));
                }
            }
        }
        // Orthogonal: every squared entry averages gain²/max(fan_in, fan_out) exactly.
        for (fo, fi) in [(24, 9), (9, 24), (16, 16)] {
            let (w, _) = layer(Init::Orthogonal, g, fo, fi);
            let ms = w.iter().map(|x| x * x).sum::<f64>() / w.len() as f64;
            let (vw, _) = Init::Orthogonal.variances(g, fo, fi);
            assert!((ms - vw).abs() < 1e-12 * vw, "{fo}x{fi}: {ms} vs {vw}");
        }
    }

    #[test]
    fn xavier_uniform_has_its_bound_and_variance() {
        let g = std::f64::consts::SQRT_2;
        let (w, b) = layer(Init::XavierUniform, g, 300, 100);
        let a = g * (6.0f64 / 400.0).sqrt();
        assert!(w.iter().all(|x| x.abs() < a));
        assert!(w.iter().any(|x| x.abs() > 0.999 * a));
        assert_moments(&w, a * a / 3.0, 1.8);
        assert!(b.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn orthogonal_rows_or_columns_are_orthonormal_times_the_gain() {
        let g = 5.0 / 3.0;
        for (rows, cols) in [(64, 64), (24, 9), (9, 24), (1, 7), (7, 1)] {
            let (w, b) = layer(Init::Orthogonal, g, rows, cols);
            assert!(b.iter().all(|&x| x == 0.0));
            // The Gram matrix of the shorter side: W·Wᵀ when wide or square, Wᵀ·W when tall.
            let n = rows.min(cols);
            for i in 0..n {
                for j in 0..n {
                    let dot: f64 = if rows <= cols {
                        (0..cols).map(|k| w[i * cols + k] * w[j * cols + k]).sum()
                    } else {
                        (0..rows).map(|k| w[k * cols + i] * w[k * cols + j]).sum()
                    };
                    let want = if i == j { g * g } else { 0.0 };
                    assert!((dot - want).abs() < 1e-12, "{rows}x{cols} ({i},{j}): {dot}");
                }
            }
        }
    }

    #[test]
    fn replayed_draws_give_every_init_the_generators_layers() {
        use crate::train::draws::with_init_draws;
        let inits = [
            Init::PyTorchDefault,
            Init::Normal {
                sigma: 1.2,
                sigma_b: 0.3,
            },
            Init::Standard,
            Init::XavierUniform,
            Init::XavierNormal,
            Init::KaimingNormal,
            Init::Orthogonal,
        ];
        // Three layers of different shapes, drawn in turn, as a network draws them.
        let shapes = [(7, 3), (5, 7), (1, 5)];
        type Draw<'a> = dyn FnMut(Init, usize, usize, &mut [f64], &mut [f64]) + 'a;
        let layers = |draws: &mut Draw, init: Init| {
            shapes
                .iter()
                .flat_map(|&(fan_out, fan_in)| {
                    let (mut w, mut b) =
                        (vec![f64::NAN; fan_out * fan_in], vec![f64::NAN; fan_out]);
                    draws(init, fan_out, fan_in, &mut w, &mut b);
                    w.into_iter().chain(b)
                })
                .collect::<Vec<f64>>()
        };
        for init in inits {
            let mut rng = generator(11, Stream::Init);
            let expected = layers(
                &mut |init, o, i, w, b| init_layer(init, 1.4, o, i, &mut rng, w, b),
                init,
            );
            // Twice: the first draws and keeps, the second replays.
            for _ in 0..2 {
                let got = with_init_draws(11, |replay| {
                    layers(
                        &mut |init, o, i, w, b| init_layer(init, 1.4, o, i, replay, w, b),
                        init,
                    )
                });
                assert_eq!(got, expected, "{init:?}");
            }
        }
    }
}
