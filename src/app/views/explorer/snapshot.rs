//! Everything the explorer shows for one setting: the live chain, its input-only part and
//! the reference chains, simulated once per redraw, and the plots, notes, readouts and
//! hover texts made from them.

use super::{GradKind, Settings, REFERENCE_WEIGHTS};
use crate::app::numbers::{fixed, js, percent, short, wide};
use crate::app::view::Readout;
use crate::plot::{Curve, LayerPlot, Role, Theme};
use crate::sim::facts::input_share;
use crate::sim::{Chain, ChainParams, Deviation, Facts, Regime, Wide};

/// Everything the explorer shows for one setting, computed once per redraw.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The settings.
    pub settings: Settings,
    /// The live chain.
    pub chain: Chain,
    /// The same chain with `b = 0`: the part of each activation that comes from the input.
    pub input_part: Chain,
    /// The reference chains (`x = 1`, `b = 0`) at [`REFERENCE_WEIGHTS`].
    pub references: [Chain; 3],
    /// The facts about the live chain.
    pub facts: Facts,
}

impl Snapshot {
    /// Simulates the live, input-only and reference chains.
    pub fn compute(settings: Settings) -> Snapshot {
        Snapshot::next(settings, None)
    }

    /// Like [`compute`](Self::compute), but takes the reference chains from `previous` when
    /// they are the same (same depth and format), as they are while `w`, `b` or `x` move.
    pub fn next(settings: Settings, previous: Option<Snapshot>) -> Snapshot {
        let p = settings.chain;
        let chain = Chain::simulate(p);
        let input_part = Chain::simulate(ChainParams { b: 0.0, ..p });
        let same = |c: &Chain| c.params.depth == p.depth && c.params.format == p.format;
        let references = match previous {
            Some(s) if s.references.iter().all(same) => s.references,
            _ => REFERENCE_WEIGHTS.map(|w| {
                Chain::simulate(ChainParams {
                    w,
                    b: 0.0,
                    x: 1.0,
                    ..p
                })
            }),
        };
        let facts = Facts::of(&chain);
        Snapshot {
            settings,
            chain,
            input_part,
            references,
            facts,
        }
    }

    fn reference_curves<'a>(
        &'a self,
        theme: &Theme,
        values: impl Fn(&'a Chain) -> &'a [f64],
    ) -> Vec<Curve<'a>> {
        self.references
            .iter()
            .map(|c| {
                let regime = Regime::of(c.stored.w);
                Curve {
                    label: format!("w = {} ({})", short(c.params.w), regime.key()),
                    values: values(c),
                    color: theme.regime(regime),
                    role: Role::Reference,
                    shared: None,
                }
            })
            .collect()
    }

    /// The live curve's label, with `w` as stored in the format.
    fn live_label(&self, quantity: &str) -> String {
        format!(
            "{quantity}, w = {} ({})",
            short(self.chain.stored.w),
            self.facts.regime.key()
        )
    }

    /// When rounding to the format moved `w` onto `±1` and so changed its regime, says so:
    /// "1.0001 is stored as 1 in f16: every layer multiplies by exactly 1".
    fn rounding_sentence(&self) -> Option<String> {
        let (f, p) = (&self.facts, self.settings.chain);
        let stored = js(self.chain.stored.w);
        (f.regime != f.given_regime).then(|| {
            format!(
                "{} is stored as {stored} in {}: every layer multiplies by exactly {stored}",
                js(p.w),
                p.format.key()
            )
        })
    }

    /// The activations plot: `|y_k|` for `k = 0..=n`.
    pub fn activation_plot(&self, theme: &Theme) -> LayerPlot<'_> {
        let mut curves = self.reference_curves(theme, |c| &c.activations);
        let color = theme.regime(self.facts.regime);
        if self.settings.chain.b != 0.0 {
            curves.push(Curve {
                label: "from the input, |w^k x|".into(),
                values: &self.input_part.activations,
                color,
                role: Role::Companion,
                shared: None,
            });
        }
        curves.push(Curve {
            label: self.live_label("|y_k|"),
            values: &self.chain.activations,
            color,
            role: Role::Live,
            shared: None,
        });
        LayerPlot {
            title: format!(
                "Activations through {} layers ({})",
                self.settings.chain.depth,
                self.settings.chain.format.key()
            ),
            y_label: "|y_k|".into(),
            first_layer: 0,
            x_stride: 1,
            x_name: "layer",
            x_label: "layer k",
            scale: self.settings.scale,
            curves,
            previous_range: None,
        }
    }

    /// The gradients plot: `|dy_n/dy_k|` or `|dy_n/dw_k|` for `k = 1..=n`.
    pub fn gradient_plot(&self, theme: &Theme) -> LayerPlot<'_> {
        let (quantity, title): (&str, &str) = match self.settings.grad {
            GradKind::Activation => ("|dy_n/dy_k|", "Gradient reaching each layer"),
            GradKind::Weight => ("|dy_n/dw_k|", "Weight gradient at each layer"),
        };
        let grad = self.settings.grad;
        let mut curves = self.reference_curves(theme, |c| grad.of(c));
        curves.push(Curve {
            label: self.live_label(quantity),
            values: grad.of(&self.chain),
            color: theme.regime(self.facts.regime),
            role: Role::Live,
            shared: None,
        });
        LayerPlot {
            title: format!("{title} ({})", self.settings.chain.format.key()),
            y_label: quantity.into(),
            first_layer: 1,
            x_stride: 1,
            x_name: "layer",
            x_label: "layer k",
            scale: self.settings.scale,
            curves,
            previous_range: None,
        }
    }

    /// The sentence next to the activations plot, naming the live curve's regime. It
    /// quotes `w`, `b` and `x` as stored in the format, which is what every layer computes with.
    pub fn activation_note(&self) -> String {
        let f = &self.facts;
        let p = self.settings.chain;
        let exact = &f.stored_closed.wide;
        let (w, n) = (short(self.chain.stored.w), p.depth);
        let share = input_share(&f.stored_closed)
            .filter(|_| self.chain.stored.b != 0.0)
            .map(|s| {
                format!(
                    " Only {} of y_n comes from the input; the rest is bias.",
                    percent(s)
                )
            })
            .unwrap_or_default();
        match f.regime {
            Regime::Vanishing => format!(
                "Vanishing: every layer scales the signal by {w}, so after {n} layers the input \
                 is multiplied by w^n {}.{share}",
                equals(exact.w_pow_n)
            ),
            Regime::Stable => format!(
                "Stable: {}, so the input reaches layer {n} at full size; y_n {}.",
                self.rounding_sentence().unwrap_or_else(|| "|w| = 1".into()),
                equals(exact.output)
            ),
            Regime::Exploding => match f.first_nonfinite {
                Some(k) => format!(
                    "Exploding: every layer scales the signal by {w}; in {} it overflows to inf \
                     at layer {k}, while the exact y_n {} is a finite number.",
                    p.format.key(),
                    equals(exact.output)
                ),
                None => format!(
                    "Exploding: every layer scales the signal by {w}, so after {n} layers the \
                     input is multiplied by w^n {}.",
                    equals(exact.w_pow_n)
                ),
            },
        }
    }

    /// The sentence next to the gradients plot.
    pub fn gradient_note(&self) -> String {
        let f = &self.facts;
        let g1 = short(self.chain.grads[1]);
        let zeros = match f.zero_grad_layers {
            0 => String::new(),
            1 => " One layer gets a gradient of exactly 0 and cannot learn at all.".into(),
            z => format!(" {z} layers get a gradient of exactly 0 and cannot learn at all."),
        };
        match f.regime {
            Regime::Vanishing => format!(
                "Vanishing: the gradient reaching layer 1 is {g1}, against 1 at the last \
                 layer, so the early layers barely move.{zeros}"
            ),
            Regime::Stable => format!(
                "Stable: {}every layer receives the gradient at full size (|dy_n/dy_1| = {}).",
                self.rounding_sentence()
                    .map(|s| s + ", so ")
                    .unwrap_or_default(),
                short(self.chain.grads[1].abs())
            ),
            Regime::Exploding => format!(
                "Exploding: the gradient reaching layer 1 is {g1}; updates that large make \
                 training diverge.{zeros}"
            ),
        }
    }

    /// What the pointer reads at layer `k` of a plot (the gradients plot if `gradients`):
    /// the live curve's value there, signed.
    pub fn hover_text(&self, gradients: bool, k: usize) -> String {
        let c = &self.chain;
        let k = k.min(self.settings.chain.depth);
        if !gradients {
            let y = short(c.activations[k]);
            return if self.settings.chain.b != 0.0 {
                format!(
                    "layer {k}: y_k = {y}, from the input {}",
                    short(self.input_part.activations[k])
                )
            } else {
                format!("layer {k}: y_k = {y}")
            };
        }
        let k = k.max(1);
        match self.settings.grad {
            GradKind::Activation => format!("layer {k}: dy_n/dy_k = {}", short(c.grads[k])),
            GradKind::Weight => format!("layer {k}: dy_n/dw_k = {}", short(c.weight_grads[k - 1])),
        }
    }

    /// The relative difference in words, saying why the two differ when the simulation or
    /// the exact value is beyond range.
    fn deviation_text(&self) -> String {
        let f = &self.facts;
        let format = self.settings.chain.format.key();
        let exact = f.closed.wide.output;
        let r = match f.deviation {
            Deviation::Relative(r) => r,
            Deviation::Incomparable => {
                let at = f
                    .first_nonfinite
                    .map(|k| format!(" from layer {k}"))
                    .unwrap_or_default();
                return format!(
                    "not comparable: {format} ran out of range and gives {}{at}, while the \
                     exact y_n {} is a finite number",
                    short(f.simulated),
                    equals(exact)
                );
            }
        };
        if exact.fits_f64() {
            short(r)
        } else {
            format!(
                "{}: the exact y_n {} is beyond the range of f64, and {format} gives {}",
                short(r),
                equals(exact),
                short(f.simulated)
            )
        }
    }

    /// The readouts of the facts panel.
    pub fn readouts(&self) -> Vec<Readout> {
        let f = &self.facts;
        let c = &self.chain;
        let format = c.params.format.key();
        let layer = |l: Option<usize>| match l {
            Some(k) => (format!("layer {k}"), k.to_string()),
            None => ("none".to_string(), "none".to_string()),
        };
        let (nonfinite_text, nonfinite_value) = layer(f.first_nonfinite);
        let (underflow_text, underflow_value) = layer(f.first_underflow);
        let exact = f.closed.wide.output;
        vec![
            Readout::text("regime", "Regime", f.regime.key()),
            Readout::number("yn", &format!("y_n, simulated in {format}"), f.simulated),
            wide_readout("yn-closed", "y_n, closed form", exact),
            log10_readout("yn-closed-log10", "log10 |y_n|, closed form", exact),
            Readout {
                key: "rel-diff",
                label: "Relative difference".into(),
                shown: self.deviation_text(),
                value: js(match f.deviation {
                    Deviation::Relative(r) => r,
                    Deviation::Incomparable => f64::INFINITY,
                }),
            },
            wide_readout("w-pow-n", "w^n, closed form", f.closed.wide.w_pow_n),
            Readout {
                key: "input-share",
                label: "Share of y_n from the input".into(),
                shown: f.input_share.map_or_else(|| "—".into(), percent),
                value: f
                    .input_share
                    .map_or_else(|| "NaN".into(), |s| js(s.to_f64())),
            },
            Readout {
                key: "first-nonfinite",
                label: "First layer at inf or NaN".into(),
                shown: nonfinite_text,
                value: nonfinite_value,
            },
            Readout {
                key: "first-underflow",
                label: "First activation rounded to 0".into(),
                shown: underflow_text,
                value: underflow_value,
            },
            Readout {
                key: "zero-grad-layers",
                label: "Layers whose gradient is exactly 0".into(),
                shown: f.zero_grad_layers.to_string(),
                value: f.zero_grad_layers.to_string(),
            },
            Readout::number("grad-first", "Gradient at layer 1, dy_n/dy_1", c.grads[1]),
            Readout::number("stored-w", &format!("w as stored in {format}"), c.stored.w),
            Readout {
                key: "format-range",
                label: format!("What {format} can hold"),
                shown: format!(
                    "{} to {}, {} significant bits",
                    short(c.params.format.min_positive()),
                    short(c.params.format.max_finite()),
                    c.params.format.significant_bits()
                ),
                value: js(c.params.format.max_finite()),
            },
        ]
    }
}

/// `= v`, or `≈ m × 10^e` beyond `f64`'s range: a value as a sentence quotes it.
fn equals(v: Wide) -> String {
    if v.fits_f64() {
        format!("= {}", short(v.to_f64()))
    } else {
        wide(v)
    }
}

/// A number of any size as a readout: shown as `≈ m × 10^e` beyond `f64`'s range, while
/// its `data-value` is the `f64` it rounds to (`Infinity` or 0 there).
fn wide_readout(key: &'static str, label: &str, v: Wide) -> Readout {
    Readout {
        key,
        label: label.into(),
        shown: wide(v),
        value: js(v.to_f64()),
    }
}

/// `log10 |v|` as a readout, shown with four decimals (`6020.5999`), `-Infinity` for 0.
fn log10_readout(key: &'static str, label: &str, v: Wide) -> Readout {
    let log = v.log10_abs();
    Readout {
        key,
        label: label.into(),
        shown: if log.is_finite() {
            fixed(log, 4)
        } else {
            short(log)
        },
        value: js(log),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::params::Values;
    use crate::app::view::summary;
    use crate::app::views::explorer::PARAMS;
    use crate::plot::Plot;
    use crate::sim::NumberFormat;

    fn snapshot(query: &[(&str, &str)]) -> Snapshot {
        let mut values = Values::defaults(PARAMS);
        for (k, v) in query {
            values.set_raw(k, v);
        }
        Snapshot::compute(Settings::from_values(&values))
    }

    #[test]
    fn references_are_reused_only_when_they_are_the_same() {
        let a = snapshot(&[("depth", "40"), ("w", "0.7")]);
        let mut values = Values::defaults(PARAMS);
        values.set_raw("depth", "40");
        values.set_raw("w", "1.3");
        let b = Snapshot::next(Settings::from_values(&values), Some(a.clone()));
        assert_eq!(b.references, a.references);
        assert_eq!(b.references, Snapshot::compute(b.settings).references);
        values.set_raw("dtype", "f16");
        let c = Snapshot::next(Settings::from_values(&values), Some(b));
        assert_eq!(c.references, Snapshot::compute(c.settings).references);
        assert_eq!(c.references[0].params.format, NumberFormat::F16);
    }

    #[test]
    fn readouts_of_an_overflowing_chain() {
        let s = snapshot(&[("depth", "200"), ("w", "2"), ("b", "0")]);
        let value = |key: &str| {
            let r = s.readouts().into_iter().find(|r| r.key == key).unwrap();
            (r.shown, r.value)
        };
        assert_eq!(
            value("rel-diff"),
            (
                "not comparable: f32 ran out of range and gives inf from layer 128, while the exact y_n = 1.607e60 \
                 is a finite number"
                    .into(),
                "Infinity".into()
            )
        );
        assert_eq!(value("first-nonfinite"), ("layer 128".into(), "128".into()));
        assert_eq!(value("first-underflow"), ("none".into(), "none".into()));
        assert_eq!(value("grad-first"), ("inf".into(), "Infinity".into()));
        assert_eq!(
            value("format-range"),
            (
                "1.401e-45 to 3.403e38, 24 significant bits".into(),
                "3.4028234663852886e+38".into()
            )
        );
    }

    fn readout(s: &Snapshot, key: &str) -> (String, String) {
        let r = s.readouts().into_iter().find(|r| r.key == key).unwrap();
        (r.shown, r.value)
    }

    #[test]
    fn the_regime_is_the_stored_weights() {
        let s = snapshot(&[
            ("depth", "100"),
            ("w", "1.0001"),
            ("b", "0"),
            ("dtype", "f16"),
        ]);
        assert_eq!(s.facts.regime, Regime::Stable);
        assert_eq!(s.facts.given_regime, Regime::Exploding);
        assert_eq!(readout(&s, "regime"), ("stable".into(), "stable".into()));
        assert_eq!(readout(&s, "stored-w").1, "1");
        assert_eq!(
            s.activation_note(),
            "Stable: 1.0001 is stored as 1 in f16: every layer multiplies by exactly 1, so the \
             input reaches layer 100 at full size; y_n = 1."
        );
        assert_eq!(
            s.gradient_note(),
            "Stable: 1.0001 is stored as 1 in f16: every layer multiplies by exactly 1, so every \
             layer receives the gradient at full size (|dy_n/dy_1| = 1)."
        );
        let text = summary(&Plot::Layers(s.activation_plot(&Theme::light())));
        assert!(
            text.contains("|y_k|, w = 1 (stable) stays the same"),
            "{text}"
        );
        // The maths of the weight as typed still differs, and the readouts say so.
        assert_eq!(readout(&s, "yn-closed").0, "1.01");

        // f32 keeps w above 1, and the text never rounds it to 1.
        let s = snapshot(&[
            ("depth", "100"),
            ("w", "1.0001"),
            ("b", "0"),
            ("dtype", "f32"),
        ]);
        assert_eq!(s.facts.regime, Regime::Exploding);
        assert_eq!(
            s.activation_note(),
            "Exploding: every layer scales the signal by 1.0001, so after 100 layers the input \
             is multiplied by w^n = 1.01."
        );
        assert!(s.live_label("|y_k|").ends_with("w = 1.0001 (exploding)"));

        // b and x are quoted as stored, too.
        let s = snapshot(&[
            ("depth", "10"),
            ("w", "1"),
            ("b", "0.1"),
            ("x", "0.3"),
            ("dtype", "bf16"),
        ]);
        assert_eq!(
            s.activation_note(),
            "Stable: |w| = 1, so the input reaches layer 10 at full size; y_n = 1.302."
        );
        let s = snapshot(&[
            ("depth", "3"),
            ("w", "1"),
            ("b", "99.9"),
            ("x", "0"),
            ("dtype", "f16"),
        ]);
        assert!(
            s.activation_note().ends_with("y_n = 299.6."),
            "{}",
            s.activation_note()
        );
    }

    #[test]
    fn readouts_beyond_the_range_of_f64() {
        let s = snapshot(&[("depth", "10000"), ("w", "4"), ("b", "0")]);
        assert_eq!(
            readout(&s, "yn-closed"),
            ("≈ 3.98 × 10^6020".into(), "Infinity".into())
        );
        assert_eq!(
            readout(&s, "yn-closed-log10"),
            ("6020.5999".into(), "6020.599913279624".into())
        );
        assert_eq!(
            readout(&s, "rel-diff"),
            (
                "not comparable: f32 ran out of range and gives inf from layer 64, while the exact y_n ≈ 3.98 × \
                 10^6020 is a finite number"
                    .into(),
                "Infinity".into()
            )
        );
        assert_eq!(readout(&s, "w-pow-n").0, "≈ 3.98 × 10^6020");
        assert_eq!(readout(&s, "input-share"), ("100%".into(), "1".into()));
        assert!(
            s.activation_note()
                .ends_with("the exact y_n ≈ 3.98 × 10^6020 is a finite number."),
            "{}",
            s.activation_note()
        );
        let s = snapshot(&[("depth", "10000"), ("w", "4"), ("b", "0.1")]);
        assert_eq!(readout(&s, "input-share").0, "96.77%");
        // Underflow: f64 gives 0 where the exact value is about 2^-10000.
        let s = snapshot(&[
            ("depth", "10000"),
            ("w", "0.5"),
            ("b", "0"),
            ("dtype", "f64"),
        ]);
        assert_eq!(
            readout(&s, "rel-diff").0,
            "1: the exact y_n ≈ 5.012 × 10^-3011 is beyond the range of f64, and f64 gives 0"
        );
        assert_eq!(
            readout(&s, "yn-closed"),
            ("≈ 5.012 × 10^-3011".into(), "0".into())
        );
        assert_eq!(
            s.activation_note(),
            "Vanishing: every layer scales the signal by 0.5, so after 10000 layers the input \
             is multiplied by w^n ≈ 5.012 × 10^-3011."
        );
        // Nothing to take a logarithm of.
        let s = snapshot(&[("b", "0"), ("x", "0")]);
        assert_eq!(
            readout(&s, "yn-closed-log10"),
            ("-inf".into(), "-Infinity".into())
        );
        assert_eq!(readout(&s, "input-share"), ("—".into(), "NaN".into()));
    }

    #[test]
    fn hover_text_reads_the_live_curve() {
        let s = snapshot(&[("depth", "200"), ("w", "2"), ("b", "0")]);
        assert_eq!(s.hover_text(false, 10), "layer 10: y_k = 1024");
        assert_eq!(s.hover_text(false, 150), "layer 150: y_k = inf");
        assert_eq!(s.hover_text(true, 0), "layer 1: dy_n/dy_k = inf");
        assert_eq!(s.hover_text(true, 199), "layer 199: dy_n/dy_k = 2");
        let s = snapshot(&[("depth", "50"), ("w", "0.5"), ("b", "0.5")]);
        assert_eq!(
            s.hover_text(false, 1),
            "layer 1: y_k = 1, from the input 0.5"
        );
    }

    #[test]
    fn summaries_say_where_the_curve_goes() {
        let theme = Theme::light();
        let s = snapshot(&[("depth", "50"), ("w", "0.5"), ("b", "0")]);
        assert_eq!(
            summary(&Plot::Layers(s.activation_plot(&theme))),
            "Activations through 50 layers (f32). |y_k|, w = 0.5 (vanishing) shrinks from 1 at layer 0 to 8.882e-16 at layer 50."
        );
        let s = snapshot(&[("depth", "200"), ("w", "2"), ("b", "0")]);
        let text = summary(&Plot::Layers(s.activation_plot(&theme)));
        assert!(
            text.contains("grows from 1 at layer 0 to inf at layer 200. inf from layer 128."),
            "{text}"
        );
    }
}
