//! Simulation: the deep scalar chain in four number formats, its closed form, and the
//! facts the lecture draws from them. Pure Rust; no web crates.

pub mod chain;
pub mod closed_form;
pub mod facts;
pub mod format;
pub mod regime;
pub mod wide;

pub use chain::{Chain, ChainParams, MAX_DEPTH};
pub use closed_form::{ClosedForm, WideParts};
pub use facts::{Deviation, Facts};
pub use format::NumberFormat;
pub use regime::Regime;
pub use wide::Wide;
