//! The mean-field phase diagram of a tanh network: weight variance `σ_w²` across, bias
//! variance `σ_b²` up, the critical line `χ₁ = 1` between the ordered phase (left: signals
//! and gradients fade) and the chaotic one (right: they explode), and each configuration as a
//! labelled point.

use super::axis::{self, Ticked};
use super::layers::{text_style, Frame};
use super::theme::Style;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One configuration in the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct PhasePoint {
    /// Its letter.
    pub label: String,
    /// `(σ_w², σ_b²)`.
    pub at: (f64, f64),
    /// Its colour.
    pub color: RGBColor,
}

/// The diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct PhasePlot {
    /// The title, drawn top left.
    pub title: String,
    /// Points `(σ_w², σ_b²)` of the critical line, by increasing `σ_b²`.
    pub critical: Vec<(f64, f64)>,
    /// The configurations (points outside the axes are drawn on their edge).
    pub points: Vec<PhasePoint>,
    /// The right end of the `σ_w²` axis.
    pub x_max: f64,
    /// The top of the `σ_b²` axis.
    pub y_max: f64,
}

/// Draws the diagram on `area`.
pub fn draw_phase<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &PhasePlot,
    style: &Style,
) -> Result<Frame, DrawingAreaErrorKind<DB::ErrorType>> {
    let theme = &style.theme;
    area.fill(&theme.background)?;
    let font_px = style.font(theme.font_px);
    let pad = style.px(8.0);
    let text = text_style(style, theme.font_px);
    area.draw(&Text::new(
        plot.title.clone(),
        (pad as i32, (pad + font_px * 0.6) as i32),
        text.pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let header = (pad + font_px * 1.6) as u32;
    let (_, body) = area.split_vertically(header);
    let (xr, yr) = ((0.0, plot.x_max), (0.0, plot.y_max));
    let mut chart = ChartBuilder::on(&body)
        .margin_left(pad as u32)
        .margin_right((font_px * 1.8) as u32)
        .margin_bottom((pad * 0.5) as u32)
        .x_label_area_size((font_px * 2.8) as u32)
        .y_label_area_size((font_px * 4.6) as u32)
        .build_cartesian_2d(
            Ticked::new(xr.0, xr.1, axis::ticks(xr.0, xr.1, 6, false)),
            Ticked::new(yr.0, yr.1, axis::ticks(yr.0, yr.1, 5, false)),
        )?;
    let x_step = axis::nice_step(xr.1 - xr.0, 6);
    let y_step = axis::nice_step(yr.1 - yr.0, 5);
    chart
        .configure_mesh()
        .x_label_formatter(&|v| axis::linear_label(*v, x_step))
        .y_label_formatter(&|v| axis::linear_label(*v, y_step))
        .x_desc("σ_w² (weight variance × fan-in)")
        .y_desc("σ_b²")
        .label_style(text.clone())
        .axis_desc_style(text.clone())
        .disable_mesh()
        .axis_style(theme.axis.stroke_width(style.stroke(1.0)))
        .draw()?;
    let line: Vec<(f64, f64)> = plot
        .critical
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite() && *y <= yr.1)
        .collect();
    if line.len() >= 2 {
        // The ordered phase left of the line, the chaotic one right of it.
        let mut ordered = vec![(xr.0, yr.0)];
        ordered.extend(&line);
        ordered.push((xr.0, line[line.len() - 1].1));
        let mut chaotic = line.clone();
        chaotic.push((xr.1, line[line.len() - 1].1));
        chaotic.push((xr.1, yr.0));
        for (shape, color) in [(ordered, theme.regimes[0]), (chaotic, theme.regimes[2])] {
            chart.draw_series(std::iter::once(Polygon::new(
                shape,
                color.mix(0.12).filled(),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            line.clone(),
            theme.text.stroke_width(style.stroke(theme.line_px * 0.8)),
        )))?;
        // The ordered phase reaches the top left corner, the chaotic one the bottom right.
        chart.draw_series(std::iter::once(Text::new(
            "ordered: gradients vanish",
            (xr.0 + 0.03 * (xr.1 - xr.0), yr.1 * 0.92),
            text.pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            "chaotic: gradients explode",
            (xr.1 - 0.03 * (xr.1 - xr.0), yr.1 * 0.08),
            text.pos(Pos::new(HPos::Right, VPos::Center)),
        )))?;
        let (cx, cy) = line[((line.len() - 1) as f64 * 0.8) as usize];
        chart.draw_series(std::iter::once(Text::new(
            "χ₁ = 1",
            (cx + x_step * 0.15, cy),
            text.pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    let radius = style.px(6.0) as i32;
    for p in &plot.points {
        let at = (
            p.at.0.clamp(xr.0, xr.1),
            if p.at.1.is_finite() {
                p.at.1.clamp(yr.0, yr.1)
            } else {
                yr.1
            },
        );
        chart.draw_series(std::iter::once(Circle::new(at, radius, p.color.filled())))?;
        chart.draw_series(std::iter::once(Text::new(
            p.label.clone(),
            at,
            text_style(style, theme.font_px)
                .pos(Pos::new(HPos::Left, VPos::Bottom))
                .transform(FontTransform::None),
        )))?;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    Ok(Frame {
        area: (px.start, py.start, px.end, py.end),
        layers: xr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Theme;

    #[test]
    fn draws_the_line_regions_and_points_to_svg() {
        let plot = PhasePlot {
            title: "Phase".into(),
            critical: vec![(1.0, 0.0), (1.424, 0.01), (1.761, 0.05), (1.986, 0.1)],
            points: vec![PhasePoint {
                label: "A".into(),
                at: (9.0, f64::NAN),
                color: RGBColor(1, 2, 3),
            }],
            x_max: 4.0,
            y_max: 0.1,
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (480, 320)).into_drawing_area();
            draw_phase(&root, &plot, &Style::svg(Theme::light())).unwrap();
            root.present().unwrap();
        }
        assert!(svg.contains("ordered: gradients vanish"), "{svg}");
        assert!(svg.contains("chaotic: gradients explode"));
        assert_eq!(svg.matches("<polygon").count(), 2);
        // The point out of range sits on the corner, in its colour.
        assert!(svg.contains("#010203"), "{svg}");
    }
}
