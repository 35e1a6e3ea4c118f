//! Page options, the URL parameters every view shares: the theme, embedding, which
//! panels an embedded figure shows, and which controls it hides.

use super::params::{ChoiceSpec, KeyList, ParamKind, ParamSpec, Values};
use super::typed::Param;
use super::views::{self, ViewSpec, VIEWS};

crate::choices! {
    /// The theme asked for.
    pub enum ThemeChoice {
        /// Follow `prefers-color-scheme`.
        Auto = ("auto", "automatic"),
        /// Dark on light.
        Light = ("light", "light"),
        /// Light on dark.
        Dark = ("dark", "dark"),
        /// Large text, thick lines, high contrast.
        Projector = ("projector", "projector"),
    }
}

crate::choices! {
    /// Whether the page is a figure inside another page's iframe.
    pub enum Embed {
        /// A page of its own.
        No = ("0", "no"),
        /// An embedded figure.
        Yes = ("1", "yes"),
    }
}

crate::choices! {
    /// Where the views that train run their engine.
    pub enum Workers {
        /// In Web Workers, where the browser can start one; else on the page's thread.
        Auto = ("auto", "workers"),
        /// On the page's thread, in slices of each frame.
        Off = ("off", "page"),
    }
}

/// The theme.
pub const THEME: Param<ThemeChoice> = Param::choice(
    "theme",
    "Theme",
    "Colours and sizes: follow the system's light or dark setting (`auto`), or force one; `projector` has large text, thick lines and high contrast.",
    "auto",
);

/// Whether the page is embedded.
pub const EMBED: Param<Embed> = Param::choice(
    "embed",
    "Embedded",
    "`1` for a figure inside an iframe: no page header, no prose, and its height posted to the parent page.",
    "0",
);

/// The one plot an embedded figure shows, by its key; every view's panel keys are options.
pub const PANEL: Param<&'static str> = Param::new(
    "panel",
    "Panel",
    "With `embed=1`, the one plot to show, by its name (`both` shows every plot of the view): the explorer has `activations` and `gradients`; the training lab `loss`, `heatmap`, `gradients`, `weights` and `activations`; the remedies lab `signal`, `gradients`, `histogram`, `phase` and `loss`.",
    ParamKind::Choice(ChoiceSpec {
        options: views::PANEL_OPTIONS,
        default: "both",
    }),
);

/// The controls a figure hides.
pub const HIDE: Param<Vec<&'static str>> = Param::new(
    "hide",
    "Hidden controls",
    "A comma list of controls to hide, named by their keys (`presets` for the preset buttons), for example `hide=b,x,dtype`.",
    ParamKind::Keys(KeyList(control_keys)),
);

/// Where training runs.
pub const WORKERS: Param<Workers> = Param::choice(
    "workers",
    "Training thread",
    "`auto`: the labs train in Web Workers where possible; `off`: on the page's thread.",
    "auto",
);

/// The page options, defined once like a view's parameters.
pub static PAGE_PARAMS: &[ParamSpec] =
    &[THEME.spec, EMBED.spec, PANEL.spec, HIDE.spec, WORKERS.spec];

/// The key that names the preset buttons in `hide=`.
pub const PRESETS_KEY: &str = "presets";

/// Every key `hide=` accepts: the parameters of every view, and the preset buttons.
pub fn control_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    for key in VIEWS.iter().flat_map(|v| v.params.iter().map(|p| p.key)) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.push(PRESETS_KEY);
    keys
}

/// The page options, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct PageOptions {
    /// The theme asked for.
    pub theme: ThemeChoice,
    /// Whether the page is an embedded figure.
    pub embed: bool,
    /// The one plot shown, by its panel key (`None`: every plot; always `None` unless
    /// embedded).
    pub panel: Option<&'static str>,
    /// The controls hidden, by key.
    pub hide: Vec<&'static str>,
    /// Whether training may run in Web Workers.
    pub workers: bool,
}

impl PageOptions {
    /// Reads the options from their values.
    pub fn from_values(values: &Values) -> PageOptions {
        let embed = values.of(&EMBED) == Embed::Yes;
        PageOptions {
            theme: values.of(&THEME),
            embed,
            panel: match values.of(&PANEL) {
                "both" => None,
                key => embed.then_some(key),
            },
            hide: values.of(&HIDE),
            workers: values.of(&WORKERS) == Workers::Auto,
        }
    }

    /// Whether the plot `key` is shown. A view none of whose plots is shown shows them all.
    pub fn shows(&self, key: &str) -> bool {
        self.panel.is_none_or(|p| p == key)
    }

    /// Whether the control `key` is hidden.
    pub fn hides(&self, key: &str) -> bool {
        self.hide.contains(&key)
    }

    /// Whether the control `key` of `view` is shown, given whether the model finds it
    /// meaningful now (`applies`) and whether the page is a figure inside another page
    /// (`inline`): not hidden by `hide=`; the training buttons (`actions`) only beside a
    /// shown panel that training changes; and in a figure, embedded or inline, a text box
    /// only when it holds something (an empty configuration slot shows nothing there).
    pub fn shows_control(
        &self,
        view: &ViewSpec,
        values: &Values,
        key: &str,
        applies: bool,
        inline: bool,
    ) -> bool {
        let acts = match key {
            "actions" => view.panels.iter().any(|p| p.trained && self.shows(p.key)),
            _ => match values.spec(key).map(|s| s.kind) {
                Some(ParamKind::Text(_)) if self.embed || inline => !values.text(key).is_empty(),
                _ => true,
            },
        };
        applies && acts && !self.hides(key)
    }
}
