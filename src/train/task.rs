//! The data sets, generated from the seed, and the order of the mini-batches.
//!
//! Exact definitions, for `N` samples indexed `i = 0..N` (random numbers come from the
//! run's data generator, drawn in the order written; `U[a, b)` is uniform, `N(0, 1)` normal):
//!
//! - **Line** `{ slope, intercept }`: `x_i = -1 + 2i/(N-1)` (evenly spaced over `[-1, 1]`,
//!   both ends included, so half the inputs are negative); `t_i = slope·x_i + intercept`.
//! - **Sine**: the same `x_i`; `t_i = sin(π·x_i)`.
//! - **Circle**: for each `i`, draw `u, v ~ U[0, 1)`; `θ = 2π·u`; sample `i` is inside
//!   (label 1) when `i` is even, with radius `r = 0.5·v`, and outside (label 0) when `i` is
//!   odd, with `r = 0.7 + 0.3·v`; `x_i = (r·cos θ, r·sin θ)`.
//! - **Xor**: for each `i`, draw `u_1, u_2 ~ U[-1, 1)`; `x_ij = s_j·(0.05 + 0.95·|u_j|)` with
//!   `s_j` the sign of `u_j` (+1 for 0), so every point keeps 0.05 from the axes; label 1
//!   when `x_i1·x_i2 > 0`, else 0.
//! - **Spiral** (no random numbers): sample `i` is on spiral `c = 1` when `i` is even and
//!   `c = 0` when odd; it is the `j`-th (`j = ⌊i/2⌋`) of the `M` samples of its spiral
//!   (`M = ⌈N/2⌉` for `c = 1`, `⌊N/2⌋` for `c = 0`); `r = j/M`, `θ = 3.5π·r + π·(1 - c)`;
//!   `x_i = (r·sin θ, r·cos θ)`; label `c`.
//!
//! Then, only when `noise > 0`, noise on the targets, for `i = 0..N` in order: a regression
//! target gets `noise·ε_i` added, `ε_i ~ N(0, 1)`; a class label is flipped when
//! `u_i < noise`, `u_i ~ U[0, 1)`.
//!
//! **Batches.** With the full data set (`batch` 0 or at least `N`) every step uses samples
//! `0..N` in order and no random number is drawn. Otherwise, as PyTorch's `DataLoader` with
//! `shuffle=True, drop_last=True`: each epoch shuffles the indices `0..N` (Fisher–Yates with
//! the batch generator) and cuts them into `⌊N/batch⌋` consecutive batches of `batch`
//! samples; the `N mod batch` samples left over sit that epoch out.

use super::rng::{generator, Stream};
use super::spec::TaskSpec;
use rand::RngExt;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use std::f64::consts::PI;

/// A generated data set.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Inputs per sample: 1 or 2.
    pub dim: usize,
    /// The inputs, sample after sample (`N × dim`, row-major).
    pub inputs: Vec<f64>,
    /// The targets: numbers for regression, 0 or 1 for classification.
    pub targets: Vec<f64>,
    /// Whether the targets are class labels.
    pub classification: bool,
}

impl Dataset {
    /// The data set of `task` with `samples` samples (see the module's documentation).
    pub fn generate(task: TaskSpec, samples: usize, noise: f64, seed: u64) -> Dataset {
        let n = samples;
        let dim = task.input_dim();
        let mut rng = generator(seed, Stream::Data);
        let mut inputs = Vec::with_capacity(n * dim);
        let mut targets = Vec::with_capacity(n);
        let spaced = |i: usize| {
            if n > 1 {
                -1.0 + 2.0 * i as f64 / (n - 1) as f64
            } else {
                0.0
            }
        };
        match task {
            TaskSpec::Line { slope, intercept } => {
                for i in 0..n {
                    let x = spaced(i);
                    inputs.push(x);
                    targets.push(slope * x + intercept);
                }
            }
            TaskSpec::Sine => {
                for i in 0..n {
                    let x = spaced(i);
                    inputs.push(x);
                    targets.push(libm::sin(PI * x));
                }
            }
            TaskSpec::Circle => {
                for i in 0..n {
                    let u: f64 = rng.random();
                    let v: f64 = rng.random();
                    let theta = 2.0 * PI * u;
                    let inside = i % 2 == 0;
                    let r = if inside { 0.5 * v } else { 0.7 + 0.3 * v };
                    inputs.push(r * libm::cos(theta));
                    inputs.push(r * libm::sin(theta));
                    targets.push(if inside { 1.0 } else { 0.0 });
                }
            }
            TaskSpec::Xor => {
                for _ in 0..n {
                    let mut p = [0.0; 2];
                    for c in &mut p {
                        let u = rng.random_range(-1.0..1.0f64);
                        let s = if u < 0.0 { -1.0 } else { 1.0 };
                        *c = s * (0.05 + 0.95 * u.abs());
                    }
                    inputs.extend_from_slice(&p);
                    targets.push(if p[0] * p[1] > 0.0 { 1.0 } else { 0.0 });
                }
            }
            TaskSpec::Spiral => {
                for i in 0..n {
                    let c = if i % 2 == 0 { 1.0 } else { 0.0 };
                    let m = if i % 2 == 0 { n.div_ceil(2) } else { n / 2 };
                    let r = (i / 2) as f64 / m as f64;
                    let theta = 3.5 * PI * r + PI * (1.0 - c);
                    inputs.push(r * libm::sin(theta));
                    inputs.push(r * libm::cos(theta));
                    targets.push(c);
                }
            }
        }
        let classification = task.is_classification();
        if noise > 0.0 {
            for t in &mut targets {
                if classification {
                    let u: f64 = rng.random();
                    if u < noise {
                        *t = 1.0 - *t;
                    }
                } else {
                    let e: f64 = rng.sample(StandardNormal);
                    *t += noise * e;
                }
            }
        }
        Dataset {
            dim,
            inputs,
            targets,
            classification,
        }
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether the data set has no samples (never, for a sanitized spec).
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }
}

/// The order in which samples are drawn into batches (see the module's documentation).
pub(crate) struct Batches {
    /// The batch size; 0 for the full data set.
    batch: usize,
    /// The current epoch's order of the samples.
    order: Vec<usize>,
    /// Where the next batch starts in `order`.
    next: usize,
    rng: Pcg64,
}

impl Batches {
    /// Batches of `batch` samples (0: the full data set) out of `samples`.
    pub(crate) fn new(samples: usize, batch: usize, seed: u64) -> Batches {
        let batch = if batch >= samples { 0 } else { batch };
        Batches {
            batch,
            order: (0..samples).collect(),
            next: samples,
            rng: generator(seed, Stream::Batches),
        }
    }

    /// The samples of every step: `batch` (or all of them, for the full data set).
    pub(crate) fn size(&self) -> usize {
        if self.batch == 0 {
            self.order.len()
        } else {
            self.batch
        }
    }

    /// The indices of the next batch, or `None` with the full data set, whose samples never
    /// change (a model loads them once).
    pub(crate) fn next_batch(&mut self) -> Option<&[usize]> {
        if self.batch == 0 {
            return None;
        }
        if self.next + self.batch > self.order.len() {
            for i in (1..self.order.len()).rev() {
                let j = self.rng.random_range(0..=i);
                self.order.swap(i, j);
            }
            self.next = 0;
        }
        let b = &self.order[self.next..self.next + self.batch];
        self.next += self.batch;
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_sets_follow_their_definitions() {
        let d = Dataset::generate(
            TaskSpec::Line {
                slope: 2.0,
                intercept: -1.0,
            },
            5,
            0.0,
            9,
        );
        assert_eq!(d.inputs, [-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(d.targets, [-3.0, -2.0, -1.0, 0.0, 1.0]);
        let d = Dataset::generate(TaskSpec::Sine, 3, 0.0, 9);
        assert_eq!(d.inputs, [-1.0, 0.0, 1.0]);
        assert!(d.targets.iter().all(|t| t.abs() < 1e-15));
        assert!(!d.classification);
    }

    #[test]
    fn classification_sets_follow_their_definitions() {
        let n = 400;
        let c = Dataset::generate(TaskSpec::Circle, n, 0.0, 2);
        for (i, (p, &t)) in c.inputs.chunks(2).zip(&c.targets).enumerate() {
            let r = p[0].hypot(p[1]);
            if i % 2 == 0 {
                assert!(t == 1.0 && r <= 0.5, "{i}: {r}");
            } else {
                assert!(t == 0.0 && (0.7..=1.0).contains(&r), "{i}: {r}");
            }
        }
        let x = Dataset::generate(TaskSpec::Xor, n, 0.0, 2);
        for (p, &t) in x.inputs.chunks(2).zip(&x.targets) {
            assert!(p.iter().all(|v| (0.05..=1.0).contains(&v.abs())));
            assert_eq!(t, if p[0] * p[1] > 0.0 { 1.0 } else { 0.0 });
        }
        let ones = x.targets.iter().sum::<f64>();
        assert!((ones - 200.0).abs() < 5.0 * 10.0, "{ones}");
        let s = Dataset::generate(TaskSpec::Spiral, 5, 0.0, 2);
        // Sample 3: spiral 0, j = 1 of M = 2: r = 1/2, θ = 3.5π/2 + π.
        let th = 3.5 * PI / 2.0 + PI;
        assert_eq!(&s.inputs[6..8], &[0.5 * th.sin(), 0.5 * th.cos()]);
        assert_eq!(s.targets, [1.0, 0.0, 1.0, 0.0, 1.0]);
        assert_eq!(s, Dataset::generate(TaskSpec::Spiral, 5, 0.0, 3));
    }

    #[test]
    fn noise_follows_its_definition() {
        let n = 2000;
        let clean = Dataset::generate(TaskSpec::Sine, n, 0.0, 4);
        let noisy = Dataset::generate(TaskSpec::Sine, n, 0.1, 4);
        let e: Vec<f64> = noisy
            .targets
            .iter()
            .zip(&clean.targets)
            .map(|(a, b)| (a - b) / 0.1)
            .collect();
        let var = e.iter().map(|x| x * x).sum::<f64>() / n as f64;
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(), "{var}");
        let clean = Dataset::generate(TaskSpec::Spiral, n, 0.0, 4);
        let noisy = Dataset::generate(TaskSpec::Spiral, n, 0.2, 4);
        let flips = clean
            .targets
            .iter()
            .zip(&noisy.targets)
            .filter(|(a, b)| a != b)
            .count() as f64;
        let sd = (n as f64 * 0.2 * 0.8).sqrt();
        assert!((flips - 400.0).abs() < 5.0 * sd, "{flips}");
    }

    #[test]
    fn batches_cover_each_epoch_without_repeats() {
        let mut b = Batches::new(10, 3, 1);
        assert_eq!(b.size(), 3);
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.extend_from_slice(b.next_batch().unwrap());
        }
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 9);
        let mut full = Batches::new(10, 10, 1);
        assert_eq!((full.size(), full.next_batch()), (10, None));
    }
}
