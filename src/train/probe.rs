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
    /// The mean square of `dL/dz_l`.
    pub delta_ms: f64,
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
            delta_ms: 0.0,
            output_hist: vec![0.0; OUTPUT_BINS],
            grad_hist: vec![0.0; GRAD_BINS],
            grad_zero: 0.0,
        })
        .collect();
    // Gradients by exponent first, cut to the top decades once the largest is known.
    let mut exponents = vec![0.0; big_l * ALL_GRAD_BINS];
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
                let var = layer
                    .outputs
                    .iter()
                    .map(|v| (v.to_f64() - mean) * (v.to_f64() - mean))
                    .sum::<f64>()
                    / n;
                stats.act_ms_seeds.push(ms);
                stats.act_ms += share * ms;
                stats.act_mean += share * mean;
                stats.act_std += share * var.sqrt();
                stats.nonfinite += share * bad as f64 / n;
                // The first layer of the first seed sets the outputs' histogram range.
                let range = *range.get_or_insert_with(|| match bounded {
                    true => 1.0,
                    false if ms.is_finite() && ms > 0.0 => 4.0 * ms.sqrt(),
                    false => 1.0,
                });
                let w = share / n;
                for v in layer.outputs {
                    let v = v.to_f64();
                    if v.is_nan() {
                        continue;
                    }
                    let x = (v / range + 1.0) / 2.0 * OUTPUT_BINS as f64;
                    let i = if x.is_finite() {
                        x.floor()
                    } else {
                        x.signum() * 1e9
                    };
                    stats.output_hist[i.clamp(0.0, OUTPUT_BINS as f64 - 1.0) as usize] += w;
                }
                let acts = layer.activations;
                let hidden = l < big_l;
                let part = |pred: &dyn Fn(f64) -> bool| {
                    acts.iter().filter(|v| pred(v.to_f64())).count() as f64 / acts.len() as f64
                };
                stats.saturated += share
                    * match spec.activation {
                        Activation::Tanh if hidden => part(&|x| x.abs() > TANH_SATURATED),
                        Activation::Sigmoid if hidden => {
                            part(&|x| !(SIGMOID_SATURATED..=1.0 - SIGMOID_SATURATED).contains(&x))
                        }
                        _ => 0.0,
                    };
                stats.dead += share
                    * match spec.activation {
                        Activation::Relu if hidden => part(&|x| x == 0.0),
                        _ => 0.0,
                    };
                stats.grad_norm += share * layer.grad_norm;
                let n = layer.deltas.len() as f64;
                let w = share / n;
                let bins = &mut exponents[(l - 1) * ALL_GRAD_BINS..l * ALL_GRAD_BINS];
                let mut sq = 0.0;
                for d in layer.deltas {
                    let d = d.to_f64();
                    sq += d * d;
                    if d == 0.0 {
                        stats.grad_zero += w;
                    } else if d.is_finite() {
                        let x = (d.abs().log10() - LOWEST_DECADE as f64) * 4.0;
                        bins[(x.floor().max(0.0) as usize).min(ALL_GRAD_BINS - 1)] += w;
                    }
                }
                stats.delta_ms += share * sq / n;
            });
    }
    // The top: the decade above the largest exponent bin any layer filled (0 if none).
    let highest = (0..ALL_GRAD_BINS).rev().find(|&i| {
        exponents
            .chunks_exact(ALL_GRAD_BINS)
            .any(|bins| bins[i] > 0.0)
    });
    let top = highest.map_or(0, |i| LOWEST_DECADE + (i as i32 + 4) / 4);
    let start = 4 * (top - GRAD_DECADES as i32 - LOWEST_DECADE);
    for (stats, bins) in layers.iter_mut().zip(exponents.chunks_exact(ALL_GRAD_BINS)) {
        for (i, &v) in bins.iter().enumerate() {
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
