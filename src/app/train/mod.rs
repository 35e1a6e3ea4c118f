//! The training lab (`view=train`): the lecture's chain, or a fully connected network,
//! trained live, with the symptoms (loss, `inf`, `NaN`) and the diagnosis (per-layer
//! gradient and weight norms, the learning-rate-0 baseline) side by side. This module is
//! its registry entry: parameters, presets, plots, keys; the model is in [`model`].

#[cfg(feature = "train-lab")]
pub mod diagnosis;
#[cfg(feature = "train-lab")]
pub mod model;
#[cfg(feature = "train-lab")]
pub mod plots;
#[cfg(feature = "train-lab")]
pub mod settings;

use super::explorer::{weight, FORMAT, SCALE};
use super::params::{ChoiceSpec, NumberSpec, ParamKind, ParamSpec};
use super::shortcuts::Binding;
use super::view::{ActionSpec, PanelSpec, PresetSpec};
use crate::train::spec::{MAX_CHAIN_DEPTH, MAX_LR, MAX_MLP_WIDTH, MAX_SAMPLES};
use std::fmt::Write;

#[cfg(feature = "train-lab")]
pub use model::model;

/// A numeric parameter with a linear slider and no detent.
pub(crate) const fn number(
    min: f64,
    max: f64,
    default: f64,
    slider: (f64, f64),
    step: f64,
    whole: bool,
) -> ParamKind {
    ParamKind::Number(NumberSpec {
        min,
        max,
        default,
        slider,
        step,
        whole,
        detent: None,
        log: false,
    })
}

/// The most steps `steps=` trains on load.
pub const MAX_STEPS: f64 = 100_000.0;

/// The `task` parameter, shared with the remedies lab.
pub const TASK: ParamSpec = ParamSpec {
    key: "task",
    label: "Task",
    description: "What the network learns (the chain learns the line or the sine).",
    kind: ParamKind::Choice(ChoiceSpec {
        options: &[
            ("line", "line t = 0.5x + 0.1"),
            ("sine", "sine t = sin(πx)"),
            ("circle", "circle (classes)"),
            ("xor", "XOR (classes)"),
            ("spiral", "spiral (classes)"),
        ],
        default: "line",
    }),
};

/// The `samples` parameter, shared with the remedies lab.
pub const SAMPLES: ParamSpec = ParamSpec {
    key: "samples",
    label: "Samples",
    description: "How many examples the data set has.",
    kind: number(2.0, MAX_SAMPLES as f64, 32.0, (2.0, 512.0), 1.0, true),
};

/// The `noise` parameter, shared with the remedies lab.
pub const NOISE: ParamSpec = ParamSpec {
    key: "noise",
    label: "Target noise",
    description: "Noise on the targets: the standard deviation added to numbers, or the chance of flipping a class.",
    kind: number(0.0, 10.0, 0.0, (0.0, 0.5), 0.01, false),
};

/// The `batch` parameter, shared with the remedies lab.
pub const BATCH: ParamSpec = ParamSpec {
    key: "batch",
    label: "Batch size",
    description: "Examples per step; 0 uses the whole data set every step.",
    kind: number(0.0, MAX_SAMPLES as f64, 0.0, (0.0, 128.0), 1.0, true),
};

/// The `lr` parameter, shared with the remedies lab.
pub const LR: ParamSpec = ParamSpec {
    key: "lr",
    label: "Learning rate",
    description: "The SGD step size; the slider's leftmost stop is exactly 0.",
    kind: ParamKind::Number(NumberSpec {
        min: 0.0,
        max: MAX_LR,
        default: 0.01,
        slider: (-5.0, 1.0),
        step: 0.01,
        whole: false,
        detent: None,
        log: true,
    }),
};

/// The `momentum` parameter, shared with the remedies lab.
pub const MOMENTUM: ParamSpec = ParamSpec {
    key: "momentum",
    label: "Momentum",
    description: "SGD momentum as in PyTorch (0: plain SGD).",
    kind: number(0.0, 0.999, 0.0, (0.0, 0.99), 0.01, false),
};

/// The `seed` parameter, shared with the remedies lab.
pub const SEED: ParamSpec = ParamSpec {
    key: "seed",
    label: "Seed",
    description: "The seed of every random number the run draws.",
    kind: number(0.0, 4_294_967_295.0, 1.0, (0.0, 100.0), 1.0, true),
};

/// The `steps` parameter, shared with the remedies lab.
pub const STEPS: ParamSpec = ParamSpec {
    key: "steps",
    label: "Steps",
    description: "Train this many steps on load, then pause; the URL keeps the step shown.",
    kind: number(0.0, MAX_STEPS, 0.0, (0.0, 2000.0), 1.0, true),
};

/// The `speed` parameter, shared with the remedies lab.
pub const SPEED: ParamSpec = ParamSpec {
    key: "speed",
    label: "Speed",
    description: "Steps per frame while playing: one, ten, or as many as fit in half a frame.",
    kind: ParamKind::Choice(ChoiceSpec {
        options: &[("slow", "slow"), ("medium", "medium"), ("fast", "fast")],
        default: "medium",
    }),
};

/// The training lab's parameters, in the order of its controls.
pub static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "model",
        label: "Model",
        description: "The lecture's chain of scalar layers, or a fully connected network (MLP).",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[("chain", "chain"), ("mlp", "MLP")],
            default: "chain",
        }),
    },
    ParamSpec {
        key: "depth",
        label: "Depth",
        description: "Layers of the chain (up to 1000), or hidden layers of the MLP (up to 200).",
        kind: number(1.0, MAX_CHAIN_DEPTH as f64, 50.0, (1.0, 200.0), 1.0, true),
    },
    ParamSpec {
        key: "width",
        label: "Width",
        description: "Units in each hidden layer of the MLP.",
        kind: number(1.0, MAX_MLP_WIDTH as f64, 32.0, (1.0, 128.0), 1.0, true),
    },
    ParamSpec {
        key: "act",
        label: "Activation",
        description: "The MLP's activation after every hidden layer.",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[
                ("linear", "linear"),
                ("tanh", "tanh"),
                ("relu", "ReLU"),
                ("sigmoid", "sigmoid"),
            ],
            default: "tanh",
        }),
    },
    ParamSpec {
        key: "init",
        label: "Initialisation",
        description: "How the MLP's weights start, with PyTorch's formulas and gains.",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[
                ("default", "PyTorch default, U(±1/√fan_in)"),
                ("normal", "normal, σ/√fan_in"),
                ("xavier-uniform", "Xavier uniform"),
                ("xavier-normal", "Xavier normal"),
                ("kaiming", "He (Kaiming) normal"),
                ("orthogonal", "orthogonal"),
            ],
            default: "default",
        }),
    },
    ParamSpec {
        key: "sigma",
        label: "σ of the normal init",
        description: "With init=normal, weights are drawn with standard deviation σ/√fan_in.",
        kind: number(0.0, 10.0, 1.0, (0.0, 3.0), 0.01, false),
    },
    ParamSpec {
        key: "gain",
        label: "Orthogonal gain",
        description: "With init=orthogonal, the factor every orthogonal weight matrix is scaled by.",
        kind: number(0.0, 10.0, 1.0, (0.0, 3.0), 0.01, false),
    },
    FORMAT,
    ParamSpec {
        key: "w0",
        label: "Initial weight w0",
        description: "Every weight of the chain starts here. The slider stops at exactly 1.",
        kind: weight(1.0),
    },
    ParamSpec {
        key: "b0",
        label: "Initial bias b0",
        description: "Every bias of the chain starts here.",
        kind: number(-100.0, 100.0, 0.0, (-2.0, 2.0), 0.01, false),
    },
    ParamSpec {
        key: "init_noise",
        label: "Init noise",
        description: "The standard deviation of seeded normal noise added to every starting weight and bias of the chain.",
        kind: number(0.0, 10.0, 0.0, (0.0, 0.5), 0.001, false),
    },
    TASK,
    SAMPLES,
    NOISE,
    BATCH,
    LR,
    MOMENTUM,
    ParamSpec {
        key: "clip",
        label: "Gradient clipping",
        description: "Off, by the global norm (PyTorch's clip_grad_norm_) or by value (clip_grad_value_).",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[("off", "off"), ("norm", "by norm"), ("value", "by value")],
            default: "off",
        }),
    },
    ParamSpec {
        key: "clip_max",
        label: "Clip threshold",
        description: "The largest gradient norm (or element) clipping lets through.",
        kind: ParamKind::Number(NumberSpec {
            min: 1e-6,
            max: 1e6,
            default: 1.0,
            slider: (-3.0, 3.0),
            step: 0.01,
            whole: false,
            detent: None,
            log: true,
        }),
    },
    ParamSpec {
        key: "baseline",
        label: "LR = 0 baseline",
        description: "Also train a copy with learning rate 0 on the same batches, to see how much the loss moves by itself.",
        kind: ParamKind::Choice(ChoiceSpec {
            options: &[("on", "on"), ("off", "off")],
            default: "on",
        }),
    },
    SEED,
    STEPS,
    SPEED,
    SCALE,
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
];

/// The training lab's plots.
pub static PANELS: &[PanelSpec] = &[
    PanelSpec {
        key: "loss",
        title: "Loss",
        trained: true,
    },
    PanelSpec {
        key: "heatmap",
        title: "Gradient norms over training",
        trained: true,
    },
    PanelSpec {
        key: "gradients",
        title: "Gradient norm per layer",
        trained: true,
    },
    PanelSpec {
        key: "weights",
        title: "Weights and updates",
        trained: true,
    },
    PanelSpec {
        key: "activations",
        title: "Activations per layer",
        trained: true,
    },
];

/// Play and pause.
pub const PLAY: ActionSpec = ActionSpec {
    key: "play",
    label: "Play",
    shortcut: Some(" "),
};
/// One step.
pub const STEP: ActionSpec = ActionSpec {
    key: "step",
    label: "One step",
    shortcut: Some("s"),
};
/// A hundred steps.
pub const STEP100: ActionSpec = ActionSpec {
    key: "step100",
    label: "100 steps",
    shortcut: Some("h"),
};
/// Back to step 0.
pub const RESET: ActionSpec = ActionSpec {
    key: "reset",
    label: "Reset",
    shortcut: Some("r"),
};

/// Play and pause, one step, a hundred steps, reset.
pub static ACTIONS: &[ActionSpec] = &[PLAY, STEP, STEP100, RESET];

/// The training lab's own keys.
pub static KEYS: &[Binding] = &[
    Binding::action(" ", "play"),
    Binding::action("s", "step"),
    Binding::action("h", "step100"),
    Binding::action("r", "reset"),
];

/// The help overlay's lines for [`KEYS`].
pub static KEY_HELP: &[(&str, &str)] = &[
    ("space", "play or pause"),
    ("s", "one step"),
    ("h", "a hundred steps"),
    ("r", "reset to step 0"),
];

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
