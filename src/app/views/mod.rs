//! The registry of views. A view is a folder here: its parameters, its panels, its presets,
//! its own actions and keys, and the model that computes what it shows; `view=` in the URL
//! picks one. The web shell mounts any of them the same way. Adding a view is its folder, a
//! `mod` line and an entry in [`VIEWS`] (README, "Adding a view").
//!
//! A view imports the shared layers of the app ([`crate::app::lab`] for those that train,
//! [`crate::app::shared`]) and never another view.

pub mod explorer;
pub mod remedies_lab;
pub mod rnn_lab;
pub mod train_lab;

use super::lab;
use super::params::{ParamSpec, Values};
use super::shared::FORMAT;
use super::shortcuts::Binding;
use super::view::{ActionSpec, PanelSpec, PresetSpec, ViewModel};
use remedies_lab as remedies;
use rnn_lab as rnn;
use train_lab as train;

/// A view: everything about it that does not change while it runs.
pub struct ViewSpec {
    /// The value of `view=` that selects it.
    pub key: &'static str,
    /// The title shown in the page header.
    pub title: &'static str,
    /// Its name in the navigation between views.
    pub nav: &'static str,
    /// The sentence under the title (our own HTML, no user input).
    pub intro: &'static str,
    /// The view's parameters, each a URL key.
    pub params: &'static [ParamSpec],
    /// Its plots.
    pub panels: &'static [PanelSpec],
    /// Its preset buttons.
    pub presets: &'static [PresetSpec],
    /// Its own buttons (play, step, reset).
    pub actions: &'static [ActionSpec],
    /// Its own keys, and how the help overlay lists them.
    pub keys: &'static [Binding],
    /// The help overlay's lines for [`keys`](Self::keys): `(keys, what they do)`.
    pub key_help: &'static [(&'static str, &'static str)],
    /// Parameters that mean the same in several views, carried over when switching:
    /// `(shared name, this view's key)`.
    pub carry: &'static [(&'static str, &'static str)],
    /// What computes the view: `None` in a build without it (see [`Build`]).
    pub build: Option<Build>,
}

impl ViewSpec {
    /// The view's model for `values`, in a build that has it.
    pub fn model(&self, values: &Values) -> Option<Box<dyn ViewModel>> {
        self.build.map(|b| (b.model)(values))
    }
}

/// The code behind a view, in a build that has it. The full module has every view's; the
/// explorer's and the training lab's own, lighter modules only theirs (features
/// `explorer`, `train-lab` and `remedies-lab`), and their pages load the full module for
/// any other view (see `index.html`).
#[derive(Clone, Copy)]
pub struct Build {
    /// Extra facts below the readouts (our own HTML), for example the table of regimes.
    pub facts: fn() -> String,
    /// Builds the model for the given values.
    pub model: fn(&Values) -> Box<dyn ViewModel>,
}

/// A view's text or list as the view shows it, or `empty` in a module built without the
/// view (`built` false), which only links to it, with its key, name and parameters.
const fn shown<T: ?Sized>(built: bool, shown: &'static T, empty: &'static T) -> &'static T {
    if built {
        shown
    } else {
        empty
    }
}

#[cfg(feature = "explorer")]
const EXPLORER: Option<Build> = Some(Build {
    facts: explorer::regime_table,
    model: explorer::model,
});
#[cfg(not(feature = "explorer"))]
const EXPLORER: Option<Build> = None;

#[cfg(feature = "train-lab")]
const TRAIN: Option<Build> = Some(Build {
    facts: train::facts,
    model: train::model,
});
#[cfg(not(feature = "train-lab"))]
const TRAIN: Option<Build> = None;

#[cfg(feature = "rnn-lab")]
const RNN: Option<Build> = Some(Build {
    facts: rnn::facts,
    model: rnn::model,
});
#[cfg(not(feature = "rnn-lab"))]
const RNN: Option<Build> = None;

#[cfg(feature = "remedies-lab")]
const REMEDIES: Option<Build> = Some(Build {
    facts: remedies::facts,
    model: remedies::model,
});
#[cfg(not(feature = "remedies-lab"))]
const REMEDIES: Option<Build> = None;

impl std::fmt::Debug for ViewSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("ViewSpec").field("key", &self.key).finish()
    }
}

/// Every view, in lecture order; the first is the default.
pub static VIEWS: &[ViewSpec] = LIST;

/// The number of distinct panel keys over every view, and `both` before them.
const PANEL_CHOICES: usize = panel_keys::<64>(LIST).1;

/// `both`, then every view's panel keys in order, each once, as `(value, label)` options of
/// the page's `panel=`.
pub const PANEL_OPTIONS: &[(&str, &str)] = &panel_options();

const fn panel_options() -> [(&'static str, &'static str); PANEL_CHOICES] {
    let (keys, _) = panel_keys::<64>(LIST);
    let mut out = [("", ""); PANEL_CHOICES];
    let mut i = 0;
    while i < PANEL_CHOICES {
        out[i] = keys[i];
        i += 1;
    }
    out
}

/// Up to `N` distinct panel keys of `views` after `both`, and how many there are.
const fn panel_keys<const N: usize>(
    views: &[ViewSpec],
) -> ([(&'static str, &'static str); N], usize) {
    let mut out = [("", ""); N];
    out[0] = ("both", "every plot");
    let mut n = 1;
    let mut v = 0;
    while v < views.len() {
        let panels = views[v].panels;
        let mut p = 0;
        while p < panels.len() {
            let key = panels[p].key;
            let mut seen = false;
            let mut k = 0;
            while k < n {
                seen = seen || same(out[k].0, key);
                k += 1;
            }
            if !seen {
                out[n] = (key, key);
                n += 1;
            }
            p += 1;
        }
        v += 1;
    }
    (out, n)
}

/// Whether two strings are equal, in a constant.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const LIST: &[ViewSpec] = &[ViewSpec {
    key: "explorer",
    title: shown(EXPLORER.is_some(), "The deep scalar chain", ""),
    nav: "1. The chain",
    intro: shown(
        EXPLORER.is_some(),
        concat!(
            "Why very deep networks are hard to train: follow one signal through a chain of ",
            "layers that each compute <i>y<sub>k</sub></i> = <i>w</i>·<i>y</i><sub><i>k</i>−1</sub> + <i>b</i>."
        ),
        "",
    ),
    params: explorer::PARAMS,
    panels: explorer::PANELS,
    presets: shown(EXPLORER.is_some(), explorer::PRESETS, &[]),
    actions: &[],
    keys: shown(EXPLORER.is_some(), explorer::KEYS, &[]),
    key_help: shown(EXPLORER.is_some(), explorer::KEY_HELP, &[]),
    carry: &[
        ("depth", explorer::DEPTH.key()),
        ("dtype", FORMAT.key()),
        ("weight", explorer::W.key()),
    ],
    build: EXPLORER,
},
ViewSpec {
    key: "train",
    title: shown(TRAIN.is_some(), "The training lab", ""),
    nav: "2. Training",
    intro: shown(
        TRAIN.is_some(),
        concat!(
            "What happens when a deep network is trained: watch the loss, the gradient that ",
            "reaches each layer and the size of each update, and see the lecture's symptoms happen."
        ),
        "",
    ),
    params: train::PARAMS,
    panels: train::PANELS,
    presets: shown(TRAIN.is_some(), train::PRESETS, &[]),
    actions: shown(TRAIN.is_some(), train::ACTIONS, &[]),
    keys: shown(TRAIN.is_some(), lab::KEYS, &[]),
    key_help: shown(TRAIN.is_some(), lab::KEY_HELP, &[]),
    carry: &[
        ("depth", train::DEPTH.key()),
        ("dtype", FORMAT.key()),
        ("weight", train::W0.key()),
    ],
    build: TRAIN,
},
ViewSpec {
    key: "rnn",
    title: shown(RNN.is_some(), "Through time: the recurrent lab", ""),
    nav: "3. Through time",
    intro: shown(
        RNN.is_some(),
        concat!(
            "Vanishing and exploding gradients began with recurrent networks: the same weights ",
            "applied at every time step make a network as deep as its sequence is long. See the ",
            "walls of one neuron's loss surface, and train a recurrent network or an LSTM on ",
            "sequence tasks."
        ),
        "",
    ),
    params: rnn::PARAMS,
    panels: rnn::PANELS,
    presets: shown(RNN.is_some(), rnn::PRESETS, &[]),
    actions: shown(RNN.is_some(), rnn::ACTIONS, &[]),
    keys: shown(RNN.is_some(), lab::KEYS, &[]),
    key_help: shown(RNN.is_some(), lab::KEY_HELP, &[]),
    carry: &[("dtype", rnn::FORMAT.key())],
    build: RNN,
},
ViewSpec {
    key: "remedies",
    title: shown(REMEDIES.is_some(), "The remedies lab", ""),
    nav: "4. Remedies",
    intro: shown(
        REMEDIES.is_some(),
        concat!(
            "Initialisation, normalisation and residual connections side by side: each ",
            "configuration measured at initialisation against what theory predicts, then trained ",
            "on the same batches."
        ),
        "",
    ),
    params: remedies::PARAMS,
    panels: remedies::PANELS,
    presets: shown(REMEDIES.is_some(), remedies::PRESETS, &[]),
    actions: shown(REMEDIES.is_some(), remedies::ACTIONS, &[]),
    keys: shown(REMEDIES.is_some(), lab::KEYS, &[]),
    key_help: shown(REMEDIES.is_some(), lab::KEY_HELP, &[]),
    carry: &[
        ("depth", remedies::DEPTH.key()),
        ("dtype", remedies::FORMAT.key()),
    ],
    build: REMEDIES,
}];

/// The view selected by `key`.
pub fn find(key: &str) -> Option<&'static ViewSpec> {
    VIEWS
        .iter()
        .find(|v| v.key.eq_ignore_ascii_case(key.trim()))
}

/// The view shown when the URL names none.
pub fn default_view() -> &'static ViewSpec {
    &VIEWS[0]
}

/// The values `to` opens with when the reader switches from `from` with `values`: its
/// defaults, with every parameter the two share (see [`ViewSpec::carry`]) carried over and
/// clamped to `to`'s range.
pub fn carried(from: &ViewSpec, values: &Values, to: &'static ViewSpec) -> Values {
    let mut next = Values::defaults(to.params);
    for (name, key) in from.carry {
        if let Some((_, target)) = to.carry.iter().find(|(n, _)| n == name) {
            let text = values.spec(key).map(|s| s.format(values.get(key)));
            if let Some(text) = text {
                next.set_raw(target, &text);
            }
        }
    }
    next
}
