//! Every plot of the training lab rendered to SVG in a debug build at extreme records: a run
//! that ended in NaN, one whose activations overflowed to inf, a single step, 100,000 steps,
//! and before any step. No panic, and the words and colours a user sees are there.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::readout;
use deep_signal::app::params::Values;
use deep_signal::app::view::{summary, ViewModel};
use deep_signal::app::views::train_lab::{self as train, PANELS, PARAMS};
use deep_signal::plot::{self, Style, Theme};

/// The lab's model for `query`, trained as the page would (the clock never runs out here).
fn lab(pairs: &[(&str, &str)]) -> Box<dyn ViewModel> {
    let mut values = Values::defaults(PARAMS);
    for (k, v) in pairs {
        assert!(values.set_raw(k, v).unwrap().is_none(), "{k}={v}");
    }
    let mut m = train::model(&values);
    for _ in 0..100_000 {
        if !m.tick(&mut values, &|| 0.0, 8.0).more {
            break;
        }
    }
    m
}

/// Every panel as SVG.
fn render_all(m: &dyn ViewModel) -> Vec<String> {
    (0..PANELS.len())
        .map(|i| common::svg(&m.plot(i, &Theme::light())))
        .collect()
}

#[test]
fn a_run_that_ended_in_nan_draws_its_nan() {
    let m = lab(&[("lr", "1"), ("steps", "50")]);
    assert_eq!(readout(&*m, "step"), "10");
    assert_eq!(readout(&*m, "loss"), "NaN");
    let svg = render_all(&*m);
    // The loss's last value is NaN, on its band; the heat map has NaN cells.
    assert!(svg[0].contains("NaN at step 10"), "loss plot");
    assert!(
        svg[1].contains("fill=\"#CC79A7\""),
        "NaN cells in the heat map"
    );
    assert!(summary(&m.plot(1, &Theme::light())).contains("first at step"));
    // The halting step's gradients are NaN in every layer, and its weights (before its
    // update) already in some.
    assert!(svg[2].contains("NaN from layer 1"), "gradients plot");
    assert!(
        svg[3].contains(">\nNaN at") || svg[3].contains(">\nNaN from"),
        "weights plot"
    );
}

#[test]
fn overflowing_activations_draw_inf() {
    let m = lab(&[("w0", "2"), ("depth", "200"), ("steps", "1")]);
    assert_eq!(readout(&*m, "first-nonfinite-layer"), "128");
    let svg = render_all(&*m);
    assert!(svg[0].contains("inf at step 1"), "loss plot");
    // The batch holds inputs of both signs, so its spread over +inf and -inf is NaN.
    assert!(svg[4].contains("NaN from layer 128"), "activations plot");
}

#[test]
fn one_step_and_no_step_draw() {
    let m = lab(&[("steps", "1")]);
    assert_eq!(readout(&*m, "step"), "1");
    let svg = render_all(&*m);
    assert!(svg.iter().all(|s| s.contains("<svg")));
    // One step's loss and baseline are dots: a line through one point would draw nothing.
    assert_eq!(svg[0].matches("<circle").count(), 2, "{}", &svg[0]);
    let m = lab(&[]);
    assert_eq!(readout(&*m, "diagnosis"), "untrained");
    let svg = render_all(&*m);
    assert!(svg[1].contains("Gradient norm of each layer over training"));
}

#[test]
fn a_hundred_thousand_steps_stay_bounded_and_draw() {
    let m = lab(&[
        ("depth", "3"),
        ("samples", "4"),
        ("lr", "0.001"),
        ("steps", "100000"),
    ]);
    assert_eq!(readout(&*m, "step"), "100000");
    let svg = render_all(&*m);
    // Rows are decimated: the loss plot says how often it recorded.
    assert!(
        svg[0].contains("Loss, every 16th step"),
        "{}",
        &svg[0][..300]
    );
    assert!(
        svg[1].len() < 2_000_000,
        "heat map SVG of {} bytes",
        svg[1].len()
    );
}

#[test]
fn readouts_agree_with_the_formulas_that_link_them() {
    let number = |m: &dyn ViewModel, key: &str| readout(m, key).parse::<f64>().unwrap();
    // One layer, w = 1, b = 0: the weight norm at step 1 is 1, so the update ratio of the
    // first update is lr·‖g‖, and the total norm is the only layer's norm.
    let m = lab(&[("depth", "1"), ("lr", "0.01"), ("steps", "1")]);
    let g = number(&*m, "grad-norm-first");
    assert!(g > 0.0);
    assert_eq!(number(&*m, "grad-norm-last"), g);
    assert!((number(&*m, "total-grad-norm") / g - 1.0).abs() < 1e-12);
    assert!((number(&*m, "update-ratio-first") / (0.01 * g) - 1.0).abs() < 1e-6);
    assert_eq!(readout(&*m, "clip-factor"), "off");
    // Clipping by norm: PyTorch's factor min(1, max / (total + 1e-6)), in f32.
    let m = lab(&[
        ("depth", "1"),
        ("lr", "0.01"),
        ("clip", "norm"),
        ("clip_max", "0.001"),
        ("steps", "1"),
    ]);
    let total = number(&*m, "total-grad-norm");
    assert!(total > 0.001, "{total}");
    // The multiplier applied, exactly as rounded to f32.
    let want = (0.001 / (total + 1e-6)) as f32 as f64;
    assert_eq!(number(&*m, "clip-factor"), want);
    // The clipped update: lr times the clipped gradient, over the weights' norm of 1.
    let ratio = number(&*m, "update-ratio-first");
    assert!(
        (ratio / (0.01 * total * want) - 1.0).abs() < 1e-5,
        "{ratio}"
    );
}

#[test]
fn a_recorded_picture_writes_the_same_svg_as_drawing_directly() {
    // The app draws through the recorder and replays; the SVG must not change by it.
    for m in [lab(&[("lr", "1"), ("steps", "50")]), lab(&[("steps", "3")])] {
        let direct = render_all(&*m);
        for (i, svg) in direct.iter().enumerate() {
            let style = Style::svg(Theme::light());
            let (picture, _) =
                plot::record(&m.plot(i, &Theme::light()), &style, (800, 420)).expect("drawn");
            assert_eq!(&picture.svg(), svg, "panel {i}");
        }
    }
}
