//! The largest singular value of a matrix, by power iteration in `f64`: what the spectral
//! init scales to `rho`, and what the records follow during training (Pascanu et al.'s
//! `λ₁`).

/// Power iteration on `WᵀW` for a `rows × cols` matrix `W`, with its vectors kept, so that
/// the next matrix (the same weights one step later) starts from this one's answer.
#[derive(Clone, Debug)]
pub(crate) struct PowerIteration {
    /// The current estimate of the top right singular vector (unit length).
    v: Vec<f64>,
    /// `W·v`.
    u: Vec<f64>,
}

impl PowerIteration {
    /// Power iteration for `rows × cols` matrices, starting from `v_j ∝ 1 + j/cols`.
    pub(crate) fn new(rows: usize, cols: usize) -> PowerIteration {
        let mut p = PowerIteration {
            v: vec![0.0; cols],
            u: vec![0.0; rows],
        };
        p.restart();
        p
    }

    /// Sets `v` to the start vector `v_j ∝ 1 + j/cols` (not orthogonal to any standard
    /// basis vector, nor to the all-ones vector).
    fn restart(&mut self) {
        let n = self.v.len() as f64;
        for (j, x) in self.v.iter_mut().enumerate() {
            *x = 1.0 + j as f64 / n;
        }
        let norm = norm(&self.v);
        self.v.iter_mut().for_each(|x| *x /= norm);
    }

    /// The largest singular value of `w` (`rows × cols`, row-major): iterates
    /// `v ← WᵀW·v/‖WᵀW·v‖` from the kept vector (restarted if it is not finite) and returns
    /// the last `‖W·v‖` (the square root of the Rayleigh quotient of `WᵀW`, which converges
    /// twice as fast as `v`), once two successive estimates agree to `tol` relative, or after
    /// `max_iter` iterations. NaN if `w` holds a non-finite value, 0 for a zero matrix.
    pub(crate) fn largest(&mut self, w: &[f64], tol: f64, max_iter: usize) -> f64 {
        let (rows, cols) = (self.u.len(), self.v.len());
        assert_eq!(w.len(), rows * cols, "W must be rows × cols");
        if !self.v.iter().all(|x| x.is_finite()) {
            self.restart();
        }
        let mut last = f64::NAN;
        for _ in 0..max_iter {
            for (u, row) in self.u.iter_mut().zip(w.chunks_exact(cols)) {
                *u = dot(row, &self.v);
            }
            let sigma = norm(&self.u);
            if !sigma.is_finite() || sigma == 0.0 {
                return sigma;
            }
            self.v.fill(0.0);
            for (&u, row) in self.u.iter().zip(w.chunks_exact(cols)) {
                for (v, &x) in self.v.iter_mut().zip(row) {
                    *v += u * x;
                }
            }
            let n = norm(&self.v);
            self.v.iter_mut().for_each(|x| *x /= n);
            if (sigma - last).abs() <= tol * sigma {
                return sigma;
            }
            last = sigma;
        }
        last
    }
}

/// `Σ a_i·b_i`, in order.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The 2-norm, in order.
fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The eigenvalues of the symmetric `n × n` matrix `a` by cyclic Jacobi rotations: an
    /// independent check of the power iteration.
    pub(crate) fn symmetric_eigenvalues(mut a: Vec<f64>, n: usize) -> Vec<f64> {
        for _ in 0..100 {
            let off: f64 = (0..n)
                .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
                .map(|(i, j)| a[i * n + j] * a[i * n + j])
                .sum();
            if off < 1e-30 {
                break;
            }
            for p in 0..n {
                for q in p + 1..n {
                    let apq = a[p * n + q];
                    if apq == 0.0 {
                        continue;
                    }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                    let c = 1.0 / (t * t + 1.0).sqrt();
                    let s = t * c;
                    for k in 0..n {
                        let (akp, akq) = (a[k * n + p], a[k * n + q]);
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for k in 0..n {
                        let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
            }
        }
        (0..n).map(|i| a[i * n + i]).collect()
    }

    /// The largest singular value of `w` (`rows × cols`) from the eigenvalues of `WᵀW`.
    pub(crate) fn largest_by_jacobi(w: &[f64], rows: usize, cols: usize) -> f64 {
        let gram = (0..cols * cols)
            .map(|k| {
                (0..rows)
                    .map(|r| w[r * cols + k / cols] * w[r * cols + k % cols])
                    .sum()
            })
            .collect();
        symmetric_eigenvalues(gram, cols)
            .into_iter()
            .fold(0.0, f64::max)
            .sqrt()
    }

    #[test]
    fn power_iteration_finds_the_largest_singular_value() {
        // diag(3, −5, 2) rotated: singular values 5, 3, 2.
        let w = [0.0, -5.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 2.0];
        let mut p = PowerIteration::new(3, 3);
        assert!((p.largest(&w, 1e-15, 10_000) - 5.0).abs() < 1e-12);
        // A tall matrix, checked against Jacobi's eigenvalues of WᵀW.
        let w: Vec<f64> = (0..24).map(|k| ((k * 7 % 11) as f64 - 5.0) / 3.0).collect();
        let mut p = PowerIteration::new(8, 3);
        let want = largest_by_jacobi(&w, 8, 3);
        assert!((p.largest(&w, 1e-15, 10_000) - want).abs() < 1e-12 * want);
        // Warm-started, it agrees at once; a NaN matrix gives NaN and a restart after.
        assert!((p.largest(&w, 1e-12, 3) - want).abs() < 1e-12 * want);
        let mut bad = w.clone();
        bad[5] = f64::NAN;
        assert!(p.largest(&bad, 1e-12, 10).is_nan());
        assert!((p.largest(&w, 1e-15, 10_000) - want).abs() < 1e-12 * want);
        assert_eq!(PowerIteration::new(2, 2).largest(&[0.0; 4], 1e-15, 10), 0.0);
    }
}
