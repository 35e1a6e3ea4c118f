//! The layer plot: a quantity against layer `k`, for a live curve drawn over faint
//! reference curves, with `inf`, `NaN` and underflowed zeros drawn as labelled markers on
//! bands of their own above and below the axis.
//!
//! The same function draws to a browser canvas and to SVG: it is generic over plotters'
//! `DrawingBackend`.

use super::axis::{self, Scale, Ticked};
use super::points::{self, Mark};
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
    /// Its legend entry: `None` for one of its own, named by the label; `Some(name)` for
    /// one entry that every curve of the same `name` shares (each configuration's
    /// "theory"), drawn in the text colour when their colours differ.
    pub shared: Option<&'static str>,
}

/// A plot of several curves against layer.
#[derive(Clone, Debug)]
pub struct LayerPlot<'a> {
    /// The title, drawn top left.
    pub title: String,
    /// The y-axis description.
    pub y_label: String,
    /// The position (layer or step) of each curve's first value.
    pub first_layer: usize,
    /// The distance on the x axis between consecutive values (1 for layers; the
    /// recording stride for steps).
    pub x_stride: usize,
    /// What a position on the x axis is called in words (`layer`, `step`).
    pub x_name: &'static str,
    /// The x axis's description (`layer k`).
    pub x_label: &'static str,
    /// How the y axis maps values.
    pub scale: Scale,
    /// The curves, drawn in order (put the live curve last).
    pub curves: Vec<Curve<'a>>,
    /// The y range the same plot had in the previous frame, if any. It is kept while the
    /// data still fills most of it, so the axes hold still during a drag.
    pub previous_range: Option<(f64, f64)>,
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
        self.first_layer + (longest.max(1) - 1) * self.x_stride
    }

    /// The y range of the numeric part of the axis (`log10|v|` or `|v|`).
    ///
    /// On a log axis it covers every finite nonzero value of every curve, so nothing is off
    /// the scale. On a linear axis it covers the live and companion curves; reference curves
    /// that leave it are cut at the border. It is [`previous_range`](Self::previous_range)
    /// when that still holds all the data and the data spans at least half of it.
    pub fn y_range(&self) -> (f64, f64) {
        let considered = |c: &&Curve| self.scale == Scale::Log || c.role != Role::Reference;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for curve in self.curves.iter().filter(considered) {
            if let Some((a, b)) = points::extent(curve.values, self.scale) {
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
        // Ends snap outwards to half a tick step, so the axes hold still while a slider
        // moves the curve a little (and redraws can reuse more).
        let snap = |lo: f64, hi: f64, whole: bool| {
            let mut q = axis::nice_step(hi - lo, 6) / 2.0;
            if whole {
                q = q.max(0.5);
            }
            let pad = 0.02 * (hi - lo);
            let (a, b) = (((lo - pad) / q).floor() * q, ((hi + pad) / q).ceil() * q);
            // Near the end of f64's range the snapped end may overflow: keep the data's.
            (
                if a.is_finite() { a } else { lo },
                if b.is_finite() { b } else { hi },
            )
        };
        if let Some((a, b)) = self.previous_range {
            let bottom = if self.scale == Scale::Linear { a } else { lo };
            if a <= bottom && hi <= b && (hi - bottom) >= 0.5 * (b - a) {
                return (a, b);
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
                snap(lo, hi, true)
            }
            Scale::Linear => {
                if !(hi > 0.0 && hi.is_finite()) {
                    return (0.0, 1.0);
                }
                (0.0, snap(0.0, hi, false).1)
            }
        }
    }
}

/// The height of a marker band's row, and the gap between the bands and the numeric part
/// of the axis, in multiples of the font size.
const BAND_ROW: f64 = 1.5;
const BAND_GAP: f64 = 0.4;
/// Room kept in the legend for a lone live curve's label, which changes as sliders move.
const LIVE_LABEL_CHARS: usize = 34;
/// The largest share of a plot's height its legend takes, where shortened labels fit.
const LEGEND_SHARE: f64 = 0.2;

/// One entry of the legend.
#[derive(Clone, Debug, PartialEq)]
struct LegendEntry {
    /// Index of the curve in the plot.
    curve: usize,
    /// The left end and vertical middle of the sample, in pixels.
    at: (f64, f64),
    /// The label; `None` for the live curve, whose label is drawn with the data.
    label: Option<String>,
    /// Whether labels are cut to their configuration's letter.
    short: bool,
    color: RGBColor,
    role: Role,
}

/// A label cut to what precedes its `: ` where that is a configuration's letter
/// (`A: ReLU, He init` → `A`); any other label whole.
fn shortened(label: &str) -> &str {
    match label.split_once(": ") {
        Some((head, _)) if head.chars().count() <= 2 => head,
        _ => label,
    }
}

/// The legend's entries, live curves first, wrapped at the right edge of a plot `width`
/// device pixels wide, and how many rows they take. Curves sharing an entry get one.
fn lay_out_legend(
    plot: &LayerPlot,
    style: &Style,
    width: f64,
    top: f64,
    short: bool,
) -> (Vec<LegendEntry>, usize) {
    let font_px = style.px(style.theme.font_px);
    let pad = style.px(10.0);
    let sample = font_px * 1.8;
    let lives = plot.curves.iter().filter(|c| c.role == Role::Live).count();
    let order = (0..plot.curves.len())
        .filter(|&i| plot.curves[i].role == Role::Live)
        .chain((0..plot.curves.len()).filter(|&i| plot.curves[i].role != Role::Live));
    let mut legend: Vec<LegendEntry> = Vec::new();
    let (mut x, mut row) = (pad, 0usize);
    for i in order {
        let curve = &plot.curves[i];
        if curve.shared.is_some() {
            let same = |e: &&mut LegendEntry| plot.curves[e.curve].shared == curve.shared;
            if let Some(entry) = legend.iter_mut().find(same) {
                if entry.color != curve.color {
                    entry.color = style.theme.text;
                }
                continue;
            }
        }
        let live = curve.role == Role::Live;
        let text = match curve.shared {
            Some(name) => name,
            None if short => shortened(&curve.label),
            None => &curve.label,
        };
        let chars = text.chars().count();
        let chars = if live && lives == 1 {
            chars.max(LIVE_LABEL_CHARS)
        } else {
            chars
        };
        let w = sample + font_px * (1.6 + 0.5 * chars as f64);
        if x + w > width - pad && x > pad {
            x = pad;
            row += 1;
        }
        legend.push(LegendEntry {
            curve: i,
            at: (x, top + (row as f64 + 0.5) * font_px * 1.5),
            label: (!live).then(|| text.to_string()),
            short,
            color: curve.color,
            role: curve.role,
        });
        x += w;
    }
    (legend, row + 1)
}

/// Where everything of a plot goes, worked out before drawing, and all that the static
/// part of the plot (background, title, legend, axes, grid, bands, reference curves)
/// depends on: two plots with equal layouts have identical static parts, which a canvas
/// can draw once and reuse while only the live curves change.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    style: Style,
    size: (u32, u32),
    title: String,
    y_label: String,
    x_label: &'static str,
    /// Legend entries in drawing order.
    legend: Vec<LegendEntry>,
    header: f64,
    scale: Scale,
    /// The layers at the ends of the x axis.
    x: (f64, f64),
    x_ticks: Vec<f64>,
    /// The numeric y range, in data coordinates (`log10|v|` or `|v|`).
    raw: (f64, f64),
    /// The unit a linear y axis counts in (1 on a log axis).
    unit: f64,
    y_ticks: Vec<f64>,
    y_step: f64,
    /// The y range of the chart in axis coordinates, bands included.
    y: (f64, f64),
    /// Axis units per pixel.
    per_px: f64,
    /// A fingerprint of the reference curves' values, which the static part draws.
    references: u64,
}

impl Layout {
    /// Lays out `plot` on a drawing area of `size` pixels.
    pub fn new(plot: &LayerPlot, style: &Style, size: (u32, u32)) -> Layout {
        let theme = &style.theme;
        let font_px = style.px(theme.font_px);
        let pad = style.px(10.0);

        // The legend: live curves first, wrapped at the right edge, in at most a fifth of
        // the plot's height; where full labels would take more, "A: ReLU, He init" is cut to
        // "A" (the configuration's words are named beside the plot).
        let legend_top = pad + font_px * 1.7;
        let budget = ((size.1 as f64 * LEGEND_SHARE - pad * 0.3) / (font_px * 1.5)).max(1.0);
        let lay_out = |short| lay_out_legend(plot, style, size.0 as f64, legend_top, short);
        let (mut legend, mut rows) = lay_out(false);
        if rows as f64 > budget {
            (legend, rows) = lay_out(true);
        }
        let header = legend_top + rows as f64 * font_px * 1.5 + pad * 0.3;

        let plot_height = (size.1 as f64 - header - font_px * 2.8 - pad * 0.5).max(1.0);
        // A linear axis counts in units of a power of ten, so that its ends (and the bands
        // above them) stay finite even for values near f64's largest, 1.8e308.
        let raw = plot.y_range();
        let unit = match plot.scale {
            Scale::Linear if raw.1 > 0.0 => 10f64.powf(raw.1.log10().floor()),
            _ => 1.0,
        };
        let (lo, hi) = (raw.0 / unit, raw.1 / unit);
        let (row_px, gap) = (font_px * BAND_ROW, font_px * BAND_GAP);
        let log = plot.scale == Scale::Log;
        let top_px = gap + 2.0 * row_px;
        let bottom_px = if log { gap + row_px } else { 0.0 };
        let numeric_px = (plot_height - top_px - bottom_px).max(10.0);
        let per_px = (hi - lo) / numeric_px;
        // At most `n` y ticks, and fewer on a short plot (large text on a small screen), so
        // that their labels stay two lines of text apart.
        let fit = |n: usize| ((numeric_px / (2.0 * font_px)) as usize).clamp(2, n);

        let first = plot.first_layer as f64;
        let last = plot.last_layer() as f64;
        let x = if last > first {
            (first, last)
        } else {
            (first - 0.5, last + 0.5)
        };
        Layout {
            style: style.clone(),
            size,
            title: plot.title.clone(),
            y_label: plot.y_label.clone(),
            x_label: plot.x_label,
            legend,
            header,
            scale: plot.scale,
            x,
            x_ticks: axis::ticks(x.0, x.1, 6, true),
            raw,
            unit,
            y_ticks: if log {
                axis::ticks(lo, hi, fit(6), true)
            } else {
                axis::ticks(lo, hi, fit(5), false)
            },
            y_step: axis::nice_step(hi - lo, fit(5)),
            y: (lo - bottom_px * per_px, hi + top_px * per_px),
            per_px,
            references: fingerprint(plot),
        }
    }

    /// The share of the plot's height its legend takes.
    pub fn legend_share(&self) -> f64 {
        let style = &self.style;
        let top = style.px(10.0) + style.px(style.theme.font_px) * 1.7;
        (self.header - top) / self.size.1 as f64
    }

    /// The numeric y range in data coordinates (`log10|v|` or `|v|`), for
    /// [`LayerPlot::previous_range`].
    pub fn range(&self) -> (f64, f64) {
        self.raw
    }

    /// The numeric y range in axis coordinates.
    fn numeric(&self) -> (f64, f64) {
        (self.raw.0 / self.unit, self.raw.1 / self.unit)
    }

    /// The y coordinate of the middle of a mark's band row.
    fn band_y(&self, mark: Mark) -> f64 {
        let (lo, hi) = self.numeric();
        let font_px = self.style.px(self.style.theme.font_px);
        let (row, gap) = (font_px * BAND_ROW, font_px * BAND_GAP);
        match mark {
            Mark::Inf => hi + (gap + 0.5 * row) * self.per_px,
            Mark::Nan => hi + (gap + 1.5 * row) * self.per_px,
            Mark::Zero => lo - (gap + 0.5 * row) * self.per_px,
        }
    }

    /// The chart on the part of `area` below the header; draws nothing.
    fn chart<'a, DB: DrawingBackend>(
        &self,
        area: &'a DrawingArea<DB, Shift>,
    ) -> Result<Chart<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
        let font_px = self.style.px(self.style.theme.font_px);
        let pad = self.style.px(10.0);
        let (_, body) = area.split_vertically(self.header as u32);
        ChartBuilder::on(&body)
            .margin_left(pad as u32)
            .margin_right((font_px * 1.8) as u32)
            .margin_bottom((pad * 0.5) as u32)
            .x_label_area_size((font_px * 2.8) as u32)
            .y_label_area_size((font_px * 4.6) as u32)
            .build_cartesian_2d(
                Ticked::new(self.x.0, self.x.1, self.x_ticks.clone()),
                Ticked::new(self.y.0, self.y.1, self.y_ticks.clone()),
            )
    }
}

/// One step of the multiply-rotate hash of rustc's `FxHasher`: cheap enough to run over
/// every value a plot draws.
pub(crate) fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// A hash of the reference curves: their labels, colours and the bits of their values.
/// It runs on every redraw over up to three times 10,001 values, so it is the cheap
/// multiply-rotate hash of rustc's `FxHasher`, not SipHash.
fn fingerprint(plot: &LayerPlot) -> u64 {
    let mut h = 0u64;
    for c in plot.curves.iter().filter(|c| c.role == Role::Reference) {
        h = c.label.bytes().fold(h, |h, b| mix(h, b as u64));
        h = mix(
            h,
            u64::from_be_bytes([0, 0, 0, 0, 0, c.color.0, c.color.1, c.color.2]),
        );
        h = c.values.iter().fold(h, |h, v| mix(h, v.to_bits()));
    }
    h
}

/// Draws `plot` on `area` and returns where its plotting area landed.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &LayerPlot,
    style: &Style,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    let layout = Layout::new(plot, style, area.dim_in_pixel());
    draw_static(area, plot, &layout)?;
    draw_data(area, plot, &layout)
}

/// Draws the part of a plot that depends only on its [`Layout`]: background, title,
/// legend samples and fixed labels, axes, grid, tick labels, the marker bands, and the
/// reference curves.
pub fn draw_static<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &LayerPlot,
    layout: &Layout,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = &layout.style;
    let theme = &style.theme;
    area.fill(&theme.background)?;
    let font_px = style.px(theme.font_px);
    let text = text_style(style, theme.font_px);
    let pad = style.px(10.0);
    area.draw(&Text::new(
        layout.title.clone(),
        (pad as i32, pad as i32),
        text_style(style, theme.font_px * 1.15).pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    let legend_text = text.pos(Pos::new(HPos::Left, VPos::Center));
    let sample = font_px * 1.8;
    for entry in &layout.legend {
        let (x, y) = entry.at;
        let (color, width) = pen_of(entry.color, entry.role, style);
        // Samples are bars, not lines: every line on the canvas is data.
        let half = (width as f64 / 2.0).max(1.0);
        let bar = |from: f64, to: f64| {
            Rectangle::new(
                [
                    (from as i32, (y - half) as i32),
                    (to as i32, (y + half) as i32),
                ],
                color.filled(),
            )
        };
        if entry.role == Role::Companion {
            let dash = sample / 5.0;
            for i in [0.0, 2.0, 4.0] {
                area.draw(&bar(x + i * dash, x + (i + 1.0) * dash))?;
            }
        } else {
            area.draw(&bar(x, x + sample))?;
        }
        if let Some(label) = &entry.label {
            area.draw(&Text::new(
                label.clone(),
                ((x + sample + font_px * 0.4) as i32, y as i32),
                legend_text.clone(),
            ))?;
        }
    }

    let mut chart = layout.chart(area)?;
    let log = layout.scale == Scale::Log;
    let (unit, step) = (layout.unit, layout.y_step);
    let y_label = |v: &f64| {
        if log {
            axis::log_label(*v)
        } else {
            axis::linear_label(*v * unit, step * unit)
        }
    };
    chart
        .configure_mesh()
        .x_label_formatter(&|v| axis::layer_label(*v))
        .y_label_formatter(&y_label)
        .x_desc(layout.x_label)
        .y_desc(layout.y_label.as_str())
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .bold_line_style(theme.grid.stroke_width(style.stroke(1.0)))
        .light_line_style(TRANSPARENT)
        .axis_style(theme.axis.stroke_width(style.stroke(1.0)))
        .draw()?;

    // The marker bands, each row named in the label area.
    let (lo, hi) = layout.numeric();
    let gap = font_px * BAND_GAP * layout.per_px;
    let (x0, x1) = layout.x;
    let band_fill = theme.band.filled();
    chart.draw_series([
        Rectangle::new([(x0, hi + gap), (x1, layout.y.1)], band_fill),
        Rectangle::new([(x0, layout.y.0), (x1, lo - gap)], band_fill),
    ])?;
    let row_label = text.pos(Pos::new(HPos::Right, VPos::Center));
    for mark in Mark::ALL.into_iter().filter(|&m| log || m != Mark::Zero) {
        chart.draw_series(std::iter::once(
            EmptyElement::at((x0, layout.band_y(mark)))
                + Text::new(mark.name(), (-(pad as i32) / 2, 0), row_label.clone()),
        ))?;
    }
    draw_curves(&mut chart, plot, layout, |role| role == Role::Reference)
}

/// Draws the part of a plot that changes with the data: the curves, their markers and
/// the live curve's legend label. Returns where the plotting area is.
pub fn draw_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &LayerPlot,
    layout: &Layout,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    let style = &layout.style;
    let font_px = style.px(style.theme.font_px);
    for entry in layout.legend.iter().filter(|e| e.label.is_none()) {
        let (x, y) = entry.at;
        if let Some(curve) = plot.curves.get(entry.curve) {
            let label = match entry.short {
                true => shortened(&curve.label),
                false => &curve.label,
            };
            area.draw(&Text::new(
                label.to_string(),
                ((x + font_px * 2.2) as i32, y as i32),
                text_style(style, style.theme.font_px).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }

    let mut chart = layout.chart(area)?;
    draw_curves(&mut chart, plot, layout, |role| role != Role::Reference)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    Ok(Frame {
        area: (px.start, py.start, px.end, py.end),
        layers: layout.x,
    })
}

/// Draws the curves whose role `which` accepts, with their markers.
fn draw_curves<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    plot: &LayerPlot,
    layout: &Layout,
    which: impl Fn(Role) -> bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = &layout.style;
    let (x0, x1) = layout.x;
    let (x_pixels, y_pixels) = chart.plotting_area().get_pixel_range();
    let columns = (x_pixels.end - x_pixels.start).max(1) as usize;
    let rows = (y_pixels.end - y_pixels.start).max(1) as f64;
    // A third of a device pixel: simplification is invisible.
    let tolerance = (
        (x1 - x0) / columns as f64 / 3.0,
        (layout.y.1 - layout.y.0) / rows / 3.0,
    );
    for curve in plot.curves.iter().filter(|c| which(c.role)) {
        let (color, width) = pen(curve, style);
        let stroke = color.stroke_width(width);
        let pieces = points::segments(
            curve.values,
            (plot.first_layer, plot.x_stride),
            plot.scale,
            layout.raw,
            layout.x,
            columns,
        );
        for mut piece in pieces {
            if layout.unit != 1.0 {
                piece.iter_mut().for_each(|p| p.1 /= layout.unit);
            }
            let line = points::simplify(&piece, tolerance);
            if let [only] = line[..] {
                // A lone value (a run of one step, or one finite value between non-finite
                // ones) is a dot: a path through one point draws nothing.
                let r = (width as f64 * 1.5).ceil() as i32;
                chart.draw_series(std::iter::once(Circle::new(only, r, color.filled())))?;
                continue;
            }
            if curve.role == Role::Companion {
                let dash = style.px(8.0) as i32;
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    line, dash, dash, stroke,
                )))?;
            } else {
                chart.draw_series(std::iter::once(PathElement::new(line, stroke)))?;
            }
        }
        draw_markers(chart, plot, curve, color, layout)?;
    }
    Ok(())
}

/// The colour and line width (device pixels) of a curve.
fn pen(curve: &Curve, style: &Style) -> (RGBAColor, u32) {
    pen_of(curve.color, curve.role, style)
}

/// The colour and line width (device pixels) of a curve of `color` and `role`.
fn pen_of(color: RGBColor, role: Role, style: &Style) -> (RGBAColor, u32) {
    let theme = &style.theme;
    match role {
        Role::Reference => (
            color.mix(theme.reference_alpha),
            style.stroke(theme.line_px * 0.6),
        ),
        Role::Companion | Role::Live => (color.to_rgba(), style.stroke(theme.line_px)),
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
    layout: &Layout,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let style = &layout.style;
    let (x0, x1) = layout.x;
    let band_y = |mark: Mark| layout.band_y(mark);
    let runs = points::runs(curve.values, plot.first_layer, plot.x_stride, plot.scale);
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
            points::describe(&runs, mark, last, plot.x_name),
            runs.iter().find(|r| r.mark == mark),
        ) else {
            continue;
        };
        // Beside the run, never over it: after its end if it stops before the last layer,
        // else before its start; a run that covers nearly everything gets a backing box.
        let gap = style.px(10.0) as i32;
        let width = estimate_width(&words, style) as i32;
        // Pixels of room after the run's end, before the plot's right edge.
        let (px, _) = chart.plotting_area().get_pixel_range();
        let per_unit = (px.end - px.start) as f64 / (x1 - x0).max(f64::MIN_POSITIVE);
        let fits_after = (x1 - run.last as f64) * per_unit > (width + gap) as f64;
        let (at, dx, h) = if run.last < last && fits_after {
            (run.last as f64, gap, HPos::Left)
        } else if (run.first as f64 - x0) > 0.3 * (x1 - x0) {
            (run.first as f64, -gap, HPos::Right)
        } else {
            (run.first as f64, gap, HPos::Left)
        };
        let y = band_y(mark);
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

/// The plots' text at `css` CSS pixels, in the theme's text colour.
pub(crate) fn text_style(style: &Style, css: f64) -> TextStyle<'_> {
    TextStyle::from((FontFamily::SansSerif, style.font(css)).into_font()).color(&style.theme.text)
}

/// The width of `text` in device pixels, estimated: measuring text in a browser forces a
/// layout, which is too slow for every frame. Generous for sans-serif fonts.
fn estimate_width(text: &str, style: &Style) -> f64 {
    style.px(style.theme.font_px) * 0.5 * text.chars().count() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Theme;

    /// A loss from 1 to 1e25 over ten steps, on a log axis.
    fn plot(values: &[f64]) -> LayerPlot<'_> {
        LayerPlot {
            title: "Loss".into(),
            y_label: "loss".into(),
            first_layer: 1,
            x_stride: 1,
            x_name: "step",
            x_label: "step",
            scale: Scale::Log,
            curves: vec![Curve {
                label: "loss".into(),
                values,
                color: Theme::light().text,
                role: Role::Live,
                shared: None,
            }],
            previous_range: None,
        }
    }

    /// Four configurations as the remedies lab draws them: measured (live), theory
    /// (shared), and the first one's spread (shared, low and high).
    fn four<'a>(values: &'a [f64], theme: &Theme) -> LayerPlot<'a> {
        let words = [
            "ReLU, He init",
            "ReLU, He init, residual, α = 1",
            "ReLU, He init, residual, α = 1/√depth",
            "ReLU, He init, residual, α = 1, blocks start at 0",
        ];
        let mut p = plot(values);
        p.curves.clear();
        for (i, letter) in ["A", "B", "C", "D"].iter().enumerate() {
            let c = |label: String, role, shared| Curve {
                label,
                values,
                color: theme.series[i],
                role,
                shared,
            };
            if i == 0 {
                p.curves
                    .push(c("A: low".into(), Role::Reference, Some("spread")));
                p.curves
                    .push(c("A: high".into(), Role::Reference, Some("spread")));
            }
            p.curves.push(c(
                format!("{letter}: theory"),
                Role::Companion,
                Some("theory"),
            ));
            p.curves
                .push(c(format!("{letter}: {}", words[i]), Role::Live, None));
        }
        p
    }

    #[test]
    fn a_legend_takes_at_most_a_fifth_of_its_plot_and_names_shared_styles_once() {
        let values = [1.0, 2.0, 3.0];
        for (theme, size, short) in [
            // The remedies lab's plots at 1920 × 1080 in projector mode: cut to letters.
            (Theme::projector(), (766, 670), true),
            // A lecture figure at the same screen: the whole labels fit.
            (Theme::projector(), (1500, 700), false),
            (Theme::light(), (766, 500), false),
        ] {
            let p = four(&values, &theme);
            let style = Style::svg(theme.clone());
            let layout = Layout::new(&p, &style, size);
            assert!(
                layout.legend_share() <= LEGEND_SHARE,
                "{size:?}: {}",
                layout.legend_share()
            );
            // Four configurations, one "theory", one "spread".
            assert_eq!(layout.legend.len(), 6, "{size:?}");
            let theory = layout
                .legend
                .iter()
                .find(|e| e.label.as_deref() == Some("theory"));
            assert_eq!(theory.map(|e| e.color), Some(theme.text), "{size:?}");
            let spread = layout
                .legend
                .iter()
                .find(|e| e.label.as_deref() == Some("spread"));
            assert_eq!(spread.map(|e| e.color), Some(theme.series[0]), "{size:?}");
            assert!(layout.legend.iter().all(|e| e.short == short), "{size:?}");
        }
        assert_eq!(shortened("D: ReLU, He init"), "D");
        assert_eq!(
            shortened("kept run, step 10 (lr 1)"),
            "kept run, step 10 (lr 1)"
        );
        assert_eq!(shortened("‖g_k‖: layer"), "‖g_k‖: layer");
    }

    #[test]
    fn y_labels_never_overlap_on_a_short_plot_with_large_text() {
        let values: Vec<f64> = (0..10).map(|k| 10f64.powi(3 * k)).collect();
        let p = plot(&values);
        for (theme, height) in [
            (Theme::projector(), 330),
            (Theme::light(), 300),
            (Theme::light(), 600),
        ] {
            let style = Style::svg(theme);
            let layout = Layout::new(&p, &style, (800, height));
            let font_px = style.px(style.theme.font_px);
            let gaps: Vec<f64> = layout
                .y_ticks
                .windows(2)
                .map(|w| (w[1] - w[0]) / layout.per_px)
                .collect();
            assert!(layout.y_ticks.len() >= 2, "{height}: {:?}", layout.y_ticks);
            assert!(
                gaps.iter().all(|g| *g >= font_px),
                "{height}: gaps {gaps:?} px, font {font_px} px"
            );
        }
        // A tall plot keeps its usual number of ticks.
        let style = Style::svg(Theme::light());
        let tall = Layout::new(&p, &style, (800, 600)).y_ticks;
        assert!(tall.len() >= 4, "{tall:?}");
    }
}
