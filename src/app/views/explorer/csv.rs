//! The explorer's data as CSV, for the download button.

use super::snapshot::Snapshot;
use super::REFERENCE_WEIGHTS;
use crate::app::numbers::{js, short};
use crate::sim::Chain;
use std::fmt::Write;

/// The data behind both plots: one row per layer `k = 0..=n`, and for each curve (the live
/// chain, its input-only part, each reference) its activation `y_k` and its gradients
/// `dy_n/dy_k` and `dy_n/dw_k`. Values are signed, written as JavaScript writes numbers
/// (`Infinity`, `NaN`); a cell is empty where a quantity does not exist (`dy_n/dw_0`).
pub fn csv(snapshot: &Snapshot) -> String {
    let mut curves: Vec<(String, &Chain)> = vec![
        ("live".into(), &snapshot.chain),
        ("input only".into(), &snapshot.input_part),
    ];
    for (w, chain) in REFERENCE_WEIGHTS.iter().zip(&snapshot.references) {
        curves.push((format!("w={}", short(*w)), chain));
    }
    let mut out = String::from("layer");
    for (name, _) in &curves {
        let _ = write!(out, ",{name} y_k,{name} dy_n/dy_k,{name} dy_n/dw_k");
    }
    out.push('\n');
    for k in 0..=snapshot.settings.chain.depth {
        let _ = write!(out, "{k}");
        for (_, c) in &curves {
            let weight = k
                .checked_sub(1)
                .map(|i| js(c.weight_grads[i]))
                .unwrap_or_default();
            let _ = write!(out, ",{},{},{weight}", js(c.activations[k]), js(c.grads[k]));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::params::Values;
    use crate::app::views::explorer::{Settings, PARAMS};

    #[test]
    fn csv_rows_hold_the_simulated_values() {
        let mut values = Values::defaults(PARAMS);
        values.set_raw("depth", "200");
        values.set_raw("w", "2");
        values.set_raw("b", "0");
        let snap = Snapshot::compute(Settings::from_values(&values));
        let text = csv(&snap);
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), 202, "header and layers 0..=200");
        assert_eq!(
            rows[0][..4],
            ["layer", "live y_k", "live dy_n/dy_k", "live dy_n/dw_k"]
        );
        assert_eq!(rows[0].len(), 1 + 5 * 3);
        assert_eq!(rows[1][..4], ["0", "1", "Infinity", ""]);
        assert_eq!(rows[128][1], "1.7014118346046923e+38");
        assert_eq!(rows[129][1], "Infinity");
        assert_eq!(rows[201][2], "1");
    }
}
