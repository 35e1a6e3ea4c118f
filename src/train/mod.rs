//! Numeric building blocks for training small networks in the browser: dense matrix
//! products ([`kernel`]) and elementwise activation functions ([`fastmath`]), both pure
//! Rust and deterministic to the bit across machines.

pub mod fastmath;
pub mod kernel;
