//! What the session asks of a model: load a batch, and take a step.

use super::optim::{Applied, Detail, Hyper};
use super::records::{LayerProfile, Place};

/// One step's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Outcome {
    /// The loss before the update.
    pub(crate) loss: f64,
    /// What clipping and the update did.
    pub(crate) applied: Applied,
    /// Where the step's first non-finite value appeared, if any did.
    pub(crate) place: Option<Place>,
}

/// A trainable model with its data set, its batch buffers and its parameters (`Send`, so that
/// a session can move to a worker thread).
pub(crate) trait Model: Send {
    /// Copies the samples `indices` into the batch buffers (as many as the batch size).
    fn load_batch(&mut self, indices: &[usize]);
    /// The loss on the loaded batch (the forward pass only).
    fn loss(&mut self) -> f64;
    /// Declares that the parameters will never change again (the learning-rate-0
    /// baseline): the model may then compute each sample's part of the loss once, over the
    /// whole data set, and assemble [`loss`](Self::loss) from those parts in exactly the
    /// order and rounding of the forward pass, with the same bits.
    fn freeze(&mut self);
    /// Forward, backward, clipping and update on the loaded batch; fills `out` (one entry per
    /// layer) as much as `detail` asks.
    fn step(&mut self, h: &Hyper, detail: Detail, out: &mut [LayerProfile]) -> Outcome;
    /// Every parameter, as `f64`, in the model's order.
    fn parameters(&self) -> Vec<f64>;
    /// A copy with the same parameters, data and buffers.
    fn duplicate(&self) -> Box<dyn Model>;
}

/// The mean and population standard deviation of `v`, in `f64`.
pub(crate) fn mean_std(v: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let (mut n, mut s) = (0.0, 0.0);
    for x in v.clone() {
        n += 1.0;
        s += x;
    }
    let mean = s / n;
    let var = v.map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}
