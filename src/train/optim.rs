//! The optimiser: gradient clipping and SGD with momentum, over a model's parameters stored
//! flat, layer after layer, each operation rounded to the parameters' format.

use super::records::LayerProfile;
use super::spec::Clip;
use super::sums::lanes_sum;
use crate::sim::format::Real;

/// How much per-layer detail a step computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Detail {
    /// None: the step's scalars only.
    Scalars,
    /// Each layer's gradient norm (for a row of the history).
    Grads,
    /// Every field of each layer's [`LayerProfile`].
    Full,
}

/// The optimiser's settings for one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Hyper {
    pub(crate) lr: f64,
    pub(crate) momentum: f64,
    pub(crate) clip: Clip,
}

/// Whether parameters are NaN after an update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Health {
    pub(crate) any_nan: bool,
    pub(crate) all_nan: bool,
}

/// What clipping and the update did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Applied {
    /// The 2-norm of the whole gradient before clipping.
    pub(crate) total: f64,
    /// The factor clipping scaled the gradient by, as applied (see
    /// [`crate::train::Records::clip_coef`]).
    pub(crate) coef: f64,
    /// NaN parameters after the update.
    pub(crate) health: Health,
}

/// A model's parameters, their gradients and the momentum buffer, stored flat.
#[derive(Clone)]
pub(crate) struct Params<T> {
    /// The parameters, layer after layer.
    pub(crate) values: Vec<T>,
    /// The gradient of the loss with respect to each parameter.
    pub(crate) grads: Vec<T>,
    /// The momentum buffer (empty without momentum).
    buf: Vec<T>,
    /// Whether the buffer holds a step's direction yet (PyTorch starts it as the gradient).
    started: bool,
    /// Layer `l`'s parameters are `values[offsets[l]..offsets[l + 1]]`.
    offsets: Vec<usize>,
    health: Health,
}

impl<T: Real> Params<T> {
    /// Parameters `values` in layers cut at `offsets` (starting with 0, ending with the
    /// length), with a momentum buffer when `momentum`.
    pub(crate) fn new(values: Vec<T>, offsets: Vec<usize>, momentum: bool) -> Params<T> {
        let n = values.len();
        let zero = T::from_f64(0.0);
        Params {
            values,
            grads: vec![zero; n],
            buf: if momentum { vec![zero; n] } else { Vec::new() },
            started: false,
            offsets,
            health: Health::default(),
        }
    }

    /// The number of layers.
    pub(crate) fn layers(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Layer `l`'s range in the flat vectors.
    pub(crate) fn range(&self, l: usize) -> std::ops::Range<usize> {
        self.offsets[l]..self.offsets[l + 1]
    }

    /// The index (from 1) of the last layer with a non-finite gradient: the first one
    /// back-propagation reached.
    pub(crate) fn last_nonfinite_grad_layer(&self) -> Option<usize> {
        (0..self.layers())
            .rev()
            .find(|&l| {
                self.grads[self.range(l)]
                    .iter()
                    .any(|g| !g.to_f64().is_finite())
            })
            .map(|l| l + 1)
    }

    /// Clips the gradient and makes one SGD step; with `detail`, fills each layer's gradient
    /// norm (before clipping) and, for [`Detail::Full`], its weight norm (before the update)
    /// and update-to-weight ratio into `out`. A step whose gradient is not finite fills the
    /// gradient norms whatever `detail` says.
    ///
    /// A learning rate of 0 is applied like any other, as PyTorch does: `p − 0·g` leaves a
    /// finite gradient's parameter as it was, and makes a non-finite gradient's NaN.
    pub(crate) fn apply(&mut self, h: &Hyper, detail: Detail, out: &mut [LayerProfile]) -> Applied {
        let total = sq_norm(&self.grads).sqrt();
        let detail = if total.is_finite() {
            detail
        } else {
            detail.max(Detail::Grads)
        };
        if detail >= Detail::Grads {
            for (l, p) in out.iter_mut().enumerate() {
                let r = self.range(l);
                p.grad_norm = sq_norm(&self.grads[r.clone()]).sqrt();
                if detail == Detail::Full {
                    p.weight_norm = sq_norm(&self.values[r]).sqrt();
                }
            }
        }
        let coef = clip(&mut self.grads, h.clip, total);
        self.health = self.update(h);
        if detail == Detail::Full {
            let lr = T::from_f64(h.lr);
            let dir = if self.buf.is_empty() {
                &self.grads
            } else {
                &self.buf
            };
            for (l, p) in out.iter_mut().enumerate() {
                let u = lanes_sum(&dir[self.range(l)], |d| {
                    let u = (lr * d).to_f64();
                    u * u
                });
                // 0 for no update at all, even of a zero weight.
                p.update_ratio = if u == 0.0 {
                    0.0
                } else {
                    u.sqrt() / p.weight_norm
                };
            }
        }
        Applied {
            total,
            coef,
            health: self.health,
        }
    }

    /// `p -= lr·g`, or with momentum `buf = μ·buf + g` (`buf = g` on the first step),
    /// `p -= lr·buf`; every product and sum rounded to `T`.
    fn update(&mut self, h: &Hyper) -> Health {
        let lr = T::from_f64(h.lr);
        let mut any = false;
        let mut all = true;
        let mut check = |p: T| {
            let nan = p.to_f64().is_nan();
            any |= nan;
            all &= nan;
        };
        if self.buf.is_empty() {
            for (p, &g) in self.values.iter_mut().zip(&self.grads) {
                *p = *p - lr * g;
                check(*p);
            }
        } else {
            let mu = T::from_f64(h.momentum);
            let started = self.started;
            for ((p, b), &g) in self.values.iter_mut().zip(&mut self.buf).zip(&self.grads) {
                *b = if started { mu * *b + g } else { g };
                *p = *p - lr * *b;
                check(*p);
            }
            self.started = true;
        }
        Health {
            any_nan: any,
            all_nan: all && !self.values.is_empty(),
        }
    }
}

/// The sum of squares of `v`, accumulated in `f64` in four partial sums ([`lanes_sum`];
/// PyTorch accumulates the 16-bit formats' norms in `f32`, and `f32`'s in `f32`).
fn sq_norm<T: Real>(v: &[T]) -> f64 {
    lanes_sum(v, |x| x.to_f64() * x.to_f64())
}

/// Clips `grads` whose 2-norm is `total`, as PyTorch does, and returns the clip factor: for
/// [`Clip::Norm`] the multiplier applied, its `coef` rounded to `T` (1 when no clipping is
/// needed); for [`Clip::Value`] the ratio of the clipped gradient's norm to `total` (1 for
/// a zero gradient); 1 for [`Clip::Off`].
pub(crate) fn clip<T: Real>(grads: &mut [T], clip: Clip, total: f64) -> f64 {
    match clip {
        Clip::Off => 1.0,
        Clip::Norm(max) => {
            let coef = max / (total + 1e-6);
            // torch.clamp(coef, max=1): NaN stays NaN (f64::min would return 1).
            let coef = if coef.is_nan() { coef } else { coef.min(1.0) };
            if coef == 1.0 {
                return coef;
            }
            let c = T::from_f64(coef);
            for g in grads.iter_mut() {
                *g = *g * c;
            }
            c.to_f64()
        }
        Clip::Value(v) => {
            let (hi, lo) = (T::from_f64(v), T::from_f64(-v));
            for g in grads.iter_mut() {
                // NaN compares false both ways and stays NaN, as in torch.clamp.
                if *g > hi {
                    *g = hi;
                } else if *g < lo {
                    *g = lo;
                }
            }
            if total > 0.0 {
                sq_norm(grads).sqrt() / total
            } else {
                1.0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PyTorch's `clip_grad_norm_`, written out.
    fn torch_clip_norm(g: &[f64], max: f64) -> (Vec<f64>, f64) {
        let total = g.iter().map(|x| x * x).sum::<f64>().sqrt();
        let coef = (max / (total + 1e-6)).min(1.0);
        (g.iter().map(|x| x * coef).collect(), total)
    }

    #[test]
    fn clipping_by_norm_follows_pytorch() {
        let raw = [3.0, -4.0, 0.0, 12.0];
        for max in [1.0, 12.9, 13.0, 100.0] {
            let mut g = raw;
            let total = sq_norm(&g).sqrt();
            let coef = clip(&mut g, Clip::Norm(max), total);
            let (want, want_total) = torch_clip_norm(&raw, max);
            assert_eq!(total, 13.0);
            assert_eq!(total, want_total);
            assert_eq!(coef, (max / (13.0 + 1e-6)).min(1.0));
            assert_eq!(g.to_vec(), want, "max {max}");
        }
        // A NaN gradient makes the factor NaN, and an infinite one 0: finite entries become
        // 0 and infinite ones NaN, as torch computes.
        let mut g = [1.0, f64::NAN];
        assert!(clip(&mut g, Clip::Norm(1.0), f64::NAN).is_nan());
        assert!(g.iter().all(|x| x.is_nan()));
        let mut g = [1.0f32, f32::INFINITY];
        assert_eq!(clip(&mut g, Clip::Norm(1.0), f64::INFINITY), 0.0);
        assert_eq!(g[0], 0.0);
        assert!(g[1].is_nan());
    }

    #[test]
    fn clipping_by_value_clamps_each_element() {
        let mut g = [3.0, -4.0, 0.5, f64::NAN];
        clip(&mut g, Clip::Value(1.0), 5.0);
        assert_eq!(&g[..3], &[1.0, -1.0, 0.5]);
        assert!(g[3].is_nan());
        let mut g = [3.0, -4.0];
        let coef = clip(&mut g, Clip::Value(1.0), 5.0);
        assert_eq!(coef, 2.0f64.sqrt() / 5.0);
    }

    #[test]
    fn momentum_follows_pytorch() {
        // Constant gradient g: buf_1 = g, buf_t = μ·buf_(t-1) + g; p_t = p_(t-1) − lr·buf_t.
        let h = Hyper {
            lr: 0.5,
            momentum: 0.9,
            clip: Clip::Off,
        };
        let mut p = Params::new(vec![1.0f64, -2.0], vec![0, 2], true);
        let mut out = [LayerProfile::default()];
        let (mut want, mut buf) = ([1.0, -2.0], [0.0, 0.0]);
        for t in 0..4 {
            p.grads.copy_from_slice(&[0.25, -1.0]);
            let applied = p.apply(&h, Detail::Full, &mut out);
            for i in 0..2 {
                buf[i] = if t == 0 {
                    p.grads[i]
                } else {
                    0.9 * buf[i] + p.grads[i]
                };
                want[i] -= 0.5 * buf[i];
            }
            assert_eq!(p.values, want);
            assert_eq!(applied.total, (0.25f64 * 0.25 + 1.0).sqrt());
            let before = (want[0] + 0.5 * buf[0]).hypot(want[1] + 0.5 * buf[1]);
            let ratio = (0.5 * buf[0]).hypot(0.5 * buf[1]) / before;
            assert!((out[0].update_ratio - ratio).abs() < 1e-15);
        }
    }

    #[test]
    fn a_zero_learning_rate_keeps_finite_gradients_weights_and_spreads_nan_as_pytorch() {
        let h = Hyper {
            lr: 0.0,
            momentum: 0.5,
            clip: Clip::Off,
        };
        let mut p = Params::new(vec![0.5f32, 1.0, 2.0, 3.0], vec![0, 2, 4], true);
        p.grads.copy_from_slice(&[-1.0, 4.0, f32::NAN, 1.0]);
        let mut out = [LayerProfile::default(); 2];
        let applied = p.apply(&h, Detail::Full, &mut out);
        // torch: p.add_(buf, alpha=-0.0): 0.5 - 0·(-1) = 0.5; 2 - 0·NaN = NaN.
        assert_eq!(&p.values[..2], &[0.5, 1.0]);
        assert!(p.values[2].is_nan());
        assert_eq!(p.values[3], 3.0);
        assert!(applied.health.any_nan && !applied.health.all_nan);
        assert_eq!(out[0].update_ratio, 0.0);
        assert!(out[1].update_ratio.is_nan());
    }

    #[test]
    fn the_clip_factor_is_the_multiplier_applied_in_the_format() {
        use half::f16;
        // f16 cannot hold 1/(4243 + 1e-6) exactly: the factor shown is the one applied.
        let mut g = [f16::from_f64(3000.0), f16::from_f64(3000.0)];
        let total = sq_norm(&g).sqrt();
        let coef = clip(&mut g, Clip::Norm(1.0), total);
        let exact = 1.0 / (total + 1e-6);
        assert_ne!(coef, exact);
        assert_eq!(coef, f16::from_f64(exact).to_f64());
        assert_eq!(g[0], f16::from_f64(3000.0) * f16::from_f64(coef));
    }
}
