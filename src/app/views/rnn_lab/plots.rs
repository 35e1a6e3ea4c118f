//! The recurrent lab's plots: the one neuron's loss surface with its two descents, the
//! gradient reaching each time step (now, at step 1, and Pascanu's bound), the same over
//! training as a heat map, the loss with its baseline and the task's chance level, and the
//! largest singular value of `W` over training.

use crate::app::lab::diagnosis::Diagnosis;
use crate::app::lab::plots::tint;
use crate::plot::{
    Curve, HeatPlot, LayerPlot, Role, Scale, SurfacePath, SurfacePlot, Theme, ValueAxis,
};

/// The window of the loss surface: `w` from, to.
pub const W_RANGE: (f64, f64) = (-4.0, 16.0);
/// The window of the loss surface: `b` from, to.
pub const B_RANGE: (f64, f64) = (-12.0, 4.0);
/// Cells along each side of the surface.
pub const GRID: usize = 200;

/// The loss surface over the window, `values` as `neuron::surface` gives them (row-major by
/// `b`), with the plain descent and the clipped one.
pub fn surface<'a>(
    values: &'a [f64],
    plain: &'a [(f64, f64)],
    clipped: &'a [(f64, f64)],
    clip: f64,
    theme: &Theme,
) -> SurfacePlot<'a> {
    SurfacePlot {
        title: "One neuron through 50 steps: the error E over w and b".into(),
        quantity: "E".into(),
        values,
        cols: GRID,
        x_axis: ValueAxis {
            label: "w".into(),
            lo: W_RANGE.0,
            hi: W_RANGE.1,
            decades: false,
        },
        y_axis: ValueAxis {
            label: "b".into(),
            lo: B_RANGE.0,
            hi: B_RANGE.1,
            decades: false,
        },
        paths: vec![
            SurfacePath {
                label: "plain SGD".into(),
                points: plain,
                color: theme.series[1],
            },
            SurfacePath {
                label: format!("SGD, norm clipped to {}", crate::app::numbers::short(clip)),
                points: clipped,
                color: theme.series[0],
            },
        ],
    }
}

/// What a plot's x axis runs over.
enum X {
    /// The time steps `t`, from 1.
    Time,
    /// The recorded training steps, from `first`, `stride` apart.
    Steps { first: u64, stride: u64 },
}

/// Curves against `x`.
fn curves_plot<'a>(
    title: String,
    y_label: &str,
    x: X,
    scale: Scale,
    curves: Vec<Curve<'a>>,
) -> LayerPlot<'a> {
    let (first, stride, x_name, x_label) = match x {
        X::Time => (1, 1, "time step", "time step t"),
        X::Steps { first, stride } => (first as usize, stride.max(1) as usize, "step", "step"),
    };
    LayerPlot {
        title,
        y_label: y_label.into(),
        first_layer: first,
        x_stride: stride,
        x_name,
        x_label,
        scale,
        curves,
        previous_range: None,
    }
}

/// `‖∂L/∂h_t‖` against `t`: now (`latest`, at step `step`), at step 1 (`first`), and
/// Pascanu's bound from the last time step back (`bound`, empty where there is none).
#[allow(clippy::too_many_arguments)]
pub fn through_time<'a>(
    latest: &'a [f64],
    first: &'a [f64],
    bound: &'a [f64],
    step: u64,
    scale: Scale,
    theme: &Theme,
    d: Diagnosis,
) -> LayerPlot<'a> {
    let mut curves = Vec::new();
    if !bound.is_empty() {
        curves.push(Curve {
            label: "Pascanu's bound, ‖∂L/∂h_T‖·(γ·λ₁)^(T−t)".into(),
            values: bound,
            color: theme.text,
            role: Role::Companion,
            shared: None,
        });
    }
    if step > 1 && !first.is_empty() {
        curves.push(Curve {
            label: "at step 1".into(),
            values: first,
            color: tint(theme, d),
            role: Role::Reference,
            shared: None,
        });
    }
    curves.push(Curve {
        label: if step == 0 {
            "no step has run yet".into()
        } else {
            format!("at step {step}")
        },
        values: latest,
        color: tint(theme, d),
        role: Role::Live,
        shared: None,
    });
    curves_plot(
        "Gradient reaching each time step, ‖∂L/∂h_t‖".into(),
        "‖∂L/∂h_t‖",
        X::Time,
        scale,
        curves,
    )
}

/// The time-gradient grid over training: row `r` is recorded step `first + r·stride`, column
/// `t − 1` the time step `t`.
pub fn time_heat(values: &[f64], length: usize, first: u64, stride: u64) -> HeatPlot<'_> {
    HeatPlot {
        title: if stride > 1 {
            format!("‖∂L/∂h_t‖ over training, every {stride}th step")
        } else {
            "‖∂L/∂h_t‖ over training".into()
        },
        quantity: "‖∂L/∂h_t‖".into(),
        values,
        cols: length,
        first_x: first as usize,
        x_stride: stride as usize,
        x_label: "step",
        y_axis: Some(ValueAxis {
            label: "time step t".into(),
            lo: 0.5,
            hi: length as f64 + 0.5,
            decades: false,
        }),
    }
}

/// The loss against the recorded steps, with the baseline's and the task's chance level
/// (`chance`, one value per recorded step) beside it, and (`alone`) what a network that
/// remembers only the end of the sequence reaches, where that differs.
#[allow(clippy::too_many_arguments)]
pub fn loss<'a>(
    loss: &'a [f64],
    baseline: Option<&'a [f64]>,
    chance: &'a [f64],
    chance_words: &str,
    alone: Option<(&'a [f64], String)>,
    first: u64,
    stride: u64,
    scale: Scale,
    theme: &Theme,
    d: Diagnosis,
) -> LayerPlot<'a> {
    let mut curves = vec![Curve {
        label: chance_words.into(),
        values: chance,
        color: theme.text,
        role: Role::Reference,
        shared: None,
    }];
    if let Some((values, label)) = alone {
        curves.push(Curve {
            label,
            values,
            color: theme.series[2],
            role: Role::Reference,
            shared: None,
        });
    }
    if let Some(b) = baseline {
        curves.push(Curve {
            label: "baseline, learning rate 0".into(),
            values: b,
            color: theme.text,
            role: Role::Companion,
            shared: None,
        });
    }
    curves.push(Curve {
        label: format!("loss ({})", d.label()),
        values: loss,
        color: tint(theme, d),
        role: Role::Live,
        shared: None,
    });
    curves_plot(
        if stride > 1 {
            format!("Loss, every {stride}th step")
        } else {
            "Loss".into()
        },
        "loss",
        X::Steps { first, stride },
        scale,
        curves,
    )
}

/// The largest singular value of `W` against the recorded steps, with `1/γ` (`edge`, one
/// value per recorded step) beside it where the activation has a `γ`.
pub fn sigma<'a>(
    values: &'a [f64],
    edge: &'a [f64],
    first: u64,
    stride: u64,
    scale: Scale,
    theme: &Theme,
) -> LayerPlot<'a> {
    let mut curves = Vec::new();
    if !edge.is_empty() {
        curves.push(Curve {
            label: "1/γ: below it, the gradient must vanish through time".into(),
            values: edge,
            color: theme.text,
            role: Role::Companion,
            shared: None,
        });
    }
    curves.push(Curve {
        label: "λ₁, the largest singular value of W".into(),
        values,
        color: theme.series[0],
        role: Role::Live,
        shared: None,
    });
    curves_plot(
        "Largest singular value of W over training".into(),
        "λ₁",
        X::Steps { first, stride },
        scale,
        curves,
    )
}
