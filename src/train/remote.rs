//! What a run needs to train in a Web Worker while the page shows it: the worker owns the
//! run ([`Remote`]) and sends, now and then, what the page lacks as one `f64` buffer; the
//! page keeps a mirror with the run's read API ([`Run`]) and the very same bits. The
//! training lab's [`Session`] and the recurrent lab's
//! [`RnnSession`](crate::train::rnn::session::RnnSession) are both such runs, so one
//! worker and one page-side engine serve both.
//!
//! Every update starts with a count (the run's depth, or its sequence length) and the step
//! it brings the run to, so that [`crate::train::wire::steps_of`] reads the step of
//! either.

use super::wire::{decode_spec, encode_spec, Mirror, Outbox};
use super::{Halt, Records, Session, TrainSpec};

#[cfg(test)]
pub(crate) mod checks;

/// What the page reads of a run, whether it trains here or is the mirror of one away.
pub trait Run {
    /// What defines the run (same spec, same bits).
    type Spec: Clone + PartialEq + std::fmt::Debug;
    /// What it records.
    type Records;
    /// Where it stopped itself.
    type Halt: Copy;
    /// The spec, brought into range.
    fn spec(&self) -> &Self::Spec;
    /// Steps run so far.
    fn steps(&self) -> u64;
    /// Where training stopped itself, if it did.
    fn halt(&self) -> Option<Self::Halt>;
    /// What the run recorded.
    fn records(&self) -> &Self::Records;
}

/// A run that can train away from the page: started from its spec, run some steps, and
/// sent as updates that its [`Remote::Mirror`] applies in order.
pub trait Remote: Run + Sized {
    /// The worker's side: what it has sent so far.
    type Outbox: Default;
    /// The page's side: the state as last sent.
    type Mirror: Run<Spec = Self::Spec, Records = Self::Records, Halt = Self::Halt>;
    /// A new run of `spec`.
    fn start(spec: &Self::Spec) -> Self;
    /// Runs up to `n` more steps; returns how many ran (fewer once it halted).
    fn train(&mut self, n: u64) -> u64;
    /// What the page lacks of the run since the last update of `outbox`.
    fn update(&self, outbox: &mut Self::Outbox) -> Vec<f64>;
    /// The mirror of a run of `spec` before its first step.
    fn mirror(spec: &Self::Spec) -> Self::Mirror;
    /// Applies one update to `mirror`; returns `false`, changing nothing, if it is
    /// malformed or out of order.
    fn apply(mirror: &mut Self::Mirror, update: &[f64]) -> bool;
    /// The spec as `f64`s.
    fn encode(spec: &Self::Spec) -> Vec<f64>;
    /// The spec back from [`Remote::encode`]'s numbers (`None` if malformed).
    fn decode(data: &[f64]) -> Option<Self::Spec>;
}

/// A run of any engine as a worker holds it: what it needs to train the run and send it,
/// whichever engine it is.
pub trait Hosted {
    /// Steps run so far.
    fn steps(&self) -> u64;
    /// Whether it stopped itself.
    fn halted(&self) -> bool;
    /// Runs up to `n` more steps; returns how many ran.
    fn train(&mut self, n: u64) -> u64;
    /// What the page lacks of the run since the last call ([`Remote::update`]).
    fn update(&mut self) -> Vec<f64>;
}

/// A run of `S` and its outbox.
pub struct Host<S: Remote> {
    session: S,
    outbox: S::Outbox,
}

impl<S: Remote> Host<S> {
    /// A new run of `spec`, nothing sent yet.
    pub fn new(spec: &S::Spec) -> Host<S> {
        Host {
            session: S::start(spec),
            outbox: S::Outbox::default(),
        }
    }
}

impl<S: Remote> Hosted for Host<S> {
    fn steps(&self) -> u64 {
        self.session.steps()
    }
    fn halted(&self) -> bool {
        self.session.halt().is_some()
    }
    fn train(&mut self, n: u64) -> u64 {
        self.session.train(n)
    }
    fn update(&mut self) -> Vec<f64> {
        self.session.update(&mut self.outbox)
    }
}

impl Run for Session {
    type Spec = TrainSpec;
    type Records = Records;
    type Halt = Halt;
    fn spec(&self) -> &TrainSpec {
        Session::spec(self)
    }
    fn steps(&self) -> u64 {
        Session::steps(self)
    }
    fn halt(&self) -> Option<Halt> {
        Session::halt(self)
    }
    fn records(&self) -> &Records {
        Session::records(self)
    }
}

impl Run for Mirror {
    type Spec = TrainSpec;
    type Records = Records;
    type Halt = Halt;
    fn spec(&self) -> &TrainSpec {
        Mirror::spec(self)
    }
    fn steps(&self) -> u64 {
        Mirror::steps(self)
    }
    fn halt(&self) -> Option<Halt> {
        Mirror::halt(self)
    }
    fn records(&self) -> &Records {
        Mirror::records(self)
    }
}

impl Remote for Session {
    type Outbox = Outbox;
    type Mirror = Mirror;
    fn start(spec: &TrainSpec) -> Session {
        Session::new(spec)
    }
    fn train(&mut self, n: u64) -> u64 {
        self.run(n)
    }
    fn update(&self, outbox: &mut Outbox) -> Vec<f64> {
        outbox.update(self)
    }
    fn mirror(spec: &TrainSpec) -> Mirror {
        Mirror::new(spec)
    }
    fn apply(mirror: &mut Mirror, update: &[f64]) -> bool {
        mirror.apply(update)
    }
    fn encode(spec: &TrainSpec) -> Vec<f64> {
        encode_spec(spec)
    }
    fn decode(data: &[f64]) -> Option<TrainSpec> {
        decode_spec(data)
    }
}
