//! The three regimes of the lecture, decided by `|w|`.

/// How a signal behaves as it passes through many layers that each multiply it by `w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Regime {
    /// `|w| < 1`: `w^n -> 0`; activations forget the input and gradients vanish.
    Vanishing,
    /// `|w| = 1`: `|w^n| = 1`; the input is preserved (`y_n = x + n b` at `w = 1`).
    Stable,
    /// `|w| > 1`: `|w^n| -> inf`; activations and gradients explode to `inf` or `NaN`.
    Exploding,
}

impl Regime {
    /// Every regime, in the order of the lecture's table.
    pub const ALL: [Regime; 3] = [Self::Vanishing, Self::Stable, Self::Exploding];

    /// The regime of weight `w`. A `NaN` weight counts as exploding: it poisons everything.
    pub fn of(w: f64) -> Regime {
        let a = w.abs();
        if a < 1.0 {
            Self::Vanishing
        } else if a == 1.0 {
            Self::Stable
        } else {
            Self::Exploding
        }
    }

    /// The lowercase name shown in readouts and used as a stable attribute value.
    pub fn key(self) -> &'static str {
        match self {
            Self::Vanishing => "vanishing",
            Self::Stable => "stable",
            Self::Exploding => "exploding",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regime_by_magnitude() {
        assert_eq!(Regime::of(0.999), Regime::Vanishing);
        assert_eq!(Regime::of(-0.5), Regime::Vanishing);
        assert_eq!(Regime::of(0.0), Regime::Vanishing);
        assert_eq!(Regime::of(1.0), Regime::Stable);
        assert_eq!(Regime::of(-1.0), Regime::Stable);
        assert_eq!(Regime::of(1.0 + f64::EPSILON), Regime::Exploding);
        assert_eq!(Regime::of(-4.0), Regime::Exploding);
    }
}
