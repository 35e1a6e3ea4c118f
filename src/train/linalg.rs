//! The MLP's number types and its one matrix product, [`gemm`], which hands each layout the
//! MLP uses to the register-tiled kernels of [`super::kernel`] (every sum in the same order
//! as the plain loop, so the bits do not depend on which path ran).

use super::{fastmath, kernel};
use crate::sim::format::Real;
use ndarray::{ArrayView2, ArrayViewMut2, LinalgScalar};

/// A format the MLP computes in (`f32` or `f64`), with the loss's elementary functions from
/// `libm` (compiled into the program, so every platform computes the same bits); the
/// activations come from [`fastmath`].
pub(crate) trait Float:
    Real + LinalgScalar + PartialOrd + Default + kernel::Element + fastmath::Float
{
    /// `e^self`.
    fn exp(self) -> Self;
    /// `ln(1 + self)`.
    fn ln_1p(self) -> Self;
    /// `√self`, correctly rounded.
    fn sqrt(self) -> Self;
    /// The smallest positive normal number: below it, numbers are subnormal.
    const MIN_NORMAL: f64;
}

impl Float for f32 {
    const MIN_NORMAL: f64 = f32::MIN_POSITIVE as f64;
    fn exp(self) -> Self {
        libm::expf(self)
    }
    fn ln_1p(self) -> Self {
        libm::log1pf(self)
    }
    fn sqrt(self) -> Self {
        libm::sqrtf(self)
    }
}

impl Float for f64 {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    fn exp(self) -> Self {
        libm::exp(self)
    }
    fn ln_1p(self) -> Self {
        libm::log1p(self)
    }
    fn sqrt(self) -> Self {
        libm::sqrt(self)
    }
}

/// `C = A·B`, overwriting `C` (row-major). `A` and `B` may each be a row-major matrix or the
/// transpose of one (`.t()`); every sum runs over `k` in increasing order, so that the bits
/// depend only on the inputs.
pub(crate) fn gemm<F: Float>(a: ArrayView2<F>, b: ArrayView2<F>, mut c: ArrayViewMut2<F>) {
    let (m, k) = a.dim();
    let (k2, n) = b.dim();
    assert_eq!(k, k2, "inner dimensions differ");
    assert_eq!(c.dim(), (m, n), "output shape differs");
    let c = c.as_slice_mut().expect("C is row-major");
    if let (Some(a), Some(b)) = (a.as_slice(), b.as_slice()) {
        kernel::gemm_nn(m, n, k, a, b, c);
    } else if let (Some(a), Some(bt)) = (a.as_slice(), b.t().as_slice()) {
        kernel::gemm_nt(m, n, k, a, bt, c);
    } else if let (Some(at), Some(b)) = (a.t().as_slice(), b.as_slice()) {
        kernel::gemm_tn(m, n, k, at, b, c);
    } else {
        let zero = F::zero();
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).fold(zero, |s, p| s + a[[i, p]] * b[[p, j]]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn naive(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let (m, k) = a.dim();
        let n = b.dim().1;
        Array2::from_shape_fn((m, n), |(i, j)| (0..k).map(|p| a[[i, p]] * b[[p, j]]).sum())
    }

    #[test]
    fn every_layout_matches_the_definition() {
        for (m, k, n) in [(3, 5, 4), (2, 7, 6), (4, 1, 9), (1, 3, 1)] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| (i * k + j) as f64 * 0.5 - 3.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| (i as f64 - j as f64 * 1.5) * 0.25);
            let at = a.t().to_owned();
            let bt = b.t().to_owned();
            let want = naive(&a, &b);
            for (x, y) in [
                (a.view(), b.view()),
                (a.view(), bt.t()),
                (at.t(), b.view()),
                (at.t(), bt.t()),
            ] {
                let mut c = Array2::from_elem((m, n), f64::NAN);
                gemm(x, y, c.view_mut());
                assert_eq!(c, want, "{m}x{k}x{n}");
            }
        }
    }
}
