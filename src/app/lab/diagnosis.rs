//! The diagnosis in plain words, by the lecture's own rules, each naming the rule that fired
//! and its number:
//!
//! 1. **exploding** when a loss, gradient or weight is `inf` or NaN;
//! 2. the **learning-rate-0 test** when the learning rate is 0: nothing learns, and the
//!    loss's movement is the data's alone, the yardstick for a real run;
//! 3. **exploding** when the loss has grown a thousandfold, or when a layer's update is
//!    above a tenth of its weights in one step (a hundred times the guide of `1e-3`): the
//!    lecture's "extremely large values"; judged at the latest step, and at step 1 until the
//!    loss is below a hundredth of its start: an update that large at the start can throw
//!    the weights where the later, tiny updates of a saturated network leave them;
//! 4. **vanishing** when, at step 1, the first layer's gradient norm is below a hundredth of
//!    the largest layer's;
//! 5. **healthy** otherwise.
//!
//! Steps are numbered from 1, as everywhere ([`crate::train::records`]).

use crate::app::numbers::short;
use crate::train::{EventKind, Halt, LayerProfile, Place, Records};

/// The first layer's gradient norm below this fraction of the largest layer's is vanishing.
pub const VANISHING_RATIO: f64 = 0.01;
/// A loss this many times its first value (and finite) is diverging.
pub const DIVERGING_FACTOR: f64 = 1000.0;
/// A layer whose update is below this fraction of its weights has barely moved.
pub const BARELY_MOVING: f64 = 1e-5;
/// Karpathy's guide: updates near a thousandth of the weights per step.
pub const GUIDE_RATIO: f64 = 1e-3;
/// An update above this fraction of its layer's weights in one step (a hundred times the
/// guide) is exploding.
pub const UNSTABLE_RATIO: f64 = 0.1;
/// The gradient reaching the outputs growing by more than this factor from the last layer
/// to the first is named in the text.
pub const GROWTH_NAMED: f64 = 10.0;

/// What the lab concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diagnosis {
    /// No step has run yet.
    Untrained,
    /// Inf, NaN, a diverging loss or updates far too large.
    Exploding,
    /// The early layers get almost no gradient.
    Vanishing,
    /// Neither.
    Healthy,
    /// The learning rate is 0: nothing learns; the run measures the data's own noise.
    LrZero,
}

impl Diagnosis {
    /// The key readouts, badges' `data-regime` and the symptoms table's rows use.
    pub fn key(self) -> &'static str {
        match self {
            Diagnosis::Untrained => "untrained",
            Diagnosis::Exploding => "exploding",
            Diagnosis::Vanishing => "vanishing",
            Diagnosis::Healthy => "healthy",
            Diagnosis::LrZero => "lr-zero",
        }
    }

    /// The words on a badge.
    pub fn label(self) -> &'static str {
        match self {
            Diagnosis::LrZero => "LR = 0 test",
            d => d.key(),
        }
    }
}

/// A diagnosis and the sentences that explain it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The conclusion.
    pub diagnosis: Diagnosis,
    /// What was seen, where and when, which rule fired, and what helps.
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

/// The layer (from 1) with the largest update-to-weight ratio, and the ratio.
pub fn largest_update(profile: &[LayerProfile]) -> Option<(usize, f64)> {
    profile
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.update_ratio.is_nan())
        .fold(None, |best: Option<(usize, f64)>, (i, p)| match best {
            Some((_, r)) if r >= p.update_ratio => best,
            _ => Some((i + 1, p.update_ratio)),
        })
}

/// For the chain: how the gradient reaching the layers' outputs, `‖∂L/∂y_k‖`, changes from
/// the last layer back to layer 1, in words, when it grows or shrinks by more than
/// [`GROWTH_NAMED`]; `None` for the MLP or when it holds.
pub fn output_gradient_words(profile: &[LayerProfile]) -> Option<String> {
    let (first, last) = (profile.first()?.output_grad, profile.last()?.output_grad);
    if last == 0.0 || !first.is_finite() || !last.is_finite() {
        return None;
    }
    let factor = first / last;
    let words = |how: &str| {
        format!(
            "the gradient reaching the outputs, ‖∂L/∂y_k‖, {how} from {} at layer {} to {} at layer 1",
            short(last),
            profile.len(),
            short(first)
        )
    };
    if factor > GROWTH_NAMED {
        Some(format!("{} (×{})", words("grows"), short(factor)))
    } else if factor < 1.0 / GROWTH_NAMED {
        Some(words("shrinks"))
    } else {
        None
    }
}

/// The lowest and highest finite loss recorded.
fn loss_range(loss: &[f64]) -> Option<(f64, f64)> {
    loss.iter()
        .copied()
        .filter(|l| l.is_finite())
        .fold(None, |r, l| match r {
            None => Some((l, l)),
            Some((lo, hi)) => Some((lo.min(l), hi.max(l))),
        })
}

/// The first recorded step whose loss is within 1% of the latest, when the latest is the
/// lowest so far and a later step than the first: where the loss reached its plateau.
fn settled(records: &Records) -> Option<u64> {
    let last = records.latest()?.loss;
    let loss = records.loss();
    if !last.is_finite() || loss.len() < 2 || loss.iter().any(|l| *l < last) {
        return None;
    }
    let row = loss.iter().position(|l| *l <= 1.01 * last)?;
    (row + 1 < loss.len()).then(|| records.steps()[row])
}

/// What helps an exploding run.
const EXPLODING_HELP: &str =
    " What helps: a lower learning rate, gradient clipping, or smaller initial weights.";

/// Diagnoses a run of learning rate `lr` from its records, its halt, and the per-layer
/// profile of its first step.
pub fn diagnose(
    records: &Records,
    halt: Option<Halt>,
    initial: Option<&[LayerProfile]>,
    lr: f64,
) -> Finding {
    let Some(latest) = records.latest() else {
        return Finding {
            diagnosis: Diagnosis::Untrained,
            text: "Not trained yet: press Play, or take one step.".into(),
        };
    };
    let loss = records.loss();
    let (first_loss, last_loss) = (loss[0], latest.loss);
    let step = latest.step;
    if let Some(first) = records.first(EventKind::NonFinite(Place::Loss)) {
        let EventKind::NonFinite(place) = first.kind else {
            unreachable!("first() returns the kind asked for")
        };
        let mut text = format!(
            "Exploding (rule: a value is inf or NaN): at step {}, {}",
            first.step,
            place_words(place)
        );
        if let Some(e) = records.first(EventKind::LossNonFinite) {
            text.push_str(&format!("; the loss became non-finite at step {}", e.step));
        }
        if let Some(e) = records.first(EventKind::GradientNan) {
            text.push_str(&format!(", the gradients NaN at step {}", e.step));
        }
        match (records.first(EventKind::SomeParametersNan), halt) {
            (Some(e), Some(h)) if e.step < h.step => text.push_str(&format!(
                "; the update of step {} left some weights NaN, and that of step {} every weight. Training stopped itself.",
                e.step, h.step
            )),
            (_, Some(h)) => text.push_str(&format!(
                "; the update of step {} left every weight NaN. Training stopped itself.",
                h.step
            )),
            (Some(e), None) => text.push_str(&format!(
                "; the update of step {} left some weights NaN.",
                e.step
            )),
            (None, None) => text.push('.'),
        }
        if lr == 0.0 {
            text.push_str(" With learning rate 0 nothing was learned: the forward pass itself overflows, and PyTorch's update p − 0·g turns every weight whose gradient is not finite into NaN, as here.");
        } else {
            text.push_str(EXPLODING_HELP);
        }
        return Finding {
            diagnosis: Diagnosis::Exploding,
            text,
        };
    }
    if lr == 0.0 {
        let text = match loss_range(loss) {
            Some((lo, hi)) if hi > lo => format!(
                "The learning-rate-0 test: no weight changes, so nothing is learned. The loss still moved, between {} and {} over {step} steps (step 1: {}, step {step}: {}); all of that movement is the batches', none of it learning. It is the yardstick for a real run: a loss that falls by no more than this says nothing about learning.",
                short(lo),
                short(hi),
                short(first_loss),
                short(last_loss)
            ),
            _ if step == 1 => format!(
                "The learning-rate-0 test: no weight changes, so nothing is learned. At step 1 the loss is {}; take more steps to see how far the batches alone move it: that movement is the yardstick for a real run.",
                short(last_loss)
            ),
            _ => format!(
                "The learning-rate-0 test: no weight changes, so nothing is learned, and the loss stays at {} from step 1 to step {step}: every step sees the same data. With batches that vary, its movement would show the data's own noise: the yardstick for a real run.",
                short(last_loss)
            ),
        };
        return Finding {
            diagnosis: Diagnosis::LrZero,
            text,
        };
    }
    let outputs = output_gradient_words(&latest.layers)
        .map(|w| format!(" At step {}, {w}.", latest.layers_step))
        .unwrap_or_default();
    if last_loss > DIVERGING_FACTOR * first_loss && first_loss > 0.0 {
        return Finding {
            diagnosis: Diagnosis::Exploding,
            text: format!(
                "Exploding (rule: the loss grew over {DIVERGING_FACTOR} times its start): from {} at step 1 to {} at step {step}; it will soon overflow.{outputs}{EXPLODING_HELP}",
                short(first_loss),
                short(last_loss),
            ),
        };
    }
    let largest = largest_update(&latest.layers);
    if let Some((layer, ratio)) = largest.filter(|(_, r)| *r > UNSTABLE_RATIO) {
        return Finding {
            diagnosis: Diagnosis::Exploding,
            text: format!(
                "Exploding (rule: an update above {} of its layer's weights): at step {}, layer {layer}'s update ‖lr·g‖/‖θ‖ is {}, {} times the guide of {} (its gradient norm is {}).{outputs}{EXPLODING_HELP}",
                short(UNSTABLE_RATIO),
                latest.layers_step,
                short(ratio),
                short(ratio / GUIDE_RATIO),
                short(GUIDE_RATIO),
                short(latest.layers[layer - 1].grad_norm),
            ),
        };
    }
    // An update that large at step 1 can throw the weights where the later, tiny updates of
    // a saturated network leave them: a run that did so stays exploding until it has
    // brought its loss below a hundredth of its start. (One that recovers and learns, as
    // BatchNorm's configuration does from its large first update, is then judged by the
    // rules below.)
    let now_largest = largest.map_or(0.0, |(_, r)| r);
    let first_largest = initial
        .and_then(largest_update)
        .filter(|_| last_loss > first_loss / 100.0);
    if let Some((layer, ratio)) = first_largest.filter(|(_, r)| *r > UNSTABLE_RATIO) {
        return Finding {
            diagnosis: Diagnosis::Exploding,
            text: format!(
                "Exploding (rule: an update above {} of its layer's weights): at step 1, layer {layer}'s update ‖lr·g‖/‖θ‖ was {}, {} times the guide of {}. By step {step} the largest update is {} and the loss went from {} at step 1 to {}{}: {}.{EXPLODING_HELP}",
                short(UNSTABLE_RATIO),
                short(ratio),
                short(ratio / GUIDE_RATIO),
                short(GUIDE_RATIO),
                short(now_largest),
                short(first_loss),
                short(last_loss),
                settled(records).map_or(String::new(), |s| format!(", within 1% of that since step {s}")),
                if now_largest < GUIDE_RATIO / 10.0 {
                    "the first updates threw the weights so far that the later ones barely move them"
                } else {
                    "not yet below a hundredth of where it started"
                },
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
                "Vanishing (rule: layer 1's gradient below 1/100 of the largest layer's at step 1): it was {} of it; at step {step}, {still} of {layers} layers change by less than {} of their size per step, and the loss went from {} at step 1 to {} at step {step}{}.{outputs} What helps: a different structure (normalisation, residual connections) or Xavier or He initialisation; a somewhat larger learning rate helps only a little.",
                short(ratio),
                short(BARELY_MOVING),
                short(first_loss),
                short(last_loss),
                settled(records).map_or(String::new(), |s| format!(", within 1% of that by step {s}")),
            ),
        };
    }
    let ratio = largest.map_or(0.0, |(_, r)| r);
    Finding {
        diagnosis: Diagnosis::Healthy,
        text: format!(
            "Healthy (no rule fired): the gradient reaches every layer (at step 1, layer 1's gradient norm was {} times the largest layer's), the largest update at step {}, ‖lr·g‖/‖θ‖, is {} (the guide is about {}, the limit {}), and the loss went from {} at step 1 to {} at step {step}.",
            start.map_or("—".into(), short),
            latest.layers_step,
            short(ratio),
            short(GUIDE_RATIO),
            short(UNSTABLE_RATIO),
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
        diagnose(s.records(), s.halt(), Some(&initial), spec.lr)
    }

    #[test]
    fn nothing_to_say_before_the_first_step() {
        let s = Session::new(&TrainSpec::default());
        assert_eq!(
            diagnose(s.records(), None, None, 0.01).diagnosis,
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
    fn weights_above_one_explode_at_the_first_step_by_the_size_of_their_updates() {
        // The lecture's Figure 4: every weight gradient is about 1e4, flat across layers,
        // so only their size tells; the gradient reaching the outputs grows toward layer 1.
        let f = diagnose_after(chain(50, 1.1, 0.0, 0.01), 1);
        assert_eq!(f.diagnosis, Diagnosis::Exploding, "{}", f.text);
        assert!(f.text.contains("rule: an update above 0.1"), "{}", f.text);
        assert!(f.text.contains("‖∂L/∂y_k‖, grows"), "{}", f.text);
    }

    #[test]
    fn a_chain_at_point_eight_vanishes_and_one_at_one_is_healthy() {
        let f = diagnose_after(chain(50, 0.8, 0.1, 0.01), 200);
        assert_eq!(f.diagnosis, Diagnosis::Vanishing, "{}", f.text);
        let f = diagnose_after(chain(50, 1.0, 0.0, 0.05), 200);
        assert_eq!(f.diagnosis, Diagnosis::Healthy, "{}", f.text);
    }

    #[test]
    fn learning_rate_zero_is_the_yardstick_not_learning() {
        let spec = TrainSpec {
            batch: 8,
            noise: 0.1,
            ..chain(50, 1.0, 0.0, 0.0)
        };
        let mut s = Session::new(&spec);
        s.run(100);
        let f = diagnose(s.records(), s.halt(), None, 0.0);
        assert_eq!(f.diagnosis, Diagnosis::LrZero, "{}", f.text);
        let (lo, hi) = loss_range(s.records().loss()).unwrap();
        assert!(hi > lo);
        assert!(f.text.contains(&short(lo)) && f.text.contains(&short(hi)));
        assert!(f.text.contains("nothing is learned"), "{}", f.text);
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
