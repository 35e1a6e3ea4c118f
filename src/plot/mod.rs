//! Plotting: plotters drawing functions, generic over `DrawingBackend`, so the same code
//! draws to a browser canvas and to SVG. The app draws through one backend, the
//! [`Recorder`], and replays its [`Picture`] on either (see [`record`]).

pub mod axis;
pub mod heat;
pub mod layers;
pub mod phase;
pub mod points;
pub mod record;
#[cfg(feature = "surface-plot")]
pub mod surface;
pub mod theme;

pub use axis::Scale;
pub use heat::{draw_heat, HeatPlot, ValueAxis};
pub use layers::{draw, draw_data, draw_static, Curve, Frame, LayerPlot, Layout, Role};
pub use phase::{draw_phase, PhasePlot, PhasePoint};
pub use record::{Picture, Recorder};
#[cfg(feature = "surface-plot")]
pub use surface::{draw_surface, SurfacePath, SurfacePlot};
pub use theme::{Style, Theme};

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, DrawingBackend};
use std::convert::Infallible;

/// Any plot a view shows.
#[derive(Clone, Debug)]
pub enum Plot<'a> {
    /// Curves against layer or step.
    Layers(LayerPlot<'a>),
    /// A heat map of layers over steps (or of histograms over layers).
    #[cfg(feature = "heat-plot")]
    Heat(HeatPlot<'a>),
    /// A mean-field phase diagram.
    #[cfg(feature = "phase-plot")]
    Phase(PhasePlot),
    /// A loss surface over two parameters, with descent paths.
    #[cfg(feature = "surface-plot")]
    Surface(SurfacePlot<'a>),
}

impl Plot<'_> {
    /// The title.
    pub fn title(&self) -> &str {
        match self {
            Plot::Layers(p) => &p.title,
            #[cfg(feature = "heat-plot")]
            Plot::Heat(p) => &p.title,
            #[cfg(feature = "phase-plot")]
            Plot::Phase(p) => &p.title,
            #[cfg(feature = "surface-plot")]
            Plot::Surface(p) => &p.title,
        }
    }

    /// The first and last position on the x axis (layers or steps).
    pub fn x_bounds(&self) -> (usize, usize) {
        match self {
            Plot::Layers(p) => (p.first_layer, p.last_layer()),
            #[cfg(feature = "heat-plot")]
            Plot::Heat(p) => (p.first_x, p.last_x()),
            #[cfg(feature = "phase-plot")]
            Plot::Phase(p) => (0, p.x_max.ceil() as usize),
            #[cfg(feature = "surface-plot")]
            Plot::Surface(p) => (0, p.values.len().checked_div(p.cols).unwrap_or(0)),
        }
    }
}

/// Draws any plot on `area` and returns where its plotting area landed.
pub fn draw_plot<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot,
    style: &Style,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    match plot {
        Plot::Layers(p) => draw(area, p, style),
        #[cfg(feature = "heat-plot")]
        Plot::Heat(p) => draw_heat(area, p, style),
        #[cfg(feature = "phase-plot")]
        Plot::Phase(p) => draw_phase(area, p, style),
        #[cfg(feature = "surface-plot")]
        Plot::Surface(p) => draw_surface(area, p, style),
    }
}

/// Draws `plot` on a [`Picture`] of `size` pixels, to be replayed on a canvas or written as
/// SVG; returns it with where its plotting area landed.
pub fn record(
    plot: &Plot,
    style: &Style,
    size: (u32, u32),
) -> Result<(Picture, Frame), DrawingAreaErrorKind<Infallible>> {
    let mut picture = Picture::new(size);
    let frame = draw_plot(&picture.area(), plot, style)?;
    Ok((picture, frame))
}
