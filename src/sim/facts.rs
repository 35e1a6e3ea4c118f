//! The facts the page states about the current chain: the numbers behind the lecture's
//! claims, computed from a simulated [`Chain`] and the exact [`ClosedForm`].

use super::chain::Chain;
use super::closed_form::ClosedForm;
use super::regime::Regime;
use super::wide::Wide;

/// What the explorer reports about one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// The regime of `w` as stored in the chain's format: what every layer multiplies by.
    pub regime: Regime,
    /// The regime of `w` as given, before rounding. It differs from [`regime`](Self::regime)
    /// only when rounding moved `w` onto `±1` (`1.0001` is stored as `1` in `f16`).
    pub given_regime: Regime,
    /// The exact closed form (with the user's unrounded `w`, `b` and `x`).
    pub closed: ClosedForm,
    /// The closed form with `w`, `b` and `x` as stored in the format: the exact output of
    /// the chain the format computes, before each operation's rounding.
    pub stored_closed: ClosedForm,
    /// `y_n` as the chosen format computed it.
    pub simulated: f64,
    /// How far the simulation is from the closed form, relative to it.
    pub deviation: Deviation,
    /// The share of `|y_n|` that comes from the input, `|w^n x| / (|w^n x| + |bias part|)`,
    /// of the exact closed form. `None` when both parts are zero.
    pub input_share: Option<Wide>,
    /// The first layer `k >= 1` whose activation is `±inf` or `NaN`.
    pub first_nonfinite: Option<usize>,
    /// The first layer `k >= 1` whose activation is exactly 0 although the exact value
    /// is not.
    pub first_underflow: Option<usize>,
    /// How many layers `k` in `1..=n` receive a gradient `dy_n/dy_k` of exactly 0.
    pub zero_grad_layers: usize,
}

/// The simulated output against the exact one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Deviation {
    /// The simulation is finite: `|sim - exact| / |exact|` (or `|sim - exact|` when exact is
    /// 0), computed in [`Wide`] numbers, so also where the exact value is beyond `f64`.
    Relative(f64),
    /// The simulation is `±inf` or `NaN`, while the exact value is a finite number: nothing
    /// to compare.
    Incomparable,
}

impl Facts {
    /// Computes the facts for a simulated chain.
    pub fn of(chain: &Chain) -> Facts {
        let p = chain.params;
        let n = p.depth;
        let closed = ClosedForm::evaluate(p.w, p.b, p.x, n);
        let s = chain.stored;
        let simulated = chain.output();
        let first_nonfinite = (1..=n).find(|&k| !chain.activations[k].is_finite());
        let first_underflow =
            (1..=n).find(|&k| chain.activations[k] == 0.0 && !exactly_zero(p.w, p.b, p.x, k));
        let zero_grad_layers = chain.grads[1..=n].iter().filter(|&&g| g == 0.0).count();
        Facts {
            regime: Regime::of(s.w),
            given_regime: Regime::of(p.w),
            closed,
            stored_closed: ClosedForm::evaluate(s.w, s.b, s.x, n),
            simulated,
            deviation: Deviation::between(simulated, closed.wide.output),
            input_share: input_share(&closed),
            first_nonfinite,
            first_underflow,
            zero_grad_layers,
        }
    }
}

/// Whether `y_k` is exactly 0 in exact arithmetic. With `b = 0`, `y_k = w^k x`, which is
/// zero only if `w` or `x` is (a quick answer for chains whose every layer may be 0);
/// otherwise the closed form decides.
fn exactly_zero(w: f64, b: f64, x: f64, k: usize) -> bool {
    if b == 0.0 {
        w == 0.0 || x == 0.0
    } else {
        ClosedForm::evaluate(w, b, x, k).wide.output.is_zero()
    }
}

/// The share of `|y_n|` that comes from the input: `|w^n x| / (|w^n x| + |bias part|)`, or
/// `None` when both parts are zero.
pub fn input_share(closed: &ClosedForm) -> Option<Wide> {
    let input = closed.wide.input_part.abs();
    let total = input + closed.wide.bias_part.abs();
    (!total.is_zero()).then(|| input / total)
}

impl Deviation {
    /// Compares a simulated value with the exact one.
    pub fn between(simulated: f64, exact: Wide) -> Deviation {
        if !simulated.is_finite() {
            return Deviation::Incomparable;
        }
        let diff = (Wide::from_f64(simulated) - exact).abs();
        Deviation::Relative(if exact.is_zero() {
            diff.to_f64()
        } else {
            (diff / exact.abs()).to_f64()
        })
    }
}
