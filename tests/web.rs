//! The app in a real browser (wasm-bindgen-test in headless Chromium): it mounts, and both
//! canvases show drawn pixels in the right colours.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn mount(query: &str) -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    // The page's stylesheet is not loaded here: give the canvases a size of their own.
    let style = doc.create_element("style").unwrap();
    style.set_text_content(Some(
        "canvas { display: block; width: 100%; height: 320px; }",
    ));
    doc.head().unwrap().append_child(&style).unwrap();
    let root = doc.create_element("div").unwrap();
    root.set_attribute("style", "width: 1000px").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    deep_signal::web::mount(&root, query).unwrap();
    root
}

/// `(pixels that differ from white, pixels close to `rgb`)` on a canvas.
fn count_pixels(canvas: &HtmlCanvasElement, rgb: [u8; 3]) -> (usize, usize) {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64)
        .unwrap()
        .data();
    let (mut drawn, mut colour) = (0, 0);
    for p in data.chunks(4) {
        if p[..3] != [255, 255, 255] {
            drawn += 1;
        }
        if p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) < 12) {
            colour += 1;
        }
    }
    (drawn, colour)
}

#[wasm_bindgen_test]
async fn the_app_mounts_and_both_canvases_are_drawn() {
    let root = mount("?depth=200&w=2&b=0&x=1&dtype=f32");
    for _ in 0..6 {
        next_frame().await;
    }
    let readout = root
        .query_selector("[data-readout=first-nonfinite]")
        .unwrap()
        .unwrap();
    assert_eq!(readout.get_attribute("data-value").as_deref(), Some("128"));
    for panel in ["activations", "gradients"] {
        let canvas: HtmlCanvasElement = root
            .query_selector(&format!("canvas[data-plot={panel}]"))
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap();
        let dpr = web_sys::window().unwrap().device_pixel_ratio();
        let css = canvas.get_bounding_client_rect();
        assert!(css.width() > 500.0, "{panel} is laid out");
        assert_eq!(
            canvas.width(),
            (css.width() * dpr).round() as u32,
            "{panel} backing store"
        );
        assert_eq!(
            canvas.height(),
            (320.0 * dpr).round() as u32,
            "{panel} backing store"
        );
        let (drawn, exploding) = count_pixels(&canvas, [213, 94, 0]);
        let total = (canvas.width() * canvas.height()) as usize;
        assert!(
            drawn > total / 50,
            "{panel}: only {drawn} of {total} pixels drawn"
        );
        assert!(
            exploding > 200,
            "{panel}: the live exploding curve is missing ({exploding} px)"
        );
    }
}

#[wasm_bindgen_test]
async fn a_vanishing_chain_is_drawn_in_the_vanishing_colour() {
    let root = mount("?depth=50&w=0.5");
    for _ in 0..6 {
        next_frame().await;
    }
    let canvas: HtmlCanvasElement = root
        .query_selector("canvas[data-plot=activations]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (_, vanishing) = count_pixels(&canvas, [0, 114, 178]);
    let (_, exploding) = count_pixels(&canvas, [213, 94, 0]);
    assert!(vanishing > 200, "{vanishing}");
    assert!(
        exploding < vanishing / 4,
        "only the faint reference is vermillion"
    );
}

#[wasm_bindgen_test]
async fn the_training_lab_trains_to_the_url_step_and_shows_nan_in_the_heat_map() {
    let root = mount("?view=train&lr=1&steps=20");
    for _ in 0..120 {
        if root.get_attribute("data-state").as_deref() == Some("ready") {
            break;
        }
        next_frame().await;
    }
    let value = |key: &str| {
        root.query_selector(&format!("[data-readout={key}]"))
            .unwrap()
            .unwrap()
            .get_attribute("data-value")
            .unwrap()
    };
    // The run halts by itself after step 9: every weight is NaN.
    assert_eq!(value("step"), "10");
    assert_eq!(value("diagnosis"), "exploding");
    assert_eq!(value("nonfinite-weight-layers"), "50");
    let canvas: HtmlCanvasElement = root
        .query_selector("canvas[data-plot=heatmap]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (drawn, nan) = count_pixels(&canvas, [204, 121, 167]);
    assert!(drawn > 1000, "the heat map is drawn ({drawn} px)");
    assert!(nan > 100, "NaN cells have their colour ({nan} px)");
}

/// The browser reads numbers to the same bits as Rust: at the edges of the grammar and of
/// `f64`'s range, halfway cases, and random numbers with up to 30 digits.
#[wasm_bindgen_test]
fn numbers_are_read_as_rust_reads_them() {
    let mut texts: Vec<String> = [
        "0",
        "-0",
        ".5",
        "5.",
        "-.5e3",
        "1e400",
        "1e-400",
        "4.9e-324",
        "2.4703282292062328e-324",
        "2.4703282292062327e-324",
        "2.2250738585072011e-308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "9007199254740993",
        "9007199254740993.0000000000000001",
        "123456789012345678901234567890",
        "0.30000000000000004",
        "1.5E+3",
        "e5",
        ".",
        "",
        "0x10",
        " 1",
        "Infinity",
        "-INF",
        "nan",
        "-nan",
        "1e",
        "1_0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let digits = 1 + next() % 30;
        let mut s: String = (0..digits)
            .map(|_| char::from(b'0' + (next() % 10) as u8))
            .collect();
        let point = (next() % (digits + 1)) as usize;
        s.insert(point, '.');
        if s == "." {
            s = "0".into();
        }
        let e = next() % 700;
        texts.push(format!("{s}e{}", e as i64 - 350));
    }
    for text in texts {
        let ours = deep_signal::decimal::parse(&text);
        let rust = text.parse::<f64>().ok();
        assert_eq!(ours.map(f64::to_bits), rust.map(f64::to_bits), "{text:?}");
    }
}
