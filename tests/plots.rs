//! Every plot rendered to SVG in a debug build, at extreme settings: no panic, nothing drawn
//! outside the plotting area, and the markers that name inf/NaN/0 where the user sees them.
#![cfg(not(target_arch = "wasm32"))]

use deep_signal::app::views::explorer::{GradKind, Settings, Snapshot};
use deep_signal::plot::{self, Frame, LayerPlot, Scale, Style, Theme};
use deep_signal::sim::{ChainParams, NumberFormat};
use plotters::prelude::*;

fn settings(depth: usize, w: f64, b: f64, x: f64, format: NumberFormat) -> Settings {
    Settings {
        chain: ChainParams {
            depth,
            w,
            b,
            x,
            format,
        },
        scale: Scale::Log,
        grad: GradKind::Activation,
    }
}

fn render(plot: &LayerPlot) -> (String, Frame) {
    let mut svg = String::new();
    let frame = {
        let root = SVGBackend::with_string(&mut svg, (800, 420)).into_drawing_area();
        let style = Style::svg(Theme::light());
        let frame = plot::draw(&root, plot, &style).expect("drawing succeeds");
        root.present().expect("present");
        frame
    };
    (svg, frame)
}

/// The coordinates of every data polyline and dot (drawn in a regime colour; axes and grid
/// are grey) in an SVG document.
fn polyline_points(svg: &str) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let data = ["#0072B2", "#009E73", "#D55E00"];
    for chunk in svg.split("<polyline").skip(1) {
        let tag = &chunk[..chunk.find("/>").unwrap()];
        if !data
            .iter()
            .any(|c| tag.contains(&format!("stroke=\"{c}\"")))
        {
            continue;
        }
        let start = chunk.find("points=\"").expect("points") + 8;
        let end = start + chunk[start..].find('"').unwrap();
        for pair in chunk[start..end].split_whitespace() {
            let (x, y) = pair.split_once(',').unwrap();
            out.push((x.parse().unwrap(), y.parse().unwrap()));
        }
    }
    // A lone value is a dot.
    for chunk in svg.split("<circle").skip(1) {
        let tag = &chunk[..chunk.find("/>").unwrap()];
        if !data.iter().any(|c| tag.contains(&format!("fill=\"{c}\""))) {
            continue;
        }
        let attr = |name: &str| -> f64 {
            let start = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
            let end = start + tag[start..].find('"').unwrap();
            tag[start..end].parse().unwrap()
        };
        out.push((attr("cx"), attr("cy")));
    }
    out
}

fn assert_inside(svg: &str, frame: &Frame, what: &str) {
    let (l, t, r, b) = frame.area;
    let points = polyline_points(svg);
    assert!(!points.is_empty(), "{what}: nothing drawn");
    for (x, y) in points {
        assert!(
            x >= (l - 1) as f64
                && x <= (r + 1) as f64
                && y >= (t - 1) as f64
                && y <= (b + 1) as f64,
            "{what}: point ({x}, {y}) outside the plot area {:?}",
            frame.area
        );
    }
}

#[test]
fn extreme_settings_render_without_panic_and_inside_the_plot() {
    let weights = [4.0, 0.0, -4.0, 1.0 + 1e-12, 1.0 - 1e-12, 1.0, 0.5, 2.0];
    for format in NumberFormat::ALL {
        for &w in &weights {
            for depth in [1, 10_000] {
                for scale in [Scale::Log, Scale::Linear] {
                    for grad in [GradKind::Activation, GradKind::Weight] {
                        let mut s = settings(depth, w, 0.1, 1.0, format);
                        s.scale = scale;
                        s.grad = grad;
                        let snap = Snapshot::compute(s);
                        let theme = Theme::light();
                        for plot in [snap.activation_plot(&theme), snap.gradient_plot(&theme)] {
                            let what = format!(
                                "{format:?} w={w} n={depth} {scale:?} {grad:?}: {}",
                                plot.title
                            );
                            let (svg, frame) = render(&plot);
                            assert_inside(&svg, &frame, &what);
                            assert!(svg.contains(&plot.title), "{what}: title missing");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn overflow_is_a_labelled_marker_at_its_layer() {
    let snap = Snapshot::compute(settings(200, 2.0, 0.0, 1.0, NumberFormat::F32));
    let (svg, _) = render(&snap.activation_plot(&Theme::light()));
    assert!(svg.contains("inf from layer 128"), "{svg}");
    // The exploding colour (Okabe-Ito vermillion) draws the live curve.
    assert!(svg.contains("#D55E00"));
}

#[test]
fn underflowed_gradients_are_a_labelled_marker() {
    let snap = Snapshot::compute(settings(200, 0.5, 0.0, 1.0, NumberFormat::F32));
    let (svg, _) = render(&snap.gradient_plot(&Theme::light()));
    assert!(svg.contains("0 at layers 1–50"), "{svg}");
    let (svg, _) = render(&snap.activation_plot(&Theme::light()));
    assert!(svg.contains("0 from layer 150"));
}

#[test]
fn nan_weight_gradients_are_labelled() {
    let mut s = settings(200, 2.0, 0.0, 0.0, NumberFormat::F32);
    s.grad = GradKind::Weight;
    let snap = Snapshot::compute(s);
    let (svg, _) = render(&snap.gradient_plot(&Theme::light()));
    assert!(svg.contains("NaN at layers 1–"), "{svg}");
}

#[test]
fn a_linear_axis_up_to_the_largest_f64_stays_in_place() {
    // 4^511 = 1.1e307 is finite in f64; 4^512 overflows.
    let mut s = settings(520, 4.0, 0.0, 1.0, NumberFormat::F64);
    s.scale = Scale::Linear;
    let snap = Snapshot::compute(s);
    let (svg, frame) = render(&snap.activation_plot(&Theme::light()));
    assert_inside(&svg, &frame, "linear near f64::MAX");
    assert!(svg.contains("inf from layer 512"), "{svg}");
    // The top of the curve reaches the top of the numeric range, well above the bottom.
    let top = polyline_points(&svg)
        .iter()
        .map(|p| p.1)
        .fold(f64::INFINITY, f64::min);
    assert!(
        top < (frame.area.1 + frame.area.3) as f64 / 2.0,
        "curve top at {top}"
    );
}

#[test]
fn the_log_axis_labels_decades_across_the_whole_f64_range() {
    let snap = Snapshot::compute(settings(1000, 0.5, 0.0, 1.0, NumberFormat::F64));
    let (svg, _) = render(&snap.activation_plot(&Theme::light()));
    // 0.5^1000 = 9.3e-302: the axis reaches far below plotters' own log-axis floor.
    assert!(svg.contains("\n1e-300\n"), "{svg}");
}

/// Writes SVGs of a few settings to `target/plots/` for looking at (not an assertion).
#[test]
fn write_samples() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("plots");
    std::fs::create_dir_all(&dir).unwrap();
    let theme = Theme::light();
    for (name, s) in [
        ("vanishing", settings(50, 0.8, 0.1, 1.0, NumberFormat::F32)),
        ("exploding", settings(200, 2.0, 0.0, 1.0, NumberFormat::F32)),
        ("underflow", settings(200, 0.5, 0.0, 1.0, NumberFormat::F32)),
        ("deep", settings(1000, 0.5, 0.0, 1.0, NumberFormat::F64)),
    ] {
        let snap = Snapshot::compute(s);
        std::fs::write(
            dir.join(format!("{name}-act.svg")),
            render(&snap.activation_plot(&theme)).0,
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{name}-grad.svg")),
            render(&snap.gradient_plot(&theme)).0,
        )
        .unwrap();
    }
}

#[test]
fn layouts_differ_exactly_when_the_static_part_would() {
    let theme = Theme::light();
    let style = Style::canvas(theme.clone(), 2.0);
    let a = Snapshot::compute(settings(100, 0.8, 0.1, 1.0, NumberFormat::F32));
    let b = Snapshot::compute(settings(100, 0.85, 0.1, 1.0, NumberFormat::F32));
    let layout = |s: &Snapshot| plot::Layout::new(&s.activation_plot(&theme), &style, (1000, 500));
    // Moving w moves only the live curve: with the axis range kept from the frame before,
    // as the page does, the static part (references included) is reused.
    let mut next = b.activation_plot(&theme);
    next.previous_range = Some(layout(&a).range());
    assert_eq!(plot::Layout::new(&next, &style, (1000, 500)), layout(&a));
    // A reference that changes, a resize or another theme all redraw it.
    let mut plot = a.activation_plot(&theme);
    let mut changed = plot.curves[0].values.to_vec();
    changed[10] *= 2.0;
    plot.curves[0].values = &changed;
    assert_ne!(plot::Layout::new(&plot, &style, (1000, 500)), layout(&a));
    assert_ne!(
        plot::Layout::new(&a.activation_plot(&theme), &style, (999, 500)),
        layout(&a)
    );
    let dark = Style::canvas(Theme::dark(), 2.0);
    assert_ne!(
        plot::Layout::new(&a.activation_plot(&Theme::dark()), &dark, (1000, 500)),
        layout(&a)
    );
}
