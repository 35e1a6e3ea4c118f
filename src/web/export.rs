//! Getting figures and numbers out of the page: PNG at twice the on-screen size, SVG drawn
//! by the same plotting code, the CSV of the plotted data, and text for the clipboard.

use super::backend::Canvas2d;
use super::dom::{document, window};
use crate::plot::{self, Plot, Style, Theme};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Saves `contents` as a file named `name` of MIME type `mime`, through a download link.
pub fn download_text(name: &str, mime: &str, contents: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(contents));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let result = click_link(name, &url);
    Url::revoke_object_url(&url)?;
    result
}

fn click_link(name: &str, href: &str) -> Result<(), JsValue> {
    let a: HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    a.set_href(href);
    a.set_download(name);
    a.click();
    Ok(())
}

/// Saves `plot` as a PNG of `css` CSS pixels drawn at twice that many device pixels, sharp
/// enough for slides.
pub fn download_png(
    name: &str,
    plot: &Plot,
    theme: &Theme,
    css: (f64, f64),
) -> Result<(), JsValue> {
    let canvas: HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
    canvas.set_width((css.0 * 2.0).round() as u32);
    canvas.set_height((css.1 * 2.0).round() as u32);
    let size = (canvas.width(), canvas.height());
    let (picture, _) =
        plot::record(plot, &Style::canvas(theme.clone(), 2.0), size).map_err(failed)?;
    picture
        .replay(&mut Canvas2d::new(&canvas)?)
        .map_err(failed)?;
    click_link(name, &canvas.to_data_url_with_type("image/png")?)
}

/// `plot` as an SVG document of `css` pixels, drawn by the same code as the canvas.
pub fn svg(plot: &Plot, theme: &Theme, css: (f64, f64)) -> Result<String, JsValue> {
    let size = (css.0.round().max(1.0) as u32, css.1.round().max(1.0) as u32);
    let (picture, _) = plot::record(plot, &Style::svg(theme.clone()), size).map_err(failed)?;
    Ok(picture.svg())
}

/// A drawing error as a JavaScript value.
pub fn failed(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&format!("drawing failed: {e}"))
}

/// Puts `text` on the clipboard; resolves to whether it worked. Falls back to the older
/// copy command where the Clipboard API is refused (an iframe without permission).
pub async fn copy(text: String) -> bool {
    let clipboard = window().navigator().clipboard();
    if JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
        return true;
    }
    copy_with_command(&text).unwrap_or(false)
}

fn copy_with_command(text: &str) -> Result<bool, JsValue> {
    let doc = document();
    let area: web_sys::HtmlTextAreaElement = doc.create_element("textarea")?.dyn_into()?;
    area.set_value(text);
    area.set_attribute("style", "position: fixed; opacity: 0")?;
    doc.body()
        .ok_or_else(|| JsValue::from_str("no body"))?
        .append_child(&area)?;
    area.select();
    let done = doc
        .dyn_ref::<web_sys::HtmlDocument>()
        .map(|d| d.exec_command("copy").unwrap_or(false))
        .unwrap_or(false);
    area.remove();
    Ok(done)
}
