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
    /// Runs the next step's forward pass on the loaded batch ahead of the step, so that a
    /// long step can be split over two frames (see [`Session::begin`]); the step then uses
    /// it instead of running it again, with the same bits. Models whose steps are short need
    /// not: by default it does nothing.
    ///
    /// [`Session::begin`]: super::session::Session::begin
    fn forward_ahead(&mut self) {}
    /// Every parameter, as `f64`, in the model's order.
    fn parameters(&self) -> Vec<f64>;
    /// A copy with the same parameters, data and buffers.
    fn duplicate(&self) -> Box<dyn Model>;
}

/// The batches of `b` samples that cover samples `0..m` in order, the last padded with the
/// last sample, each with how many of its samples it covers for the first time.
pub(crate) fn covering_batches(m: usize, b: usize) -> impl Iterator<Item = (Vec<usize>, usize)> {
    (0..m).step_by(b.max(1)).map(move |start| {
        let idx = (0..b).map(|j| (start + j).min(m - 1)).collect();
        (idx, b.min(m - start))
    })
}

/// Checks that a frozen copy of `live` gives the forward pass's loss bits on batches of 7
/// from a data set of 10, in order, shuffled and with repeats.
#[cfg(test)]
pub(crate) fn assert_freezing_keeps_the_bits<M: Model + Clone>(mut live: M) {
    let mut frozen = live.clone();
    frozen.freeze();
    for idx in [
        [0, 1, 2, 3, 4, 5, 6],
        [9, 3, 8, 1, 0, 7, 2],
        [9, 9, 9, 4, 4, 5, 6],
    ] {
        live.load_batch(&idx);
        frozen.load_batch(&idx);
        assert_eq!(live.loss().to_bits(), frozen.loss().to_bits(), "{idx:?}");
    }
}
