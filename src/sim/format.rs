//! Number formats: the four IEEE-style formats a deep-learning framework computes in.
//!
//! The chain is simulated generically over [`Real`], so every multiply and every add is
//! rounded to the chosen format, one operation at a time, with no fused multiply-add.
//! `f16` and `bf16` come from the `half` crate, which computes each operation in `f32`
//! and rounds the result once; for these formats that gives the correctly rounded answer,
//! because `f32` carries more than twice their precision.

use half::{bf16, f16};
use std::ops::{Add, Div, Mul, Sub};

/// A number format the chain can be computed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumberFormat {
    /// IEEE binary16: 11 significant bits, largest finite value 65504.
    F16,
    /// Google's bfloat16: 8 significant bits, the exponent range of `f32`.
    Bf16,
    /// IEEE binary32, the default of PyTorch and most frameworks.
    F32,
    /// IEEE binary64.
    F64,
}

impl NumberFormat {
    /// Every format, narrowest first.
    pub const ALL: [NumberFormat; 4] = [Self::F16, Self::Bf16, Self::F32, Self::F64];

    /// The short name used in URLs and menus (`f16`, `bf16`, `f32`, `f64`).
    pub fn key(self) -> &'static str {
        match self {
            Self::F16 => "f16",
            Self::Bf16 => "bf16",
            Self::F32 => "f32",
            Self::F64 => "f64",
        }
    }

    /// The format whose [`key`](Self::key) is `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The largest finite value of the format.
    pub fn max_finite(self) -> f64 {
        match self {
            Self::F16 => f16::MAX.to_f64(),
            Self::Bf16 => bf16::MAX.to_f64(),
            Self::F32 => f32::MAX as f64,
            Self::F64 => f64::MAX,
        }
    }

    /// The smallest positive value of the format (a subnormal number).
    pub fn min_positive(self) -> f64 {
        match self {
            Self::F16 => f16::from_bits(1).to_f64(),
            Self::Bf16 => bf16::from_bits(1).to_f64(),
            Self::F32 => f32::from_bits(1) as f64,
            Self::F64 => f64::from_bits(1),
        }
    }

    /// The number of significant bits, counting the implicit leading bit.
    pub fn significant_bits(self) -> u32 {
        match self {
            Self::F16 => 11,
            Self::Bf16 => 8,
            Self::F32 => 24,
            Self::F64 => 53,
        }
    }
}

/// A floating-point type whose `*`, `+`, `-` and `/` round to its own format.
pub trait Real:
    Copy
    + Send
    + Sync
    + 'static
    + PartialOrd
    + Mul<Output = Self>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Div<Output = Self>
{
    /// `v` rounded to this format.
    fn from_f64(v: f64) -> Self;
    /// The exact value as `f64` (every format here is a subset of `f64`).
    fn to_f64(self) -> f64;
}

impl Real for f16 {
    fn from_f64(v: f64) -> Self {
        f16::from_f64(v)
    }
    fn to_f64(self) -> f64 {
        f16::to_f64(self)
    }
}

impl Real for bf16 {
    fn from_f64(v: f64) -> Self {
        bf16::from_f64(v)
    }
    fn to_f64(self) -> f64 {
        bf16::to_f64(self)
    }
}

impl Real for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl Real for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for f in NumberFormat::ALL {
            assert_eq!(NumberFormat::from_key(f.key()), Some(f));
        }
        assert_eq!(NumberFormat::from_key("f8"), None);
    }

    #[test]
    fn conversion_rounds_to_nearest_even() {
        // 1 + 2^-11 lies halfway between two f16 values: ties go to the even one, 1.
        assert_eq!(<f16 as Real>::from_f64(1.0 + 2f64.powi(-11)).to_f64(), 1.0);
        assert_eq!(
            <f16 as Real>::from_f64(1.0 + 3.0 * 2f64.powi(-11)).to_f64(),
            1.0 + 2f64.powi(-9)
        );
        assert_eq!(<bf16 as Real>::from_f64(0.1).to_f64(), 0.10009765625);
        assert_eq!(<f16 as Real>::from_f64(1e6).to_f64(), f64::INFINITY);
    }

    #[test]
    fn limits_match_ieee() {
        assert_eq!(NumberFormat::F16.max_finite(), 65504.0);
        assert_eq!(NumberFormat::F16.min_positive(), 2f64.powi(-24));
        assert_eq!(NumberFormat::F32.max_finite(), f32::MAX as f64);
        assert_eq!(NumberFormat::Bf16.significant_bits(), 8);
        assert_eq!(NumberFormat::Bf16.min_positive(), 2f64.powi(-133));
        assert_eq!(NumberFormat::F32.min_positive(), 2f64.powi(-149));
        assert_eq!(
            NumberFormat::F64.min_positive(),
            2f64.powi(-537) * 2f64.powi(-537)
        );
    }
}
