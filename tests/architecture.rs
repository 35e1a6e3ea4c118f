//! The house rules, read from the source: imports point downward only (web → app → plot →
//! sim and train), no view imports another view, and views and the lab core read their
//! parameters through typed handles, never by a key written out a second time.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its text up to its unit tests (`#[cfg(test)]`).
fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).expect("a source file");
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.push((path, code));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    assert!(!out.is_empty(), "{dir} has sources");
    out
}

#[test]
fn imports_point_downward() {
    for (layer, above) in [
        (
            "src/sim",
            &["crate::train", "crate::plot", "crate::app", "crate::web"][..],
        ),
        (
            "src/train",
            &["crate::plot", "crate::app", "crate::web"][..],
        ),
        ("src/plot", &["crate::app", "crate::web"][..]),
        ("src/app", &["crate::web"][..]),
    ] {
        for (path, code) in sources(layer) {
            for name in above {
                assert!(
                    !code.contains(name),
                    "{} imports {name}, a layer above it",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn no_view_imports_another_view() {
    let views = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app/views");
    let names: Vec<String> = fs::read_dir(&views)
        .expect("the views")
        .filter_map(|e| {
            let p = e.ok()?.path();
            p.is_dir()
                .then(|| p.file_name()?.to_str().map(String::from))?
        })
        .collect();
    assert!(names.len() >= 3, "{names:?}");
    for name in &names {
        for (path, code) in sources(&format!("src/app/views/{name}")) {
            for other in names.iter().filter(|o| *o != name) {
                for import in [format!("views::{other}"), format!("super::{other}")] {
                    assert!(
                        !code.contains(&import),
                        "{} (view {name}) imports the view {other}",
                        path.display()
                    );
                }
            }
        }
    }
    // The lab core serves the views and knows none of them.
    for (path, code) in sources("src/app/lab") {
        assert!(
            !code.contains("app::views"),
            "{} (the lab core) imports a view",
            path.display()
        );
    }
}

#[test]
fn views_read_parameters_through_typed_handles() {
    let lookups = [
        ".number(\"",
        ".choice(\"",
        ".text(\"",
        ".keys(\"",
        ".get(\"",
        ".set_raw(\"",
        ".set_number(\"",
    ];
    for dir in ["src/app/views", "src/app/lab", "src/web"] {
        for (path, code) in sources(dir) {
            for lookup in lookups {
                assert!(
                    !code.contains(lookup),
                    "{} looks a parameter up by a key written out ({lookup}…): use its Param",
                    path.display()
                );
            }
        }
    }
}
