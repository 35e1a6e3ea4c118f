//! The recurrent lab's engine: small recurrent networks, their loss surfaces and descents
//! on them, computed exactly in `f64`. Pure Rust, no web crates.

pub mod neuron;
