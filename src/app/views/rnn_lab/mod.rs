//! The recurrent lab (`view=rnn`): vanishing and exploding gradients through time. Two
//! parts: Pascanu, Mikolov and Bengio's (2013) network of one neuron, whose loss surface over
//! its weight and bias has steep walls that throw plain gradient descent far away and that
//! clipping tames; and a recurrent network (or an LSTM) trained live on sequence tasks, with
//! the gradient that reaches each time step. This module is its registry entry: parameters,
//! presets, panels; its typed settings are in [`settings`], what the shell drives in
//! [`view_model`]. It is built on the lab core ([`crate::app::lab`]).

#[cfg(feature = "rnn-lab")]
pub mod plots;
#[cfg(feature = "rnn-lab")]
pub mod settings;
#[cfg(feature = "rnn-lab")]
pub mod view_model;

use crate::app::lab::{
    Toggle, CLIP, CLIP_MAX, LR, MOMENTUM, PLAY, RESET, SEED, SPEED, STEP, STEP100, STEPS,
};
use crate::app::params::{NumberSpec, ParamKind, ParamSpec};
use crate::app::shared::{number, SCALE};
use crate::app::typed::Param;
use crate::app::view::{ActionSpec, PanelSpec, PresetSpec};
use std::fmt::Write;

#[cfg(feature = "rnn-lab")]
pub use view_model::model;

crate::choices! {
    /// The sequence task.
    pub enum Task {
        /// The adding problem: the sum of the two marked values.
        Adding = ("adding", "adding problem"),
        /// The temporal order problem: the order of two relevant symbols.
        Order = ("order", "temporal order"),
        /// Remember the first input's sign.
        First = ("first", "the first input's sign"),
    }
}

crate::choices! {
    /// The recurrent cell.
    pub enum CellKind {
        /// `h_t = f(W·h_(t−1) + U·x_t + b)`.
        Rnn = ("rnn", "plain RNN"),
        /// Hochreiter and Schmidhuber's long short-term memory.
        Lstm = ("lstm", "LSTM"),
    }
}

crate::choices! {
    /// The plain RNN's activation `f`.
    pub enum Act {
        /// `tanh`.
        Tanh = ("tanh", "tanh"),
        /// The logistic function.
        Sigmoid = ("sigmoid", "sigmoid"),
        /// `max(0, z)`.
        Relu = ("relu", "ReLU"),
        /// None.
        Linear = ("linear", "linear"),
    }
}

crate::choices! {
    /// How the recurrent weights start.
    pub enum Start {
        /// PyTorch's default for `nn.RNN` and `nn.LSTM`, `U(±1/√hidden)`.
        Default = ("default", "PyTorch default"),
        /// Normal, scaled so that the largest singular value of `W` is `ρ`.
        Spectral = ("spectral", "normal, scaled to ρ"),
        /// Orthogonal times a gain.
        Orthogonal = ("orthogonal", "orthogonal × gain"),
        /// The identity times a gain (Le, Jaitly and Hinton 2015).
        Identity = ("identity", "identity × gain"),
    }
}

crate::choices! {
    /// The number format.
    pub enum Precision {
        /// 32-bit floating point.
        F32 = ("f32", "f32"),
        /// 64-bit floating point.
        F64 = ("f64", "f64"),
    }
}

crate::choices! {
    /// The one neuron's recurrence.
    pub enum Neuron {
        /// `x_t = w·σ(x_(t−1)) + b`, Pascanu et al.'s.
        Sigmoid = ("sigmoid", "x_t = w·σ(x_(t−1)) + b"),
        /// `x_t = w·x_(t−1) + b`, the lecture's chain through time.
        Linear = ("linear", "x_t = w·x_(t−1) + b"),
    }
}

/// The one neuron's recurrence.
pub const NEURON: Param<Neuron> = Param::choice(
    "neuron",
    "One neuron",
    crate::help!("rnn-lab", "The recurrence of the network of one neuron, over T = 50 steps from x_0 = 0.5, with the error (σ(x_50) − 0.7)²."),
    "sigmoid",
);

/// Where the one neuron's descent starts: its weight.
pub const W: Param<f64> = Param::new(
    "w",
    "Start w",
    crate::help!(
        "rnn-lab",
        "The one neuron's weight where both descents start (a click on the surface sets it)."
    ),
    number(-20.0, 20.0, 4.4, (-4.0, 16.0), 0.01, false),
);

/// Where the one neuron's descent starts: its bias.
pub const B: Param<f64> = Param::new(
    "b",
    "Start b",
    crate::help!(
        "rnn-lab",
        "The one neuron's bias where both descents start (a click on the surface sets it)."
    ),
    number(-20.0, 20.0, -2.5, (-12.0, 4.0), 0.01, false),
);

/// The one neuron's learning rate.
pub const PATH_LR: Param<f64> = Param::new(
    "path_lr",
    "Descent learning rate",
    crate::help!(
        "rnn-lab",
        "The learning rate of both descents on the surface."
    ),
    number(0.0, 100.0, 1.0, (0.0, 10.0), 0.01, false),
);

/// The clipped descent's threshold.
pub const PATH_CLIP: Param<f64> = Param::new(
    "path_clip",
    "Descent clipping threshold",
    crate::help!("rnn-lab", "The clipped descent rescales its gradient to this norm whenever it is larger (Pascanu et al.'s Algorithm 1)."),
    number(0.001, 100.0, 1.0, (0.01, 5.0), 0.01, false),
);

/// The descents' length.
pub const PATH_STEPS: Param<usize> = Param::new(
    "path_steps",
    "Descent steps",
    crate::help!("rnn-lab", "How many updates each descent makes."),
    number(1.0, 500.0, 20.0, (1.0, 100.0), 1.0, true),
);

/// The sequence task.
pub const TASK: Param<Task> = Param::choice(
    "task",
    "Task",
    crate::help!("rnn-lab", "The adding problem (regression), the temporal order problem (four classes) or remembering the first input's sign (two classes)."),
    "adding",
);

/// The recurrent cell.
pub const CELL: Param<CellKind> = Param::choice(
    "cell",
    "Cell",
    crate::help!(
        "rnn-lab",
        "A plain recurrent network or an LSTM, with its gates and cell state."
    ),
    "rnn",
);

/// The plain RNN's activation.
pub const ACT: Param<Act> = Param::choice(
    "act",
    "Activation f",
    crate::help!(
        "rnn-lab",
        "The plain RNN's activation in h_t = f(W·h_(t−1) + U·x_t + b)."
    ),
    "tanh",
);

/// Units in the hidden state.
pub const HIDDEN: Param<usize> = Param::new(
    "hidden",
    "Hidden size",
    crate::help!("rnn-lab", "Units in the hidden state h_t."),
    number(1.0, 256.0, 32.0, (1.0, 128.0), 1.0, true),
);

/// The sequence length.
pub const LENGTH: Param<usize> = Param::new(
    "length",
    "Sequence length T",
    crate::help!(
        "rnn-lab",
        "Time steps per sequence: the depth through which the gradient flows back."
    ),
    number(1.0, 1000.0, 50.0, (1.0, 200.0), 1.0, true),
);

/// How the recurrent weights start.
pub const INIT: Param<Start> = Param::choice(
    "init",
    "Initialisation",
    crate::help!(
        "rnn-lab",
        "How the recurrent matrix W starts; U and the biases always start as in PyTorch."
    ),
    "default",
);

/// The largest singular value of `W` at the start, for the spectral init.
pub const RHO: Param<f64> = Param::new(
    "rho",
    "ρ, W's largest singular value",
    crate::help!("rnn-lab", "With init=spectral, W is scaled so that its largest singular value is ρ. The slider stops at exactly 1."),
    ParamKind::Number(NumberSpec {
        min: 0.0,
        max: 2.0,
        default: 1.0,
        slider: (0.0, 2.0),
        step: 0.001,
        whole: false,
        detent: Some(1.0),
        log: false,
    }),
);

/// The gain of the orthogonal and identity inits.
pub const GAIN: Param<f64> = Param::new(
    "gain",
    "Gain",
    crate::help!(
        "rnn-lab",
        "With init=orthogonal or identity, W is that matrix times the gain."
    ),
    number(0.0, 2.0, 1.0, (0.0, 2.0), 0.01, false),
);

/// The LSTM's forget-gate bias at the start.
pub const FORGET: Param<f64> = Param::new(
    "forget",
    "Forget-gate bias",
    crate::help!("rnn-lab", "The LSTM's forget-gate bias at the start: 1 keeps the cell state at first (Gers et al. 2000); PyTorch starts it as every bias, near 0."),
    number(-5.0, 5.0, 1.0, (-3.0, 3.0), 0.01, false),
);

/// The number format.
pub const FORMAT: Param<Precision> = Param::choice(
    "dtype",
    "Number format",
    crate::help!("rnn-lab", "The format the network computes in."),
    "f32",
);

/// Sequences in the data set.
pub const SAMPLES: Param<usize> = Param::new(
    "samples",
    "Sequences",
    crate::help!(
        "rnn-lab",
        "How many sequences the data set has, generated from the seed."
    ),
    number(1.0, 2048.0, 512.0, (1.0, 2048.0), 1.0, true),
);

/// Sequences per step.
pub const BATCH: Param<usize> = Param::new(
    "batch",
    "Batch size",
    crate::help!(
        "rnn-lab",
        "Sequences per step; 0 uses the whole data set every step."
    ),
    number(0.0, 2048.0, 32.0, (0.0, 256.0), 1.0, true),
);

/// Whether the learning-rate-0 copy is evaluated beside the run.
pub const BASELINE: Param<Toggle> = Param::choice(
    "baseline",
    "LR = 0 baseline",
    crate::help!("rnn-lab", "Also evaluate a copy with learning rate 0 on the same batches, to see how much the loss moves by itself."),
    "on",
);

/// The recurrent lab's parameters, in the order of its controls.
pub static PARAMS: &[ParamSpec] = &[
    NEURON.spec,
    W.spec,
    B.spec,
    PATH_LR.spec,
    PATH_CLIP.spec,
    PATH_STEPS.spec,
    TASK.spec,
    CELL.spec,
    ACT.spec,
    HIDDEN.spec,
    LENGTH.spec,
    INIT.spec,
    RHO.spec,
    GAIN.spec,
    FORGET.spec,
    FORMAT.spec,
    SAMPLES.spec,
    BATCH.spec,
    LR.spec,
    MOMENTUM.spec,
    CLIP.spec,
    CLIP_MAX.spec,
    BASELINE.spec,
    SEED.spec,
    STEPS.spec,
    SPEED.spec,
    SCALE.spec,
];

/// What every preset starts from: a tanh RNN of 32 units on the adding problem at T = 50,
/// batches of 32 at learning rate 0.01, no clipping, from step 0.
const BASE: &[(&str, &str)] = &[
    ("task", "adding"),
    ("cell", "rnn"),
    ("act", "tanh"),
    ("hidden", "32"),
    ("length", "50"),
    ("init", "default"),
    ("dtype", "f32"),
    ("batch", "32"),
    ("lr", "0.01"),
    ("momentum", "0"),
    ("clip", "off"),
    ("steps", "0"),
];

/// The lecture's cases through time, one click each. Each starts from step 0 and plays.
pub static PRESETS: &[PresetSpec] = &[
    PresetSpec {
        slug: "exploding-time",
        label: "Exploding through time",
        tag: "exploding",
        description: "A tanh RNN whose recurrent matrix starts with its largest singular value at 1.8, trained without clipping at learning rate 0.2: the updates grow W until, at step 31, the loss overflows to inf and training stops.",
        base: BASE,
        values: &[("init", "spectral"), ("rho", "1.8"), ("lr", "0.2")],
    },
    PresetSpec {
        slug: "vanishing-time",
        label: "Vanishing through time",
        tag: "vanishing",
        description: "The adding problem over T = 100 steps with PyTorch's init: at step 1 the gradient reaching the first time step is about 1e-19 of the largest, so the earlier marked value cannot be learnt: the loss settles at about 1/6, what always predicting 1 gives, far above the 1/12 that using the later value alone would give.",
        base: BASE,
        values: &[("length", "100")],
    },
    PresetSpec {
        slug: "clipping-time",
        label: "Fixed by clipping (Pascanu)",
        tag: "healthy",
        description: "The exploding preset with the gradient's norm clipped to 1, as Pascanu et al. (2013) propose: the huge gradients are cut down, nothing overflows, and the loss falls to the level of always predicting 1.",
        base: BASE,
        values: &[
            ("init", "spectral"),
            ("rho", "1.8"),
            ("lr", "0.2"),
            ("clip", "norm"),
            ("clip_max", "1"),
        ],
    },
    PresetSpec {
        slug: "identity",
        label: "Identity init (Le et al.)",
        tag: "healthy",
        description: "A ReLU RNN whose recurrent matrix starts as the identity (Le, Jaitly and Hinton 2015), asked to remember the sign of the first of T = 30 inputs, with momentum 0.9 and the gradient's norm clipped to 1: the hidden state is carried unchanged at first, the gradient reaches the first time step, and by step 200 it answers every sequence right. Switch the initialisation to PyTorch's default and the accuracy stays near chance, 50%.",
        base: BASE,
        values: &[
            ("task", "first"),
            ("length", "30"),
            ("act", "relu"),
            ("init", "identity"),
            ("gain", "1"),
            ("lr", "0.01"),
            ("momentum", "0.9"),
            ("clip", "norm"),
            ("clip_max", "1"),
        ],
    },
    PresetSpec {
        slug: "lstm",
        label: "The LSTM",
        tag: "healthy",
        description: "An LSTM with its forget-gate bias at 1 on the temporal order problem over T = 30, with momentum 0.9 and the gradient's norm clipped to 1: its cell state carries the gradient back to the two early symbols, and by step 200 it classifies about every sequence right. Switch the cell to a plain RNN with the same settings and the accuracy stays near chance, 25%.",
        base: BASE,
        values: &[
            ("cell", "lstm"),
            ("task", "order"),
            ("length", "30"),
            ("forget", "1"),
            ("lr", "0.1"),
            ("momentum", "0.9"),
            ("clip", "norm"),
            ("clip_max", "1"),
        ],
    },
];

/// The recurrent lab's buttons.
pub static ACTIONS: &[ActionSpec] = &[PLAY, STEP, STEP100, RESET];

crate::panels! {
    /// The recurrent lab's plots.
    pub enum Panel {
        /// The one neuron's loss surface with the two descents.
        Surface = ("surface", "One neuron: the loss surface", trained: false),
        /// The gradient reaching each time step, now and at step 1.
        Through = ("through-time", "Gradient through time", trained: true),
        /// The same over training.
        TimeHeat = ("time-heat", "Gradient through time, over training", trained: true),
        /// The loss with its baseline and the task's chance level.
        Loss = ("loss", "Loss", trained: true),
        /// The largest singular value of `W` over training.
        Sigma = ("sigma", "Largest singular value of W", trained: true),
    }
}

/// The recurrent lab's plots.
pub static PANELS: &[PanelSpec] = Panel::SPECS;

/// Pascanu et al.'s conditions in a table, in our words; the shell marks the row of the
/// current diagnosis.
pub fn facts() -> String {
    let mut h = String::from(concat!(
        r#"<h2>Through time: when the gradient vanishes or explodes</h2><table class="ds-regimes"><thead><tr>"#,
        r#"<th scope="col">Diagnosis</th><th scope="col">What you see</th>"#,
        r#"<th scope="col">Why (Pascanu et al. 2013)</th><th scope="col">What helps</th></tr></thead><tbody>"#
    ));
    for (key, seen, why, helps) in [
        (
            "exploding",
            "The loss jumps, then inf or NaN; the gradient grows toward the first time steps",
            "Each step back multiplies the gradient by W and f′; a largest singular value of W above 1/γ (γ = 1 for tanh, 1/4 for sigmoid) is needed for it to grow",
            "Clipping the gradient's norm, a lower learning rate",
        ),
        (
            "vanishing",
            "The loss stays where a constant guess leaves it; the first time steps get almost no gradient",
            "A largest singular value of W below 1/γ is enough for the gradient to shrink geometrically with the distance in time",
            "An LSTM, an identity or orthogonal init; clipping does not help",
        ),
        (
            "healthy",
            "The loss falls below the task's chance level",
            "The gradient reaches the first time steps at a size comparable with the last",
            "Nothing to fix",
        ),
    ] {
        let _ = write!(
            h,
            r#"<tr data-row="{key}"><th scope="row">{key}</th><td>{seen}</td><td>{why}</td><td>{helps}</td></tr>"#
        );
    }
    h.push_str("</tbody></table>");
    h
}
