//! The page structure as HTML, the same for every view, generated from the view's
//! registry entry so that each control exists once, named by its URL key. Only our own text
//! goes in here; anything that came from a user (notices) is written by the shell as text,
//! never as HTML.

use super::numbers::{js, power_of_ten, short};
use super::params::{ParamKind, ParamSpec, Value, Values};
use super::shortcuts;
use super::view::{Readout, ViewModel};
use super::views::{self, ViewSpec, VIEWS};
#[cfg(feature = "heat-plot")]
use crate::plot::HeatPlot;
#[cfg(feature = "phase-plot")]
use crate::plot::PhasePlot;
#[cfg(feature = "surface-plot")]
use crate::plot::SurfacePlot;
use crate::plot::{LayerPlot, Plot};
use std::fmt::Write;

/// The whole page of `view`: header and navigation, tools, notices, controls and presets,
/// the view's own buttons, its plots with their export buttons and data tables, the facts
/// panel and the help overlay. Elements marked `data-prose` are left out of an embedded
/// figure.
pub fn page(view: &ViewSpec, values: &Values, model: &dyn ViewModel) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<header class="ds-header" data-prose><h1>deep-signal</h1><p>{}</p></header>"#,
        view.intro
    );
    navigation(&mut h, view, values);
    h.push_str(concat!(
        r#"<nav class="ds-toolbar" aria-label="Tools" data-prose>"#,
        r#"<button type="button" data-action="copy-link">Copy link</button>"#,
        r#"<button type="button" data-action="copy-figure">Copy figure code</button>"#,
        r#"<button type="button" data-action="copy-embed">Copy embed code</button>"#,
    ));
    if model.latex().is_some() {
        h.push_str(
            r#"<button type="button" data-action="copy-latex">Copy formula as LaTeX</button>"#,
        );
    }
    h.push_str(concat!(
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
    ));
    if !view.actions.is_empty() {
        h.push_str(
            r#"<div class="ds-actions" role="group" aria-label="Training" data-param="actions">"#,
        );
        for a in view.actions {
            let keys = a
                .shortcut
                .map(|k| {
                    format!(
                        r#" aria-keyshortcuts="{}""#,
                        if k == " " { "Space" } else { k }
                    )
                })
                .unwrap_or_default();
            let _ = write!(
                h,
                r#"<button type="button" data-view-action="{}"{keys}>{}</button>"#,
                a.key, a.label
            );
        }
        h.push_str("</div>");
    }
    if !view.presets.is_empty() {
        h.push_str(
            r#"<div class="ds-presets" role="group" aria-label="Presets" data-param="presets">"#,
        );
        for (i, p) in view.presets.iter().enumerate() {
            let _ = write!(
                h,
                r#"<button type="button" data-preset="{i}" data-regime="{}" title="{}" aria-keyshortcuts="{}">{}</button>"#,
                p.tag,
                p.description,
                i + 1,
                p.label
            );
        }
        h.push_str("</div>");
    }
    for spec in values.specs() {
        control(&mut h, spec, values.get(spec.key));
    }
    h.push_str("</section>");

    h.push_str(r#"<section class="ds-plots" aria-label="Plots">"#);
    for panel in view.panels {
        let _ = write!(
            h,
            concat!(
                r#"<figure class="ds-plot" data-panel="{panel}">"#,
                r#"<div class="ds-canvas-box"><canvas data-plot="{panel}" role="img" aria-label="{what} plot"></canvas>"#,
                r#"<div class="ds-tip" data-tip="{panel}" aria-hidden="true" hidden></div></div>"#,
                r#"<figcaption><span class="ds-regime-badge" data-badge="{panel}"></span> "#,
                r#"<span data-note="{panel}" data-prose></span>"#,
                r#"<span class="ds-figure-tools">"#,
                r#"<button type="button" data-export="png" data-for="{panel}" aria-label="Download the {lower} plot as PNG">PNG</button>"#,
                r#"<button type="button" data-export="svg" data-for="{panel}" aria-label="Download the {lower} plot as SVG">SVG</button>"#,
                r#"<button type="button" data-show-data="{panel}" aria-expanded="false" aria-controls="ds-data-{panel}">Show data</button>"#,
                r#"</span></figcaption>"#,
                r#"<div class="ds-data" id="ds-data-{panel}" data-table="{panel}" hidden></div></figure>"#
            ),
            panel = panel.key,
            what = panel.title,
            lower = panel.title.to_ascii_lowercase(),
        );
    }
    h.push_str("</section>");

    h.push_str(r#"<section class="ds-facts" aria-label="Facts" data-prose>"#);
    if model.formula().is_some() {
        h.push_str(r#"<h2>The closed form</h2><div class="ds-formula" data-formula></div>"#);
    }
    h.push_str(r#"<h2>Readouts</h2><dl class="ds-readouts">"#);
    readouts(&mut h, &model.readouts());
    h.push_str("</dl>");
    if let Some(build) = view.build {
        h.push_str(&(build.facts)());
    }
    h.push_str("</section></div>");

    h.push_str(concat!(
        r#"<dialog class="ds-help" data-help aria-labelledby="ds-help-title">"#,
        r#"<h2 id="ds-help-title">Keyboard shortcuts</h2><dl>"#
    ));
    let presets: Vec<&str> = view.presets.iter().map(|p| p.label).collect();
    for (keys, what) in shortcuts::help(view.key_help, &presets) {
        let _ = write!(h, "<div><dt><kbd>{keys}</kbd></dt><dd>{what}</dd></div>");
    }
    h.push_str(concat!(
        r#"</dl><p>Shortcuts are off while a text or number box has focus.</p>"#,
        r#"<form method="dialog"><button>Close</button></form></dialog>"#
    ));
    h
}

/// The links between views, in lecture order, each carrying the parameters the views
/// share; the current view is marked.
fn navigation(h: &mut String, view: &ViewSpec, values: &Values) {
    if VIEWS.len() < 2 {
        return;
    }
    h.push_str(r#"<nav class="ds-views" aria-label="Views" data-prose><ol>"#);
    for to in VIEWS {
        let query = super::query::build(
            to,
            &views::carried(view, values, to),
            &Values::defaults(super::page::PAGE_PARAMS),
        );
        let current = if to.key == view.key {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(
            h,
            r#"<li><a href="./?{}" data-view-link="{}"{current}>{}</a></li>"#,
            query.replace('&', "&amp;"),
            to.key,
            to.nav
        );
    }
    // The lecture's own page, whose figures are these views.
    h.push_str(r#"<li><a href="./lecture.html">The lecture, live</a></li></ol></nav>"#);
}

/// The readouts as `<dt>`/`<dd>` pairs.
fn readouts(h: &mut String, list: &[Readout]) {
    for r in list {
        let _ = write!(
            h,
            r#"<div><dt data-label="{k}">{l}</dt><dd data-readout="{k}" data-value="{v}">{s}</dd></div>"#,
            k = r.key,
            l = r.label,
            v = r.value,
            s = r.shown
        );
    }
}

/// A table of the values a plot shows, for reading instead of seeing: one row per layer
/// (at most about 500, evenly spread, the first and last always included) and one column
/// per curve, magnitudes as plotted.
pub fn data_table(plot: &Plot) -> String {
    match plot {
        Plot::Layers(p) => layer_table(p),
        #[cfg(feature = "heat-plot")]
        Plot::Heat(p) if p.y_axis.is_some() => histogram_table(p),
        #[cfg(feature = "heat-plot")]
        Plot::Heat(p) => heat_table(p),
        #[cfg(feature = "phase-plot")]
        Plot::Phase(p) => phase_table(p),
        #[cfg(feature = "surface-plot")]
        Plot::Surface(p) => surface_table(p),
    }
}

/// A loss surface as a table: each path's points, step by step (the surface itself is
/// read by pointing at it).
#[cfg(feature = "surface-plot")]
fn surface_table(plot: &SurfacePlot) -> String {
    let mut h = format!(
        r#"<table><caption>{}</caption><thead><tr><th scope="col">path</th><th scope="col">step</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        plot.title, plot.x_axis.label, plot.y_axis.label
    );
    for path in &plot.paths {
        for (k, (x, y)) in path.points.iter().enumerate() {
            let _ = write!(
                h,
                r#"<tr><th scope="row">{}</th><td>{k}</td><td>{}</td><td>{}</td></tr>"#,
                path.label,
                short(*x),
                short(*y)
            );
        }
    }
    h.push_str("</tbody></table>");
    h
}

/// A phase diagram as a table: each configuration's point.
#[cfg(feature = "phase-plot")]
fn phase_table(plot: &PhasePlot) -> String {
    let mut h = format!(
        r#"<table><caption>{}</caption><thead><tr><th scope="col">configuration</th><th scope="col">σ_w²</th><th scope="col">σ_b²</th></tr></thead><tbody>"#,
        plot.title
    );
    for p in &plot.points {
        let _ = write!(
            h,
            r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>"#,
            p.label,
            short(p.at.0),
            short(p.at.1)
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// Histograms per layer as a table: for each layer, the bin holding the largest share, and
/// that share.
#[cfg(feature = "heat-plot")]
fn histogram_table(plot: &HeatPlot) -> String {
    let Some(axis) = &plot.y_axis else {
        return heat_table(plot);
    };
    let mut h = format!(
        r#"<table><caption>{}</caption><thead><tr><th scope="col">{}</th><th scope="col">most common {}</th><th scope="col">its share</th></tr></thead><tbody>"#,
        plot.title, plot.x_label, axis.label
    );
    for r in 0..plot.rows() {
        let (centre, share) = plot.mode(r).unwrap_or((f64::NAN, 0.0));
        let shown = super::view::bin_value(centre, axis.decades);
        let _ = write!(
            h,
            r#"<tr><th scope="row">{}</th><td>{shown}</td><td>{}</td></tr>"#,
            plot.first_x + r * plot.x_stride,
            short(share)
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// A heat map as a table: one row per recorded step (at most about 200, evenly spread,
/// the last always included), with the first, middle and last layer's values and the
/// largest of all layers.
#[cfg(feature = "heat-plot")]
fn heat_table(plot: &HeatPlot) -> String {
    let rows = plot.rows();
    let every = rows.div_ceil(200).max(1);
    let mut h = format!("<table><caption>{}", plot.title);
    if every > 1 {
        let _ = write!(h, ", every {every}th recorded {}", plot.x_label);
    }
    let middle = plot.cols.div_ceil(2).max(1);
    let _ = write!(
        h,
        r#"</caption><thead><tr><th scope="col">{}</th><th scope="col">layer 1</th><th scope="col">layer {middle}</th><th scope="col">layer {}</th><th scope="col">largest</th></tr></thead><tbody>"#,
        plot.x_label, plot.cols
    );
    let mut list: Vec<usize> = (0..rows).step_by(every).collect();
    if rows > 0 && list.last() != Some(&(rows - 1)) {
        list.push(rows - 1);
    }
    for r in list {
        let row = &plot.values[r * plot.cols..(r + 1) * plot.cols];
        let largest = row.iter().fold(0f64, |m, v| {
            if v.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(v.abs())
            }
        });
        let _ = write!(
            h,
            r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            plot.first_x + r * plot.x_stride,
            short(row[0]),
            short(row[middle - 1]),
            short(row[plot.cols - 1]),
            short(largest)
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// A layer plot as a table (see [`data_table`]).
fn layer_table(plot: &LayerPlot) -> String {
    let longest = plot
        .curves
        .iter()
        .map(|c| c.values.len())
        .max()
        .unwrap_or(0);
    let every = longest.div_ceil(500).max(1);
    let mut h = String::new();
    let _ = write!(h, "<table><caption>{}", plot.title);
    if every > 1 {
        let _ = write!(
            h,
            ", every {every}th {} (download the CSV for all of them)",
            plot.x_name
        );
    }
    let _ = write!(
        h,
        r#"</caption><thead><tr><th scope="col">{}</th>"#,
        plot.x_name
    );
    for c in &plot.curves {
        let _ = write!(h, r#"<th scope="col">{}</th>"#, c.label);
    }
    h.push_str("</tr></thead><tbody>");
    let mut rows: Vec<usize> = (0..longest).step_by(every).collect();
    if longest > 0 && rows.last() != Some(&(longest - 1)) {
        rows.push(longest - 1);
    }
    for i in rows {
        let _ = write!(
            h,
            r#"<tr><th scope="row">{}</th>"#,
            plot.first_layer + i * plot.x_stride
        );
        for c in &plot.curves {
            let v = c.values.get(i).map_or(f64::NAN, |v| v.abs());
            let _ = write!(h, "<td>{}</td>", short(v));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    h
}

/// `html` from [`page`] with every id, and every name of a radio group, made unique to
/// figure `n`, so that several figures can share one document.
pub fn scope_ids(html: &str, n: u32) -> String {
    let mut out = html.to_string();
    for attribute in ["id", "for", "list", "aria-controls", "aria-labelledby"] {
        out = out.replace(
            &format!(r#" {attribute}="ds-"#),
            &format!(r#" {attribute}="ds{n}-"#),
        );
    }
    out.replace(
        r#"type="radio" name=""#,
        &format!(r#"type="radio" name="ds{n}-"#),
    )
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
                    r#"step="{step}" value="{pos}"{list}>"#,
                    r#"<small data-prose>{desc} {range}</small></div>"#
                ),
                key = key,
                label = spec.label,
                min = js(n.min),
                max = js(n.max),
                smin = js(n.slider_min()),
                smax = js(n.slider.1),
                pos = js(n.slider_position(v)),
                range = if n.log {
                    format!(
                        "The slider is logarithmic, from {} to {}; type {} to {}.",
                        js(power_of_ten(n.slider.0)),
                        js(power_of_ten(n.slider.1)),
                        js(n.min),
                        js(n.max)
                    )
                } else {
                    format!(
                        "Slider {} to {}; type {} to {}.",
                        js(n.slider.0),
                        js(n.slider.1),
                        js(n.min),
                        js(n.max)
                    )
                },
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
        (ParamKind::Text(t), Value::Text(v)) => {
            let _ = write!(
                h,
                r#"<div class="ds-param ds-text" data-param="{key}"><label for="ds-{key}">{}</label><input type="text" id="ds-{key}" name="{key}" value="{}" maxlength="{}" spellcheck="false" autocomplete="off" autocapitalize="off"><small data-prose>{}</small></div>"#,
                spec.label,
                super::export::attribute(v),
                t.max_len,
                spec.description
            );
        }
        _ => unreachable!("a value always matches its spec's kind"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::views::explorer::PARAMS;

    #[test]
    fn every_parameter_has_a_control_named_by_its_key() {
        let values = Values::defaults(PARAMS);
        let view = views::default_view();
        let html = page(view, &values, &*view.model(&values).unwrap());
        for spec in PARAMS {
            assert!(
                html.contains(&format!(r#"name="{}""#, spec.key)),
                "{}",
                spec.key
            );
        }
        assert!(html.contains(r#"<input type="range" id="ds-w" name="w" min="0" max="2" step="0.001" value="0.8" list="ds-w-marks">"#));
        assert!(html.contains(r#"data-readout="regime" data-value="vanishing""#));
        assert_eq!(html.matches("data-row=").count(), 3);
    }

    #[test]
    fn scoped_ids_are_unique_to_a_figure_and_still_match_their_references() {
        for view in views::VIEWS {
            let values = Values::defaults(view.params);
            let html = scope_ids(&page(view, &values, &*view.model(&values).unwrap()), 7);
            let ids: Vec<&str> = html
                .split(" id=\"")
                .skip(1)
                .map(|rest| &rest[..rest.find('"').unwrap()])
                .collect();
            assert!(ids.len() > 5, "{}", view.key);
            for id in &ids {
                assert!(id.starts_with("ds7-"), "{id}");
                assert_eq!(ids.iter().filter(|i| *i == id).count(), 1, "{id}");
            }
            for reference in [
                " for=\"",
                " list=\"",
                " aria-controls=\"",
                " aria-labelledby=\"",
            ] {
                for rest in html.split(reference).skip(1) {
                    let target = &rest[..rest.find('"').unwrap()];
                    assert!(ids.contains(&target), "{reference}{target}");
                }
            }
            assert!(!html.contains(r#"type="radio" name="scale""#));
            assert!(html.contains(r#"type="radio" name="ds7-scale""#));
        }
    }
}
