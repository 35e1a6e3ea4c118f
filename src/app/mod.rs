//! What the page shows, as pure Rust: parameters and their URL form, the views, number
//! formatting and the formula. No web crates.

pub mod docs;
pub mod export;
pub mod formula;
pub mod lab;
pub mod markup;
pub mod numbers;
pub mod page;
pub mod params;
pub mod query;
pub mod shared;
pub mod shortcuts;
pub mod typed;
pub mod view;
pub mod views;
