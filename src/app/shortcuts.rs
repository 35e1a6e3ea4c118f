//! Keyboard shortcuts: the ones every view shares (presets by digit, full screen,
//! projector mode, help), each view's own [`Binding`]s, and the list the help overlay shows.

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shortcut {
    /// Add `delta` to the number `key`, on its grid of `step`.
    Nudge {
        /// The parameter.
        key: &'static str,
        /// What to add.
        delta: f64,
        /// The grid the result is rounded to.
        step: f64,
    },
    /// Apply the preset with this index.
    Preset(usize),
    /// Run the view's action with this name (play, step, reset).
    Action(&'static str),
    /// Enter or leave full screen.
    Fullscreen,
    /// Turn projector mode on or off.
    Projector,
    /// Show the list of shortcuts.
    Help,
}

/// A view's own shortcut: a key (`KeyboardEvent.key`), with or without Shift.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Binding {
    /// The key.
    pub key: &'static str,
    /// Whether Shift is held.
    pub shift: bool,
    /// What it does.
    pub does: Shortcut,
}

impl Binding {
    /// A key that nudges the number `param` by `delta` on a grid of `step`.
    pub const fn nudge(
        key: &'static str,
        shift: bool,
        param: &'static str,
        delta: f64,
        step: f64,
    ) -> Binding {
        Binding {
            key,
            shift,
            does: Shortcut::Nudge {
                key: param,
                delta,
                step,
            },
        }
    }

    /// A key that runs the view's action `action`.
    pub const fn action(key: &'static str, action: &'static str) -> Binding {
        Binding {
            key,
            shift: false,
            does: Shortcut::Action(action),
        }
    }
}

/// The shortcut for a key with or without Shift, in a view with bindings `own` and
/// `presets` preset buttons (digit keys `1` to `9` apply them).
pub fn shortcut(own: &[Binding], presets: usize, key: &str, shift: bool) -> Option<Shortcut> {
    if let Some(b) = own.iter().find(|b| b.key == key && b.shift == shift) {
        return Some(b.does);
    }
    Some(match key {
        "f" | "F" => Shortcut::Fullscreen,
        "p" | "P" => Shortcut::Projector,
        "?" => Shortcut::Help,
        _ => {
            let digit = key.parse::<usize>().ok().filter(|d| (1..=9).contains(d))?;
            if digit > presets {
                return None;
            }
            Shortcut::Preset(digit - 1)
        }
    })
}

/// `value + delta`, rounded to a multiple of `step` (so nudging 0.8 by 0.001 gives exactly
/// 0.801, not 0.8010000000000002).
pub fn nudge(value: f64, delta: f64, step: f64) -> f64 {
    ((value + delta) / step).round() * step
}

/// The help overlay's list for a view: its own keys (`own`, as `(keys, what they do)`), the
/// digits of its `presets` (by label), and the shared keys.
pub fn help(own: &[(&str, &str)], presets: &[&str]) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = own
        .iter()
        .map(|(k, d)| (k.to_string(), d.to_string()))
        .collect();
    match presets.len() {
        0 => {}
        n => list.push((
            (1..=n.min(9))
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            format!("the presets: {}", presets.join(", ").to_ascii_lowercase()),
        )),
    }
    for (k, d) in [
        ("f", "full screen on and off"),
        ("p", "projector mode on and off"),
        ("?", "this list"),
    ] {
        list.push((k.into(), d.into()));
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &[Binding] = &[
        Binding::nudge("ArrowRight", false, "w", 0.001, 0.001),
        Binding::nudge("ArrowRight", true, "w", 0.05, 0.001),
        Binding::action(" ", "play"),
    ];

    #[test]
    fn keys_map_to_shortcuts() {
        let nudge = |delta| Shortcut::Nudge {
            key: "w",
            delta,
            step: 0.001,
        };
        assert_eq!(shortcut(OWN, 3, "ArrowRight", false), Some(nudge(0.001)));
        assert_eq!(shortcut(OWN, 3, "ArrowRight", true), Some(nudge(0.05)));
        assert_eq!(shortcut(OWN, 3, " ", false), Some(Shortcut::Action("play")));
        assert_eq!(shortcut(OWN, 3, "3", false), Some(Shortcut::Preset(2)));
        assert_eq!(shortcut(OWN, 3, "4", false), None);
        assert_eq!(shortcut(OWN, 3, "0", false), None);
        assert_eq!(shortcut(OWN, 3, "?", true), Some(Shortcut::Help));
        assert_eq!(shortcut(OWN, 3, "x", false), None);
        assert_eq!(shortcut(&[], 3, "ArrowRight", false), None);
    }

    #[test]
    fn nudges_land_on_the_grid() {
        assert_eq!(nudge(0.8, 0.001, 0.001), 0.801);
        assert_eq!(nudge(0.999, 0.001, 0.001), 1.0);
        assert_eq!(nudge(50.0, -10.0, 1.0), 40.0);
    }

    #[test]
    fn help_lists_own_keys_presets_and_shared_keys() {
        let list = help(&[("space", "play or pause")], &["Vanishing", "Ideal"]);
        assert_eq!(list[0], ("space".into(), "play or pause".into()));
        assert_eq!(
            list[1],
            ("1, 2".into(), "the presets: vanishing, ideal".into())
        );
        assert_eq!(list.last().unwrap().0, "?");
    }
}
