//! The sequence tasks, generated from the seed, exactly defined.
//!
//! A data set holds `N` sequences `i = 0..N` of length `T`; position `p = 0..T` of a sequence
//! is the network's input `x_(p+1)` (the network counts time from 1, see
//! [`crate::train::rnn::net`]). Random numbers come from the run's data generator
//! (`Stream::Data`), drawn sequence after sequence in the order written; `U[a, b)` is
//! uniform on the interval, `U{a..b}` uniform on the integers `a` to `b − 1`. In NumPy terms
//! (with any generator `rng`):
//!
//! - **Adding** (Hochreiter and Schmidhuber 1997, in the form of Le, Jaitly and Hinton 2015):
//!   2 channels. Draw `v_p ~ U[0, 1)` for `p = 0..T`; with `m = ⌊T/2⌋`, draw
//!   `p1 ~ U{0..m}` (no draw when `T = 1`: then `p1 = 0`) and `p2 ~ U{m..T}`. Channel 0 is
//!   `v_p`, channel 1 the marker: 1 at `p1` and at `p2`, 0 elsewhere (at `T = 1` both
//!   markers fall on position 0, which holds a 1). The target is `v_p1 + v_p2`; the loss the
//!   mean squared error. Always predicting 1 scores `E[(v_p1 + v_p2 − 1)²] = 1/6` (`T ≥ 2`).
//!
//!   ```text
//!   v = rng.random(T); m = T // 2
//!   p1 = rng.integers(0, m) if m > 0 else 0; p2 = rng.integers(m, T)
//!   x = np.stack([v, np.isin(np.arange(T), [p1, p2])], axis=1); t = v[p1] + v[p2]
//!   ```
//!
//! - **Temporal order** (Hochreiter and Schmidhuber 1997, as in Pascanu, Mikolov and Bengio
//!   2013): 6 channels, one-hot symbols `A, B, c, d, e, f` (channels 0 to 5). Draw a
//!   distractor `d_p ~ U{2..6}` for `p = 0..T`; then `p1 ~ U{⌊T/10⌋..⌊2T/10⌋ + 1}` and
//!   `p2 ~ U{⌊5T/10⌋..⌊6T/10⌋ + 1}` (both ends included; for `T ≥ 2` the two ranges are
//!   disjoint and inside `[0, T)`, and temporal order needs `T ≥ 2`: shorter lengths are
//!   raised to 2); then `s1, s2 ~ U{0..2}` (0 is A, 1 is B). Position `p1` holds `s1`, `p2`
//!   holds `s2`, every other position its distractor. The class is `2·s1 + s2`: AA 0, AB 1,
//!   BA 2, BB 3; the loss softmax cross-entropy (chance: 25%, `ln 4`).
//!
//!   ```text
//!   s = rng.integers(2, 6, T)
//!   p1 = rng.integers(T // 10, 2 * T // 10 + 1); p2 = rng.integers(5 * T // 10, 6 * T // 10 + 1)
//!   s1, s2 = rng.integers(0, 2), rng.integers(0, 2); s[p1], s[p2] = s1, s2
//!   x = np.eye(6)[s]; label = 2 * s1 + s2
//!   ```
//!
//! - **First sign** ("remember the first input"): 1 channel. Draw `u ~ U[0, 1)`:
//!   `x_0 = +1` if `u < 0.5`, else `−1`; then `x_p ~ U[−1, 1)` for `p = 1..T`. The class is
//!   1 when `x_0 = +1`, else 0; the loss softmax cross-entropy (chance: 50%, `ln 2`).
//!
//! The network reads out the last hidden state only, `y = V·h_T + c`, so every task asks it
//! to carry something from early positions to the end.
//!
//! **Batches** are drawn as the training lab draws them ([`crate::train::task`], PyTorch's
//! `DataLoader` with `shuffle=True, drop_last=True`): each epoch shuffles `0..N` with the
//! batch generator and cuts it into `⌊N/batch⌋` batches; a batch of all `N` sequences is the
//! whole data set, in order, every step.

use super::spec::SeqTask;
use crate::sim::format::Real;
use crate::train::rng::{generator, Stream};
use rand::RngExt;

/// The number of symbols of the temporal-order task (A, B and four distractors).
pub const SYMBOLS: usize = 6;

/// A generated data set of sequences, stored compactly (one number per position) and
/// expanded into input channels when a batch is loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct SeqData {
    task: SeqTask,
    length: usize,
    /// Per sequence and position: the adding problem's value channel, or the first-sign
    /// input, or the temporal-order symbol (0 to 5), `N × T`.
    values: Vec<f64>,
    /// The two marked (adding) or relevant (temporal order) positions; empty for first sign.
    marks: Vec<[usize; 2]>,
    /// The adding problem's sums; the classes' indices.
    targets: Vec<f64>,
}

impl SeqData {
    /// The data set of `task` with `samples` sequences of length `length` (at least
    /// [`SeqTask::min_length`]) from `seed` (see the module's documentation).
    pub fn generate(task: SeqTask, samples: usize, length: usize, seed: u64) -> SeqData {
        let t_len = length.max(task.min_length());
        let mut rng = generator(seed, Stream::Data);
        let mut values = Vec::with_capacity(samples * t_len);
        let mut marks = Vec::new();
        let mut targets = Vec::with_capacity(samples);
        for _ in 0..samples {
            let start = values.len();
            match task {
                SeqTask::Adding => {
                    values.extend((0..t_len).map(|_| rng.random::<f64>()));
                    let m = t_len / 2;
                    let p1 = if m > 0 { rng.random_range(0..m) } else { 0 };
                    let p2 = rng.random_range(m..t_len);
                    marks.push([p1, p2]);
                    targets.push(values[start + p1] + values[start + p2]);
                }
                SeqTask::TemporalOrder => {
                    values.extend((0..t_len).map(|_| rng.random_range(2..SYMBOLS) as f64));
                    let p1 = rng.random_range(t_len / 10..=2 * t_len / 10);
                    let p2 = rng.random_range(5 * t_len / 10..=6 * t_len / 10);
                    let s1 = rng.random_range(0..2usize);
                    let s2 = rng.random_range(0..2usize);
                    values[start + p1] = s1 as f64;
                    values[start + p2] = s2 as f64;
                    marks.push([p1, p2]);
                    targets.push((2 * s1 + s2) as f64);
                }
                SeqTask::FirstSign => {
                    let first = if rng.random::<f64>() < 0.5 { 1.0 } else { -1.0 };
                    values.push(first);
                    values.extend((1..t_len).map(|_| rng.random_range(-1.0..1.0f64)));
                    targets.push(if first > 0.0 { 1.0 } else { 0.0 });
                }
            }
        }
        SeqData {
            task,
            length: t_len,
            values,
            marks,
            targets,
        }
    }

    /// The task.
    pub fn task(&self) -> SeqTask {
        self.task
    }

    /// The sequences' length `T`.
    pub fn length(&self) -> usize {
        self.length
    }

    /// The number of sequences.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there is no sequence.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Channel `channel` of sequence `i` at position `p`.
    pub fn input(&self, i: usize, p: usize, channel: usize) -> f64 {
        let v = self.values[i * self.length + p];
        match self.task {
            SeqTask::Adding if channel == 0 => v,
            SeqTask::Adding => {
                let [p1, p2] = self.marks[i];
                if p == p1 || p == p2 {
                    1.0
                } else {
                    0.0
                }
            }
            SeqTask::TemporalOrder => {
                if v as usize == channel {
                    1.0
                } else {
                    0.0
                }
            }
            SeqTask::FirstSign => v,
        }
    }

    /// Sequence `i` as `T × channels` numbers, position after position.
    pub fn sequence(&self, i: usize) -> Vec<f64> {
        let d = self.task.inputs();
        (0..self.length * d)
            .map(|k| self.input(i, k / d, k % d))
            .collect()
    }

    /// The target of sequence `i`: the adding problem's sum, or the class (0 to 3, or 0 and
    /// 1) as a number.
    pub fn target(&self, i: usize) -> f64 {
        self.targets[i]
    }

    /// The two positions that decide the target: the adding problem's markers, the temporal
    /// order's relevant symbols; `None` for first sign (position 0 decides).
    pub fn marks(&self, i: usize) -> Option<[usize; 2]> {
        self.marks.get(i).copied()
    }

    /// Writes sequence `i` into row `row` of a time-major batch buffer `x` of
    /// `T × batch × channels` values (position `p` of row `row` at
    /// `x[(p·batch + row)·channels..]`), rounded to `F`.
    pub(crate) fn load_into<F: Real>(&self, i: usize, row: usize, batch: usize, x: &mut [F]) {
        let d = self.task.inputs();
        for p in 0..self.length {
            let at = (p * batch + row) * d;
            for (ch, slot) in x[at..at + d].iter_mut().enumerate() {
                *slot = F::from_f64(self.input(i, p, ch));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adding_problem_marks_one_value_in_each_half() {
        for t_len in [1, 2, 3, 10, 51] {
            let d = SeqData::generate(SeqTask::Adding, 300, t_len, 3);
            let m = t_len / 2;
            for i in 0..d.len() {
                let x = d.sequence(i);
                let marked: Vec<usize> = (0..t_len).filter(|&p| x[2 * p + 1] == 1.0).collect();
                assert!(x.chunks(2).all(|c| (0.0..1.0).contains(&c[0])));
                assert!(x.chunks(2).all(|c| c[1] == 0.0 || c[1] == 1.0));
                let [p1, p2] = d.marks(i).unwrap();
                if t_len == 1 {
                    assert_eq!((marked.as_slice(), p1, p2), (&[0][..], 0, 0));
                    assert_eq!(d.target(i), 2.0 * x[0]);
                } else {
                    assert_eq!(marked, [p1, p2], "T {t_len}");
                    assert!(p1 < m && (m..t_len).contains(&p2));
                    assert_eq!(d.target(i), x[2 * p1] + x[2 * p2]);
                }
            }
        }
    }

    #[test]
    fn predicting_one_on_the_adding_problem_scores_a_sixth() {
        let n = 100_000;
        let d = SeqData::generate(SeqTask::Adding, n, 10, 7);
        let mse = (0..n).map(|i| (d.target(i) - 1.0).powi(2)).sum::<f64>() / n as f64;
        assert!(
            (mse / SeqTask::Adding.chance_loss() - 1.0).abs() < 0.01,
            "{mse}"
        );
        // The marked positions are uniform in their halves: each position of the first half
        // is marked about n/5 times.
        let mut counts = [0usize; 10];
        for i in 0..n {
            let [p1, p2] = d.marks(i).unwrap();
            counts[p1] += 1;
            counts[p2] += 1;
        }
        let sd = (n as f64 * 0.2 * 0.8).sqrt();
        assert!(counts
            .iter()
            .all(|&c| (c as f64 - 0.2 * n as f64).abs() < 5.0 * sd));
    }

    #[test]
    fn temporal_order_places_two_relevant_symbols_and_balances_the_classes() {
        for t_len in [2, 3, 7, 10, 100] {
            let n = 4000;
            let d = SeqData::generate(SeqTask::TemporalOrder, n, t_len, 5);
            let mut classes = [0usize; 4];
            for i in 0..n {
                let x = d.sequence(i);
                assert!(x.chunks(SYMBOLS).all(|c| c.iter().sum::<f64>() == 1.0));
                let sym = |p: usize| {
                    x[p * SYMBOLS..(p + 1) * SYMBOLS]
                        .iter()
                        .position(|&v| v == 1.0)
                        .unwrap()
                };
                let relevant: Vec<usize> = (0..t_len).filter(|&p| sym(p) < 2).collect();
                let [p1, p2] = d.marks(i).unwrap();
                assert_eq!(relevant, [p1, p2], "T {t_len}");
                assert!((t_len / 10..=2 * t_len / 10).contains(&p1));
                assert!((5 * t_len / 10..=6 * t_len / 10).contains(&p2));
                let class = 2 * sym(p1) + sym(p2);
                assert_eq!(d.target(i), class as f64);
                classes[class] += 1;
            }
            let sd = (n as f64 * 0.25 * 0.75).sqrt();
            for c in classes {
                assert!((c as f64 - n as f64 / 4.0).abs() < 5.0 * sd, "{classes:?}");
            }
        }
        // Too short a sequence is raised to 2.
        assert_eq!(
            SeqData::generate(SeqTask::TemporalOrder, 3, 1, 1).length(),
            2
        );
    }

    #[test]
    fn first_sign_starts_with_plus_or_minus_one() {
        let n = 4000;
        let d = SeqData::generate(SeqTask::FirstSign, n, 20, 9);
        let mut ones = 0.0;
        for i in 0..n {
            let x = d.sequence(i);
            assert!(x[0] == 1.0 || x[0] == -1.0);
            assert!(x[1..].iter().all(|v| (-1.0..1.0).contains(v)));
            assert_eq!(d.target(i), if x[0] > 0.0 { 1.0 } else { 0.0 });
            ones += d.target(i);
        }
        assert!(
            (ones - 2000.0).abs() < 5.0 * (n as f64 / 4.0).sqrt(),
            "{ones}"
        );
        assert_eq!(d.marks(0), None);
    }

    #[test]
    fn loading_writes_time_major_rows() {
        let d = SeqData::generate(SeqTask::Adding, 3, 4, 2);
        let mut x = vec![f64::NAN; 4 * 2 * 2];
        d.load_into(2, 1, 2, &mut x);
        d.load_into(0, 0, 2, &mut x);
        for p in 0..4 {
            for ch in 0..2 {
                assert_eq!(x[(p * 2) * 2 + ch], d.input(0, p, ch));
                assert_eq!(x[(p * 2 + 1) * 2 + ch], d.input(2, p, ch));
            }
        }
        assert_eq!(d, SeqData::generate(SeqTask::Adding, 3, 4, 2));
        assert_ne!(d, SeqData::generate(SeqTask::Adding, 3, 4, 3));
    }
}
