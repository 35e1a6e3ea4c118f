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
    let mut loss = 0.0;
    let mut range = 1.0;
    let mut top = 0;
    let share = 1.0 / seeds as f64;
    for k in 0..seeds {
        let mut model = MlpModel::<F>::new(spec, data, b, false, seed.wrapping_add(k as u64));
        model.load_batch(&first);
        let mut seen: Vec<(Vec<f64>, Vec<f64>)> = Vec::with_capacity(big_l);
        loss += share
            * model.inspect(|l, layer: Inspected<F>| {
                let stats = &mut layers[l - 1];
                let outputs: Vec<f64> = layer.outputs.iter().map(|v| v.to_f64()).collect();
                let deltas: Vec<f64> = layer.deltas.iter().map(|v| v.to_f64()).collect();
                let n = outputs.len() as f64;
                let finite: Vec<f64> = outputs.iter().copied().filter(|v| v.is_finite()).collect();
                let ms = outputs.iter().map(|v| v * v).sum::<f64>() / n;
                let mean = outputs.iter().sum::<f64>() / n;
                let var = outputs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                stats.act_ms_seeds.push(ms);
                stats.act_ms += share * ms;
                stats.act_mean += share * mean;
                stats.act_std += share * var.sqrt();
                stats.nonfinite += share * (n - finite.len() as f64) / n;
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
                stats.delta_ms +=
                    share * deltas.iter().map(|d| d * d).sum::<f64>() / deltas.len() as f64;
                seen.push((outputs, deltas));
            });
        if k == 0 {
            range = output_range(spec, &seen);
            top = grad_top(&seen);
        }
        for (stats, (outputs, deltas)) in layers.iter_mut().zip(&seen) {
            let w = share / outputs.len() as f64;
            for &v in outputs {
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
            let w = share / deltas.len() as f64;
            for &d in deltas {
                if d == 0.0 {
                    stats.grad_zero += w;
                } else if !d.is_nan() {
                    let x = (d.abs().log10() - (top - GRAD_DECADES as i32) as f64) * 4.0;
                    let i = x.floor().clamp(0.0, GRAD_BINS as f64 - 1.0);
                    stats.grad_hist[i as usize] += w;
                }
            }
        }
    }
    Probe {
        layers,
        loss,
        input_ms,
        input_dim: data.dim,
        range,
        top,
        seeds,
        samples: b,
    }
}

/// The outputs' histogram range: 1 where the layers' outputs are a bounded activation's
/// (tanh, sigmoid; no residual stream, no normalisation after it); otherwise 4 times the
/// first layer's root mean square (1 if that is 0 or not finite).
fn output_range(spec: &MlpSpec, seen: &[(Vec<f64>, Vec<f64>)]) -> f64 {
    let bounded = matches!(spec.activation, Activation::Tanh | Activation::Sigmoid)
        && spec.residual == Residual::Off
        && !matches!(
            spec.norm,
            Norm::Layer(NormPlace::After) | Norm::Batch(NormPlace::After)
        );
    if bounded {
        return 1.0;
    }
    let first = &seen[0].0;
    let rms = (first.iter().map(|v| v * v).sum::<f64>() / first.len() as f64).sqrt();
    if rms.is_finite() && rms > 0.0 {
        4.0 * rms
    } else {
        1.0
    }
}

/// The decade above the largest finite `|dL/dz|` of any layer (0 if there is none).
fn grad_top(seen: &[(Vec<f64>, Vec<f64>)]) -> i32 {
    let largest = seen
        .iter()
        .flat_map(|(_, d)| d.iter())
        .map(|d| d.abs())
        .filter(|d| d.is_finite() && *d > 0.0)
        .fold(0.0, f64::max);
    if largest > 0.0 {
        largest.log10().ceil() as i32
    } else {
        0
    }
}
