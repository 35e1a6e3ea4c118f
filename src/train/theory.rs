//! What mean-field theory predicts for a freshly initialised MLP, layer by layer: the signal's
//! mean square going forward, the gradient's going back, and how much a finite width spreads
//! them; and, for tanh, the numbers of Poole et al. (2016) and Schoenholz et al. (2017): the
//! fixed point `q*`, `χ₁`, the depth scale `ξ` and the critical line.
//!
//! Weights of variance `σ_w²/fan_in` and biases of variance `σ_b²` make a unit's
//! pre-activation, over the random weights, a Gaussian whose variance `q` follows
//! `q_l = σ_w²·E[f(z)²] + σ_b²` with `z ~ N(0, q_(l-1))`. So the linear network multiplies the
//! mean square by `σ_w²` per layer, ReLU by `σ_w²/2`; tanh goes to a fixed point `q*`; a
//! normalisation resets it; a residual block adds its branch to the stream. Gaussian
//! expectations of ReLU and the identity are exact; of tanh and sigmoid they are computed
//! by composite Gauss–Legendre quadrature over `±10` standard deviations (512 nodes).

use super::spec::{Activation, MlpSpec, Norm, NormPlace, Residual};

/// The expectations of `f` the laws need, for `z ~ N(0, q)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// `E[f(z)]`.
    pub mean: f64,
    /// `E[f(z)²]`.
    pub square: f64,
    /// `E[f(z)⁴]`.
    pub fourth: f64,
    /// `E[f'(z)²]`.
    pub slope: f64,
}

/// The Gauss–Legendre nodes and weights on `[-1, 1]` of order 8.
const GL8: [(f64, f64); 4] = [
    (0.183_434_642_495_649_8, 0.362_683_783_378_362),
    (0.525_532_409_916_329, 0.313_706_645_877_887_3),
    (0.796_666_477_413_626_7, 0.222_381_034_453_374_5),
    (0.960_289_856_497_536_3, 0.101_228_536_290_376_3),
];
/// Panels of the composite rule, over `z` in `[-10, 10]` standard deviations.
const PANELS: usize = 64;
const REACH: f64 = 10.0;

/// `E[g(z)]` for a standard normal `z`, by the composite rule.
fn gauss<G: Fn(f64) -> f64>(g: G) -> f64 {
    let h = 2.0 * REACH / PANELS as f64;
    let density = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let mut total = 0.0;
    for p in 0..PANELS {
        let mid = -REACH + (p as f64 + 0.5) * h;
        for &(x, w) in &GL8 {
            for z in [mid - 0.5 * h * x, mid + 0.5 * h * x] {
                total += 0.5 * h * w * density(z) * g(z);
            }
        }
    }
    total
}

/// The moments of `act` at `z ~ N(0, q)`.
pub fn moments(act: Activation, q: f64) -> Moments {
    let q = q.max(0.0);
    match act {
        Activation::Linear => Moments {
            mean: 0.0,
            square: q,
            fourth: 3.0 * q * q,
            slope: 1.0,
        },
        Activation::Relu => Moments {
            mean: (q / (2.0 * std::f64::consts::PI)).sqrt(),
            square: q / 2.0,
            fourth: 1.5 * q * q,
            slope: 0.5,
        },
        Activation::Tanh | Activation::Sigmoid => {
            let s = q.sqrt();
            let f = |z: f64| match act {
                Activation::Tanh => (s * z).tanh(),
                _ => 1.0 / (1.0 + (-s * z).exp()),
            };
            let d = |z: f64| {
                let y = f(z);
                match act {
                    Activation::Tanh => 1.0 - y * y,
                    _ => y * (1.0 - y),
                }
            };
            Moments {
                mean: gauss(f),
                square: gauss(|z| f(z).powi(2)),
                fourth: gauss(|z| f(z).powi(4)),
                slope: gauss(|z| d(z).powi(2)),
            }
        }
    }
}

/// One step of the variance map: `σ_w²·E[f(z)²] + σ_b²` for `z ~ N(0, q)`.
pub fn q_map(act: Activation, sw2: f64, sb2: f64, q: f64) -> f64 {
    sw2 * moments(act, q).square + sb2
}

/// The fixed point `q*` of [`q_map`]: closed forms for the linear network and ReLU (`inf`
/// where the map grows without bound, 0 where `σ_b = 0` and it holds or shrinks); for tanh
/// and sigmoid, by bisection on `q_map(q) − q` (0 when the map has no positive fixed point:
/// tanh with `σ_b = 0` and `σ_w² ≤ 1`).
pub fn fixed_point(act: Activation, sw2: f64, sb2: f64) -> f64 {
    let linear_gain = match act {
        Activation::Linear => Some(sw2),
        Activation::Relu => Some(sw2 / 2.0),
        _ => None,
    };
    if let Some(k) = linear_gain {
        return if sb2 == 0.0 && k <= 1.0 {
            0.0
        } else if k < 1.0 {
            sb2 / (1.0 - k)
        } else {
            f64::INFINITY
        };
    }
    let g = |q: f64| q_map(act, sw2, sb2, q) - q;
    let mut lo = 1e-12;
    if g(lo) <= 0.0 {
        return 0.0;
    }
    // The map is bounded by σ_w² + σ_b² (|f| ≤ 1), so g < 0 beyond.
    let mut hi = sw2 + sb2 + 1.0;
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if g(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// `χ₁ = σ_w²·E[f'(z)²]` at `z ~ N(0, q*)`: how much a layer multiplies the gradient's mean
/// square (and a small perturbation's) near the fixed point. Below 1 the network is ordered
/// (gradients vanish), above 1 chaotic (they explode).
pub fn chi1(act: Activation, sw2: f64, sb2: f64) -> f64 {
    if matches!(act, Activation::Linear | Activation::Relu) {
        // The slope's moment does not depend on q.
        return sw2 * moments(act, 1.0).slope;
    }
    let q = fixed_point(act, sw2, sb2);
    if !q.is_finite() {
        return f64::INFINITY;
    }
    if q == 0.0 {
        // At the fixed point 0 every unit sits at f'(0): tanh's 1, sigmoid's 1/4, exactly.
        let slope = match act {
            Activation::Tanh => 1.0,
            _ => 1.0 / 16.0,
        };
        return sw2 * slope;
    }
    sw2 * moments(act, q).slope
}

/// The depth scale `ξ = −1/ln χ₁` over which signals and gradients fade in the ordered
/// phase (`χ₁ < 1`); `inf` at the critical line and beyond (where the correlation's own depth
/// scale, not computed here, takes over).
pub fn depth_scale(chi1: f64) -> f64 {
    if chi1 < 1.0 {
        -1.0 / chi1.ln()
    } else {
        f64::INFINITY
    }
}

/// The point of the critical line (`χ₁ = 1`) whose fixed point is `q`: there
/// `σ_w² = 1/E[f'(z)²]` and `σ_b² = q − σ_w²·E[f(z)²]`, `z ~ N(0, q)`. (The line is traced
/// by its fixed point, so no fixed point has to be searched for.)
pub fn critical_point(act: Activation, q: f64) -> (f64, f64) {
    let m = moments(act, q);
    let sw2 = 1.0 / m.slope;
    (sw2, q - sw2 * m.square)
}

/// The `σ_w²` at which `χ₁ = 1` for a given `σ_b² ≥ 0`: tanh 1 at `σ_b² = 0`, growing with
/// `σ_b²` (by bisection on the fixed point of [`critical_point`]); ReLU 2 (at `σ_b² = 0`
/// only: above it the ReLU network has no finite fixed point at `χ₁ = 1`); linear 1. `None`
/// when the line does not reach this `σ_b²` for `q ≤ 100` (sigmoid: its critical `σ_w²` is
/// above 16).
pub fn critical_sw2(act: Activation, sb2: f64) -> Option<f64> {
    match act {
        Activation::Linear => Some(1.0),
        Activation::Relu => Some(2.0),
        _ => {
            let sb = |q: f64| critical_point(act, q).1;
            let (mut lo, mut hi) = (0.0, 100.0);
            if sb(lo) > sb2 || sb(hi) < sb2 {
                return None;
            }
            for _ in 0..80 {
                let mid = 0.5 * (lo + hi);
                if sb(mid) < sb2 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Some(critical_point(act, 0.5 * (lo + hi)).0)
        }
    }
}

/// One layer's prediction at initialisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayerLaw {
    /// The mean square of the layer's outputs, as the records count them: a hidden layer's
    /// activations (with residual connections, the stream `h_l`), the output layer's output.
    pub act_ms: f64,
    /// The variance of `ln act_ms` across networks of this finite width: each layer whose
    /// output is not normalised adds `(E[f⁴]/E[f²]² − 1)/n` (ReLU `5/n`, linear `2/n`), a
    /// normalised one starts afresh, a residual block adds its branch's share of it.
    pub log_var: f64,
    /// The mean square of `dL/dz_l`, the gradient at the layer's linear output, relative to
    /// the output layer's.
    pub grad_ms: f64,
    /// The 2-norm of the layer's weight gradient relative to the output layer's:
    /// `√(d_l·d_(l-1)·E[δ²]·E[input²])`, normalised so the output layer's is 1.
    pub grad_norm: f64,
}

/// Per layer (1 to `depth + 1`), what the laws predict for the MLP `spec` whose inputs have
/// mean square `input_ms` per unit (`input_dim` of them); `(σ_w², σ_b²)` per layer come from
/// [`Init::variances`](super::spec::Init::variances).
pub fn predict(spec: &MlpSpec, input_dim: usize, input_ms: f64) -> Vec<LayerLaw> {
    let act = spec.activation;
    let gain = spec.gain.unwrap_or(act.gain());
    let mut dims = vec![input_dim];
    dims.extend(std::iter::repeat_n(spec.width, spec.depth));
    dims.push(1);
    let big_l = dims.len() - 1;
    let layer_var = |l: usize| {
        let (vw, vb) = spec.init.variances(gain, dims[l], dims[l - 1]);
        (vw * dims[l - 1] as f64, vb)
    };
    let residual = match spec.residual {
        Residual::Off => None,
        Residual::On { alpha, zero_init } => Some((alpha, zero_init)),
    };
    let width = spec.width as f64;
    let kurtosis = |m: Moments| {
        if m.square > 0.0 {
            (m.fourth / (m.square * m.square) - 1.0).max(0.0)
        } else {
            0.0
        }
    };
    // What a site f̂ (activation with its normalisation) outputs for an input of mean square
    // q: the output's mean square and kurtosis, and the factor it multiplies a gradient's
    // mean square by on the way back.
    let site = |q: f64| -> (f64, f64, f64) {
        match spec.norm {
            Norm::None => {
                let m = moments(act, q);
                (m.square, kurtosis(m), m.slope)
            }
            Norm::Layer(NormPlace::Before) | Norm::Batch(NormPlace::Before) => {
                let m = moments(act, 1.0);
                (m.square, kurtosis(m), m.slope / q.max(f64::MIN_POSITIVE))
            }
            Norm::Layer(NormPlace::After) | Norm::Batch(NormPlace::After) => {
                let m = moments(act, q);
                let var = (m.square - m.mean * m.mean).max(f64::MIN_POSITIVE);
                (1.0, 0.0, m.slope / var)
            }
        }
    };
    let blocks_zero = |l: usize| residual.is_some_and(|(_, z)| z) && (2..big_l).contains(&l);
    let weights = |l: usize| {
        if blocks_zero(l) {
            (0.0, 0.0)
        } else {
            layer_var(l)
        }
    };
    // Forward: each linear layer's input and output mean square, and the records'.
    let mut laws: Vec<LayerLaw> = Vec::with_capacity(big_l);
    let mut inputs = vec![input_ms; big_l + 1];
    let mut pre = vec![0.0; big_l + 1];
    let mut log_var = 0.0;
    for l in 1..=big_l {
        let (sw2, sb2) = weights(l);
        let stream = if l >= 2 { laws[l - 2].act_ms } else { input_ms };
        inputs[l] = match residual {
            Some(_) if l >= 2 => site(stream).0,
            _ => stream,
        };
        let z = sw2 * inputs[l] + sb2;
        pre[l] = z;
        let act_ms = if l == big_l {
            z
        } else {
            match residual {
                Some(_) if l == 1 => {
                    log_var = 2.0 / width;
                    z
                }
                Some((alpha, _)) => {
                    let branch = alpha * alpha * z;
                    let total = stream + branch;
                    let share = if total > 0.0 { branch / total } else { 0.0 };
                    log_var += share * share * 2.0 / width;
                    total
                }
                None => {
                    let (out, kappa, _) = site(z);
                    log_var = if spec.norm == Norm::None {
                        log_var + kappa / width
                    } else {
                        kappa / width
                    };
                    out
                }
            }
        };
        laws.push(LayerLaw {
            act_ms,
            log_var,
            grad_ms: 0.0,
            grad_norm: 0.0,
        });
    }
    // Backward: `dL/dz_L` has mean square 1 (relative); each layer's weights and the site
    // before them multiply it; a residual block adds its branch's gradient to the stream's.
    let mut grad = vec![0.0; big_l + 1];
    grad[big_l] = 1.0;
    let mut stream_grad = 0.0;
    for l in (1..=big_l).rev() {
        let through = weights(l).0 * dims[l] as f64 / dims[l - 1] as f64;
        match residual {
            Some((alpha, _)) if l >= 2 => {
                let back = site(laws[l - 2].act_ms).2;
                if l == big_l {
                    stream_grad = grad[l] * through * back;
                } else {
                    grad[l] = alpha * alpha * stream_grad;
                    stream_grad *= 1.0 + alpha * alpha * through * back;
                }
            }
            Some(_) => grad[l] = stream_grad,
            None if l > 1 => grad[l - 1] = grad[l] * through * site(pre[l - 1]).2,
            None => {}
        }
    }
    let norm_of = |l: usize| (dims[l] as f64 * dims[l - 1] as f64 * grad[l] * inputs[l]).sqrt();
    let last = norm_of(big_l);
    for (l, law) in (1..=big_l).zip(laws.iter_mut()) {
        law.grad_ms = grad[l];
        law.grad_norm = if last > 0.0 { norm_of(l) / last } else { 0.0 };
    }
    laws
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::spec::Init;

    /// `E[g(z)]` by adaptive Simpson over `±12` with a tolerance of `1e-14`: an independent
    /// check of the composite rule.
    fn simpson<G: Fn(f64) -> f64 + Copy>(g: G) -> f64 {
        /// Simpson on `[a, b]` with `f` at `a`, the middle and `b`, refined until the two
        /// halves agree with the whole to `tol`.
        fn step<G: Fn(f64) -> f64 + Copy>(
            g: G,
            [a, b]: [f64; 2],
            [fa, fm, fb]: [f64; 3],
            whole: f64,
            tol: f64,
            depth: u32,
        ) -> f64 {
            let m = 0.5 * (a + b);
            let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
            let (flm, frm) = (g(lm), g(rm));
            let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
            let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
            if depth == 0 || (left + right - whole).abs() <= 15.0 * tol {
                left + right + (left + right - whole) / 15.0
            } else {
                step(g, [a, m], [fa, flm, fm], left, tol / 2.0, depth - 1)
                    + step(g, [m, b], [fm, frm, fb], right, tol / 2.0, depth - 1)
            }
        }
        let h = |z: f64| g(z) * (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (a, b) = (-12.0, 12.0);
        let (fa, fm, fb) = (h(a), h(0.0), h(b));
        let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
        step(h, [a, b], [fa, fm, fb], whole, 1e-14, 40)
    }

    #[test]
    fn tanh_moments_match_an_independent_quadrature() {
        for q in [0.01, 0.3, 1.0, 2.5, 10.0] {
            let m = moments(Activation::Tanh, q);
            let s = q.sqrt();
            let want_sq = simpson(|z| (s * z).tanh().powi(2));
            let want_slope = simpson(|z| (1.0 - (s * z).tanh().powi(2)).powi(2));
            assert!(
                (m.square - want_sq).abs() < 1e-10,
                "q {q}: {} vs {want_sq}",
                m.square
            );
            assert!(
                (m.slope - want_slope).abs() < 1e-10,
                "q {q}: {} vs {want_slope}",
                m.slope
            );
            assert!(m.mean.abs() < 1e-15);
        }
    }

    #[test]
    fn linear_and_relu_laws_are_exact() {
        assert_eq!(q_map(Activation::Linear, 1.7, 0.0, 2.0), 3.4);
        assert_eq!(q_map(Activation::Relu, 2.0, 0.0, 3.0), 3.0);
        assert_eq!(chi1(Activation::Relu, 2.0, 0.0), 1.0);
        // He: ReLU holds the mean square; Xavier (σ_w² = 1) halves it per layer.
        let spec = |init| MlpSpec {
            width: 64,
            depth: 30,
            activation: Activation::Relu,
            init,
            ..MlpSpec::default()
        };
        let he = predict(&spec(Init::KaimingNormal), 64, 1.0);
        let xavier = predict(
            &MlpSpec {
                gain: Some(1.0),
                ..spec(Init::XavierNormal)
            },
            64,
            1.0,
        );
        for l in 1..30 {
            assert!((he[l].act_ms / he[l - 1].act_ms - 1.0).abs() < 1e-12);
            assert!((xavier[l].act_ms / xavier[l - 1].act_ms - 0.5).abs() < 1e-12);
            // The gradient's mean square too, going back.
            assert!((he[l - 1].grad_ms / he[l].grad_ms - 1.0).abs() < 1e-12);
        }
        // Each ReLU layer adds 5/n to the variance of ln q.
        assert!((he[29].log_var - 30.0 * 5.0 / 64.0).abs() < 1e-12);
    }

    #[test]
    fn tanh_critical_line_matches_the_papers() {
        // Schoenholz et al.: the critical σ_w² for σ_b² = 0, 0.01, 0.05, 0.1.
        for (sb2, want) in [(0.0, 1.0), (0.01, 1.424), (0.05, 1.761), (0.1, 1.986)] {
            let got = critical_sw2(Activation::Tanh, sb2).unwrap();
            assert!((got - want).abs() < 2e-3, "σ_b² {sb2}: {got} vs {want}");
        }
        // At the critical point the fixed point is 0 (σ_b = 0) and χ₁ = σ_w² there.
        assert_eq!(fixed_point(Activation::Tanh, 0.9, 0.0), 0.0);
        assert!((chi1(Activation::Tanh, 0.9, 0.0) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn tanh_fixed_point_and_chi1_match_an_independent_computation() {
        let (sw2, sb2) = (1.5, 0.05);
        // The fixed point by bisection on q − map(q), each map by adaptive Simpson.
        let g = |q: f64| sw2 * simpson(|z| (q.sqrt() * z).tanh().powi(2)) + sb2 - q;
        let (mut lo, mut hi) = (1e-6, 10.0);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if g(mid) > 0.0 {
                lo = mid
            } else {
                hi = mid
            }
        }
        let q = 0.5 * (lo + hi);
        let chi = sw2 * simpson(|z| (1.0 - (q.sqrt() * z).tanh().powi(2)).powi(2));
        assert!((fixed_point(Activation::Tanh, sw2, sb2) - q).abs() < 1e-10);
        assert!((chi1(Activation::Tanh, sw2, sb2) - chi).abs() < 1e-10);
        assert!(chi < 1.0);
        assert!((depth_scale(chi) + 1.0 / chi.ln()).abs() < 1e-9);
    }
}
