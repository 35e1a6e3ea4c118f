//! The diagnosis in plain words, by the lecture's own rules: exploding (a non-finite loss,
//! gradient or weight, or a loss that has grown a thousandfold), vanishing (at step 0, the
//! first layer's gradient below a hundredth of the largest layer's), healthy otherwise; each
//! with the lecture's remedy.

use crate::app::numbers::short;
use crate::train::{EventKind, Halt, LayerProfile, Place, Records};

/// The first layer's gradient norm below this fraction of the largest layer's is vanishing.
pub const VANISHING_RATIO: f64 = 0.01;
/// A loss this many times its first value (and finite) is diverging.
pub const DIVERGING_FACTOR: f64 = 1000.0;
/// A layer whose update is below this fraction of its weights has barely moved.
pub const BARELY_MOVING: f64 = 1e-5;

/// What the lab concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diagnosis {
    /// No step has run yet.
    Untrained,
    /// Inf, NaN or a diverging loss.
    Exploding,
    /// The early layers get almost no gradient.
    Vanishing,
    /// Neither.
    Healthy,
}

impl Diagnosis {
    /// The word readouts and badges use.
    pub fn key(self) -> &'static str {
        match self {
            Diagnosis::Untrained => "untrained",
            Diagnosis::Exploding => "exploding",
            Diagnosis::Vanishing => "vanishing",
            Diagnosis::Healthy => "healthy",
        }
    }
}

/// A diagnosis and the sentences that explain it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The conclusion.
    pub diagnosis: Diagnosis,
    /// What was seen, where and when, and what helps.
    pub text: String,
}

/// Where a non-finite value first appeared, in words.
pub fn place_words(place: Place) -> String {
    match place {
        Place::Activation(l) => format!("the activations of layer {l} overflowed"),
        Place::Loss => "the loss overflowed".into(),
        Place::Gradient(l) => format!("the gradient reaching layer {l} overflowed"),
    }
}

/// The first layer's gradient norm over the largest layer's, if any layer has one.
pub fn first_to_largest(profile: &[LayerProfile]) -> Option<f64> {
    let largest = profile
        .iter()
        .map(|p| p.grad_norm)
        .filter(|g| g.is_finite())
        .fold(0.0, f64::max);
    let first = profile.first()?.grad_norm;
    (largest > 0.0 && first.is_finite()).then(|| first / largest)
}

/// Diagnoses a run from its records, its halt, and the per-layer profile of its first step.
pub fn diagnose(
    records: &Records,
    halt: Option<Halt>,
    initial: Option<&[LayerProfile]>,
) -> Finding {
    let Some(latest) = records.latest() else {
        return Finding {
            diagnosis: Diagnosis::Untrained,
            text: "Not trained yet: press Play, or take one step.".into(),
        };
    };
    let loss = records.loss();
    if let Some(first) = records.first(EventKind::NonFinite(Place::Loss)) {
        let mut text = match first.kind {
            EventKind::NonFinite(place) => {
                format!("Exploding: at step {}, {}", first.step, place_words(place))
            }
            _ => unreachable!("first() returns the kind asked for"),
        };
        if let Some(e) = records.first(EventKind::LossNonFinite) {
            text.push_str(&format!("; the loss became non-finite at step {}", e.step));
        }
        if let Some(e) = records.first(EventKind::GradientNan) {
            text.push_str(&format!(", the gradients NaN at step {}", e.step));
        }
        match halt {
            Some(h) => text.push_str(&format!(
                ", and after the update of step {} every weight was NaN. Training stopped itself.",
                h.step
            )),
            None => match records.first(EventKind::SomeParametersNan) {
                Some(e) => text.push_str(&format!(
                    ", and after the update of step {} some weights were NaN.",
                    e.step
                )),
                None => text.push('.'),
            },
        }
        text.push_str(
            " What helps: a lower learning rate, gradient clipping, or smaller initial weights.",
        );
        return Finding {
            diagnosis: Diagnosis::Exploding,
            text,
        };
    }
    let (first_loss, last_loss) = (loss[0], latest.loss);
    if last_loss > DIVERGING_FACTOR * first_loss && first_loss > 0.0 {
        return Finding {
            diagnosis: Diagnosis::Exploding,
            text: format!(
                "Exploding: the loss has grown from {} to {}, over {} times its start, and will soon overflow. What helps: a lower learning rate, gradient clipping, or smaller initial weights.",
                short(first_loss),
                short(last_loss),
                DIVERGING_FACTOR
            ),
        };
    }
    // Judged where the network starts: near a minimum every gradient shrinks, and their
    // ratios there say nothing about the structure.
    let now = first_to_largest(&latest.layers);
    let start = initial.map_or(now, first_to_largest);
    let layers = latest.layers.len();
    if let Some(ratio) = start.filter(|r| *r < VANISHING_RATIO) {
        let still = latest
            .layers
            .iter()
            .filter(|p| p.update_ratio < BARELY_MOVING)
            .count();
        return Finding {
            diagnosis: Diagnosis::Vanishing,
            text: format!(
                "Vanishing: at step 0 the gradient reaching layer 1 was {} of the largest layer's (below 1/100); {still} of {layers} layers now change by less than {} of their size per step, and the loss went from {} to {}. What helps: a different structure (normalisation, residual connections) or Xavier or He initialisation; a somewhat larger learning rate helps only a little.",
                short(ratio),
                short(BARELY_MOVING),
                short(first_loss),
                short(last_loss)
            ),
        };
    }
    let ratio = latest
        .layers
        .iter()
        .map(|p| p.update_ratio)
        .fold(0.0, f64::max);
    Finding {
        diagnosis: Diagnosis::Healthy,
        text: format!(
            "Healthy: the gradient reaches every layer (layer 1 got {} of the largest layer's at step 0), the largest update is {} of its layer's weights per step (about 0.001 is a good sign), and the loss went from {} to {}.",
            start.map_or("—".into(), short),
            short(ratio),
            short(first_loss),
            short(last_loss)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::NumberFormat;
    use crate::train::{ChainSpec, ModelSpec, Session, TrainSpec};

    fn chain(depth: usize, w0: f64, b0: f64, lr: f64) -> TrainSpec {
        TrainSpec {
            model: ModelSpec::Chain(ChainSpec {
                depth,
                w0,
                b0,
                init_noise: 0.0,
                format: NumberFormat::F32,
            }),
            lr,
            ..TrainSpec::default()
        }
    }

    fn diagnose_after(spec: TrainSpec, steps: u64) -> Finding {
        let mut s = Session::new(&spec);
        s.step();
        let initial = s.records().latest().unwrap().layers.clone();
        s.run(steps - 1);
        diagnose(s.records(), s.halt(), Some(&initial))
    }

    #[test]
    fn nothing_to_say_before_the_first_step() {
        let s = Session::new(&TrainSpec::default());
        assert_eq!(
            diagnose(s.records(), None, None).diagnosis,
            Diagnosis::Untrained
        );
    }

    #[test]
    fn a_learning_rate_of_one_explodes_and_says_where() {
        let f = diagnose_after(chain(50, 1.0, 0.0, 1.0), 50);
        assert_eq!(f.diagnosis, Diagnosis::Exploding, "{}", f.text);
        assert!(f.text.contains("activations of layer"), "{}", f.text);
        assert!(f.text.contains("Training stopped itself"), "{}", f.text);
    }

    #[test]
    fn a_chain_at_point_eight_vanishes_and_one_at_one_is_healthy() {
        let f = diagnose_after(chain(50, 0.8, 0.1, 0.01), 200);
        assert_eq!(f.diagnosis, Diagnosis::Vanishing, "{}", f.text);
        let f = diagnose_after(chain(50, 1.0, 0.0, 0.05), 200);
        assert_eq!(f.diagnosis, Diagnosis::Healthy, "{}", f.text);
    }

    #[test]
    fn ratios_ignore_non_finite_layers() {
        let p = |g| LayerProfile {
            grad_norm: g,
            ..LayerProfile::default()
        };
        assert_eq!(
            first_to_largest(&[p(1e-3), p(1.0), p(f64::INFINITY)]),
            Some(1e-3)
        );
        assert_eq!(first_to_largest(&[p(0.0), p(0.0)]), None);
    }
}
