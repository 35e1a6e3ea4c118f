//! The closed form of the chain, `y_n = w^n x + b (1 - w^n) / (1 - w)`, to `f64`'s precision
//! but with an exponent that cannot overflow ([`Wide`]).
//!
//! Evaluated naively, `(1 - w^n) / (1 - w)` cancels catastrophically when `w` is close to 1:
//! at `w = 1 + 1e-9` and `n = 100` it keeps only about seven correct digits. Here the
//! numerator is computed as `-expm1(n * ln(w))`, with `ln(w)` from `ln_1p(w - 1)` and
//! `w - 1` exact, so the result stays accurate to a few units in the last place.
//!
//! Beyond `f64`'s range (`w = 4`, `n = 10000` gives `4^10000 ≈ 3.98 × 10^6020`) the same
//! operations run on [`Wide`] numbers, which round like `f64` but keep their exponent, so
//! the maths keeps its answer where `f64` would say `inf` or 0.

use super::wide::Wide;

/// The closed form of a chain of depth `n`, split into its two parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClosedForm {
    /// `w^n`: the factor the input is multiplied by (rounded to `f64`: `±inf` or 0
    /// beyond its range, as are the three below).
    pub w_pow_n: f64,
    /// `w^n x`: what the output keeps of the input.
    pub input_part: f64,
    /// `b (1 - w^n) / (1 - w)`: what the biases add up to (`n b` at `w = 1`).
    pub bias_part: f64,
    /// `y_n`, the sum of the two parts.
    pub output: f64,
    /// The same four values with an exponent that never overflows.
    pub wide: WideParts,
}

/// The closed form's values as [`Wide`] numbers: exact to `f64`'s precision at any size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WideParts {
    /// `w^n`.
    pub w_pow_n: Wide,
    /// `w^n x`.
    pub input_part: Wide,
    /// `b (1 - w^n) / (1 - w)`.
    pub bias_part: Wide,
    /// `y_n`.
    pub output: Wide,
}

impl ClosedForm {
    /// Evaluates the closed form at depth `n`.
    ///
    /// At `w = 1` it uses the exact limit `y_n = x + n b`. A part whose coefficient is zero
    /// (`x = 0` or `b = 0`) is exactly zero. When the two parts cancel (the sum loses a bit
    /// or more, as it does near the fixed point `x* = b / (1 - w)` where both parts are
    /// huge), the output is also computed as `y_n = x* + w^n (x - x*)`, with `x - x*` from
    /// a fused multiply-add (see [`fixed_point_gap`]), and the form whose terms are smaller
    /// is kept: it has lost fewer digits. At `x = x*` that gives `x*` exactly.
    pub fn evaluate(w: f64, b: f64, x: f64, n: usize) -> ClosedForm {
        let w_pow_n = wide_pow_n(w, n);
        let geometric = if w == 1.0 {
            Wide::from_f64(n as f64)
        } else {
            wide_one_minus_pow_n(w, n, w_pow_n) / Wide::from_f64(1.0 - w)
        };
        let input_part = times(w_pow_n, x);
        let bias_part = times(geometric, b);
        let mut output = input_part + bias_part;
        let largest = |a: Wide, c: Wide| a.log10_abs().max(c.log10_abs());
        let parts = largest(input_part, bias_part);
        if w != 1.0 && output.log10_abs() < parts - std::f64::consts::LOG10_2 {
            let fixed_point = Wide::from_f64(b / (1.0 - w));
            let rest = w_pow_n * Wide::from_f64(fixed_point_gap(w, b, x));
            if largest(fixed_point, rest) < parts {
                output = fixed_point + rest;
            }
        }
        ClosedForm {
            w_pow_n: w_pow_n.to_f64(),
            input_part: input_part.to_f64(),
            bias_part: bias_part.to_f64(),
            output: output.to_f64(),
            wide: WideParts {
                w_pow_n,
                input_part,
                bias_part,
                output,
            },
        }
    }
}

/// `a * c`, but exactly 0 when `c` is 0 (a zero coefficient contributes nothing).
fn times(a: Wide, c: f64) -> Wide {
    if c == 0.0 {
        Wide::ZERO
    } else {
        a * Wide::from_f64(c)
    }
}

/// `w^n`: `powf` (correctly rounded or nearly) while the result is a normal `f64`, else by
/// repeated squaring in [`Wide`] numbers.
fn wide_pow_n(w: f64, n: usize) -> Wide {
    let p = pow_n(w, n);
    if p.is_finite() && (p.abs() >= f64::MIN_POSITIVE || w == 0.0) {
        Wide::from_f64(p)
    } else {
        Wide::from_f64(w).powi(n)
    }
}

/// `1 - w^n`: [`one_minus_pow_n`] where it is finite, else `1 - w^n` in [`Wide`] numbers.
fn wide_one_minus_pow_n(w: f64, n: usize, w_pow_n: Wide) -> Wide {
    let v = one_minus_pow_n(w, n);
    if v.is_finite() {
        Wide::from_f64(v)
    } else {
        Wide::from_f64(1.0) - w_pow_n
    }
}

/// `x - x*`, the input's distance from the fixed point `x* = b / (1 - w)`, as
/// `(x (1 - w) - b) / (1 - w)`. `1 - w = s + t` exactly (two-sum), and `x s - b` is
/// rounded once (fused multiply-add), so the difference keeps its full relative precision
/// however close `x` is to `x*`, and is exactly 0 when `x (1 - w) = b`.
pub fn fixed_point_gap(w: f64, b: f64, x: f64) -> f64 {
    let s = 1.0 - w;
    let back = s - 1.0;
    let t = (1.0 - (s - back)) + (-w - back);
    (x.mul_add(s, -b) + x * t) / s
}

/// `w^n`, with the sign of `w` for odd `n`.
pub fn pow_n(w: f64, n: usize) -> f64 {
    let magnitude = w.abs().powf(n as f64);
    if w < 0.0 && n % 2 == 1 {
        -magnitude
    } else {
        magnitude
    }
}

/// `1 - w^n`, accurate to a few ulps even when `w^n` is close to 1.
pub fn one_minus_pow_n(w: f64, n: usize) -> f64 {
    if w < 0.0 && n % 2 == 1 {
        // 1 - w^n = 1 + |w|^n: no cancellation.
        return 1.0 + w.abs().powf(n as f64);
    }
    let a = w.abs();
    if a == 0.0 {
        return 1.0;
    }
    // ln(a) from ln_1p(a - 1): for a in [0.5, 2], a - 1 is exact (Sterbenz).
    let log_pow = n as f64 * (a - 1.0).ln_1p();
    if log_pow.abs() < 0.5 {
        -log_pow.exp_m1()
    } else {
        // |w^n| is at least e^0.5 away from 1 in ratio: the subtraction is benign,
        // and powf is more accurate than exp(n ln a) when n ln a is large.
        1.0 - a.powf(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_limit_at_one() {
        let c = ClosedForm::evaluate(1.0, 0.25, 3.0, 10_000);
        assert_eq!(c.output, 3.0 + 10_000.0 * 0.25);
        assert_eq!(c.w_pow_n, 1.0);
    }

    #[test]
    fn small_cases_by_hand() {
        // y_2 = w^2 x + w b + b.
        let c = ClosedForm::evaluate(0.5, 1.0, 8.0, 2);
        assert_eq!(c.output, 0.25 * 8.0 + 0.5 + 1.0);
        assert_eq!(c.input_part, 2.0);
        assert_eq!(c.bias_part, 1.5);
        // Negative w: the sign alternates.
        let c = ClosedForm::evaluate(-2.0, 0.0, 1.0, 3);
        assert_eq!(c.output, -8.0);
    }

    #[test]
    fn zero_input_is_not_nan_when_w_pow_n_overflows() {
        let c = ClosedForm::evaluate(4.0, 1.0, 0.0, 10_000);
        assert_eq!(c.input_part, 0.0);
        assert_eq!(c.output, f64::INFINITY);
    }

    #[test]
    fn fixed_point_stays_put_when_parts_overflow() {
        // x = b / (1 - w) = 1: every layer maps 1 to 4 * 1 - 3 = 1.
        let c = ClosedForm::evaluate(4.0, -3.0, 1.0, 10_000);
        assert_eq!(c.output, 1.0);
    }

    #[test]
    fn w_zero() {
        let c = ClosedForm::evaluate(0.0, 0.5, 7.0, 3);
        assert_eq!(c.output, 0.5);
        assert_eq!(c.input_part, 0.0);
    }
}
