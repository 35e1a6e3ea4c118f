//! The list of wasm modules in Cargo.toml (`[package.metadata.modules]`), which .ci/post-build,
//! .ci/bench, .ci/test and index.html's loader read: read here line by line, as those scripts
//! read it, and checked against the features, profiles and views it names.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

const CARGO_TOML: &str = include_str!("../Cargo.toml");

/// The lines of `section` (its header without brackets), without comments and blank lines.
fn section(name: &str) -> Vec<&'static str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in CARGO_TOML.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line.split('#').next().unwrap().trim() == format!("[{name}]");
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            lines.push(line);
        }
    }
    lines
}

/// The key of a `key = value` line, without quotes.
fn key(line: &str) -> &str {
    line.split('=').next().unwrap().trim().trim_matches('"')
}

/// The value of `name = "..."` in a module's line (spaces around `=` optional, as for the
/// scripts).
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let value = line.find(name).and_then(|at| {
        let rest = line[at + name.len()..].trim_start().strip_prefix('=')?;
        let rest = rest.trim_start().strip_prefix('"')?;
        Some(&rest[..rest.find('"')?])
    });
    value.unwrap_or_else(|| panic!("a module's line lacks `{name} = \"...\"`: {line}"))
}

struct Module {
    dir: &'static str,
    features: Vec<&'static str>,
    profile: &'static str,
    views: Vec<&'static str>,
}

fn modules() -> Vec<Module> {
    let list: Vec<Module> = section("package.metadata.modules")
        .into_iter()
        .map(|line| Module {
            dir: key(line),
            features: field(line, "features").split_whitespace().collect(),
            profile: field(line, "profile"),
            views: field(line, "views").split_whitespace().collect(),
        })
        .collect();
    assert!(!list.is_empty(), "Cargo.toml lists no modules");
    list
}

/// A name the scripts may write into paths, cargo's arguments and the loader's map unescaped.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[test]
fn the_list_has_one_full_module_and_plain_folders() {
    let list = modules();
    let full: Vec<_> = list.iter().filter(|m| m.dir == ".").collect();
    assert_eq!(
        full.len(),
        1,
        "exactly one module must be the full one (\".\")"
    );
    assert_eq!(
        full[0].features,
        ["default"],
        "Trunk builds the full module with the default features"
    );
    let mut dirs = list.iter().map(|m| m.dir).collect::<Vec<_>>();
    dirs.sort_unstable();
    dirs.dedup();
    assert_eq!(dirs.len(), list.len(), "two modules share a folder");
    for m in &list {
        assert!(m.dir == "." || plain(m.dir), "folder {:?}", m.dir);
    }
}

#[test]
fn every_module_names_features_that_exist() {
    let features: Vec<&str> = section("features").into_iter().map(key).collect();
    for m in modules() {
        assert!(
            !m.features.is_empty(),
            "module {:?} names no features",
            m.dir
        );
        for f in &m.features {
            assert!(
                features.contains(f),
                "module {:?}: no feature {f:?} in [features]",
                m.dir
            );
        }
    }
}

#[test]
fn every_module_names_a_profile_that_exists() {
    let profiles: Vec<&str> = CARGO_TOML
        .lines()
        .filter_map(|l| l.trim().strip_prefix("[profile.")?.strip_suffix(']'))
        .collect();
    for m in modules() {
        assert!(
            m.profile == "release" || profiles.contains(&m.profile),
            "module {:?}: no profile {:?}",
            m.dir,
            m.profile
        );
        // .ci/post-build builds the modules other than the full one in PROFILE-dev in debug builds.
        if m.dir != "." {
            let dev = format!("{}-dev", m.profile);
            assert!(
                profiles.contains(&dev.as_str()),
                "module {:?}: no profile {dev:?}",
                m.dir
            );
        }
    }
}

#[test]
fn every_view_key_is_a_view_and_starts_one_module() {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for m in modules() {
        for v in &m.views {
            assert!(
                *v == "*" || deep_signal::app::views::find(v).is_some_and(|s| s.key == *v),
                "module {:?}: {v:?} is no view key (lower case) of the app",
                m.dir
            );
            if let Some(other) = seen.insert(v, m.dir) {
                panic!("view {v:?} is listed for modules {other:?} and {:?}", m.dir);
            }
        }
    }
}
