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
    /// The frame asked for, while it is pending.
    id: Rc<Cell<Option<i32>>>,
    callback: Closure<dyn FnMut(f64)>,
}

impl Frames {
    /// A scheduler that calls `redraw` in the next frame after each [`request`](Self::request).
    pub fn new(mut redraw: impl FnMut() + 'static) -> Frames {
        let pending = Rc::new(Cell::new(false));
        let id = Rc::new(Cell::new(None));
        let (flag, asked) = (pending.clone(), id.clone());
        let callback = Closure::<dyn FnMut(f64)>::new(move |_time: f64| {
            flag.set(false);
            asked.set(None);
            redraw();
        });
        Frames {
            pending,
            id,
            callback,
        }
    }

    /// Asks for a redraw in the next frame; does nothing if one is already asked for.
    pub fn request(&self) {
        if !self.pending.replace(true) {
            let id = window().request_animation_frame(self.callback.as_ref().unchecked_ref());
            self.id.set(id.ok());
        }
    }
}

impl Drop for Frames {
    /// A frame still asked for would call a freed closure: it is cancelled.
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = window().cancel_animation_frame(id);
        }
    }
}
