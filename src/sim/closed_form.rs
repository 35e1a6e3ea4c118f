//! The closed form of the chain, `y_n = w^n x + b (1 - w^n) / (1 - w)`, in `f64`.
//!
//! Evaluated naively, `(1 - w^n) / (1 - w)` cancels catastrophically when `w` is close to 1:
//! at `w = 1 + 1e-9` and `n = 100` it keeps only about seven correct digits. Here the
//! numerator is computed as `-expm1(n * ln(w))`, with `ln(w)` from `ln_1p(w - 1)` and
//! `w - 1` exact, so the result stays accurate to a few units in the last place.

/// The closed form of a chain of depth `n`, split into its two parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClosedForm {
    /// `w^n`: the factor the input is multiplied by.
    pub w_pow_n: f64,
    /// `w^n x`: what the output keeps of the input.
    pub input_part: f64,
    /// `b (1 - w^n) / (1 - w)`: what the biases add up to (`n b` at `w = 1`).
    pub bias_part: f64,
    /// `y_n`, the sum of the two parts.
    pub output: f64,
}

impl ClosedForm {
    /// Evaluates the closed form at depth `n`.
    ///
    /// At `w = 1` it uses the exact limit `y_n = x + n b`. A part whose coefficient is zero
    /// (`x = 0` or `b = 0`) is exactly zero, even where `w^n` overflows. When the two parts
    /// overflow with opposite signs, the output is taken from the fixed-point form
    /// `y_n = x* + w^n (x - x*)`, `x* = b / (1 - w)`, which is finite when `x = x*`.
    pub fn evaluate(w: f64, b: f64, x: f64, n: usize) -> ClosedForm {
        let nf = n as f64;
        let w_pow_n = pow_n(w, n);
        let geometric = if w == 1.0 {
            nf
        } else {
            one_minus_pow_n(w, n) / (1.0 - w)
        };
        let input_part = times(w_pow_n, x);
        let bias_part = times(geometric, b);
        let mut output = input_part + bias_part;
        if output.is_nan() && !input_part.is_nan() && !bias_part.is_nan() {
            let fixed_point = b / (1.0 - w);
            output = fixed_point + times(w_pow_n, x - fixed_point);
        }
        ClosedForm {
            w_pow_n,
            input_part,
            bias_part,
            output,
        }
    }
}

/// `a * c`, but exactly 0 when `c` is 0 (a zero coefficient contributes nothing, even when
/// `a` has overflowed).
fn times(a: f64, c: f64) -> f64 {
    if c == 0.0 {
        0.0
    } else {
        a * c
    }
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
