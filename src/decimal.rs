//! Reading decimal numbers, for every layer: the URL's and the number boxes' values, and
//! the colours the browser's CSS computes.

/// Reads a number as `str::parse::<f64>` does (the same text accepted, the same bits).
///
/// In the WebAssembly build, text that has the form Rust accepts is read by the browser's
/// own parser (JavaScript's `parseFloat`, correctly rounded in every current engine, as
/// Rust's is): that keeps core's parser and its 10 KB table of powers of five out of the
/// module. Native builds, and so the native tests, use Rust's.
pub fn parse(text: &str) -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        parse_checked(text, js_sys::Number::parse_float)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.parse().ok()
    }
}

/// Whether `text`, read as `v`, was a nonzero number too small for `f64` (`1e-400`), which
/// reading rounds to 0.
pub fn underflowed(text: &str, v: f64) -> bool {
    v == 0.0
        && text
            .bytes()
            .take_while(|b| !matches!(b, b'e' | b'E'))
            .any(|b| b.is_ascii_digit() && b != b'0')
}

/// [`parse`] with `read` for the decimal numbers: `inf`, `infinity` and `nan` (any case,
/// signed or not) are read here; anything else not of the form `[+-]` digits, an optional
/// point and digits (at least one digit in all), then optionally `e` or `E`, a sign and
/// digits, is `None`.
pub fn parse_checked(text: &str, read: impl Fn(&str) -> f64) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let special = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        Some(f64::INFINITY)
    } else if body.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        None
    };
    if let Some(v) = special {
        return Some(if negative { -v } else { v });
    }
    let bytes = body.as_bytes();
    let digits = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut at = digits(0);
    let mut mantissa_digits = at;
    if bytes.get(at) == Some(&b'.') {
        let end = digits(at + 1);
        mantissa_digits += end - at - 1;
        at = end;
    }
    if mantissa_digits == 0 {
        return None;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let end = digits(at);
        if end == at {
            return None;
        }
        at = end;
    }
    (at == bytes.len()).then(|| read(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts at every edge of the grammar and of rounding, then random ones.
    pub fn corpus() -> Vec<String> {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "+0",
            "1",
            "0.1",
            ".5",
            "5.",
            "-.5e3",
            "1e400",
            "-1e400",
            "1e-400",
            "4.9e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "9007199254740993",
            "123456789012345678901234567890",
            "0.30000000000000004",
            "1.5E+3",
            "1e+5",
            "00012",
            "1e",
            "1e+",
            "e5",
            ".",
            "",
            "+",
            "-",
            "1_0",
            "0x10",
            " 1",
            "1 ",
            "Infinity",
            "infinity",
            "-INF",
            "inf",
            "+inf",
            "infinit",
            "nan",
            "NaN",
            "-nan",
            "+NAN",
            "1..2",
            "1.2.3",
            "1e5.5",
            "--1",
            "+-1",
            "1e--5",
            "١",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let alphabet = b"0123456789.eE+-infINFatyx _";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for i in 0..(state % 12) {
                let pick = (state >> (4 * i + 8)) as usize % alphabet.len();
                s.push(alphabet[pick] as char);
            }
            texts.push(s);
        }
        texts
    }

    #[test]
    fn the_checked_grammar_is_rusts() {
        for text in corpus() {
            let ours = parse_checked(&text, |t| t.parse().expect("checked text parses"));
            let rust = text.parse::<f64>().ok();
            assert_eq!(ours.map(f64::to_bits), rust.map(f64::to_bits), "{text:?}");
        }
    }
}
