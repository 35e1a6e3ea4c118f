//! How numbers are written: exactly (as JavaScript would) for URLs and `data-value`
//! attributes, and briefly for people, also beyond `f64`'s range (`≈ 3.98 × 10^6020`).

use crate::decimal::parse;
use crate::sim::Wide;

/// A number as JavaScript's `String(n)` writes it: the shortest text that reads back as
/// the same `f64` (`0.1`, `1.6069380442589903e+60`, `Infinity`, `NaN`).
pub fn js(v: f64) -> String {
    if v == 0.0 {
        // JavaScript prints -0 as "0".
        return "0".to_string();
    }
    ryu_js::Buffer::new().format(v).to_string()
}

/// `10^x`, for a whole `x` the `f64` nearest to it (`1e-5` reads back as `0.00001`, where
/// `10f64.powf(-5.0)` is `0.000009999999999999999`).
pub fn power_of_ten(x: f64) -> f64 {
    if x.fract() == 0.0 && x.abs() < 400.0 {
        parse(&format!("1e{x}")).unwrap_or(f64::NAN)
    } else {
        10f64.powf(x)
    }
}

/// A number for reading at a glance: four significant digits, trailing zeros dropped,
/// scientific notation outside `[0.001, 100000)`; `inf`, `-inf` and `NaN` as such. A number
/// that is not `±1` is never written as `±1` (the edge between two regimes): it gets as
/// many digits as it takes (`1.0001`, `0.99999`).
pub fn short(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        return (decimals..=20)
            .map(|d| fixed(v, d))
            .find(|s| a == 1.0 || parse(s).map(f64::abs) != Some(1.0))
            .unwrap_or_else(|| js(v));
    }
    let s = format!("{v:.3e}");
    let (mantissa, exponent) = s.split_once('e').expect("LowerExp writes an exponent");
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

/// `v` with `decimals` decimals, trailing zeros dropped (`6020.5999`, `-0.301`).
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    // Rounding may reach the next power of ten (99999.9 -> "100000"): still fine.
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A number of any size in scientific notation, as its mantissa (four significant digits,
/// with its sign) and its power of ten: `4^10000` gives `("3.98", 6020)`. `None` for 0
/// and for values that are not finite.
pub fn scientific(v: Wide) -> Option<(String, i64)> {
    let log = v.log10_abs();
    if !log.is_finite() {
        return None;
    }
    let exponent = log.floor();
    let mantissa = fixed(10f64.powf(log - exponent), 3);
    let (mantissa, exponent) = if mantissa == "10" {
        ("1".to_string(), exponent + 1.0)
    } else {
        (mantissa, exponent)
    };
    let sign = if v.signum() < 0.0 { "-" } else { "" };
    Some((format!("{sign}{mantissa}"), exponent as i64))
}

/// A number of any size for reading at a glance: as [`short`] while `f64` holds it as a
/// normal number (or exactly 0), else `≈ m × 10^e` (`≈ 3.98 × 10^6020`, `≈ -2.506 × 10^-3011`).
pub fn wide(v: Wide) -> String {
    match scientific(v) {
        Some((m, e)) if !v.fits_f64() => format!("≈ {m} × 10^{e}"),
        _ => short(v.to_f64()),
    }
}

/// A share in `[0, 1]` as a percentage: `0.0014%`, `50%`, `100%`, `≈ 5.012 × 10^-3009%`.
pub fn percent(share: Wide) -> String {
    format!("{}%", wide(share * Wide::from_f64(100.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten_are_the_nearest_doubles() {
        assert_eq!(js(power_of_ten(-5.0)), "0.00001");
        assert_eq!(power_of_ten(1.0), 10.0);
        assert_eq!(power_of_ten(-3.0), 0.001);
        assert_eq!(power_of_ten(0.5), 10f64.powf(0.5));
    }

    #[test]
    fn javascript_number_text() {
        assert_eq!(js(0.1), "0.1");
        assert_eq!(js(50.0), "50");
        assert_eq!(js(-0.0), "0");
        assert_eq!(js(f64::INFINITY), "Infinity");
        assert_eq!(js(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(js(f64::NAN), "NaN");
        assert_eq!(js(2f64.powi(200)), "1.6069380442589903e+60");
        assert_eq!(js(1e21), "1e+21");
        assert_eq!(js(1e-7), "1e-7");
        assert_eq!(js(123456789012345680000.0), "123456789012345680000");
        assert_eq!(js(5e-324), "5e-324");
    }

    #[test]
    fn short_text() {
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(0.49999), "0.5");
        assert_eq!(short(1.4272476927059603e-5), "1.427e-5");
        assert_eq!(short(2f64.powi(200)), "1.607e60");
        assert_eq!(short(-3.0), "-3");
        assert_eq!(short(1234.5678), "1235");
        assert_eq!(short(f64::NEG_INFINITY), "-inf");
        assert_eq!(short(1e-300), "1e-300");
        assert_eq!(percent(Wide::from_f64(0.5)), "50%");
        // Never "1" for a number that is not 1.
        assert_eq!(short(1.0001), "1.0001");
        assert_eq!(short(-0.99999), "-0.99999");
        assert_eq!(short(1.0 + f64::EPSILON), "1.0000000000000002");
        assert_eq!(short(1.00004), "1.00004");
        assert_eq!(short(1.0), "1");
        assert_eq!(short(1.2), "1.2");
    }

    #[test]
    fn numbers_beyond_f64() {
        let big = Wide::from_f64(4.0).powi(10_000);
        assert_eq!(scientific(big), Some(("3.98".into(), 6020)));
        assert_eq!(wide(big), "≈ 3.98 × 10^6020");
        let tiny = Wide::from_f64(-0.5).powi(10_001);
        assert_eq!(wide(tiny), "≈ -2.506 × 10^-3011");
        assert_eq!(wide(Wide::from_f64(0.25)), "0.25");
        assert_eq!(wide(Wide::ZERO), "0");
        // 9.9996e400 rounds up to the next power of ten.
        let near = Wide::from_f64(9.9996e200) * Wide::from_f64(1e200);
        assert_eq!(wide(near), "≈ 1 × 10^401");
        assert_eq!(
            percent(Wide::from_f64(0.5).powi(10_000)),
            "≈ 5.012 × 10^-3009%"
        );
    }
}
