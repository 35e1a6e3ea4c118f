//! The explorer's page structure as HTML, generated from the parameter specs so that each
//! control exists once, named by its URL key. Only our own text goes in here; anything that
//! came from a user (notices) is written by the shell as text, never as HTML.

use super::explorer::{Snapshot, PRESETS};
use super::numbers::js;
use super::params::{ParamKind, ParamSpec, Value, Values};
use crate::sim::Regime;
use std::fmt::Write;

/// The whole explorer: header, notices, controls, the two plots and the facts panel.
pub fn explorer(values: &Values, snapshot: &Snapshot) -> String {
    let mut h = String::new();
    h.push_str(concat!(
        r#"<header class="ds-header"><h1>deep-signal</h1>"#,
        r#"<p>Why very deep networks are hard to train: follow one signal through a chain of "#,
        r#"layers that each compute <i>y<sub>k</sub></i> = <i>w</i>·<i>y</i><sub><i>k</i>−1</sub> + <i>b</i>.</p></header>"#,
        r#"<div class="ds-notices" data-notices hidden><strong>Some settings were corrected:</strong><ul></ul>"#,
        r#"<button type="button" data-dismiss>Dismiss</button></div>"#,
        r#"<div class="ds-layout"><section class="ds-controls" aria-label="Settings">"#,
        r#"<div class="ds-presets" role="group" aria-label="Presets">"#,
    ));
    for (i, p) in PRESETS.iter().enumerate() {
        let _ = write!(
            h,
            r#"<button type="button" data-preset="{i}" data-regime="{}">{}</button>"#,
            p.regime.key(),
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
                r#"<div class="ds-canvas-box"><canvas data-plot="{panel}" role="img" aria-label="{what} plot"></canvas></div>"#,
                r#"<figcaption><span class="ds-regime-badge" data-regime-badge="{panel}"></span> "#,
                r#"<span data-note="{panel}"></span></figcaption></figure>"#
            ),
            panel = panel,
            what = what
        );
    }
    h.push_str("</section>");

    h.push_str(r#"<section class="ds-facts" aria-label="Facts"><h2>The closed form</h2><div class="ds-formula" data-formula></div><h2>Readouts</h2><dl class="ds-readouts">"#);
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
    h
}

/// One control: a slider and a number box for a number, a menu or a switch for a choice.
fn control(h: &mut String, spec: &ParamSpec, value: Value) {
    let key = spec.key;
    match (spec.kind, value) {
        (ParamKind::Number(n), Value::Number(v)) => {
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
                    r#"<small>{desc} Slider {smin} to {smax}; type {min} to {max}.</small></div>"#
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
                let selected = if *value == v { " selected" } else { "" };
                let _ = write!(h, r#"<option value="{value}"{selected}>{label}</option>"#);
            }
            let _ = write!(h, "</select><small>{}</small></div>", spec.description);
        }
        (ParamKind::Choice(c), Value::Choice(v)) => {
            let _ = write!(
                h,
                r#"<fieldset class="ds-param ds-switch" data-param="{key}"><legend>{}</legend>"#,
                spec.label
            );
            for (value, label) in c.options {
                let checked = if *value == v { " checked" } else { "" };
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
