//! The heat map: a per-layer quantity (the gradient norm) over training, layers up the
//! y axis and recorded steps along the x axis, coloured on a log scale with a colour bar.
//! `inf`, `NaN` and exact zeros get colours of their own, named in the legend.
//!
//! Each pixel column shows the worst of the steps it covers (NaN before `inf` before the
//! largest finite value), so a single exploding step is never averaged away. On a canvas
//! the cells are one bitmap ([`Style::raster`]); in SVG they are rectangles, one per run of
//! equal colour along a layer.

use super::axis::{self, Ticked};
use super::layers::{mix, text_style, Frame};
use super::theme::Style;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// A heat map of `values`: row `r` is the x position `first_x + r·x_stride` (a recorded
/// step), column `c` is layer `c + 1`.
#[derive(Clone, Debug)]
pub struct HeatPlot<'a> {
    /// The title, drawn top left.
    pub title: String,
    /// What the colours show (`|gradient|`).
    pub quantity: String,
    /// The values, row-major, `cols` per row.
    pub values: &'a [f64],
    /// The number of layers.
    pub cols: usize,
    /// The x position of the first row.
    pub first_x: usize,
    /// The distance on the x axis between rows.
    pub x_stride: usize,
    /// The x axis's description (`step`).
    pub x_label: &'static str,
    /// What the columns are when they are not layers: a histogram's bins, spread evenly
    /// over a range of values.
    pub y_axis: Option<ValueAxis>,
}

/// A y axis of values instead of layers: column `c` of `cols` covers the values from
/// `lo + (hi − lo)·c/cols` to `lo + (hi − lo)·(c + 1)/cols`.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueAxis {
    /// The axis's description (`output value`).
    pub label: String,
    /// The value at the bottom edge.
    pub lo: f64,
    /// The value at the top edge.
    pub hi: f64,
    /// Whether the values are decades (`log10|v|`), labelled as powers of ten.
    pub decades: bool,
}

/// What a value is drawn as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// No value there (not recorded).
    Empty,
    /// Exactly 0.
    Zero,
    /// A finite nonzero value, at this fraction of the colour bar (0 to 1).
    Finite(u16),
    /// Infinite.
    Inf,
    /// Not a number.
    Nan,
}

/// Steps of the colour bar: `Cell::Finite(t)` holds `t` in `0..=SHADES`.
const SHADES: u16 = 1024;

impl HeatPlot<'_> {
    /// The number of rows (recorded steps).
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.cols).unwrap_or(0)
    }

    /// A hash of everything drawn: two heat maps with equal fingerprints look the same, so
    /// a canvas showing one need not draw the other.
    pub fn fingerprint(&self) -> u64 {
        let mut h = self.title.bytes().fold(0, |h, b| mix(h, b as u64));
        h = self.quantity.bytes().fold(h, |h, b| mix(h, b as u64));
        for v in [self.cols, self.first_x, self.x_stride] {
            h = mix(h, v as u64);
        }
        if let Some(a) = &self.y_axis {
            h = a.label.bytes().fold(h, |h, b| mix(h, b as u64));
            h = mix(mix(h, a.lo.to_bits()), a.hi.to_bits());
        }
        self.values.iter().fold(h, |h, v| mix(h, v.to_bits()))
    }

    /// For a plot with a value axis, row `r`'s most common bin: its centre value and its
    /// share (the first of equal ones).
    pub fn mode(&self, r: usize) -> Option<(f64, f64)> {
        let axis = self.y_axis.as_ref()?;
        let cols = self.cols.max(1);
        let row = self.values.get(r * cols..(r + 1) * cols)?;
        let (bin, share) =
            row.iter().enumerate().fold(
                (0, 0f64),
                |(bi, bv), (i, &v)| if v > bv { (i, v) } else { (bi, bv) },
            );
        let centre = axis.lo + (bin as f64 + 0.5) / cols as f64 * (axis.hi - axis.lo);
        Some((centre, share))
    }

    /// The x position of the last row.
    pub fn last_x(&self) -> usize {
        self.first_x + self.rows().saturating_sub(1) * self.x_stride
    }

    /// The colour bar's range in decades (`log10|v|`), whole decades, at least one wide:
    /// it covers every finite nonzero value.
    pub fn decades(&self) -> (f64, f64) {
        // On the magnitudes' bits, which order as the magnitudes do: no logarithm per cell.
        let (mut lo, mut hi) = (u64::MAX, 0u64);
        for v in self.values {
            let m = v.to_bits() & MAGNITUDE;
            if m != 0 && m < INF_BITS {
                lo = lo.min(m);
                hi = hi.max(m);
            }
        }
        if lo > hi {
            return (-1.0, 1.0);
        }
        let (lo, hi) = (
            f64::from_bits(lo).log10().floor(),
            f64::from_bits(hi).log10().ceil(),
        );
        if hi - lo < 1.0 {
            (lo, lo + 1.0)
        } else {
            (lo, hi)
        }
    }

    /// The `columns × cols` grid of cells a plot `columns` pixels wide shows: each column
    /// the worst value of the rows it covers (NaN, then `inf`, then the largest
    /// magnitude), column-major by layer within a column.
    pub fn resample(&self, columns: usize, decades: (f64, f64)) -> Vec<Cell> {
        let (rows, cols) = (self.rows(), self.cols);
        let columns = columns.max(1);
        // The largest magnitude's bits: NaN's bits are above inf's, which are above every
        // finite magnitude's, so one integer maximum ranks them as wanted.
        let mut worst = vec![0u64; columns * cols];
        let mut filled = vec![false; columns];
        for r in 0..rows {
            let c = if rows == 1 {
                0
            } else {
                (r * (columns - 1) + (rows - 1) / 2) / (rows - 1)
            };
            filled[c] = true;
            let row = &self.values[r * cols..(r + 1) * cols];
            for (w, v) in worst[c * cols..(c + 1) * cols].iter_mut().zip(row) {
                *w = (*w).max(v.to_bits() & MAGNITUDE);
            }
        }
        let bounds = shade_bounds(decades.0, (decades.1 - decades.0).max(1e-9));
        worst
            .chunks_exact(cols.max(1))
            .zip(&filled)
            .flat_map(|(column, &filled)| {
                let bounds = &bounds;
                column.iter().map(move |&m| {
                    if filled {
                        classify(m, bounds)
                    } else {
                        Cell::Empty
                    }
                })
            })
            .collect()
    }
}

/// The bits of `f64::INFINITY`; magnitudes above are NaN.
const INF_BITS: u64 = 0x7ff0_0000_0000_0000;
/// Every bit of an `f64` but its sign.
const MAGNITUDE: u64 = 0x7fff_ffff_ffff_ffff;

/// The values where the colour bar passes from one shade to the next: shade `t` covers the
/// magnitudes between `bounds[t - 1]` and `bounds[t]`. Comparing with these costs less than
/// a logarithm per cell.
fn shade_bounds(lo: f64, span: f64) -> Vec<f64> {
    (0..SHADES)
        .map(|t| 10f64.powf(lo + span * (t as f64 + 0.5) / SHADES as f64))
        .collect()
}

fn classify(magnitude_bits: u64, bounds: &[f64]) -> Cell {
    match magnitude_bits {
        0 => Cell::Zero,
        INF_BITS => Cell::Inf,
        m if m > INF_BITS => Cell::Nan,
        m => {
            let v = f64::from_bits(m);
            Cell::Finite(bounds.partition_point(|b| *b <= v) as u16)
        }
    }
}

/// Viridis at nine evenly spaced points: perceptually even and readable with every common
/// colour-vision deficiency.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];
/// `inf`: the palette's vermillion, far from every viridis shade.
pub const INF_COLOR: RGBColor = RGBColor(213, 94, 0);
/// `NaN`: the palette's reddish purple.
pub const NAN_COLOR: RGBColor = RGBColor(204, 121, 167);

/// The colour of a cell on `background`.
pub fn color(cell: Cell, background: RGBColor, zero: RGBColor) -> RGBColor {
    match cell {
        Cell::Empty => background,
        Cell::Zero => zero,
        Cell::Inf => INF_COLOR,
        Cell::Nan => NAN_COLOR,
        Cell::Finite(t) => {
            let x = t as f64 / SHADES as f64 * (VIRIDIS.len() - 1) as f64;
            let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
            let f = x - i as f64;
            let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
            let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
            RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        }
    }
}

/// An RGB bitmap drawn at a backend position: one call to the backend's `blit_bitmap`.
struct Raster {
    at: BackendCoord,
    size: (u32, u32),
    rgb: Vec<u8>,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Raster {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Raster {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match points.next() {
            Some(at) => backend.blit_bitmap(at, self.size, &self.rgb),
            None => Ok(()),
        }
    }
}

/// Draws `plot` on `area` and returns where its plotting area landed (x in steps).
pub fn draw_heat<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &HeatPlot,
    style: &Style,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    draw_cells(area, plot, style, None)
}

/// [`draw_heat`], its rows spread over the values of `x_axis` when given (row `r` of `n`
/// covering `lo + (hi − lo)·r/n` to `lo + (hi − lo)·(r + 1)/n`) rather than at steps; the
/// frame's x range is then in rows, `−0.5` to `n − 0.5`.
pub(super) fn draw_cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &HeatPlot,
    style: &Style,
    x_axis: Option<&ValueAxis>,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    let theme = &style.theme;
    area.fill(&theme.background)?;
    let font_px = style.px(theme.font_px);
    let pad = style.px(10.0);
    let text = text_style(style, theme.font_px);
    area.draw(&Text::new(
        plot.title.clone(),
        (pad as i32, pad as i32),
        text_style(style, theme.font_px * 1.15).pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    let zero = theme.band;
    let decades = plot.decades();

    // The legend: the colour bar with its ends, then the special colours.
    let y = (pad + font_px * 2.6) as i32;
    let bar_h = (font_px * 0.9) as i32;
    let mut x = pad as i32;
    let left_label = axis::log_label(decades.0);
    area.draw(&Text::new(
        format!("{} {left_label}", plot.quantity),
        (x, y),
        text.pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    x += (font_px * 0.55 * (plot.quantity.chars().count() + left_label.len() + 2) as f64) as i32;
    let bar_w = (font_px * 8.0) as i32;
    for i in 0..bar_w {
        let t = (i as f64 / (bar_w - 1).max(1) as f64 * SHADES as f64) as u16;
        let c = color(Cell::Finite(t), theme.background, zero);
        area.draw(&Rectangle::new(
            [(x + i, y - bar_h / 2), (x + i + 1, y + bar_h / 2)],
            c.filled(),
        ))?;
    }
    x += bar_w + (font_px * 0.4) as i32;
    let right_label = axis::log_label(decades.1);
    area.draw(&Text::new(
        right_label.clone(),
        (x, y),
        text.pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    x += (font_px * (0.6 * right_label.len() as f64 + 1.2)) as i32;
    for (c, name) in [(INF_COLOR, "inf"), (NAN_COLOR, "NaN"), (zero, "0")] {
        area.draw(&Rectangle::new(
            [(x, y - bar_h / 2), (x + bar_h, y + bar_h / 2)],
            c.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(x, y - bar_h / 2), (x + bar_h, y + bar_h / 2)],
            theme.axis.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            name,
            (x + bar_h + (font_px * 0.3) as i32, y),
            text.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += bar_h + (font_px * (0.6 * name.len() as f64 + 1.4)) as i32;
    }
    let header = (y as f64 + font_px * 1.2) as u32;

    let first = plot.first_x as f64;
    let last = plot.last_x() as f64;
    let rows_n = plot.rows() as f64;
    let (x_ticks, x_desc) = match x_axis {
        None => (
            axis::ticks(first, last.max(first), 6, true),
            plot.x_label.to_string(),
        ),
        Some(a) => {
            let to_row = |v: f64| (v - a.lo) / (a.hi - a.lo) * rows_n - 0.5;
            let ticks = axis::ticks(a.lo, a.hi, 6, false);
            (ticks.into_iter().map(to_row).collect(), a.label.clone())
        }
    };
    let x_label = |row: f64| match x_axis {
        None => axis::layer_label(row),
        Some(a) => {
            let v = a.lo + (row + 0.5) / rows_n * (a.hi - a.lo);
            axis::linear_label(v, axis::nice_step(a.hi - a.lo, 6))
        }
    };
    let xr = if x_axis.is_some() {
        (-0.5, rows_n - 0.5)
    } else if last > first {
        (
            first - 0.5 * plot.x_stride as f64,
            last + 0.5 * plot.x_stride as f64,
        )
    } else {
        (first - 0.5, first + 0.5)
    };
    let yr = (0.5, plot.cols as f64 + 0.5);
    // Column positions run from 1 to `cols`; a value axis maps them to its values.
    let cols = plot.cols as f64;
    let (y_ticks, y_desc) = match &plot.y_axis {
        None => (axis::ticks(1.0, cols, 5, true), "layer".to_string()),
        Some(a) => {
            let to_pos = |v: f64| 0.5 + (v - a.lo) / (a.hi - a.lo) * cols;
            let ticks = axis::ticks(a.lo, a.hi, 5, a.decades);
            (ticks.into_iter().map(to_pos).collect(), a.label.clone())
        }
    };
    let y_label = |pos: f64| match &plot.y_axis {
        None => axis::layer_label(pos),
        Some(a) => {
            let v = a.lo + (pos - 0.5) / cols * (a.hi - a.lo);
            if a.decades {
                axis::log_label(v.round())
            } else {
                axis::linear_label(v, axis::nice_step(a.hi - a.lo, 5))
            }
        }
    };
    let (_, body) = area.split_vertically(header);
    let mut chart = ChartBuilder::on(&body)
        .margin_left(pad as u32)
        .margin_right((font_px * 1.8) as u32)
        .margin_bottom((pad * 0.5) as u32)
        .x_label_area_size((font_px * 2.8) as u32)
        .y_label_area_size((font_px * 4.6) as u32)
        .build_cartesian_2d(
            Ticked::new(xr.0, xr.1, x_ticks),
            Ticked::new(yr.0, yr.1, y_ticks),
        )?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| x_label(*v))
        .y_label_formatter(&|v| y_label(*v))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .disable_mesh()
        .axis_style(theme.axis.stroke_width(style.stroke(1.0)))
        .draw()?;

    let (px, py) = chart.plotting_area().get_pixel_range();
    let (w, h) = (
        (px.end - px.start).max(1) as usize,
        (py.end - py.start).max(1) as usize,
    );
    let rows = plot.rows();
    if rows > 0 && plot.cols > 0 {
        if style.raster {
            // One cell column per pixel column (at most); each cell's colour once, then
            // pixel rows copied from the layer they show, top = last layer.
            let columns = w.min(rows);
            let cells = plot.resample(columns, decades);
            let rgb_of = |c: Cell| {
                let RGBColor(r, g, b) = color(c, theme.background, zero);
                [r, g, b]
            };
            let palette: Vec<[u8; 3]> = (0..=SHADES).map(|t| rgb_of(Cell::Finite(t))).collect();
            let lookup = |c: Cell| match c {
                Cell::Finite(t) => palette[t as usize],
                other => rgb_of(other),
            };
            let mut rgb = vec![0u8; w * h * 3];
            let mut row = vec![0u8; w * 3];
            let mut last_layer = usize::MAX;
            for yy in 0..h {
                let layer = (((h - 1 - yy) as f64 + 0.5) / h as f64 * plot.cols as f64) as usize;
                let layer = layer.min(plot.cols - 1);
                if layer != last_layer {
                    for xx in 0..w {
                        let c = (xx * columns / w).min(columns - 1);
                        row[xx * 3..xx * 3 + 3]
                            .copy_from_slice(&lookup(cells[c * plot.cols + layer]));
                    }
                    last_layer = layer;
                }
                rgb[yy * w * 3..(yy + 1) * w * 3].copy_from_slice(&row);
            }
            chart.plotting_area().strip_coord_spec().draw(&Raster {
                at: (0, 0),
                size: (w as u32, h as u32),
                rgb,
            })?;
        } else {
            let columns = rows.min(400);
            let cells = plot.resample(columns, decades);
            let at = |c: usize| xr.0 + (xr.1 - xr.0) * c as f64 / columns as f64;
            for layer in 0..plot.cols {
                let mut start = 0;
                for c in 1..=columns {
                    let same = c < columns
                        && cells[c * plot.cols + layer] == cells[start * plot.cols + layer];
                    if same {
                        continue;
                    }
                    let fill = color(cells[start * plot.cols + layer], theme.background, zero);
                    let y0 = layer as f64 + 0.5;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(at(start), y0), (at(c), y0 + 1.0)],
                        fill.filled(),
                    )))?;
                    start = c;
                }
            }
        }
    }
    Ok(Frame {
        area: (px.start, py.start, px.end, py.end),
        layers: xr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot(values: &[f64], cols: usize) -> HeatPlot<'_> {
        HeatPlot {
            title: "t".into(),
            quantity: "|g|".into(),
            values,
            cols,
            first_x: 0,
            x_stride: 1,
            x_label: "step",
            y_axis: None,
        }
    }

    #[test]
    fn decades_cover_every_finite_value() {
        let v = [1e-3, 0.5, f64::INFINITY, f64::NAN, 0.0, 20.0];
        assert_eq!(plot(&v, 2).decades(), (-3.0, 2.0));
        assert_eq!(plot(&[0.0, f64::NAN], 2).decades(), (-1.0, 1.0));
        assert_eq!(plot(&[1.0, 1.0], 2).decades(), (0.0, 1.0));
    }

    #[test]
    fn resampling_keeps_the_worst_value_of_each_column() {
        // Four steps of two layers into two columns.
        let v = [1.0, 1.0, 10.0, f64::INFINITY, 0.0, 1.0, 100.0, f64::NAN];
        let p = plot(&v, 2);
        let cells = p.resample(2, (0.0, 2.0));
        assert_eq!(cells[0], Cell::Finite(SHADES / 2));
        assert_eq!(cells[1], Cell::Inf);
        assert_eq!(cells[2], Cell::Finite(SHADES));
        assert_eq!(cells[3], Cell::Nan);
        // More columns than rows leaves the rest empty.
        let cells = plot(&[0.0, 1.0], 2).resample(3, (0.0, 1.0));
        assert_eq!(cells[..2], [Cell::Zero, Cell::Finite(0)]);
        assert_eq!(cells[2..], [Cell::Empty; 4]);
    }

    #[test]
    fn colours_run_from_purple_to_yellow_and_specials_stand_apart() {
        let bg = RGBColor(255, 255, 255);
        let zero = RGBColor(200, 200, 200);
        assert_eq!(color(Cell::Finite(0), bg, zero), RGBColor(68, 1, 84));
        assert_eq!(
            color(Cell::Finite(SHADES), bg, zero),
            RGBColor(253, 231, 37)
        );
        assert_eq!(color(Cell::Inf, bg, zero), INF_COLOR);
        assert_eq!(color(Cell::Zero, bg, zero), zero);
        assert_eq!(color(Cell::Empty, bg, zero), bg);
    }
}
