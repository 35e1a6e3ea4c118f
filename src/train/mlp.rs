//! The fully connected network as a trainable model, in `f32` or `f64`, with a hand-written
//! backward pass.
//!
//! Layer `l = 1..=L` (`L = depth + 1`) computes `z_l = a_(l-1)·W_lᵀ + b_l` with `W_l` of
//! shape `(d_l, d_(l-1))` as PyTorch stores it; hidden layers (`l < L`) output
//! `a_l = f(z_l)`, the output layer `a_L = z_L` (one unit). Each batch is a row-major
//! `B × d` matrix, a sample per row.
//!
//! Losses, averaged over the batch: regression, the mean squared error `Σ_i (z_i − t_i)²/B`;
//! classification, the logistic loss on the logit `z` (PyTorch's `BCEWithLogitsLoss`),
//! `Σ_i [max(z_i, 0) − z_i·t_i + ln(1 + e^(−|z_i|))]/B`, whose gradient is
//! `(σ(z_i) − t_i)/B`.

use super::fastmath;
use super::init::init_layer;
use super::linalg::{gemm, Float};
use super::model::{covering_batches, mean_std, share, Model, Outcome};
use super::optim::{Detail, Hyper, Params};
use super::records::{LayerProfile, Place, SIGMOID_SATURATED, TANH_SATURATED};
use super::rng::{generator, Stream};
use super::spec::{Activation, MlpSpec};
use super::task::Dataset;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// The MLP: its data, batch buffers and parameters.
#[derive(Clone)]
pub(crate) struct MlpModel<F> {
    /// Units per layer, `d_0` (inputs) to `d_L` (1).
    dims: Vec<usize>,
    act: Activation,
    classification: bool,
    /// Batch size.
    b: usize,
    xs: Vec<F>,
    ts: Vec<F>,
    /// The batch's targets.
    t: Vec<F>,
    /// `a_0` (the batch's inputs) to `a_L` (the outputs).
    acts: Vec<Array2<F>>,
    /// Scratch for back-propagation: the gradients with respect to `z_l` and `a_(l-1)`.
    dz: Vec<F>,
    da: Vec<F>,
    /// Per layer, `W_l` row-major, then `b_l`.
    params: Params<F>,
    /// The first layer whose `z` was non-finite in the last forward pass.
    first_bad: Option<usize>,
    /// Once [`Model::freeze`]d: each sample's term of the loss's sum over the whole data set.
    frozen: Option<Vec<F>>,
    /// The loaded batch's sample indices (kept once frozen).
    batch_idx: Vec<usize>,
}

impl<F: Float> MlpModel<F> {
    /// The MLP of `spec` on `data` with batches of `batch` samples (`batch` = the data set's
    /// size: the full data set, loaded here once). Layers are initialised in order, from the
    /// seed's init generator.
    pub(crate) fn new(
        spec: &MlpSpec,
        data: &Dataset,
        batch: usize,
        momentum: bool,
        seed: u64,
    ) -> Self {
        let mut dims = vec![data.dim];
        dims.extend(std::iter::repeat_n(spec.width, spec.depth));
        dims.push(1);
        let gain = spec.gain.unwrap_or(spec.activation.gain());
        let mut rng = generator(seed, Stream::Init);
        let mut values = Vec::new();
        let mut offsets = vec![0];
        for d in dims.windows(2) {
            let (fan_in, fan_out) = (d[0], d[1]);
            let mut w = vec![0.0; fan_out * fan_in];
            let mut b = vec![0.0; fan_out];
            init_layer(spec.init, gain, fan_out, fan_in, &mut rng, &mut w, &mut b);
            values.extend(w.iter().chain(&b).map(|&v| F::from_f64(v)));
            offsets.push(values.len());
        }
        let widest = dims.iter().copied().max().unwrap_or(1);
        let zero = F::zero();
        let mut model = MlpModel {
            act: spec.activation,
            classification: data.classification,
            b: batch,
            xs: data.inputs.iter().map(|&x| F::from_f64(x)).collect(),
            ts: data.targets.iter().map(|&t| F::from_f64(t)).collect(),
            t: vec![zero; batch],
            acts: dims.iter().map(|&d| Array2::zeros((batch, d))).collect(),
            dz: vec![zero; batch * widest],
            da: vec![zero; batch * widest],
            params: Params::new(values, offsets, momentum),
            first_bad: None,
            frozen: None,
            batch_idx: vec![0; batch],
            dims,
        };
        if batch == data.len() {
            let all: Vec<usize> = (0..batch).collect();
            model.load_batch(&all);
        }
        model
    }

    /// The number of linear layers `L`.
    fn layers(&self) -> usize {
        self.dims.len() - 1
    }

    /// The forward pass and the loss; leaves `dL/dz_L` in `dz`.
    fn forward(&mut self) -> F {
        self.first_bad = None;
        let big_l = self.layers();
        for l in 1..=big_l {
            let dout = self.dims[l];
            let mut z = std::mem::take(&mut self.acts[l]);
            let (w, bias) = weight(&self.params, &self.dims, l);
            gemm(self.acts[l - 1].view(), w.t(), z.view_mut());
            let zs = z.as_slice_mut().expect("row-major");
            let mut finite = true;
            for row in zs.chunks_exact_mut(dout) {
                for (v, &bb) in row.iter_mut().zip(bias) {
                    *v = *v + bb;
                    finite &= v.to_f64().is_finite();
                }
            }
            if l < big_l {
                activate(self.act, zs);
            }
            if !finite && self.first_bad.is_none() {
                self.first_bad = Some(l);
            }
            self.acts[l] = z;
        }
        let out = self.acts[big_l].as_slice().expect("row-major");
        let inv_b = F::one() / F::from_f64(self.b as f64);
        let mut loss = F::zero();
        let dz = &mut self.dz[..self.b];
        let classification = self.classification;
        if classification {
            for ((g, &z), &t) in dz.iter_mut().zip(out).zip(&self.t) {
                loss = loss + loss_term(classification, z, t);
                let sigmoid = F::one() / (F::one() + (F::zero() - z).exp());
                *g = (sigmoid - t) * inv_b;
            }
        } else {
            let two_over_b = F::from_f64(2.0 / self.b as f64);
            for ((g, &z), &t) in dz.iter_mut().zip(out).zip(&self.t) {
                loss = loss + loss_term(classification, z, t);
                *g = (z - t) * two_over_b;
            }
        }
        loss / F::from_f64(self.b as f64)
    }

    fn backward(&mut self) {
        let b = self.b;
        for l in (1..=self.layers()).rev() {
            let (din, dout) = (self.dims[l - 1], self.dims[l]);
            let r = self.params.range(l - 1);
            let dz = ArrayView2::from_shape((b, dout), &self.dz[..b * dout]).expect("shape");
            let (gw, gb) = self.params.grads[r.clone()].split_at_mut(dout * din);
            let gw = ArrayViewMut2::from_shape((dout, din), gw).expect("shape");
            gemm(dz.t(), self.acts[l - 1].view(), gw);
            gb.fill(F::zero());
            for row in self.dz[..b * dout].chunks_exact(dout) {
                for (s, &g) in gb.iter_mut().zip(row) {
                    *s = *s + g;
                }
            }
            if l > 1 {
                let (w, _) = weight(&self.params, &self.dims, l);
                let da =
                    ArrayViewMut2::from_shape((b, din), &mut self.da[..b * din]).expect("shape");
                gemm(dz, w, da);
                derive(
                    self.act,
                    &mut self.da[..b * din],
                    self.acts[l - 1].as_slice().expect("row-major"),
                );
                std::mem::swap(&mut self.da, &mut self.dz);
            }
        }
    }
}

/// One sample's term of the loss's sum: `(z − t)²` for regression; for classification
/// `max(z, 0) − z·t + ln(1 + e^(−|z|))`; each operation rounded in `F`.
#[inline(always)]
fn loss_term<F: Float>(classification: bool, z: F, t: F) -> F {
    if classification {
        let relu = if z > F::zero() { z } else { F::zero() };
        let neg_abs = if z < F::zero() { z } else { F::zero() - z };
        relu - z * t + neg_abs.exp().ln_1p()
    } else {
        let d = z - t;
        d * d
    }
}

/// `W_l` and `b_l` (`l` from 1) among `params`.
fn weight<'a, F: Float>(
    params: &'a Params<F>,
    dims: &[usize],
    l: usize,
) -> (ArrayView2<'a, F>, &'a [F]) {
    let (din, dout) = (dims[l - 1], dims[l]);
    let (w, b) = params.values[params.range(l - 1)].split_at(dout * din);
    (ArrayView2::from_shape((dout, din), w).expect("shape"), b)
}

/// `z ← f(z)` in place.
fn activate<F: Float>(act: Activation, z: &mut [F]) {
    let zero = F::zero();
    match act {
        Activation::Linear => {}
        Activation::Tanh => fastmath::tanh_in_place(z),
        // `z < 0` is false for NaN, which passes through.
        Activation::Relu => z.iter_mut().for_each(|v| {
            if *v < zero {
                *v = zero
            }
        }),
        Activation::Sigmoid => fastmath::sigmoid_in_place(z),
    }
}

/// `g ← g·f'(z)`, with `f'` written through the output `a = f(z)`: tanh `1 − a²`, sigmoid
/// `a·(1 − a)`, ReLU 1 where `a > 0` and 0 elsewhere, linear 1.
fn derive<F: Float>(act: Activation, g: &mut [F], a: &[F]) {
    let (zero, one) = (F::zero(), F::one());
    let it = g.iter_mut().zip(a);
    match act {
        Activation::Linear => {}
        Activation::Tanh => it.for_each(|(g, &a)| *g = *g * (one - a * a)),
        Activation::Relu => it.for_each(|(g, &a)| *g = *g * if a > zero { one } else { zero }),
        Activation::Sigmoid => it.for_each(|(g, &a)| *g = *g * (a * (one - a))),
    }
}

impl<F: Float> Model for MlpModel<F> {
    fn load_batch(&mut self, indices: &[usize]) {
        if self.frozen.is_some() {
            self.batch_idx.copy_from_slice(indices);
            return;
        }
        let d = self.dims[0];
        let a0 = self.acts[0].as_slice_mut().expect("row-major");
        for (j, &i) in indices.iter().enumerate() {
            a0[j * d..(j + 1) * d].copy_from_slice(&self.xs[i * d..(i + 1) * d]);
            self.t[j] = self.ts[i];
        }
    }

    fn loss(&mut self) -> f64 {
        match &self.frozen {
            // The forward pass's sum, in the batch's order, of terms computed once.
            Some(terms) => {
                let mut loss = F::zero();
                for &i in &self.batch_idx {
                    loss = loss + terms[i];
                }
                (loss / F::from_f64(self.b as f64)).to_f64()
            }
            None => self.forward().to_f64(),
        }
    }

    /// A sample's output, and so its loss term, is computed by the same operations whatever
    /// batch it is in (each row of a matrix product is summed on its own, in a fixed order,
    /// see [`gemm`]), so one forward pass per `B` samples (the last batch padded with the
    /// last sample) gives every sample's term; [`Model::loss`] then adds them up in the
    /// batch's order, as the forward pass does.
    fn freeze(&mut self) {
        let (b, m) = (self.b, self.ts.len());
        let mut terms = Vec::with_capacity(m);
        for (idx, take) in covering_batches(m, b) {
            self.load_batch(&idx);
            self.forward();
            let out = self.acts[self.layers()].as_slice().expect("row-major");
            terms.extend(
                out[..take]
                    .iter()
                    .zip(&self.t)
                    .map(|(&z, &t)| loss_term(self.classification, z, t)),
            );
        }
        self.frozen = Some(terms);
    }

    fn parameters(&self) -> Vec<f64> {
        self.params.values.iter().map(|v| v.to_f64()).collect()
    }

    fn duplicate(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn step(&mut self, h: &Hyper, detail: Detail, out: &mut [LayerProfile]) -> Outcome {
        let loss = self.forward().to_f64();
        self.backward();
        if detail == Detail::Full {
            let big_l = self.layers();
            for (i, p) in out.iter_mut().enumerate() {
                let a = self.acts[i + 1].as_slice().expect("row-major");
                (p.act_mean, p.act_std) = mean_std(a);
                let hidden = i + 1 < big_l;
                p.saturated = match self.act {
                    Activation::Tanh if hidden => share(a, |x| x.abs() > TANH_SATURATED),
                    Activation::Sigmoid if hidden => share(a, |x| {
                        !(SIGMOID_SATURATED..=1.0 - SIGMOID_SATURATED).contains(&x)
                    }),
                    _ => 0.0,
                };
                p.dead = match self.act {
                    Activation::Relu if hidden => share(a, |x| x == 0.0),
                    _ => 0.0,
                };
            }
        }
        let applied = self.params.apply(h, detail, out);
        let place = if let Some(l) = self.first_bad {
            Some(Place::Activation(l))
        } else if !loss.is_finite() {
            Some(Place::Loss)
        } else if !applied.total.is_finite() {
            self.params.last_nonfinite_grad_layer().map(Place::Gradient)
        } else {
            None
        };
        Outcome {
            loss,
            applied,
            place,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::NumberFormat;
    use crate::train::spec::{Init, TaskSpec};

    const INITS: [Init; 6] = [
        Init::PyTorchDefault,
        Init::Normal { sigma: 1.5 },
        Init::XavierUniform,
        Init::XavierNormal,
        Init::KaimingNormal,
        Init::Orthogonal,
    ];
    const ACTS: [Activation; 4] = [
        Activation::Linear,
        Activation::Tanh,
        Activation::Relu,
        Activation::Sigmoid,
    ];

    fn mlp(act: Activation, init: Init, task: TaskSpec) -> MlpModel<f64> {
        let data = Dataset::generate(task, 7, 0.0, 3);
        let spec = MlpSpec {
            width: 5,
            depth: 3,
            activation: act,
            init,
            gain: None,
            format: NumberFormat::F64,
        };
        let mut m = MlpModel::new(&spec, &data, 7, false, 11);
        // Non-zero biases, so that their gradients are tested through every layer.
        for l in 0..m.params.layers() {
            let r = m.params.range(l);
            let fan_out = m.dims[l + 1];
            for (j, b) in m.params.values[r.end - fan_out..r.end]
                .iter_mut()
                .enumerate()
            {
                *b += 0.05 * (j as f64 - 1.5);
            }
        }
        m
    }

    #[test]
    fn every_gradient_matches_finite_differences() {
        for task in [TaskSpec::Sine, TaskSpec::Xor] {
            for act in ACTS {
                for init in INITS {
                    let mut m = mlp(act, init, task);
                    m.forward();
                    m.backward();
                    let grads = m.params.grads.clone();
                    let mut worst: f64 = 0.0;
                    for (i, &g) in grads.iter().enumerate() {
                        let h = 1e-6;
                        let p0 = m.params.values[i];
                        m.params.values[i] = p0 + h;
                        let up = m.forward();
                        m.params.values[i] = p0 - h;
                        let down = m.forward();
                        m.params.values[i] = p0;
                        let fd = (up - down) / (2.0 * h);
                        let err = (fd - g).abs() / (1e-4 + g.abs());
                        worst = worst.max(err);
                    }
                    assert!(worst < 1e-5, "{task:?} {act:?} {init:?}: {worst}");
                    let size: f64 = grads.iter().map(|g| g * g).sum();
                    assert!(size > 1e-8, "{task:?} {act:?} {init:?}: vanishing gradient");
                }
            }
        }
    }

    #[test]
    fn losses_match_their_definitions() {
        let mut m = mlp(Activation::Tanh, Init::PyTorchDefault, TaskSpec::Xor);
        let loss = m.forward();
        let z = m.acts[m.layers()].as_slice().unwrap().to_vec();
        let want: f64 = z
            .iter()
            .zip(&m.t)
            .map(|(&z, &t)| {
                let p = 1.0 / (1.0 + (-z).exp());
                -(t * p.ln() + (1.0 - t) * (1.0 - p).ln())
            })
            .sum::<f64>()
            / 7.0;
        assert!((loss - want).abs() < 1e-14, "{loss} vs {want}");
        let mut m = mlp(Activation::Relu, Init::KaimingNormal, TaskSpec::Sine);
        let loss = m.forward();
        let z = m.acts[m.layers()].as_slice().unwrap().to_vec();
        let want: f64 = z
            .iter()
            .zip(&m.t)
            .map(|(z, t)| (z - t).powi(2))
            .sum::<f64>()
            / 7.0;
        assert!((loss - want).abs() < 1e-14, "{loss} vs {want}");
    }

    #[test]
    fn a_frozen_mlp_gives_the_forward_pass_bits() {
        for task in [TaskSpec::Sine, TaskSpec::Xor] {
            let data = Dataset::generate(task, 10, 0.1, 3);
            let spec = MlpSpec {
                width: 6,
                depth: 3,
                activation: Activation::Tanh,
                init: Init::PyTorchDefault,
                gain: None,
                format: NumberFormat::F32,
            };
            let mut live = MlpModel::<f32>::new(&spec, &data, 7, false, 11);
            let mut frozen = live.clone();
            frozen.freeze();
            for idx in [
                [0, 1, 2, 3, 4, 5, 6],
                [9, 3, 8, 1, 0, 7, 2],
                [9, 9, 9, 4, 4, 5, 6],
            ] {
                live.load_batch(&idx);
                frozen.load_batch(&idx);
                assert_eq!(live.loss().to_bits(), frozen.loss().to_bits(), "{idx:?}");
            }
        }
    }

    #[test]
    fn relu_passes_nan_through() {
        let mut z = [f64::NAN, -1.0, 2.0, -0.0];
        activate(Activation::Relu, &mut z);
        assert!(z[0].is_nan());
        assert_eq!(&z[1..], &[0.0, 2.0, -0.0]);
    }
}
