//! The recurrent networks as trainable models, in `f32` or `f64`: the forward pass and
//! back-propagation through time, written by hand, batched over the kernel's matrix
//! products (the batch is every product's rows).
//!
//! Time runs `t = 1..=T`; `x_t` is position `t − 1` of a sequence ([`super::tasks`]), and
//! `h_0 = 0` (the LSTM's `c_0 = 0` too). A batch of `B` sequences is a row-major `B × n`
//! matrix per time step, a sequence per row, so each formula below holds row by row.
//!
//! - **RNN**: `h_t = f(W·h_(t-1) + U·x_t + b)`, `W` of shape `H × H`, `U` of `H × D`, one
//!   bias `b`. PyTorch's `nn.RNN` has two (`b_ih + b_hh`), which compute the same function;
//!   drawn as two uniforms their sum has a triangular law, ours is one uniform.
//! - **LSTM**, PyTorch's `nn.LSTM` with one bias (as above): `z_t = W·h_(t-1) + U·x_t + b`
//!   of `4H` values in the gate order i, f, g, o (`W` is PyTorch's `weight_hh`, `4H × H`;
//!   `U` its `weight_ih`, `4H × D`); `i, f, o = σ(·)`, `g = tanh(·)`;
//!   `c_t = f⊙c_(t-1) + i⊙g`, `h_t = o⊙tanh(c_t)`.
//! - **Readout**, on the last state only: `y = V·h_T + c` (`O` outputs, [`SeqTask::outputs`]).
//! - **Loss**, averaged over the batch: the adding problem's squared error
//!   `Σ_r (y_r − t_r)²/B`; the classes' softmax cross-entropy
//!   `Σ_r [m_r − y_(r,k_r) + ln(1 + Σ_(j≠j*) e^(y_rj − m_r))]/B` (`m_r` the largest logit,
//!   at `j*`; `k_r` the class). Each operation rounded to the format.
//!
//! **Parameters**, stored flat in this order ([`Shape`]): `W`, `U`, `b`, `V`, `c`, matrices
//! row-major as PyTorch stores them.
//!
//! **Back-propagation through time.** `g_T = ∂L/∂h_T = Vᵀ·∂L/∂y`; then for `t = T, …, 1`:
//! the RNN's `δ_t = g_t ⊙ f'` (`f'` from the output `h_t`: `1 − h²`, `h·(1 − h)`, `h > 0`,
//! 1), `∂L/∂W += δ_t·h_(t-1)ᵀ`, `∂L/∂U += δ_t·x_tᵀ`, `∂L/∂b += δ_t`,
//! `g_(t-1) = Wᵀ·δ_t`; the LSTM's `ĉ = ∂L/∂c_t = ĉ_(t+1)⊙f_(t+1) + g_t⊙o⊙(1 − tanh²c_t)`
//! (`ĉ_(T+1) = 0`), `δo = g_t⊙tanh c_t⊙o(1 − o)`, `δi = ĉ⊙g⊙i(1 − i)`,
//! `δg = ĉ⊙i⊙(1 − g²)`, `δf = ĉ⊙c_(t-1)⊙f(1 − f)`, `g_(t-1) = Wᵀ·δz_t`, and the weights'
//! gradients are sums over `t` of the same outer products. `‖∂L/∂h_t‖` is the 2-norm of
//! `g_t` over the batch and the units: the gradient of the batch's loss with respect to the
//! state `h_t` (for the LSTM with `c_t` held fixed), through every later time step.

use super::init::initial_parameters;
use super::session::Pass;
use super::spec::{Cell, RecAct, RnnSpec, SeqTask};
use super::tasks::SeqData;
use crate::train::fastmath;
use crate::train::kernel::{gemm_nn, gemm_nt, gemm_tn};
use crate::train::linalg::Float;
use crate::train::optim::{Detail, Hyper, Params};
use crate::train::sums::lanes_sum;
use std::ops::Range;

/// About how many values of `δz_t` and `h_(t-1)` the backward pass gathers before it adds
/// their products to the weights' gradients (256 KB in `f32`).
const CHUNK_VALUES: usize = 1 << 16;

/// The sizes of a network and where each parameter sits in the flat vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Shape {
    pub(crate) cell: Cell,
    /// `H`.
    pub(crate) hidden: usize,
    /// `D`.
    pub(crate) inputs: usize,
    /// `O`.
    pub(crate) outputs: usize,
}

impl Shape {
    /// The network of `cell` with `hidden` units for `task`.
    pub(crate) fn new(cell: Cell, hidden: usize, task: SeqTask) -> Shape {
        Shape {
            cell,
            hidden,
            inputs: task.inputs(),
            outputs: task.outputs(),
        }
    }

    /// `G`: the rows of `W`, `U` and `b`, `H` or `4H`.
    pub(crate) fn gates(&self) -> usize {
        self.cell.recurrent_rows(self.hidden)
    }

    /// `W`, `G × H`.
    pub(crate) fn recurrent(&self) -> Range<usize> {
        0..self.gates() * self.hidden
    }

    /// `U`, `G × D`.
    pub(crate) fn input(&self) -> Range<usize> {
        let s = self.recurrent().end;
        s..s + self.gates() * self.inputs
    }

    /// `b`, `G`.
    pub(crate) fn bias(&self) -> Range<usize> {
        let s = self.input().end;
        s..s + self.gates()
    }

    /// `V`, `O × H`.
    pub(crate) fn readout(&self) -> Range<usize> {
        let s = self.bias().end;
        s..s + self.outputs * self.hidden
    }

    /// `c`, `O`.
    pub(crate) fn readout_bias(&self) -> Range<usize> {
        let s = self.readout().end;
        s..s + self.outputs
    }

    /// The number of parameters.
    pub(crate) fn len(&self) -> usize {
        self.readout_bias().end
    }
}

/// Where a step's first non-finite value appeared, and at which time step `t` if inside the
/// pass through time.
pub(crate) type Fault = (Pass, Option<usize>);

/// One training step's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct StepOut {
    /// The batch's loss before the update.
    pub(crate) loss: f64,
    /// The share of the batch classified right (NaN for the adding problem).
    pub(crate) accuracy: f64,
    /// The gradient's 2-norm before clipping.
    pub(crate) total: f64,
    /// The clip factor ([`crate::train::Records::clip_coef`]'s meaning).
    pub(crate) coef: f64,
    /// The step's first non-finite value.
    pub(crate) fault: Option<Fault>,
}

/// What the session asks of a network, whatever its format.
pub(crate) trait Engine: Send {
    /// Copies the sequences `idx` (as many as the batch) into the batch buffers.
    fn load_batch(&mut self, data: &SeqData, idx: &[usize]);
    /// Forward, back-propagation through time, clipping and update on the loaded batch.
    fn step(&mut self, hyper: &Hyper) -> StepOut;
    /// The loss on the batch `idx` of these parameters, which must never change again (the
    /// learning-rate-0 baseline): each sequence's term of the loss is computed once, the
    /// first time a batch holds it, and the batch's loss added up from the terms in the
    /// forward pass's order, with the same bits as a forward pass.
    fn frozen_loss(&mut self, data: &SeqData, idx: &[usize]) -> f64;
    /// `‖∂L/∂h_t‖` for `t = 1..=T` (index `t − 1`) of the last step.
    fn time_grads(&self) -> &[f64];
    /// Writes the recurrent matrix `W` (`G × H`) into `out`, as `f64`.
    fn recurrent(&self, out: &mut [f64]);
    /// Every parameter as `f64`, in [`Shape`]'s order.
    fn parameters(&self) -> Vec<f64>;
    /// A copy.
    fn duplicate(&self) -> Box<dyn Engine>;
}

/// The network of `spec` (sanitized) in its format.
pub(crate) fn engine(spec: &RnnSpec) -> Box<dyn Engine> {
    match spec.format {
        crate::sim::NumberFormat::F64 => Box::new(Net::<f64>::new(spec)),
        _ => Box::new(Net::<f32>::new(spec)),
    }
}

/// A recurrent network with its batch buffers and parameters.
#[derive(Clone)]
pub(crate) struct Net<F> {
    shape: Shape,
    task: SeqTask,
    /// `T`.
    length: usize,
    /// `B`.
    batch: usize,
    /// The batch's inputs, time-major: `T × B × D`.
    x: Vec<F>,
    /// The batch's targets: sums, or class indices as numbers.
    target: Vec<F>,
    /// `h_0` (zeros) to `h_T`, each `B × H`.
    hs: Vec<F>,
    /// The LSTM's gates `(i, f, g, o)` per time step, `T × B × 4H`; empty for the RNN.
    gates: Vec<F>,
    /// The LSTM's `c_0` (zeros) to `c_T`, each `B × H`; empty for the RNN.
    cs: Vec<F>,
    /// The outputs, `B × O`, and `∂L/∂y`.
    y: Vec<F>,
    dy: Vec<F>,
    /// Each sequence's term of the loss's sum.
    terms: Vec<F>,
    /// The share classified right.
    accuracy: f64,
    /// `Wᵀ` (`H × G`), for the forward products.
    wt: Vec<F>,
    /// `U·x_t` for the batch, `B × G`.
    inp: Vec<F>,
    /// `∂L/∂h_t`, the LSTM's `∂L/∂c_t` and `tanh c_t`, each `B × H`.
    gh: Vec<F>,
    gc: Vec<F>,
    tc: Vec<F>,
    /// `δz_t = ∂L/∂z_t` (`B × G`) for a chunk of `chunk` time steps, and the chunk's terms
    /// of `∂L/∂W` (`G × H`), `∂L/∂U` (transposed, `D × G`) and `∂L/∂b` (`G`).
    delta: Vec<F>,
    chunk: usize,
    gw: Vec<F>,
    gu: Vec<F>,
    gb: Vec<F>,
    params: Params<F>,
    /// `‖∂L/∂h_t‖`, index `t − 1`.
    time_grads: Vec<f64>,
    /// Once frozen, each sequence's loss term, where computed.
    frozen: Option<(Vec<F>, Vec<bool>)>,
}

impl<F: Float> Net<F> {
    /// The network of `spec` (sanitized), initialised from its seed
    /// ([`initial_parameters`]), with buffers for `spec.batch` sequences.
    pub(crate) fn new(spec: &RnnSpec) -> Net<F> {
        let shape = Shape::new(spec.cell, spec.hidden, spec.task);
        let (h, g, d, o) = (shape.hidden, shape.gates(), shape.inputs, shape.outputs);
        let (b, t) = (spec.batch, spec.length);
        let values = initial_parameters(&shape, spec.init, spec.forget_bias, spec.seed)
            .into_iter()
            .map(F::from_f64)
            .collect();
        let lstm = spec.cell == Cell::Lstm;
        // Time steps per chunk of the backward pass: its `δz_t` and states, about
        // `CHUNK_VALUES` values, stay in cache for the weights' gradients.
        let chunk = (CHUNK_VALUES / (b * (g + h))).clamp(1, t);
        let zeros = |n: usize| vec![F::zero(); n];
        let only = |yes: bool, n: usize| if yes { zeros(n) } else { Vec::new() };
        Net {
            task: spec.task,
            length: t,
            batch: b,
            x: zeros(t * b * d),
            target: zeros(b),
            hs: zeros((t + 1) * b * h),
            gates: only(lstm, t * b * g),
            cs: only(lstm, (t + 1) * b * h),
            y: zeros(b * o),
            dy: zeros(b * o),
            terms: zeros(b),
            accuracy: f64::NAN,
            wt: zeros(h * g),
            inp: zeros(b * g),
            gh: zeros(b * h),
            gc: only(lstm, b * h),
            tc: only(lstm, b * h),
            delta: zeros(chunk * b * g),
            chunk,
            gw: zeros(g * h),
            gu: zeros(g * d),
            gb: zeros(g),
            params: Params::new(values, vec![0, shape.len()], spec.momentum > 0.0),
            time_grads: vec![0.0; t],
            frozen: None,
            shape,
        }
    }

    /// The forward pass from `h_0`: the loss, and the first non-finite value's place.
    fn forward(&mut self) -> (F, Option<Fault>) {
        self.forward_from(1)
    }

    /// The forward pass from time step `from` on, from the kept `h_(from-1)` (and
    /// `c_(from-1)`), then the readout and the loss.
    fn forward_from(&mut self, from: usize) -> (F, Option<Fault>) {
        let (h, g) = (self.shape.hidden, self.shape.gates());
        let w = &self.params.values[self.shape.recurrent()];
        for (j, row) in w.chunks_exact(h).enumerate() {
            for (p, &v) in row.iter().enumerate() {
                self.wt[p * g + j] = v;
            }
        }
        let mut fault = None;
        for t in from..=self.length {
            let finite = match self.shape.cell {
                Cell::Rnn(act) => self.rnn_forward(t, act),
                Cell::Lstm => self.lstm_forward(t),
            };
            if !finite && fault.is_none() {
                fault = Some((Pass::Forward, Some(t)));
            }
        }
        let loss = self.readout();
        if fault.is_none() && !loss.to_f64().is_finite() {
            fault = Some((Pass::Loss, None));
        }
        (loss, fault)
    }

    /// `z = h_(t-1)·Wᵀ + x_t·Uᵀ + b` for the batch (`B × G`), into the LSTM's gates or the
    /// RNN's `h_t`; whether every value is finite.
    fn pre_activation(&mut self, t: usize) -> bool {
        let (b, h, d, g) = (
            self.batch,
            self.shape.hidden,
            self.shape.inputs,
            self.shape.gates(),
        );
        let (bh, bg) = (b * h, b * g);
        let values = &self.params.values;
        gemm_nt(
            b,
            g,
            d,
            &self.x[(t - 1) * b * d..t * b * d],
            &values[self.shape.input()],
            &mut self.inp,
        );
        let (done, rest) = self.hs.split_at_mut(t * bh);
        let prev = &done[(t - 1) * bh..];
        let z = if self.gates.is_empty() {
            &mut rest[..bh]
        } else {
            &mut self.gates[(t - 1) * bg..t * bg]
        };
        gemm_nn(b, g, h, prev, &self.wt, z);
        let bias = &values[self.shape.bias()];
        for (row, irow) in z.chunks_exact_mut(g).zip(self.inp.chunks_exact(g)) {
            for ((v, &i), &bb) in row.iter_mut().zip(irow).zip(bias) {
                *v = *v + i + bb;
            }
        }
        all_finite(z)
    }

    /// The RNN's time step `t`: `h_t` from `h_(t-1)`; whether its pre-activations are finite.
    fn rnn_forward(&mut self, t: usize, act: RecAct) -> bool {
        let finite = self.pre_activation(t);
        let bh = self.batch * self.shape.hidden;
        activate(act, &mut self.hs[t * bh..(t + 1) * bh]);
        finite
    }

    /// The LSTM's time step `t`: the gates, `c_t` and `h_t`; whether its pre-activations are
    /// finite (then so are `c_t` and `h_t`, as `|c_t| ≤ |c_(t-1)| + 1`).
    fn lstm_forward(&mut self, t: usize) -> bool {
        let finite = self.pre_activation(t);
        let (b, h) = (self.batch, self.shape.hidden);
        let (bh, g) = (b * h, 4 * h);
        let z = &mut self.gates[(t - 1) * b * g..t * b * g];
        for row in z.chunks_exact_mut(g) {
            let (sig, rest) = row.split_at_mut(2 * h);
            let (tanh, out) = rest.split_at_mut(h);
            fastmath::sigmoid_in_place(sig);
            fastmath::tanh_in_place(tanh);
            fastmath::sigmoid_in_place(out);
        }
        let (done, rest) = self.cs.split_at_mut(t * bh);
        let (c_prev, c) = (&done[(t - 1) * bh..], &mut rest[..bh]);
        let h_t = &mut self.hs[t * bh..(t + 1) * bh];
        for (((row, c), cp), hr) in z
            .chunks_exact(g)
            .zip(c.chunks_exact_mut(h))
            .zip(c_prev.chunks_exact(h))
            .zip(h_t.chunks_exact_mut(h))
        {
            for j in 0..h {
                c[j] = row[h + j] * cp[j] + row[j] * row[2 * h + j];
                hr[j] = c[j];
            }
        }
        fastmath::tanh_in_place(h_t);
        for (row, hr) in z.chunks_exact(g).zip(h_t.chunks_exact_mut(h)) {
            for (v, &o) in hr.iter_mut().zip(&row[3 * h..]) {
                *v = o * *v;
            }
        }
        finite
    }

    /// `y = h_T·Vᵀ + c`, each sequence's loss term, `∂L/∂y`, the accuracy; returns the loss.
    fn readout(&mut self) -> F {
        let (b, h, o) = (self.batch, self.shape.hidden, self.shape.outputs);
        let values = &self.params.values;
        let last = &self.hs[self.length * b * h..(self.length + 1) * b * h];
        gemm_nt(b, o, h, last, &values[self.shape.readout()], &mut self.y);
        let c = &values[self.shape.readout_bias()];
        for row in self.y.chunks_exact_mut(o) {
            for (v, &cc) in row.iter_mut().zip(c) {
                *v = *v + cc;
            }
        }
        let n = F::from_f64(b as f64);
        let (zero, one) = (F::zero(), F::one());
        let mut right = 0usize;
        if self.task.is_classification() {
            let inv_b = one / n;
            for (((y, dy), &t), term) in self
                .y
                .chunks_exact(o)
                .zip(self.dy.chunks_exact_mut(o))
                .zip(&self.target)
                .zip(&mut self.terms)
            {
                let k = t.to_f64() as usize;
                let mut top = 0;
                for j in 1..o {
                    if y[j] > y[top] {
                        top = j;
                    }
                }
                right += usize::from(top == k);
                let m = y[top];
                let mut s = zero;
                for j in (0..o).filter(|&j| j != top) {
                    dy[j] = (y[j] - m).exp();
                    s = s + dy[j];
                }
                dy[top] = one;
                *term = (m - y[k]) + s.ln_1p();
                let denom = one + s;
                for (j, d) in dy.iter_mut().enumerate() {
                    let p = *d / denom;
                    *d = (if j == k { p - one } else { p }) * inv_b;
                }
            }
            self.accuracy = right as f64 / b as f64;
        } else {
            let two_over_b = F::from_f64(2.0 / b as f64);
            for (((&y, dy), &t), term) in self
                .y
                .iter()
                .zip(&mut self.dy)
                .zip(&self.target)
                .zip(&mut self.terms)
            {
                let e = y - t;
                *term = e * e;
                *dy = e * two_over_b;
            }
            self.accuracy = f64::NAN;
        }
        let mut loss = zero;
        for &term in &self.terms {
            loss = loss + term;
        }
        loss / n
    }

    /// Back-propagation through time from `∂L/∂y`: every parameter's gradient and
    /// `‖∂L/∂h_t‖`; returns the latest time step `t` at which a gradient with respect to a
    /// state was not finite.
    fn backward(&mut self) -> Option<usize> {
        let (b, h, o) = (self.batch, self.shape.hidden, self.shape.outputs);
        let values = &self.params.values;
        let grads = &mut self.params.grads;
        let last = &self.hs[self.length * b * h..(self.length + 1) * b * h];
        gemm_tn(o, h, b, &self.dy, last, &mut grads[self.shape.readout()]);
        column_sums(&self.dy, &mut grads[self.shape.readout_bias()]);
        gemm_nn(
            b,
            h,
            o,
            &self.dy,
            &values[self.shape.readout()],
            &mut self.gh,
        );
        match self.shape.cell {
            Cell::Rnn(act) => self.rnn_backward(act),
            Cell::Lstm => self.lstm_backward(),
        }
    }

    /// Records `‖∂L/∂h_t‖` from `gh`; whether it is finite.
    fn record_time_grad(&mut self, t: usize) -> bool {
        let norm = lanes_sum(&self.gh, |v| v.to_f64() * v.to_f64()).sqrt();
        self.time_grads[t - 1] = norm;
        // A finite sum of squares means finite values; an infinite one may be an `f64`
        // sum that overflowed from finite values.
        norm.is_finite() || all_finite(&self.gh)
    }

    fn rnn_backward(&mut self, act: RecAct) -> Option<usize> {
        let bh = self.batch * self.shape.hidden;
        let mut bad = None;
        for t in (1..=self.length).rev() {
            if !self.record_time_grad(t) && bad.is_none() {
                bad = Some(t);
            }
            let slot = self.slot(t);
            derive(
                act,
                &self.gh,
                &self.hs[t * bh..(t + 1) * bh],
                &mut self.delta[slot],
            );
            self.through_step(t);
        }
        bad
    }

    fn lstm_backward(&mut self) -> Option<usize> {
        let (b, h) = (self.batch, self.shape.hidden);
        let (bh, g) = (b * h, 4 * h);
        let one = F::one();
        self.gc.fill(F::zero());
        let mut bad = None;
        for t in (1..=self.length).rev() {
            let mut finite = self.record_time_grad(t);
            self.tc.copy_from_slice(&self.cs[t * bh..(t + 1) * bh]);
            fastmath::tanh_in_place(&mut self.tc);
            let c_prev = &self.cs[(t - 1) * bh..t * bh];
            let z = &self.gates[(t - 1) * b * g..t * b * g];
            let slot = self.slot(t);
            for (r, (row, dz)) in z
                .chunks_exact(g)
                .zip(self.delta[slot].chunks_exact_mut(g))
                .enumerate()
            {
                let (i, rest) = row.split_at(h);
                let (f, rest) = rest.split_at(h);
                let (gg, o) = rest.split_at(h);
                let (di, rest) = dz.split_at_mut(h);
                let (df, rest) = rest.split_at_mut(h);
                let (dg, d_o) = rest.split_at_mut(h);
                let s = r * h..(r + 1) * h;
                let gc = &mut self.gc[s.clone()];
                let (gh, tc, cp) = (&self.gh[s.clone()], &self.tc[s.clone()], &c_prev[s]);
                for j in 0..h {
                    let (iv, fv, gv, ov) = (i[j], f[j], gg[j], o[j]);
                    let (dh, tanh_c) = (gh[j], tc[j]);
                    let dc = gc[j] + dh * ov * (one - tanh_c * tanh_c);
                    d_o[j] = dh * tanh_c * (ov * (one - ov));
                    di[j] = dc * gv * (iv * (one - iv));
                    dg[j] = dc * iv * (one - gv * gv);
                    df[j] = dc * cp[j] * (fv * (one - fv));
                    gc[j] = dc * fv;
                }
            }
            // `∂L/∂c_t·f_t` is finite exactly when `∂L/∂c_t` is (`0 ≤ f ≤ 1`).
            finite &= all_finite(&self.gc);
            flush_subnormals(&mut self.gc);
            if !finite && bad.is_none() {
                bad = Some(t);
            }
            self.through_step(t);
        }
        bad
    }

    /// Where `δz_t` goes in `delta`: time steps `t0..t0 + chunk` (`t0 = 1 + k·chunk`) share
    /// it, in order.
    fn slot(&self, t: usize) -> Range<usize> {
        let bg = self.batch * self.shape.gates();
        let k = (t - 1) % self.chunk;
        k * bg..(k + 1) * bg
    }

    /// After `δz_t` is in its [`slot`](Self::slot): for `t > 1` sets `gh` to
    /// `g_(t-1) = δz_t·W`; at the first time step of a chunk, adds the chunk's terms to the
    /// gradients of `W`, `U` and `b`, as one product over its `chunk·B` rows, which are
    /// still in cache (the gradients start at 0 with the chunk that holds `T`).
    fn through_step(&mut self, t: usize) {
        let (b, h, d, g) = (
            self.batch,
            self.shape.hidden,
            self.shape.inputs,
            self.shape.gates(),
        );
        let bh = b * h;
        let rw = self.shape.recurrent();
        if t > 1 {
            let w = &self.params.values[rw.clone()];
            let slot = self.slot(t);
            gemm_nn(b, h, g, &self.delta[slot], w, &mut self.gh);
            flush_subnormals(&mut self.gh);
        }
        let t0 = t;
        if !(t0 - 1).is_multiple_of(self.chunk) {
            return;
        }
        let t1 = (t0 + self.chunk).min(self.length + 1);
        let rows = (t1 - t0) * b;
        let delta = &self.delta[..rows * g];
        let grads = &mut self.params.grads;
        let (ru, rb) = (self.shape.input(), self.shape.bias());
        if t1 == self.length + 1 {
            for r in [rw.clone(), ru.clone(), rb.clone()] {
                grads[r].fill(F::zero());
            }
        }
        // Σ δz_t·h_(t-1)ᵀ over the chunk (h_0 = 0 adds nothing).
        let prev = &self.hs[(t0 - 1) * bh..(t1 - 1) * bh];
        gemm_tn(g, h, rows, delta, prev, &mut self.gw);
        add(&mut grads[rw], &self.gw);
        // Σ x_t·δz_tᵀ (`D × G`, so that the long side runs in the vector lanes), added
        // transposed.
        let x = &self.x[(t0 - 1) * b * d..(t1 - 1) * b * d];
        gemm_tn(d, g, rows, x, delta, &mut self.gu);
        for (j, row) in grads[ru].chunks_exact_mut(d).enumerate() {
            for (k, v) in row.iter_mut().enumerate() {
                *v = *v + self.gu[k * g + j];
            }
        }
        column_sums(delta, &mut self.gb);
        add(&mut grads[rb], &self.gb);
    }

    /// Loads the batch `idx`.
    fn load(&mut self, data: &SeqData, idx: &[usize]) {
        for (row, &i) in idx.iter().enumerate() {
            data.load_into(i, row, self.batch, &mut self.x);
            self.target[row] = F::from_f64(data.target(i));
        }
    }
}

impl<F: Float> Engine for Net<F> {
    fn load_batch(&mut self, data: &SeqData, idx: &[usize]) {
        self.load(data, idx);
    }

    fn step(&mut self, hyper: &Hyper) -> StepOut {
        let (loss, mut fault) = self.forward();
        let back = self.backward();
        if fault.is_none() {
            fault = back.map(|t| (Pass::Backward, Some(t)));
        }
        let applied = self.params.apply(hyper, Detail::Scalars, &mut []);
        if fault.is_none() && !applied.total.is_finite() {
            fault = Some((Pass::Gradient, None));
        }
        if fault.is_none() && !all_finite(&self.params.values) {
            fault = Some((Pass::Update, None));
        }
        StepOut {
            loss: loss.to_f64(),
            accuracy: self.accuracy,
            total: applied.total,
            coef: applied.coef,
            fault,
        }
    }

    fn frozen_loss(&mut self, data: &SeqData, idx: &[usize]) -> f64 {
        let (mut terms, mut known) = self
            .frozen
            .take()
            .unwrap_or_else(|| (vec![F::zero(); data.len()], vec![false; data.len()]));
        if idx.iter().any(|&i| !known[i]) {
            self.load(data, idx);
            self.forward();
            for (&i, &term) in idx.iter().zip(&self.terms) {
                terms[i] = term;
                known[i] = true;
            }
        }
        let mut loss = F::zero();
        for &i in idx {
            loss = loss + terms[i];
        }
        self.frozen = Some((terms, known));
        (loss / F::from_f64(self.batch as f64)).to_f64()
    }

    fn time_grads(&self) -> &[f64] {
        &self.time_grads
    }

    fn recurrent(&self, out: &mut [f64]) {
        let w = &self.params.values[self.shape.recurrent()];
        for (o, &v) in out.iter_mut().zip(w) {
            *o = v.to_f64();
        }
    }

    fn parameters(&self) -> Vec<f64> {
        self.params.values.iter().map(|v| v.to_f64()).collect()
    }

    fn duplicate(&self) -> Box<dyn Engine> {
        Box::new(self.clone())
    }
}

/// Whether every value of `v` is finite: `0·x` is 0 for a finite `x` and NaN otherwise,
/// summed in 8 independent lanes.
fn all_finite<F: Float>(v: &[F]) -> bool {
    let zero = F::zero();
    let mut s = [zero; 8];
    let chunks = v.chunks_exact(8);
    let mut tail = zero;
    for &x in chunks.remainder() {
        tail = tail + zero * x;
    }
    for c in chunks {
        for k in 0..8 {
            s[k] = s[k] + zero * c[k];
        }
    }
    s.iter().fold(tail, |a, &b| a + b) == zero
}

/// `z ← f(z)` in place.
fn activate<F: Float>(act: RecAct, z: &mut [F]) {
    let zero = F::zero();
    match act {
        RecAct::Linear => {}
        RecAct::Tanh => fastmath::tanh_in_place(z),
        // `z < 0` is false for NaN, which passes through.
        RecAct::Relu => z
            .iter_mut()
            .for_each(|v| *v = if *v < zero { zero } else { *v }),
        RecAct::Sigmoid => fastmath::sigmoid_in_place(z),
    }
}

/// `δ = g ⊙ f'`, with `f'` written through the output `a = f(z)`: tanh `1 − a²`, sigmoid
/// `a·(1 − a)`, ReLU 1 where `a > 0` and 0 elsewhere, linear 1.
fn derive<F: Float>(act: RecAct, g: &[F], a: &[F], delta: &mut [F]) {
    let (zero, one) = (F::zero(), F::one());
    let it = delta.iter_mut().zip(g).zip(a);
    match act {
        RecAct::Linear => delta.copy_from_slice(g),
        RecAct::Tanh => it.for_each(|((d, &g), &a)| *d = g * (one - a * a)),
        RecAct::Relu => it.for_each(|((d, &g), &a)| *d = g * if a > zero { one } else { zero }),
        RecAct::Sigmoid => it.for_each(|((d, &g), &a)| *d = g * (a * (one - a))),
    }
}

/// `out[j] = Σ_r m[r][j]` over the rows of `m` (`rows × out.len()`), in row order.
fn column_sums<F: Float>(m: &[F], out: &mut [F]) {
    out.fill(F::zero());
    for row in m.chunks_exact(out.len()) {
        for (s, &v) in out.iter_mut().zip(row) {
            *s = *s + v;
        }
    }
}

/// `a += b`, element by element.
fn add<F: Float>(a: &mut [F], b: &[F]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x = *x + y;
    }
}

/// Sets every subnormal value of `v` (below the format's smallest normal number in size) to
/// 0, as a GPU's flush-to-zero mode does. A gradient fading through time passes through the
/// subnormal numbers on its way to 0, and WebAssembly has no flush-to-zero mode: on some
/// processors each operation on one costs tens of times a normal one, and a long sequence
/// whose gradient vanishes would train ten times slower for it. Flushed here, the gradient
/// through time carries on as 0, which it is to within `10⁻³⁸` in `f32`.
fn flush_subnormals<F: Float>(v: &mut [F]) {
    for x in v.iter_mut() {
        let a = x.to_f64().abs();
        if a != 0.0 && a < F::MIN_NORMAL {
            *x = F::zero();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::NumberFormat;

    /// A tiny `f64` network (hidden 3, `T = 5`, batch 2) with a batch loaded.
    fn tiny(cell: Cell, task: SeqTask, seed: u64) -> Net<f64> {
        let spec = RnnSpec {
            cell,
            hidden: 3,
            length: 5,
            task,
            format: NumberFormat::F64,
            samples: 4,
            batch: 2,
            seed,
            forget_bias: 0.5,
            ..RnnSpec::default()
        }
        .sanitized();
        let data = SeqData::generate(task, spec.samples, spec.length, seed);
        let mut net = Net::<f64>::new(&spec);
        net.load(&data, &[3, 1]);
        net
    }

    /// Whether each ReLU state is positive: a finite difference across a kink is skipped.
    fn pattern(net: &Net<f64>) -> Vec<bool> {
        net.hs.iter().map(|&v| v > 0.0).collect()
    }

    /// `∂L/∂θ` by the five-point central difference, or `None` across a ReLU kink.
    fn numeric(net: &mut Net<f64>, k: usize, relu: bool) -> Option<f64> {
        let e = 1e-4;
        let base = net.params.values[k];
        let before = pattern(net);
        let mut at = |d: f64| {
            net.params.values[k] = base + d;
            let loss = net.forward().0;
            let same = !relu || pattern(net) == before;
            (loss, same)
        };
        let (l2, s2) = at(2.0 * e);
        let (l1, s1) = at(e);
        let (m1, t1) = at(-e);
        let (m2, t2) = at(-2.0 * e);
        net.params.values[k] = base;
        net.forward();
        (s2 && s1 && t1 && t2).then(|| (-l2 + 8.0 * l1 - 8.0 * m1 + m2) / (12.0 * e))
    }

    /// A relative error below 1e-6; gradients below 1e-6 in size (a dead ReLU's exact 0) are
    /// held to an absolute 1e-12.
    fn close(a: f64, n: f64) -> bool {
        (a - n).abs() <= 1e-6 * a.abs().max(n.abs()).max(1e-6)
    }

    #[test]
    fn back_propagation_through_time_matches_finite_differences() {
        let mut skipped = 0;
        let mut checked = 0;
        for cell in Cell::ALL {
            for task in SeqTask::ALL {
                let mut net = tiny(cell, task, 11);
                let (loss, fault) = net.forward();
                assert!(loss > 0.0 && fault.is_none());
                assert_eq!(net.backward(), None);
                let analytic = net.params.grads.clone();
                assert!(analytic.iter().all(|g| g.is_finite()));
                // The whole sequence in one chunk of the backward pass (as at these sizes),
                // or in chunks of 1 and of 2 time steps (the last one partial): the same
                // gradients, summed in another order.
                assert_eq!(net.chunk, 5);
                for chunk in [1, 2] {
                    net.chunk = chunk;
                    net.backward();
                    for (a, c) in analytic.iter().zip(&net.params.grads) {
                        assert!((a - c).abs() <= 1e-14 * a.abs().max(1.0), "{a} vs {c}");
                    }
                }
                net.chunk = 5;
                let relu = cell == Cell::Rnn(RecAct::Relu);
                for (k, &a) in analytic.iter().enumerate() {
                    match numeric(&mut net, k, relu) {
                        Some(n) => {
                            assert!(close(a, n), "{cell:?} {task:?} parameter {k}: {a} vs {n}");
                            checked += 1;
                        }
                        None => skipped += 1,
                    }
                }
            }
        }
        // Every parameter of every case but a few at ReLU kinks.
        assert!(
            skipped < checked / 50,
            "{skipped} skipped, {checked} checked"
        );
    }

    #[test]
    fn the_gradient_through_time_matches_finite_differences_on_the_states() {
        for (cell, task) in [
            (Cell::Rnn(RecAct::Tanh), SeqTask::Adding),
            (Cell::Lstm, SeqTask::TemporalOrder),
        ] {
            let mut net = tiny(cell, task, 5);
            net.forward();
            net.backward();
            let want = net.time_grads.clone();
            let bh = net.batch * net.shape.hidden;
            let e = 1e-4;
            for t in 1..=net.length {
                let mut sq = 0.0;
                for k in t * bh..(t + 1) * bh {
                    let base = net.hs[k];
                    let mut at = |d: f64| {
                        net.hs[k] = base + d;
                        net.forward_from(t + 1).0
                    };
                    let d = (-at(2.0 * e) + 8.0 * at(e) - 8.0 * at(-e) + at(-2.0 * e)) / (12.0 * e);
                    net.hs[k] = base;
                    sq += d * d;
                }
                net.forward();
                let n = sq.sqrt();
                assert!(
                    close(want[t - 1], n),
                    "{cell:?} t {t}: {} vs {n}",
                    want[t - 1]
                );
            }
        }
    }

    #[test]
    fn a_linear_scalar_rnn_scales_the_gradient_by_w_at_every_step() {
        for w in [0.9, -1.1, 0.5] {
            let spec = RnnSpec {
                cell: Cell::Rnn(RecAct::Linear),
                hidden: 1,
                length: 30,
                format: NumberFormat::F64,
                samples: 8,
                batch: 4,
                ..RnnSpec::default()
            };
            let data = SeqData::generate(spec.task, 8, 30, 1);
            let mut net = Net::<f64>::new(&spec);
            net.load(&data, &[0, 2, 4, 6]);
            net.params.values[net.shape.recurrent()][0] = w;
            net.forward();
            net.backward();
            let g = &net.time_grads;
            assert!(g[29] > 0.0);
            for t in 1..30 {
                // ‖∂L/∂h_t‖ = |w|^(T−t)·‖∂L/∂h_T‖.
                let ratio = g[t - 1] / g[t];
                assert!((ratio - f64::abs(w)).abs() < 1e-12, "w {w}, t {t}: {ratio}");
            }
        }
    }

    #[test]
    fn f32_and_f64_agree_to_f32_precision() {
        for cell in Cell::ALL {
            let spec = RnnSpec {
                cell,
                hidden: 5,
                length: 7,
                task: SeqTask::TemporalOrder,
                samples: 4,
                batch: 3,
                ..RnnSpec::default()
            };
            let data = SeqData::generate(spec.task, 4, 7, 1);
            let mut a = Net::<f32>::new(&spec);
            let mut b = Net::<f64>::new(&spec);
            a.load(&data, &[0, 1, 3]);
            b.load(&data, &[0, 1, 3]);
            let (la, lb) = (a.forward().0, b.forward().0);
            assert!((f64::from(la) - lb).abs() < 1e-5 * lb, "{cell:?}");
            a.backward();
            b.backward();
            for (x, y) in a.time_grads.iter().zip(&b.time_grads) {
                assert!((x - y).abs() < 1e-4 * y, "{cell:?}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn parameters_sit_where_the_shape_says() {
        let s = Shape::new(Cell::Lstm, 4, SeqTask::TemporalOrder);
        assert_eq!(s.recurrent(), 0..64);
        assert_eq!(s.input(), 64..64 + 96);
        assert_eq!(s.bias(), 160..176);
        assert_eq!(s.readout(), 176..192);
        assert_eq!(s.readout_bias(), 192..196);
        assert_eq!(s.len(), 196);
    }
}
