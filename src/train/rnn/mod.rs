//! The recurrent lab's engine: the single-neuron network of Pascanu, Mikolov and Bengio
//! (2013) with its loss surface and descents, computed exactly in `f64` ([`neuron`]); and
//! training: a plain RNN or an LSTM on a sequence task with SGD,
//! deterministically from a seed, and records what the lab plots: the loss and a baseline's,
//! the accuracy, the gradient's norm and clipping, the recurrent matrix's largest singular
//! value, and the gradient through time `‖∂L/∂h_t‖` at every time step, where the time step
//! plays the part the layer plays in a deep network. Pure Rust, no web crates.
//!
//! ```
//! use deep_signal::train::rnn::session::RnnSession;
//! use deep_signal::train::rnn::spec::{RnnSpec, SeqTask};
//!
//! let spec = RnnSpec { length: 10, ..RnnSpec::default() };
//! let mut session = RnnSession::new(&spec);
//! assert_eq!(session.run(20), 20);
//! let records = session.records();
//! assert_eq!(records.rows(), 20);
//! assert_eq!(records.latest_time_grads().len(), 10);
//! assert_eq!(SeqTask::Adding.chance_loss(), 1.0 / 6.0);
//! ```
//!
//! Modules: [`neuron`] (the one neuron), [`spec`] (what to train), [`tasks`] (the sequences, exactly defined), [`net`]
//! (the networks' equations and back-propagation through time), [`init`] (their starting
//! weights), [`records`] (what is recorded), [`session`] (the run), [`wire`] (a run's spec
//! and state as `f64` buffers, for a run in a Web Worker mirrored by the page); inside, the
//! power iteration for the largest singular value.

pub mod init;
pub mod net;
pub mod neuron;
pub mod records;
pub mod session;
mod singular;
pub mod spec;
pub mod tasks;
pub mod wire;
