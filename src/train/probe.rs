//! A freshly initialised MLP, measured: one forward and one backward pass on a batch, no
//! update, and per layer the numbers the remedies lab sets against theory
//! ([`super::theory`]): the outputs' mean square, mean and spread, the saturated or dead
//! share, the gradient, and histograms of the outputs and of the back-propagated gradients.
//! Optionally over several seeds (the weights' seed varies, the data stays the seed's).

use super::linalg::Float;
use super::mlp::{Inspected, MlpModel};
use super::model::Model;
use super::records::{SIGMOID_SATURATED, TANH_SATURATED};
use super::spec::{Activation, MlpSpec, ModelSpec, Norm, NormPlace, Residual, TrainSpec};
use super::task::Dataset;
use crate::sim::NumberFormat;

/// The samples a probe passes through the network: the data set's first ones.
pub const PROBE_SAMPLES: usize = 16;
/// Histogram bins of the outputs, over `[-range, range]`.
pub const OUTPUT_BINS: usize = 40;
/// Decades the gradients' histogram spans, down from the largest `|dL/dz|` (at 4 bins a
/// decade).
pub const GRAD_DECADES: usize = 12;
/// Bins of the gradients' histogram.
pub const GRAD_BINS: usize = 4 * GRAD_DECADES;
/// The most seeds a probe averages over.
pub const MAX_SEEDS: usize = 8;

/// One layer, measured at initialisation.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerStats {
    /// The mean square of the layer's outputs (over samples and units, and seeds).
    pub act_ms: f64,
    /// The same for each seed.
    pub act_ms_seeds: Vec<f64>,
    /// The outputs' mean.
    pub act_mean: f64,
    /// The outputs' standard deviation (population).
    pub act_std: f64,
    /// The share of tanh or sigmoid outputs in their flat tails (as in the training lab).
    pub saturated: f64,
    /// The share of ReLU outputs that are exactly 0.
    pub dead: f64,
    /// The share of outputs that are `inf` or NaN.
    pub nonfinite: f64,
    /// The 2-norm of the gradient of the layer's parameters (weights, bias, `γ`, `β`),
    /// averaged over seeds.
    pub grad_norm: f64,
    /// The outputs' histogram: the share of outputs in each of [`OUTPUT_BINS`] bins over
    /// `[-range, range]` (the end bins also count what lies beyond).
    pub output_hist: Vec<f64>,
    /// `|dL/dz_l|`'s histogram on a log scale: [`GRAD_BINS`] bins from `10^(top − 12)` to
    /// `10^top` (the first bin also counts what is smaller); exact zeros are not in it.
    pub grad_hist: Vec<f64>,
    /// The share of `dL/dz_l` that is exactly 0.
    pub grad_zero: f64,
}

/// A network measured at initialisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// Per layer, 1 to `depth + 1`.
    pub layers: Vec<LayerStats>,
    /// The loss on the probe's batch, averaged over seeds.
    pub loss: f64,
    /// The inputs' mean square per unit.
    pub input_ms: f64,
    /// How many inputs a sample has.
    pub input_dim: usize,
    /// The outputs' histogram spans `[-range, range]`.
    pub range: f64,
    /// The gradients' histogram ends at `10^top`.
    pub top: i32,
    /// Seeds averaged over.
    pub seeds: usize,
    /// Samples in the batch.
    pub samples: usize,
}

/// Probes the MLP of `spec` (a chain is probed as the default MLP) over `seeds` seeds
/// (1 to [`MAX_SEEDS`]): `spec.seed`, `spec.seed + 1`, … for the weights.
pub fn probe(spec: &TrainSpec, seeds: usize) -> Probe {
    let spec = spec.sanitized();
    let mlp = match spec.model {
        ModelSpec::Mlp(m) => m,
        ModelSpec::Chain(_) => MlpSpec::default(),
    };
    let data = Dataset::generate(spec.task, spec.samples, spec.noise, spec.seed);
    let seeds = seeds.clamp(1, MAX_SEEDS);
    match mlp.format {
        NumberFormat::F64 => measure::<f64>(&mlp, &data, spec.seed, seeds),
        _ => measure::<f32>(&mlp, &data, spec.seed, seeds),
    }
}

/// Exponent bins of `|dL/dz|`, a quarter decade each, from `10^LOWEST_DECADE` up: every
/// finite nonzero `f64` magnitude has one; the histogram keeps the top [`GRAD_DECADES`].
const LOWEST_DECADE: i32 = -330;
const ALL_GRAD_BINS: usize = 4 * 640;

/// How close to a bin's edge [`exponent_bin`]'s estimate may fall before `log10` decides.
const EDGE: f64 = 1e-4;

/// The exponent bin of a finite `a > 0`: `⌊4·(log10 a − LOWEST_DECADE)⌋`, within the bins.
/// `a`'s binary exponent and a short series for the logarithm of its mantissa place it to
/// within 3e-5 of a bin; `log10` settles the rare values closer than [`EDGE`] to an edge, so
/// the bin is always the one `log10` alone gives, at a fraction of its cost.
fn exponent_bin(a: f64) -> usize {
    let exact = |a: f64| ((a.log10() - LOWEST_DECADE as f64) * 4.0).floor();
    let bits = a.to_bits();
    let exponent = (bits >> 52) as i32;
    let x = if exponent == 0 {
        // Subnormal.
        exact(a)
    } else {
        // The mantissa `m` in [1, 2); ln m = 2·atanh(t) with t = (m − 1)/(m + 1) ≤ 1/3.
        let m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
        let t = (m - 1.0) / (m + 1.0);
        let t2 = t * t;
        let ln_m = 2.0 * t * (1.0 + t2 * (1.0 / 3.0 + t2 * (1.0 / 5.0 + t2 / 7.0)));
        let log10 = f64::from(exponent - 1023) * std::f64::consts::LOG10_2
            + ln_m * std::f64::consts::LOG10_E;
        let q = (log10 - LOWEST_DECADE as f64) * 4.0;
        let (low, high) = ((q - EDGE).floor(), (q + EDGE).floor());
        if low == high {
            low
        } else {
            exact(a)
        }
    };
    (x.max(0.0) as usize).min(ALL_GRAD_BINS - 1)
}

fn measure<F: Float>(spec: &MlpSpec, data: &Dataset, seed: u64, seeds: usize) -> Probe {
    let b = PROBE_SAMPLES.min(data.len());
    let big_l = spec.depth + 1;
    let first: Vec<usize> = (0..b).collect();
    let inputs = &data.inputs[..b * data.dim];
    let input_ms = inputs.iter().map(|x| x * x).sum::<f64>() / inputs.len() as f64;
    let mut layers: Vec<LayerStats> = (0..big_l)
        .map(|_| LayerStats {
            act_ms: 0.0,
            act_ms_seeds: Vec::with_capacity(seeds),
            act_mean: 0.0,
            act_std: 0.0,
            saturated: 0.0,
            dead: 0.0,
            nonfinite: 0.0,
            grad_norm: 0.0,
            output_hist: vec![0.0; OUTPUT_BINS],
            grad_hist: vec![0.0; GRAD_BINS],
            grad_zero: 0.0,
        })
        .collect();
    // Gradients by exponent first, cut to the top decades once the largest is known.
    let mut exponents = vec![0.0; big_l * ALL_GRAD_BINS];
    // One layer's gradients by exponent bin, counted (and emptied as they are added up).
    let mut grad_counts = vec![0u32; ALL_GRAD_BINS];
    // Per layer, the lowest and highest exponent bin any gradient fell in.
    let mut filled: Vec<Option<(usize, usize)>> = vec![None; big_l];
    let mut loss = 0.0;
    let mut range = None;
    let share = 1.0 / seeds as f64;
    let bounded = bounded_outputs(spec);
    for k in 0..seeds {
        let mut model = MlpModel::<F>::new(spec, data, b, false, seed.wrapping_add(k as u64));
        model.load_batch(&first);
        loss += share
            * model.inspect(|l, layer: Inspected<F>| {
                let stats = &mut layers[l - 1];
                let n = layer.outputs.len() as f64;
                let (mut sum, mut sq, mut bad) = (0.0, 0.0, 0usize);
                for v in layer.outputs {
                    let v = v.to_f64();
                    sum += v;
                    sq += v * v;
                    bad += usize::from(!v.is_finite());
                }
                let (ms, mean) = (sq / n, sum / n);
                // The first layer of the first seed sets the outputs' histogram range.
                let range = *range.get_or_insert_with(|| match bounded {
                    true => 1.0,
                    false if ms.is_finite() && ms > 0.0 => 4.0 * ms.sqrt(),
                    false => 1.0,
                });
                // The spread and the histogram in one pass; counts first, shares at the end.
                let mut counts = [0u32; OUTPUT_BINS];
                let mut var = 0.0;
                let to_bin = OUTPUT_BINS as f64 / (2.0 * range);
                for v in layer.outputs {
                    let v = v.to_f64();
                    var += (v - mean) * (v - mean);
                    if v.is_nan() {
                        continue;
                    }
                    let x = (v + range) * to_bin;
                    let i = if x.is_finite() {
                        x.floor()
                    } else {
                        x.signum() * 1e9
                    };
                    counts[i.clamp(0.0, OUTPUT_BINS as f64 - 1.0) as usize] += 1;
                }
                let var = var / n;
                let w = share / n;
                for (h, &c) in stats.output_hist.iter_mut().zip(&counts) {
                    *h += w * f64::from(c);
                }
                stats.act_ms_seeds.push(ms);
                stats.act_ms += share * ms;
                stats.act_mean += share * mean;
                stats.act_std += share * var.sqrt();
                stats.nonfinite += share * bad as f64 / n;
                let acts = layer.activations;
                let hidden = l < big_l;
                let count = |pred: fn(f64) -> bool| {
                    let n = acts.iter().filter(|v| pred(v.to_f64())).count();
                    share * n as f64 / acts.len() as f64
                };
                match spec.activation {
                    Activation::Tanh if hidden => {
                        stats.saturated += count(|x| x.abs() > TANH_SATURATED);
                    }
                    Activation::Sigmoid if hidden => {
                        stats.saturated +=
                            count(|x| !(SIGMOID_SATURATED..=1.0 - SIGMOID_SATURATED).contains(&x));
                    }
                    Activation::Relu if hidden => stats.dead += count(|x| x == 0.0),
                    _ => {}
                }
                stats.grad_norm += share * layer.grad_norm;
                let n = layer.deltas.len() as f64;
                let w = share / n;
                let mut zeros = 0usize;
                let (mut low, mut high) = (ALL_GRAD_BINS, 0);
                for d in layer.deltas {
                    let d = d.to_f64();
                    if d == 0.0 {
                        zeros += 1;
                    } else if d.is_finite() {
                        let i = exponent_bin(d.abs());
                        grad_counts[i] += 1;
                        (low, high) = (low.min(i), high.max(i));
                    }
                }
                stats.grad_zero += w * zeros as f64;
                if low <= high {
                    let bins = &mut exponents[(l - 1) * ALL_GRAD_BINS..l * ALL_GRAD_BINS];
                    for (bin, count) in bins[low..=high].iter_mut().zip(&mut grad_counts[low..]) {
                        *bin += w * f64::from(std::mem::take(count));
                    }
                    let seen = filled[l - 1].get_or_insert((low, high));
                    *seen = (seen.0.min(low), seen.1.max(high));
                }
            });
    }
    // The top: the decade above the largest exponent bin any layer filled (0 if none).
    let highest = filled.iter().flatten().map(|&(_, high)| high).max();
    let top = highest.map_or(0, |i| LOWEST_DECADE + (i as i32 + 4) / 4);
    let start = 4 * (top - GRAD_DECADES as i32 - LOWEST_DECADE);
    for ((stats, bins), seen) in layers
        .iter_mut()
        .zip(exponents.chunks_exact(ALL_GRAD_BINS))
        .zip(&filled)
    {
        let Some((low, high)) = *seen else { continue };
        for (i, &v) in bins.iter().enumerate().take(high + 1).skip(low) {
            // Below the window: into its first bin.
            let j = (i as i32 - start).clamp(0, GRAD_BINS as i32 - 1) as usize;
            stats.grad_hist[j] += v;
        }
    }
    Probe {
        layers,
        loss,
        input_ms,
        input_dim: data.dim,
        range: range.unwrap_or(1.0),
        top,
        seeds,
        samples: b,
    }
}

/// The numbers of a [`LayerStats`] on the wire besides its three lists.
const LAYER_SCALARS: usize = 9;

impl Probe {
    /// The probe as `f64`s, for a probe made in a Web Worker and shown by the page:
    /// `loss, input_ms, input_dim, range, top, seeds, samples`, the layer count, then per
    /// layer `act_ms, act_mean, act_std, saturated, dead, nonfinite, grad_norm, grad_zero`,
    /// the count of its per-seed mean squares and those, then its two histograms
    /// ([`OUTPUT_BINS`], [`GRAD_BINS`]). Every `f64` goes as it is; [`Probe::from_wire`]
    /// gives the same bits back.
    pub fn to_wire(&self) -> Vec<f64> {
        let per_layer = LAYER_SCALARS + MAX_SEEDS + OUTPUT_BINS + GRAD_BINS;
        let mut out = Vec::with_capacity(8 + self.layers.len() * per_layer);
        out.extend([self.loss, self.input_ms, self.input_dim as f64, self.range]);
        out.extend([f64::from(self.top), self.seeds as f64, self.samples as f64]);
        out.push(self.layers.len() as f64);
        for l in &self.layers {
            out.extend([l.act_ms, l.act_mean, l.act_std, l.saturated, l.dead]);
            out.extend([l.nonfinite, l.grad_norm, l.grad_zero]);
            out.push(l.act_ms_seeds.len() as f64);
            out.extend(&l.act_ms_seeds);
            out.extend(&l.output_hist);
            out.extend(&l.grad_hist);
        }
        out
    }

    /// A probe read back from [`Probe::to_wire`]'s numbers; `None` unless every count is a
    /// whole number in range and the numbers end where the counts say.
    pub fn from_wire(data: &[f64]) -> Option<Probe> {
        let mut rest = data;
        let mut take = |n: usize| -> Option<&[f64]> {
            let (head, tail) = rest.split_at_checked(n)?;
            rest = tail;
            Some(head)
        };
        let count = |v: f64, max: usize| {
            (v >= 0.0 && v <= max as f64 && v.fract() == 0.0).then_some(v as usize)
        };
        let head = take(8)?;
        let top = head[4];
        if top.fract() != 0.0 || top.abs() > 1e4 {
            return None;
        }
        let n_layers = count(head[7], data.len())?;
        let mut layers = Vec::with_capacity(n_layers);
        for _ in 0..n_layers {
            let s = take(LAYER_SCALARS)?;
            let seeds = count(s[8], MAX_SEEDS)?;
            layers.push(LayerStats {
                act_ms: s[0],
                act_mean: s[1],
                act_std: s[2],
                saturated: s[3],
                dead: s[4],
                nonfinite: s[5],
                grad_norm: s[6],
                grad_zero: s[7],
                act_ms_seeds: take(seeds)?.to_vec(),
                output_hist: take(OUTPUT_BINS)?.to_vec(),
                grad_hist: take(GRAD_BINS)?.to_vec(),
            });
        }
        if !rest.is_empty() {
            return None;
        }
        Some(Probe {
            layers,
            loss: head[0],
            input_ms: head[1],
            input_dim: count(head[2], 1 << 20)?,
            range: head[3],
            top: top as i32,
            seeds: count(head[5], MAX_SEEDS)?,
            samples: count(head[6], 1 << 30)?,
        })
    }
}

/// Whether the layers' outputs are a bounded activation's (tanh, sigmoid; no residual
/// stream, no normalisation after it): their histogram then spans ±1; otherwise ±4 times the
/// first layer's root mean square (±1 if that is 0 or not finite).
fn bounded_outputs(spec: &MlpSpec) -> bool {
    matches!(spec.activation, Activation::Tanh | Activation::Sigmoid)
        && spec.residual == Residual::Off
        && !matches!(
            spec.norm,
            Norm::Layer(NormPlace::After) | Norm::Batch(NormPlace::After)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_log10(a: f64) -> usize {
        let x = (a.log10() - LOWEST_DECADE as f64) * 4.0;
        (x.floor().max(0.0) as usize).min(ALL_GRAD_BINS - 1)
    }

    #[test]
    fn a_probe_goes_over_the_wire_bit_for_bit_and_a_broken_one_is_refused() {
        use crate::train::spec::Init;
        let mlp = MlpSpec {
            depth: 6,
            width: 8,
            activation: Activation::Relu,
            init: Init::Normal {
                sigma: 40.0,
                sigma_b: 0.0,
            },
            ..MlpSpec::default()
        };
        let spec = TrainSpec {
            model: ModelSpec::Mlp(mlp),
            ..TrainSpec::default()
        };
        for seeds in [1, 3] {
            let p = probe(&spec, seeds);
            let wire = p.to_wire();
            let back = Probe::from_wire(&wire).expect("reads back");
            // The same bits, NaN and infinities included (compared through their wire form).
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&back.to_wire()), bits(&wire));
            assert_eq!(back.layers.len(), 7);
            assert_eq!(back.seeds, seeds);
            assert!(Probe::from_wire(&wire[..wire.len() - 1]).is_none());
            let mut longer = wire.clone();
            longer.push(0.0);
            assert!(Probe::from_wire(&longer).is_none());
            let mut bad_count = wire.clone();
            bad_count[7] = 6.5;
            assert!(Probe::from_wire(&bad_count).is_none());
        }
        assert!(Probe::from_wire(&[]).is_none());
    }

    #[test]
    fn exponent_bins_are_log10s_everywhere_and_at_every_edge() {
        // Each bin's edge 10^(k/4) and its neighbours a few units in the last place away,
        // over the whole range of f64 (subnormals too), then values spread in between.
        let mut checked = 0;
        for k in -1300..1240 {
            let edge = 10f64.powf(f64::from(k) / 4.0);
            if !(edge.is_finite() && edge > 0.0) {
                continue;
            }
            let mut a = edge;
            for _ in 0..4 {
                a = a.next_down();
            }
            for _ in 0..9 {
                if a > 0.0 {
                    assert_eq!(exponent_bin(a), by_log10(a), "{a:e}");
                    checked += 1;
                }
                a = a.next_up();
            }
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let a = f64::from_bits(x >> 1);
            if a.is_finite() && a > 0.0 {
                assert_eq!(exponent_bin(a), by_log10(a), "{a:e}");
                checked += 1;
            }
        }
        assert!(checked > 200_000, "{checked}");
        assert_eq!(
            exponent_bin(f64::MIN_POSITIVE / 1e10),
            by_log10(f64::MIN_POSITIVE / 1e10)
        );
        // 1 starts the bin 4·330; log10(0.5) = −0.30103 lies in the bin two before.
        assert_eq!(exponent_bin(1.0), 1320);
        assert_eq!(exponent_bin(0.5), 1318);
    }
}
