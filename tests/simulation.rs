//! The simulation against IEEE arithmetic, the closed form and finite differences.
#![cfg(not(target_arch = "wasm32"))]

use deep_signal::sim::{Chain, ChainParams, ClosedForm, Deviation, Facts, NumberFormat, Regime};
use proptest::prelude::*;

fn chain(depth: usize, w: f64, b: f64, x: f64, format: NumberFormat) -> Chain {
    Chain::simulate(ChainParams {
        depth,
        w,
        b,
        x,
        format,
    })
}

fn facts(depth: usize, w: f64, b: f64, x: f64, format: NumberFormat) -> Facts {
    Facts::of(&chain(depth, w, b, x, format))
}

#[test]
fn doubling_overflows_where_each_format_runs_out_of_exponent() {
    use NumberFormat::*;
    for (format, layer) in [(F16, 16), (Bf16, 128), (F32, 128), (F64, 1024)] {
        let f = facts(2000, 2.0, 0.0, 1.0, format);
        assert_eq!(f.first_nonfinite, Some(layer), "{format:?}");
        let c = chain(2000, 2.0, 0.0, 1.0, format);
        assert_eq!(c.activations[layer - 1], 2f64.powi(layer as i32 - 1));
        assert_eq!(c.activations[layer], f64::INFINITY);
    }
}

#[test]
fn halving_underflows_to_exactly_zero_below_the_smallest_subnormal() {
    use NumberFormat::*;
    // The smallest subnormals are 2^-24, 2^-133, 2^-149 and 2^-1074; half of each rounds
    // to even, which is 0.
    for (format, layer) in [(F16, 25), (Bf16, 134), (F32, 150), (F64, 1075)] {
        let c = chain(2000, 0.5, 0.0, 1.0, format);
        assert_eq!(
            c.activations[layer - 1],
            format.min_positive(),
            "{format:?}"
        );
        assert_eq!(c.activations[layer], 0.0, "{format:?}");
        assert_eq!(Facts::of(&c).first_underflow, Some(layer), "{format:?}");
    }
}

#[test]
fn gradients_underflow_in_the_first_fifty_layers_of_a_200_layer_f32_chain() {
    let c = chain(200, 0.5, 0.0, 1.0, NumberFormat::F32);
    assert_eq!(Facts::of(&c).zero_grad_layers, 50);
    assert!(c.grads[1..=50].iter().all(|&g| g == 0.0));
    assert_eq!(c.grads[51], 2f64.powi(-149));
    assert_eq!(c.grads[200], 1.0);
}

#[test]
fn infinity_times_zero_is_nan_in_the_weight_gradient() {
    // x = b = 0 keeps every activation 0, while dy_n/dy_k = 2^(n-k) overflows for early k.
    let c = chain(200, 2.0, 0.0, 0.0, NumberFormat::F32);
    assert!(c.weight_grads[0].is_nan());
    assert_eq!(c.weight_grads[199], 0.0);
}

#[test]
fn every_operation_is_rounded_to_the_format() {
    // In f16, 0.1 is stored as 0.0999755859375 and each step rounds: compare with an
    // independent rounding of each operation through f64.
    let c = chain(30, 0.9, 0.1, 1.0, NumberFormat::F16);
    let r = |v: f64| half::f16::from_f64(v).to_f64();
    let (w, b) = (r(0.9), r(0.1));
    let mut y = 1.0;
    for k in 1..=30 {
        y = r(r(w * y) + b);
        assert_eq!(c.activations[k], y, "layer {k}");
    }
    assert_eq!(c.stored.w, 0.89990234375);
}

#[test]
fn f16_drifts_from_the_exact_answer_long_before_it_overflows() {
    let f = facts(50, 0.95, 0.3, 2.0, NumberFormat::F16);
    let Deviation::Relative(rel) = f.deviation else {
        panic!("expected a finite comparison, got {:?}", f.deviation)
    };
    assert!(rel > 1e-4, "f16 relative error {rel}");
    let f = facts(50, 0.95, 0.3, 2.0, NumberFormat::F64);
    let Deviation::Relative(rel) = f.deviation else {
        panic!()
    };
    assert!(rel < 1e-14, "f64 relative error {rel}");
}

#[test]
fn the_vanishing_chain_forgets_its_input() {
    let f = facts(50, 0.8, 0.1, 1.0, NumberFormat::F32);
    assert_eq!(f.regime, Regime::Vanishing);
    assert!(f.input_share.unwrap().to_f64() < 1e-4);
    assert!((f.simulated - 0.5).abs() < 1e-4, "bias fixed point b/(1-w)");
}

#[test]
fn overflow_is_incomparable_with_the_finite_exact_value() {
    let f = facts(200, 2.0, 0.0, 1.0, NumberFormat::F32);
    assert_eq!(f.deviation, Deviation::Incomparable);
    assert_eq!(f.closed.output, 2f64.powi(200));
}

/// A chain with one weight and one bias per layer, and a nudge added to the output of one
/// layer: the function finite differences are taken of.
fn reference_output(ws: &[f64], bs: &[f64], x: f64, nudge: Option<(usize, f64)>) -> f64 {
    let mut y = x;
    for k in 1..=ws.len() {
        y = ws[k - 1] * y + bs[k - 1];
        if let Some((layer, h)) = nudge {
            if layer == k {
                y += h;
            }
        }
    }
    y
}

#[test]
fn gradients_match_central_finite_differences_in_f64() {
    let n = 24;
    for w in [0.7, 1.0, 1.2, -0.9] {
        let (b, x) = (0.3, 1.5);
        let c = chain(n, w, b, x, NumberFormat::F64);
        let ws = vec![w; n];
        let bs = vec![b; n];
        let close = |analytic: f64, numeric: f64, what: &str| {
            let tol = 1e-6 * analytic.abs().max(1e-3);
            assert!(
                (analytic - numeric).abs() < tol,
                "w={w} {what}: analytic {analytic}, numeric {numeric}"
            );
        };
        for k in 1..=n {
            let h = 1e-5;
            // dy_n / dy_k
            let up = reference_output(&ws, &bs, x, Some((k, h)));
            let down = reference_output(&ws, &bs, x, Some((k, -h)));
            close(c.grads[k], (up - down) / (2.0 * h), &format!("dy/dy_{k}"));
            // dy_n / dw_k
            let (mut wu, mut wd) = (ws.clone(), ws.clone());
            wu[k - 1] += h;
            wd[k - 1] -= h;
            let numeric = (reference_output(&wu, &bs, x, None)
                - reference_output(&wd, &bs, x, None))
                / (2.0 * h);
            close(c.weight_grads[k - 1], numeric, &format!("dy/dw_{k}"));
            // dy_n / db_k
            let (mut bu, mut bd) = (bs.clone(), bs.clone());
            bu[k - 1] += h;
            bd[k - 1] -= h;
            let numeric = (reference_output(&ws, &bu, x, None)
                - reference_output(&ws, &bd, x, None))
                / (2.0 * h);
            // dy_n/db_k equals dy_n/dy_k: the bias enters y_k with coefficient 1.
            close(c.grads[k], numeric, &format!("dy/db_{k}"));
        }
    }
}

/// `(w^n - 1) / (w - 1)` for `w = 1 + eps`, as the binomial series
/// `sum_{j=1..n} C(n, j) eps^(j-1)`, summed smallest term first. Exact to rounding when
/// `n |eps|` is small.
fn geometric_by_series(eps: f64, n: usize) -> f64 {
    let mut terms = Vec::new();
    let mut t = n as f64; // C(n, 1)
    for j in 1..=n {
        terms.push(t);
        t *= (n - j) as f64 / (j + 1) as f64 * eps;
        if t.abs() < 1e-40 {
            break;
        }
    }
    terms.iter().rev().sum()
}

#[test]
fn the_naive_closed_form_cancels_near_one() {
    // The reason the closed form is computed with expm1/ln_1p: this is what the test below
    // would catch if it were computed naively.
    // Opaque to the optimiser: a release build would fold `powi` at compile time, more
    // exactly than the runtime computes it.
    let (w, n) = (std::hint::black_box(1.0 + 1e-9_f64), 100);
    let eps = w - 1.0;
    let naive = (1.0 - w.powi(n as i32)) / (1.0 - w);
    let exact = geometric_by_series(eps, n);
    let error = (naive - exact).abs() / exact;
    assert!(error > 1e-9, "naive relative error {error}");
}

proptest! {
    #[test]
    fn closed_form_stays_accurate_within_1e9_of_one(
        eps in prop_oneof![-1e-9..-1e-16f64, 1e-16..1e-9f64],
        n in 1usize..=10_000,
        x in 0.0..10.0f64,
        b in 0.0..10.0f64,
    ) {
        let w = 1.0 + eps;
        let eps = w - 1.0; // exact
        let s = geometric_by_series(eps, n);
        let p = 1.0 + eps * s;
        let geometric = ClosedForm::evaluate(w, 1.0, 0.0, n).bias_part;
        prop_assert!((geometric - s).abs() <= 1e-12 * s, "S: {geometric} vs {s}");
        let pow = ClosedForm::evaluate(w, 0.0, 1.0, n).w_pow_n;
        prop_assert!((pow - p).abs() <= 1e-12 * p, "w^n: {pow} vs {p}");
        let y = ClosedForm::evaluate(w, b, x, n).output;
        let exact = p * x + s * b;
        prop_assert!((y - exact).abs() <= 1e-12 * exact.abs(), "y: {y} vs {exact}");
    }

    #[test]
    fn f64_simulation_agrees_with_the_closed_form(
        w in -1.6..1.6f64,
        b in -5.0..5.0f64,
        x in -5.0..5.0f64,
        n in 1usize..=1_500,
    ) {
        let c = chain(n, w, b, x, NumberFormat::F64);
        let closed = ClosedForm::evaluate(w, b, x, n);
        // Rounding errors grow at most linearly with depth, relative to the sum of the
        // magnitudes of the terms (the terms themselves may cancel).
        let magnitude = closed::magnitude(w, b, x, n);
        prop_assume!(magnitude.is_finite() && magnitude < 1e300);
        let tol = 4.0 * n as f64 * f64::EPSILON * magnitude + 1e-300;
        prop_assert!(
            (c.output() - closed.output).abs() <= tol,
            "sim {} closed {} tol {tol}", c.output(), closed.output
        );
    }

    #[test]
    fn f64_gradients_are_powers_of_w(w in -1.5..1.5f64, n in 1usize..=1_000) {
        let c = chain(n, w, 0.25, 1.0, NumberFormat::F64);
        for k in 0..=n {
            let exact = deep_signal::sim::closed_form::pow_n(w, n - k);
            let tol = 2.0 * (n - k) as f64 * f64::EPSILON * exact.abs() + 1e-300;
            prop_assert!((c.grads[k] - exact).abs() <= tol, "k={k}: {} vs {exact}", c.grads[k]);
        }
        for k in 1..=n {
            prop_assert_eq!(c.weight_grads[k - 1], c.grads[k] * c.activations[k - 1]);
        }
    }
}

mod closed {
    /// `|w|^n |x| + |b| sum_{k<n} |w|^k`: the size of the terms the output is a sum of.
    pub fn magnitude(w: f64, b: f64, x: f64, n: usize) -> f64 {
        let a = w.abs();
        let geometric: f64 = (0..n).map(|k| a.powi(k as i32)).sum();
        a.powi(n as i32) * x.abs() + b.abs() * geometric
    }
}
