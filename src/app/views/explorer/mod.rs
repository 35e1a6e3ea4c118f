//! The explorer (`view=explorer`): the deep scalar chain with sliders for depth, `w`, `b`
//! and `x`. This module is its registry entry: parameters, presets, panels, keys and its
//! typed settings; what it computes is in [`snapshot`], what the shell drives in
//! [`view_model`], its CSV in [`csv`].

#[cfg(feature = "explorer")]
pub mod csv;
#[cfg(feature = "explorer")]
pub mod snapshot;
#[cfg(feature = "explorer")]
pub mod view_model;

use crate::app::params::{NumberSpec, ParamKind, ParamSpec, Values};
use crate::app::shared::{weight, FORMAT, SCALE};
use crate::app::shortcuts::Binding;
use crate::app::typed::Param;
use crate::app::view::{PanelSpec, PresetSpec};
use crate::plot::Scale;
use crate::sim::{Chain, ChainParams, Regime, MAX_DEPTH};
use std::fmt::Write;

#[cfg(feature = "explorer")]
pub use snapshot::Snapshot;
#[cfg(feature = "explorer")]
pub use view_model::model;

/// How many layers the signal passes through.
pub const DEPTH: Param<usize> = Param::new(
    "depth",
    "Depth n",
    crate::help!("explorer", "How many layers the signal passes through."),
    ParamKind::Number(NumberSpec {
        min: 1.0,
        max: MAX_DEPTH as f64,
        default: 50.0,
        slider: (1.0, 1100.0),
        step: 1.0,
        whole: true,
        detent: None,
        log: false,
    }),
);

/// The weight of every layer.
pub const W: Param<f64> = Param::new(
    "w",
    "Weight w",
    crate::help!(
        "explorer",
        "The weight every layer multiplies by. The slider stops at exactly 1."
    ),
    weight(0.8),
);

/// The bias of every layer.
pub const B: Param<f64> = Param::new(
    "b",
    "Bias b",
    crate::help!("explorer", "The bias every layer adds."),
    ParamKind::Number(NumberSpec {
        min: -100.0,
        max: 100.0,
        default: 0.1,
        slider: (-2.0, 2.0),
        step: 0.01,
        whole: false,
        detent: None,
        log: false,
    }),
);

/// The input to the first layer.
pub const X: Param<f64> = Param::new(
    "x",
    "Input x",
    crate::help!("explorer", "The input to the first layer."),
    ParamKind::Number(NumberSpec {
        min: -1000.0,
        max: 1000.0,
        default: 1.0,
        slider: (-5.0, 5.0),
        step: 0.01,
        whole: false,
        detent: None,
        log: false,
    }),
);

crate::choices! {
    /// Which gradient the gradient plot shows.
    pub enum GradKind {
        /// `dy_n/dy_k`: the gradient reaching each layer's output.
        Activation = ("activation", "dy_n/dy_k"),
        /// `dy_n/dw_k`: the gradient of each layer's weight.
        Weight = ("weight", "dy_n/dw_k"),
    }
}

/// The gradient plot's quantity.
pub const GRAD: Param<GradKind> = Param::choice(
    "grad",
    "Gradient plot",
    crate::help!(
        "explorer",
        "Plot the gradient with respect to each layer's activation or to its weight."
    ),
    "activation",
);

/// The explorer's parameters, in the order of its controls.
pub static PARAMS: &[ParamSpec] = &[
    DEPTH.spec,
    W.spec,
    B.spec,
    X.spec,
    FORMAT.spec,
    SCALE.spec,
    GRAD.spec,
];

/// The three presets, one per regime. They set depth, `w`, `b` and `x`, and leave the
/// format and the axes as they are.
pub static PRESETS: &[PresetSpec] = &[
    PresetSpec {
        slug: "vanishing",
        label: "Vanishing",
        tag: "vanishing",
        description: "50 layers with w = 0.8: the input fades and the biases take over.",
        base: &[],
        values: &[("depth", "50"), ("w", "0.8"), ("b", "0.1"), ("x", "1")],
    },
    PresetSpec {
        slug: "ideal",
        label: "Ideal",
        tag: "stable",
        description: "50 layers with w = 1 and no bias: the input arrives unchanged.",
        base: &[],
        values: &[("depth", "50"), ("w", "1"), ("b", "0"), ("x", "1")],
    },
    PresetSpec {
        slug: "exploding",
        label: "Exploding",
        tag: "exploding",
        description: "200 layers with w = 1.6: the signal overflows to inf.",
        base: &[],
        values: &[("depth", "200"), ("w", "1.6"), ("b", "0.1"), ("x", "1")],
    },
];

/// The explorer's own shortcuts: the arrows nudge `w` and the depth.
pub static KEYS: &[Binding] = &[
    Binding::nudge("ArrowRight", false, W.key(), W_STEPS.0, W_STEPS.0),
    Binding::nudge("ArrowLeft", false, "w", -W_STEPS.0, W_STEPS.0),
    Binding::nudge("ArrowRight", true, W.key(), W_STEPS.1, W_STEPS.0),
    Binding::nudge("ArrowLeft", true, "w", -W_STEPS.1, W_STEPS.0),
    Binding::nudge("ArrowUp", false, DEPTH.key(), DEPTH_STEPS.0, DEPTH_STEPS.0),
    Binding::nudge("ArrowDown", false, "depth", -DEPTH_STEPS.0, DEPTH_STEPS.0),
    Binding::nudge("ArrowUp", true, DEPTH.key(), DEPTH_STEPS.1, DEPTH_STEPS.0),
    Binding::nudge("ArrowDown", true, "depth", -DEPTH_STEPS.1, DEPTH_STEPS.0),
];

/// The explorer's shortcuts as the help overlay lists them.
pub static KEY_HELP: &[(&str, &str)] = &[
    ("← / →", "nudge w by 0.001"),
    ("Shift + ← / →", "nudge w by 0.05"),
    ("↑ / ↓", "one layer more or less"),
    ("Shift + ↑ / ↓", "ten layers more or less"),
];

/// The fine and coarse steps of `w`.
pub const W_STEPS: (f64, f64) = (0.001, 0.05);
/// The fine and coarse steps of the depth.
pub const DEPTH_STEPS: (f64, f64) = (1.0, 10.0);

crate::panels! {
    /// The explorer's two plots.
    pub enum Panel {
        /// The activation of each layer.
        Activations = ("activations", "Activations", trained: false),
        /// The gradient of each layer.
        Gradients = ("gradients", "Gradients", trained: false),
    }
}

/// The two plots.
pub static PANELS: &[PanelSpec] = Panel::SPECS;

/// The weights of the faint reference curves: one per regime.
pub const REFERENCE_WEIGHTS: [f64; 3] = [0.9, 1.0, 1.1];

impl GradKind {
    /// This gradient of `chain`, for layers `1..=n`.
    pub fn of(self, chain: &Chain) -> &[f64] {
        match self {
            GradKind::Activation => &chain.grads[1..],
            GradKind::Weight => &chain.weight_grads,
        }
    }
}

/// The explorer's settings, typed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// The chain.
    pub chain: ChainParams,
    /// The y axes.
    pub scale: Scale,
    /// The gradient plot's quantity.
    pub grad: GradKind,
}

impl Settings {
    /// Reads the settings from the view's values.
    pub fn from_values(values: &Values) -> Settings {
        Settings {
            chain: ChainParams {
                depth: values.of(&DEPTH),
                w: values.of(&W),
                b: values.of(&B),
                x: values.of(&X),
                format: values.of(&FORMAT),
            },
            scale: values.of(&SCALE),
            grad: values.of(&GRAD),
        }
    }
}

/// The lecture's summary of the three regimes, in our words; the current row is marked by
/// the shell with `aria-current`.
pub fn regime_table() -> String {
    let mut h = String::from(concat!(
        r#"<h2>The three regimes</h2><table class="ds-regimes"><thead><tr>"#,
        r#"<th scope="col">|w|</th><th scope="col">Activations</th><th scope="col">Gradients</th>"#,
        r#"<th scope="col">What training sees</th></tr></thead><tbody>"#
    ));
    for regime in Regime::ALL {
        let (w, acts, grads, outcome) = match regime {
            Regime::Vanishing => (
                "below 1",
                "shrink towards the bias's fixed point; the input is forgotten",
                "shrink towards 0",
                "Numbers stay tame, but the early layers hardly learn",
            ),
            Regime::Stable => (
                "exactly 1",
                "keep their size",
                "keep their size",
                "The ideal case, and almost never the one you get",
            ),
            Regime::Exploding => (
                "above 1",
                "grow until they overflow to inf",
                "grow until they overflow to inf",
                "The loss and the weights turn into inf or NaN",
            ),
        };
        let _ = write!(
            h,
            r#"<tr data-row="{}"><th scope="row">{w}</th><td>{acts}</td><td>{grads}</td><td>{outcome}</td></tr>"#,
            regime.key()
        );
    }
    h.push_str("</tbody></table>");
    h
}
