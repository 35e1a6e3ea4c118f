//! Elementwise activation functions and their derivatives, in `f32` and `f64`: pure Rust,
//! compiled into the WebAssembly (no JavaScript `Math`), so every browser gets the same
//! bits.
//!
//! - [`tanh_f32`] and [`sigmoid_f32`] evaluate in `f64` with a short, branch-free
//!   polynomial and round once to `f32`. Measured over **every** `f32` input against `f64`
//!   references from `libm`, the largest error is 0.5003 ulp for `tanh` and 0.5001 ulp for
//!   `σ`: all but 1226 (`tanh`) and 664 (`σ`) of the 2³² results are correctly rounded,
//!   and those few are 1 ulp off. (`libm`'s own `tanhf` is off by up to 2.19 ulp.) The slice
//!   functions vectorise; with `simd128` in WebAssembly they run two to three times as fast
//!   as a loop over `libm`'s `tanhf` (or `1 / (1 + expf(-x))`).
//! - [`tanh_f64`] and [`sigmoid_f64`] use the `libm` crate (`tanh`, and `1 / (1 + exp(-x))`).
//!
//! Derivatives come from the outputs `y`: `tanh' = 1 − y²` and `σ' = σ·(1 − σ)`, computed
//! by [`tanh_backward`] and [`sigmoid_backward`] exactly as written (no fused multiply-add).
//!
//! Limits hold exactly: `tanh(±inf) = ±1`, `tanh(±0) = ±0`, `tanh(-x) = -tanh(x)` bit for
//! bit, `tanh` reaches exactly `±1` for large `|x|`; `σ(-inf) = 0`, `σ(+inf) = 1`,
//! `σ(±0) = 0.5`; NaN gives NaN.
//!
//! # Subnormal numbers
//! WebAssembly has no flush-to-zero mode, and arithmetic on subnormal numbers runs several
//! times slower. The `f32` functions here do their arithmetic in `f64`, where every `f32`
//! subnormal is a normal number. Nothing in this module flushes anything:
//! [`count_subnormal`] only reports how many values of a buffer are subnormal, so the app
//! can show when a network has fallen into that range.

/// A float type the functions accept: `f32` or `f64` (the trait is sealed).
pub trait Float: sealed::Sealed {}

impl Float for f32 {}
impl Float for f64 {}

mod sealed {
    use core::ops::{Mul, Sub};

    /// Arithmetic and the elementwise functions for one float type.
    pub trait Sealed: Copy + Sub<Output = Self> + Mul<Output = Self> {
        /// One.
        const ONE: Self;
        /// `tanh(x)`.
        fn tanh(x: Self) -> Self;
        /// The logistic function `1 / (1 + e^(-x))`.
        fn sigmoid(x: Self) -> Self;
        /// Whether `x` is subnormal.
        fn is_subnormal(x: Self) -> bool;
    }

    impl Sealed for f32 {
        const ONE: Self = 1.0;
        #[inline(always)]
        fn tanh(x: f32) -> f32 {
            super::tanh_f32(x)
        }
        #[inline(always)]
        fn sigmoid(x: f32) -> f32 {
            super::sigmoid_f32(x)
        }
        #[inline(always)]
        fn is_subnormal(x: f32) -> bool {
            x.is_subnormal()
        }
    }

    impl Sealed for f64 {
        const ONE: Self = 1.0;
        #[inline(always)]
        fn tanh(x: f64) -> f64 {
            super::tanh_f64(x)
        }
        #[inline(always)]
        fn sigmoid(x: f64) -> f64 {
            super::sigmoid_f64(x)
        }
        #[inline(always)]
        fn is_subnormal(x: f64) -> bool {
            x.is_subnormal()
        }
    }
}

/// Replaces every `x` by `tanh(x)` ([`tanh_f32`] or [`tanh_f64`]).
pub fn tanh_in_place<T: Float>(xs: &mut [T]) {
    for x in xs {
        *x = T::tanh(*x);
    }
}

/// Replaces every `x` by the logistic `σ(x) = 1 / (1 + e^(-x))` ([`sigmoid_f32`] or
/// [`sigmoid_f64`]).
pub fn sigmoid_in_place<T: Float>(xs: &mut [T]) {
    for x in xs {
        *x = T::sigmoid(*x);
    }
}

/// Back-propagates through `y = tanh(x)`: `grad[i] = grad[i] * (1 - y[i] * y[i])`, each
/// operation rounded in that order.
///
/// # Panics
/// If `y` and `grad` differ in length.
pub fn tanh_backward<T: Float>(y: &[T], grad: &mut [T]) {
    assert_eq!(y.len(), grad.len(), "outputs and gradients must match");
    for (g, &y) in grad.iter_mut().zip(y) {
        *g = *g * (T::ONE - y * y);
    }
}

/// Back-propagates through `y = σ(x)`: `grad[i] = grad[i] * (y[i] * (1 - y[i]))`, each
/// operation rounded in that order.
///
/// # Panics
/// If `y` and `grad` differ in length.
pub fn sigmoid_backward<T: Float>(y: &[T], grad: &mut [T]) {
    assert_eq!(y.len(), grad.len(), "outputs and gradients must match");
    for (g, &y) in grad.iter_mut().zip(y) {
        *g = *g * (y * (T::ONE - y));
    }
}

/// How many values of `xs` are subnormal (nonzero and smaller in magnitude than the
/// smallest normal number). Arithmetic on them is several times slower in WebAssembly,
/// which has no flush-to-zero mode; this only counts, it changes nothing.
pub fn count_subnormal<T: Float>(xs: &[T]) -> usize {
    xs.iter().filter(|&&x| T::is_subnormal(x)).count()
}

/// `f64` `1/ln 2`.
const LOG2_E: f64 = core::f64::consts::LOG2_E;
/// `f64` `ln 2`.
const LN_2: f64 = core::f64::consts::LN_2;
/// Adding and subtracting `1.5·2^52` rounds an `f64` of magnitude below `2^51` to the
/// nearest integer (ties to even), with no branch and no call.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// `1/9!, 1/8!, …, 1/2!, 1/1!`: the Taylor coefficients of `(e^r - 1)/r`, highest first.
const INV_FACTORIALS: [f64; 9] = [
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

/// `(2^k, e^r - 1)` with `t = k·ln 2 + r`, `k` an integer and `|r| <= ln 2 / 2` (plus
/// rounding), for `|t| <= 200`; for a NaN `t` the second part is NaN.
///
/// `e^r - 1` is the Taylor polynomial of degree 9, whose relative error for `|r| <= 0.347`
/// is below `r^9/10! < 2.1e-11`; with `k = 0` (`|t| < 0.347`), `r = t` exactly, so small
/// arguments keep their full relative accuracy.
#[inline(always)]
fn exp_parts(t: f64) -> (f64, f64) {
    // `k + 1.5·2^52` holds the integer `k` in its low mantissa bits, so `2^k` is built with
    // integer adds and a shift, which vectorise (no float-to-integer conversion).
    let shifted = t * LOG2_E + ROUND;
    let k = shifted - ROUND;
    let r = t - k * LN_2;
    // `k` is an integer in [-289, 289]; for a NaN `t` the scale is garbage, but `r`, and
    // with it every result, is NaN.
    let k_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f64::from_bits(k_bits.wrapping_add(1023) << 52);
    // Horner's rule for r·(1 + r/2! + r²/3! + … + r⁸/9!).
    let mut q = INV_FACTORIALS[0];
    for &c in &INV_FACTORIALS[1..] {
        q = q * r + c;
    }
    (scale, r * q)
}

/// `tanh(x)` in `f32`, within 0.5003 ulp of the exact value for every `f32` input (measured
/// exhaustively against `libm::tanh` in `f64`): correctly rounded except for 1226 inputs,
/// which are 1 ulp off. Branch-free; odd symmetry, signed zeros, `±1` at `±inf` and NaN
/// are exact.
///
/// Computes `tanh|x| = (e^(2|x|) - 1) / (e^(2|x|) + 1)` in `f64`, with `e^(2|x|) - 1`
/// formed without cancellation, and rounds once. `|x|` is capped at 10, where `tanh`
/// already rounds to 1 in `f32` (`1 - tanh 9.1 < 2^-25`).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let ax = f64::from(x).abs();
    // A comparison, not `min`, so that NaN passes through.
    let ax = if ax > 10.0 { 10.0 } else { ax };
    let (scale, p) = exp_parts(2.0 * ax);
    // e^(2|x|) - 1 = 2^k·(e^r - 1) + (2^k - 1): for k = 0 this is the polynomial alone,
    // and for k >= 1 the exact second term, at least 2^(k-1), is over a third of the sum,
    // so the first term's error grows at most threefold.
    let em1 = scale * p + (scale - 1.0);
    ((em1 / (em1 + 2.0)) as f32).copysign(x)
}

/// The logistic `σ(x) = 1 / (1 + e^(-x))` in `f32`, within 0.5001 ulp of the exact value
/// for every `f32` input, subnormal results included (measured exhaustively against
/// `libm::exp` in `f64`): correctly rounded except for 664 inputs, which are 1 ulp off.
/// Branch-free; `σ(-inf) = 0`, `σ(+inf) = 1`, NaN gives NaN.
///
/// Computes `1 / (1 + e^(-x))` in `f64` and rounds once. `-x` is clamped to `[-40, 110]`,
/// where `σ` already rounds to exactly 1 or 0 in `f32`.
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    let t = -f64::from(x);
    // Comparisons, not `clamp`, so that NaN passes through.
    let t = if t > 110.0 { 110.0 } else { t };
    let t = if t < -40.0 { -40.0 } else { t };
    let (scale, p) = exp_parts(t);
    let e = scale * (1.0 + p);
    (1.0 / (1.0 + e)) as f32
}

/// `tanh(x)` in `f64`: `libm::tanh`.
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    libm::tanh(x)
}

/// The logistic `σ(x) = 1 / (1 + e^(-x))` in `f64`, with `libm::exp`. By error analysis
/// (not measured): `σ` passes on at most the relative error of `e^(-x)` (under 1 ulp), and
/// the add and the divide each round once, so the result is within about 2 ulp.
#[inline(always)]
pub fn sigmoid_f64(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(got - exact) / ulp`, with the ulp of `f32` at `exact` (subnormal spacing below
    /// the normal range).
    fn ulp_error(got: f32, exact: f64) -> f64 {
        let e = exact.abs().max(f64::from(f32::MIN_POSITIVE));
        let ulp = 2f64.powi(e.log2().floor() as i32 - 23);
        (f64::from(got) - exact).abs() / ulp
    }

    /// A sweep over every `step`-th bit pattern of the non-negative `f32` (including
    /// `+0`, subnormals and the largest finite value), and their negatives.
    fn sweep(step: u32) -> impl Iterator<Item = f32> {
        (0..=f32::MAX.to_bits())
            .step_by(step as usize)
            .chain([f32::MAX.to_bits(), 1, 0x3380_0000, 0x3f80_0000])
            .flat_map(|b| [f32::from_bits(b), -f32::from_bits(b)])
    }

    #[test]
    fn tanh_f32_is_within_half_an_ulp_and_odd() {
        let mut worst = 0.0f64;
        for x in sweep(1009) {
            let y = tanh_f32(x);
            worst = worst.max(ulp_error(y, libm::tanh(f64::from(x))));
            assert_eq!(tanh_f32(-x).to_bits(), (-y).to_bits(), "odd at {x:e}");
            assert!(y.abs() <= 1.0);
        }
        assert!(worst <= 0.501, "tanh max error {worst} ulp");
    }

    #[test]
    fn sigmoid_f32_is_within_half_an_ulp() {
        let mut worst = 0.0f64;
        for x in sweep(1009) {
            let exact = 1.0 / (1.0 + libm::exp(-f64::from(x)));
            worst = worst.max(ulp_error(sigmoid_f32(x), exact));
        }
        assert!(worst <= 0.501, "sigmoid max error {worst} ulp");
    }

    /// The measurement behind the error bounds in the documentation, over every `f32`.
    #[test]
    #[ignore = "all 2^32 inputs: minutes in a release build (`cargo test --release`)"]
    fn exhaustive_error_bounds() {
        let (mut worst_tanh, mut worst_sigmoid) = (0.0f64, 0.0f64);
        let (mut off_tanh, mut off_sigmoid) = (0u32, 0u32);
        for x in (0..=u32::MAX).map(f32::from_bits).filter(|x| !x.is_nan()) {
            let exact = libm::tanh(f64::from(x));
            let y = tanh_f32(x);
            worst_tanh = worst_tanh.max(ulp_error(y, exact));
            off_tanh += u32::from(y != exact as f32);
            let exact = 1.0 / (1.0 + libm::exp(-f64::from(x)));
            let y = sigmoid_f32(x);
            worst_sigmoid = worst_sigmoid.max(ulp_error(y, exact));
            off_sigmoid += u32::from(y != exact as f32);
        }
        assert!(worst_tanh <= 0.5004, "tanh: {worst_tanh} ulp");
        assert!(worst_sigmoid <= 0.5002, "sigmoid: {worst_sigmoid} ulp");
        assert_eq!((off_tanh, off_sigmoid), (1226, 664));
    }

    #[test]
    fn f32_special_values_are_exact() {
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(tanh_f32(0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert!(tanh_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(9.1), 1.0);
        assert_eq!(tanh_f32(-f32::MAX), -1.0);
        assert_eq!(tanh_f32(1e-40), 1e-40);
        assert_eq!(sigmoid_f32(f32::INFINITY), 1.0);
        assert_eq!(sigmoid_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(sigmoid_f32(0.0), 0.5);
        assert_eq!(sigmoid_f32(-0.0), 0.5);
        assert!(sigmoid_f32(f32::NAN).is_nan());
        assert_eq!(sigmoid_f32(40.0), 1.0);
        assert_eq!(sigmoid_f32(-110.0), 0.0);
        assert_eq!(sigmoid_f32(-f32::MAX), 0.0);
        // The last nonzero results are subnormal and still correctly rounded.
        assert_eq!(sigmoid_f32(-100.0), libm::exp(-100.0) as f32);
        assert!(sigmoid_f32(-100.0).is_subnormal());
    }

    #[test]
    fn f64_functions_follow_libm_and_keep_the_limits() {
        for &x in &[-30.0, -1.5, -1e-300, 0.0, 0.25, 3.0, 800.0] {
            assert_eq!(tanh_f64(x), libm::tanh(x));
            let s = sigmoid_f64(x);
            let rel = (s - 1.0 / (1.0 + libm::exp(-x))).abs() / s;
            assert!(rel <= 1e-15, "sigmoid({x}) = {s}");
        }
        assert_eq!(tanh_f64(f64::INFINITY), 1.0);
        assert_eq!(tanh_f64(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(tanh_f64(f64::NAN).is_nan());
        assert_eq!(sigmoid_f64(f64::INFINITY), 1.0);
        assert_eq!(sigmoid_f64(f64::NEG_INFINITY), 0.0);
        assert!(sigmoid_f64(f64::NAN).is_nan());
    }

    #[test]
    fn slice_functions_apply_the_scalar_ones() {
        let xs: Vec<f32> = (-40..=40).map(|i| i as f32 * 0.37).collect();
        let mut t = xs.clone();
        tanh_in_place(&mut t);
        let mut s = xs.clone();
        sigmoid_in_place(&mut s);
        for ((&x, &t), &s) in xs.iter().zip(&t).zip(&s) {
            assert_eq!(t.to_bits(), tanh_f32(x).to_bits());
            assert_eq!(s.to_bits(), sigmoid_f32(x).to_bits());
        }
        let xs64: Vec<f64> = xs.iter().map(|&x| f64::from(x)).collect();
        let mut t64 = xs64.clone();
        tanh_in_place(&mut t64);
        assert!(t64.iter().zip(&xs64).all(|(&t, &x)| t == libm::tanh(x)));
    }

    #[test]
    fn backward_multiplies_by_the_derivative_from_outputs() {
        let y = [0.5f32, -0.25, 1.0, 0.0];
        let mut g = [2.0f32, 4.0, 3.0, -1.0];
        tanh_backward(&y, &mut g);
        assert_eq!(g, [1.5, 3.75, 0.0, -1.0]);
        let y = [0.5f64, 0.25, 1.0];
        let mut g = [2.0f64, 4.0, 3.0];
        sigmoid_backward(&y, &mut g);
        assert_eq!(g, [0.5, 0.75, 0.0]);
    }

    #[test]
    fn count_subnormal_counts_only_subnormals() {
        let xs = [
            0.0f32,
            -0.0,
            1e-40,
            -1e-45,
            f32::MIN_POSITIVE,
            1.0,
            f32::NAN,
        ];
        assert_eq!(count_subnormal(&xs), 2);
        assert_eq!(count_subnormal(&[1e-310f64, 1e-300, 0.0]), 1);
    }
}
