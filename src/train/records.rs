//! What a run records: the history of steps (bounded), the latest per-layer profiles and the
//! events on the way to NaN.
//!
//! **Steps are numbered from 1:** step `n` is the `n`-th step run. It evaluates the loss of
//! the parameters after `n − 1` updates, back-propagates, and makes update `n`. After
//! `steps=N` the last step run, and the one shown, is step `N`. Every step number of the
//! records (rows, events, the halt) counts this way.
//!
//! **History.** One row per recorded step: the step, the loss, the baseline's loss, the
//! gradient's total norm before clipping, the clip factor, and every layer's gradient norm
//! (before clipping, stored as `f64`, exactly as computed, so `f64` runs keep norms beyond
//! `f32`'s range). Rows are recorded every `stride` steps (steps `1, 1 + stride,
//! 1 + 2·stride, …`; the stride starts at 1). When the history
//! holds [`Records::capacity`] rows and another is due, every other row is dropped (the
//! second, fourth, … kept) and the stride doubles; so memory stays bounded however long
//! the run, and the rows always cover the whole run evenly. The one exception: the step at
//! which training halts itself is always recorded, as the last row.
//!
//! The capacity is `1,000,000 / layers` rows, at least 1,000 and at most 10,000 (so at most
//! 1,000,000 grid cells of 8 bytes, 8 MB, at the deepest chain), rounded down to an even
//! number.

/// The most rows of the history.
pub const MAX_ROWS: usize = 10_000;
/// The fewest rows of the history's capacity.
pub const MIN_ROWS: usize = 1_000;
/// The history's grid of gradient norms holds about this many cells at most.
pub const GRID_CELLS: usize = 1_000_000;

/// `|tanh|` above this counts as saturated.
pub const TANH_SATURATED: f64 = 0.97;
/// A sigmoid output below this, or above `1 −` this, counts as saturated.
pub const SIGMOID_SATURATED: f64 = 0.03;

/// One layer at one step.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LayerProfile {
    /// The 2-norm of the gradient of the layer's parameters (weights and bias), before
    /// clipping.
    pub grad_norm: f64,
    /// The 2-norm of the layer's parameters before the update.
    pub weight_norm: f64,
    /// `‖u‖/‖θ‖`: the norm of the update actually applied to the layer, `u = lr·d` (`d` the
    /// clipped gradient, or the momentum buffer, each product rounded to the format), over
    /// [`weight_norm`](Self::weight_norm). 0 when nothing moved (a learning rate of 0, a zero
    /// gradient).
    pub update_ratio: f64,
    /// The mean of the layer's outputs over the batch (and units): the chain's `y_k`; the
    /// MLP's activations (the output layer: its outputs).
    pub act_mean: f64,
    /// Their standard deviation (population, divided by the count).
    pub act_std: f64,
    /// The share of outputs in the activation's flat tails: `|tanh| >`
    /// [`TANH_SATURATED`], sigmoid below [`SIGMOID_SATURATED`] or above `1 −` it. 0 for
    /// linear and ReLU layers, the output layer and the chain.
    pub saturated: f64,
    /// The share of ReLU outputs that are exactly 0 (over the batch and units). 0 for other
    /// activations, the output layer and the chain.
    pub dead: f64,
    /// The chain's `‖∂L/∂y_k‖`: the 2-norm over the batch of the gradient reaching the
    /// layer's output, which back-propagation multiplies by `w_k` at every layer (the
    /// weights' gradients multiply it by the layer's input, and can stay flat while it
    /// explodes). 0 for the MLP.
    pub output_grad: f64,
}

/// Where the first non-finite value of a run appeared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A layer's output (for the MLP, before its activation) was `inf` or NaN for some sample:
    /// the first such layer, counting from 1.
    Activation(usize),
    /// Every output was finite, but the loss was not.
    Loss,
    /// Activations and loss were finite, but back-propagation produced a non-finite gradient:
    /// the first layer it reached (the highest such layer).
    Gradient(usize),
}

/// The first appearance of a non-finite value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The step.
    pub step: u64,
    /// Where.
    pub place: Place,
}

/// Something that happened on the way to NaN; each kind is recorded once, when it first
/// happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A first value was `inf` or NaN (activation, loss or gradient).
    NonFinite(Place),
    /// The loss was `inf` or NaN.
    LossNonFinite,
    /// Some gradient was NaN.
    GradientNan,
    /// After the step's update, some parameter was NaN.
    SomeParametersNan,
    /// After the step's update, every parameter was NaN: training halts.
    AllParametersNan,
}

/// An event and its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The step (numbered from 1).
    pub step: u64,
    /// What happened.
    pub kind: EventKind,
}

/// The latest step's numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Latest {
    /// The step (numbered from 1).
    pub step: u64,
    /// Its loss.
    pub loss: f64,
    /// The baseline's loss on the same batch, if the run has a baseline.
    pub baseline_loss: Option<f64>,
    /// The gradient's total 2-norm before clipping.
    pub grad_total: f64,
    /// The clip factor (see [`Records::clip_coef`]).
    pub clip_coef: f64,
    /// The step whose per-layer profiles [`layers`](Self::layers) holds: the last step of the
    /// latest [`Session::run`](crate::train::Session::run) or
    /// [`Session::step`](crate::train::Session::step).
    pub layers_step: u64,
    /// Every layer's profile, layer 1 first.
    pub layers: Vec<LayerProfile>,
}

/// One step's scalars.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct StepScalars {
    pub(crate) step: u64,
    pub(crate) loss: f64,
    pub(crate) baseline_loss: Option<f64>,
    pub(crate) grad_total: f64,
    pub(crate) clip_coef: f64,
}

/// The history, the latest profiles and the events of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Records {
    depth: usize,
    capacity: usize,
    stride: u64,
    steps: Vec<u64>,
    loss: Vec<f64>,
    baseline_loss: Option<Vec<f64>>,
    grad_total: Vec<f64>,
    clip_coef: Vec<f64>,
    grid: Vec<f64>,
    latest: Option<Latest>,
    events: Vec<Event>,
}

impl Records {
    /// Empty records for `depth` layers, with the capacity of the module's documentation.
    pub(crate) fn new(depth: usize, baseline: bool) -> Records {
        let rows = (GRID_CELLS / depth.max(1)).clamp(MIN_ROWS, MAX_ROWS);
        Records::with_capacity(depth, baseline, rows)
    }

    /// Empty records for `depth` layers holding at most `capacity` rows (at least 2, even).
    pub(crate) fn with_capacity(depth: usize, baseline: bool, capacity: usize) -> Records {
        let capacity = (capacity.max(2) / 2) * 2;
        Records {
            depth,
            capacity,
            stride: 1,
            steps: Vec::new(),
            loss: Vec::new(),
            baseline_loss: baseline.then(Vec::new),
            grad_total: Vec::new(),
            clip_coef: Vec::new(),
            grid: Vec::new(),
            latest: None,
            events: Vec::new(),
        }
    }

    /// Whether step `step` (numbered from 1) is due for a history row.
    pub(crate) fn due(&self, step: u64) -> bool {
        step.saturating_sub(1).is_multiple_of(self.stride)
    }

    /// Records a step: its scalars always become the latest; a row of the history when the
    /// step is due or `force`d; `layers` holds its gradient norms when a row is recorded, and
    /// becomes the latest profiles when `full`.
    pub(crate) fn record(
        &mut self,
        s: StepScalars,
        layers: &[LayerProfile],
        force: bool,
        full: bool,
    ) {
        if self.due(s.step) || force {
            if self.steps.len() == self.capacity {
                self.decimate();
            }
            if self.due(s.step) || force {
                self.push_row(s, layers.iter().map(|p| p.grad_norm));
            }
        }
        let latest = self.latest.get_or_insert_with(|| Latest {
            step: 0,
            loss: 0.0,
            baseline_loss: None,
            grad_total: 0.0,
            clip_coef: 1.0,
            layers_step: 0,
            layers: vec![LayerProfile::default(); layers.len()],
        });
        latest.step = s.step;
        latest.loss = s.loss;
        latest.baseline_loss = s.baseline_loss;
        latest.grad_total = s.grad_total;
        latest.clip_coef = s.clip_coef;
        if full {
            latest.layers_step = s.step;
            latest.layers.copy_from_slice(layers);
        }
    }

    /// Appends a history row as it is, without looking at the stride or the capacity: the
    /// step's scalars (its baseline loss only if the records have a baseline) and its
    /// gradient norms (`depth` of them).
    pub(crate) fn push_row(&mut self, s: StepScalars, grad_norms: impl IntoIterator<Item = f64>) {
        self.steps.push(s.step);
        self.loss.push(s.loss);
        if let (Some(v), Some(b)) = (&mut self.baseline_loss, s.baseline_loss) {
            v.push(b);
        }
        self.grad_total.push(s.grad_total);
        self.clip_coef.push(s.clip_coef);
        self.grid.extend(grad_norms);
    }

    /// Empties the history and sets its stride, for a history rebuilt row by row with
    /// [`push_row`](Self::push_row) (the wire codec's mirror of a run).
    pub(crate) fn restart_history(&mut self, stride: u64) {
        self.steps.clear();
        self.loss.clear();
        if let Some(b) = &mut self.baseline_loss {
            b.clear();
        }
        self.grad_total.clear();
        self.clip_coef.clear();
        self.grid.clear();
        self.stride = stride;
    }

    /// Replaces the latest step's numbers and profiles (the wire codec's mirror of a run).
    pub(crate) fn set_latest(&mut self, latest: Option<Latest>) {
        self.latest = latest;
    }

    /// Replaces the events (the wire codec's mirror of a run).
    pub(crate) fn set_events(&mut self, events: Vec<Event>) {
        self.events = events;
    }

    /// Keeps every other row (steps `1, 1 + 2·stride, …`) and doubles the stride.
    fn decimate(&mut self) {
        let d = self.depth;
        let rows = self.steps.len();
        let mut kept = 0;
        for r in (0..rows).step_by(2) {
            self.steps[kept] = self.steps[r];
            self.loss[kept] = self.loss[r];
            if let Some(b) = &mut self.baseline_loss {
                b[kept] = b[r];
            }
            self.grad_total[kept] = self.grad_total[r];
            self.clip_coef[kept] = self.clip_coef[r];
            self.grid.copy_within(r * d..(r + 1) * d, kept * d);
            kept += 1;
        }
        self.steps.truncate(kept);
        self.loss.truncate(kept);
        if let Some(b) = &mut self.baseline_loss {
            b.truncate(kept);
        }
        self.grad_total.truncate(kept);
        self.clip_coef.truncate(kept);
        self.grid.truncate(kept * d);
        self.stride *= 2;
    }

    /// Records `kind` at `step` unless an event of that kind is already recorded.
    pub(crate) fn event(&mut self, step: u64, kind: EventKind) {
        let same = |e: &Event| std::mem::discriminant(&e.kind) == std::mem::discriminant(&kind);
        if !self.events.iter().any(same) {
            self.events.push(Event { step, kind });
        }
    }

    /// The number of layers of each row.
    pub fn depth(&self) -> usize {
        self.depth
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

    /// The loss of each row: with [`steps`](Self::steps), the loss series.
    pub fn loss(&self) -> &[f64] {
        &self.loss
    }

    /// The baseline's loss of each row (learning rate 0, same batches), if the run has a
    /// baseline.
    pub fn baseline_loss(&self) -> Option<&[f64]> {
        self.baseline_loss.as_deref()
    }

    /// The gradient's total 2-norm before clipping, per row.
    pub fn grad_total(&self) -> &[f64] {
        &self.grad_total
    }

    /// The clip factor per row: clipping by norm, the multiplier applied to every gradient
    /// element, PyTorch's `coef = min(1, max/(total + 1e-6))` as rounded to the parameters'
    /// format (1 when the gradient was not clipped, NaN for a NaN gradient); clipping by
    /// value, which applies no single multiplier, the clipped gradient's norm over the
    /// unclipped one's; no clipping, 1.
    pub fn clip_coef(&self) -> &[f64] {
        &self.clip_coef
    }

    /// The heat map: `rows × depth` gradient norms, row-major (row `r` is step
    /// `steps()[r]`, column `l` is layer `l + 1`).
    pub fn grad_norm_grid(&self) -> &[f64] {
        &self.grid
    }

    /// Row `r` of the heat map: the gradient norm of every layer at step `steps()[r]`.
    pub fn grad_norm_row(&self, r: usize) -> &[f64] {
        &self.grid[r * self.depth..(r + 1) * self.depth]
    }

    /// The latest step's numbers and profiles, once a step has run.
    pub fn latest(&self) -> Option<&Latest> {
        self.latest.as_ref()
    }

    /// The events, in the order they happened.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The first event of `kind`'s kind (any place, for [`EventKind::NonFinite`]).
    pub fn first(&self, kind: EventKind) -> Option<Event> {
        let d = std::mem::discriminant(&kind);
        self.events
            .iter()
            .copied()
            .find(|e| std::mem::discriminant(&e.kind) == d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars(step: u64) -> StepScalars {
        StepScalars {
            step,
            loss: step as f64,
            baseline_loss: Some(-(step as f64)),
            grad_total: 1.0,
            clip_coef: 1.0,
        }
    }

    #[test]
    fn a_full_history_keeps_every_other_row_and_doubles_its_stride() {
        let mut r = Records::with_capacity(2, true, 4);
        for s in 1..=21u64 {
            let layers = [s as f64, 10.0 * s as f64].map(|g| LayerProfile {
                grad_norm: g,
                ..LayerProfile::default()
            });
            r.record(scalars(s), &layers, false, s == 21);
        }
        // Stride 1 holds 1..=4; step 5 halves to [1, 3] at stride 2, then 5 and 7 fill it;
        // step 9 halves to [1, 5] at stride 4, then 9 and 13; step 17 halves to [1, 9] at
        // stride 8, then 17.
        assert_eq!(r.steps(), &[1, 9, 17]);
        assert_eq!(r.stride(), 8);
        assert_eq!(r.loss(), &[1.0, 9.0, 17.0]);
        assert_eq!(r.baseline_loss().unwrap(), &[-1.0, -9.0, -17.0]);
        assert_eq!(r.grad_norm_grid(), &[1.0, 10.0, 9.0, 90.0, 17.0, 170.0]);
        assert_eq!(r.grad_norm_row(1), &[9.0, 90.0]);
        let latest = r.latest().unwrap();
        assert_eq!((latest.step, latest.layers_step), (21, 21));
        assert_eq!(latest.layers[1].grad_norm, 210.0);
        // A forced row (the halting step) is recorded off the stride.
        r.record(scalars(22), &[LayerProfile::default(); 2], true, false);
        assert_eq!(r.steps(), &[1, 9, 17, 22]);
    }

    #[test]
    fn gradient_norms_are_kept_at_both_ends_of_f64() {
        let mut r = Records::with_capacity(2, false, 4);
        let layers = [1.49e49, 5.07e-61].map(|g| LayerProfile {
            grad_norm: g,
            ..LayerProfile::default()
        });
        r.record(scalars(1), &layers, false, true);
        assert_eq!(r.grad_norm_row(0), &[1.49e49, 5.07e-61]);
        assert!(1.49e49 > f64::from(f32::MAX) && 5.07e-61 < f64::from(f32::from_bits(1)));
    }

    #[test]
    fn the_capacity_bounds_the_grid() {
        assert_eq!(Records::new(1, false).capacity(), MAX_ROWS);
        assert_eq!(Records::new(1000, false).capacity(), MIN_ROWS);
        assert_eq!(Records::new(200, false).capacity(), 5000);
        // At the deepest chain the grid holds 8 MB, as it did in f32 at twice the cells.
        let cells = Records::new(1000, false).capacity() * 1000;
        assert_eq!(cells * std::mem::size_of::<f64>(), 8_000_000);
    }

    #[test]
    fn each_kind_of_event_is_recorded_once() {
        let mut r = Records::new(3, false);
        r.event(4, EventKind::NonFinite(Place::Activation(2)));
        r.event(5, EventKind::NonFinite(Place::Loss));
        r.event(5, EventKind::LossNonFinite);
        assert_eq!(r.events().len(), 2);
        assert_eq!(
            r.first(EventKind::NonFinite(Place::Loss)),
            Some(Event {
                step: 4,
                kind: EventKind::NonFinite(Place::Activation(2))
            })
        );
        assert_eq!(r.first(EventKind::GradientNan), None);
    }
}
