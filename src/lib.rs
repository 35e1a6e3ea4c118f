//! deep-signal: why very deep networks fail to train, shown live.
//!
//! Three layers, and only the last touches the browser:
//! - [`sim`], [`train`] and [`app`]: pure Rust, no web crates, tested natively;
//! - [`plot`]: plotters drawing functions, generic over `DrawingBackend`;
//! - `web` (wasm32 only): the shell that wires the DOM, the URL and the canvases;
//! - [`decimal`]: reading decimal numbers, for all of them. Its one exception to the rule
//!   above: in the wasm build it hands text already checked to the browser's parser.

pub mod app;
pub mod decimal;
pub mod plot;
pub mod sim;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;
