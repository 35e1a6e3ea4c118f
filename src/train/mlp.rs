//! The fully connected network as a trainable model, in `f32` or `f64`, with a hand-written
//! backward pass.
//!
//! Layer `l = 1..=L` (`L = depth + 1`) computes `z_l = a_(l-1)·W_lᵀ + b_l` with `W_l` of
//! shape `(d_l, d_(l-1))` as PyTorch stores it; hidden layers (`l < L`) output
//! `a_l = f(z_l)`, the output layer `a_L = z_L` (one unit). Each batch is a row-major
//! `B × d` matrix, a sample per row.
//!
//! With normalisation ([`Norm`]) a hidden layer outputs `f(N(z_l))` or `N(f(z_l))`, `N`
//! with its own `γ`, `β`. With residual connections ([`Residual`]) `h_1 = z_1`, each block
//! `h_l = h_(l-1) + α·(s_l·W_lᵀ + b_l)` reads `s_l = f̂(h_(l-1))` (`f̂`: the activation with
//! its normalisation), and the output layer reads `f̂(h_depth)`. Either way the `γ`, `β` of
//! the normalisation that feeds or follows a linear layer are stored after its `W`, `b`, so
//! the records count them in that layer.
//!
//! Losses, averaged over the batch: regression, the mean squared error `Σ_i (z_i − t_i)²/B`;
//! classification, the logistic loss on the logit `z` (PyTorch's `BCEWithLogitsLoss`),
//! `Σ_i [max(z_i, 0) − z_i·t_i + ln(1 + e^(−|z_i|))]/B`, whose gradient is
//! `(σ(z_i) − t_i)/B`.

use super::draws::with_init_draws;
use super::fastmath;
use super::init::init_layer;
use super::linalg::{gemm, Float};
use super::model::{covering_batches, Model, Outcome};
use super::norm::{Axis, NormState};
use super::optim::{Detail, Hyper, Params};
use super::records::{LayerProfile, Place, SIGMOID_SATURATED, TANH_SATURATED};
use super::spec::{Activation, MlpSpec, Norm, NormPlace, Residual};
use super::sums::{mean_std, share};
use super::task::Dataset;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// The MLP: its data, batch buffers and parameters.
#[derive(Clone)]
pub(crate) struct MlpModel<F> {
    /// Units per layer, `d_0` (inputs) to `d_L` (1).
    dims: Vec<usize>,
    act: Activation,
    norm: Norm,
    /// The residual factor `α`, or `None` for a plain network.
    alpha: Option<F>,
    classification: bool,
    /// Batch size.
    b: usize,
    xs: Vec<F>,
    ts: Vec<F>,
    /// The batch's targets.
    t: Vec<F>,
    /// `a_0` (the batch's inputs) to `a_L` (the outputs); with residual connections `a_l`
    /// is the stream `h_l` for `0 < l < L`.
    acts: Vec<Array2<F>>,
    /// With residual connections, `s_l`, the input of layer `l` (`l ≥ 2`); else empty.
    inputs: Vec<Array2<F>>,
    /// Per layer `l`, its normalisation's saved values (empty where there is none).
    norms: Vec<NormState<F>>,
    /// Per layer `l`, the activation's output `f(z)` where the normalisation follows it.
    mids: Vec<Vec<F>>,
    /// Scratch for back-propagation: the gradients with respect to `z_l` and `a_(l-1)`, a
    /// third buffer for residual blocks, and the normalisation's sums.
    dz: Vec<F>,
    da: Vec<F>,
    ds: Vec<F>,
    scratch: Vec<F>,
    /// Per layer, `W_l` row-major, then `b_l`, then the normalisation's `γ` and `β`.
    params: Params<F>,
    /// The first layer whose `z` was non-finite in the last forward pass.
    first_bad: Option<usize>,
    /// The loss of a forward pass run ahead of its step ([`Model::forward_ahead`]).
    ahead: Option<F>,
    /// Once [`Model::freeze`]d: each sample's term of the loss's sum over the whole data set.
    frozen: Option<Vec<F>>,
    /// The loaded batch's sample indices (kept once frozen).
    batch_idx: Vec<usize>,
    /// While [`inspect`](MlpModel::inspect)ing: each layer's `dL/dz_l`, as the backward pass
    /// meets it.
    deltas: Option<Vec<Vec<F>>>,
}

impl<F: Float> MlpModel<F> {
    /// The MLP of `spec` on `data` with batches of `batch` samples (`batch` = the data set's
    /// size: the full data set, loaded here once). Layers are initialised in order, from the
    /// seed's init generator (its draws replayed where they were kept, see
    /// [`with_init_draws`]); with residual blocks that start at zero, their weights are drawn
    /// all the same (and then set to 0), so the other layers get the same numbers.
    pub(crate) fn new(
        spec: &MlpSpec,
        data: &Dataset,
        batch: usize,
        momentum: bool,
        seed: u64,
    ) -> Self {
        // A build without normalisation (the training lab's own module, whose settings never
        // ask for one) leaves its code out.
        assert!(
            cfg!(feature = "normalisation") || spec.norm == Norm::None,
            "this build has no normalisation layers"
        );
        let mut dims = vec![data.dim];
        dims.extend(std::iter::repeat_n(spec.width, spec.depth));
        dims.push(1);
        let big_l = dims.len() - 1;
        let gain = spec.gain.unwrap_or(spec.activation.gain());
        let residual = spec.residual != Residual::Off;
        let zero_blocks = matches!(
            spec.residual,
            Residual::On {
                zero_init: true,
                ..
            }
        );
        // Every layer's weights and biases, and room for a normalisation's `γ` and `β`.
        let mut values =
            Vec::with_capacity(dims.windows(2).map(|d| (d[0] + 3) * d[1]).sum::<usize>());
        let mut offsets = vec![0];
        let mut norms = vec![NormState::default()];
        let mut mids = vec![Vec::new()];
        let zero = F::zero();
        let (mut w, mut b) = (Vec::new(), Vec::new());
        with_init_draws(seed, |rng| {
            for l in 1..=big_l {
                let (fan_in, fan_out) = (dims[l - 1], dims[l]);
                w.resize(fan_out * fan_in, 0.0);
                b.resize(fan_out, 0.0);
                init_layer(spec.init, gain, fan_out, fan_in, rng, &mut w, &mut b);
                if zero_blocks && (2..big_l).contains(&l) {
                    w.fill(0.0);
                    b.fill(0.0);
                }
                values.extend(w.iter().chain(&b).map(|&v| F::from_f64(v)));
                let site = site_width(&dims, residual, l);
                match (spec.norm, site) {
                    (Norm::Layer(place) | Norm::Batch(place), Some(d)) => {
                        values.extend(std::iter::repeat_n(F::one(), d));
                        values.extend(std::iter::repeat_n(zero, d));
                        let axis = axis(spec.norm).expect("a norm");
                        norms.push(NormState::new(axis, batch, d));
                        let after = place == NormPlace::After;
                        mids.push(if after {
                            vec![zero; batch * d]
                        } else {
                            Vec::new()
                        });
                    }
                    _ => {
                        norms.push(NormState::default());
                        mids.push(Vec::new());
                    }
                }
                offsets.push(values.len());
            }
        });
        let widest = dims.iter().copied().max().unwrap_or(1);
        let alpha = match spec.residual {
            Residual::Off => None,
            Residual::On { alpha, .. } => Some(F::from_f64(alpha)),
        };
        let mut model = MlpModel {
            act: spec.activation,
            norm: spec.norm,
            alpha,
            classification: data.classification,
            b: batch,
            xs: data.inputs.iter().map(|&x| F::from_f64(x)).collect(),
            ts: data.targets.iter().map(|&t| F::from_f64(t)).collect(),
            t: vec![zero; batch],
            acts: dims.iter().map(|&d| Array2::zeros((batch, d))).collect(),
            inputs: (0..=big_l)
                .map(|l| match site_width(&dims, residual, l) {
                    Some(d) if residual => Array2::zeros((batch, d)),
                    _ => Array2::zeros((0, 0)),
                })
                .collect(),
            norms,
            mids,
            dz: vec![zero; batch * widest],
            da: vec![zero; batch * widest],
            ds: vec![zero; if residual { batch * widest } else { 0 }],
            scratch: vec![zero; 2 * widest],
            params: Params::new(values, offsets, momentum),
            first_bad: None,
            ahead: None,
            frozen: None,
            batch_idx: vec![0; batch],
            deltas: None,
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
            let residual_block = self.alpha.is_some() && l >= 2;
            if residual_block {
                let mut s = std::mem::take(&mut self.inputs[l]);
                s.assign(&self.acts[l - 1]);
                self.site_forward(l, s.as_slice_mut().expect("row-major"));
                self.inputs[l] = s;
            }
            let (w, bias, _) = weight(&self.params, &self.dims, l);
            let input = if residual_block {
                self.inputs[l].view()
            } else {
                self.acts[l - 1].view()
            };
            let finite = if residual_block && l < big_l {
                // The branch goes to scratch, then the stream adds it.
                let alpha = self.alpha.expect("residual");
                let branch = &mut self.da[..self.b * dout];
                gemm(
                    input,
                    w.t(),
                    ArrayViewMut2::from_shape((self.b, dout), &mut *branch).expect("shape"),
                );
                let zs = z.as_slice_mut().expect("row-major");
                let prev = self.acts[l - 1].as_slice().expect("row-major");
                let mut finite = true;
                for ((row, brow), prow) in zs
                    .chunks_exact_mut(dout)
                    .zip(branch.chunks_exact(dout))
                    .zip(prev.chunks_exact(dout))
                {
                    for (((v, &br), &p), &bb) in row.iter_mut().zip(brow).zip(prow).zip(bias) {
                        *v = p + alpha * (br + bb);
                        finite &= v.to_f64().is_finite();
                    }
                }
                finite
            } else {
                gemm(input, w.t(), z.view_mut());
                let zs = z.as_slice_mut().expect("row-major");
                let mut finite = true;
                for row in zs.chunks_exact_mut(dout) {
                    for (v, &bb) in row.iter_mut().zip(bias) {
                        *v = *v + bb;
                        finite &= v.to_f64().is_finite();
                    }
                }
                finite
            };
            if l < big_l && self.alpha.is_none() {
                self.site_forward(l, z.as_slice_mut().expect("row-major"));
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

    /// `x ← f̂(x)` for the activation site of layer `l` (in a plain network the one after
    /// linear layer `l`; with residual connections the one before it).
    fn site_forward(&mut self, l: usize, x: &mut [F]) {
        let cols = x.len() / self.b;
        let Some(axis) = axis(self.norm) else {
            activate(self.act, x);
            return;
        };
        let (_, _, gb) = weight(&self.params, &self.dims, l);
        let (gamma, beta) = gb.split_at(cols);
        if self.mids[l].is_empty() {
            self.norms[l].forward(axis, x, cols, gamma, beta);
            activate(self.act, x);
        } else {
            activate(self.act, x);
            self.mids[l].copy_from_slice(x);
            self.norms[l].forward(axis, x, cols, gamma, beta);
        }
    }

    /// Back through [`site_forward`](Self::site_forward) of layer `l`, whose output was
    /// `out`: `g` holds the gradient with respect to the output on entry, and with respect to
    /// the input on exit; the normalisation's `γ`, `β` gradients are written into layer
    /// `l`'s.
    fn site_backward(&mut self, l: usize, out: &[F], g: &mut [F]) {
        let cols = g.len() / self.b;
        let Some(axis) = axis(self.norm) else {
            derive(self.act, g, out);
            return;
        };
        let r = self.params.range(l - 1);
        let wb = self.dims[l] * (self.dims[l - 1] + 1);
        let (gamma, _) = self.params.values[r.start + wb..r.end].split_at(cols);
        let (dgamma, dbeta) = self.params.grads[r.start + wb..r.end].split_at_mut(cols);
        let norm = &self.norms[l];
        if self.mids[l].is_empty() {
            derive(self.act, g, out);
            norm.backward(axis, g, cols, gamma, dgamma, dbeta, &mut self.scratch);
        } else {
            norm.backward(axis, g, cols, gamma, dgamma, dbeta, &mut self.scratch);
            derive(self.act, g, &self.mids[l]);
        }
    }

    /// `dW_l = δᵀ·input`, `db_l = Σ_rows δ` for `δ = dL/dz_l` (`b × d_l`).
    fn layer_grads(&mut self, l: usize, delta: &[F], input: ArrayView2<F>) {
        let (din, dout) = (self.dims[l - 1], self.dims[l]);
        if let Some(deltas) = &mut self.deltas {
            deltas[l] = delta.to_vec();
        }
        let r = self.params.range(l - 1);
        let dz = ArrayView2::from_shape((self.b, dout), delta).expect("shape");
        let (gw, rest) = self.params.grads[r].split_at_mut(dout * din);
        let gw = ArrayViewMut2::from_shape((dout, din), gw).expect("shape");
        gemm(dz.t(), input, gw);
        let gb = &mut rest[..dout];
        gb.fill(F::zero());
        for row in delta.chunks_exact(dout) {
            for (s, &g) in gb.iter_mut().zip(row) {
                *s = *s + g;
            }
        }
    }

    /// `out = δ·W_l`, the gradient with respect to layer `l`'s input.
    fn through_weights(&self, l: usize, delta: &[F], out: &mut [F]) {
        let (din, dout) = (self.dims[l - 1], self.dims[l]);
        let (w, _, _) = weight(&self.params, &self.dims, l);
        let dz = ArrayView2::from_shape((self.b, dout), delta).expect("shape");
        gemm(
            dz,
            w,
            ArrayViewMut2::from_shape((self.b, din), out).expect("shape"),
        );
    }

    fn backward(&mut self) {
        if self.alpha.is_some() {
            return self.backward_residual();
        }
        let b = self.b;
        for l in (1..=self.layers()).rev() {
            let (din, dout) = (self.dims[l - 1], self.dims[l]);
            let dz = std::mem::take(&mut self.dz);
            let input = std::mem::take(&mut self.acts[l - 1]);
            self.layer_grads(l, &dz[..b * dout], input.view());
            self.dz = dz;
            if l > 1 {
                let mut da = std::mem::take(&mut self.da);
                self.through_weights(l, &self.dz[..b * dout], &mut da[..b * din]);
                self.site_backward(
                    l - 1,
                    input.as_slice().expect("row-major"),
                    &mut da[..b * din],
                );
                self.da = da;
                std::mem::swap(&mut self.da, &mut self.dz);
            }
            self.acts[l - 1] = input;
        }
    }

    /// Back-propagation with residual blocks: `dz` carries `dL/dh_l` down the stream; each
    /// block adds its branch's gradient.
    fn backward_residual(&mut self) {
        let (b, big_l) = (self.b, self.layers());
        let alpha = self.alpha.expect("residual");
        let mut dz = std::mem::take(&mut self.dz);
        let mut da = std::mem::take(&mut self.da);
        let mut ds = std::mem::take(&mut self.ds);
        for l in (2..=big_l).rev() {
            let (din, dout) = (self.dims[l - 1], self.dims[l]);
            // δ = dL/dz_l: the output's gradient, or α times the stream's.
            let delta: &[F] = if l == big_l {
                &dz[..b * dout]
            } else {
                for (d, &g) in da[..b * dout].iter_mut().zip(&dz[..b * dout]) {
                    *d = alpha * g;
                }
                &da[..b * dout]
            };
            let s = std::mem::take(&mut self.inputs[l]);
            self.layer_grads(l, delta, s.view());
            self.through_weights(l, delta, &mut ds[..b * din]);
            self.site_backward(l, s.as_slice().expect("row-major"), &mut ds[..b * din]);
            self.inputs[l] = s;
            if l == big_l {
                dz[..b * din].copy_from_slice(&ds[..b * din]);
            } else {
                for (g, &d) in dz[..b * din].iter_mut().zip(&ds[..b * din]) {
                    *g = *g + d;
                }
            }
        }
        let x = std::mem::take(&mut self.acts[0]);
        self.layer_grads(1, &dz[..b * self.dims[1]], x.view());
        self.acts[0] = x;
        (self.dz, self.da, self.ds) = (dz, da, ds);
    }

    /// One forward and backward pass on the loaded batch, without an update; then
    /// `visit(l, Layer { .. })` for each layer `l` from 1 to `L`. Returns the loss.
    pub(crate) fn inspect(&mut self, mut visit: impl FnMut(usize, Inspected<F>)) -> f64 {
        self.deltas = Some(vec![Vec::new(); self.layers() + 1]);
        let loss = self.forward().to_f64();
        self.backward();
        let deltas = self.deltas.take().expect("recorded");
        for (l, delta) in deltas.iter().enumerate().skip(1) {
            let g = &self.params.grads[self.params.range(l - 1)];
            let norm = g
                .iter()
                .map(|v| v.to_f64() * v.to_f64())
                .sum::<f64>()
                .sqrt();
            let outputs = self.acts[l].as_slice().expect("row-major");
            let hidden = l < self.layers();
            let activations = if hidden {
                self.activation_output(l)
            } else {
                outputs
            };
            visit(
                l,
                Inspected {
                    outputs,
                    activations,
                    deltas: delta,
                    grad_norm: norm,
                },
            );
        }
        loss
    }

    /// Layer `l`'s activation outputs `f(·)` (`l` from 1 to `depth`), before any
    /// normalisation that follows them: what saturates or dies.
    fn activation_output(&self, l: usize) -> &[F] {
        let site = if self.alpha.is_some() { l + 1 } else { l };
        if !self.mids[site].is_empty() {
            &self.mids[site]
        } else if self.alpha.is_some() {
            self.inputs[site].as_slice().expect("row-major")
        } else {
            self.acts[l].as_slice().expect("row-major")
        }
    }
}

/// One layer as [`MlpModel::inspect`] sees it.
pub(crate) struct Inspected<'a, F> {
    /// The layer's outputs as the records count them (a hidden layer's activations, with
    /// residual connections the stream `h_l`; the output layer's outputs).
    pub(crate) outputs: &'a [F],
    /// The activation function's outputs before any normalisation that follows it (the
    /// output layer: its outputs).
    pub(crate) activations: &'a [F],
    /// `dL/dz_l`.
    pub(crate) deltas: &'a [F],
    /// The 2-norm of the gradient of the layer's parameters.
    pub(crate) grad_norm: f64,
}

/// The width of layer `l`'s activation site, if it has one: in a plain network each hidden
/// layer's output; with residual connections each block's and the output layer's input.
fn site_width(dims: &[usize], residual: bool, l: usize) -> Option<usize> {
    let big_l = dims.len() - 1;
    match residual {
        false if (1..big_l).contains(&l) => Some(dims[l]),
        true if (2..=big_l).contains(&l) => Some(dims[l - 1]),
        _ => None,
    }
}

/// The axis a normalisation averages over (none in a build without normalisation, whose
/// models all have `Norm::None`, see [`MlpModel::new`]).
fn axis(norm: Norm) -> Option<Axis> {
    if !cfg!(feature = "normalisation") {
        return None;
    }
    match norm {
        Norm::None => None,
        Norm::Layer(_) => Some(Axis::Rows),
        Norm::Batch(_) => Some(Axis::Columns),
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

/// `W_l`, `b_l` and the normalisation's `γ`, `β` (empty without one), `l` from 1.
fn weight<'a, F: Float>(
    params: &'a Params<F>,
    dims: &[usize],
    l: usize,
) -> (ArrayView2<'a, F>, &'a [F], &'a [F]) {
    let (din, dout) = (dims[l - 1], dims[l]);
    let (w, rest) = params.values[params.range(l - 1)].split_at(dout * din);
    let (b, norm) = rest.split_at(dout);
    (
        ArrayView2::from_shape((dout, din), w).expect("shape"),
        b,
        norm,
    )
}

/// `z ← f(z)` in place.
fn activate<F: Float>(act: Activation, z: &mut [F]) {
    let zero = F::zero();
    match act {
        Activation::Linear => {}
        Activation::Tanh => fastmath::tanh_in_place(z),
        // `z < 0` is false for NaN, which passes through (and for −0, which stays).
        Activation::Relu => z
            .iter_mut()
            .for_each(|v| *v = if *v < zero { zero } else { *v }),
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
        if matches!(self.norm, Norm::Batch(_)) {
            // Batch statistics tie each sample's output to the rest of its batch: the
            // baseline keeps running the forward pass.
            return;
        }
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

    fn forward_ahead(&mut self) {
        self.ahead = Some(self.forward());
    }

    fn step(&mut self, h: &Hyper, detail: Detail, out: &mut [LayerProfile]) -> Outcome {
        let loss = match self.ahead.take() {
            Some(loss) => loss,
            None => self.forward(),
        }
        .to_f64();
        self.backward();
        if detail == Detail::Full {
            let big_l = self.layers();
            for (i, p) in out.iter_mut().enumerate() {
                let a = self.acts[i + 1].as_slice().expect("row-major");
                (p.act_mean, p.act_std) = mean_std(a);
                let hidden = i + 1 < big_l;
                let a = if hidden {
                    self.activation_output(i + 1)
                } else {
                    a
                };
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

    const INITS: [Init; 7] = [
        Init::PyTorchDefault,
        Init::Normal {
            sigma: 1.5,
            sigma_b: 0.2,
        },
        Init::Standard,
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
        build(act, init, task, Norm::None, Residual::Off)
    }

    fn build(
        act: Activation,
        init: Init,
        task: TaskSpec,
        norm: Norm,
        residual: Residual,
    ) -> MlpModel<f64> {
        let data = Dataset::generate(task, 7, 0.0, 3);
        let spec = MlpSpec {
            width: 5,
            depth: 3,
            activation: act,
            init,
            gain: None,
            format: NumberFormat::F64,
            norm,
            residual,
        };
        let mut m = MlpModel::new(&spec, &data, 7, false, 11);
        // Non-zero biases, and γ, β away from 1 and 0, so that their gradients are tested
        // through every layer.
        for l in 0..m.params.layers() {
            let r = m.params.range(l);
            let (fan_in, fan_out) = (m.dims[l], m.dims[l + 1]);
            for (j, b) in m.params.values[r.start + fan_in * fan_out..r.end]
                .iter_mut()
                .enumerate()
            {
                *b += 0.05 * (j as f64 - 1.5);
            }
        }
        m
    }

    /// The largest relative difference between the backward pass's gradient and central
    /// differences of the loss, and the gradient's squared size.
    fn check_gradients(m: &mut MlpModel<f64>) -> (f64, f64) {
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
        (worst, grads.iter().map(|g| g * g).sum())
    }

    #[test]
    fn normalised_and_residual_gradients_match_finite_differences() {
        let norms = [
            Norm::None,
            Norm::Layer(NormPlace::Before),
            Norm::Layer(NormPlace::After),
            Norm::Batch(NormPlace::Before),
            Norm::Batch(NormPlace::After),
        ];
        let residuals = [
            Residual::Off,
            Residual::On {
                alpha: 0.7,
                zero_init: false,
            },
        ];
        for task in [TaskSpec::Sine, TaskSpec::Xor] {
            for act in ACTS {
                for norm in norms {
                    for residual in residuals {
                        let mut m = build(act, Init::KaimingNormal, task, norm, residual);
                        let (worst, size) = check_gradients(&mut m);
                        let what = format!("{task:?} {act:?} {norm:?} {residual:?}");
                        assert!(worst < 1e-5, "{what}: {worst}");
                        assert!(size > 1e-8, "{what}: vanishing gradient");
                    }
                }
            }
        }
    }

    #[test]
    fn zero_initialised_blocks_start_as_the_identity_and_still_learn() {
        let residual = Residual::On {
            alpha: 1.0,
            zero_init: true,
        };
        let mut m = build(
            Activation::Relu,
            Init::KaimingNormal,
            TaskSpec::Sine,
            Norm::None,
            residual,
        );
        // `build` nudged the biases; put the blocks back at exactly 0.
        for l in 2..m.layers() {
            let r = m.params.range(l - 1);
            m.params.values[r].fill(0.0);
        }
        m.forward();
        for l in 2..m.layers() {
            assert_eq!(m.acts[l], m.acts[1], "block {l} is not the identity");
        }
        m.backward();
        for l in 2..m.layers() {
            let (din, dout) = (m.dims[l - 1], m.dims[l]);
            let gw = &m.params.grads[m.params.range(l - 1)][..din * dout];
            assert!(gw.iter().any(|&g| g != 0.0), "block {l} gets no gradient");
        }
    }

    #[test]
    fn every_gradient_matches_finite_differences() {
        for task in [TaskSpec::Sine, TaskSpec::Xor] {
            for act in ACTS {
                for init in INITS {
                    let (worst, size) = check_gradients(&mut mlp(act, init, task));
                    assert!(worst < 1e-5, "{task:?} {act:?} {init:?}: {worst}");
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
                norm: Norm::Layer(NormPlace::Before),
                residual: Residual::On {
                    alpha: 0.5,
                    zero_init: false,
                },
            };
            let live = MlpModel::<f32>::new(&spec, &data, 7, false, 11);
            crate::train::model::assert_freezing_keeps_the_bits(live);
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
