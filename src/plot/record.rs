//! A drawing backend that records what plotters draws, to replay it on another backend.
//!
//! Plotters' chart code (meshes, axes, series, layout) is generic over the backend, so every
//! backend it draws on gets its own copy in the WebAssembly module. The app draws every plot
//! through [`Recorder`] only and replays the [`Picture`] on the canvas or as SVG: plotters'
//! chart code is compiled once, and the replay is a short loop per target.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea, SVGBackend};
use plotters_backend::text_anchor::Pos;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform,
};
use std::convert::Infallible;

/// A line's or a shape's colour and width, as plotters passed them.
#[derive(Clone, Copy)]
struct Pen {
    color: BackendColor,
    width: u32,
}

impl Pen {
    fn of<S: BackendStyle>(style: &S) -> Pen {
        Pen {
            color: style.color(),
            width: style.stroke_width(),
        }
    }
}

impl BackendStyle for Pen {
    fn color(&self) -> BackendColor {
        self.color
    }

    fn stroke_width(&self) -> u32 {
        self.width
    }
}

/// A text's font, colour, anchor and rotation, as plotters passed them.
#[derive(Clone)]
struct Font {
    family: String,
    size: f64,
    style: FontStyle,
    color: BackendColor,
    anchor: Pos,
    transform: FontTransform,
}

impl BackendTextStyle for Font {
    type FontError = Infallible;

    fn color(&self) -> BackendColor {
        self.color
    }

    fn size(&self) -> f64 {
        self.size
    }

    fn transform(&self) -> FontTransform {
        self.transform.clone()
    }

    fn style(&self) -> FontStyle {
        self.style
    }

    fn anchor(&self) -> Pos {
        self.anchor
    }

    fn family(&self) -> FontFamily<'_> {
        FontFamily::Name(&self.family)
    }

    /// Never asked for: the backends replayed on draw text themselves, and text was
    /// measured while recording.
    fn layout_box(&self, _: &str) -> Result<((i32, i32), (i32, i32)), Infallible> {
        Ok(((0, 0), (0, 0)))
    }

    /// Never asked for, as [`layout_box`](Self::layout_box).
    fn draw<E, F: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        _: &str,
        _: BackendCoord,
        _: F,
    ) -> Result<Result<(), E>, Infallible> {
        Ok(Ok(()))
    }
}

/// One call plotters made on the backend.
enum Op {
    Pixel(BackendCoord, BackendColor),
    Line(BackendCoord, BackendCoord, Pen),
    Rect(BackendCoord, BackendCoord, Pen, bool),
    Path(Vec<BackendCoord>, Pen),
    Circle(BackendCoord, u32, Pen, bool),
    Polygon(Vec<BackendCoord>, Pen),
    Text(String, Font, BackendCoord),
    Bitmap(BackendCoord, (u32, u32), Vec<u8>),
}

/// What plotters drew on a drawing area of a given size, in order.
pub struct Picture {
    size: (u32, u32),
    ops: Vec<Op>,
}

impl Picture {
    /// An empty picture of `size` pixels.
    pub fn new(size: (u32, u32)) -> Picture {
        Picture {
            size,
            ops: Vec::new(),
        }
    }

    /// A plotters drawing area that records into this picture.
    pub fn area(&mut self) -> DrawingArea<Recorder<'_>, Shift> {
        Recorder { picture: self }.into_drawing_area()
    }

    /// Draws the picture on `backend` (of the same size), in the order it was recorded,
    /// then presents it.
    pub fn replay<DB: DrawingBackend>(
        &self,
        backend: &mut DB,
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        for op in &self.ops {
            match op {
                Op::Pixel(at, color) => backend.draw_pixel(*at, *color)?,
                Op::Line(from, to, pen) => backend.draw_line(*from, *to, pen)?,
                Op::Rect(a, b, pen, fill) => backend.draw_rect(*a, *b, pen, *fill)?,
                Op::Path(points, pen) => backend.draw_path(points.iter().copied(), pen)?,
                Op::Circle(at, r, pen, fill) => backend.draw_circle(*at, *r, pen, *fill)?,
                Op::Polygon(points, pen) => backend.fill_polygon(points.iter().copied(), pen)?,
                Op::Text(text, font, at) => backend.draw_text(text, font, *at)?,
                Op::Bitmap(at, size, rgb) => backend.blit_bitmap(*at, *size, rgb)?,
            }
        }
        backend.present()
    }

    /// The picture as an SVG document.
    pub fn svg(&self) -> String {
        let mut out = String::new();
        let mut svg = SVGBackend::with_string(&mut out, self.size);
        // Writing to a string cannot fail.
        let _ = self.replay(&mut svg);
        drop(svg);
        out
    }
}

/// The plotters backend that records into a [`Picture`].
pub struct Recorder<'a> {
    picture: &'a mut Picture,
}

impl Recorder<'_> {
    fn push(&mut self, op: Op) -> Result<(), DrawingErrorKind<Infallible>> {
        self.picture.ops.push(op);
        Ok(())
    }
}

impl DrawingBackend for Recorder<'_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.picture.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Infallible>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        at: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Pixel(at, color))
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Line(from, to, Pen::of(style)))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Rect(upper_left, bottom_right, Pen::of(style), fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Path(path.into_iter().collect(), Pen::of(style)))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Circle(center, radius, Pen::of(style), fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Polygon(vert.into_iter().collect(), Pen::of(style)))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        at: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        let font = Font {
            family: style.family().as_str().to_string(),
            size: style.size(),
            style: style.style(),
            color: style.color(),
            anchor: style.anchor(),
            transform: style.transform(),
        };
        self.push(Op::Text(text.to_string(), font, at))
    }

    fn blit_bitmap(
        &mut self,
        at: BackendCoord,
        size: (u32, u32),
        rgb: &[u8],
    ) -> Result<(), DrawingErrorKind<Infallible>> {
        self.push(Op::Bitmap(at, size, rgb.to_vec()))
    }
}
