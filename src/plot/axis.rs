//! Axis ranges, tick positions and tick labels.
//!
//! Plotters' own log axis skips ticks below about 2.2e-16, and our values span `f64`'s
//! whole range, so the log scale is drawn as `log10|v|` on a linear axis whose labels read
//! `1e-40`, `1`, `1e40`. Ticks are chosen here, not by plotters, so that layers are labelled
//! as whole numbers and decades as whole powers of ten.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// A linear `f64` axis with tick positions chosen by [`ticks`].
///
/// Its mapping saturates instead of overflowing, so a value far outside the range can
/// never panic a debug build (plotters' own `f64` axis can). Callers still keep every
/// drawn value inside the range.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    /// An axis from `lo` to `hi` with labelled ticks at `ticks`.
    pub fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Ticked {
        Ticked { lo, hi, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let t = if span > 0.0 {
            (value - self.lo) / span
        } else {
            0.5
        };
        let pixel = limit.0 as f64 + t * (limit.1 - limit.0) as f64;
        // `as` saturates (and maps NaN to 0); keep well inside i32 so later sums can't wrap.
        pixel.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// How the y axis maps values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scale {
    /// `log10|v|`: each decade gets the same height.
    Log,
    /// `|v|` itself.
    Linear,
}

/// A step of 1, 2 or 5 times a power of ten that divides `span` into about `target` parts.
pub fn nice_step(span: f64, target: usize) -> f64 {
    let raw = span / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let mantissa = raw / power;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// About `target` tick positions in `[lo, hi]`, at multiples of a nice step. With
/// `whole`, the step is at least 1 (for layers and for decades).
pub fn ticks(lo: f64, hi: f64, target: usize, whole: bool) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && hi >= lo) {
        return Vec::new();
    }
    let mut step = nice_step(hi - lo, target);
    if whole {
        step = step.max(1.0).round();
    }
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    if last - first >= 1000.0 {
        return Vec::new();
    }
    (first as i64..=last as i64)
        .map(|i| i as f64 * step)
        .collect()
}

/// The label of a tick on the log axis at `log10|v| = decade`: `1e-40`, `1`, `1e5`.
pub fn log_label(decade: f64) -> String {
    if decade == 0.0 {
        "1".to_string()
    } else {
        format!("1e{}", decade as i64)
    }
}

/// The label of a tick on a linear axis with tick spacing `step`.
pub fn linear_label(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().max(step);
    if (1e-3..1e6).contains(&magnitude) && step >= 1e-4 {
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        format!("{v:.decimals$}")
    } else {
        let s = format!("{v:.1e}");
        s.replace(".0e", "e")
    }
}

/// The label of a layer tick.
pub fn layer_label(v: f64) -> String {
    format!("{}", v.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(0.9, 5), 0.2);
        assert_eq!(nice_step(10_000.0, 5), 2000.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
    }

    #[test]
    fn whole_ticks_never_fall_between_layers() {
        assert_eq!(ticks(1.0, 3.0, 6, true), vec![1.0, 2.0, 3.0]);
        assert_eq!(
            ticks(0.0, 50.0, 5, true),
            vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(ticks(-45.3, 38.2, 6, true), vec![-40.0, -20.0, 0.0, 20.0]);
    }

    #[test]
    fn mapping_saturates_far_outside_the_range() {
        let a = Ticked::new(0.0, 10.0, vec![0.0, 5.0, 10.0]);
        assert_eq!(a.map(&5.0, (100, 200)), 150);
        assert_eq!(a.map(&1e300, (100, 200)), 1_000_000);
        assert_eq!(a.map(&f64::NEG_INFINITY, (100, 200)), -1_000_000);
        // The y axis runs downwards on screen.
        assert_eq!(a.map(&10.0, (300, 0)), 0);
    }

    #[test]
    fn ticks_of_a_range_at_the_limits_of_f64_are_few_or_none() {
        assert!(ticks(0.0, f64::MAX, 5, false).len() <= 6);
        assert!(ticks(0.0, f64::INFINITY, 5, false).is_empty());
        assert!(ticks(f64::NAN, 1.0, 5, false).is_empty());
    }

    #[test]
    fn labels() {
        assert_eq!(log_label(-40.0), "1e-40");
        assert_eq!(log_label(0.0), "1");
        assert_eq!(log_label(300.0), "1e300");
        assert_eq!(linear_label(0.25, 0.05), "0.25");
        assert_eq!(linear_label(3e38, 1e38), "3e38");
        assert_eq!(linear_label(1.5e-9, 5e-10), "1.5e-9");
        assert_eq!(linear_label(200.0, 50.0), "200");
        assert_eq!(layer_label(128.0), "128");
    }
}
