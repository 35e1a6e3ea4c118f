//! What the page shows, as pure Rust: parameters and their URL form, the views, the
//! explorer's model, number formatting and the formula. No web crates.

pub mod docs;
pub mod explorer;
pub mod export;
pub mod formula;
pub mod markup;
pub mod numbers;
pub mod page;
pub mod params;
pub mod player;
pub mod query;
pub mod remedies;
pub mod shortcuts;
pub mod train;
pub mod view;
pub mod views;
