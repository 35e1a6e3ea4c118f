//! Parameters: each control of a view is defined once, as a [`ParamSpec`]. The slider and
//! its number box, the URL parser and the README's parameter table all come from it.

use super::numbers::js as format_number;
use std::fmt;

/// One parameter of a view.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// The URL query key, which is also the `name` of its input element.
    pub key: &'static str,
    /// The visible label.
    pub label: &'static str,
    /// One sentence for the README and the control's description.
    pub description: &'static str,
    /// Numeric or one of a list.
    pub kind: ParamKind,
}

/// The kind of value a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    /// A number, set with a slider and a number box.
    Number(NumberSpec),
    /// One of a fixed list of values.
    Choice(ChoiceSpec),
    /// A comma-separated list of keys, each one of those the function lists, empty by
    /// default. (The parameter's definer knows which keys exist; parameters know no views.)
    Keys(KeyList),
    /// A short text in a little language of the parameter's definer (a configuration
    /// `relu,he,bn`), typed in a text box.
    Text(TextSpec),
}

/// A text parameter: its default and the definer's reader, which turns any input into the
/// canonical text it means, with a sentence on what it had to drop or change.
#[derive(Clone, Copy, Debug)]
pub struct TextSpec {
    /// The value when none is given.
    pub default: &'static str,
    /// Reads a text: the canonical form, and what was wrong with it, if anything (without
    /// the parameter's key, which the notice adds).
    pub read: fn(&str) -> (String, Option<String>),
    /// The most characters the canonical form may have.
    pub max_len: usize,
}

impl PartialEq for TextSpec {
    /// Two text specs are equal when they have the same default and length limit.
    fn eq(&self, other: &TextSpec) -> bool {
        self.default == other.default && self.max_len == other.max_len
    }
}

impl TextSpec {
    /// Reads `raw` (bounded to `max_len` characters) into the canonical text and a notice
    /// naming `key` when something had to change.
    pub fn parse(&self, key: &str, raw: &str) -> (String, Option<Notice>) {
        let (text, why) = (self.read)(raw);
        let text: String = text.chars().take(self.max_len).collect();
        let notice =
            why.map(|why| Notice(format!("{key}={}: {why}; using \"{text}\"", quote(raw))));
        (text, notice)
    }
}

/// The keys a [`ParamKind::Keys`] parameter accepts, listed by its definer.
#[derive(Clone, Copy, Debug)]
pub struct KeyList(pub fn() -> Vec<&'static str>);

impl PartialEq for KeyList {
    /// Two lists are equal when they list the same keys.
    fn eq(&self, other: &KeyList) -> bool {
        (self.0)() == (other.0)()
    }
}

/// A numeric parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumberSpec {
    /// The smallest accepted value.
    pub min: f64,
    /// The largest accepted value.
    pub max: f64,
    /// The value when none is given.
    pub default: f64,
    /// The slider's range, which may be narrower than the accepted one.
    pub slider: (f64, f64),
    /// The slider's step.
    pub step: f64,
    /// Whether only whole numbers are accepted.
    pub whole: bool,
    /// A value the slider snaps to while dragged near it.
    pub detent: Option<f64>,
    /// Whether the slider is logarithmic: then [`slider`](Self::slider) and
    /// [`step`](Self::step) are in powers of ten, and, when 0 is accepted, the slider's
    /// leftmost stop (one step below its range) is exactly 0.
    pub log: bool,
}

/// A parameter with a fixed list of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChoiceSpec {
    /// `(value, label)` pairs; the value is what the URL carries.
    pub options: &'static [(&'static str, &'static str)],
    /// The value when none is given.
    pub default: &'static str,
}

/// A parameter's current value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// The value of a [`ParamKind::Number`].
    Number(f64),
    /// The value of a [`ParamKind::Choice`], one of its options.
    Choice(&'static str),
    /// The value of a [`ParamKind::Keys`], in the order given, without repeats.
    Keys(Vec<&'static str>),
    /// The value of a [`ParamKind::Text`], in its canonical form.
    Text(String),
}

/// A plain-language message about input that was corrected: shown on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice(pub String);

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How user input is quoted in a notice: at most 40 characters.
pub fn quote(raw: &str) -> String {
    let mut s: String = raw.chars().take(40).collect();
    if raw.chars().count() > 40 {
        s.push('…');
    }
    s
}

impl NumberSpec {
    /// `v` clamped to the accepted range and, for whole parameters, rounded. Returns the
    /// value to use and, if it had to change, a notice naming `key` and the given `shown`
    /// text (how the user wrote it).
    pub fn accept(&self, key: &str, shown: &str, v: f64) -> (f64, Option<Notice>) {
        let (value, why) = if v.is_nan() {
            (self.default, "is not a number".to_string())
        } else if v > self.max {
            (
                self.max,
                format!("is above the maximum {}", format_number(self.max)),
            )
        } else if v < self.min {
            (
                self.min,
                format!("is below the minimum {}", format_number(self.min)),
            )
        } else if self.whole && v.fract() != 0.0 {
            (v.round(), "is not a whole number".to_string())
        } else {
            // -0 becomes 0, so that it prints as it reads.
            return (v + 0.0, None);
        };
        let notice = format!(
            "{key}={} {why}; using {}",
            quote(shown),
            format_number(value)
        );
        (value, Some(Notice(notice)))
    }

    /// Parses `raw` (as typed or as found in a URL) and accepts it; see [`Self::accept`].
    pub fn parse(&self, key: &str, raw: &str) -> (f64, Option<Notice>) {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            let d = self.default;
            return (
                d,
                Some(Notice(format!(
                    "{key} is empty; using {}",
                    format_number(d)
                ))),
            );
        }
        let v = crate::decimal::parse(trimmed).unwrap_or(f64::NAN);
        if crate::decimal::underflowed(trimmed, v) {
            let (value, _) = self.accept(key, raw, 0.0);
            return (
                value,
                Some(Notice(format!(
                    "{key}={} is too small to tell from 0; using {}",
                    quote(raw),
                    format_number(value)
                ))),
            );
        }
        self.accept(key, raw, v)
    }
}

impl NumberSpec {
    /// The slider's lowest position: one step lower on a log slider that stops at 0.
    pub fn slider_min(&self) -> f64 {
        if self.log && self.min <= 0.0 {
            self.slider.0 - self.step
        } else {
            self.slider.0
        }
    }

    /// Where the slider stands for the value `v`.
    pub fn slider_position(&self, v: f64) -> f64 {
        if !self.log {
            return v;
        }
        if v <= 0.0 {
            return self.slider_min();
        }
        v.log10().clamp(self.slider.0, self.slider.1)
    }

    /// The value at slider position `s`: on a log slider `10^s`, kept to three significant
    /// digits (so the URL reads `0.0501`, not `0.05011872336272722`), and 0 at its lowest stop.
    pub fn from_slider(&self, s: f64) -> f64 {
        if !self.log {
            return s;
        }
        if s < self.slider.0 - self.step / 2.0 {
            return self.min.max(0.0);
        }
        let v = 10f64.powf(s);
        let digits = 10f64.powi(2 - v.log10().floor() as i32);
        (v * digits).round() / digits
    }
}

impl ChoiceSpec {
    /// The option matching `raw` (ignoring ASCII case and surrounding space), or the
    /// default with a notice.
    pub fn parse(&self, key: &str, raw: &str) -> (&'static str, Option<Notice>) {
        let wanted = raw.trim();
        if let Some((value, _)) = self
            .options
            .iter()
            .find(|(value, _)| value.eq_ignore_ascii_case(wanted))
        {
            return (value, None);
        }
        let list: Vec<&str> = self.options.iter().map(|(v, _)| *v).collect();
        let notice = Notice(format!(
            "{key}={} is not one of {}; using {}",
            quote(raw),
            list.join(", "),
            self.default
        ));
        (self.default, Some(notice))
    }
}

/// Parses a comma-separated list of control keys, dropping (with a notice) the ones no
/// view has.
fn parse_keys(key: &str, raw: &str, known: KeyList) -> (Vec<&'static str>, Option<Notice>) {
    let known = (known.0)();
    let mut keys: Vec<&'static str> = Vec::new();
    let mut unknown = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match known.iter().find(|k| k.eq_ignore_ascii_case(item)) {
            Some(k) if !keys.contains(k) => keys.push(k),
            Some(_) => {}
            None => unknown.push(quote(item)),
        }
    }
    let notice = (!unknown.is_empty()).then(|| {
        Notice(format!(
            "{key}={} names no control ({}); ignored",
            unknown.join(","),
            if unknown.len() == 1 { "it" } else { "they" }
        ))
    });
    (keys, notice)
}

impl ParamSpec {
    /// The value used when none is given.
    pub fn default_value(&self) -> Value {
        match self.kind {
            ParamKind::Number(n) => Value::Number(n.default),
            ParamKind::Choice(c) => Value::Choice(c.default),
            ParamKind::Keys(_) => Value::Keys(Vec::new()),
            ParamKind::Text(t) => Value::Text(t.default.to_string()),
        }
    }

    /// Parses `raw`, correcting it if needed (with a notice).
    pub fn parse(&self, raw: &str) -> (Value, Option<Notice>) {
        match self.kind {
            ParamKind::Number(n) => {
                let (v, notice) = n.parse(self.key, raw);
                (Value::Number(v), notice)
            }
            ParamKind::Choice(c) => {
                let (v, notice) = c.parse(self.key, raw);
                (Value::Choice(v), notice)
            }
            ParamKind::Keys(known) => {
                let (v, notice) = parse_keys(self.key, raw, known);
                (Value::Keys(v), notice)
            }
            ParamKind::Text(t) => {
                let (v, notice) = t.parse(self.key, raw);
                (Value::Text(v), notice)
            }
        }
    }

    /// The text of `value` in a URL.
    pub fn format(&self, value: &Value) -> String {
        match value {
            Value::Number(n) => format_number(*n),
            Value::Choice(c) => c.to_string(),
            Value::Keys(k) => k.join(","),
            Value::Text(t) => t.clone(),
        }
    }
}

/// The values of a view's parameters, in the order of its specs.
#[derive(Clone, Debug, PartialEq)]
pub struct Values {
    specs: &'static [ParamSpec],
    values: Vec<Value>,
}

impl Values {
    /// Every parameter at its default.
    pub fn defaults(specs: &'static [ParamSpec]) -> Values {
        Values {
            specs,
            values: specs.iter().map(ParamSpec::default_value).collect(),
        }
    }

    /// The specs these values belong to.
    pub fn specs(&self) -> &'static [ParamSpec] {
        self.specs
    }

    /// The spec with this key.
    pub fn spec(&self, key: &str) -> Option<&'static ParamSpec> {
        self.specs.iter().find(|s| s.key == key)
    }

    fn index(&self, key: &str) -> usize {
        self.specs
            .iter()
            .position(|s| s.key == key)
            .unwrap_or_else(|| panic!("no parameter {key}"))
    }

    /// The value of `key`. Panics if the view has no such parameter (a programming error).
    /// Kept out of line: every read of a parameter goes through it, and none is hot.
    #[inline(never)]
    pub fn get(&self, key: &str) -> &Value {
        &self.values[self.index(key)]
    }

    /// The number `key` holds. Panics if it is not a numeric parameter of the view.
    pub fn number(&self, key: &str) -> f64 {
        match self.get(key) {
            Value::Number(v) => *v,
            _ => panic!("{key} is not numeric"),
        }
    }

    /// The option `key` holds. Panics if it is not a choice parameter of the view.
    pub fn choice(&self, key: &str) -> &'static str {
        match self.get(key) {
            Value::Choice(v) => v,
            _ => panic!("{key} is not a choice"),
        }
    }

    /// The text `key` holds. Panics if it is not a text parameter.
    pub fn text(&self, key: &str) -> &str {
        match self.get(key) {
            Value::Text(v) => v,
            _ => panic!("{key} is not a text"),
        }
    }

    /// The keys `key` holds. Panics if it is not a key-list parameter.
    pub fn keys(&self, key: &str) -> &[&'static str] {
        match self.get(key) {
            Value::Keys(v) => v,
            _ => panic!("{key} is not a list of keys"),
        }
    }

    /// Sets `key` to `value`, which must be of its kind (as [`ParamSpec::parse`] gives).
    pub fn set(&mut self, key: &str, value: Value) {
        let i = self.index(key);
        self.values[i] = value;
    }

    /// Sets `key` from user input, correcting it if needed. Returns `None` if the view has
    /// no parameter `key`.
    pub fn set_raw(&mut self, key: &str, raw: &str) -> Option<Option<Notice>> {
        let i = self.specs.iter().position(|s| s.key == key)?;
        let (v, notice) = self.specs[i].parse(raw);
        self.values[i] = v;
        Some(notice)
    }

    /// Sets the number `key`, clamping it if needed. Panics if `key` is not numeric.
    pub fn set_number(&mut self, key: &str, v: f64) -> Option<Notice> {
        let i = self.index(key);
        let ParamKind::Number(spec) = self.specs[i].kind else {
            panic!("{key} is not numeric")
        };
        let (v, notice) = spec.accept(key, &format_number(v), v);
        self.values[i] = Value::Number(v);
        notice
    }

    /// `(key, value)` pairs as they appear in a URL, every parameter included.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        self.specs
            .iter()
            .zip(&self.values)
            .map(|(s, v)| (s.key, s.format(v)))
            .collect()
    }

    /// `(key, value)` pairs of the parameters that differ from their defaults.
    pub fn changed_pairs(&self) -> Vec<(&'static str, String)> {
        self.specs
            .iter()
            .zip(&self.values)
            .filter(|(s, v)| s.default_value() != **v)
            .map(|(s, v)| (s.key, s.format(v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPTH: NumberSpec = NumberSpec {
        min: 1.0,
        max: 10_000.0,
        default: 50.0,
        slider: (1.0, 1000.0),
        step: 1.0,
        whole: true,
        detent: None,
        log: false,
    };

    #[test]
    fn numbers_are_clamped_with_a_plain_notice() {
        assert_eq!(
            DEPTH.parse("depth", "abc"),
            (
                50.0,
                Some(Notice("depth=abc is not a number; using 50".into()))
            )
        );
        assert_eq!(
            DEPTH.parse("depth", "20000").1.unwrap().0,
            "depth=20000 is above the maximum 10000; using 10000"
        );
        assert_eq!(DEPTH.parse("depth", "0").0, 1.0);
        assert_eq!(DEPTH.parse("depth", "12.5").0, 13.0);
        assert_eq!(DEPTH.parse("depth", " 1e3 "), (1000.0, None));
        assert_eq!(
            DEPTH.parse("depth", "").1.unwrap().0,
            "depth is empty; using 50"
        );
        assert_eq!(DEPTH.parse("depth", "Infinity").0, 10_000.0);
        assert_eq!(DEPTH.parse("depth", "-inf").0, 1.0);
        assert_eq!(DEPTH.parse("depth", "NaN").0, 50.0);
    }

    #[test]
    fn log_sliders_map_powers_of_ten_and_stop_at_zero() {
        let lr = NumberSpec {
            min: 0.0,
            max: 10.0,
            default: 0.01,
            slider: (-5.0, 1.0),
            step: 0.01,
            whole: false,
            detent: None,
            log: true,
        };
        assert_eq!(lr.slider_min(), -5.01);
        assert_eq!(lr.from_slider(-2.0), 0.01);
        assert_eq!(lr.from_slider(-1.3), 0.0501);
        assert_eq!(lr.from_slider(1.0), 10.0);
        assert_eq!(lr.from_slider(-5.0), 0.00001);
        assert_eq!(lr.from_slider(-5.01), 0.0);
        assert_eq!(lr.slider_position(0.0), -5.01);
        assert_eq!(lr.slider_position(0.01), -2.0);
        assert_eq!(lr.slider_position(1e-9), -5.0);
        assert_eq!(DEPTH.from_slider(12.0), 12.0);
        assert_eq!(DEPTH.slider_position(12.0), 12.0);
    }

    #[test]
    fn long_garbage_is_quoted_short() {
        let (_, n) = DEPTH.parse("depth", &"x".repeat(500));
        assert!(n.unwrap().0.len() < 100);
    }
}
