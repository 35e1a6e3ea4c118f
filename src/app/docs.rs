//! Documentation generated from the registries: the README's URL-parameter table comes
//! from here (a test checks that the README holds exactly this table).

use super::numbers::{js, power_of_ten};
use super::page::PAGE_PARAMS;
use super::params::{ParamKind, ParamSpec};
use super::views::{self, VIEWS};
use std::fmt::Write;

/// The URL parameters of every view and the page options, as a Markdown table.
pub fn parameter_table() -> String {
    let mut t = String::from(
        "| Key | Control | Accepted values | Default | What it sets |\n|---|---|---|---|---|\n",
    );
    let keys: Vec<String> = VIEWS.iter().map(|v| format!("`{}`", v.key)).collect();
    let _ = writeln!(
        t,
        "| `view` | (page) | {} | `{}` | Which view the page shows. |",
        keys.join(", "),
        views::default_view().key
    );
    let all = VIEWS
        .iter()
        .flat_map(|v| v.params.iter())
        .chain(PAGE_PARAMS);
    for p in all {
        row(&mut t, p);
    }
    t
}

fn row(t: &mut String, p: &ParamSpec) {
    let (values, default) = match p.kind {
        ParamKind::Number(n) => {
            let kind = if n.whole { "whole numbers" } else { "numbers" };
            let slider = if n.log {
                let zero = if n.min <= 0.0 { ", and 0" } else { "" };
                format!(
                    "log slider {} to {}{zero}",
                    js(power_of_ten(n.slider.0)),
                    js(power_of_ten(n.slider.1))
                )
            } else {
                format!("slider {} to {}", js(n.slider.0), js(n.slider.1))
            };
            (
                format!("{kind} from {} to {} ({slider})", js(n.min), js(n.max)),
                format!("`{}`", js(n.default)),
            )
        }
        ParamKind::Choice(c) => {
            let options: Vec<String> = c.options.iter().map(|(v, _)| format!("`{v}`")).collect();
            (options.join(", "), format!("`{}`", c.default))
        }
        ParamKind::Keys(known) => {
            let keys: Vec<String> = (known.0)().iter().map(|k| format!("`{k}`")).collect();
            (
                format!("a comma list of {}", keys.join(", ")),
                "(none)".into(),
            )
        }
        ParamKind::Text(t) => (
            format!("text of at most {} characters (see below)", t.max_len),
            if t.default.is_empty() {
                "(none)".into()
            } else {
                format!("`{}`", t.default)
            },
        ),
    };
    let _ = writeln!(
        t,
        "| `{}` | {} | {values} | {default} | {} |",
        p.key, p.label, p.description
    );
}
