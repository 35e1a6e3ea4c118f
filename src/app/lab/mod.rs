//! The lab core: what every view that trains a network shares, and no view owns. Its
//! parameters (task, data, batch, learning rate, momentum, clipping, seed, steps, speed),
//! read once into typed [`LabSettings`]; its buttons and keys (play, one step, a hundred,
//! reset); the player that runs a training in slices of a frame ([`player`]); the diagnosis
//! by the lecture's rules ([`diagnosis`]); and the loss and per-layer plots ([`plots`]).
//! The training lab and the remedies lab are built on it, and import nothing of each other.

#[cfg(feature = "lab")]
pub mod diagnosis;
#[cfg(feature = "lab")]
pub mod engine;
#[cfg(feature = "lab")]
pub mod player;
#[cfg(feature = "lab")]
pub mod plots;

use super::params::{NumberSpec, ParamKind};
use super::shared::{number, SCALE};
use super::shortcuts::Binding;
use super::typed::Param;
use super::view::ActionSpec;
use crate::plot::Scale;
use crate::train::spec::{MAX_LR, MAX_SAMPLES};
use crate::train::TaskSpec;

/// The most steps `steps=` trains on load.
pub const MAX_STEPS: f64 = 100_000.0;

crate::choices! {
    /// What the network learns.
    pub enum Task {
        /// `t = 0.5x + 0.1`.
        Line = ("line", "line t = 0.5x + 0.1"),
        /// `t = sin(πx)`.
        Sine = ("sine", "sine t = sin(πx)"),
        /// Inside or outside a circle.
        Circle = ("circle", "circle (classes)"),
        /// The XOR of two signs.
        Xor = ("xor", "XOR (classes)"),
        /// Two interleaved spirals.
        Spiral = ("spiral", "spiral (classes)"),
    }
}

impl Task {
    /// The engine's task.
    pub fn spec(self) -> TaskSpec {
        match self {
            Task::Line => TaskSpec::Line {
                slope: 0.5,
                intercept: 0.1,
            },
            Task::Sine => TaskSpec::Sine,
            Task::Circle => TaskSpec::Circle,
            Task::Xor => TaskSpec::Xor,
            Task::Spiral => TaskSpec::Spiral,
        }
    }
}

crate::choices! {
    /// How many steps a frame of playing runs.
    pub enum Speed {
        /// One step per frame.
        Slow = ("slow", "slow"),
        /// Ten steps per frame.
        Medium = ("medium", "medium"),
        /// As many as fit in the frame's budget.
        Fast = ("fast", "fast"),
    }
}

crate::choices! {
    /// Whether and how the gradient is clipped.
    pub enum ClipMode {
        /// No clipping.
        Off = ("off", "off"),
        /// By the global norm (PyTorch's `clip_grad_norm_`).
        Norm = ("norm", "by norm"),
        /// By value (`clip_grad_value_`).
        Value = ("value", "by value"),
    }
}

crate::choices! {
    /// A switch.
    pub enum Toggle {
        /// On.
        On = ("on", "on"),
        /// Off.
        Off = ("off", "off"),
    }
}

/// What the network learns.
pub const TASK: Param<Task> = Param::choice(
    "task",
    "Task",
    crate::help!(
        "lab",
        "What the network learns (the chain learns the line or the sine)."
    ),
    "line",
);

/// How many examples the data set has.
pub const SAMPLES: Param<usize> = Param::new(
    "samples",
    "Samples",
    crate::help!("lab", "How many examples the data set has."),
    number(2.0, MAX_SAMPLES as f64, 32.0, (2.0, 512.0), 1.0, true),
);

/// Noise on the targets.
pub const NOISE: Param<f64> = Param::new(
    "noise",
    "Target noise",
    crate::help!("lab", "Noise on the targets: the standard deviation added to numbers, or the chance of flipping a class."),
    number(0.0, 10.0, 0.0, (0.0, 0.5), 0.01, false),
);

/// Examples per step.
pub const BATCH: Param<usize> = Param::new(
    "batch",
    "Batch size",
    crate::help!(
        "lab",
        "Examples per step; 0 uses the whole data set every step."
    ),
    number(0.0, MAX_SAMPLES as f64, 0.0, (0.0, 128.0), 1.0, true),
);

/// The SGD step size.
pub const LR: Param<f64> = Param::new(
    "lr",
    "Learning rate",
    crate::help!(
        "lab",
        "The SGD step size; the slider's leftmost stop is exactly 0."
    ),
    ParamKind::Number(NumberSpec {
        min: 0.0,
        max: MAX_LR,
        default: 0.01,
        slider: (-5.0, 1.0),
        step: 0.01,
        whole: false,
        detent: None,
        log: true,
    }),
);

/// SGD momentum.
pub const MOMENTUM: Param<f64> = Param::new(
    "momentum",
    "Momentum",
    crate::help!("lab", "SGD momentum as in PyTorch (0: plain SGD)."),
    number(0.0, 0.999, 0.0, (0.0, 0.99), 0.01, false),
);

/// Whether and how the gradient is clipped.
pub const CLIP: Param<ClipMode> = Param::choice(
    "clip",
    "Gradient clipping",
    crate::help!(
        "lab",
        "Off, by the global norm (PyTorch's clip_grad_norm_) or by value (clip_grad_value_)."
    ),
    "off",
);

/// The clipping threshold.
pub const CLIP_MAX: Param<f64> = Param::new(
    "clip_max",
    "Clip threshold",
    crate::help!(
        "lab",
        "The largest gradient norm (or element) clipping lets through."
    ),
    ParamKind::Number(NumberSpec {
        min: 1e-6,
        max: 1e6,
        default: 1.0,
        slider: (-3.0, 3.0),
        step: 0.01,
        whole: false,
        detent: None,
        log: true,
    }),
);

/// The seed of every random number a run draws.
pub const SEED: Param<u64> = Param::new(
    "seed",
    "Seed",
    crate::help!("lab", "The seed of every random number the run draws."),
    number(0.0, 4_294_967_295.0, 1.0, (0.0, 100.0), 1.0, true),
);

/// The steps trained on load.
pub const STEPS: Param<u64> = Param::new(
    "steps",
    "Steps",
    crate::help!(
        "lab",
        "Train this many steps on load, then pause; the URL keeps the step shown."
    ),
    number(0.0, MAX_STEPS, 0.0, (0.0, 2000.0), 1.0, true),
);

/// How fast playing goes.
pub const SPEED: Param<Speed> = Param::choice(
    "speed",
    "Speed",
    crate::help!(
        "lab",
        "Steps per frame while playing: one, ten, or as many as fit in half a frame."
    ),
    "medium",
);

/// What every lab reads the same way, from its values, once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabSettings {
    /// What the network learns.
    pub task: TaskSpec,
    /// Examples in the data set.
    pub samples: usize,
    /// Examples per step (0: all).
    pub batch: usize,
    /// The learning rate.
    pub lr: f64,
    /// SGD momentum.
    pub momentum: f64,
    /// The seed.
    pub seed: u64,
    /// The steps to show: trained on load, then paused.
    pub steps: u64,
    /// How fast playing goes.
    pub speed: Speed,
    /// The y axes of the plots against layer and step.
    pub scale: Scale,
}

impl LabSettings {
    /// Reads the shared settings from a lab's values.
    pub fn from_values(v: &super::params::Values) -> LabSettings {
        LabSettings {
            task: v.of(&TASK).spec(),
            samples: v.of(&SAMPLES),
            batch: v.of(&BATCH),
            lr: v.of(&LR),
            momentum: v.of(&MOMENTUM),
            seed: v.of(&SEED),
            steps: v.of(&STEPS),
            speed: v.of(&SPEED),
            scale: v.of(&SCALE),
        }
    }
}

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

/// The keys of a lab.
pub static KEYS: &[Binding] = &[
    Binding::action(" ", PLAY.key),
    Binding::action("s", STEP.key),
    Binding::action("h", STEP100.key),
    Binding::action("r", RESET.key),
];

/// The help overlay's lines for [`KEYS`].
pub static KEY_HELP: &[(&str, &str)] = &[
    ("space", "play or pause"),
    ("s", "one step"),
    ("h", "a hundred steps"),
    ("r", "reset to step 0"),
];

/// The actions a lab's model knows, by the name the shell passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabAction {
    /// Play or pause.
    Play,
    /// One step.
    Step,
    /// A hundred steps.
    Step100,
    /// Back to step 0.
    Reset,
}

impl LabAction {
    /// The action the shell names `key`, if it is one of a lab's.
    pub fn from_key(key: &str) -> Option<LabAction> {
        [
            (PLAY, LabAction::Play),
            (STEP, LabAction::Step),
            (STEP100, LabAction::Step100),
            (RESET, LabAction::Reset),
        ]
        .into_iter()
        .find(|(a, _)| a.key == key)
        .map(|(_, a)| a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::params::ChoiceSpec;
    use crate::app::typed::Choice;

    #[test]
    fn every_task_is_an_engine_task_and_the_line_is_the_default() {
        for t in Task::ALL {
            assert_eq!(Task::from_word(t.word()), Some(*t));
        }
        let ParamKind::Choice(ChoiceSpec { default, .. }) = TASK.spec.kind else {
            panic!("a choice")
        };
        assert_eq!(Task::from_word(default), Some(Task::Line));
        assert_eq!(Task::Line.spec(), crate::train::TrainSpec::default().task);
    }
}
