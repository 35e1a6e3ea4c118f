//! The registry of views. A view is a unit with its own parameters, chosen by `view=` in
//! the URL; the web shell mounts it by its [`ViewId`].

use super::explorer;
use super::params::ParamSpec;

/// Which view a [`ViewSpec`] describes; the web shell matches on it to mount the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewId {
    /// The deep scalar chain, live.
    Explorer,
}

/// A view: its URL key, its title and its parameters.
#[derive(Debug)]
pub struct ViewSpec {
    /// Which view this is.
    pub id: ViewId,
    /// The value of `view=` that selects it.
    pub key: &'static str,
    /// The title shown in the page header.
    pub title: &'static str,
    /// The view's parameters, each a URL key.
    pub params: &'static [ParamSpec],
}

/// Every view; the first is the default.
pub static VIEWS: &[ViewSpec] = &[ViewSpec {
    id: ViewId::Explorer,
    key: "explorer",
    title: "The deep scalar chain",
    params: explorer::PARAMS,
}];

/// The view selected by `key`.
pub fn find(key: &str) -> Option<&'static ViewSpec> {
    VIEWS
        .iter()
        .find(|v| v.key.eq_ignore_ascii_case(key.trim()))
}

/// Every key `hide=` accepts: the parameters of every view, and the preset buttons.
pub fn control_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    for key in VIEWS.iter().flat_map(|v| v.params.iter().map(|p| p.key)) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.push(super::page::PRESETS_KEY);
    keys
}

/// The view shown when the URL names none.
pub fn default_view() -> &'static ViewSpec {
    &VIEWS[0]
}
