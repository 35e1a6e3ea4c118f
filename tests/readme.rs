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
