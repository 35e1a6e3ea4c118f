//! A configuration of the remedies lab as a short text, the value of `a=` to `d=` in the URL:
//! words and `name:value` pairs separated by commas, in any order and case, for example
//! `relu,he` or `tanh,normal,sw:1.2,sb:0.1,ln` or `relu,he,res:sqrt,zero`.
//!
//! | Word | Meaning |
//! |---|---|
//! | `linear`, `tanh`, `relu`, `sigmoid` | the activation (default `relu`) |
//! | `default`, `standard`, `xavier`, `xavier-normal`, `he`, `orthogonal`, `normal` | the init: PyTorch's default, Glorot's standard `U(±1/√n)`, Xavier uniform or normal, He (Kaiming normal), orthogonal, normal with `sw`, `sb` (default `he`) |
//! | `sw:σ_w`, `sb:σ_b` | the normal init's weight and bias standard deviations (× `1/√fan_in` for weights) |
//! | `gain:g` | the Xavier, He or orthogonal gain (default PyTorch's for the activation) |
//! | `bn`, `ln`, `bn-after`, `ln-after` | BatchNorm or LayerNorm, before the activation or after it |
//! | `res`, `res:α`, `res:sqrt`, `res:slider` | residual blocks with `α` = 1, `α`, `1/√depth`, or the shared slider's |
//! | `zero` | residual blocks whose weights start at 0 (implies `res`) |
//! | `depth:n`, `width:n` | this configuration's depth and width (default the shared ones) |
//!
//! An empty text means the slot is unused. Reading never fails: unknown words are dropped
//! and numbers clamped, and the reader says so.

use crate::app::numbers::js;
use crate::sim::NumberFormat;
use crate::train::spec::{
    Activation, Init, MlpSpec, Norm, NormPlace, Residual, MAX_ALPHA, MAX_MLP_DEPTH, MAX_MLP_WIDTH,
};

/// The longest configuration text.
pub const MAX_LEN: usize = 80;

/// The residual factor as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Alpha {
    /// `res:sqrt`: `1/√depth`.
    InvSqrtDepth,
    /// `res:slider`: the shared slider `alpha`.
    Slider,
    /// `res` (1) or `res:α`.
    Value(f64),
}

/// The init as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitWord {
    /// `default`.
    Default,
    /// `standard`.
    Standard,
    /// `xavier`.
    Xavier,
    /// `xavier-normal`.
    XavierNormal,
    /// `he`.
    He,
    /// `orthogonal`.
    Orthogonal,
    /// `normal`.
    Normal,
}

const INITS: [(&str, InitWord); 7] = [
    ("default", InitWord::Default),
    ("standard", InitWord::Standard),
    ("xavier", InitWord::Xavier),
    ("xavier-normal", InitWord::XavierNormal),
    ("he", InitWord::He),
    ("orthogonal", InitWord::Orthogonal),
    ("normal", InitWord::Normal),
];

const ACTS: [(&str, Activation); 4] = [
    ("linear", Activation::Linear),
    ("tanh", Activation::Tanh),
    ("relu", Activation::Relu),
    ("sigmoid", Activation::Sigmoid),
];

const NORMS: [(&str, Norm); 4] = [
    ("bn", Norm::Batch(NormPlace::Before)),
    ("ln", Norm::Layer(NormPlace::Before)),
    ("bn-after", Norm::Batch(NormPlace::After)),
    ("ln-after", Norm::Layer(NormPlace::After)),
];

/// One configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// The activation.
    pub act: Activation,
    /// The init.
    pub init: InitWord,
    /// `σ_w` of the normal init.
    pub sw: f64,
    /// `σ_b` of the normal init.
    pub sb: f64,
    /// The gain, if given.
    pub gain: Option<f64>,
    /// The normalisation.
    pub norm: Norm,
    /// The residual factor, if residual.
    pub residual: Option<Alpha>,
    /// Whether residual blocks start at 0.
    pub zero: bool,
    /// Its own depth, if given.
    pub depth: Option<usize>,
    /// Its own width, if given.
    pub width: Option<usize>,
}

impl Default for Config {
    /// `relu,he`.
    fn default() -> Self {
        Config {
            act: Activation::Relu,
            init: InitWord::He,
            sw: 1.0,
            sb: 0.0,
            gain: None,
            norm: Norm::None,
            residual: None,
            zero: false,
            depth: None,
            width: None,
        }
    }
}

/// Reads a configuration text: `None` for an empty one; what was dropped or changed, in
/// words, if anything.
pub fn read(raw: &str) -> (Option<Config>, Option<String>) {
    let mut c = Config::default();
    let mut problems: Vec<String> = Vec::new();
    let mut any = false;
    // The activation, init and normalisation words given, to say when one replaces another.
    let mut given: [Option<&'static str>; 3] = [None; 3];
    let mut replaces = |slot: usize, word: &'static str, what: &str, problems: &mut Vec<String>| {
        if let Some(before) = given[slot].replace(word) {
            if before != word {
                problems.push(format!(
                    "{before} and {word} are both {what}; using the last, {word}"
                ));
            }
        }
    };
    let mut normal_numbers = false;
    for token in raw
        .split([',', ' ', '+', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        any = true;
        let lower = token.to_ascii_lowercase();
        let (name, value) = match lower.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (lower.as_str(), None),
        };
        let number = |lo: f64, hi: f64, problems: &mut Vec<String>| -> Option<f64> {
            let text = value?;
            let v = crate::decimal::parse(text).filter(|v| v.is_finite())?;
            if crate::decimal::underflowed(text, v) {
                problems.push(format!(
                    "{name} {text} is too small to tell from 0; using 0"
                ));
            }
            let clamped = v.clamp(lo, hi);
            if clamped != v {
                problems.push(format!("{name} {} is out of {}..{}", js(v), js(lo), js(hi)));
            }
            Some(clamped)
        };
        let whole = |v: f64, problems: &mut Vec<String>| -> usize {
            if v.fract() != 0.0 {
                problems.push(format!(
                    "{name} {} is not a whole number; using {}",
                    js(v),
                    js(v.round())
                ));
            }
            v.round() as usize
        };
        let known = if let Some(&(w, a)) = ACTS.iter().find(|(w, _)| *w == name) {
            replaces(0, w, "activations", &mut problems);
            c.act = a;
            value.is_none()
        } else if let Some(&(w, i)) = INITS.iter().find(|(w, _)| *w == name) {
            replaces(1, w, "initialisations", &mut problems);
            c.init = i;
            value.is_none()
        } else if let Some(&(w, n)) = NORMS.iter().find(|(w, _)| *w == name) {
            replaces(2, w, "normalisations", &mut problems);
            c.norm = n;
            value.is_none()
        } else {
            match (name, value) {
                ("res", None) => {
                    c.residual = Some(Alpha::Value(1.0));
                    true
                }
                ("res", Some("sqrt")) => {
                    c.residual = Some(Alpha::InvSqrtDepth);
                    true
                }
                ("res", Some("slider")) => {
                    c.residual = Some(Alpha::Slider);
                    true
                }
                ("res", Some(_)) => number(0.0, MAX_ALPHA, &mut problems)
                    .map(|a| c.residual = Some(Alpha::Value(a)))
                    .is_some(),
                ("zero", None) => {
                    c.zero = true;
                    true
                }
                ("sw", _) => number(0.0, 10.0, &mut problems)
                    .map(|v| {
                        c.sw = v;
                        normal_numbers = true;
                    })
                    .is_some(),
                ("sb", _) => number(0.0, 10.0, &mut problems)
                    .map(|v| {
                        c.sb = v;
                        normal_numbers = true;
                    })
                    .is_some(),
                ("gain", _) => number(0.0, 10.0, &mut problems)
                    .map(|v| c.gain = Some(v))
                    .is_some(),
                ("depth", _) => number(1.0, MAX_MLP_DEPTH as f64, &mut problems)
                    .map(|v| c.depth = Some(whole(v, &mut problems)))
                    .is_some(),
                ("width", _) => number(1.0, MAX_MLP_WIDTH as f64, &mut problems)
                    .map(|v| c.width = Some(whole(v, &mut problems)))
                    .is_some(),
                _ => false,
            }
        };
        if !known {
            let shown: String = token.chars().take(20).collect();
            problems.push(format!("\"{shown}\" is not a word it knows"));
        }
    }
    if normal_numbers && c.init != InitWord::Normal {
        problems.push("sw and sb belong to the normal init (add \"normal\"); dropped".into());
    }
    if c.zero && c.residual.is_none() {
        c.residual = Some(Alpha::Value(1.0));
    }
    let why = (!problems.is_empty()).then(|| problems.join("; "));
    (any.then_some(c), why)
}

/// The canonical text of a configuration: every word it needs, in a fixed order, nothing
/// that is a default (`relu,he` is the empty default's shortest form, so always written).
pub fn write(c: &Config) -> String {
    let mut words: Vec<String> = vec![
        ACTS.iter()
            .find(|(_, a)| *a == c.act)
            .map_or("relu", |(w, _)| w)
            .into(),
        INITS
            .iter()
            .find(|(_, i)| *i == c.init)
            .map_or("he", |(w, _)| w)
            .into(),
    ];
    if c.init == InitWord::Normal {
        words.push(format!("sw:{}", js(c.sw)));
        if c.sb != 0.0 {
            words.push(format!("sb:{}", js(c.sb)));
        }
    }
    if let Some(g) = c.gain {
        words.push(format!("gain:{}", js(g)));
    }
    if let Some(&(w, _)) = NORMS.iter().find(|(_, n)| *n == c.norm) {
        words.push(w.into());
    }
    match c.residual {
        Some(Alpha::InvSqrtDepth) => words.push("res:sqrt".into()),
        Some(Alpha::Slider) => words.push("res:slider".into()),
        Some(Alpha::Value(1.0)) => words.push("res".into()),
        Some(Alpha::Value(a)) => words.push(format!("res:{}", js(a))),
        None => {}
    }
    if c.zero {
        words.push("zero".into());
    }
    if let Some(d) = c.depth {
        words.push(format!("depth:{d}"));
    }
    if let Some(w) = c.width {
        words.push(format!("width:{w}"));
    }
    words.join(",")
}

/// The reader a text parameter uses: the canonical text (empty for none) and what changed.
pub fn canonical(raw: &str) -> (String, Option<String>) {
    let (c, why) = read(raw);
    (c.map(|c| write(&c)).unwrap_or_default(), why)
}

impl Config {
    /// The depth it uses: its own, or the shared one.
    pub fn depth_or(&self, shared: usize) -> usize {
        self.depth.unwrap_or(shared).clamp(1, MAX_MLP_DEPTH)
    }

    /// The engine's spec of this configuration, with the shared depth and width where it
    /// has none of its own, and the shared slider's `alpha` for `res:slider`.
    pub fn spec(&self, depth: usize, width: usize, alpha: f64, format: NumberFormat) -> MlpSpec {
        let depth = self.depth_or(depth);
        let init = match self.init {
            InitWord::Default => Init::PyTorchDefault,
            InitWord::Standard => Init::Standard,
            InitWord::Xavier => Init::XavierUniform,
            InitWord::XavierNormal => Init::XavierNormal,
            InitWord::He => Init::KaimingNormal,
            InitWord::Orthogonal => Init::Orthogonal,
            InitWord::Normal => Init::Normal {
                sigma: self.sw,
                sigma_b: self.sb,
            },
        };
        let residual = match self.residual {
            None => Residual::Off,
            Some(a) => Residual::On {
                alpha: match a {
                    Alpha::InvSqrtDepth => 1.0 / (depth as f64).sqrt(),
                    Alpha::Slider => alpha,
                    Alpha::Value(v) => v,
                },
                zero_init: self.zero,
            },
        };
        MlpSpec {
            width: self.width.unwrap_or(width).clamp(1, MAX_MLP_WIDTH),
            depth,
            activation: self.act,
            init,
            gain: self.gain,
            format,
            norm: self.norm,
            residual,
        }
    }

    /// The configuration in words, for labels and summaries (`ReLU, He init, BatchNorm`).
    pub fn describe(&self) -> String {
        let act = match self.act {
            Activation::Linear => "linear",
            Activation::Tanh => "tanh",
            Activation::Relu => "ReLU",
            Activation::Sigmoid => "sigmoid",
        };
        let init = match self.init {
            InitWord::Default => "PyTorch's default init".to_string(),
            InitWord::Standard => "standard init".to_string(),
            InitWord::Xavier => "Xavier init".to_string(),
            InitWord::XavierNormal => "Xavier normal init".to_string(),
            InitWord::He => "He init".to_string(),
            InitWord::Orthogonal => "orthogonal init".to_string(),
            InitWord::Normal if self.sb != 0.0 => {
                format!("σ_w = {}, σ_b = {}", js(self.sw), js(self.sb))
            }
            InitWord::Normal => format!("σ_w = {}", js(self.sw)),
        };
        let mut parts = vec![act.to_string(), init];
        if let Some(g) = self.gain {
            parts.push(format!("gain {}", js(g)));
        }
        match self.norm {
            Norm::None => {}
            Norm::Batch(p) | Norm::Layer(p) => {
                let name = if matches!(self.norm, Norm::Batch(_)) {
                    "BatchNorm"
                } else {
                    "LayerNorm"
                };
                let place = if p == NormPlace::After { " after" } else { "" };
                parts.push(format!("{name}{place}"));
            }
        }
        match self.residual {
            Some(Alpha::InvSqrtDepth) => parts.push("residual, α = 1/√depth".into()),
            Some(Alpha::Slider) => parts.push("residual, α from the slider".into()),
            Some(Alpha::Value(a)) => parts.push(format!("residual, α = {}", js(a))),
            None => {}
        }
        if self.zero {
            parts.push("blocks start at 0".into());
        }
        if let Some(d) = self.depth {
            parts.push(format!("depth {d}"));
        }
        if let Some(w) = self.width {
            parts.push(format!("width {w}"));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_into_configurations_and_back() {
        for (raw, canonical_text) in [
            ("relu,he", "relu,he"),
            (
                " Tanh , NORMAL, sw:1.2 ,sb:0.1,ln",
                "tanh,normal,sw:1.2,sb:0.1,ln",
            ),
            ("zero relu he", "relu,he,res,zero"),
            (
                "res:sqrt,bn-after,sigmoid,xavier",
                "sigmoid,xavier,bn-after,res:sqrt",
            ),
            ("relu,xavier,gain:1,depth:30", "relu,xavier,gain:1,depth:30"),
            ("res:SLIDER", "relu,he,res:slider"),
        ] {
            let (text, why) = canonical(raw);
            assert_eq!(text, canonical_text, "{raw}");
            assert_eq!(why, None, "{raw}");
            assert_eq!(canonical(&text), (text.clone(), None));
        }
        assert_eq!(canonical(""), (String::new(), None));
        assert_eq!(canonical(" , "), (String::new(), None));
    }

    #[test]
    fn bad_words_are_dropped_and_numbers_clamped_with_a_reason() {
        let (text, why) = canonical("relu,banana,res:99,depth:5000,sw:x");
        assert_eq!(text, "relu,he,res:10,depth:200");
        let why = why.unwrap();
        assert!(why.contains("\"banana\" is not a word it knows"), "{why}");
        assert!(why.contains("res 99 is out of 0..10"), "{why}");
        assert!(why.contains("\"sw:x\""), "{why}");
    }

    #[test]
    fn every_correction_is_said() {
        for (raw, text, said) in [
            (
                "relu,tanh",
                "tanh,he",
                "relu and tanh are both activations; using the last, tanh",
            ),
            (
                "bn,ln",
                "relu,he,ln",
                "bn and ln are both normalisations; using the last, ln",
            ),
            (
                "xavier,he",
                "relu,he",
                "xavier and he are both initialisations; using the last, he",
            ),
            (
                "relu,he,sw:2",
                "relu,he",
                "sw and sb belong to the normal init",
            ),
            (
                "relu,he,depth:199.5",
                "relu,he,depth:200",
                "depth 199.5 is not a whole number; using 200",
            ),
            (
                "tanh,normal,sw:1e-400",
                "tanh,normal,sw:0",
                "sw 1e-400 is too small to tell from 0",
            ),
        ] {
            let (canonical_text, why) = canonical(raw);
            assert_eq!(canonical_text, text, "{raw}");
            let why = why.unwrap_or_default();
            assert!(why.contains(said), "{raw}: {why}");
        }
        assert_eq!(
            canonical("relu,relu,he").1,
            None,
            "repeating a word changes nothing"
        );
    }

    #[test]
    fn configurations_become_engine_specs() {
        let (c, _) = read("tanh,normal,sw:1.5,sb:0.2,bn,res:sqrt,zero,width:64");
        let s = c.unwrap().spec(25, 128, 0.3, NumberFormat::F32);
        assert_eq!(s.width, 64);
        assert_eq!(s.depth, 25);
        assert_eq!(
            s.init,
            Init::Normal {
                sigma: 1.5,
                sigma_b: 0.2
            }
        );
        assert_eq!(s.norm, Norm::Batch(NormPlace::Before));
        assert_eq!(
            s.residual,
            Residual::On {
                alpha: 0.2,
                zero_init: true
            }
        );
    }
}
