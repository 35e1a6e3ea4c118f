//! What a recurrent run records: a bounded history of steps with the gradient through time
//! at each, and the whole profile through time of the first and the latest step.
//!
//! **Steps are numbered from 1**, as in the training lab ([`crate::train::records`]): step
//! `n` evaluates the parameters after `n − 1` updates on its batch, back-propagates, and
//! makes update `n`.
//!
//! **History.** One row per recorded step: the step, the loss, the baseline's loss, the
//! accuracy (NaN for the adding problem), the gradient's total 2-norm before clipping, the
//! clip factor, the largest singular value of the recurrent matrix the step evaluated, and
//! the `T` values `‖∂L/∂h_t‖`, `t = 1..=T`, as `f64`. Rows are recorded every `stride`
//! steps (steps `1, 1 + stride, 1 + 2·stride, …`, the stride starting at 1); when the
//! history holds [`RnnRecords::capacity`] rows and another is due, every other row is
//! dropped (the second, fourth, …) and the stride doubles, so the rows always cover the
//! whole run evenly. The step at which training halts is always recorded, as the last row.
//!
//! The capacity is `GRID_CELLS / T` rows, at most [`MAX_ROWS`], rounded down to an even
//! number: so the grid of `‖∂L/∂h_t‖` holds at most [`GRID_CELLS`] values (16 MB), and at
//! `T = 1000` the history keeps 2096 rows.

/// The most rows of the history.
pub const MAX_ROWS: usize = 4_096;
/// The history's grid of `‖∂L/∂h_t‖` holds at most this many values.
pub const GRID_CELLS: usize = 1 << 21;

/// One step's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Row {
    pub(crate) step: u64,
    pub(crate) loss: f64,
    pub(crate) baseline_loss: Option<f64>,
    pub(crate) accuracy: f64,
    pub(crate) grad_total: f64,
    pub(crate) clip_coef: f64,
    pub(crate) sigma_max: f64,
}

/// The history and the profiles through time of a recurrent run.
#[derive(Clone, Debug, PartialEq)]
pub struct RnnRecords {
    length: usize,
    capacity: usize,
    stride: u64,
    steps: Vec<u64>,
    loss: Vec<f64>,
    baseline_loss: Option<Vec<f64>>,
    accuracy: Vec<f64>,
    grad_total: Vec<f64>,
    clip_coef: Vec<f64>,
    sigma_max: Vec<f64>,
    grid: Vec<f64>,
    first_time_grads: Vec<f64>,
    latest_time_grads: Vec<f64>,
    latest_step: u64,
}

impl RnnRecords {
    /// Empty records for sequences of `length`, with the capacity of the module's
    /// documentation.
    pub(crate) fn new(length: usize, baseline: bool) -> RnnRecords {
        let rows = (GRID_CELLS / length.max(1)).min(MAX_ROWS);
        RnnRecords::with_capacity(length, baseline, rows)
    }

    /// Empty records holding at most `capacity` rows (at least 2, even).
    pub(crate) fn with_capacity(length: usize, baseline: bool, capacity: usize) -> RnnRecords {
        RnnRecords {
            length,
            capacity: (capacity.max(2) / 2) * 2,
            stride: 1,
            steps: Vec::new(),
            loss: Vec::new(),
            baseline_loss: baseline.then(Vec::new),
            accuracy: Vec::new(),
            grad_total: Vec::new(),
            clip_coef: Vec::new(),
            sigma_max: Vec::new(),
            grid: Vec::new(),
            first_time_grads: Vec::new(),
            latest_time_grads: Vec::new(),
            latest_step: 0,
        }
    }

    /// Whether step `step` is due for a history row.
    pub(crate) fn due(&self, step: u64) -> bool {
        step.saturating_sub(1).is_multiple_of(self.stride)
    }

    /// Records a step and its `‖∂L/∂h_t‖` (`T` values): always as the latest (and, for
    /// step 1, as the first), as a history row when due or `force`d.
    pub(crate) fn record(&mut self, row: Row, time_grads: &[f64], force: bool) {
        if row.step == 1 {
            self.first_time_grads = time_grads.to_vec();
        }
        self.latest_time_grads.clear();
        self.latest_time_grads.extend_from_slice(time_grads);
        self.latest_step = row.step;
        if !(self.due(row.step) || force) {
            return;
        }
        if self.steps.len() == self.capacity {
            self.decimate();
        }
        if self.due(row.step) || force {
            self.push_row(row, time_grads);
        }
    }

    /// Appends a history row and its `T` values `‖∂L/∂h_t‖`, as they are (the caller keeps
    /// the history within its capacity).
    pub(crate) fn push_row(&mut self, row: Row, time_grads: &[f64]) {
        self.steps.push(row.step);
        self.loss.push(row.loss);
        if let (Some(v), Some(b)) = (&mut self.baseline_loss, row.baseline_loss) {
            v.push(b);
        }
        self.accuracy.push(row.accuracy);
        self.grad_total.push(row.grad_total);
        self.clip_coef.push(row.clip_coef);
        self.sigma_max.push(row.sigma_max);
        self.grid.extend_from_slice(time_grads);
    }

    /// Empties the history and sets its stride, for a history rebuilt row by row with
    /// [`push_row`](Self::push_row) (the wire codec's mirror of a run).
    pub(crate) fn restart_history(&mut self, stride: u64) {
        self.steps.clear();
        self.grid.clear();
        for v in self.columns() {
            v.clear();
        }
        if let Some(b) = &mut self.baseline_loss {
            b.clear();
        }
        self.stride = stride;
    }

    /// Replaces the latest step and its `‖∂L/∂h_t‖` (the wire codec's mirror of a run).
    pub(crate) fn set_latest(&mut self, step: u64, time_grads: &[f64]) {
        self.latest_step = step;
        self.latest_time_grads.clear();
        self.latest_time_grads.extend_from_slice(time_grads);
    }

    /// Replaces step 1's `‖∂L/∂h_t‖` (the wire codec's mirror of a run).
    pub(crate) fn set_first_time_grads(&mut self, time_grads: &[f64]) {
        self.first_time_grads.clear();
        self.first_time_grads.extend_from_slice(time_grads);
    }

    /// The history's columns of one number a row, but the steps and the baseline's loss.
    fn columns(&mut self) -> [&mut Vec<f64>; 5] {
        [
            &mut self.loss,
            &mut self.accuracy,
            &mut self.grad_total,
            &mut self.clip_coef,
            &mut self.sigma_max,
        ]
    }

    /// Keeps every other row (steps `1, 1 + 2·stride, …`) and doubles the stride.
    fn decimate(&mut self) {
        let t = self.length;
        let rows = self.steps.len();
        let mut kept = 0;
        for r in (0..rows).step_by(2) {
            self.steps[kept] = self.steps[r];
            for v in self.columns() {
                v[kept] = v[r];
            }
            if let Some(b) = &mut self.baseline_loss {
                b[kept] = b[r];
            }
            self.grid.copy_within(r * t..(r + 1) * t, kept * t);
            kept += 1;
        }
        self.steps.truncate(kept);
        for v in self.columns() {
            v.truncate(kept);
        }
        if let Some(b) = &mut self.baseline_loss {
            b.truncate(kept);
        }
        self.grid.truncate(kept * t);
        self.stride *= 2;
    }

    /// `T`: the values per row of the grid.
    pub fn length(&self) -> usize {
        self.length
    }

    /// The most rows the history holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Rows are recorded every `stride` steps (a power of 2).
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.steps.len()
    }

    /// The step of each row (numbered from 1), increasing.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// The batch's loss at each row's step (mean squared error, or cross-entropy).
    pub fn loss(&self) -> &[f64] {
        &self.loss
    }

    /// The baseline's loss (the initial parameters, on the same batch) per row, if the run
    /// has a baseline.
    pub fn baseline_loss(&self) -> Option<&[f64]> {
        self.baseline_loss.as_deref()
    }

    /// The share of the batch classified right per row (NaN for the adding problem).
    pub fn accuracy(&self) -> &[f64] {
        &self.accuracy
    }

    /// The gradient's total 2-norm before clipping, per row.
    pub fn grad_total(&self) -> &[f64] {
        &self.grad_total
    }

    /// The clip factor per row, as the training lab's
    /// ([`crate::train::Records::clip_coef`]): clipping by norm, the multiplier applied; by
    /// value, the clipped gradient's norm over the unclipped one's; no clipping, 1.
    pub fn clip_coef(&self) -> &[f64] {
        &self.clip_coef
    }

    /// The largest singular value of the recurrent matrix (the LSTM's stacked `W_hh`,
    /// `4H × H`) that each row's step evaluated (before its update), by power iteration
    /// warm-started from the previous row's vector (a relative change below `1e-10`, or at
    /// most 200 iterations per row).
    pub fn sigma_max(&self) -> &[f64] {
        &self.sigma_max
    }

    /// The heat map: `rows × T` values `‖∂L/∂h_t‖`, row-major (row `r` is step
    /// `steps()[r]`, column `t − 1` is time step `t`).
    pub fn time_grad_grid(&self) -> &[f64] {
        &self.grid
    }

    /// Row `r` of the heat map.
    pub fn time_grad_row(&self, r: usize) -> &[f64] {
        &self.grid[r * self.length..(r + 1) * self.length]
    }

    /// `‖∂L/∂h_t‖` for `t = 1..=T` at step 1, the initial weights (empty before it runs).
    pub fn first_time_grads(&self) -> &[f64] {
        &self.first_time_grads
    }

    /// `‖∂L/∂h_t‖` for `t = 1..=T` at the latest step (empty before step 1).
    pub fn latest_time_grads(&self) -> &[f64] {
        &self.latest_time_grads
    }

    /// The latest step recorded (0 before step 1).
    pub fn latest_step(&self) -> u64 {
        self.latest_step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(step: u64) -> Row {
        Row {
            step,
            loss: step as f64,
            baseline_loss: Some(-(step as f64)),
            accuracy: 0.5,
            grad_total: 2.0 * step as f64,
            clip_coef: 1.0,
            sigma_max: 3.0,
        }
    }

    #[test]
    fn a_full_history_keeps_every_other_row_and_doubles_its_stride() {
        let mut r = RnnRecords::with_capacity(2, true, 4);
        for s in 1..=21u64 {
            r.record(row(s), &[s as f64, 10.0 * s as f64], false);
        }
        assert_eq!(r.steps(), &[1, 9, 17]);
        assert_eq!(r.stride(), 8);
        assert_eq!(r.loss(), &[1.0, 9.0, 17.0]);
        assert_eq!(r.baseline_loss().unwrap(), &[-1.0, -9.0, -17.0]);
        assert_eq!(r.grad_total(), &[2.0, 18.0, 34.0]);
        assert_eq!(r.time_grad_grid(), &[1.0, 10.0, 9.0, 90.0, 17.0, 170.0]);
        assert_eq!(r.time_grad_row(1), &[9.0, 90.0]);
        assert_eq!(r.first_time_grads(), &[1.0, 10.0]);
        assert_eq!(r.latest_time_grads(), &[21.0, 210.0]);
        assert_eq!(r.latest_step(), 21);
        r.record(row(22), &[0.0, 0.0], true);
        assert_eq!(r.steps(), &[1, 9, 17, 22]);
        assert_eq!(r.sigma_max().len(), 4);
    }

    #[test]
    fn the_grid_stays_bounded() {
        assert_eq!(RnnRecords::new(1000, false).capacity(), 2096);
        assert_eq!(RnnRecords::new(50, false).capacity(), MAX_ROWS);
        for t in [1, 7, 333, 1000] {
            assert!(RnnRecords::new(t, true).capacity() * t <= GRID_CELLS);
        }
    }
}
