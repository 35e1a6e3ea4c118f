//! The closed form with the current values substituted, as MathML (rendered by the
//! browser with no network font or script) and as LaTeX (for copying into notes).

use super::numbers::{scientific, short};
use crate::sim::{ClosedForm, Wide};

/// A small expression tree: enough for the chain's formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A variable, in italics.
    Ident(&'static str),
    /// A number; scientific notation is shown as `m × 10^e`.
    Num(f64),
    /// A number of any size: as [`Expr::Num`] while `f64` holds it, else `m × 10^e` with the
    /// exponent `f64` has no room for.
    Big(Wide),
    /// An operator or relation: `=`, `+`, `−`, `·`, `≈`.
    Op(&'static str),
    /// A base with a subscript.
    Sub(Box<Expr>, Box<Expr>),
    /// A base with a superscript.
    Sup(Box<Expr>, Box<Expr>),
    /// A fraction.
    Frac(Box<Expr>, Box<Expr>),
    /// An expression in parentheses.
    Paren(Box<Expr>),
    /// A sequence.
    Row(Vec<Expr>),
}

use Expr::*;

fn sub(a: Expr, b: Expr) -> Expr {
    Sub(Box::new(a), Box::new(b))
}
fn sup(a: Expr, b: Expr) -> Expr {
    Sup(Box::new(a), Box::new(b))
}
fn frac(a: Expr, b: Expr) -> Expr {
    Frac(Box::new(a), Box::new(b))
}
/// A number that is parenthesised when negative (as a power's base or a factor).
fn factor(v: f64) -> Expr {
    if v < 0.0 {
        Paren(Box::new(Num(v)))
    } else {
        Num(v)
    }
}
/// A value of the closed form, parenthesised when negative.
fn big_factor(v: Wide) -> Expr {
    if v.signum() < 0.0 {
        Paren(Box::new(Big(v)))
    } else {
        Big(v)
    }
}
/// An integer layer count.
fn count(n: usize) -> Expr {
    Num(n as f64)
}

/// The formula lines for the current settings: the general law, the law with the values
/// substituted, and its two parts and their sum, all in `f64`.
pub fn chain_formula(w: f64, b: f64, x: f64, n: usize, closed: &ClosedForm) -> Vec<Expr> {
    let y_n = sub(Ident("y"), Ident("n"));
    let y_num = sub(Ident("y"), count(n));
    if w == 1.0 {
        return vec![
            Row(vec![
                y_n,
                Op("="),
                Ident("x"),
                Op("+"),
                Ident("n"),
                Ident("b"),
            ]),
            Row(vec![
                y_num,
                Op("="),
                Num(x),
                Op("+"),
                count(n),
                Op("·"),
                factor(b),
                Op("="),
                Big(closed.wide.output),
            ]),
        ];
    }
    let w_n = || sup(Ident("w"), Ident("n"));
    let w_num = || sup(factor(w), count(n));
    vec![
        Row(vec![
            y_n,
            Op("="),
            w_n(),
            Ident("x"),
            Op("+"),
            Ident("b"),
            frac(
                Row(vec![Num(1.0), Op("−"), w_n()]),
                Row(vec![Num(1.0), Op("−"), Ident("w")]),
            ),
        ]),
        Row(vec![
            y_num,
            Op("="),
            w_num(),
            Op("·"),
            factor(x),
            Op("+"),
            factor(b),
            Op("·"),
            frac(
                Row(vec![Num(1.0), Op("−"), w_num()]),
                Row(vec![Num(1.0), Op("−"), factor(w)]),
            ),
        ]),
        Row(vec![
            Op("≈"),
            Big(closed.wide.input_part),
            Op("+"),
            big_factor(closed.wide.bias_part),
            Op("≈"),
            Big(closed.wide.output),
        ]),
    ]
}

/// Splits a finite number as shown: `(mantissa, Some(exponent))` for scientific notation.
fn parts(v: f64) -> (String, Option<String>) {
    let s = short(v);
    match s.split_once('e') {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (s, None),
    }
}

/// A number of any size as [`Expr::Num`] shows it, or, beyond `f64`'s range, its mantissa and
/// power of ten.
fn big_parts(v: Wide) -> Result<(String, Option<String>), f64> {
    match scientific(v) {
        Some((m, e)) if !v.fits_f64() => Ok((m, Some(e.to_string()))),
        _ => Err(v.to_f64()),
    }
}

/// The expression as MathML content of a `<math>` element.
pub fn mathml(e: &Expr) -> String {
    match e {
        Ident(s) => format!("<mi>{s}</mi>"),
        Op(s) => format!("<mo>{s}</mo>"),
        Num(v) if !v.is_finite() => format!("<mi mathvariant=\"normal\">{}</mi>", short(*v)),
        Big(v) => match big_parts(*v) {
            Ok(p) => mathml_number(p),
            Err(v) => mathml(&Num(v)),
        },
        Num(v) => mathml_number(parts(*v)),
        Sub(a, b) => format!("<msub>{}{}</msub>", mathml(a), mathml(b)),
        Sup(a, b) => format!("<msup>{}{}</msup>", mathml(a), mathml(b)),
        Frac(a, b) => format!("<mfrac>{}{}</mfrac>", mathml(a), mathml(b)),
        Paren(a) => format!("<mrow><mo>(</mo>{}<mo>)</mo></mrow>", mathml(a)),
        Row(items) => format!(
            "<mrow>{}</mrow>",
            items.iter().map(mathml).collect::<String>()
        ),
    }
}

/// A finite number's mantissa and optional power of ten as MathML.
fn mathml_number((m, e): (String, Option<String>)) -> String {
    let m = m.replace('-', "−");
    match e {
        None => format!("<mn>{m}</mn>"),
        Some(e) => format!(
            "<mrow><mn>{m}</mn><mo>×</mo><msup><mn>10</mn><mn>{}</mn></msup></mrow>",
            e.replace('-', "−")
        ),
    }
}

/// A finite number's mantissa and optional power of ten as LaTeX.
fn latex_number((m, e): (String, Option<String>)) -> String {
    match e {
        None => m,
        Some(e) => format!("{m} \\times 10^{{{e}}}"),
    }
}

/// The expression as LaTeX.
pub fn latex(e: &Expr) -> String {
    match e {
        Ident(s) => s.to_string(),
        Op(s) => match *s {
            "−" => " - ".into(),
            "·" => " \\cdot ".into(),
            "≈" => " \\approx ".into(),
            other => format!(" {other} "),
        },
        Num(v) if v.is_nan() => "\\mathrm{NaN}".into(),
        Num(v) if v.is_infinite() => if *v > 0.0 { "\\infty" } else { "-\\infty" }.into(),
        Big(v) => match big_parts(*v) {
            Ok(p) => latex_number(p),
            Err(v) => latex(&Num(v)),
        },
        Num(v) => latex_number(parts(*v)),
        Sub(a, b) => format!("{}_{{{}}}", latex(a), latex(b)),
        Sup(a, b) => format!("{}^{{{}}}", latex(a), latex(b)),
        Frac(a, b) => format!("\\frac{{{}}}{{{}}}", latex(a), latex(b)),
        Paren(a) => format!("\\left({}\\right)", latex(a)),
        Row(items) => items
            .iter()
            .map(latex)
            .collect::<String>()
            .trim()
            .to_string(),
    }
}

/// Splits markup into its tags with every text replaced by `#` (the skeleton) and the
/// texts in order. Two formulas with the same skeleton differ only in their texts, so a
/// page can update the text of the leaves instead of parsing new markup.
pub fn split_text(markup: &str) -> (String, Vec<String>) {
    let mut skeleton = String::with_capacity(markup.len());
    let mut texts = Vec::new();
    let mut rest = markup;
    while let Some(open) = rest.find('<') {
        if open > 0 {
            skeleton.push('#');
            texts.push(rest[..open].to_string());
        }
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        skeleton.push_str(&rest[open..close]);
        rest = &rest[close..];
    }
    if !rest.is_empty() {
        skeleton.push('#');
        texts.push(rest.to_string());
    }
    (skeleton, texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substituted_values_appear() {
        let c = ClosedForm::evaluate(0.8, 0.1, 1.0, 50);
        let lines = chain_formula(0.8, 0.1, 1.0, 50, &c);
        let m = mathml(&lines[1]);
        assert!(m.contains("<msup><mn>0.8</mn><mn>50</mn></msup>"), "{m}");
        let l = latex(&lines[2]);
        assert!(l.contains("1.427 \\times 10^{-5}"), "{l}");
        assert_eq!(
            latex(&lines[0]),
            "y_{n} = w^{n}x + b\\frac{1 - w^{n}}{1 - w}"
        );
    }

    #[test]
    fn negative_numbers_are_parenthesised_and_w_one_uses_the_limit() {
        let c = ClosedForm::evaluate(-0.5, 0.0, 1.0, 3);
        let m = mathml(&chain_formula(-0.5, 0.0, 1.0, 3, &c)[1]);
        assert!(m.contains("<mo>(</mo><mn>−0.5</mn><mo>)</mo>"), "{m}");
        let c = ClosedForm::evaluate(1.0, 0.1, 1.0, 50);
        let l = latex(&chain_formula(1.0, 0.1, 1.0, 50, &c)[1]);
        assert_eq!(l, "y_{50} = 1 + 50 \\cdot 0.1 = 6");
    }

    #[test]
    fn formulas_that_differ_in_numbers_share_a_skeleton() {
        let line = |w: f64| {
            let c = ClosedForm::evaluate(w, 0.1, 1.0, 50);
            mathml(&chain_formula(w, 0.1, 1.0, 50, &c)[1])
        };
        let (a, ta) = split_text(&line(0.8));
        let (b, tb) = split_text(&line(0.7));
        assert_eq!(a, b);
        assert_ne!(ta, tb);
        assert!(ta.contains(&"0.8".to_string()));
        assert_eq!(
            split_text("<mn>1</mn><mo>+</mo>"),
            ("<mn>#</mn><mo>#</mo>".into(), vec!["1".into(), "+".into()])
        );
    }

    #[test]
    fn values_beyond_f64_are_shown_with_their_power_of_ten() {
        let c = ClosedForm::evaluate(4.0, 0.0, 1.0, 10_000);
        let m = mathml(&chain_formula(4.0, 0.0, 1.0, 10_000, &c)[2]);
        assert!(!m.contains("inf"), "{m}");
        assert!(
            m.ends_with("<mo>≈</mo><mrow><mn>3.98</mn><mo>×</mo><msup><mn>10</mn><mn>6020</mn></msup></mrow></mrow>"),
            "{m}"
        );
        let c = ClosedForm::evaluate(-4.0, 1.0, 1.0, 9_999);
        let l = latex(&chain_formula(-4.0, 1.0, 1.0, 9_999, &c)[2]);
        assert_eq!(
            l,
            "\\approx -9.951 \\times 10^{6019} + 1.99 \\times 10^{6019} \\approx -7.961 \\times 10^{6019}"
        );
    }
}
