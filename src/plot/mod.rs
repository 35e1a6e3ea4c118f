//! Plotting: plotters drawing functions, generic over `DrawingBackend`, so the same code
//! draws to a browser canvas and to SVG.

pub mod axis;
pub mod layers;
pub mod points;
pub mod theme;

pub use axis::Scale;
pub use layers::{draw, draw_data, draw_static, Curve, Frame, LayerPlot, Layout, Role};
pub use theme::{Style, Theme};
