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
    let values = deep_signal::app::params::Values::defaults(deep_signal::app::explorer::PARAMS);
    let snapshot = deep_signal::app::explorer::Snapshot::compute(
        deep_signal::app::explorer::Settings::from_values(&values),
    );
    for r in snapshot.readouts() {
        assert!(
            readme.contains(&format!("| `{}` |", r.key)),
            "README.md's readout table lacks `{}`",
            r.key
        );
    }
}
