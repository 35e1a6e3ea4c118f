//! The training lab (`view=train`): the lecture's chain, or a fully connected network,
//! trained live, with the symptoms (loss, `inf`, `NaN`) and the diagnosis (per-layer
//! gradient and weight norms, the learning-rate-0 baseline) side by side. This module is
//! its registry entry: parameters, presets, panels; its typed settings are in
//! [`settings`], what the shell drives in [`view_model`]. It is built on the lab core
//! ([`crate::app::lab`]).

#[cfg(feature = "train-lab")]
pub mod kept;
#[cfg(feature = "train-lab")]
pub mod settings;
#[cfg(feature = "train-lab")]
pub mod view_model;

use crate::app::lab::{
    Toggle, BATCH, CLIP, CLIP_MAX, LR, MOMENTUM, NOISE, PLAY, RESET, SAMPLES, SEED, SPEED, STEP,
    STEP100, STEPS, TASK,
};
use crate::app::params::{ParamKind, ParamSpec, TextSpec};
use crate::app::shared::{number, weight, FORMAT, SCALE};
use crate::app::typed::Param;
use crate::app::view::{ActionSpec, PanelSpec, PresetSpec};
use crate::train::spec::{MAX_CHAIN_DEPTH, MAX_MLP_WIDTH};
use std::fmt::Write;

#[cfg(feature = "train-lab")]
pub use view_model::model;

crate::choices! {
    /// What the lab trains.
    pub enum Model {
        /// The lecture's chain of scalar layers.
        Chain = ("chain", "chain"),
        /// A fully connected network.
        Mlp = ("mlp", "MLP"),
    }
}

crate::choices! {
    /// The MLP's activation.
    pub enum Act {
        /// None.
        Linear = ("linear", "linear"),
        /// `tanh`.
        Tanh = ("tanh", "tanh"),
        /// `max(0, z)`.
        Relu = ("relu", "ReLU"),
        /// The logistic function.
        Sigmoid = ("sigmoid", "sigmoid"),
    }
}

crate::choices! {
    /// How the MLP's weights start.
    pub enum Start {
        /// PyTorch's default for `nn.Linear`.
        Default = ("default", "PyTorch default, U(±1/√fan_in)"),
        /// Normal with standard deviation `σ/√fan_in`.
        Normal = ("normal", "normal, σ/√fan_in"),
        /// Xavier (Glorot) uniform.
        XavierUniform = ("xavier-uniform", "Xavier uniform"),
        /// Xavier (Glorot) normal.
        XavierNormal = ("xavier-normal", "Xavier normal"),
        /// He (Kaiming) normal.
        Kaiming = ("kaiming", "He (Kaiming) normal"),
        /// Orthogonal, times a gain.
        Orthogonal = ("orthogonal", "orthogonal"),
    }
}

/// The chain or an MLP.
pub const MODEL: Param<Model> = Param::choice(
    "model",
    "Model",
    crate::help!(
        "train-lab",
        "The lecture's chain of scalar layers, or a fully connected network (MLP)."
    ),
    "chain",
);

/// Layers of the chain, or hidden layers of the MLP.
pub const DEPTH: Param<usize> = Param::new(
    "depth",
    "Depth",
    crate::help!(
        "train-lab",
        "Layers of the chain (up to 1000), or hidden layers of the MLP (up to 200)."
    ),
    number(1.0, MAX_CHAIN_DEPTH as f64, 50.0, (1.0, 200.0), 1.0, true),
);

/// Units per hidden layer of the MLP.
pub const WIDTH: Param<usize> = Param::new(
    "width",
    "Width",
    crate::help!("train-lab", "Units in each hidden layer of the MLP."),
    number(1.0, MAX_MLP_WIDTH as f64, 32.0, (1.0, 128.0), 1.0, true),
);

/// The MLP's activation.
pub const ACT: Param<Act> = Param::choice(
    "act",
    "Activation",
    crate::help!(
        "train-lab",
        "The MLP's activation after every hidden layer."
    ),
    "tanh",
);

/// How the MLP's weights start.
pub const INIT: Param<Start> = Param::choice(
    "init",
    "Initialisation",
    crate::help!(
        "train-lab",
        "How the MLP's weights start, with PyTorch's formulas and gains."
    ),
    "default",
);

/// The σ of the normal init.
pub const SIGMA: Param<f64> = Param::new(
    "sigma",
    "σ of the normal init",
    crate::help!(
        "train-lab",
        "With init=normal, weights are drawn with standard deviation σ/√fan_in."
    ),
    number(0.0, 10.0, 1.0, (0.0, 3.0), 0.01, false),
);

/// The orthogonal init's gain.
pub const GAIN: Param<f64> = Param::new(
    "gain",
    "Orthogonal gain",
    crate::help!(
        "train-lab",
        "With init=orthogonal, the factor every orthogonal weight matrix is scaled by."
    ),
    number(0.0, 10.0, 1.0, (0.0, 3.0), 0.01, false),
);

/// The chain's first weight.
pub const W0: Param<f64> = Param::new(
    "w0",
    "Initial weight w0",
    crate::help!(
        "train-lab",
        "Every weight of the chain starts here. The slider stops at exactly 1."
    ),
    weight(1.0),
);

/// The chain's first bias.
pub const B0: Param<f64> = Param::new(
    "b0",
    "Initial bias b0",
    crate::help!("train-lab", "Every bias of the chain starts here."),
    number(-100.0, 100.0, 0.0, (-2.0, 2.0), 0.01, false),
);

/// Noise on the chain's first weights and biases.
pub const INIT_NOISE: Param<f64> = Param::new(
    "init_noise",
    "Init noise",
    crate::help!("train-lab", "The standard deviation of seeded normal noise added to every starting weight and bias of the chain."),
    number(0.0, 10.0, 0.0, (0.0, 0.5), 0.001, false),
);

/// Whether the learning-rate-0 copy trains beside the run.
pub const BASELINE: Param<Toggle> = Param::choice(
    "baseline",
    "LR = 0 baseline",
    crate::help!("train-lab", "Also train a copy with learning rate 0 on the same batches, to see how much the loss moves by itself."),
    "on",
);

/// How a kept run's text is read: by the lab's reader, in a build that has the lab. A module
/// without it only carries the text in its links, and keeps it as given.
#[cfg(feature = "train-lab")]
const READ_KEPT: fn(&str) -> (String, Option<String>) = kept::canonical;
#[cfg(not(feature = "train-lab"))]
const READ_KEPT: fn(&str) -> (String, Option<String>) = |raw| (raw.trim().to_string(), None);

/// The settings of a kept run, drawn faintly beside the current one.
pub const KEEP: Param<String> = Param::new(
    "keep",
    "Kept run",
    crate::help!("train-lab", "The settings of a run kept to compare with (Keep this run), as key:value pairs and its step, for example lr:1,steps:20; empty for none."),
    ParamKind::Text(TextSpec {
        default: "",
        read: READ_KEPT,
        max_len: 600,
    }),
);

/// The training lab's parameters, in the order of its controls.
pub static PARAMS: &[ParamSpec] = &[
    MODEL.spec,
    DEPTH.spec,
    WIDTH.spec,
    ACT.spec,
    INIT.spec,
    SIGMA.spec,
    GAIN.spec,
    FORMAT.spec,
    W0.spec,
    B0.spec,
    INIT_NOISE.spec,
    TASK.spec,
    SAMPLES.spec,
    NOISE.spec,
    BATCH.spec,
    LR.spec,
    MOMENTUM.spec,
    CLIP.spec,
    CLIP_MAX.spec,
    BASELINE.spec,
    KEEP.spec,
    SEED.spec,
    STEPS.spec,
    SPEED.spec,
    SCALE.spec,
];

/// What every preset starts from: the chain of 50 layers at `w0 = 1`, `b0 = 0` in `f32`,
/// learning the line with the full batch at learning rate 0.01, from step 0.
const CHAIN_BASE: &[(&str, &str)] = &[
    ("model", "chain"),
    ("depth", "50"),
    ("w0", "1"),
    ("b0", "0"),
    ("init_noise", "0"),
    ("dtype", "f32"),
    ("task", "line"),
    ("batch", "0"),
    ("noise", "0"),
    ("lr", "0.01"),
    ("momentum", "0"),
    ("clip", "off"),
    ("steps", "0"),
];

/// What the MLP preset starts from: 50 tanh layers of 64 units, learning the sine with the
/// full batch at learning rate 0.01 in `f32`, from step 0.
const MLP_BASE: &[(&str, &str)] = &[
    ("model", "mlp"),
    ("depth", "50"),
    ("width", "64"),
    ("act", "tanh"),
    ("dtype", "f32"),
    ("task", "sine"),
    ("batch", "0"),
    ("noise", "0"),
    ("lr", "0.01"),
    ("momentum", "0"),
    ("clip", "off"),
    ("steps", "0"),
];

/// The lecture's cases, one click each. Each starts from step 0 and plays.
pub static PRESETS: &[PresetSpec] = &[
    PresetSpec {
        slug: "exploding-lr",
        label: "Exploding: learning rate too high",
        tag: "exploding",
        description: "A chain of 50 layers at w0 = 1 with learning rate 1: a few steps in, the activations overflow, the loss is inf, then every weight is NaN.",
        base: CHAIN_BASE,
        values: &[
            ("lr", "1"),
        ],
    },
    PresetSpec {
        slug: "exploding-init",
        label: "Exploding: initial weights above 1",
        tag: "exploding",
        description: "A chain of 50 layers starting at w0 = 1.1: the first loss is already in the thousands, the first updates are about 80 times the weights, and the second step overflows to inf, then NaN.",
        base: CHAIN_BASE,
        values: &[
            ("w0", "1.1"),
        ],
    },
    PresetSpec {
        slug: "vanishing",
        label: "Vanishing: deep chain with w0 < 1",
        tag: "vanishing",
        description: "A chain of 50 layers at w0 = 0.8 and b0 = 0.1: the loss drops a little and stays flat, because the first layers get almost no gradient.",
        base: CHAIN_BASE,
        values: &[
            ("w0", "0.8"),
            ("b0", "0.1"),
        ],
    },
    PresetSpec {
        slug: "clipping",
        label: "Fixed by clipping",
        tag: "healthy",
        description: "The second preset with the gradient's norm clipped to 1: the first, huge gradients are cut down and the loss falls to almost 0.",
        base: CHAIN_BASE,
        values: &[
            ("w0", "1.1"),
            ("clip", "norm"),
            ("clip_max", "1"),
        ],
    },
    PresetSpec {
        slug: "lower-lr",
        label: "Fixed by a lower learning rate",
        tag: "healthy",
        description: "The first preset with a learning rate 20 times lower: the loss falls smoothly.",
        base: CHAIN_BASE,
        values: &[
            ("lr", "0.05"),
        ],
    },
    PresetSpec {
        slug: "lr-zero",
        label: "The LR = 0 test",
        tag: "stable",
        description: "Learning rate 0 on batches of 8 from noisy data: nothing learns, yet the loss still moves; all of that movement comes from the batches, and it is the yardstick for a real run.",
        base: CHAIN_BASE,
        values: &[
            ("batch", "8"),
            ("noise", "0.1"),
            ("lr", "0"),
            ("baseline", "on"),
        ],
    },
    PresetSpec {
        slug: "exploding-mlp",
        label: "Exploding: a deep MLP with large weights",
        tag: "exploding",
        description: "An MLP of 50 tanh layers of 64 units whose weights start at σ = 2, twice the σ = 1 at which tanh neither fades nor amplifies a signal: at step 1 the gradient grows layer by layer toward the input, to over a hundred times the output layer's at layer 1, and the first updates are thousands of times the guide.",
        base: MLP_BASE,
        values: &[
            ("init", "normal"),
            ("sigma", "2"),
        ],
    },
];

/// Keeps the current run on the plots as a faint ghost.
pub const KEEP_RUN: ActionSpec = ActionSpec {
    key: "keep",
    label: "Keep this run",
    shortcut: None,
};

/// Takes the kept run off the plots.
pub const FORGET: ActionSpec = ActionSpec {
    key: "forget",
    label: "Forget the kept run",
    shortcut: None,
};

/// A lab's buttons, then keeping and forgetting a run.
pub static ACTIONS: &[ActionSpec] = &[PLAY, STEP, STEP100, RESET, KEEP_RUN, FORGET];

crate::panels! {
    /// The training lab's plots.
    pub enum Panel {
        /// The loss against the step.
        Loss = ("loss", "Loss", trained: true),
        /// Every layer's gradient norm over the steps.
        Heatmap = ("heatmap", "Gradient norms over training", trained: true),
        /// The latest gradient norm per layer.
        Gradients = ("gradients", "Gradient norm per layer", trained: true),
        /// Weight norms and update ratios per layer.
        Weights = ("weights", "Weights and updates", trained: true),
        /// Each layer's output statistics.
        Activations = ("activations", "Activations per layer", trained: true),
    }
}

/// The training lab's plots.
pub static PANELS: &[PanelSpec] = Panel::SPECS;

/// The lecture's table of symptoms, diagnosis and remedy, in our words; the shell marks
/// the row of the current diagnosis.
pub fn facts() -> String {
    let mut h = String::from(concat!(
        r#"<h2>Symptoms, diagnosis, remedy</h2><table class="ds-regimes"><thead><tr>"#,
        r#"<th scope="col">Diagnosis</th><th scope="col">What you see</th>"#,
        r#"<th scope="col">How to check</th><th scope="col">What helps</th></tr></thead><tbody>"#
    ));
    for (key, seen, check, helps) in [
        (
            "exploding",
            "The loss jumps to inf; then outputs and every weight turn NaN",
            "Per-layer gradient and weight norms grow huge or non-finite; with learning rate 0 the loss stays finite",
            "A lower learning rate, gradient clipping, smaller initial weights",
        ),
        (
            "vanishing",
            "The loss falls a little, then stays flat",
            "The first layers' gradients are tiny next to the last layer's, and those layers barely change",
            "A different structure: normalisation, residual connections, Xavier or He initialisation",
        ),
        (
            "healthy",
            "The loss falls and keeps falling",
            "Gradients of similar size in every layer; updates near a thousandth of the weights",
            "Nothing to fix",
        ),
        (
            "lr-zero",
            "With learning rate 0 the loss still moves from batch to batch",
            "Nothing learns, so all of that movement is the data's: a real run's loss must fall by more than it",
            "Nothing to fix: it is the yardstick; if a real run turns NaN while this one stays finite, its gradients explode",
        ),
    ] {
        let _ = write!(
            h,
            r#"<tr data-row="{key}"><th scope="row">{}</th><td>{seen}</td><td>{check}</td><td>{helps}</td></tr>"#,
            if key == "lr-zero" { "LR = 0 test" } else { key }
        );
    }
    h.push_str("</tbody></table>");
    h
}
