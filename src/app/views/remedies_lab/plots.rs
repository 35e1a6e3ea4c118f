//! The remedies lab's plots: each configuration measured at initialisation against its
//! prediction, the per-layer histograms of one, the phase diagram and the losses.

use crate::app::lab::plots::{layer_plot, loss_plot};
use crate::plot::{
    Curve, HeatPlot, LayerPlot, PhasePlot, PhasePoint, Role, Scale, Theme, ValueAxis,
};
use crate::train::probe::{Probe, GRAD_DECADES};
use crate::train::theory;
use crate::train::{Activation, Records};
use std::sync::OnceLock;

/// One configuration's per-layer series, kept between frames so plots can borrow them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Its letter, upper case.
    pub letter: &'static str,
    /// Its words (`ReLU, He init`).
    pub words: String,
    /// Measured RMS of each layer's outputs.
    pub rms: Vec<f64>,
    /// Predicted RMS.
    pub rms_law: Vec<f64>,
    /// The prediction times and over `e^(2·sd)`: the finite-width spread, ±2 standard
    /// deviations.
    pub rms_low: Vec<f64>,
    /// See [`rms_low`](Self::rms_low).
    pub rms_high: Vec<f64>,
    /// Measured gradient norm of each layer's parameters.
    pub grad: Vec<f64>,
    /// Predicted gradient norm, anchored at the output layer's measured one.
    pub grad_law: Vec<f64>,
    /// Each layer's histogram of outputs, then of gradients (layers × bins, row-major).
    pub output_hist: Vec<f64>,
    /// See [`output_hist`](Self::output_hist).
    pub grad_hist: Vec<f64>,
}

impl Series {
    /// The series of `probe` and its prediction `laws`.
    pub fn of(
        letter: &'static str,
        words: String,
        probe: &Probe,
        laws: &[theory::LayerLaw],
    ) -> Series {
        let rms = probe.layers.iter().map(|l| l.act_ms.sqrt()).collect();
        let rms_law: Vec<f64> = laws.iter().map(|l| l.act_ms.sqrt()).collect();
        // ln RMS = ln(q)/2, so its standard deviation is half of ln q's.
        let spread = |sign: f64| {
            laws.iter()
                .map(|l| l.act_ms.sqrt() * (sign * (l.log_var / probe.seeds as f64).sqrt()).exp())
                .collect()
        };
        let anchor = probe.layers.last().map_or(f64::NAN, |l| l.grad_norm);
        Series {
            letter,
            words,
            rms,
            rms_law,
            rms_low: spread(-1.0),
            rms_high: spread(1.0),
            grad: probe.layers.iter().map(|l| l.grad_norm).collect(),
            grad_law: laws.iter().map(|l| l.grad_norm * anchor).collect(),
            output_hist: probe
                .layers
                .iter()
                .flat_map(|l| l.output_hist.iter().copied())
                .collect(),
            grad_hist: probe
                .layers
                .iter()
                .flat_map(|l| l.grad_hist.iter().copied())
                .collect(),
        }
    }
}

/// The legend's one entry for the spread of the shown configuration.
const SPREAD: &str = "spread at this width (2σ)";

/// Each configuration's measured RMS (solid) and prediction (dashed); the spread of the
/// shown one (faint).
pub fn signal<'a>(
    all: &[(usize, &'a Series)],
    shown: usize,
    scale: Scale,
    theme: &Theme,
) -> LayerPlot<'a> {
    let mut curves = Vec::new();
    for &(i, s) in all {
        if i == shown {
            for (values, edge) in [(&s.rms_low, "low"), (&s.rms_high, "high")] {
                curves.push(Curve {
                    label: format!("{}: spread of width, {edge}", s.letter),
                    values,
                    color: theme.series[i],
                    role: Role::Reference,
                    shared: Some(SPREAD),
                });
            }
        }
        curves.push(Curve {
            label: format!("{}: theory", s.letter),
            values: &s.rms_law,
            color: theme.series[i],
            role: Role::Companion,
            shared: Some("theory"),
        });
    }
    for &(i, s) in all {
        curves.push(Curve {
            label: format!("{}: {}", s.letter, s.words),
            values: &s.rms,
            color: theme.series[i],
            role: Role::Live,
            shared: None,
        });
    }
    layer_plot(
        "RMS of each layer's outputs at initialisation".into(),
        "RMS",
        scale,
        curves,
    )
}

/// Each configuration's gradient norm per layer (solid) and the law's (dashed).
pub fn gradients<'a>(all: &[(usize, &'a Series)], scale: Scale, theme: &Theme) -> LayerPlot<'a> {
    let mut curves = Vec::new();
    for &(i, s) in all {
        curves.push(Curve {
            label: format!("{}: theory", s.letter),
            values: &s.grad_law,
            color: theme.series[i],
            role: Role::Companion,
            shared: Some("theory"),
        });
    }
    for &(i, s) in all {
        curves.push(Curve {
            label: format!("{}: {}", s.letter, s.words),
            values: &s.grad,
            color: theme.series[i],
            role: Role::Live,
            shared: None,
        });
    }
    layer_plot(
        "Gradient norm of each layer at initialisation".into(),
        "‖g_k‖",
        scale,
        curves,
    )
}

/// The per-layer histograms of one configuration, as a layers × bins heat map.
pub fn histogram<'a>(s: &'a Series, probe: &Probe, gradients: bool) -> HeatPlot<'a> {
    let (values, quantity, axis) = if gradients {
        (
            &s.grad_hist[..],
            "share".to_string(),
            ValueAxis {
                label: "|dL/dz|".into(),
                lo: (probe.top - GRAD_DECADES as i32) as f64,
                hi: probe.top as f64,
                decades: true,
            },
        )
    } else {
        (
            &s.output_hist[..],
            "share".to_string(),
            ValueAxis {
                label: "output".into(),
                lo: -probe.range,
                hi: probe.range,
                decades: false,
            },
        )
    };
    let what = if gradients {
        "gradients |dL/dz|"
    } else {
        "outputs"
    };
    HeatPlot {
        title: format!(
            "{}: histogram of each layer's {what} at initialisation",
            s.letter
        ),
        quantity,
        values,
        cols: values.len() / probe.layers.len().max(1),
        first_x: 1,
        x_stride: 1,
        x_label: "layer",
        y_axis: Some(axis),
    }
}

/// The tanh phase diagram with every tanh configuration's hidden layers as a point.
pub fn phase(points: Vec<PhasePoint>) -> PhasePlot {
    // The critical line traced by its fixed point q* from 0 to 2: 61 quadratures, traced
    // once.
    static CRITICAL: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    let critical = CRITICAL
        .get_or_init(|| {
            (0..=60)
                .map(|i| theory::critical_point(Activation::Tanh, 2.0 * (i as f64 / 60.0).powi(2)))
                .filter(|&(_, sb2)| sb2 >= 0.0)
                .collect()
        })
        .clone();
    PhasePlot {
        title: "tanh: ordered and chaotic phases (mean field)".into(),
        critical,
        points,
        x_max: 4.0,
        y_max: 0.3,
    }
}

/// The losses against the step, every configuration on the same batches (so with the same
/// recorded steps).
pub fn loss<'a>(
    runs: &[(usize, &'static str, &'a Records)],
    scale: Scale,
    theme: &Theme,
) -> LayerPlot<'a> {
    let curves = runs
        .iter()
        .map(|&(i, letter, r)| Curve {
            label: format!("{letter}: loss"),
            values: r.loss(),
            color: theme.series[i],
            role: Role::Live,
            shared: None,
        })
        .collect();
    loss_plot(runs.first().map(|r| r.2), scale, curves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::probe::probe;
    use crate::train::{Init, MlpSpec, ModelSpec, TrainSpec};

    #[test]
    fn series_carry_the_law_its_spread_and_the_anchored_gradient() {
        let spec = TrainSpec {
            model: ModelSpec::Mlp(MlpSpec {
                width: 32,
                depth: 6,
                activation: Activation::Relu,
                init: Init::KaimingNormal,
                ..MlpSpec::default()
            }),
            ..TrainSpec::default()
        };
        let ModelSpec::Mlp(m) = spec.model else {
            unreachable!()
        };
        let p = probe(&spec, 3);
        let laws = theory::predict(&m, p.input_dim, p.input_ms);
        let s = Series::of("A", "ReLU, He init".into(), &p, &laws);
        for (k, law) in laws.iter().enumerate() {
            assert_eq!(s.rms[k], p.layers[k].act_ms.sqrt());
            assert_eq!(s.rms_law[k], law.act_ms.sqrt());
            // Two standard deviations of ln RMS, for the mean over 3 seeds.
            let width = (law.log_var / 3.0).sqrt();
            assert!((s.rms_high[k] / s.rms_law[k] - width.exp()).abs() < 1e-12);
            assert!((s.rms_low[k] / s.rms_law[k] - (-width).exp()).abs() < 1e-12);
            assert_eq!(s.grad[k], p.layers[k].grad_norm);
        }
        // The gradient law is pinned to the output layer's measured norm.
        let last = laws.len() - 1;
        assert!((s.grad_law[last] - s.grad[last]).abs() <= 1e-12 * s.grad[last]);
        assert_eq!(s.output_hist.len(), 7 * crate::train::probe::OUTPUT_BINS);
    }
}
