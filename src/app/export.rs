//! What leaves the page: the data behind the plots as CSV, and the snippet that embeds the
//! current figure in another page.

use super::explorer::{Snapshot, REFERENCE_WEIGHTS};
use super::numbers::{js, short};
use crate::sim::Chain;
use std::fmt::Write;

/// The data behind both plots: one row per layer `k = 0..=n`, and for each curve (the live
/// chain, its input-only part, each reference) its activation `y_k` and its gradients
/// `dy_n/dy_k` and `dy_n/dw_k`. Values are signed, written as JavaScript writes numbers
/// (`Infinity`, `NaN`); a cell is empty where a quantity does not exist (`dy_n/dw_0`).
pub fn csv(snapshot: &Snapshot) -> String {
    let mut curves: Vec<(String, &Chain)> = vec![
        ("live".into(), &snapshot.chain),
        ("input only".into(), &snapshot.input_part),
    ];
    for (w, chain) in REFERENCE_WEIGHTS.iter().zip(&snapshot.references) {
        curves.push((format!("w={}", short(*w)), chain));
    }
    let mut out = String::from("layer");
    for (name, _) in &curves {
        let _ = write!(out, ",{name} y_k,{name} dy_n/dy_k,{name} dy_n/dw_k");
    }
    out.push('\n');
    for k in 0..=snapshot.settings.chain.depth {
        let _ = write!(out, "{k}");
        for (_, c) in &curves {
            let weight = k
                .checked_sub(1)
                .map(|i| js(c.weight_grads[i]))
                .unwrap_or_default();
            let _ = write!(out, ",{},{},{weight}", js(c.activations[k]), js(c.grads[k]));
        }
        out.push('\n');
    }
    out
}

/// An `<iframe>` that embeds the figure at `url` (which should carry `embed=1`), with a
/// title for screen readers and a height that fits `panels` plots.
pub fn iframe_snippet(url: &str, title: &str, panels: usize) -> String {
    let height = if panels > 1 { 960 } else { 620 };
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\" allowfullscreen></iframe>",
        attribute(url),
        attribute(title)
    )
}

/// An in-page figure for a course author's page: the element with `query` (the figure's
/// URL parameters) and the script include from the app's folder `base` (ending in `/`).
pub fn figure_snippet(base: &str, query: &str, title: &str) -> String {
    format!(
        "<div data-deep-signal=\"{}\" role=\"figure\" aria-label=\"{}\"></div>\n<script type=\"module\" src=\"{}figures.js\"></script>",
        attribute(query),
        attribute(title),
        attribute(base)
    )
}

/// `s` escaped for a double-quoted HTML attribute.
pub(crate) fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::explorer::Settings;
    use crate::app::params::Values;

    #[test]
    fn csv_rows_hold_the_simulated_values() {
        let mut values = Values::defaults(crate::app::explorer::PARAMS);
        values.set_raw("depth", "200");
        values.set_raw("w", "2");
        values.set_raw("b", "0");
        let snap = Snapshot::compute(Settings::from_values(&values));
        let text = csv(&snap);
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 202, "header and layers 0..=200");
        assert_eq!(
            rows[0][..4],
            ["layer", "live y_k", "live dy_n/dy_k", "live dy_n/dw_k"]
        );
        assert_eq!(rows[0].len(), 1 + 5 * 3);
        assert_eq!(rows[1][..4], ["0", "1", "Infinity", ""]);
        assert_eq!(rows[128][1], "1.7014118346046923e+38");
        assert_eq!(rows[129][1], "Infinity");
        assert_eq!(rows[201][2], "1");
    }

    #[test]
    fn figure_snippet_names_the_script_next_to_the_app() {
        let s = figure_snippet("https://x.org/ds/", "view=explorer&w=1.1", "a <b>");
        assert_eq!(
            s,
            "<div data-deep-signal=\"view=explorer&amp;w=1.1\" role=\"figure\" aria-label=\"a &lt;b>\"></div>\n\
             <script type=\"module\" src=\"https://x.org/ds/figures.js\"></script>"
        );
    }

    #[test]
    fn snippet_is_escaped() {
        let s = iframe_snippet("https://x.org/?a=1&embed=1", "a \"b\"", 1);
        assert!(s.contains("src=\"https://x.org/?a=1&amp;embed=1\""), "{s}");
        assert!(s.contains("title=\"a &quot;b&quot;\""), "{s}");
    }
}
