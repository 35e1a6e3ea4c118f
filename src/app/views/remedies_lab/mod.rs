//! The remedies lab (`view=remedies`): up to four configurations of the same deep network
//! (A to D: init, normalisation, residual connections), measured at initialisation against
//! mean-field theory, and trained side by side on the same batches. This module is its
//! registry entry: parameters, presets, panels; what the shell drives is in [`view_model`].
//! It is built on the lab core ([`crate::app::lab`]).

pub mod config;
#[cfg(feature = "remedies-lab")]
pub mod plots;
#[cfg(feature = "remedies-lab")]
pub mod view_model;

use crate::app::lab::{
    ACTIONS as LAB_ACTIONS, BATCH, LR, MOMENTUM, SAMPLES, SEED, SPEED, STEPS, TASK,
};
use crate::app::params::{ParamKind, ParamSpec, TextSpec};
use crate::app::shared::{number, SCALE};
use crate::app::typed::Param;
use crate::app::view::{ActionSpec, PanelSpec, PresetSpec};
use crate::sim::NumberFormat;
use crate::train::probe::MAX_SEEDS;
use crate::train::spec::{MAX_ALPHA, MAX_MLP_DEPTH, MAX_MLP_WIDTH};
use std::fmt::Write;

#[cfg(feature = "remedies-lab")]
pub use view_model::model;

/// How a configuration text is read: by the remedies lab's reader, in a build that has the
/// lab. A module without it only carries the texts (in its links, in `hide=`), and is never
/// started for the lab, so it keeps the text as given and leaves the reader, its word
/// lists and its notices out of its wasm.
#[cfg(feature = "remedies-lab")]
const READ: fn(&str) -> (String, Option<String>) = config::canonical;
#[cfg(not(feature = "remedies-lab"))]
const READ: fn(&str) -> (String, Option<String>) = |raw| (raw.trim().to_string(), None);

const fn configuration(
    key: &'static str,
    label: &'static str,
    default: &'static str,
) -> Param<String> {
    Param::new(
        key,
        label,
        "Words such as relu,he or tanh,normal,sw:1.2,ln or relu,he,res:sqrt (listed below); empty for none.",
        ParamKind::Text(TextSpec {
            default,
            read: READ,
            max_len: config::MAX_LEN,
        }),
    )
}

crate::choices! {
    /// One of the four configurations.
    pub enum Letter {
        /// The first.
        A = ("a", "A"),
        /// The second.
        B = ("b", "B"),
        /// The third.
        C = ("c", "C"),
        /// The fourth.
        D = ("d", "D"),
    }
}

/// The configurations A to D, each a text parameter named by its letter.
pub const CONFIGS: [Param<String>; 4] = [
    configuration("a", "Configuration A", "relu,xavier,gain:1"),
    configuration("b", "Configuration B", "relu,he"),
    configuration("c", "Configuration C", "relu,xavier,gain:1,bn"),
    configuration("d", "Configuration D", "relu,he,res:sqrt"),
];

crate::choices! {
    /// The formats the configurations compute in.
    pub enum Precision {
        /// Single precision.
        F32 = ("f32", "f32 (single)"),
        /// Double precision.
        F64 = ("f64", "f64 (double)"),
    }
}

impl Precision {
    /// The engine's format.
    pub fn format(self) -> NumberFormat {
        match self {
            Precision::F32 => NumberFormat::F32,
            Precision::F64 => NumberFormat::F64,
        }
    }
}

crate::choices! {
    /// What the histograms show.
    pub enum Hist {
        /// Each layer's outputs.
        Outputs = ("outputs", "outputs"),
        /// The gradient reaching each layer.
        Gradients = ("gradients", "gradients"),
    }
}

/// Hidden layers of every configuration that does not set its own.
pub const DEPTH: Param<usize> = Param::new(
    "depth",
    "Depth",
    crate::help!(
        "remedies-lab",
        "Hidden layers of every configuration that does not set its own."
    ),
    number(
        1.0,
        MAX_MLP_DEPTH as f64,
        30.0,
        (1.0, MAX_MLP_DEPTH as f64),
        1.0,
        true,
    ),
);

/// Units per hidden layer of every configuration that does not set its own.
pub const WIDTH: Param<usize> = Param::new(
    "width",
    "Width",
    crate::help!(
        "remedies-lab",
        "Units per hidden layer of every configuration that does not set its own."
    ),
    number(
        1.0,
        MAX_MLP_WIDTH as f64,
        64.0,
        (1.0, MAX_MLP_WIDTH as f64),
        1.0,
        true,
    ),
);

/// The residual factor of `res:slider`.
pub const ALPHA: Param<f64> = Param::new(
    "alpha",
    "Residual α",
    crate::help!(
        "remedies-lab",
        "The residual factor of every configuration written with res:slider."
    ),
    number(0.0, MAX_ALPHA, 1.0, (0.0, 2.0), 0.01, false),
);

/// The format every configuration computes in.
pub const FORMAT: Param<Precision> = Param::choice(
    "dtype",
    "Number format",
    crate::help!(
        "remedies-lab",
        "The format every configuration computes in."
    ),
    "f32",
);

/// Draws of the weights the statistics at initialisation average over.
pub const SEEDS: Param<usize> = Param::new(
    "seeds",
    "Seeds at init",
    crate::help!(
        "remedies-lab",
        "How many draws of the weights the statistics at initialisation average over."
    ),
    number(
        1.0,
        MAX_SEEDS as f64,
        1.0,
        (1.0, MAX_SEEDS as f64),
        1.0,
        true,
    ),
);

/// The configuration whose histograms are shown.
pub const SHOW: Param<Letter> = Param::choice(
    "show",
    "Histograms of",
    crate::help!(
        "remedies-lab",
        "The configuration whose per-layer histograms are shown."
    ),
    "a",
);

/// What the histograms show.
pub const HIST: Param<Hist> = Param::choice(
    "hist",
    "Histogram of",
    crate::help!(
        "remedies-lab",
        "Each layer's outputs, or the gradient reaching it (|dL/dz|, log scale)."
    ),
    "outputs",
);

/// The remedies lab's parameters, in the order of its controls.
pub static PARAMS: &[ParamSpec] = &[
    CONFIGS[0].spec,
    CONFIGS[1].spec,
    CONFIGS[2].spec,
    CONFIGS[3].spec,
    DEPTH.spec,
    WIDTH.spec,
    ALPHA.spec,
    FORMAT.spec,
    SEEDS.spec,
    SHOW.spec,
    HIST.spec,
    TASK.spec,
    SAMPLES.spec,
    BATCH.spec,
    LR.spec,
    MOMENTUM.spec,
    SEED.spec,
    STEPS.spec,
    SPEED.spec,
    SCALE.spec,
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

/// Copying the configuration shown under *Histograms of* into the first free slot.
pub const COPY: ActionSpec = ActionSpec {
    key: "copy",
    label: "Copy the shown configuration",
    shortcut: None,
};

/// Removing the configuration shown.
pub const REMOVE: ActionSpec = ActionSpec {
    key: "remove",
    label: "Remove the shown configuration",
    shortcut: None,
};

/// A lab's buttons, then copying and removing.
pub static ACTIONS: &[ActionSpec] = &[
    LAB_ACTIONS[0],
    LAB_ACTIONS[1],
    LAB_ACTIONS[2],
    LAB_ACTIONS[3],
    COPY,
    REMOVE,
];

crate::panels! {
    /// The remedies lab's plots.
    pub enum Panel {
        /// Each layer's mean square at initialisation.
        Signal = ("signal", "Signal at initialisation", trained: false),
        /// Each layer's gradient at initialisation.
        Gradients = ("gradients", "Gradients at initialisation", trained: false),
        /// One configuration's per-layer histograms.
        Histogram = ("histogram", "Per-layer histograms", trained: false),
        /// The mean-field phase diagram.
        Phase = ("phase", "Mean-field phase diagram", trained: false),
        /// The losses of the configurations.
        Loss = ("loss", "Loss", trained: true),
    }
}

/// The remedies lab's plots.
pub static PANELS: &[PanelSpec] = Panel::SPECS;

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
