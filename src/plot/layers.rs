//! The layer plot: a quantity against layer `k`, for a live curve drawn over faint
//! reference curves, with `inf`, `NaN` and underflowed zeros drawn as labelled markers on
//! bands of their own above and below the axis.
//!
//! The same function draws to a browser canvas and to SVG: it is generic over plotters'
//! `DrawingBackend`.

use super::axis::{self, Scale, Ticked};
use super::points::{self, Mark, Point};
use super::theme::Style;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a curve is there for, which decides how strongly it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A faint curve for comparison.
    Reference,
    /// A dashed curve that explains part of the live one.
    Companion,
    /// The curve of the current settings, drawn boldly.
    Live,
}

/// One curve: `values[i]` belongs to layer `first_layer + i` of its plot.
#[derive(Clone, Debug)]
pub struct Curve<'a> {
    /// The legend text.
    pub label: String,
    /// The values, one per layer; the plot shows their magnitude.
    pub values: &'a [f64],
    /// The colour.
    pub color: RGBColor,
    /// How strongly it is drawn.
    pub role: Role,
}

/// A plot of several curves against layer.
#[derive(Clone, Debug)]
pub struct LayerPlot<'a> {
    /// The title, drawn top left.
    pub title: String,
    /// The y-axis description.
    pub y_label: String,
    /// The layer of each curve's first value.
    pub first_layer: usize,
    /// How the y axis maps values.
    pub scale: Scale,
    /// The curves, drawn in order (put the live curve last).
    pub curves: Vec<Curve<'a>>,
}

/// Where the plot landed, in the backend's pixels, so that pointer positions can be mapped
/// back to layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Left, top, right and bottom of the plotting area.
    pub area: (i32, i32, i32, i32),
    /// The layers at the left and right edges.
    pub layers: (f64, f64),
}

impl Frame {
    /// The layer nearest to pixel column `x`, if `x` lies over the plot.
    pub fn layer_at(&self, x: f64, first: usize, last: usize) -> Option<usize> {
        let (left, _, right, _) = self.area;
        if x < left as f64 || x > right as f64 || right <= left {
            return None;
        }
        let t = (x - left as f64) / (right - left) as f64;
        let layer = (self.layers.0 + t * (self.layers.1 - self.layers.0)).round();
        Some((layer.max(first as f64) as usize).min(last))
    }
}

impl LayerPlot<'_> {
    /// The last layer any curve reaches.
    pub fn last_layer(&self) -> usize {
        let longest = self
            .curves
            .iter()
            .map(|c| c.values.len())
            .max()
            .unwrap_or(1);
        self.first_layer + longest.max(1) - 1
    }

    /// The y range of the numeric part of the axis (`log10|v|` or `|v|`).
    ///
    /// On a log axis it covers every finite nonzero value of every curve, so nothing is off
    /// the scale. On a linear axis it covers the live and companion curves; reference curves
    /// that leave it are cut at the border.
    pub fn y_range(&self) -> (f64, f64) {
        let considered = |c: &&Curve| self.scale == Scale::Log || c.role != Role::Reference;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for curve in self.curves.iter().filter(considered) {
            for &v in curve.values {
                if let Point::At(y) = points::classify(v, self.scale) {
                    lo = lo.min(y);
                    hi = hi.max(y);
                }
            }
        }
        match self.scale {
            Scale::Log => {
                if lo > hi {
                    return (-1.0, 1.0);
                }
                if hi - lo < 2.0 {
                    let mid = (hi + lo) / 2.0;
                    (lo, hi) = (mid - 1.0, mid + 1.0);
                }
                let pad = 0.04 * (hi - lo);
                (lo - pad, hi + pad)
            }
            Scale::Linear => {
                let top = if hi > 0.0 { hi * 1.05 } else { 1.0 };
                (0.0, if top.is_finite() { top } else { hi })
            }
        }
    }
}

/// The rows of the marker bands, in CSS pixels.
const BAND_ROW: f64 = 20.0;
const BAND_GAP: f64 = 5.0;

/// Draws `plot` on `area` and returns where its plotting area landed.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &LayerPlot,
    style: &Style,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    let theme = &style.theme;
    area.fill(&theme.background)?;
    let (width, height) = area.dim_in_pixel();
    let font_px = style.px(theme.font_px);
    let text = text_style(style, theme.font_px);
    let pad = style.px(10.0);

    // Header: the title, then the legend in as many rows as it needs.
    let title = text_style(style, theme.font_px * 1.15);
    area.draw(&Text::new(
        plot.title.clone(),
        (pad as i32, pad as i32),
        title.pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    let legend_top = pad + font_px * 1.7;
    let legend_rows = draw_legend(area, plot, style, legend_top, width as f64 - pad)?;
    let header = legend_top + legend_rows as f64 * font_px * 1.5 + pad * 0.3;
    let (_, body) = area.split_vertically(header as u32);

    let x_label_area = font_px * 2.8;
    let y_label_area = font_px * 4.6;
    let margin_bottom = pad * 0.5;
    let plot_height = (height as f64 - header - x_label_area - margin_bottom).max(1.0);
    let (lo, hi) = plot.y_range();
    let (row, gap) = (style.px(BAND_ROW), style.px(BAND_GAP));
    let log = plot.scale == Scale::Log;
    let top_px = gap + 2.0 * row;
    let bottom_px = if log { gap + row } else { 0.0 };
    let numeric_px = (plot_height - top_px - bottom_px).max(10.0);
    let per_px = (hi - lo) / numeric_px;
    let y_top = hi + top_px * per_px;
    let y_bottom = lo - bottom_px * per_px;
    let band_y = |mark: Mark| match mark {
        Mark::Inf => hi + (gap + 0.5 * row) * per_px,
        Mark::Nan => hi + (gap + 1.5 * row) * per_px,
        Mark::Zero => lo - (gap + 0.5 * row) * per_px,
    };

    let first = plot.first_layer as f64;
    let last = plot.last_layer() as f64;
    let (x0, x1) = if last > first {
        (first, last)
    } else {
        (first - 0.5, last + 0.5)
    };
    let x_ticks = axis::ticks(x0, x1, 6, true);
    let y_ticks = if log {
        axis::ticks(lo, hi, 6, true)
    } else {
        axis::ticks(lo, hi, 5, false)
    };
    let y_step = axis::nice_step(hi - lo, 5);

    let mut chart = ChartBuilder::on(&body)
        .margin_left(pad as u32)
        .margin_right((font_px * 1.8) as u32)
        .margin_bottom(margin_bottom as u32)
        .x_label_area_size(x_label_area as u32)
        .y_label_area_size(y_label_area as u32)
        .build_cartesian_2d(
            Ticked::new(x0, x1, x_ticks),
            Ticked::new(y_bottom, y_top, y_ticks),
        )?;
    let y_label = |v: &f64| {
        if log {
            axis::log_label(*v)
        } else {
            axis::linear_label(*v, y_step)
        }
    };
    chart
        .configure_mesh()
        .x_label_formatter(&|v| axis::layer_label(*v))
        .y_label_formatter(&y_label)
        .x_desc("layer k")
        .y_desc(plot.y_label.as_str())
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .bold_line_style(theme.grid.stroke_width(style.stroke(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(theme.axis.stroke_width(style.stroke(1.0)))
        .draw()?;

    // The marker bands, each row named in the label area.
    let band_fill = theme.band.filled();
    chart.draw_series([
        Rectangle::new([(x0, hi + gap * per_px), (x1, y_top)], band_fill),
        Rectangle::new([(x0, y_bottom), (x1, lo - gap * per_px)], band_fill),
    ])?;
    let row_label = text.pos(Pos::new(HPos::Right, VPos::Center));
    for mark in Mark::ALL.into_iter().filter(|&m| log || m != Mark::Zero) {
        chart.draw_series(std::iter::once(
            EmptyElement::at((x0, band_y(mark)))
                + Text::new(mark.name(), (-(pad as i32) / 2, 0), row_label.clone()),
        ))?;
    }

    let (x_pixels, _) = chart.plotting_area().get_pixel_range();
    let columns = (x_pixels.end - x_pixels.start).max(1) as usize;
    for curve in &plot.curves {
        let (color, width) = pen(curve, style);
        let stroke = color.stroke_width(width);
        for segment in points::segments(curve.values, plot.first_layer, plot.scale, (lo, hi)) {
            let line = points::decimate(&segment, (x0, x1), columns);
            if curve.role == Role::Companion {
                let dash = style.px(6.0) as i32;
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    line, dash, dash, stroke,
                )))?;
            } else {
                chart.draw_series(std::iter::once(PathElement::new(line, stroke)))?;
            }
        }
        draw_markers(&mut chart, plot, curve, color, style, &band_y, (x0, x1))?;
    }

    let (px, py) = chart.plotting_area().get_pixel_range();
    Ok(Frame {
        area: (px.start, py.start, px.end, py.end),
        layers: (x0, x1),
    })
}

/// The colour and line width (device pixels) of a curve.
fn pen(curve: &Curve, style: &Style) -> (RGBAColor, u32) {
    let theme = &style.theme;
    match curve.role {
        Role::Reference => (
            curve.color.mix(theme.reference_alpha),
            style.stroke(theme.line_px * 0.6),
        ),
        Role::Companion | Role::Live => (curve.color.to_rgba(), style.stroke(theme.line_px)),
    }
}

/// The chart type of a layer plot.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// Draws a curve's marked values: a bar over each run of layers on its band, a glyph at
/// the start of the run (a triangle for `inf`, a cross for `NaN`, a circle for `0`), and
/// for the live curve the run described in words.
fn draw_markers<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    plot: &LayerPlot,
    curve: &Curve,
    color: RGBAColor,
    style: &Style,
    band_y: &dyn Fn(Mark) -> f64,
    (x0, x1): (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let runs = points::runs(curve.values, plot.first_layer, plot.scale);
    if runs.is_empty() {
        return Ok(());
    }
    let bar = color.stroke_width(style.stroke(4.0));
    let glyph = color.stroke_width(style.stroke(2.0));
    let size = style.px(6.0) as i32;
    for run in &runs {
        let y = band_y(run.mark);
        let (a, b) = (run.first as f64, run.last as f64);
        chart.draw_series(std::iter::once(PathElement::new(vec![(a, y), (b, y)], bar)))?;
        match run.mark {
            Mark::Inf => chart.draw_series(std::iter::once(TriangleMarker::new(
                (a, y),
                size,
                color.filled(),
            )))?,
            Mark::Nan => chart.draw_series(std::iter::once(Cross::new((a, y), size, glyph)))?,
            Mark::Zero => {
                chart.draw_series(std::iter::once(Circle::new((a, y), size, color.filled())))?
            }
        };
    }
    if curve.role != Role::Live {
        return Ok(());
    }
    let last = plot.last_layer();
    let text = text_style(style, style.theme.font_px);
    for mark in Mark::ALL {
        let (Some(words), Some(run)) = (
            points::describe(&runs, mark, last),
            runs.iter().find(|r| r.mark == mark),
        ) else {
            continue;
        };
        // Beside the run, never over it: after its end if it stops before the last layer,
        // else before its start; a run that covers nearly everything gets a backing box.
        let gap = style.px(10.0) as i32;
        let (at, dx, h) = if run.last < last {
            (run.last as f64, gap, HPos::Left)
        } else if (run.first as f64 - x0) > 0.3 * (x1 - x0) {
            (run.first as f64, -gap, HPos::Right)
        } else {
            (run.first as f64, gap, HPos::Left)
        };
        let y = band_y(mark);
        let width = estimate_width(&words, style) as i32;
        let height = style.px(style.theme.font_px * 1.3) as i32;
        let left = if matches!(h, HPos::Left) {
            dx
        } else {
            dx - width
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((at, y))
                + Rectangle::new(
                    [(left - 3, -height / 2), (left + width + 3, height / 2)],
                    style.theme.band.filled(),
                )
                + Text::new(words, (dx, 0), text.pos(Pos::new(h, VPos::Center))),
        ))?;
    }
    Ok(())
}

/// Text of `css` CSS pixels in the theme's text colour.
fn text_style(style: &Style, css: f64) -> TextStyle<'_> {
    TextStyle::from(("sans-serif", style.font(css)).into_font()).color(&style.theme.text)
}

/// The width of `text` in device pixels, estimated: measuring text in a browser forces a
/// layout, which is too slow for every frame. Generous for sans-serif fonts.
fn estimate_width(text: &str, style: &Style) -> f64 {
    style.px(style.theme.font_px) * 0.5 * text.chars().count() as f64
}

/// Draws the legend from `top`, wrapping at `right`; returns the number of rows used.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &LayerPlot,
    style: &Style,
    top: f64,
    right: f64,
) -> Result<usize, DrawingAreaErrorKind<DB::ErrorType>> {
    let theme = &style.theme;
    let font_px = style.px(theme.font_px);
    let text = text_style(style, theme.font_px).pos(Pos::new(HPos::Left, VPos::Center));
    let sample = font_px * 1.8;
    let left = style.px(10.0);
    let (mut x, mut row) = (left, 0usize);
    // Live first: it is what the reader looks for.
    let order = plot
        .curves
        .iter()
        .filter(|c| c.role == Role::Live)
        .chain(plot.curves.iter().filter(|c| c.role != Role::Live));
    for curve in order {
        let w = sample + font_px * 0.4 + estimate_width(&curve.label, style) + font_px * 1.2;
        if x + w > right && x > left {
            x = left;
            row += 1;
        }
        let y = (top + (row as f64 + 0.5) * font_px * 1.5) as i32;
        let (color, width) = pen(curve, style);
        // Samples are bars, not lines: every line on the canvas is data.
        let half = (width as f64 / 2.0).max(1.0);
        let bar = |from: f64, to: f64| {
            Rectangle::new(
                [
                    (from as i32, (y as f64 - half) as i32),
                    (to as i32, (y as f64 + half) as i32),
                ],
                color.filled(),
            )
        };
        if curve.role == Role::Companion {
            let dash = sample / 5.0;
            for i in [0.0, 2.0, 4.0] {
                area.draw(&bar(x + i * dash, x + (i + 1.0) * dash))?;
            }
        } else {
            area.draw(&bar(x, x + sample))?;
        }
        area.draw(&Text::new(
            curve.label.clone(),
            ((x + sample + font_px * 0.4) as i32, y),
            text.clone(),
        ))?;
        x += w;
    }
    Ok(row + 1)
}
