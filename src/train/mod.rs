//! The training lab's engine: trains the lecture's chain or a fully connected network with
//! SGD, deterministically from a seed, and records what the lab plots: the loss and a
//! baseline's, each layer's gradient norm over time, the latest per-layer profiles, and the
//! chain of events from the first overflow to NaN weights. Pure Rust, no web crates.
//!
//! ```
//! use deep_signal::train::{Session, TrainSpec};
//!
//! let mut session = Session::new(&TrainSpec::default());
//! assert_eq!(session.run(100), 100);
//! let records = session.records();
//! assert_eq!(records.steps().len(), records.loss().len());
//! assert!(records.loss()[99] < records.loss()[0]);
//! ```
//!
//! Modules: [`spec`] (what to train), [`task`] (the data sets, exactly defined), [`records`]
//! (what is recorded), [`session`] (the run), [`wire`] (a run's spec and state as `f64`
//! buffers, for a run in a Web Worker mirrored by the page), [`remote`] (what any run needs to
//! train in a worker), [`rnn`] (the recurrent lab's
//! engine: the single-neuron recurrent network and its loss surface, and recurrent networks
//! and LSTMs trained on sequence tasks); inside, the chain, the
//! MLP, their init, the optimiser and the one matrix product.

#![warn(missing_docs)]

mod chain;
mod draws;
pub mod fastmath;
mod init;
pub mod kernel;
mod linalg;
mod mlp;
mod model;
mod norm;
mod optim;
pub mod probe;
pub mod records;
pub mod remote;
mod rng;
pub mod rnn;
pub mod session;
pub mod spec;
mod sums;
pub mod task;
pub mod theory;
pub mod wire;

pub use records::{Event, EventKind, Latest, LayerProfile, Origin, Place, Records};
pub use session::{Halt, Session};
pub use spec::{
    Activation, ChainSpec, Clip, Init, MlpSpec, ModelSpec, Norm, NormPlace, Residual, TaskSpec,
    TrainSpec,
};
pub use task::Dataset;
