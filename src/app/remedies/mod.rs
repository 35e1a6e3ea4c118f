//! The remedies lab (`view=remedies`): up to four configurations of the same deep network
//! (A to D: init, normalisation, residual connections), measured at initialisation against
//! mean-field theory, and trained side by side on the same batches. This module is its
//! registry entry: parameters, presets, plots; the model is in [`model`].

pub mod config;
#[cfg(feature = "remedies-lab")]
pub mod model;
#[cfg(feature = "remedies-lab")]
pub mod plots;

use super::explorer::SCALE;
use super::params::{ChoiceSpec, ParamKind, ParamSpec, TextSpec};
use super::train::{
    number, BATCH, LR, MOMENTUM, PLAY, RESET, SAMPLES, SEED, SPEED, STEP, STEP100, STEPS, TASK,
};
use super::view::{ActionSpec, PanelSpec, PresetSpec};
use crate::train::probe::MAX_SEEDS;
use crate::train::spec::{MAX_ALPHA, MAX_MLP_DEPTH, MAX_MLP_WIDTH};
use std::fmt::Write;

#[cfg(feature = "remedies-lab")]
pub use model::model;

/// The letters of the configurations, in order.
pub const LETTERS: [&str; 4] = ["a", "b", "c", "d"];

/// How a configuration text is read: by the remedies lab's reader, in a build that has the
/// lab. A module without it only carries the texts (in its links, in `hide=`), and is never
/// started for the lab, so it keeps the text as given and leaves the reader, its word
/// lists and its notices out of its wasm.
#[cfg(feature = "remedies-lab")]
const READ: fn(&str) -> (String, Option<String>) = config::canonical;
#[cfg(not(feature = "remedies-lab"))]
const READ: fn(&str) -> (String, Option<String>) = |raw| (raw.trim().to_string(), None);

const fn configuration(key: &'static str, label: &'static str, default: &'static str) -> ParamSpec {
    ParamSpec {
        key,
        label,
        description: "Words such as relu,he or tanh,normal,sw:1.2,ln or relu,he,res:sqrt (listed below); empty for none.",
        kind: ParamKind::Text(TextSpec {
            default,
            read: READ,
            max_len: config::MAX_LEN,
        }),
    }
}

/// The remedies lab's parameters, in the order of its controls.
pub static PARAMS: &[ParamSpec] = &[
    configuration("a", "Configuration A", "relu,xavier,gain:1"),
    configuration("b", "Configuration B", "relu,he"),
    configuration("c", "Configuration C", "relu,xavier,gain:1,bn"),
    configuration("d", "Configuration D", "relu,he,res:sqrt"),
    ParamSpec {
        key: "depth",
        label: "Depth",
        description: "Hidden layers of every configuration that does not set its own.",
        kind: number(
            1.0,
            MAX_MLP_DEPTH as f64,
            30.0,
            (1.0, MAX_MLP_DEPTH as f64),
            1.0,
            true,
        ),
    },
    ParamSpec {
        key: "width",
        label: "Width",
        description: "Units per hidden layer of every configuration that does not set its own.",
        kind: number(
            1.0,
            MAX_MLP_WIDTH as f64,
            64.0,
            (1.0, MAX_MLP_WIDTH as f64),
            1.0,
            true,
        ),
    },
    ParamSpec {
        key: "alpha",
        label: "Residual α",
        description: "The residual factor of every configuration written with res:slider.",
        kind: number(0.0, MAX_ALPHA, 1.0, (0.0, 2.0), 0.01, false),
    },
    ParamSpec {
        key: "dtype",
        label: "Number format",
        description: "The format every configuration computes in.",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[("f32", "f32 (single)"), ("f64", "f64 (double)")],
            default: "f32",
        }),
    },
    ParamSpec {
        key: "seeds",
        label: "Seeds at init",
        description: "How many draws of the weights the statistics at initialisation average over.",
        kind: number(
            1.0,
            MAX_SEEDS as f64,
            1.0,
            (1.0, MAX_SEEDS as f64),
            1.0,
            true,
        ),
    },
    ParamSpec {
        key: "show",
        label: "Histograms of",
        description: "The configuration whose per-layer histograms are shown.",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")],
            default: "a",
        }),
    },
    ParamSpec {
        key: "hist",
        label: "Histogram of",
        description: "Each layer's outputs, or the gradient reaching it (|dL/dz|, log scale).",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[("outputs", "outputs"), ("gradients", "gradients")],
            default: "outputs",
        }),
    },
    TASK,
    SAMPLES,
    BATCH,
    LR,
    MOMENTUM,
    SEED,
    STEPS,
    SPEED,
    SCALE,
];

/// What every preset starts from: the shared settings at their defaults, from step 0.
const BASE: &[(&str, &str)] = &[
    ("a", ""),
    ("b", ""),
    ("c", ""),
    ("d", ""),
    ("width", "64"),
    ("dtype", "f32"),
    ("seeds", "1"),
    ("show", "a"),
    ("hist", "outputs"),
    ("task", "sine"),
    ("samples", "128"),
    ("batch", "32"),
    ("lr", "0.01"),
    ("momentum", "0.9"),
    ("steps", "0"),
];

/// The papers' experiments, one click each.
pub static PRESETS: &[PresetSpec] = &[
    PresetSpec {
        slug: "glorot-bengio",
        label: "Glorot & Bengio 2010: 5 tanh layers",
        tag: "vanishing",
        description: "The standard init U(±1/√n) shrinks the signal through each tanh layer, so the last layers' outputs bunch up near 0; Xavier's normalised init keeps their spread.",
        base: BASE,
        values: &[
            ("a", "tanh,standard"),
            ("b", "tanh,xavier,gain:1"),
            ("depth", "5"),
            ("width", "128"),
            ("hist", "outputs"),
        ],
    },
    PresetSpec {
        slug: "he-2015",
        label: "He et al. 2015: 30 ReLU layers",
        tag: "vanishing",
        description: "With zero biases, Xavier's init halves the signal's mean square at every ReLU layer (its RMS falls about 30,000-fold over 30 layers); He's init doubles the weights' variance and holds it.",
        base: BASE,
        values: &[
            ("a", "relu,xavier,gain:1"),
            ("b", "relu,he"),
            ("depth", "30"),
        ],
    },
    PresetSpec {
        slug: "pytorch-default",
        label: "PyTorch's default on deep ReLU",
        tag: "vanishing",
        description: "nn.Linear's default init shrinks the mean square about six-fold per ReLU layer until its random biases hold it near 2/(5n); He's init for comparison.",
        base: BASE,
        values: &[
            ("a", "relu,default"),
            ("b", "relu,he"),
            ("depth", "50"),
        ],
    },
    PresetSpec {
        slug: "residual",
        label: "Plain against residual, depth 50",
        tag: "exploding",
        description: "Residual blocks with α = 1 double the mean square per block; α = 1/√depth keeps the whole growth below e, and blocks that start at 0 start as the identity.",
        base: BASE,
        values: &[
            ("a", "relu,he"),
            ("b", "relu,he,res"),
            ("c", "relu,he,res:sqrt"),
            ("d", "relu,he,res,zero"),
            ("depth", "50"),
        ],
    },
    PresetSpec {
        slug: "batchnorm",
        label: "Deep sigmoid, with and without BatchNorm",
        tag: "vanishing",
        description: "A sigmoid passes at most a quarter of the gradient back per layer, so the first of 20 layers get almost none; BatchNorm before each sigmoid brings it back, and overshoots: normalising a batch together makes the gradient grow toward the input.",
        base: BASE,
        values: &[
            ("a", "sigmoid,xavier"),
            ("b", "sigmoid,xavier,bn"),
            ("depth", "20"),
            ("hist", "gradients"),
        ],
    },
    PresetSpec {
        slug: "edge-of-chaos",
        label: "tanh at the edge of chaos",
        tag: "stable",
        description: "With σ_b² = 0.05, tanh is ordered at σ_w² = 1 (gradients fade over a few layers), chaotic at σ_w² = 4, and critical near σ_w² = 1.76, where the depth scale ξ is longest.",
        base: BASE,
        values: &[
            ("a", "tanh,normal,sw:1,sb:0.2236"),
            ("b", "tanh,normal,sw:1.3267,sb:0.2236"),
            ("c", "tanh,normal,sw:2,sb:0.2236"),
            ("depth", "100"),
            ("hist", "gradients"),
        ],
    },
];

/// Training's buttons, then copying the configuration shown under *Histograms of* into the
/// first free slot, and removing it.
pub static ACTIONS: &[ActionSpec] = &[
    PLAY,
    STEP,
    STEP100,
    RESET,
    ActionSpec {
        key: "copy",
        label: "Copy the shown configuration",
        shortcut: None,
    },
    ActionSpec {
        key: "remove",
        label: "Remove the shown configuration",
        shortcut: None,
    },
];

/// The remedies lab's plots.
pub static PANELS: &[PanelSpec] = &[
    PanelSpec {
        key: "signal",
        title: "Signal at initialisation",
        trained: false,
    },
    PanelSpec {
        key: "gradients",
        title: "Gradients at initialisation",
        trained: false,
    },
    PanelSpec {
        key: "histogram",
        title: "Per-layer histograms",
        trained: false,
    },
    PanelSpec {
        key: "phase",
        title: "Mean-field phase diagram",
        trained: false,
    },
    PanelSpec {
        key: "loss",
        title: "Loss",
        trained: true,
    },
];

/// The laws the plots are set against, and the words of a configuration.
pub fn facts() -> String {
    let mut h = String::from(concat!(
        r#"<h2>What theory predicts at initialisation</h2><table class="ds-regimes"><thead><tr>"#,
        r#"<th scope="col">Network</th><th scope="col">Mean square per layer</th>"#,
        r#"<th scope="col">So</th></tr></thead><tbody>"#
    ));
    for (key, net, law, so) in [
        (
            "linear",
            "Linear",
            "× σ<sub>w</sub>²",
            "Only σ<sub>w</sub>² = 1 keeps it",
        ),
        (
            "relu",
            "ReLU",
            "× σ<sub>w</sub>²/2",
            "He's σ<sub>w</sub>² = 2 keeps it; Xavier's 1 halves it",
        ),
        (
            "tanh",
            "tanh",
            "q → σ<sub>w</sub>²·E[tanh(√q·z)²] + σ<sub>b</sub>²",
            "Settles at a fixed point q*; gradients scale by χ<sub>1</sub> per layer",
        ),
        (
            "residual",
            "Residual, ReLU",
            "× (1 + α²σ<sub>w</sub>²/2) per block",
            "α = 1 doubles it; α = 1/√depth keeps the total below e",
        ),
        (
            "norm",
            "BatchNorm or LayerNorm",
            "reset to 1 (before the activation: to E[f(z)²], z ~ N(0, 1))",
            "The init's scale no longer matters",
        ),
    ] {
        let _ = write!(
            h,
            r#"<tr data-row="{key}"><th scope="row">{net}</th><td>{law}</td><td>{so}</td></tr>"#
        );
    }
    h.push_str("</tbody></table><h2>Writing a configuration</h2><dl class=\"ds-words\">");
    for (words, meaning) in [
        ("linear, tanh, relu, sigmoid", "the activation (relu if none)"),
        ("default, standard, xavier, xavier-normal, he, orthogonal, normal", "the init: PyTorch's default, Glorot's standard U(±1/√n), Xavier uniform or normal, He, orthogonal, or normal with sw and sb (he if none)"),
        ("sw:σ, sb:σ", "the normal init's weight standard deviation (times 1/√n) and bias standard deviation"),
        ("gain:g", "the Xavier, He or orthogonal gain (PyTorch's for the activation if none)"),
        ("bn, ln, bn-after, ln-after", "BatchNorm or LayerNorm, before or after the activation"),
        ("res, res:α, res:sqrt, res:slider", "residual blocks x + α·(W·f(x) + b), α = 1, α, 1/√depth, or the Residual α slider"),
        ("zero", "residual blocks whose weights start at 0"),
        ("depth:n, width:n", "this configuration's own depth or width"),
    ] {
        let _ = write!(h, "<dt><code>{words}</code></dt><dd>{meaning}</dd>");
    }
    h.push_str("</dl>");
    h
}
