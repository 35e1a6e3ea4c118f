//! Keyboard shortcuts: what each key does, and the list the help overlay shows.

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shortcut {
    /// Add this to `w`.
    NudgeW(f64),
    /// Add this many layers.
    NudgeDepth(f64),
    /// Apply the preset with this index.
    Preset(usize),
    /// Enter or leave full screen.
    Fullscreen,
    /// Turn projector mode on or off.
    Projector,
    /// Show the list of shortcuts.
    Help,
}

/// The fine and coarse steps of `w`.
pub const W_STEPS: (f64, f64) = (0.001, 0.05);
/// The fine and coarse steps of the depth.
pub const DEPTH_STEPS: (f64, f64) = (1.0, 10.0);

/// The shortcut for a key (`KeyboardEvent.key`) with or without Shift.
pub fn shortcut(key: &str, shift: bool) -> Option<Shortcut> {
    let step = |(fine, coarse): (f64, f64)| if shift { coarse } else { fine };
    Some(match key {
        "ArrowRight" => Shortcut::NudgeW(step(W_STEPS)),
        "ArrowLeft" => Shortcut::NudgeW(-step(W_STEPS)),
        "ArrowUp" => Shortcut::NudgeDepth(step(DEPTH_STEPS)),
        "ArrowDown" => Shortcut::NudgeDepth(-step(DEPTH_STEPS)),
        "1" => Shortcut::Preset(0),
        "2" => Shortcut::Preset(1),
        "3" => Shortcut::Preset(2),
        "f" | "F" => Shortcut::Fullscreen,
        "p" | "P" => Shortcut::Projector,
        "?" => Shortcut::Help,
        _ => return None,
    })
}

/// `value + delta`, rounded to a multiple of `step` (so nudging 0.8 by 0.001 gives exactly
/// 0.801, not 0.8010000000000002).
pub fn nudge(value: f64, delta: f64, step: f64) -> f64 {
    ((value + delta) / step).round() * step
}

/// The keyboard shortcuts, as `(keys, what they do)`: the help overlay lists them.
pub static SHORTCUTS: &[(&str, &str)] = &[
    ("← / →", "nudge w by 0.001"),
    ("Shift + ← / →", "nudge w by 0.05"),
    ("↑ / ↓", "one layer more or less"),
    ("Shift + ↑ / ↓", "ten layers more or less"),
    ("1, 2, 3", "the vanishing, ideal and exploding presets"),
    ("f", "full screen on and off"),
    ("p", "projector mode on and off"),
    ("?", "this list"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_shortcuts() {
        assert_eq!(shortcut("ArrowRight", false), Some(Shortcut::NudgeW(0.001)));
        assert_eq!(shortcut("ArrowLeft", true), Some(Shortcut::NudgeW(-0.05)));
        assert_eq!(
            shortcut("ArrowDown", true),
            Some(Shortcut::NudgeDepth(-10.0))
        );
        assert_eq!(shortcut("3", false), Some(Shortcut::Preset(2)));
        assert_eq!(shortcut("x", false), None);
    }

    #[test]
    fn nudges_land_on_the_grid() {
        assert_eq!(nudge(0.8, 0.001, 0.001), 0.801);
        assert_eq!(nudge(0.999, 0.001, 0.001), 1.0);
        assert_eq!(nudge(50.0, -10.0, 1.0), 40.0);
    }
}
