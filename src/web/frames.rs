//! Redraws scheduled on `requestAnimationFrame`: any number of requests between two frames
//! become one redraw, so input events never pile up.

use super::dom::window;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Runs a callback at most once per animation frame, when requested.
pub struct Frames {
    pending: Rc<Cell<bool>>,
    callback: Closure<dyn FnMut(f64)>,
}

impl Frames {
    /// A scheduler that calls `redraw` in the next frame after each [`request`](Self::request).
    pub fn new(mut redraw: impl FnMut() + 'static) -> Frames {
        let pending = Rc::new(Cell::new(false));
        let flag = pending.clone();
        let callback = Closure::<dyn FnMut(f64)>::new(move |_time: f64| {
            flag.set(false);
            redraw();
        });
        Frames { pending, callback }
    }

    /// Asks for a redraw in the next frame; does nothing if one is already asked for.
    pub fn request(&self) {
        if !self.pending.replace(true) {
            let _ = window().request_animation_frame(self.callback.as_ref().unchecked_ref());
        }
    }
}
