//! The MLP's number types and its one matrix product, [`gemm`]: straightforward loops, kept
//! behind this one function so that a faster kernel can replace it. Likewise
//! [`Float::tanh`] is the one place the MLP computes `tanh`.

use crate::sim::format::Real;
use ndarray::{ArrayView2, ArrayViewMut2, LinalgScalar};

/// A format the MLP computes in (`f32` or `f64`), with its elementary functions from `libm`
/// (compiled into the program, so every platform computes the same bits).
pub(crate) trait Float: Real + LinalgScalar + PartialOrd + Default {
    /// `tanh(self)`.
    fn tanh(self) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `ln(1 + self)`.
    fn ln_1p(self) -> Self;
}

impl Float for f32 {
    fn tanh(self) -> Self {
        libm::tanhf(self)
    }
    fn exp(self) -> Self {
        libm::expf(self)
    }
    fn ln_1p(self) -> Self {
        libm::log1pf(self)
    }
}

impl Float for f64 {
    fn tanh(self) -> Self {
        libm::tanh(self)
    }
    fn exp(self) -> Self {
        libm::exp(self)
    }
    fn ln_1p(self) -> Self {
        libm::log1p(self)
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
    let zero = F::zero();
    if let (Some(a), Some(b)) = (a.as_slice(), b.as_slice()) {
        // C[i, :] = Σ_p A[i, p]·B[p, :]
        for (ci, ai) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
            ci.fill(zero);
            for (&aip, bp) in ai.iter().zip(b.chunks_exact(n)) {
                for (cij, &bpj) in ci.iter_mut().zip(bp) {
                    *cij = *cij + aip * bpj;
                }
            }
        }
    } else if let (Some(a), Some(bt)) = (a.as_slice(), b.t().as_slice()) {
        // C[i, j] = Σ_p A[i, p]·Bᵀ[j, p]: dot products of rows, four columns at a time so
        // that four independent sums are in flight.
        for (ci, ai) in c.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
            let mut cols = ci.chunks_exact_mut(4).zip(bt.chunks_exact(4 * k));
            for (c4, b4) in &mut cols {
                let (b0, rest) = b4.split_at(k);
                let (b1, rest) = rest.split_at(k);
                let (b2, b3) = rest.split_at(k);
                let mut s = [zero; 4];
                for p in 0..k {
                    let x = ai[p];
                    s[0] = s[0] + x * b0[p];
                    s[1] = s[1] + x * b1[p];
                    s[2] = s[2] + x * b2[p];
                    s[3] = s[3] + x * b3[p];
                }
                c4.copy_from_slice(&s);
            }
            let done = n - n % 4;
            for (cij, bj) in ci[done..].iter_mut().zip(bt[done * k..].chunks_exact(k)) {
                *cij = ai.iter().zip(bj).fold(zero, |s, (&x, &y)| s + x * y);
            }
        }
    } else if let (Some(at), Some(b)) = (a.t().as_slice(), b.as_slice()) {
        // C[i, :] = Σ_p Aᵀ[p, i]·B[p, :]
        c.fill(zero);
        for (ap, bp) in at.chunks_exact(m).zip(b.chunks_exact(n)) {
            for (ci, &api) in c.chunks_exact_mut(n).zip(ap) {
                for (cij, &bpj) in ci.iter_mut().zip(bp) {
                    *cij = *cij + api * bpj;
                }
            }
        }
    } else {
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
