//! The single-neuron recurrent network of Pascanu, Mikolov and Bengio (2013), "On the
//! difficulty of training recurrent neural networks" (ICML 2013; arXiv:1211.5063),
//! section 2.3, "The geometrical interpretation": one hidden unit, no input,
//!
//! ```text
//! x_t = w·σ(x_(t−1)) + b,    x_0 = 0.5,    E = (σ(x_50) − 0.7)²,
//! ```
//!
//! with `σ` the logistic sigmoid (their eq. (8) and Fig. 6), and the linear case the
//! lecture uses, `x_t = w·x_(t−1) + b`, with the same `x_0`, `T` and the same error
//! `E = (σ(x_T) − 0.7)²`, so that its surface stays bounded too. For `b = 0` the linear
//! state is `x_t = x_0·w^t`, so `∂x_t/∂w = t·x_0·w^(t−1)` and
//! `∂²x_t/∂w² = t(t−1)·x_0·w^(t−2)`: when the first derivative explodes, so does the
//! second (their section 2.3).
//!
//! [`at`] gives `E` and its gradient by a forward pass and back-propagation through time
//! written out by hand:
//!
//! ```text
//! δ_T = ∂E/∂x_T = 2(σ(x_T) − 0.7)·σ'(x_T)
//! ∂E/∂w = Σ_t δ_t·σ(x_(t−1))      (linear: Σ_t δ_t·x_(t−1))
//! ∂E/∂b = Σ_t δ_t
//! δ_(t−1) = δ_t·w·σ'(x_(t−1))     (linear: δ_t·w)
//! ```
//!
//! [`surface`] evaluates the loss on a grid (the forward pass only), and [`descend`] runs
//! plain SGD on it, with or without the paper's norm clipping (their Algorithm 1).
//!
//! # The walls
//! For `w·σ'(x) > 1` somewhere, that is `w > 4`, the sigmoid map `x ↦ w·σ(x) + b` can have
//! two stable fixed points with an unstable one between them, the boundary of their basins
//! of attraction. Where that boundary passes through `x_0 = 0.5`, at
//! `b = 0.5 − w·σ(0.5)` (for `w` above `1/σ'(0.5) ≈ 4.25`), a small change of `(w, b)`
//! sends `x_50` to the other attractor: `E` jumps, and its gradient is enormous. These are
//! high-curvature walls like those of the paper's Fig. 6. The line is derived here (the
//! paper gives no coordinates for its walls); the tests find the jump on it to within
//! `1e-3` at `w = 5`, `1e-6` at `w = 6` and `1e-9` at `w = 7`, as the wall sharpens with
//! `w` (just above 4.25 the 50 steps are too few for a sharp jump).
//!
//! The paper's Fig. 3 (Doya's example, recurrent weight 5.0) is the bifurcation diagram
//! across `b`: two bifurcations `b_1 < b_2` with two attractors between them. It names no
//! values for them either; with `w·σ'(x) = 1` at the saddle-node points they are
//! `b = x − 5σ(x)` at `x = ±ln((1 + √0.2)/(1 − √0.2))`, about `−2.656` and `−2.344`
//! (derived here, and checked by iterating the map in the tests). The wall at `w = 5`,
//! `b ≈ −2.612`, lies between them.
//!
//! Next to a wall, plain SGD is thrown far. From `(5, −2.61232)`, `5.6e-5` above the wall,
//! with `lr = 0.1`, the gradient's norm is about 3400 and the plain step lands near
//! `(187, 290)`, where `σ` has saturated, `E = 0.09` and the gradient is about `7e-208`:
//! it stays there. Clipped to norm 1 (Algorithm 1), the same start descends from
//! `E = 0.040` to `0.018` in five steps of length at most 0.1.
//!
//! # Arithmetic
//! Every operation is `f64`, rounded as written, in pure Rust (an `exp` of its own, within
//! 1 ulp of `libm`'s, and branch-free so that the surface's loop vectorises), so every
//! platform computes the same bits. `σ(x)` and `σ'(x)` come from `e = exp(−|x|)`, so both
//! keep their relative accuracy far into the tails (`σ'(x) = e/(1 + e)²`, not
//! `σ·(1 − σ)`, which cancels for large `x`). Nothing is clamped: huge weights make `σ`
//! saturate to exactly 0 or 1 and `σ'` underflow to 0; a linear state that overflows is
//! `±∞`, and then the gradient holds `0·∞ = NaN`; NaN inputs give NaN. Non-finite values
//! propagate as IEEE 754 says, and nothing panics.

/// Which recurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// `x_t = w·σ(x_(t−1)) + b`: the paper's eq. (8).
    Sigmoid,
    /// `x_t = w·x_(t−1) + b`: the linear case.
    Linear,
}

/// The initial state `x_0` (the paper's `x_0 = .5`).
pub const X0: f64 = 0.5;

/// The number of steps `T`: the error is measured on `x_T` (the paper's 50 steps).
pub const T: usize = 50;

/// The target of `σ(x_T)` (the paper's 0.7).
pub const TARGET: f64 = 0.7;

/// The loss and its gradient at one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// `E = (σ(x_T) − 0.7)²`.
    pub loss: f64,
    /// `∂E/∂w`.
    pub dw: f64,
    /// `∂E/∂b`.
    pub db: f64,
}

/// One step of a descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathStep {
    /// The recurrent weight at this point.
    pub w: f64,
    /// The bias at this point.
    pub b: f64,
    /// `E` at this point.
    pub loss: f64,
    /// `‖∇E‖`, the 2-norm of `(∂E/∂w, ∂E/∂b)` at this point, before any clipping
    /// (`libm`'s `hypot`, so it overflows only when the norm itself exceeds `f64::MAX`).
    pub grad_norm: f64,
    /// The factor clipping multiplies this point's gradient by in the update that leaves
    /// it: `threshold/‖∇E‖` when clipped, 1 when not (for the last point of a path, the
    /// factor its update would have had).
    pub clip_factor: f64,
}

/// `log2(e)`.
const LOG2_E: f64 = core::f64::consts::LOG2_E;
/// `ln 2` split in two (fdlibm's `ln2_hi` and `ln2_lo`): `ln2_hi` ends in 32 zero bits, so
/// `k·ln2_hi` is exact for every `k` [`exp_neg`] meets.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
/// `ln 2 − ln2_hi`, rounded.
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// Adding and subtracting `1.5·2^52` rounds an `f64` of magnitude below `2^51` to the
/// nearest integer (ties to even), with no branch and no call.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// `1/13!, 1/12!, …, 1/2!, 1/1!`: the Taylor coefficients of `(e^r − 1)/r`, highest first.
const INV_FACTORIALS: [f64; 13] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    1.0 / 2.0,
    1.0,
];

/// `2^k` for an integer-valued `k` in `[−1022, 1023]`, built from its bits.
#[inline(always)]
fn pow2(k: f64) -> f64 {
    // `k + 1.5·2^52` holds `k` in its low mantissa bits: integer adds and a shift, which
    // vectorise (no float-to-integer conversion).
    let k_bits = (k + ROUND).to_bits().wrapping_sub(ROUND.to_bits());
    f64::from_bits(k_bits.wrapping_add(1023) << 52)
}

/// `e^t` for `t ≤ 0` (`−∞` gives 0, NaN gives NaN), within 1 ulp of `libm::exp` (this
/// module's tests sweep `[−760, 0]`), subnormal results included. Branch-free, so the
/// surface's loop vectorises: it runs in about half the time of a call to `libm::exp`.
///
/// `t = k·ln 2 + r` with `|r| ≤ ln 2/2`; `e^r` is its Taylor polynomial of degree 13,
/// whose truncation error is below `r^14/14! < 5e-18`; `2^k` is applied as two powers of
/// two, so results below the normal range round once, as they should.
#[inline(always)]
fn exp_neg(t: f64) -> f64 {
    // A comparison, not `max`, so that NaN passes through. `e^−750` rounds to 0.
    let t = if t < -750.0 { -750.0 } else { t };
    let k = (t * LOG2_E + ROUND) - ROUND;
    let r = (t - k * LN2_HI) - k * LN2_LO;
    let mut q = INV_FACTORIALS[0];
    for &c in &INV_FACTORIALS[1..] {
        q = q * r + c;
    }
    // `k` is in [−1082, 0]; each half is in the normal range of `pow2`. For a NaN `t` the
    // powers are garbage, but `r`, and with it the result, is NaN.
    let k1 = (k * 0.5 + ROUND) - ROUND;
    (1.0 + r * q) * pow2(k1) * pow2(k - k1)
}

/// `(σ(x), σ'(x))`, both from `e = exp(−|x|)`: `σ(x) = 1/(1 + e)` for `x ≥ 0` and
/// `e/(1 + e)` below, `σ'(x) = e/(1 + e)²`. `σ(±∞)` is 1 or 0 with `σ' = 0`; NaN gives
/// NaN.
#[inline(always)]
fn sigmoid_parts(x: f64) -> (f64, f64) {
    let e = exp_neg(-x.abs());
    let r = 1.0 / (1.0 + e);
    let er = e * r;
    // `x >= 0` is false for NaN, and `er` is then NaN.
    let s = if x >= 0.0 { r } else { er };
    (s, er * r)
}

/// `σ(x)`, bit for bit the first part of [`sigmoid_parts`].
#[inline(always)]
fn sigmoid(x: f64) -> f64 {
    sigmoid_parts(x).0
}

/// `E` from the final state.
#[inline(always)]
fn loss_of(x_t: f64) -> f64 {
    let r = sigmoid(x_t) - TARGET;
    r * r
}

/// The `i`-th of `n` cell centres over `range`: `lo + (i + 0.5)·((hi − lo)/n)`, rounded in
/// that order.
#[inline(always)]
fn centre(range: (f64, f64), n: usize, i: usize) -> f64 {
    range.0 + (i as f64 + 0.5) * ((range.1 - range.0) / n as f64)
}

/// E, ∂E/∂w, ∂E/∂b at (w, b), exact in f64: forward pass, then back-propagation through time
/// written by hand.
///
/// "Exact" as far as `f64` goes: no finite differences, every operation rounded once (see
/// the module's section on arithmetic for what overflow and NaN give).
pub fn at(rec: Recurrence, w: f64, b: f64) -> Point {
    // `taps[t] = ∂x_(t+1)/∂w`: `σ(x_t)`, or `x_t` for the linear case; `slopes[t] = σ'(x_t)`.
    let mut taps = [0.0; T];
    let mut slopes = [0.0; T];
    let mut x = X0;
    match rec {
        Recurrence::Sigmoid => {
            for t in 0..T {
                let (s, ds) = sigmoid_parts(x);
                taps[t] = s;
                slopes[t] = ds;
                x = w * s + b;
            }
        }
        Recurrence::Linear => {
            for tap in &mut taps {
                *tap = x;
                x = w * x + b;
            }
        }
    }
    let (s, ds) = sigmoid_parts(x);
    let r = s - TARGET;
    let loss = r * r;
    // δ = ∂E/∂x_t, from t = T down to 1.
    let mut delta = 2.0 * r * ds;
    let (mut dw, mut db) = (0.0, 0.0);
    match rec {
        Recurrence::Sigmoid => {
            for t in (0..T).rev() {
                dw += delta * taps[t];
                db += delta;
                delta = delta * w * slopes[t];
            }
        }
        Recurrence::Linear => {
            for t in (0..T).rev() {
                dw += delta * taps[t];
                db += delta;
                delta *= w;
            }
        }
    }
    Point { loss, dw, db }
}

/// The loss on an n × n grid: w_i = w.0 + (i + 0.5)·(w.1 − w.0)/n, b_j likewise over b,
/// row-major by b (index j·n + i).
///
/// Each value is bit for bit [`at`]`(rec, w_i, b_j).loss`, with the centres rounded as
/// `w.0 + (i + 0.5) * ((w.1 - w.0) / n)`. Only the forward pass runs, a whole row of the
/// grid at a time (the row's `n` recurrences advance together, so the loop vectorises and
/// their `exp`s overlap). `n = 0` gives an empty vector; reversed or non-finite ranges are
/// taken as given.
///
/// # Panics
/// If `n²` values cannot be allocated.
pub fn surface(rec: Recurrence, w: (f64, f64), b: (f64, f64), n: usize) -> Vec<f64> {
    let ws: Vec<f64> = (0..n).map(|i| centre(w, n, i)).collect();
    let mut xs = vec![X0; n];
    let mut out = Vec::with_capacity(n.checked_mul(n).expect("an n × n grid fits in memory"));
    for j in 0..n {
        let bj = centre(b, n, j);
        xs.fill(X0);
        match rec {
            Recurrence::Sigmoid => {
                for _ in 0..T {
                    for (x, &wi) in xs.iter_mut().zip(&ws) {
                        *x = wi * sigmoid(*x) + bj;
                    }
                }
            }
            Recurrence::Linear => {
                for _ in 0..T {
                    for (x, &wi) in xs.iter_mut().zip(&ws) {
                        *x = wi * *x + bj;
                    }
                }
            }
        }
        out.extend(xs.iter().map(|&x| loss_of(x)));
    }
    out
}

/// Plain SGD from `start` with learning rate `lr` for at most `steps` updates, the
/// gradient's norm clipped to `clip` when given (Pascanu's Algorithm 1:
/// g ← threshold·g/‖g‖ when ‖g‖ > threshold; clip_factor is the multiplier, 1 when not
/// clipped). Element 0 is the start; each later element the point after an update. Stops
/// after the first point whose loss or gradient is not finite (that point is included, so
/// inf/NaN are shown as content).
///
/// An update is `w ← w − lr·(f·∂E/∂w)`, `b ← b − lr·(f·∂E/∂b)` with `f` the point's
/// `clip_factor`, so an unclipped step is exactly `w − lr·∂E/∂w`. The paper clips when
/// `‖g‖ ≥ threshold`; at equality the factor is 1 either way. A gradient counts as not
/// finite when either component, or its norm, is not. The threshold is used as given (the
/// paper's is positive; with a NaN threshold nothing is clipped). The path has at most
/// `steps + 1` elements.
pub fn descend(
    rec: Recurrence,
    start: (f64, f64),
    lr: f64,
    steps: usize,
    clip: Option<f64>,
) -> Vec<PathStep> {
    // Room for a typical path; a huge `steps` must not allocate (or overflow) up front.
    let mut path = Vec::with_capacity(steps.min(1 << 12) + 1);
    let (mut w, mut b) = start;
    loop {
        let p = at(rec, w, b);
        let grad_norm = libm::hypot(p.dw, p.db);
        let clip_factor = match clip {
            Some(threshold) if grad_norm > threshold => threshold / grad_norm,
            _ => 1.0,
        };
        path.push(PathStep {
            w,
            b,
            loss: p.loss,
            grad_norm,
            clip_factor,
        });
        let finite = p.loss.is_finite() && grad_norm.is_finite();
        if !finite || path.len() > steps {
            return path;
        }
        w -= lr * (clip_factor * p.dw);
        b -= lr * (clip_factor * p.db);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [Recurrence; 2] = [Recurrence::Sigmoid, Recurrence::Linear];

    /// `x_T`, `∂x_T/∂w` and `∂x_T/∂b` by forward-mode differentiation: an exact derivative
    /// computed independently of the back-propagation in [`at`].
    fn forward_mode(rec: Recurrence, w: f64, b: f64) -> (f64, f64, f64) {
        let (mut x, mut xw, mut xb) = (X0, 0.0, 0.0);
        for _ in 0..T {
            let (value, slope) = match rec {
                Recurrence::Sigmoid => sigmoid_parts(x),
                Recurrence::Linear => (x, 1.0),
            };
            xw = value + w * slope * xw;
            xb = 1.0 + w * slope * xb;
            x = w * value + b;
        }
        (x, xw, xb)
    }

    /// The grid of test 1 and its forward-mode twin: every half unit over `[−10, 10]²`.
    fn grid() -> impl Iterator<Item = (f64, f64)> {
        (0..=40)
            .flat_map(|i| (0..=40).map(move |j| (-10.0 + 0.5 * i as f64, -10.0 + 0.5 * j as f64)))
    }

    /// Where the loss along `b` (at this `w`, over `[−10, 0]`) jumps from the low plateau's
    /// side to the high one's: 80 bisections, so the bracket ends are adjacent floats.
    fn wall(w: f64) -> (f64, f64) {
        let e = |b: f64| at(Recurrence::Sigmoid, w, b).loss;
        let (mut lo, mut hi) = (-10.0, 0.0);
        let (e_lo, e_hi) = (e(lo), e(hi));
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            let em = e(mid);
            if (em - e_lo).abs() < (em - e_hi).abs() {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo, hi)
    }

    #[test]
    fn gradient_matches_central_differences() {
        // Two central differences, with h and h/2: where they disagree beyond 1e-7 the loss
        // is not smooth on the scale of h (next to a wall) and the difference says nothing.
        // Where |∂E| < 1e-4 the loss is flat to rounding: the differences of E carry a
        // rounding noise of about ulp(E)/h ≈ 1e-11.
        let h = 1e-5;
        for rec in BOTH {
            let (mut total, mut checked) = (0, 0);
            for (w, b) in grid() {
                let p = at(rec, w, b);
                for (g, (dw, db)) in [(p.dw, (1.0, 0.0)), (p.db, (0.0, 1.0))] {
                    total += 1;
                    let fd = |h: f64| {
                        let plus = at(rec, w + h * dw, b + h * db).loss;
                        let minus = at(rec, w - h * dw, b - h * db).loss;
                        (plus - minus) / (2.0 * h)
                    };
                    let (coarse, fine) = (fd(h), fd(0.5 * h));
                    if g.abs() < 1e-4 || (coarse - fine).abs() > 1e-7 * fine.abs() {
                        continue;
                    }
                    checked += 1;
                    let rel = (g - fine).abs() / g.abs();
                    assert!(rel < 1e-6, "{rec:?} at ({w}, {b}): {g} vs {fine} ({rel:e})");
                }
            }
            // The linear state explodes or dies out unless |w| is near 1 (or b takes
            // over), so most of its surface is flat: 206 of its 3362 derivatives are checked,
            // and 2304 of the sigmoid's.
            let least = match rec {
                Recurrence::Sigmoid => 2000,
                Recurrence::Linear => 150,
            };
            assert!(
                checked >= least,
                "{rec:?}: only {checked} of {total} checked"
            );
        }
    }

    #[test]
    fn gradient_matches_forward_mode_everywhere() {
        // No point is skipped here, walls included: forward mode is exact too.
        for rec in BOTH {
            for (w, b) in grid() {
                let p = at(rec, w, b);
                let (x, xw, xb) = forward_mode(rec, w, b);
                let (s, ds) = sigmoid_parts(x);
                assert_eq!(p.loss, (s - TARGET) * (s - TARGET));
                let outer = 2.0 * (s - TARGET) * ds;
                for (got, want) in [(p.dw, outer * xw), (p.db, outer * xb)] {
                    let scale = got.abs().max(want.abs());
                    assert!(
                        (got - want).abs() <= 1e-9 * scale,
                        "{rec:?} at ({w}, {b}): {got:e} vs {want:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn linear_derivative_in_w_is_t_x0_w_to_the_t_minus_1() {
        // b = 0: x_T = x0·w^T, ∂x_T/∂w = T·x0·w^(T−1), so
        // ∂E/∂w = 2(σ(x_T) − 0.7)·σ'(x_T)·T·x0·w^(T−1).
        let n = T as i32;
        for w in [
            -1.05, -1.0, -0.99, 0.3, 0.9, 0.99, 0.999, 1.0, 1.001, 1.01, 1.05, 1.1,
        ] {
            let p = at(Recurrence::Linear, w, 0.0);
            let x_t = X0 * f64::powi(w, n);
            let (s, ds) = sigmoid_parts(x_t);
            let want = 2.0 * (s - TARGET) * ds * (T as f64) * X0 * f64::powi(w, n - 1);
            assert!(want != 0.0);
            let rel = (p.dw - want).abs() / want.abs();
            assert!(rel < 1e-12, "w = {w}: {} vs {want} ({rel:e})", p.dw);
        }
    }

    #[test]
    fn surface_is_at_bit_for_bit() {
        let cases = [
            ((-10.0, 10.0), (-10.0, 10.0), 17),
            ((4.0, 6.5), (-3.5, -2.0), 23),
            ((1.0, -1.0), (0.3, 0.1), 5),
            ((-2.0, 2.0), (0.0, 0.0), 1),
        ];
        for rec in BOTH {
            for (w, b, n) in cases {
                let s = surface(rec, w, b, n);
                assert_eq!(s.len(), n * n);
                for j in 0..n {
                    for i in 0..n {
                        let wi = w.0 + (i as f64 + 0.5) * ((w.1 - w.0) / n as f64);
                        let bj = b.0 + (j as f64 + 0.5) * ((b.1 - b.0) / n as f64);
                        let want = at(rec, wi, bj).loss;
                        assert_eq!(s[j * n + i].to_bits(), want.to_bits(), "{rec:?} {i} {j}");
                    }
                }
            }
            assert!(surface(rec, (0.0, 1.0), (0.0, 1.0), 0).is_empty());
        }
    }

    #[test]
    fn descend_takes_the_plain_and_the_clipped_step() {
        for (rec, start) in [
            (Recurrence::Sigmoid, (2.0, -1.0)),
            (Recurrence::Linear, (1.0, 0.1)),
        ] {
            let lr = 0.3;
            let p = at(rec, start.0, start.1);
            let norm = p.dw.hypot(p.db);
            assert!(norm > 1e-3, "{rec:?}: {norm}");

            let plain = descend(rec, start, lr, 3, None);
            assert_eq!(plain.len(), 4);
            assert_eq!(
                (plain[0].w, plain[0].b, plain[0].loss),
                (start.0, start.1, p.loss)
            );
            assert_eq!(plain[0].clip_factor, 1.0);
            assert_eq!(plain[1].w.to_bits(), (start.0 - lr * p.dw).to_bits());
            assert_eq!(plain[1].b.to_bits(), (start.1 - lr * p.db).to_bits());
            assert_eq!(plain[1].loss, at(rec, plain[1].w, plain[1].b).loss);
            assert!((plain[0].grad_norm - norm).abs() <= 1e-15 * norm);

            // A threshold above every norm on the way changes nothing.
            let above = plain.iter().map(|s| s.grad_norm).fold(0.0, f64::max);
            assert_eq!(descend(rec, start, lr, 3, Some(above)), plain);

            for fraction in [0.25, 0.9, 0.999] {
                let threshold = fraction * norm;
                let clipped = descend(rec, start, lr, 3, Some(threshold));
                let factor = clipped[0].clip_factor;
                assert_eq!(factor, threshold / clipped[0].grad_norm);
                assert!((factor - fraction).abs() < 1e-14, "{factor} {fraction}");
                let step = (clipped[1].w - start.0).hypot(clipped[1].b - start.1);
                assert!(
                    (step - lr * threshold).abs() <= 1e-12 * lr * threshold,
                    "{step}"
                );
                // In the plain step's direction.
                let (dw, db) = (plain[1].w - start.0, plain[1].b - start.1);
                let cross = dw * (clipped[1].b - start.1) - db * (clipped[1].w - start.0);
                assert!(cross.abs() <= 1e-12 * step * dw.hypot(db));
            }
        }
        assert_eq!(
            descend(Recurrence::Sigmoid, (1.0, 0.0), 0.1, 0, None).len(),
            1
        );
    }

    #[test]
    fn descend_stops_after_the_first_non_finite_point() {
        // Linear at (1, 0): ∂E/∂w ≈ −0.9, so a learning rate of 1e7 sends w to about 9e6,
        // where x_T = x0·w^50 overflows and the gradient holds 0·∞ = NaN.
        let path = descend(Recurrence::Linear, (1.0, 0.0), 1e7, 100, None);
        assert_eq!(path.len(), 2, "{path:?}");
        assert!(path[0].grad_norm.is_finite());
        assert!(path[1].w > 1e6 && path[1].grad_norm.is_nan() && path[1].loss.is_finite());
        // A NaN start is shown, once.
        for rec in BOTH {
            let path = descend(rec, (f64::NAN, 0.0), 0.1, 10, Some(1.0));
            assert_eq!(path.len(), 1);
            assert!(path[0].loss.is_nan() && path[0].grad_norm.is_nan());
            assert_eq!(path[0].clip_factor, 1.0);
        }
    }

    #[test]
    fn extremes_do_not_panic_and_follow_ieee() {
        // Huge weights saturate σ: the loss is (1 − 0.7)² or (0 − 0.7)², the gradient 0.
        for w in [1e6, -1e6, 1e300] {
            let p = at(Recurrence::Sigmoid, w, 0.0);
            assert!(
                p.loss.is_finite() && p.dw.is_finite() && p.db.is_finite(),
                "{w}: {p:?}"
            );
        }
        let p = at(Recurrence::Linear, 1e6, 0.0);
        assert!(p.loss.is_finite() && p.dw == 0.0 && p.db == 0.0, "{p:?}");
        // 1e7^50 overflows: the loss is σ(∞) = 1's, the gradient 0·∞ = NaN.
        let p = at(Recurrence::Linear, 1e7, 0.0);
        assert_eq!(p.loss, (1.0 - TARGET) * (1.0 - TARGET));
        assert!(p.dw.is_nan());
        for rec in BOTH {
            for (w, b) in [
                (f64::NAN, 0.0),
                (1.0, f64::NAN),
                (f64::INFINITY, f64::NEG_INFINITY),
            ] {
                let p = at(rec, w, b);
                assert!(
                    p.loss.is_nan() || p.dw.is_nan() || p.db.is_nan(),
                    "{rec:?} {p:?}"
                );
            }
            let s = surface(rec, (f64::NAN, 1.0), (0.0, 1.0), 3);
            assert!(s.len() == 9 && s.iter().all(|v| v.is_nan()));
            let s = surface(rec, (-1e300, 1e300), (-1e300, 1e300), 4);
            assert_eq!(s.len(), 16);
        }
    }

    /// The phenomenon of Pascanu et al.'s Fig. 6: next to a wall, a plain SGD step is
    /// thrown far, onto a plateau where the gradient vanishes, while the clipped step stays
    /// near and descends.
    #[test]
    fn clipping_keeps_the_descent_near_a_wall() {
        let (lr, threshold, k) = (0.1, 1.0, 5);
        let near = k as f64 * lr * threshold;
        let mut found = None;
        'search: for i in 0..5 {
            let w = 5.0 + 0.25 * i as f64;
            let (edge, _) = wall(w);
            // Offsets from the wall, ±1e-8 to ±1e-3 on a log scale, and 0.
            for m in -40..=40 {
                let d = if m == 0 {
                    0.0
                } else {
                    f64::from(m).signum() * 10f64.powf(-8.0 + f64::from(m).abs() / 8.0)
                };
                let start = (w, edge + d);
                let plain = descend(Recurrence::Sigmoid, start, lr, k, None);
                let clipped = descend(Recurrence::Sigmoid, start, lr, k, Some(threshold));
                if plain.len() != k + 1 || clipped.len() != k + 1 {
                    continue;
                }
                let dist = |s: &PathStep| (s.w - start.0).hypot(s.b - start.1);
                let (e0, ep, ec) = (plain[0].loss, plain[k].loss, clipped[k].loss);
                if dist(&plain[1]) > 10.0 * dist(&clipped[1])
                    && ep >= e0
                    && ec < e0
                    && clipped.windows(2).all(|p| p[1].loss < p[0].loss)
                {
                    found = Some((start, plain, clipped));
                    break 'search;
                }
            }
        }
        let (start, plain, clipped) = found.expect("no start next to a wall found");
        println!("start {start:?}\nplain {plain:?}\nclipped {clipped:?}");
        let dist = |s: &PathStep| (s.w - start.0).hypot(s.b - start.1);
        // The clipped path stays within k clipped steps; the plain one is thrown far.
        assert!(clipped.iter().all(|s| dist(s) <= near * (1.0 + 1e-12)));
        assert!(clipped[0].clip_factor < 0.1);
        assert!(dist(&plain[k]) > 10.0 * near);
        // Where it lands, σ saturates: the gradient has vanished, and plain SGD is stuck.
        assert!(plain[k].grad_norm < 1e-9, "{:?}", plain[k]);
    }

    /// Pascanu et al. (2013), Fig. 3 (Doya's example, recurrent weight 5.0): as b varies
    /// there are exactly two bifurcations, with two attractors between them and one
    /// outside. The paper gives no values for them; the saddle-node condition
    /// `5σ'(x) = 1` puts them at `b = x − 5σ(x)`, `x = ±ln((1 + √0.2)/(1 − √0.2))`.
    #[test]
    fn fig3_two_bifurcations_at_w_5() {
        let w = 5.0;
        let map = |x: f64, b: f64| w * sigmoid(x) + b;
        let attractor = |from: f64, b: f64| (0..3000).fold(from, |x, _| map(x, b));
        let x_sn = ((1.0 + 0.2f64.sqrt()) / (1.0 - 0.2f64.sqrt())).ln();
        let (b1, b2) = (x_sn - w * sigmoid(x_sn), -x_sn - w * sigmoid(-x_sn));
        assert!(
            (b1 + 2.656).abs() < 1e-3 && (b2 + 2.344).abs() < 1e-3,
            "{b1} {b2}"
        );
        let mut changes = Vec::new();
        let mut before = None;
        for i in 0..=600 {
            let b = -4.0 + 0.005 * f64::from(i);
            let (low, high) = (attractor(-50.0, b), attractor(50.0, b));
            let two = (high - low).abs() > 0.1;
            if before.is_some_and(|was| was != two) {
                changes.push(b);
            }
            before = Some(two);
        }
        assert_eq!(changes.len(), 2, "{changes:?}");
        // Slow convergence next to a saddle-node: a grid step of tolerance.
        assert!(
            (changes[0] - b1).abs() < 0.011 && (changes[1] - b2).abs() < 0.011,
            "{changes:?}"
        );
    }

    /// Pascanu et al. (2013), Fig. 6: high-curvature walls in the error surface. One lies
    /// where the basin boundary (the unstable fixed point) crosses x0 = 0.5, that is
    /// `b = 0.5 − w·σ(0.5)`; at w = 5 it lies between Fig. 3's two bifurcations, where
    /// the map has two attractors.
    #[test]
    fn fig6_walls_where_the_basin_boundary_crosses_x0() {
        for (w, tolerance) in [(5.0, 1e-3), (6.0, 1e-6), (7.0, 1e-9)] {
            let line = X0 - w * sigmoid(X0);
            let (lo, hi) = wall(w);
            assert!((lo - line).abs() < tolerance, "w = {w}: {lo} vs {line}");
            // Across the wall the loss jumps between the two attractors' plateaus...
            let (below, above) = (
                at(Recurrence::Sigmoid, w, lo - 0.01),
                at(Recurrence::Sigmoid, w, hi + 0.01),
            );
            assert!(
                below.loss - above.loss > 0.25,
                "w = {w}: {below:?} {above:?}"
            );
            // ... and on it the gradient is enormous next to its sides'.
            let on = at(Recurrence::Sigmoid, w, lo);
            let steep = on.dw.hypot(on.db);
            for side in [below, above] {
                assert!(
                    steep > 1e3 * side.dw.hypot(side.db),
                    "w = {w}: {steep} {side:?}"
                );
            }
        }
        let (b1, b2) = (-2.656, -2.344);
        let (edge, _) = wall(5.0);
        assert!(b1 < edge && edge < b2);
    }

    /// Pascanu et al. (2013), section 2.3: in the linear case with b = 0,
    /// `∂²x_t/∂w² = t(t−1)·x0·w^(t−2)`. The change of [`at`]'s ∂E/∂w in w follows it
    /// through the chain rule:
    /// `∂²E/∂w² = 2[(σ'² + (σ − 0.7)·σ'')·(∂x_T/∂w)² + (σ − 0.7)·σ'·∂²x_T/∂w²]`.
    #[test]
    fn linear_second_derivative_follows_the_paper() {
        let n = T as i32;
        let t = T as f64;
        for w in [-1.01, -0.99, 0.95, 0.99, 1.0, 1.005, 1.01] {
            let x = X0 * f64::powi(w, n);
            let (s, ds) = sigmoid_parts(x);
            let dds = ds * (1.0 - 2.0 * s);
            let x1 = t * X0 * f64::powi(w, n - 1);
            let x2 = t * (t - 1.0) * X0 * f64::powi(w, n - 2);
            let want = 2.0 * ((ds * ds + (s - TARGET) * dds) * x1 * x1 + (s - TARGET) * ds * x2);
            let h = 1e-6;
            let fd = (at(Recurrence::Linear, w + h, 0.0).dw
                - at(Recurrence::Linear, w - h, 0.0).dw)
                / (2.0 * h);
            let rel = (fd - want).abs() / want.abs();
            assert!(rel < 1e-6, "w = {w}: {fd} vs {want} ({rel:e})");
        }
    }

    #[test]
    fn exp_neg_is_within_one_ulp_of_libm() {
        let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).abs();
        let mut worst = 0;
        let mut t = -760.0;
        while t <= 0.0 {
            worst = worst.max(ulps(exp_neg(t), libm::exp(t)));
            t += 0.000_731_3;
        }
        for t in [
            0.0,
            -0.0,
            -1e-300,
            -1e-17,
            -0.5 * std::f64::consts::LN_2,
            -708.4,
            -745.1,
        ] {
            worst = worst.max(ulps(exp_neg(t), libm::exp(t)));
        }
        assert!(worst <= 1, "{worst} ulp");
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(exp_neg(-746.0), 0.0);
        assert_eq!(exp_neg(f64::NEG_INFINITY), 0.0);
        assert!(exp_neg(f64::NAN).is_nan());
    }

    #[test]
    fn sigmoid_keeps_its_tails() {
        for x in [-700.0, -40.0, -5.0, -0.5, 0.0, 0.5, 5.0, 40.0, 700.0] {
            let (s, ds) = sigmoid_parts(x);
            let e = libm::exp(-f64::abs(x));
            let want_ds = e / ((1.0 + e) * (1.0 + e));
            assert!(
                (ds - want_ds).abs() <= 4e-16 * want_ds,
                "{x}: {ds} vs {want_ds}"
            );
            let want_s = 1.0 / (1.0 + libm::exp(-x));
            assert!((s - want_s).abs() <= 4e-16 * want_s, "{x}: {s} vs {want_s}");
        }
        assert_eq!(sigmoid_parts(f64::INFINITY), (1.0, 0.0));
        assert_eq!(sigmoid_parts(f64::NEG_INFINITY), (0.0, 0.0));
        let (s, ds) = sigmoid_parts(f64::NAN);
        assert!(s.is_nan() && ds.is_nan());
    }
}
