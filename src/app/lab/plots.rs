//! The training lab's plots, built from a run's records: the loss against the step with
//! the baseline beside it, the heat map of gradient norms, and the per-layer profiles.

use super::diagnosis::Diagnosis;
use crate::plot::{Curve, HeatPlot, LayerPlot, Role, Scale, Theme};
use crate::sim::Regime;
use crate::train::{LayerProfile, Records};

pub use super::diagnosis::GUIDE_RATIO;

/// The per-layer profiles as plain series, each `layers` long, kept between frames so plots
/// can borrow them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profiles {
    /// Gradient norm per layer, latest step.
    pub grad: Vec<f64>,
    /// Gradient norm per layer at step 1.
    pub grad_start: Vec<f64>,
    /// The chain's `‖∂L/∂y_k‖` per layer, latest step (empty for the MLP).
    pub output_grad: Vec<f64>,
    /// Weight norm per layer.
    pub weight: Vec<f64>,
    /// Update-to-weight ratio per layer.
    pub ratio: Vec<f64>,
    /// The guide at [`GUIDE_RATIO`], one value per layer.
    pub guide: Vec<f64>,
    /// Standard deviation of each layer's outputs.
    pub act_std: Vec<f64>,
    /// Mean of each layer's outputs.
    pub act_mean: Vec<f64>,
    /// Share saturated (tanh, sigmoid) or dead (ReLU) per layer.
    pub act_share: Vec<f64>,
}

impl Profiles {
    /// The series of `latest` and of the first step's profile `start`.
    pub fn of(latest: &[LayerProfile], start: Option<&[LayerProfile]>) -> Profiles {
        let col = |f: fn(&LayerProfile) -> f64| latest.iter().map(f).collect::<Vec<f64>>();
        Profiles {
            grad: col(|p| p.grad_norm),
            output_grad: if latest.iter().any(|p| p.output_grad != 0.0) {
                col(|p| p.output_grad)
            } else {
                Vec::new()
            },
            grad_start: start
                .map(|s| s.iter().map(|p| p.grad_norm).collect())
                .unwrap_or_default(),
            weight: col(|p| p.weight_norm),
            ratio: col(|p| p.update_ratio),
            guide: vec![GUIDE_RATIO; latest.len()],
            act_std: col(|p| p.act_std),
            act_mean: col(|p| p.act_mean),
            act_share: col(|p| p.saturated + p.dead),
        }
    }
}

/// The colour of a diagnosis: the explorer's regime colours, healthy as stable.
pub fn tint(theme: &Theme, d: Diagnosis) -> plotters::style::RGBColor {
    theme.regime(match d {
        Diagnosis::Exploding => Regime::Exploding,
        Diagnosis::Vanishing => Regime::Vanishing,
        Diagnosis::Healthy | Diagnosis::Untrained | Diagnosis::LrZero => Regime::Stable,
    })
}

/// Curves against layer `k` (from 1).
pub(crate) fn layer_plot<'a>(
    title: String,
    y_label: &str,
    scale: Scale,
    curves: Vec<Curve<'a>>,
) -> LayerPlot<'a> {
    LayerPlot {
        title,
        y_label: y_label.into(),
        first_layer: 1,
        x_stride: 1,
        x_name: "layer",
        x_label: "layer k",
        scale,
        curves,
        previous_range: None,
    }
}

/// The loss against the step, the baseline's dashed beside it; at learning rate 0
/// (`lr_zero`) the run is its own baseline, drawn once.
pub fn loss<'a>(
    r: &'a Records,
    scale: Scale,
    theme: &Theme,
    d: Diagnosis,
    lr_zero: bool,
) -> LayerPlot<'a> {
    let mut curves = Vec::new();
    match r.baseline_loss() {
        Some(b) if !lr_zero => curves.push(Curve {
            label: "baseline, learning rate 0".into(),
            values: b,
            color: theme.text,
            role: Role::Companion,
            shared: None,
        }),
        _ => {}
    }
    curves.push(Curve {
        label: if lr_zero {
            "loss at learning rate 0: the data's movement alone".into()
        } else {
            format!("loss ({})", d.label())
        },
        values: r.loss(),
        color: tint(theme, d),
        role: Role::Live,
        shared: None,
    });
    loss_plot(Some(r), scale, curves)
}

/// Losses against the recorded steps of `r` (each curve a loss per recorded row).
pub(crate) fn loss_plot<'a>(
    r: Option<&Records>,
    scale: Scale,
    curves: Vec<Curve<'a>>,
) -> LayerPlot<'a> {
    let every = r.map_or(1, Records::stride);
    LayerPlot {
        title: if every > 1 {
            format!("Loss, every {every}th step")
        } else {
            "Loss".into()
        },
        y_label: "loss".into(),
        first_layer: r.and_then(|r| r.steps().first().copied()).unwrap_or(0) as usize,
        x_stride: every as usize,
        x_name: "step",
        x_label: "step",
        scale,
        curves,
        previous_range: None,
    }
}

/// The heat map of every layer's gradient norm over the recorded steps.
pub fn heat(r: &Records) -> HeatPlot<'_> {
    HeatPlot {
        title: "Gradient norm of each layer over training".into(),
        quantity: "‖g‖".into(),
        values: r.grad_norm_grid(),
        cols: r.depth(),
        first_x: r.steps().first().copied().unwrap_or(0) as usize,
        x_stride: r.stride() as usize,
        x_label: "step",
        y_axis: None,
    }
}

/// The latest gradient norm per layer, with the first step's faint behind it (when the
/// latest is a later step) and, for the chain, the gradient reaching each layer's output
/// dashed.
pub fn gradients<'a>(
    p: &'a Profiles,
    step: u64,
    scale: Scale,
    theme: &Theme,
    d: Diagnosis,
) -> LayerPlot<'a> {
    let mut curves = Vec::new();
    if !p.grad_start.is_empty() && step > 1 {
        curves.push(Curve {
            label: "‖g_k‖ at step 1".into(),
            values: &p.grad_start,
            color: theme.text,
            role: Role::Reference,
            shared: None,
        });
    }
    let color = tint(theme, d);
    if !p.output_grad.is_empty() {
        curves.push(Curve {
            label: format!("‖∂L/∂y_k‖ at step {step}"),
            values: &p.output_grad,
            color,
            role: Role::Companion,
            shared: None,
        });
    }
    curves.push(Curve {
        label: match step {
            0 => "‖g_k‖ (no step yet)".into(),
            _ => format!("‖g_k‖ at step {step}"),
        },
        values: &p.grad,
        color,
        role: Role::Live,
        shared: None,
    });
    let y_label = if p.output_grad.is_empty() {
        "‖g_k‖"
    } else {
        "‖g_k‖, ‖∂L/∂y_k‖"
    };
    layer_plot("Gradient norm of each layer".into(), y_label, scale, curves)
}

/// The weight norm and the update ratio per layer, with the guide at a thousandth.
pub fn weights<'a>(p: &'a Profiles, scale: Scale, theme: &Theme, d: Diagnosis) -> LayerPlot<'a> {
    let color = tint(theme, d);
    layer_plot(
        "Weight norm and update ratio of each layer".into(),
        "‖θ_k‖, ‖lr·g_k‖/‖θ_k‖",
        scale,
        vec![
            Curve {
                label: "guide: update 1e-3 of the weights".into(),
                values: &p.guide,
                color: theme.text,
                role: Role::Reference,
                shared: None,
            },
            Curve {
                label: "update ratio".into(),
                values: &p.ratio,
                color,
                role: Role::Companion,
                shared: None,
            },
            Curve {
                label: "weight norm ‖θ_k‖".into(),
                values: &p.weight,
                color,
                role: Role::Live,
                shared: None,
            },
        ],
    )
}

/// Each layer's output statistics: spread, mean, and the saturated or dead share.
pub fn activations<'a>(
    p: &'a Profiles,
    scale: Scale,
    theme: &Theme,
    d: Diagnosis,
) -> LayerPlot<'a> {
    let color = tint(theme, d);
    layer_plot(
        "Outputs of each layer over the batch".into(),
        "std, |mean|, share",
        scale,
        vec![
            Curve {
                label: "saturated or dead share".into(),
                values: &p.act_share,
                color: theme.text,
                role: Role::Reference,
                shared: None,
            },
            Curve {
                label: "mean".into(),
                values: &p.act_mean,
                color,
                role: Role::Companion,
                shared: None,
            },
            Curve {
                label: "standard deviation".into(),
                values: &p.act_std,
                color,
                role: Role::Live,
                shared: None,
            },
        ],
    )
}
