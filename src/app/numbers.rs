//! How numbers are written: exactly (as JavaScript would) for URLs and `data-value`
//! attributes, and briefly for people.

/// A number as JavaScript's `String(n)` writes it: the shortest text that reads back as
/// the same `f64` (`0.1`, `1.6069380442589903e+60`, `Infinity`, `NaN`).
pub fn js(v: f64) -> String {
    if v == 0.0 {
        // JavaScript prints -0 as "0".
        return "0".to_string();
    }
    ryu_js::Buffer::new().format(v).to_string()
}

/// A number for reading at a glance: four significant digits, trailing zeros dropped,
/// scientific notation outside `[0.001, 100000)`; `inf`, `-inf` and `NaN` as such.
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
        let s = format!("{v:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        };
        // Rounding may reach the next power of ten (99999.9 -> "100000"): still fine.
        return s;
    }
    let s = format!("{v:.3e}");
    let (mantissa, exponent) = s.split_once('e').expect("LowerExp writes an exponent");
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    format!("{mantissa}e{exponent}")
}

/// A share in `[0, 1]` as a percentage: `0.0014%`, `50%`, `100%`.
pub fn percent(share: f64) -> String {
    format!("{}%", short(share * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(percent(0.5), "50%");
    }
}
