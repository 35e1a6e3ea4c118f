//! Canvases that stay crisp: the backing store is the CSS size times `devicePixelRatio`,
//! read from a ResizeObserver (in exact device pixels where the browser reports them), and
//! the plots scale fonts and lines by the same ratio.

use crate::plot::{self, Frame, LayerPlot, Style, Theme};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, ResizeObserver, ResizeObserverBoxOptions, ResizeObserverEntry,
    ResizeObserverOptions, ResizeObserverSize,
};

/// A canvas and its size in device pixels.
pub struct PlotCanvas {
    /// The element.
    pub canvas: HtmlCanvasElement,
    /// Width and height in device pixels, as last observed (0 until laid out).
    size: Cell<(u32, u32)>,
    /// Device pixels per CSS pixel.
    ratio: Cell<f64>,
}

impl PlotCanvas {
    /// Wraps a canvas; its size is unknown until [`observe`] reports it.
    pub fn new(canvas: HtmlCanvasElement) -> PlotCanvas {
        PlotCanvas {
            canvas,
            size: Cell::new((0, 0)),
            ratio: Cell::new(1.0),
        }
    }

    fn resized(&self, entry: &ResizeObserverEntry) {
        let rect = entry.content_rect();
        let dpr = super::dom::window().device_pixel_ratio();
        // Exact device pixels where supported, else CSS size times the ratio.
        let device = entry
            .device_pixel_content_box_size()
            .get(0)
            .dyn_into::<ResizeObserverSize>()
            .ok()
            .map(|s| (s.inline_size(), s.block_size()))
            .unwrap_or((rect.width() * dpr, rect.height() * dpr));
        let ratio = if rect.width() > 0.0 {
            device.0 / rect.width()
        } else {
            dpr
        };
        self.size
            .set((device.0.round() as u32, device.1.round() as u32));
        self.ratio.set(ratio);
    }

    /// Draws `plot` at the current size; returns `None` before the canvas is laid out.
    pub fn draw(&self, plot: &LayerPlot, theme: &Theme) -> Result<Option<Frame>, JsValue> {
        let (w, h) = self.size.get();
        if w == 0 || h == 0 {
            return Ok(None);
        }
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        let backend = CanvasBackend::with_canvas_object(self.canvas.clone())
            .ok_or_else(|| JsValue::from_str("no 2D canvas context"))?;
        let root = backend.into_drawing_area();
        let style = Style::canvas(theme.clone(), self.ratio.get());
        let frame = plot::draw(&root, plot, &style)
            .map_err(|e| JsValue::from_str(&format!("drawing failed: {e}")))?;
        root.present()
            .map_err(|e| JsValue::from_str(&format!("drawing failed: {e}")))?;
        Ok(Some(frame))
    }
}

/// Watches the canvases' sizes and calls `changed` whenever one of them changes.
pub fn observe(canvases: Vec<Rc<PlotCanvas>>, changed: impl Fn() + 'static) -> Result<(), JsValue> {
    let watched = canvases.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for entry in entries.iter() {
            let Ok(entry) = entry.dyn_into::<ResizeObserverEntry>() else {
                continue;
            };
            let target = entry.target();
            if let Some(c) = watched
                .iter()
                .find(|c| c.canvas.is_same_node(Some(&target)))
            {
                c.resized(&entry);
            }
        }
        changed();
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref())?;
    let options = ResizeObserverOptions::new();
    options.set_box(ResizeObserverBoxOptions::DevicePixelContentBox);
    // Browsers without the device-pixel box throw on it; they get the CSS box.
    let observe: js_sys::Function = js_sys::Reflect::get(&observer, &"observe".into())?.into();
    for c in &canvases {
        if observe.call2(&observer, &c.canvas, &options).is_err() {
            observer.observe(&c.canvas);
        }
    }
    // The observer and its callback live as long as the page.
    callback.forget();
    std::mem::forget(observer);
    Ok(())
}
