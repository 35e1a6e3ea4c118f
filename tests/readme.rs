//! The README documents every URL parameter exactly as the parameter registry defines it.
#![cfg(not(target_arch = "wasm32"))]

#[test]
fn readme_parameter_table_matches_the_registry() {
    let readme = include_str!("../README.md");
    let table = deep_signal::app::docs::parameter_table();
    assert!(
        readme.contains(&table),
        "README.md's parameter table is out of date. Replace it with:\n\n{table}"
    );
}

#[test]
fn readme_documents_every_readout() {
    let readme = include_str!("../README.md");
    for view in deep_signal::app::views::VIEWS {
        let values = deep_signal::app::params::Values::defaults(view.params);
        for r in view.model(&values).unwrap().readouts() {
            assert!(
                readme.contains(&format!("| `{}` |", r.key)),
                "README.md's readout table lacks `{}` of view {}",
                r.key,
                view.key
            );
        }
    }
}
