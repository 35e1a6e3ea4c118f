//! Numbers with `f64`'s precision and an exponent no chain can leave: the closed form's
//! exact value where `f64` overflows to `inf` or underflows to 0 (`4^10000 ≈ 10^6020`).
//!
//! A [`Wide`] is `m × 2^e` with `0.5 ≤ |m| < 1` (or `m = 0`) and an `i64` exponent. Each
//! operation rounds its significand once, exactly as `f64` arithmetic does, so within
//! `f64`'s normal range a [`Wide`] computes the same bits as plain `f64` would.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// `log10(2)` as the sum of two `f64`s, for `e × log10(2)` to full precision.
const LOG10_2_HI: f64 = std::f64::consts::LOG10_2;
const LOG10_2_LO: f64 = -2.803_728_127_785_170_4e-18;

/// A real number `m × 2^e`, with `f64`'s 53-bit precision and an unbounded exponent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wide {
    /// The significand: `0.5 ≤ |m| < 1`, or 0 (or, carried through, `inf` or `NaN`).
    m: f64,
    /// The binary exponent.
    e: i64,
}

/// `2^k` for `-1022 ≤ k ≤ 1023`: a normal `f64`, built exactly.
fn pow2(k: i64) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((k + 1023) as u64) << 52)
}

impl Wide {
    /// Zero.
    pub const ZERO: Wide = Wide { m: 0.0, e: 0 };

    /// The exact value of `v` (infinities and `NaN` are carried as they are).
    pub fn from_f64(v: f64) -> Wide {
        if v == 0.0 || !v.is_finite() {
            return Wide { m: v + 0.0, e: 0 };
        }
        // Scale subnormals into the normal range first.
        let (v, shift) = if v.abs() < f64::MIN_POSITIVE {
            (v * pow2(64), -64)
        } else {
            (v, 0)
        };
        const EXPONENT: u64 = 0x7ff << 52;
        let bits = v.to_bits();
        Wide {
            // The same sign and significand, with the exponent of [0.5, 1).
            m: f64::from_bits((bits & !EXPONENT) | (1022 << 52)),
            e: ((bits & EXPONENT) >> 52) as i64 - 1022 + shift,
        }
    }

    /// `m × 2^e`, renormalised.
    fn new(m: f64, e: i64) -> Wide {
        let w = Wide::from_f64(m);
        if w.m == 0.0 || !w.m.is_finite() {
            return w;
        }
        Wide {
            m: w.m,
            e: w.e.saturating_add(e),
        }
    }

    /// The value rounded to `f64`: `±inf` above its range, 0 (or a subnormal) below.
    pub fn to_f64(self) -> f64 {
        let (m, e) = (self.m, self.e);
        if m == 0.0 || !m.is_finite() {
            m
        } else if e > 1024 {
            m * f64::INFINITY
        } else if e >= -1021 {
            // 2m is in [1, 2): scaling it by a power of two in range is exact or overflows.
            (2.0 * m) * pow2(e - 1)
        } else if e >= -1080 {
            // Exact into the normal range, then one rounding into the subnormals.
            (m * pow2(e + 60)) * pow2(-60)
        } else {
            m * 0.0
        }
    }

    /// `-1`, 0 or 1 (`NaN` for `NaN`).
    pub fn signum(self) -> f64 {
        if self.m == 0.0 {
            0.0
        } else {
            self.m.signum()
        }
    }

    /// Whether the value is exactly zero.
    pub fn is_zero(self) -> bool {
        self.m == 0.0
    }

    /// `|self|`.
    pub fn abs(self) -> Wide {
        Wide {
            m: self.m.abs(),
            e: self.e,
        }
    }

    /// Whether `f64` holds the value as a normal number or as exactly 0, so that
    /// [`to_f64`](Self::to_f64) loses nothing but the last bit's rounding.
    pub fn fits_f64(self) -> bool {
        self.m == 0.0 || (self.m.is_finite() && (-1021..=1024).contains(&self.e))
    }

    /// `self^n` by repeated squaring: at most `2 log2(n)` roundings.
    pub fn powi(self, mut n: usize) -> Wide {
        let mut result = Wide::from_f64(1.0);
        let mut base = self;
        while n > 0 {
            if n % 2 == 1 {
                result = result * base;
            }
            n /= 2;
            if n > 0 {
                base = base * base;
            }
        }
        result
    }

    /// `log10 |self|`, to about an ulp of the result (`-inf` for 0).
    pub fn log10_abs(self) -> f64 {
        if self.m == 0.0 || !self.m.is_finite() {
            return self.m.abs().log10();
        }
        let e = self.e as f64;
        let hi = e * LOG10_2_HI;
        let hi_error = e.mul_add(LOG10_2_HI, -hi);
        hi + (hi_error + e * LOG10_2_LO + self.m.abs().log10())
    }
}

impl Mul for Wide {
    type Output = Wide;

    /// `self × other`, rounded once.
    fn mul(self, other: Wide) -> Wide {
        Wide::new(self.m * other.m, self.e.saturating_add(other.e))
    }
}

impl Div for Wide {
    type Output = Wide;

    /// `self / other`, rounded once.
    fn div(self, other: Wide) -> Wide {
        Wide::new(self.m / other.m, self.e.saturating_sub(other.e))
    }
}

impl Add for Wide {
    type Output = Wide;

    /// `self + other`, rounded once.
    fn add(self, other: Wide) -> Wide {
        if !self.m.is_finite() || !other.m.is_finite() {
            return Wide::from_f64(self.m + other.m);
        }
        if other.m == 0.0 {
            return self;
        }
        if self.m == 0.0 {
            return other;
        }
        let (big, small) = if self.e >= other.e {
            (self, other)
        } else {
            (other, self)
        };
        let gap = big.e - small.e;
        if gap > 60 {
            // Less than 2^-60 of the larger: below half its last bit.
            return big;
        }
        Wide::new(big.m + small.m * pow2(-gap), big.e)
    }
}

impl Neg for Wide {
    type Output = Wide;

    fn neg(self) -> Wide {
        Wide {
            m: -self.m,
            e: self.e,
        }
    }
}

impl Sub for Wide {
    type Output = Wide;

    /// `self - other`, rounded once.
    fn sub(self, other: Wide) -> Wide {
        self + -other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_f64() {
        for v in [
            1.0,
            -0.75,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -2.5e-310,
            0.1,
            3.0e300,
        ] {
            assert_eq!(Wide::from_f64(v).to_f64(), v, "{v}");
            assert!(Wide::from_f64(v).m.abs() >= 0.5, "{v}");
        }
        assert_eq!(Wide::from_f64(-0.0).to_f64(), 0.0);
        assert!(Wide::from_f64(f64::NAN).to_f64().is_nan());
    }

    #[test]
    fn arithmetic_matches_f64_in_range() {
        let (a, b) = (0.1, 3.7e-5);
        let (wa, wb) = (Wide::from_f64(a), Wide::from_f64(b));
        assert_eq!((wa * wb).to_f64(), a * b);
        assert_eq!((wa / wb).to_f64(), a / b);
        assert_eq!((wa + wb).to_f64(), a + b);
        assert_eq!((wa - wa).to_f64(), 0.0);
        assert_eq!(Wide::from_f64(1.1).powi(7).to_f64(), 1.1f64.powi(7));
    }

    #[test]
    fn leaves_f64_range_and_comes_back() {
        let big = Wide::from_f64(4.0).powi(10_000);
        assert_eq!(big.to_f64(), f64::INFINITY);
        assert!(!big.fits_f64());
        assert_eq!(big.log10_abs(), 20_000.0 * std::f64::consts::LOG10_2);
        let tiny = Wide::from_f64(0.5).powi(1_100);
        assert_eq!(tiny.to_f64(), 0.0);
        let tinier = Wide::from_f64(0.5).powi(19_100);
        assert_eq!((big * tinier).to_f64(), 2f64.powi(900));
        // 2^-1074 is the smallest subnormal; 2^-1075 is a tie that rounds to even, 0.
        assert_eq!(Wide::from_f64(0.5).powi(1_074).to_f64(), 5e-324);
        assert_eq!(Wide::from_f64(0.5).powi(1_075).to_f64(), 0.0);
        assert_eq!(
            (Wide::from_f64(0.75) * Wide::from_f64(0.5).powi(1_074)).to_f64(),
            5e-324
        );
        assert_eq!(Wide::from_f64(2.0).powi(1_023).to_f64(), 2f64.powi(1023));
        assert_eq!(
            (Wide::from_f64(f64::MAX) + Wide::from_f64(f64::MAX)).to_f64(),
            f64::INFINITY
        );
    }

    #[test]
    fn log10_of_huge_powers_is_accurate() {
        // 10^300 in f64 is not exactly 10^300, but its log10 rounds to 300.
        assert_eq!(Wide::from_f64(1e300).log10_abs(), 300.0);
        assert_eq!(Wide::from_f64(-1000.0).log10_abs(), 3.0);
        assert_eq!(Wide::ZERO.log10_abs(), f64::NEG_INFINITY);
    }
}
