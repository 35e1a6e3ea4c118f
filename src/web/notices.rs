//! The notice box: plain messages about input that was corrected or ignored.

use super::dom::{document, find, Listeners};
use crate::app::params::Notice;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event};

/// The most notices kept on screen; older ones are dropped.
const MAX_SHOWN: u32 = 6;

/// The notice box of a view.
pub struct Notices {
    container: Element,
    list: Element,
    /// The dismiss button's.
    _listeners: Listeners,
}

impl Notices {
    /// Wraps the `[data-notices]` element and wires its dismiss button.
    pub fn new(container: Element) -> Result<Notices, JsValue> {
        let list: Element = find(&container, "ul")?;
        let button: Element = find(&container, "[data-dismiss]")?;
        let (c, l) = (container.clone(), list.clone());
        let listeners = Listeners::default();
        listeners.on(&button, "click", move |_: Event| {
            l.set_inner_html("");
            let _ = c.set_attribute("hidden", "");
        });
        Ok(Notices {
            container,
            list,
            _listeners: listeners,
        })
    }

    /// Adds `notices` to the box and shows it (does nothing for none).
    pub fn show(&self, notices: &[Notice]) {
        if notices.is_empty() {
            return;
        }
        let doc = document();
        for n in notices {
            if let Ok(li) = doc.create_element("li") {
                // Text, never HTML: notices quote the user's input.
                li.set_text_content(Some(&n.0));
                let _ = self.list.append_child(&li);
            }
        }
        while self.list.child_element_count() > MAX_SHOWN {
            if let Some(first) = self.list.first_element_child() {
                first.remove();
            }
        }
        let _ = self.container.remove_attribute("hidden");
    }
}
