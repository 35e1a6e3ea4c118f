//! The loss surface: a quantity over a plane of two parameters (the one-neuron recurrent
//! network's error over its weight `w` and bias `b`), coloured as the heat map colours, on
//! a log scale with its colour bar and the colours of `inf`, `NaN` and 0, with descent paths
//! drawn over it. A path that leaves the plane is drawn to the edge, where a ring marks the
//! way out and a label says where the path went.

use super::heat::{draw_cells, HeatPlot, ValueAxis};
use super::layers::{mix, text_style, Frame};
use super::theme::Style;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A quantity over a grid of `(x, y)` cells, with paths over it.
#[derive(Clone, Debug)]
pub struct SurfacePlot<'a> {
    /// The title, drawn top left.
    pub title: String,
    /// What the colours show (`E`).
    pub quantity: String,
    /// The values, `x cells × cols`, row-major by x cell: `values[i·cols + j]` is at the
    /// centre of x cell `i` and y cell `j`.
    pub values: &'a [f64],
    /// The number of y cells.
    pub cols: usize,
    /// The x axis: its description and the values at its edges.
    pub x_axis: ValueAxis,
    /// The y axis.
    pub y_axis: ValueAxis,
    /// The paths drawn over the surface, in order.
    pub paths: Vec<SurfacePath<'a>>,
}

/// A path over the surface: its points in the axes' values, joined in order.
#[derive(Clone, Debug)]
pub struct SurfacePath<'a> {
    /// Its name in the legend.
    pub label: String,
    /// Its points, `(x, y)`.
    pub points: &'a [(f64, f64)],
    /// Its colour.
    pub color: RGBColor,
}

impl SurfacePlot<'_> {
    /// A hash of everything drawn: two surfaces with equal fingerprints look the same.
    pub fn fingerprint(&self) -> u64 {
        let mut h = self.title.bytes().fold(0, |h, b| mix(h, b as u64));
        h = self.quantity.bytes().fold(h, |h, b| mix(h, b as u64));
        for a in [&self.x_axis, &self.y_axis] {
            h = a.label.bytes().fold(h, |h, b| mix(h, b as u64));
            h = mix(mix(h, a.lo.to_bits()), a.hi.to_bits());
        }
        h = mix(h, self.cols as u64);
        h = self.values.iter().fold(h, |h, v| mix(h, v.to_bits()));
        for p in &self.paths {
            h = p.label.bytes().fold(h, |h, b| mix(h, b as u64));
            h = p
                .points
                .iter()
                .fold(h, |h, (x, y)| mix(mix(h, x.to_bits()), y.to_bits()));
        }
        h
    }
}

/// Where pixel positions of a drawn surface are.
struct Mapping {
    frame: Frame,
    x: (f64, f64),
    y: (f64, f64),
}

impl Mapping {
    /// The pixel of `(x, y)`, as floating point: it may lie far outside the frame, an
    /// infinite value as far as `1e300` pixels in its direction; NaN stays NaN.
    fn pixel(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let (l, t, r, b) = self.frame.area;
        let fx = (x - self.x.0) / (self.x.1 - self.x.0);
        let fy = (y - self.y.0) / (self.y.1 - self.y.0);
        let far = |v: f64| {
            if v.is_nan() {
                v
            } else {
                v.clamp(-1e300, 1e300)
            }
        };
        (
            far(f64::from(l) + fx * f64::from(r - l)),
            far(f64::from(b) - fy * f64::from(b - t)),
        )
    }

    /// The part of the segment from `p` to `q` (pixels) inside the frame, if any (Liang and
    /// Barsky's clipping); none for an end that is not finite.
    fn clip(&self, p: (f64, f64), q: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        if ![p.0, p.1, q.0, q.1].iter().all(|v| v.is_finite()) {
            return None;
        }
        let (l, t, r, b) = self.frame.area;
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (den, num) in [
            (-dx, p.0 - f64::from(l)),
            (dx, f64::from(r) - p.0),
            (-dy, p.1 - f64::from(t)),
            (dy, f64::from(b) - p.1),
        ] {
            if den == 0.0 {
                if num < 0.0 {
                    return None;
                }
            } else {
                let u = num / den;
                if den < 0.0 {
                    t0 = t0.max(u);
                } else {
                    t1 = t1.min(u);
                }
            }
        }
        (t0 <= t1 && t0.is_finite() && t1.is_finite()).then_some((
            (p.0 + t0 * dx, p.1 + t0 * dy),
            (p.0 + t1 * dx, p.1 + t1 * dy),
        ))
    }

    fn inside(&self, (x, y): (f64, f64)) -> bool {
        let (l, t, r, b) = self.frame.area;
        (f64::from(l)..=f64::from(r)).contains(&x) && (f64::from(t)..=f64::from(b)).contains(&y)
    }
}

/// Draws `plot` on `area` and returns where its plotting area landed (x in cells, from
/// `−0.5` to `cells − 0.5`).
pub fn draw_surface<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &SurfacePlot,
    style: &Style,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    let cells = HeatPlot {
        title: plot.title.clone(),
        quantity: plot.quantity.clone(),
        values: plot.values,
        cols: plot.cols,
        first_x: 0,
        x_stride: 1,
        x_label: "",
        y_axis: Some(plot.y_axis.clone()),
    };
    let frame = draw_cells(area, &cells, style, Some(&plot.x_axis))?;
    let map = Mapping {
        frame,
        x: (plot.x_axis.lo, plot.x_axis.hi),
        y: (plot.y_axis.lo, plot.y_axis.hi),
    };
    let theme = &style.theme;
    let width = style.stroke(2.0);
    let dot = style.px(3.0) as i32;
    let font_px = style.px(theme.font_px);
    let text = text_style(style, theme.font_px);
    let at = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    for path in &plot.paths {
        let line = path.color.stroke_width(width);
        let pixels: Vec<(f64, f64)> = path.points.iter().map(|&p| map.pixel(p)).collect();
        if let Some(&first) = pixels.first().filter(|p| map.inside(**p)) {
            area.draw(&Circle::new(at(first), dot + 1, theme.text.filled()))?;
        }
        for (k, pair) in pixels.windows(2).enumerate() {
            let Some((a, b)) = map.clip(pair[0], pair[1]) else {
                continue;
            };
            area.draw(&PathElement::new(vec![at(a), at(b)], line))?;
            if map.inside(pair[1]) {
                area.draw(&Circle::new(at(b), dot, path.color.filled()))?;
            } else {
                // The path leaves the plane here: a ring at the edge, and where it went.
                area.draw(&Circle::new(at(b), dot + 2, line))?;
                let (x, y) = path.points[k + 1];
                let went = format!("{}: to ({}, {})", path.label, value(x), value(y));
                let (l, _, r, _) = map.frame.area;
                let h = if b.0 > f64::from(l + r) / 2.0 {
                    HPos::Right
                } else {
                    HPos::Left
                };
                // Beside the ring, inside the plane: below it at the top edge, above it
                // elsewhere.
                let (_, top, _, _) = map.frame.area;
                let dy = if b.1 <= f64::from(top) + 1.0 {
                    font_px
                } else {
                    -font_px
                };
                area.draw(&Text::new(
                    went,
                    at((b.0, b.1 + dy)),
                    text.clone()
                        .color(&path.color)
                        .pos(Pos::new(h, VPos::Center)),
                ))?;
                break;
            }
        }
    }
    // The paths' legend, bottom right inside the plane, on the background.
    let (_, _, right, bottom) = map.frame.area;
    let rows = plot.paths.len() as i32;
    if rows > 0 {
        let widest = plot.paths.iter().map(|p| p.label.chars().count()).max();
        let box_w = (font_px * (0.6 * widest.unwrap_or(0) as f64 + 3.0)) as i32;
        let row_h = (font_px * 1.4) as i32;
        let (x0, y0) = (right - box_w - dot * 2, bottom - rows * row_h - dot * 3);
        area.draw(&Rectangle::new(
            [(x0, y0), (right - dot * 2, y0 + rows * row_h + dot)],
            theme.background.filled(),
        ))?;
        for (i, path) in plot.paths.iter().enumerate() {
            let y = y0 + row_h / 2 + i as i32 * row_h + dot / 2;
            let x = x0 + dot;
            let sample = (font_px * 1.6) as i32;
            area.draw(&PathElement::new(
                vec![(x, y), (x + sample, y)],
                path.color.stroke_width(width),
            ))?;
            area.draw(&Text::new(
                path.label.clone(),
                (x + sample + dot, y),
                text.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    Ok(frame)
}

/// A point's coordinate as a label: two decimals, or two significant digits past 1e4 or
/// below 0.01; `inf` and `NaN` as they are.
fn value(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(0.01..1e4).contains(&v.abs()) {
        format!("{v:.1e}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> Mapping {
        Mapping {
            frame: Frame {
                area: (100, 50, 300, 250),
                layers: (-0.5, 9.5),
            },
            x: (-10.0, 10.0),
            y: (0.0, 4.0),
        }
    }

    #[test]
    fn axes_values_land_on_their_pixels_and_far_points_are_clipped_at_the_edge() {
        let m = map();
        assert_eq!(m.pixel((-10.0, 0.0)), (100.0, 250.0));
        assert_eq!(m.pixel((10.0, 4.0)), (300.0, 50.0));
        assert_eq!(m.pixel((0.0, 2.0)), (200.0, 150.0));
        // A step thrown to w = 1e6 leaves through the right edge, at the height of its line.
        let (a, b) = m.clip(m.pixel((0.0, 2.0)), m.pixel((1e6, 2.0))).unwrap();
        assert_eq!(a, (200.0, 150.0));
        assert_eq!(b, (300.0, 150.0));
        // Wholly outside: nothing; infinite or NaN ends: nothing drawn either.
        assert!(m.clip(m.pixel((20.0, 1.0)), m.pixel((30.0, 1.0))).is_none());
        assert!(m.clip((200.0, 150.0), (f64::INFINITY, 150.0)).is_none());
        assert!(m.clip((200.0, 150.0), (f64::NAN, 150.0)).is_none());
        // An infinite point is drawn toward, to the edge.
        let (_, b) = m
            .clip(m.pixel((0.0, 2.0)), m.pixel((f64::INFINITY, 2.0)))
            .unwrap();
        assert_eq!(b, (300.0, 150.0));
        assert_eq!(value(1e6), "1.0e6");
        assert_eq!(value(-2.345), "-2.35");
        assert_eq!(value(f64::INFINITY), "inf");
        assert_eq!(value(f64::NAN), "NaN");
    }
}
