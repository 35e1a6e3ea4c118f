//! LayerNorm and BatchNorm on a row-major `rows × cols` batch (a sample per row, a unit per
//! column), forward and backward, with PyTorch's constants. Every operation is rounded to the
//! batch's format, and every sum runs in a fixed order.
//!
//! A group is what one mean and variance cover: a row (LayerNorm: one sample's units) or a
//! column (BatchNorm: one unit over the batch). For a group of `n` values `x`:
//! `μ = Σx/n`, `v = Σ(x − μ)²/n`, `s = 1/√(v + eps)`, `x̂ = (x − μ)·s`, `y = γ·x̂ + β` with `γ`
//! and `β` per column. Backward, with `g = dL/dx̂ = γ·dL/dy`:
//! `dL/dx = s·(g − mean(g) − x̂·mean(g·x̂))`, and `dL/dγ = Σ_rows dL/dy·x̂`,
//! `dL/dβ = Σ_rows dL/dy`.

use super::linalg::Float;

/// PyTorch's `eps` of `LayerNorm` and `BatchNorm1d`.
pub const EPS: f64 = 1e-5;
/// PyTorch's `momentum` of `BatchNorm1d`'s running statistics.
pub const MOMENTUM: f64 = 0.1;

/// What a group is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axis {
    /// Each row (LayerNorm).
    Rows,
    /// Each column (BatchNorm).
    Columns,
}

/// One normalisation's saved values for the backward pass, and BatchNorm's running
/// statistics.
#[derive(Clone, Debug, Default)]
pub(crate) struct NormState<F> {
    /// `x̂`, like the input.
    pub(crate) xhat: Vec<F>,
    /// `s` per group.
    pub(crate) inv: Vec<F>,
    /// `μ` per group.
    pub(crate) mean: Vec<F>,
    /// `v` (biased) per group.
    pub(crate) var: Vec<F>,
    /// BatchNorm's running mean per column (starts at 0).
    pub(crate) running_mean: Vec<F>,
    /// BatchNorm's running variance per column (starts at 1).
    pub(crate) running_var: Vec<F>,
}

impl<F: Float> NormState<F> {
    /// The buffers for a `rows × cols` batch.
    pub(crate) fn new(axis: Axis, rows: usize, cols: usize) -> Self {
        let groups = match axis {
            Axis::Rows => rows,
            Axis::Columns => cols,
        };
        let (zero, one) = (F::zero(), F::one());
        let running = if axis == Axis::Columns { cols } else { 0 };
        NormState {
            xhat: vec![zero; rows * cols],
            inv: vec![zero; groups],
            mean: vec![zero; groups],
            var: vec![zero; groups],
            running_mean: vec![zero; running],
            running_var: vec![one; running],
        }
    }

    /// `x ← γ·x̂ + β` for the batch `x` (`cols` columns), saving `x̂`, `s`, `μ` and `v`; for
    /// BatchNorm also updates the running statistics.
    pub(crate) fn forward(
        &mut self,
        axis: Axis,
        x: &mut [F],
        cols: usize,
        gamma: &[F],
        beta: &[F],
    ) {
        let rows = x.len() / cols;
        let eps = F::from_f64(EPS);
        match axis {
            Axis::Rows => {
                let n = F::from_f64(cols as f64);
                for (r, row) in x.chunks_exact(cols).enumerate() {
                    let mu = row.iter().fold(F::zero(), |s, &v| s + v) / n;
                    let var = row.iter().fold(F::zero(), |s, &v| s + (v - mu) * (v - mu)) / n;
                    self.mean[r] = mu;
                    self.var[r] = var;
                    self.inv[r] = F::one() / (var + eps).sqrt();
                }
                for (r, (row, xh)) in x
                    .chunks_exact(cols)
                    .zip(self.xhat.chunks_exact_mut(cols))
                    .enumerate()
                {
                    for (h, &v) in xh.iter_mut().zip(row) {
                        *h = (v - self.mean[r]) * self.inv[r];
                    }
                }
            }
            Axis::Columns => {
                let n = F::from_f64(rows as f64);
                self.mean.fill(F::zero());
                for row in x.chunks_exact(cols) {
                    for (m, &v) in self.mean.iter_mut().zip(row) {
                        *m = *m + v;
                    }
                }
                self.mean.iter_mut().for_each(|m| *m = *m / n);
                self.var.fill(F::zero());
                for row in x.chunks_exact(cols) {
                    for ((s, &v), &mu) in self.var.iter_mut().zip(row).zip(&self.mean) {
                        *s = *s + (v - mu) * (v - mu);
                    }
                }
                self.var.iter_mut().for_each(|s| *s = *s / n);
                for (i, &v) in self.inv.iter_mut().zip(&self.var) {
                    *i = F::one() / (v + eps).sqrt();
                }
                for (row, xh) in x.chunks_exact(cols).zip(self.xhat.chunks_exact_mut(cols)) {
                    for (((h, &v), &mu), &s) in
                        xh.iter_mut().zip(row).zip(&self.mean).zip(&self.inv)
                    {
                        *h = (v - mu) * s;
                    }
                }
                self.update_running(rows);
            }
        }
        for (row, xh) in x.chunks_exact_mut(cols).zip(self.xhat.chunks_exact(cols)) {
            for (((y, &h), &g), &b) in row.iter_mut().zip(xh).zip(gamma).zip(beta) {
                *y = g * h + b;
            }
        }
    }

    /// PyTorch's update: `running = (1 − momentum)·running + momentum·batch`, with the
    /// unbiased variance `v·n/(n − 1)` (a batch of one gives a non-finite variance; the
    /// spec never trains BatchNorm on one sample).
    fn update_running(&mut self, rows: usize) {
        let m = F::from_f64(MOMENTUM);
        let keep = F::from_f64(1.0 - MOMENTUM);
        let unbias = F::from_f64(rows as f64 / (rows as f64 - 1.0));
        for (r, &mu) in self.running_mean.iter_mut().zip(&self.mean) {
            *r = keep * *r + m * mu;
        }
        for (r, &v) in self.running_var.iter_mut().zip(&self.var) {
            *r = keep * *r + m * (v * unbias);
        }
    }

    /// Back through `y = γ·x̂ + β`: `g` holds `dL/dy` on entry and `dL/dx` on exit;
    /// `dL/dγ` and `dL/dβ` are written into `dgamma`, `dbeta`. `scratch` needs `2·cols`
    /// values.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn backward(
        &self,
        axis: Axis,
        g: &mut [F],
        cols: usize,
        gamma: &[F],
        dgamma: &mut [F],
        dbeta: &mut [F],
        scratch: &mut [F],
    ) {
        let rows = g.len() / cols;
        dgamma.fill(F::zero());
        dbeta.fill(F::zero());
        for (row, xh) in g.chunks_exact_mut(cols).zip(self.xhat.chunks_exact(cols)) {
            for ((((d, &h), &ga), dg), db) in row
                .iter_mut()
                .zip(xh)
                .zip(gamma)
                .zip(dgamma.iter_mut())
                .zip(dbeta.iter_mut())
            {
                *dg = *dg + *d * h;
                *db = *db + *d;
                *d = *d * ga;
            }
        }
        match axis {
            Axis::Rows => {
                let n = F::from_f64(cols as f64);
                for ((row, xh), &s) in g
                    .chunks_exact_mut(cols)
                    .zip(self.xhat.chunks_exact(cols))
                    .zip(&self.inv)
                {
                    let m1 = row.iter().fold(F::zero(), |a, &d| a + d) / n;
                    let m2 = row.iter().zip(xh).fold(F::zero(), |a, (&d, &h)| a + d * h) / n;
                    for (d, &h) in row.iter_mut().zip(xh) {
                        *d = s * (*d - m1 - h * m2);
                    }
                }
            }
            Axis::Columns => {
                let n = F::from_f64(rows as f64);
                let (m1, m2) = scratch[..2 * cols].split_at_mut(cols);
                m1.fill(F::zero());
                m2.fill(F::zero());
                for (row, xh) in g.chunks_exact(cols).zip(self.xhat.chunks_exact(cols)) {
                    for (((a, b), &d), &h) in m1.iter_mut().zip(m2.iter_mut()).zip(row).zip(xh) {
                        *a = *a + d;
                        *b = *b + d * h;
                    }
                }
                m1.iter_mut().for_each(|a| *a = *a / n);
                m2.iter_mut().for_each(|b| *b = *b / n);
                for (row, xh) in g.chunks_exact_mut(cols).zip(self.xhat.chunks_exact(cols)) {
                    for ((((d, &h), &a), &b), &s) in
                        row.iter_mut().zip(xh).zip(&*m1).zip(&*m2).zip(&self.inv)
                    {
                        *d = s * (*d - a - h * b);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> (Vec<f64>, usize) {
        let x: Vec<f64> = (0..12)
            .map(|i| ((i * 7 % 11) as f64 - 4.0) * 0.3 + 0.1 * i as f64)
            .collect();
        (x, 4)
    }

    /// `Σ w·y` for fixed weights `w`, so that `dL/dy = w`.
    fn objective(axis: Axis, x: &[f64], cols: usize, gamma: &[f64], beta: &[f64]) -> f64 {
        let mut y = x.to_vec();
        NormState::new(axis, x.len() / cols, cols).forward(axis, &mut y, cols, gamma, beta);
        y.iter()
            .enumerate()
            .map(|(i, v)| v * (0.3 + (i % 5) as f64 * 0.2))
            .sum()
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (x, cols) = batch();
        let gamma = [1.2, 0.7, -0.5, 2.0];
        let beta = [0.1, -0.2, 0.3, 0.0];
        for axis in [Axis::Rows, Axis::Columns] {
            let mut st = NormState::new(axis, x.len() / cols, cols);
            let mut y = x.clone();
            st.forward(axis, &mut y, cols, &gamma, &beta);
            let mut g: Vec<f64> = (0..x.len()).map(|i| 0.3 + (i % 5) as f64 * 0.2).collect();
            let (mut dg, mut db) = (vec![0.0; cols], vec![0.0; cols]);
            st.backward(axis, &mut g, cols, &gamma, &mut dg, &mut db, &mut [0.0; 8]);
            let h = 1e-6;
            for i in 0..x.len() {
                let (mut up, mut down) = (x.clone(), x.clone());
                up[i] += h;
                down[i] -= h;
                let fd = (objective(axis, &up, cols, &gamma, &beta)
                    - objective(axis, &down, cols, &gamma, &beta))
                    / (2.0 * h);
                assert!(
                    (fd - g[i]).abs() < 1e-6,
                    "{axis:?} x[{i}]: {fd} vs {}",
                    g[i]
                );
            }
            for j in 0..cols {
                for (param, grad) in [(0, dg[j]), (1, db[j])] {
                    let (mut gu, mut bu) = (gamma.to_vec(), beta.to_vec());
                    let (mut gd, mut bd) = (gamma.to_vec(), beta.to_vec());
                    if param == 0 {
                        gu[j] += h;
                        gd[j] -= h;
                    } else {
                        bu[j] += h;
                        bd[j] -= h;
                    }
                    let fd = (objective(axis, &x, cols, &gu, &bu)
                        - objective(axis, &x, cols, &gd, &bd))
                        / (2.0 * h);
                    assert!((fd - grad).abs() < 1e-6, "{axis:?} param {param} {j}");
                }
            }
        }
    }

    #[test]
    fn batchnorm_centres_each_unit_and_its_input_gradient_sums_to_zero() {
        let (x, cols) = batch();
        let beta = [0.5, -1.0, 0.0, 2.0];
        let mut st = NormState::new(Axis::Columns, 3, cols);
        let mut y = x.clone();
        st.forward(Axis::Columns, &mut y, cols, &[1.5; 4], &beta);
        let g_in: Vec<f64> = (0..12).map(|i| (i as f64).sin()).collect();
        let mut g = g_in.clone();
        st.backward(
            Axis::Columns,
            &mut g,
            cols,
            &[1.5; 4],
            &mut [0.0; 4],
            &mut [0.0; 4],
            &mut [0.0; 8],
        );
        for j in 0..cols {
            let mean_y = (0..3).map(|r| y[r * cols + j]).sum::<f64>() / 3.0;
            assert!((mean_y - beta[j]).abs() < 1e-12, "unit {j}: mean {mean_y}");
            let sum_g: f64 = (0..3).map(|r| g[r * cols + j]).sum();
            assert!(sum_g.abs() < 1e-12, "unit {j}: gradient sum {sum_g}");
            // And it is orthogonal to x̂ but for eps: the scale of a unit's input hardly
            // matters. `Σ dx·x̂ = s·m2·(n − Σx̂²)` with `m2 = mean(γ·dy·x̂)`, and
            // `Σx̂² = n·v/(v + eps)`.
            let xh: Vec<f64> = (0..3).map(|r| st.xhat[r * cols + j]).collect();
            let dot: f64 = (0..3).map(|r| g[r * cols + j] * xh[r]).sum();
            let m2 = (0..3)
                .map(|r| 1.5 * g_in[r * cols + j] * xh[r])
                .sum::<f64>()
                / 3.0;
            let want = st.inv[j] * m2 * 3.0 * EPS / (st.var[j] + EPS);
            assert!((dot - want).abs() < 1e-15, "unit {j}: {dot} vs {want}");
            assert!(dot.abs() < 1e-4 * m2.abs(), "unit {j}: {dot}");
        }
    }

    #[test]
    fn layernorm_gives_each_sample_mean_zero_and_variance_near_one() {
        let (x, cols) = batch();
        let mut st = NormState::new(Axis::Rows, 3, cols);
        let mut y = x.clone();
        st.forward(Axis::Rows, &mut y, cols, &[1.0; 4], &[0.0; 4]);
        for (r, row) in y.chunks(cols).enumerate() {
            let m = row.iter().sum::<f64>() / 4.0;
            let v = row.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / 4.0;
            // Exactly v/(v + eps) for the raw row's biased variance v.
            let raw = st.var[r];
            assert!(m.abs() < 1e-15, "{m}");
            assert!((v - raw / (raw + EPS)).abs() < 1e-14, "{v}");
        }
    }

    #[test]
    fn running_statistics_follow_pytorch() {
        let (x, cols) = batch();
        let mut st = NormState::new(Axis::Columns, 3, cols);
        let (mut rm, mut rv) = (vec![0.0; cols], vec![1.0; cols]);
        for step in 0..3 {
            let xs: Vec<f64> = x.iter().map(|v| v * (1.0 + step as f64)).collect();
            let mut y = xs.clone();
            st.forward(Axis::Columns, &mut y, cols, &[1.0; 4], &[0.0; 4]);
            for j in 0..cols {
                let col: Vec<f64> = (0..3).map(|r| xs[r * cols + j]).collect();
                let m = col.iter().sum::<f64>() / 3.0;
                let unbiased = col.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / 2.0;
                rm[j] = 0.9 * rm[j] + 0.1 * m;
                rv[j] = 0.9 * rv[j] + 0.1 * unbiased;
                assert!((st.running_mean[j] - rm[j]).abs() < 1e-14);
                assert!((st.running_var[j] - rv[j]).abs() < 1e-13);
            }
        }
    }
}
