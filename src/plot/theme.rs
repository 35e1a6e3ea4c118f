//! Colours and sizes of the plots. The regime colours come from the Okabe–Ito palette,
//! which stays distinguishable with every common colour-vision deficiency.

use crate::sim::Regime;
use plotters::style::RGBColor;

/// The look of a plot. Sizes are in CSS pixels; [`Style::scale`] turns them into device
/// pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// The plot background.
    pub background: RGBColor,
    /// Titles, labels and legend text.
    pub text: RGBColor,
    /// Axis lines and ticks.
    pub axis: RGBColor,
    /// Grid lines.
    pub grid: RGBColor,
    /// The background of the marker bands (`inf`, `NaN`, `0`).
    pub band: RGBColor,
    /// The colour of each regime, in the order of [`Regime::ALL`].
    pub regimes: [RGBColor; 3],
    /// Label font size.
    pub font_px: f64,
    /// Width of the live curve.
    pub line_px: f64,
    /// Opacity of the reference curves.
    pub reference_alpha: f64,
    /// The colours of several runs side by side (the remedies lab's A to D).
    pub series: [RGBColor; 4],
}

impl Theme {
    /// Dark text on white.
    pub fn light() -> Theme {
        Theme {
            background: RGBColor(255, 255, 255),
            text: RGBColor(34, 34, 34),
            axis: RGBColor(90, 90, 90),
            grid: RGBColor(228, 228, 228),
            band: RGBColor(246, 243, 238),
            // Okabe–Ito blue, bluish green and vermillion.
            regimes: [
                RGBColor(0, 114, 178),
                RGBColor(0, 158, 115),
                RGBColor(213, 94, 0),
            ],
            font_px: 13.0,
            line_px: 2.5,
            reference_alpha: 0.4,
            // Okabe–Ito blue, orange, bluish green and reddish purple.
            series: [
                RGBColor(0, 114, 178),
                RGBColor(230, 159, 0),
                RGBColor(0, 158, 115),
                RGBColor(204, 121, 167),
            ],
        }
    }

    /// Light text on a dark background, with the palette's lighter blue for vanishing.
    pub fn dark() -> Theme {
        Theme {
            background: RGBColor(22, 24, 28),
            text: RGBColor(232, 232, 232),
            axis: RGBColor(170, 170, 170),
            grid: RGBColor(52, 56, 62),
            band: RGBColor(34, 37, 42),
            // Okabe–Ito sky blue, bluish green and vermillion.
            regimes: [
                RGBColor(86, 180, 233),
                RGBColor(0, 158, 115),
                RGBColor(213, 94, 0),
            ],
            font_px: 13.0,
            line_px: 2.5,
            reference_alpha: 0.45,
            series: [
                RGBColor(86, 180, 233),
                RGBColor(230, 159, 0),
                RGBColor(0, 158, 115),
                RGBColor(204, 121, 167),
            ],
        }
    }

    /// For a projector: black on white, 24 px text, 4 px lines, stronger references.
    pub fn projector() -> Theme {
        Theme {
            background: RGBColor(255, 255, 255),
            text: RGBColor(0, 0, 0),
            axis: RGBColor(0, 0, 0),
            grid: RGBColor(190, 190, 190),
            band: RGBColor(236, 236, 236),
            font_px: 24.0,
            line_px: 4.0,
            reference_alpha: 0.6,
            ..Theme::light()
        }
    }

    /// For forced-colours mode (Windows high contrast): only the system's colours, the
    /// highlight colour for every curve.
    pub fn system(background: RGBColor, text: RGBColor, highlight: RGBColor) -> Theme {
        Theme {
            background,
            text,
            axis: text,
            grid: text,
            band: background,
            regimes: [highlight; 3],
            series: [highlight; 4],
            reference_alpha: 0.5,
            ..Theme::light()
        }
    }

    /// The colour of a regime.
    pub fn regime(&self, regime: Regime) -> RGBColor {
        match regime {
            Regime::Vanishing => self.regimes[0],
            Regime::Stable => self.regimes[1],
            Regime::Exploding => self.regimes[2],
        }
    }
}

/// Parses a colour as `getComputedStyle` writes it: `rgb(r, g, b)` or `rgba(r, g, b, a)`
/// (the alpha is dropped).
pub fn parse_css_color(text: &str) -> Option<RGBColor> {
    let inner = text
        .trim()
        .strip_prefix("rgba(")
        .or_else(|| text.trim().strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let mut parts = inner
        .split([',', ' ', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| crate::decimal::parse(p).map(|v| v.round().clamp(0.0, 255.0) as u8));
    Some(RGBColor(parts.next()??, parts.next()??, parts.next()??))
}

/// A theme at a device-pixel scale.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    /// Colours and CSS sizes.
    pub theme: Theme,
    /// Device pixels per CSS pixel (`devicePixelRatio` on a canvas, 1 for SVG).
    pub scale: f64,
    /// Extra factor for font sizes. Plotters' canvas backend uses a font size as CSS
    /// pixels, its SVG backend divides it by 1.24; [`Style::svg`] makes up for that.
    pub font_scale: f64,
    /// Whether bitmaps are drawn as one image (a canvas) rather than as shapes (SVG).
    pub raster: bool,
}

impl Style {
    /// The style for a canvas with `device_pixel_ratio` device pixels per CSS pixel.
    pub fn canvas(theme: Theme, device_pixel_ratio: f64) -> Style {
        Style {
            theme,
            scale: device_pixel_ratio,
            font_scale: 1.0,
            raster: true,
        }
    }

    /// The style for SVG, whose text then comes out the same size as on a canvas.
    pub fn svg(theme: Theme) -> Style {
        Style {
            theme,
            scale: 1.0,
            font_scale: 1.24,
            raster: false,
        }
    }

    /// The font size in the backend's units for a size of `css` CSS pixels.
    pub fn font(&self, css: f64) -> f64 {
        css * self.scale * self.font_scale
    }

    /// `css` CSS pixels in device pixels.
    pub fn px(&self, css: f64) -> f64 {
        css * self.scale
    }

    /// A line width in whole device pixels, at least 1.
    pub fn stroke(&self, css: f64) -> u32 {
        self.px(css).round().max(1.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_colours_parse() {
        assert_eq!(parse_css_color("rgb(0, 0, 255)"), Some(RGBColor(0, 0, 255)));
        assert_eq!(
            parse_css_color("rgba(10, 20, 30, 0.5)"),
            Some(RGBColor(10, 20, 30))
        );
        assert_eq!(parse_css_color("rgb(1 2 3)"), Some(RGBColor(1, 2, 3)));
        assert_eq!(parse_css_color("Canvas"), None);
        assert_eq!(parse_css_color("rgb(1, 2)"), None);
    }

    #[test]
    fn projector_meets_its_minimums() {
        let t = Theme::projector();
        assert!(t.font_px >= 24.0 && t.line_px >= 3.0);
        assert_eq!(t.regimes, Theme::light().regimes, "same palette");
    }
}
