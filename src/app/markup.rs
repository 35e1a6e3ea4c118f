//! The explorer's page structure as HTML, generated from the parameter specs so that each
//! control exists once, named by its URL key. Only our own text goes in here; anything that
//! came from a user (notices) is written by the shell as text, never as HTML.

use super::explorer::{Snapshot, PRESETS};
use super::numbers::{js, short};
use super::params::{ParamKind, ParamSpec, Value, Values};
use super::shortcuts::SHORTCUTS;
use crate::plot::LayerPlot;
use crate::sim::Regime;
use std::fmt::Write;

/// The whole explorer: header, tools, notices, controls, the two plots with their export
/// buttons and data tables, the facts panel and the help overlay. Elements marked
/// `data-prose` are left out of an embedded figure.
pub fn explorer(values: &Values, snapshot: &Snapshot) -> String {
    let mut h = String::new();
    h.push_str(concat!(
        r#"<header class="ds-header" data-prose><h1>deep-signal</h1>"#,
        r#"<p>Why very deep networks are hard to train: follow one signal through a chain of "#,
        r#"layers that each compute <i>y<sub>k</sub></i> = <i>w</i>·<i>y</i><sub><i>k</i>−1</sub> + <i>b</i>.</p></header>"#,
        r#"<nav class="ds-toolbar" aria-label="Tools" data-prose>"#,
        r#"<button type="button" data-action="copy-link">Copy link</button>"#,
        r#"<button type="button" data-action="copy-embed">Copy embed code</button>"#,
        r#"<button type="button" data-action="copy-latex">Copy formula as LaTeX</button>"#,
        r#"<button type="button" data-action="csv">Download data (CSV)</button>"#,
        r#"<button type="button" data-action="projector" aria-pressed="false">Projector mode</button>"#,
        r#"<button type="button" data-action="fullscreen" aria-pressed="false">Full screen</button>"#,
        r#"<button type="button" data-action="help" aria-haspopup="dialog">Keyboard shortcuts</button>"#,
        r#"<span class="ds-toast" role="status" data-toast></span></nav>"#,
        r#"<a class="ds-open-full" data-open-full target="_blank" rel="noopener" href="./">Open in deep-signal</a>"#,
        r#"<div class="ds-notices" data-notices hidden><strong>Some settings were corrected:</strong><ul></ul>"#,
        r#"<button type="button" data-dismiss>Dismiss</button></div>"#,
        r#"<div class="ds-sr-only" aria-live="polite" data-announce></div>"#,
        r#"<div class="ds-layout"><section class="ds-controls" aria-label="Settings">"#,
        r#"<div class="ds-presets" role="group" aria-label="Presets" data-param="presets">"#,
    ));
    for (i, p) in PRESETS.iter().enumerate() {
        let _ = write!(
            h,
            r#"<button type="button" data-preset="{i}" data-regime="{}" aria-keyshortcuts="{}">{}</button>"#,
            p.regime.key(),
            i + 1,
            p.label
        );
    }
    h.push_str("</div>");
    for spec in values.specs() {
        control(&mut h, spec, values.get(spec.key));
    }
    h.push_str("</section>");

    h.push_str(r#"<section class="ds-plots" aria-label="Plots">"#);
    for (panel, what) in [("activations", "Activations"), ("gradients", "Gradients")] {
        let _ = write!(
            h,
            concat!(
                r#"<figure class="ds-plot" data-panel="{panel}">"#,
                r#"<div class="ds-canvas-box"><canvas data-plot="{panel}" role="img" aria-label="{what} plot"></canvas>"#,
                r#"<div class="ds-tip" data-tip="{panel}" aria-hidden="true" hidden></div></div>"#,
                r#"<figcaption><span class="ds-regime-badge" data-regime-badge="{panel}"></span> "#,
                r#"<span data-note="{panel}" data-prose></span>"#,
                r#"<span class="ds-figure-tools">"#,
                r#"<button type="button" data-export="png" data-for="{panel}" aria-label="Download the {lower} plot as PNG">PNG</button>"#,
                r#"<button type="button" data-export="svg" data-for="{panel}" aria-label="Download the {lower} plot as SVG">SVG</button>"#,
                r#"<button type="button" data-show-data="{panel}" aria-expanded="false" aria-controls="ds-data-{panel}">Show data</button>"#,
                r#"</span></figcaption>"#,
                r#"<div class="ds-data" id="ds-data-{panel}" data-table="{panel}" hidden></div></figure>"#
            ),
            panel = panel,
            what = what,
            lower = what.to_lowercase(),
        );
    }
    h.push_str("</section>");

    h.push_str(r#"<section class="ds-facts" aria-label="Facts" data-prose><h2>The closed form</h2><div class="ds-formula" data-formula></div><h2>Readouts</h2><dl class="ds-readouts">"#);
    for r in snapshot.readouts() {
        let _ = write!(
            h,
            r#"<div><dt data-label="{k}">{l}</dt><dd data-readout="{k}" data-value="{v}">{s}</dd></div>"#,
            k = r.key,
            l = r.label,
            v = r.value,
            s = r.shown
        );
    }
    h.push_str("</dl>");
    regime_table(&mut h);
    h.push_str("</section></div>");

    h.push_str(concat!(
        r#"<dialog class="ds-help" data-help aria-labelledby="ds-help-title">"#,
        r#"<h2 id="ds-help-title">Keyboard shortcuts</h2><dl>"#
    ));
    for (keys, what) in SHORTCUTS {
        let _ = write!(h, "<div><dt><kbd>{keys}</kbd></dt><dd>{what}</dd></div>");
    }
    h.push_str(concat!(
        r#"</dl><p>Shortcuts are off while a text or number box has focus.</p>"#,
        r#"<form method="dialog"><button>Close</button></form></dialog>"#
    ));
    h
}

/// A table of the values a plot shows, for reading instead of seeing: one row per layer
/// (at most about 500, evenly spread, the first and last always included) and one column
/// per curve, magnitudes as plotted.
pub fn data_table(plot: &LayerPlot) -> String {
    let last = plot.last_layer();
    let first = plot.first_layer;
    let count = last - first + 1;
    let stride = count.div_ceil(500).max(1);
    let mut h = String::new();
    let _ = write!(h, "<table><caption>{}", plot.title);
    if stride > 1 {
        let _ = write!(
            h,
            ", every {stride}th layer (download the CSV for all of them)"
        );
    }
    h.push_str(r#"</caption><thead><tr><th scope="col">layer</th>"#);
    for c in &plot.curves {
        let _ = write!(h, r#"<th scope="col">{}</th>"#, c.label);
    }
    h.push_str("</tr></thead><tbody>");
    let mut layers: Vec<usize> = (first..=last).step_by(stride).collect();
    if layers.last() != Some(&last) {
        layers.push(last);
    }
    for k in layers {
        let _ = write!(h, r#"<tr><th scope="row">{k}</th>"#);
        for c in &plot.curves {
            let v = c.values.get(k - first).map_or(f64::NAN, |v| v.abs());
            let _ = write!(h, "<td>{}</td>", short(v));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    h
}

/// One control: a slider and a number box for a number, a menu or a switch for a choice.
fn control(h: &mut String, spec: &ParamSpec, value: &Value) {
    let key = spec.key;
    match (spec.kind, value) {
        (ParamKind::Number(n), &Value::Number(v)) => {
            let list = if let Some(d) = n.detent {
                let _ = write!(
                    h,
                    r#"<datalist id="ds-{key}-marks"><option value="{}"></option></datalist>"#,
                    js(d)
                );
                format!(r#" list="ds-{key}-marks""#)
            } else {
                String::new()
            };
            let _ = write!(
                h,
                concat!(
                    r#"<div class="ds-param" data-param="{key}">"#,
                    r#"<label for="ds-{key}">{label}</label>"#,
                    r#"<input type="number" data-number="{key}" aria-label="{label}, exact value" "#,
                    r#"min="{min}" max="{max}" step="{step}" value="{v}">"#,
                    r#"<input type="range" id="ds-{key}" name="{key}" min="{smin}" max="{smax}" "#,
                    r#"step="{step}" value="{v}"{list}>"#,
                    r#"<small data-prose>{desc} Slider {smin} to {smax}; type {min} to {max}.</small></div>"#
                ),
                key = key,
                label = spec.label,
                min = js(n.min),
                max = js(n.max),
                smin = js(n.slider.0),
                smax = js(n.slider.1),
                step = js(n.step),
                v = js(v),
                list = list,
                desc = spec.description,
            );
        }
        (ParamKind::Choice(c), Value::Choice(v)) if c.options.len() > 2 => {
            let _ = write!(
                h,
                r#"<div class="ds-param" data-param="{key}"><label for="ds-{key}">{}</label><select id="ds-{key}" name="{key}">"#,
                spec.label
            );
            for (value, label) in c.options {
                let selected = if value == v { " selected" } else { "" };
                let _ = write!(h, r#"<option value="{value}"{selected}>{label}</option>"#);
            }
            let _ = write!(
                h,
                "</select><small data-prose>{}</small></div>",
                spec.description
            );
        }
        (ParamKind::Choice(c), Value::Choice(v)) => {
            let _ = write!(
                h,
                r#"<fieldset class="ds-param ds-switch" data-param="{key}"><legend>{}</legend>"#,
                spec.label
            );
            for (value, label) in c.options {
                let checked = if value == v { " checked" } else { "" };
                let _ = write!(
                    h,
                    r#"<label><input type="radio" name="{key}" value="{value}"{checked}><span>{label}</span></label>"#
                );
            }
            h.push_str("</fieldset>");
        }
        _ => unreachable!("a value always matches its spec's kind"),
    }
}

/// The lecture's summary of the three regimes, in our words; the current row is marked by
/// the shell with `aria-current`.
fn regime_table(h: &mut String) {
    h.push_str(concat!(
        r#"<h2>The three regimes</h2><table class="ds-regimes"><thead><tr>"#,
        r#"<th scope="col">|w|</th><th scope="col">Activations</th><th scope="col">Gradients</th>"#,
        r#"<th scope="col">What training sees</th></tr></thead><tbody>"#
    ));
    for regime in Regime::ALL {
        let (w, acts, grads, outcome) = match regime {
            Regime::Vanishing => (
                "below 1",
                "shrink towards the bias's fixed point; the input is forgotten",
                "shrink towards 0",
                "Numbers stay tame, but the early layers hardly learn",
            ),
            Regime::Stable => (
                "exactly 1",
                "keep their size",
                "keep their size",
                "The ideal case, and almost never the one you get",
            ),
            Regime::Exploding => (
                "above 1",
                "grow until they overflow to inf",
                "grow until they overflow to inf",
                "The loss and the weights turn into inf or NaN",
            ),
        };
        let _ = write!(
            h,
            r#"<tr data-regime-row="{}"><th scope="row">{w}</th><td>{acts}</td><td>{grads}</td><td>{outcome}</td></tr>"#,
            regime.key()
        );
    }
    h.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::explorer::{Settings, PARAMS};

    #[test]
    fn every_parameter_has_a_control_named_by_its_key() {
        let values = Values::defaults(PARAMS);
        let snap = Snapshot::compute(Settings::from_values(&values));
        let html = explorer(&values, &snap);
        for spec in PARAMS {
            assert!(
                html.contains(&format!(r#"name="{}""#, spec.key)),
                "{}",
                spec.key
            );
        }
        assert!(html.contains(r#"<input type="range" id="ds-w" name="w" min="0" max="2" step="0.001" value="0.8" list="ds-w-marks">"#));
        assert!(html.contains(r#"data-readout="regime" data-value="vanishing""#));
        assert_eq!(html.matches("data-regime-row=").count(), 3);
    }
}
