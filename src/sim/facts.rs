//! The facts the page states about the current chain: the numbers behind the lecture's
//! claims, computed from a simulated [`Chain`] and the exact [`ClosedForm`].

use super::chain::Chain;
use super::closed_form::ClosedForm;
use super::regime::Regime;

/// What the explorer reports about one chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// The regime of `w`.
    pub regime: Regime,
    /// The exact closed form (in `f64`, with the user's unrounded `w`, `b` and `x`).
    pub closed: ClosedForm,
    /// `y_n` as the chosen format computed it.
    pub simulated: f64,
    /// How far the simulation is from the closed form, relative to it.
    pub deviation: Deviation,
    /// The share of `|y_n|` that comes from the input: `|w^n x| / (|w^n x| + |bias part|)`.
    /// `None` when both parts are zero or either is not finite.
    pub input_share: Option<f64>,
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
    /// Both finite: `|sim - exact| / |exact|` (or `|sim - exact|` when exact is 0).
    Relative(f64),
    /// Both are the same infinity, or both `NaN`: nothing to compare.
    Agree,
    /// One is finite and the other not: the simulation overflowed, or the exact value did.
    Incomparable,
}

impl Facts {
    /// Computes the facts for a simulated chain.
    pub fn of(chain: &Chain) -> Facts {
        let p = chain.params;
        let n = p.depth;
        let closed = ClosedForm::evaluate(p.w, p.b, p.x, n);
        let simulated = chain.output();
        let first_nonfinite = (1..=n).find(|&k| !chain.activations[k].is_finite());
        let first_underflow =
            (1..=n).find(|&k| chain.activations[k] == 0.0 && !exactly_zero(p.w, p.b, p.x, k));
        let zero_grad_layers = chain.grads[1..=n].iter().filter(|&&g| g == 0.0).count();
        let (i, bias) = (closed.input_part.abs(), closed.bias_part.abs());
        let input_share =
            (i.is_finite() && bias.is_finite() && i + bias > 0.0).then(|| i / (i + bias));
        Facts {
            regime: Regime::of(p.w),
            closed,
            simulated,
            deviation: Deviation::between(simulated, closed.output),
            input_share,
            first_nonfinite,
            first_underflow,
            zero_grad_layers,
        }
    }
}

/// Whether `y_k` is exactly 0 in exact arithmetic. With `b = 0`, `y_k = w^k x`, which is
/// zero only if `w` or `x` is (the `f64` closed form would underflow instead); otherwise the
/// closed form decides.
fn exactly_zero(w: f64, b: f64, x: f64, k: usize) -> bool {
    if b == 0.0 {
        w == 0.0 || x == 0.0
    } else {
        ClosedForm::evaluate(w, b, x, k).output == 0.0
    }
}

impl Deviation {
    /// Compares a simulated value with the exact one.
    pub fn between(simulated: f64, exact: f64) -> Deviation {
        if simulated.is_finite() && exact.is_finite() {
            let diff = (simulated - exact).abs();
            Deviation::Relative(if exact == 0.0 {
                diff
            } else {
                diff / exact.abs()
            })
        } else if simulated == exact || (simulated.is_nan() && exact.is_nan()) {
            Deviation::Agree
        } else {
            Deviation::Incomparable
        }
    }
}
