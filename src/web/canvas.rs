//! Canvases that stay crisp: the backing store is the CSS size (from a ResizeObserver)
//! times `devicePixelRatio`, and the plots scale fonts and lines by the same ratio.

use super::backend::Canvas2d;
use super::dom::window;
use super::export::failed;
use crate::plot::{self, Frame, Layout, Picture, Plot, Style, Theme};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AddEventListenerOptions, HtmlCanvasElement, ResizeObserver, ResizeObserverEntry};

/// What a heat map drawn on a canvas looked like: its fingerprint, style and size.
type HeatKey = (u64, Style, (u32, u32));

/// A canvas, its CSS size, and an offscreen copy of the static part of its plot.
pub struct PlotCanvas {
    /// The element.
    pub canvas: HtmlCanvasElement,
    /// Width and height in CSS pixels, as last observed (0 until laid out).
    css: Cell<(f64, f64)>,
    /// The static part (axes, labels, legend, bands) as last drawn, and its layout.
    layer: HtmlCanvasElement,
    layout: RefCell<Option<Layout>>,
    /// Where the last plot landed, to map the pointer to a layer.
    frame: Cell<Option<Frame>>,
    /// The last heat map drawn.
    heat: RefCell<Option<HeatKey>>,
}

impl PlotCanvas {
    /// Wraps a canvas; its size is unknown until [`observe`] reports it.
    pub fn new(canvas: HtmlCanvasElement) -> Result<PlotCanvas, JsValue> {
        Ok(PlotCanvas {
            canvas,
            css: Cell::new((0.0, 0.0)),
            layer: super::dom::document()
                .create_element("canvas")?
                .dyn_into()?,
            layout: RefCell::new(None),
            frame: Cell::new(None),
            heat: RefCell::new(None),
        })
    }

    /// Reads the CSS size from the layout now, rather than waiting for the observer.
    pub fn measure(&self) {
        let rect = self.canvas.get_bounding_client_rect();
        self.css.set((rect.width(), rect.height()));
    }

    /// The CSS size of the canvas, as last observed.
    pub fn css_size(&self) -> (f64, f64) {
        self.css.get()
    }

    /// The layer under the pointer at `client_x` (a `PointerEvent`'s `clientX`), if it is
    /// over the plotting area of the last drawn plot.
    pub fn layer_at(&self, client_x: f64, first: usize, last: usize) -> Option<usize> {
        let rect = self.canvas.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return None;
        }
        let device = (client_x - rect.left()) * self.canvas.width() as f64 / rect.width();
        self.frame.get()?.layer_at(device, first, last)
    }

    /// Where the pointer at `(client_x, client_y)` is in the plotting area of the last drawn
    /// plot, as fractions of its width from the left and of its height from the bottom, if
    /// it is over it (for a surface, read in two dimensions).
    #[cfg(feature = "surface-plot")]
    pub fn fraction_at(&self, client_x: f64, client_y: f64) -> Option<(f64, f64)> {
        let rect = self.canvas.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let x = (client_x - rect.left()) * self.canvas.width() as f64 / rect.width();
        let y = (client_y - rect.top()) * self.canvas.height() as f64 / rect.height();
        let (l, t, r, b) = self.frame.get()?.area;
        let fx = (x - l as f64) / (r - l).max(1) as f64;
        let fy = (b as f64 - y) / (b - t).max(1) as f64;
        ((0.0..=1.0).contains(&fx) && (0.0..=1.0).contains(&fy)).then_some((fx, fy))
    }

    /// The y range of the last drawn plot, to be kept while it still fits the data.
    pub fn range(&self) -> Option<(f64, f64)> {
        self.layout.borrow().as_ref().map(Layout::range)
    }

    /// Draws `plot` at the current size; returns `None` before the canvas is laid out.
    pub fn draw(&self, plot: &Plot, theme: &Theme) -> Result<Option<Frame>, JsValue> {
        let (css_w, css_h) = self.css.get();
        // Read each time: it changes with browser zoom and when the window moves to
        // another screen.
        let ratio = window().device_pixel_ratio();
        let (w, h) = (
            (css_w * ratio).round() as u32,
            (css_h * ratio).round() as u32,
        );
        if w == 0 || h == 0 {
            return Ok(None);
        }
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
        }
        let style = Style::canvas(theme.clone(), ratio);
        let plot = match plot {
            Plot::Layers(p) => p,
            #[cfg(feature = "heat-plot")]
            Plot::Heat(p) => {
                // Drawn whole (it changes with every step), but not again while it is the
                // same picture.
                self.layout.borrow_mut().take();
                let key = Some((p.fingerprint(), style.clone(), (w, h)));
                if let (true, Some(frame)) = (*self.heat.borrow() == key, self.frame.get()) {
                    return Ok(Some(frame));
                }
                *self.heat.borrow_mut() = key;
                let mut picture = Picture::new((w, h));
                let frame = plot::draw_heat(&picture.area(), p, &style).map_err(failed)?;
                picture
                    .replay(&mut Canvas2d::new(&self.canvas)?)
                    .map_err(failed)?;
                self.frame.set(Some(frame));
                return Ok(Some(frame));
            }
            #[cfg(feature = "surface-plot")]
            Plot::Surface(p) => {
                // A raster of its own: drawn whole, but not again while it is the same.
                self.layout.borrow_mut().take();
                let key = Some((p.fingerprint(), style.clone(), (w, h)));
                if let (true, Some(frame)) = (*self.heat.borrow() == key, self.frame.get()) {
                    return Ok(Some(frame));
                }
                *self.heat.borrow_mut() = key;
                let mut picture = Picture::new((w, h));
                let frame = plot::draw_surface(&picture.area(), p, &style).map_err(failed)?;
                picture
                    .replay(&mut Canvas2d::new(&self.canvas)?)
                    .map_err(failed)?;
                self.frame.set(Some(frame));
                return Ok(Some(frame));
            }
            #[cfg(feature = "phase-plot")]
            Plot::Phase(p) => {
                // A few shapes: drawn whole every time.
                self.layout.borrow_mut().take();
                self.heat.borrow_mut().take();
                let mut picture = Picture::new((w, h));
                let frame = plot::draw_phase(&picture.area(), p, &style).map_err(failed)?;
                picture
                    .replay(&mut Canvas2d::new(&self.canvas)?)
                    .map_err(failed)?;
                self.frame.set(Some(frame));
                return Ok(Some(frame));
            }
        };
        self.heat.borrow_mut().take();
        let layout = Layout::new(plot, &style, (w, h));
        // The static part is redrawn only when its layout changed (a resize, a new axis
        // range, another depth or format); a slider drag usually just moves the live curves.
        if self.layout.borrow().as_ref() != Some(&layout) {
            self.layer.set_width(w);
            self.layer.set_height(h);
            let mut picture = Picture::new((w, h));
            plot::draw_static(&picture.area(), plot, &layout).map_err(failed)?;
            picture
                .replay(&mut Canvas2d::new(&self.layer)?)
                .map_err(failed)?;
            // For tests and authors: how much of the plot's height the legend takes (not in
            // the explorer's own module, whose legends are short and whose page has no bytes
            // to spare).
            #[cfg(feature = "lab")]
            self.canvas.set_attribute(
                "data-legend-share",
                &format!("{:.3}", layout.legend_share()),
            )?;
            *self.layout.borrow_mut() = Some(layout.clone());
        }
        let mut picture = Picture::new((w, h));
        let frame = plot::draw_data(&picture.area(), plot, &layout).map_err(failed)?;
        let mut canvas = Canvas2d::new(&self.canvas)?;
        canvas.copy(&self.layer)?;
        picture.replay(&mut canvas).map_err(failed)?;
        self.frame.set(Some(frame));
        Ok(Some(frame))
    }
}

/// Watches a view's canvases until dropped: their sizes, and the device pixel ratio.
pub struct Observer {
    observer: ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
    /// Held here; the pixel ratio's watcher keeps only a weak reference.
    _changed: Rc<dyn Fn()>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Watches the canvases' CSS sizes and the device pixel ratio, and calls `changed`
/// whenever either changes, until the returned observer is dropped.
pub fn observe(
    canvases: Vec<Rc<PlotCanvas>>,
    changed: impl Fn() + 'static,
) -> Result<Observer, JsValue> {
    let changed: Rc<dyn Fn()> = Rc::new(changed);
    let watched = canvases.clone();
    let on_resize = changed.clone();
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
                let rect = entry.content_rect();
                c.css.set((rect.width(), rect.height()));
            }
        }
        on_resize();
    });
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref())?;
    for c in &canvases {
        observer.observe(&c.canvas);
    }
    PIXEL_RATIO.with(|w| {
        let mut w = w.borrow_mut();
        w.retain(|c| c.strong_count() > 0);
        w.push(Rc::downgrade(&changed));
    });
    if !WATCHING.with(|on| on.replace(true)) {
        watch_pixel_ratio();
    }
    Ok(Observer {
        observer,
        _callback: callback,
        _changed: changed,
    })
}

thread_local! {
    /// Whom a change of the device pixel ratio concerns: every live view's canvases.
    static PIXEL_RATIO: RefCell<Vec<std::rc::Weak<dyn Fn()>>> = const { RefCell::new(Vec::new()) };
    /// Whether the page's one pixel-ratio listener is waiting.
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Tells every live view when `devicePixelRatio` changes (zoom, another screen), through one
/// listener for the page. A media query matches only the current ratio, so it is renewed
/// after each change; it stops once no view is left.
fn watch_pixel_ratio() {
    let w = window();
    let query = format!("(resolution: {}dppx)", w.device_pixel_ratio());
    let Ok(Some(list)) = w.match_media(&query) else {
        return;
    };
    let once = Closure::once_into_js(move || {
        let live: Vec<Rc<dyn Fn()>> = PIXEL_RATIO.with(|w| {
            let mut w = w.borrow_mut();
            w.retain(|c| c.strong_count() > 0);
            w.iter().filter_map(std::rc::Weak::upgrade).collect()
        });
        for changed in &live {
            changed();
        }
        if live.is_empty() {
            WATCHING.with(|on| on.set(false));
        } else {
            watch_pixel_ratio();
        }
    });
    let options = AddEventListenerOptions::new();
    options.set_once(true);
    let _ = list.add_event_listener_with_callback_and_add_event_listener_options(
        "change",
        once.unchecked_ref(),
        &options,
    );
}
