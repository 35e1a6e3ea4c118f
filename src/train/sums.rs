//! Sums over a layer's values in a fixed order, in `f64`: shared by the models, which
//! measure their layers with them, and the optimiser, which measures gradients and updates.

use crate::sim::format::Real;

/// `Σ f(v_i)` in `f64`, in 4 interleaved partial sums (element `i` into sum `i mod 4` for
/// the full groups of 4), added as `(s0 + s2) + (s1 + s3)`, then the remaining elements in
/// order: a fixed order, so the bits never depend on the machine, and the partial sums are
/// independent, so the loop is not bound by the latency of one long chain of additions.
pub(crate) fn lanes_sum<T: Copy>(v: &[T], f: impl Fn(T) -> f64) -> f64 {
    let mut s = [0.0; 4];
    let c = v.chunks_exact(4);
    let tail: f64 = c.remainder().iter().map(|&x| f(x)).sum();
    for x in c {
        s[0] += f(x[0]);
        s[1] += f(x[1]);
        s[2] += f(x[2]);
        s[3] += f(x[3]);
    }
    (s[0] + s[2]) + (s[1] + s[3]) + tail
}

/// The mean and population standard deviation of `v`, in `f64`, each sum by [`lanes_sum`].
pub(crate) fn mean_std<T: Real>(v: &[T]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = lanes_sum(v, |x| x.to_f64()) / n;
    let var = lanes_sum(v, |x| {
        let d = x.to_f64() - mean;
        d * d
    }) / n;
    (mean, var.sqrt())
}

/// The share of `v` for which `pred` holds.
#[inline(always)]
pub(crate) fn share<T: Real>(v: &[T], pred: impl Fn(f64) -> bool) -> f64 {
    v.iter().filter(|x| pred(x.to_f64())).count() as f64 / v.len() as f64
}
