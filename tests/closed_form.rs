//! The closed form beyond `f64`'s range, against exact values: the chain's recurrence run in
//! big integers (every input here is a dyadic rational, so `y_n` is one too), and
//! logarithm identities such as `log10(4^10000) = 20000 log10(2)`.
#![cfg(not(target_arch = "wasm32"))]

use deep_signal::app::numbers::js;
use deep_signal::app::params::Values;
use deep_signal::app::views::explorer::{Settings, Snapshot, PARAMS};
use deep_signal::sim::{ClosedForm, Wide};
use proptest::prelude::*;

/// A signed big integer: a sign and little-endian 32-bit limbs, no trailing zero limbs.
#[derive(Clone, Debug, Default)]
struct Big {
    negative: bool,
    limbs: Vec<u32>,
}

impl Big {
    fn from_i64(v: i64) -> Big {
        let mut m = v.unsigned_abs();
        let mut limbs = Vec::new();
        while m > 0 {
            limbs.push(m as u32);
            m >>= 32;
        }
        Big {
            negative: v < 0,
            limbs,
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn trim(mut self) -> Big {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        if self.limbs.is_empty() {
            self.negative = false;
        }
        self
    }

    fn mul_i64(&self, v: i64) -> Big {
        let f = v.unsigned_abs() as u128;
        let mut carry = 0u128;
        let mut limbs = Vec::with_capacity(self.limbs.len() + 3);
        for &l in &self.limbs {
            let t = l as u128 * f + carry;
            limbs.push(t as u32);
            carry = t >> 32;
        }
        while carry > 0 {
            limbs.push(carry as u32);
            carry >>= 32;
        }
        Big {
            negative: self.negative != (v < 0),
            limbs,
        }
        .trim()
    }

    fn shl(&self, bits: usize) -> Big {
        let (words, rest) = (bits / 32, bits % 32);
        let mut limbs = vec![0u32; words];
        let mut carry = 0u32;
        for &l in &self.limbs {
            limbs.push(if rest == 0 { l } else { (l << rest) | carry });
            carry = if rest == 0 { 0 } else { l >> (32 - rest) };
        }
        limbs.push(carry);
        Big {
            negative: self.negative,
            limbs,
        }
        .trim()
    }

    fn cmp_magnitude(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
        a.len()
            .cmp(&b.len())
            .then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }

    fn add(&self, other: &Big) -> Big {
        let (a, b) = (&self.limbs, &other.limbs);
        if self.negative == other.negative {
            let mut limbs = Vec::with_capacity(a.len().max(b.len()) + 1);
            let mut carry = 0u64;
            for i in 0..a.len().max(b.len()) {
                let t = *a.get(i).unwrap_or(&0) as u64 + *b.get(i).unwrap_or(&0) as u64 + carry;
                limbs.push(t as u32);
                carry = t >> 32;
            }
            limbs.push(carry as u32);
            return Big {
                negative: self.negative,
                limbs,
            }
            .trim();
        }
        let (big, small, negative) = match Big::cmp_magnitude(a, b) {
            std::cmp::Ordering::Less => (b, a, other.negative),
            _ => (a, b, self.negative),
        };
        let mut limbs = Vec::with_capacity(big.len());
        let mut borrow = 0i64;
        for (i, &l) in big.iter().enumerate() {
            let mut t = l as i64 - *small.get(i).unwrap_or(&0) as i64 - borrow;
            borrow = (t < 0) as i64;
            if t < 0 {
                t += 1 << 32;
            }
            limbs.push(t as u32);
        }
        Big { negative, limbs }.trim()
    }

    /// `log10 (|self| / 2^d)` from its top 64 bits (about 1e-16 relative), and `-inf` for 0.
    fn log10_abs(&self, d: usize) -> f64 {
        if self.is_zero() {
            return f64::NEG_INFINITY;
        }
        let bits = 32 * self.limbs.len() - self.limbs.last().unwrap().leading_zeros() as usize;
        let shift = bits.saturating_sub(64);
        let mut top = 0u64;
        for i in (0..bits.min(64)).rev() {
            let bit = shift + i;
            top = (top << 1) | ((self.limbs[bit / 32] >> (bit % 32)) & 1) as u64;
        }
        (top as f64).log10() + times_log10_2(shift as i64 - d as i64)
    }
}

/// `e log10(2)` to about an ulp: `log10(2) = 0.30102999566398119521373889472449302…` as
/// the nearest `f64`, `HI = 0.301029995663981198017467022509663365…`, plus the rest `LO`
/// (both worked out by hand from the decimal expansion), and the first product's rounding
/// error from a fused multiply-add.
fn times_log10_2(e: i64) -> f64 {
    const HI: f64 = std::f64::consts::LOG10_2;
    const LO: f64 = -2.803_728_127_785_170_3e-18;
    let e = e as f64;
    let hi = e * HI;
    hi + (e.mul_add(HI, -hi) + e * LO)
}

/// `y_n` exactly, as `(numerator, log2 of the denominator)`, for `w = W/2^k`, `b = B/2^k`
/// and `x = X/2^k`: `y_j = (W N + B 2^D) / 2^(D + k)` when `y_(j-1) = N / 2^D`.
fn exact_output(w: i64, b: i64, x: i64, k: usize, n: usize) -> (Big, usize) {
    let (mut y, mut d) = (Big::from_i64(x), k);
    let b = Big::from_i64(b);
    for _ in 0..n {
        y = y.mul_i64(w).add(&b.shl(d));
        d += k;
    }
    (y, d)
}

/// Checks the closed form at `w = W/2^k`, `b = B/2^k`, `x = X/2^k` against the exact value:
/// the sign, and `log10|y_n|` to within about 1e-15 of its size.
fn check(w: i64, b: i64, x: i64, k: usize, n: usize) -> Result<(), TestCaseError> {
    let scale = 2f64.powi(-(k as i32));
    let (wf, bf, xf) = (w as f64 * scale, b as f64 * scale, x as f64 * scale);
    let closed = ClosedForm::evaluate(wf, bf, xf, n).wide.output;
    let (numerator, d) = exact_output(w, b, x, k, n);
    let what = format!("w = {wf}, b = {bf}, x = {xf}, n = {n}");
    if numerator.is_zero() {
        prop_assert!(closed.is_zero(), "{what}: exact 0, closed form {closed:?}");
        return Ok(());
    }
    let expected = numerator.log10_abs(d);
    let got = closed.log10_abs();
    prop_assert_eq!(closed.signum() < 0.0, numerator.negative, "{}: sign", what);
    prop_assert!(
        (got - expected).abs() <= 2e-15 * expected.abs() + 1e-14,
        "{what}: log10 {got} against {expected}"
    );
    Ok(())
}

#[test]
fn big_integers_work() {
    // 3^40 - 2^64, and back.
    let a = Big::from_i64(3).shl(0);
    let mut p = Big::from_i64(1);
    for _ in 0..40 {
        p = p.mul_i64(3);
    }
    let q = p.add(&Big::from_i64(-1).shl(64));
    assert_eq!(
        q.add(&Big::from_i64(1).shl(64)).log10_abs(0),
        p.log10_abs(0)
    );
    assert!((p.log10_abs(0) - 40.0 * 3f64.log10()).abs() < 1e-13);
    assert_eq!(times_log10_2(20_000), 6020.599913279624);
    assert!(a.add(&Big::from_i64(-3)).is_zero());
}

#[test]
fn four_to_the_ten_thousand() {
    let c = ClosedForm::evaluate(4.0, 0.0, 1.0, 10_000);
    assert_eq!(c.output, f64::INFINITY);
    // 4^10000 = 2^20000 exactly; log10 of it is 20000 log10(2) = 6020.59991327962390427…
    assert_eq!(js(c.wide.output.log10_abs()), "6020.599913279624");
    assert_eq!(c.wide.w_pow_n, Wide::from_f64(2.0).powi(20_000));
    // With a bias the parts add: y = 4^n + 0.1 (4^n - 1) / 3, log10 = log10(4^n) + log10(31/30).
    let c = ClosedForm::evaluate(4.0, 0.1, 1.0, 10_000);
    let expected = 20_000.0 * std::f64::consts::LOG10_2 + (31.0f64 / 30.0).log10();
    assert!((c.wide.output.log10_abs() - expected).abs() < 2e-12);
    // Negative w alternates: (-4)^9999 < 0.
    let c = ClosedForm::evaluate(-4.0, 0.0, 1.0, 9_999);
    assert_eq!(c.wide.output.signum(), -1.0);
    assert_eq!(c.output, f64::NEG_INFINITY);
    assert_eq!(
        c.wide.output.log10_abs(),
        19_998.0 * std::f64::consts::LOG10_2
    );
}

#[test]
fn exact_values_beyond_f64() {
    for (w, b, x, k, n) in [
        (4, 0, 1, 0, 600),     // 2^1200
        (4, 1, 1, 0, 600),     // (4^601 - 1) / 3
        (-4, 1, 1, 0, 601),    // odd power of a negative weight
        (-3, 2, -5, 0, 700),   // both parts huge, signs mixed
        (3, 2, 7, 1, 2_000),   // w = 1.5, b = 1, x = 3.5: 1.5^2000 ≈ 10^352
        (1, 0, 3, 1, 1_200),   // w = 0.5, b = 0: 3 × 2^-1200 underflows
        (-3, 0, 4, 2, 3_001),  // w = -0.75: a tiny negative number
        (-4, 2, 12, 2, 1_001), // w = -1: x* + (-1)^n (x - x*)
    ] {
        check(w, b, x, k, n).unwrap();
    }
}

#[test]
fn near_the_fixed_point_the_huge_parts_cancel_exactly() {
    // x* = b / (1 - w) = 2 for w = 1.25, b = -0.5: every layer maps 2 to 2.
    for n in [10, 3_000, 10_000] {
        let c = ClosedForm::evaluate(1.25, -0.5, 2.0, n);
        assert_eq!(c.output, 2.0, "n = {n}");
    }
    // Just off the fixed point, y_n = 1 + 4^n (x - 1): the cancellation loses nothing.
    let k = 40;
    let x = (1i64 << k) + 1; // x = 1 + 2^-40
    check(4 << k, -3 << k, x, k, 10).unwrap();
    check(4 << k, -3 << k, x, k, 700).unwrap();
    check(4 << 50, -3 << 50, (1 << 50) - 1, 50, 600).unwrap();
    let c = ClosedForm::evaluate(4.0, -3.0, 1.0 + 2f64.powi(-40), 10);
    assert_eq!(c.output, 1.0 + 2f64.powi(-20));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_setting_has_an_answer_and_no_nan_where_the_maths_has_one(
        depth in prop_oneof![1usize..=50, 1usize..=10_000],
        w in prop_oneof![-4.0..4.0f64, 0.999..1.001f64, Just(1.0), Just(-1.0), Just(4.0)],
        b in prop_oneof![-100.0..100.0f64, Just(0.0)],
        x in prop_oneof![-1000.0..1000.0f64, Just(0.0), 1e-300..1e-290f64],
        dtype in prop_oneof![Just("f16"), Just("bf16"), Just("f32"), Just("f64")],
    ) {
        let mut values = Values::defaults(PARAMS);
        for (key, raw) in [("depth", depth.to_string()), ("w", js(w)), ("b", js(b)), ("x", js(x))] {
            prop_assert!(values.set_raw(key, &raw).unwrap().is_none());
        }
        values.set_raw("dtype", dtype);
        let s = Snapshot::compute(Settings::from_values(&values));
        let closed = s.facts.closed.wide;
        // The exact value is a number: zero only when it is, finite in log space otherwise.
        prop_assert!(closed.output.is_zero() || closed.output.log10_abs().is_finite());
        prop_assert!(w == 0.0 || closed.w_pow_n.log10_abs().is_finite());
        let readouts = s.readouts();
        let value = |key: &str| readouts.iter().find(|r| r.key == key).unwrap().value.clone();
        prop_assert_ne!(value("yn-closed"), "NaN");
        prop_assert_ne!(value("yn-closed-log10"), "NaN");
        prop_assert_ne!(value("w-pow-n"), "NaN");
        prop_assert_ne!(value("rel-diff"), "NaN");
        // With x = 0 the share is 0/0 where the bias part vanishes too: at w = -1 after an
        // even number of layers, y_n = b(1 - 1)/2 = 0 has no share to give.
        let bias_part_vanishes = w == -1.0 && depth % 2 == 0;
        if x != 0.0 || (b != 0.0 && !bias_part_vanishes) {
            prop_assert_ne!(value("input-share"), "NaN");
        }
        for text in [s.activation_note(), s.gradient_note()] {
            prop_assert!(!text.contains("NaN") || s.facts.simulated.is_nan(), "{}", text);
        }
    }

    #[test]
    fn integer_chains_match_big_integer_arithmetic(
        w in prop_oneof![-4i64..=-2, 2i64..=4],
        b in -20i64..=20,
        x in -20i64..=20,
        n in 1usize..=900,
    ) {
        check(w, b, x, 0, n)?;
    }

    #[test]
    fn halves_and_quarters_match_big_integer_arithmetic(
        w in -8i64..=8,
        b in -8i64..=8,
        x in -8i64..=8,
        n in 1usize..=1_500,
    ) {
        // w, b, x in quarters: -2 to 2.
        check(w, b, x, 2, n)?;
    }
}
