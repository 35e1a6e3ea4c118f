//! The lecture's chain as a trainable model: `y_k = w_k·y_(k-1) + b_k`, every operation
//! rounded to the format `T`.
//!
//! The batch is laid out layer after layer, `B` samples contiguous per layer, so every inner
//! loop runs over the batch. Sums over the batch (the loss, each weight's and bias's
//! gradient) accumulate in 4 interleaved partial sums (sample `i` into sum `i mod 4`), then
//! added pairwise: `(s0+s2)+(s1+s3)`; a fixed order, so the bits never depend on the machine
//! (and the four lanes fit one 128-bit SIMD register). Back-propagation makes one pass over
//! the batch per layer, with the forward pass one more.
//!
//! The loss is the mean squared error `L = Σ_i (y_n,i − t_i)² / B`, each square rounded to
//! `T`; their sum and the division are PyTorch's `mean`: in `T` for `f32` and `f64`, in
//! `f32` for the 16-bit formats (rounded to `T` at the end). Back-propagation starts
//! from `dL/dy_n,i = (y_n,i − t_i)·(2/B)` (with `2/B` rounded to `T`), and for
//! `k = n, …, 1`: `dL/dw_k = Σ_i g_i·y_(k-1),i`, `dL/db_k = Σ_i g_i`, then `g_i ← w_k·g_i`.

use super::model::{covering_batches, Model, Outcome};
use super::optim::{Detail, Hyper, Params};
use super::records::{LayerProfile, Place};
use super::rng::{generator, Stream};
use super::spec::ChainSpec;
use super::sums::{lanes_sum, mean_std};
use super::task::Dataset;
use crate::sim::format::Real;
use rand::RngExt;
use rand_distr::StandardNormal;

const LANES: usize = 4;

/// The chain: its data in `T`, its batch buffers and its parameters.
#[derive(Clone)]
pub(crate) struct ChainModel<T> {
    /// Layers.
    n: usize,
    /// Batch size.
    b: usize,
    xs: Vec<T>,
    ts: Vec<T>,
    /// The batch's targets.
    t: Vec<T>,
    /// `y[k·B + i] = y_k` of sample `i`, for `k = 0..=n`.
    y: Vec<T>,
    /// The gradient with respect to the current layer's output, per sample.
    g: Vec<T>,
    /// `[w_1, b_1, w_2, b_2, …]`.
    params: Params<T>,
    /// Once [`Model::freeze`]d: each sample's `y_n − t` over the whole data set.
    frozen: Option<Vec<T>>,
    /// The loaded batch's sample indices (kept once frozen).
    batch_idx: Vec<usize>,
}

impl<T: Real> ChainModel<T> {
    /// The chain of `spec` on `data` with batches of `batch` samples (`batch` = the data
    /// set's size: the full data set, loaded here once).
    ///
    /// Every weight starts at `w0` and every bias at `b0`; with `init_noise > 0`, plus
    /// `init_noise·ε`, `ε ~ N(0, 1)` drawn for `w_1, b_1, w_2, b_2, …` in order; then rounded
    /// to `T`.
    pub(crate) fn new(
        spec: &ChainSpec,
        data: &Dataset,
        batch: usize,
        momentum: bool,
        seed: u64,
    ) -> Self {
        let n = spec.depth;
        let mut values = Vec::with_capacity(2 * n);
        let mut rng = (spec.init_noise > 0.0).then(|| generator(seed, Stream::Init));
        for _ in 0..n {
            for v0 in [spec.w0, spec.b0] {
                let e: f64 = rng.as_mut().map_or(0.0, |r| r.sample(StandardNormal));
                values.push(T::from_f64(v0 + spec.init_noise * e));
            }
        }
        let zero = T::from_f64(0.0);
        let mut model = ChainModel {
            n,
            b: batch,
            xs: data.inputs.iter().map(|&x| T::from_f64(x)).collect(),
            ts: data.targets.iter().map(|&t| T::from_f64(t)).collect(),
            t: vec![zero; batch],
            y: vec![zero; (n + 1) * batch],
            g: vec![zero; batch],
            params: Params::new(values, (0..=n).map(|k| 2 * k).collect(), momentum),
            frozen: None,
            batch_idx: vec![0; batch],
        };
        if batch == data.len() {
            let all: Vec<usize> = (0..batch).collect();
            model.load_batch(&all);
        }
        model
    }

    /// Runs the layers and the loss; leaves `(y_n − t)` in `g`.
    fn forward(&mut self) -> T {
        let (n, b) = (self.n, self.b);
        let p = &self.params.values;
        for k in 1..=n {
            let (w, bias) = (p[2 * k - 2], p[2 * k - 1]);
            let (prev, cur) = self.y.split_at_mut(k * b);
            affine(&prev[(k - 1) * b..], &mut cur[..b], w, bias);
        }
        for ((g, &y), &t) in self.g.iter_mut().zip(&self.y[n * b..]).zip(&self.t) {
            *g = y - t;
        }
        mean_square(self.g.iter().copied(), b)
    }

    /// Back-propagates from the loss; with `out`, writes each layer's
    /// [`LayerProfile::output_grad`].
    fn backward(&mut self, mut out: Option<&mut [LayerProfile]>) {
        let (n, b) = (self.n, self.b);
        let c = T::from_f64(2.0 / b as f64);
        for g in &mut self.g {
            *g = *g * c;
        }
        for k in (1..=n).rev() {
            if let Some(out) = out.as_deref_mut() {
                out[k - 1].output_grad = lanes_sum(&self.g, |g| g.to_f64() * g.to_f64()).sqrt();
            }
            let prev = &self.y[(k - 1) * b..k * b];
            let w = self.params.values[2 * k - 2];
            let (gw, gb) = back_layer(&mut self.g, prev, w);
            self.params.grads[2 * k - 2] = gw;
            self.params.grads[2 * k - 1] = gb;
        }
    }

    /// The first layer (from 1) with a non-finite output.
    fn first_nonfinite_layer(&self) -> Option<usize> {
        (1..=self.n).find(|&k| {
            self.y[k * self.b..(k + 1) * self.b]
                .iter()
                .any(|y| !y.to_f64().is_finite())
        })
    }
}

impl<T: Real> Model for ChainModel<T> {
    fn load_batch(&mut self, indices: &[usize]) {
        if self.frozen.is_some() {
            self.batch_idx.copy_from_slice(indices);
            return;
        }
        for (j, &i) in indices.iter().enumerate() {
            self.y[j] = self.xs[i];
            self.t[j] = self.ts[i];
        }
    }

    fn loss(&mut self) -> f64 {
        match &self.frozen {
            // The forward pass's mean square, with each sample's `g` computed once.
            Some(d) => mean_square(self.batch_idx.iter().map(|&i| d[i]), self.b).to_f64(),
            None => self.forward().to_f64(),
        }
    }

    /// Each sample's `y_n − t` is computed by the same operations whatever batch it is in,
    /// so one forward pass per `B` samples (the last batch padded with the last sample)
    /// gives every sample's; [`Model::loss`] then adds them up as [`dot`] does.
    fn freeze(&mut self) {
        let (b, m) = (self.b, self.xs.len());
        let mut d = Vec::with_capacity(m);
        for (idx, take) in covering_batches(m, b) {
            self.load_batch(&idx);
            self.forward();
            d.extend_from_slice(&self.g[..take]);
        }
        self.frozen = Some(d);
    }

    fn parameters(&self) -> Vec<f64> {
        self.params.values.iter().map(|v| v.to_f64()).collect()
    }

    fn duplicate(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn step(&mut self, h: &Hyper, detail: Detail, out: &mut [LayerProfile]) -> Outcome {
        let loss = self.forward().to_f64();
        self.backward((detail == Detail::Full).then_some(&mut *out));
        if detail == Detail::Full {
            for (k, p) in out.iter_mut().enumerate() {
                let ys = &self.y[(k + 1) * self.b..(k + 2) * self.b];
                (p.act_mean, p.act_std) = mean_std(ys);
                p.saturated = 0.0;
                p.dead = 0.0;
            }
        }
        let applied = self.params.apply(h, detail, out);
        let place = if !loss.is_finite() {
            Some(
                self.first_nonfinite_layer()
                    .map_or(Place::Loss, Place::Activation),
            )
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

/// Repeats `$body` for `$j = 0..4`, written out: the hot loops below keep their four lanes
/// in registers and need no inner loop, whatever the optimisation level.
macro_rules! unroll4 {
    ($j:ident, $body:block) => {{
        {
            let $j = 0;
            $body
        }
        {
            let $j = 1;
            $body
        }
        {
            let $j = 2;
            $body
        }
        {
            let $j = 3;
            $body
        }
    }};
}

/// Adds the 4 partial sums pairwise.
#[inline(always)]
fn fold<T: Real>(s: [T; LANES]) -> T {
    (s[0] + s[2]) + (s[1] + s[3])
}

/// `x` as `f32`, when `T` is `f32`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn as_f32<T: Real>(x: &[T]) -> Option<&[f32]> {
    (core::any::TypeId::of::<T>() == core::any::TypeId::of::<f32>()).then(|| {
        // SAFETY: `T` is `f32`, so the slice's memory holds exactly `x.len()` `f32`.
        unsafe { core::slice::from_raw_parts(x.as_ptr().cast::<f32>(), x.len()) }
    })
}

/// `x` as `f32`, when `T` is `f32`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn as_f32_mut<T: Real>(x: &mut [T]) -> Option<&mut [f32]> {
    (core::any::TypeId::of::<T>() == core::any::TypeId::of::<f32>()).then(|| {
        // SAFETY: `T` is `f32`, so the slice's memory holds exactly `x.len()` `f32`,
        // borrowed exclusively.
        unsafe { core::slice::from_raw_parts_mut(x.as_mut_ptr().cast::<f32>(), x.len()) }
    })
}

/// The `f32` loops with `simd128`: lane `j` of each vector is the partial sum `j` of the
/// portable loops, and `f32x4.mul`/`f32x4.add` round each lane exactly as `f32.mul`/
/// `f32.add` do, so the bits are those of the portable loops.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::LANES;
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_splat, v128, v128_load, v128_store};

    #[inline(always)]
    fn load(s: &[f32]) -> v128 {
        let s: &[f32; LANES] = s[..LANES].try_into().expect("4 lanes");
        // SAFETY: `s` is 16 readable bytes; `v128_load` accepts any alignment.
        unsafe { v128_load(s.as_ptr().cast()) }
    }

    #[inline(always)]
    fn store(s: &mut [f32], v: v128) {
        let s: &mut [f32; LANES] = (&mut s[..LANES]).try_into().expect("4 lanes");
        // SAFETY: `s` is 16 writable bytes, borrowed exclusively; any alignment.
        unsafe { v128_store(s.as_mut_ptr().cast(), v) }
    }

    #[inline(always)]
    fn lanes(v: v128) -> [f32; LANES] {
        let mut out = [0.0; LANES];
        store(&mut out, v);
        out
    }

    /// [`super::affine`] for the full groups of 4; returns where the tail starts.
    #[inline(always)]
    pub(super) fn affine(x: &[f32], out: &mut [f32], w: f32, b: f32) -> usize {
        let (wv, bv) = (f32x4_splat(w), f32x4_splat(b));
        let full = out.len() - out.len() % LANES;
        let (out, x) = (&mut out[..full], &x[..full]);
        // Index loops rather than iterator adaptors: plain enough to be inlined in a
        // build optimised for size too.
        let mut i = 0;
        while i < full {
            store(&mut out[i..], f32x4_add(f32x4_mul(wv, load(&x[i..])), bv));
            i += LANES;
        }
        full
    }

    /// [`super::back_layer`] for the full groups of 4: the partial sums so far, and where
    /// the tail starts.
    #[inline(always)]
    pub(super) fn back_layer(
        g: &mut [f32],
        y: &[f32],
        w: f32,
    ) -> ([f32; LANES], [f32; LANES], usize) {
        let wv = f32x4_splat(w);
        let (mut sw, mut sb) = (f32x4_splat(0.0), f32x4_splat(0.0));
        let full = g.len() - g.len() % LANES;
        let (g, y) = (&mut g[..full], &y[..full]);
        let mut i = 0;
        while i < full {
            let gv = load(&g[i..]);
            sw = f32x4_add(sw, f32x4_mul(gv, load(&y[i..])));
            sb = f32x4_add(sb, gv);
            store(&mut g[i..], f32x4_mul(wv, gv));
            i += LANES;
        }
        (lanes(sw), lanes(sb), full)
    }
}

/// `out_i = w·x_i + b` (`out` as long as `x`).
#[inline(always)]
fn affine<T: Real>(x: &[T], out: &mut [T], w: T, b: T) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if let (Some(xf), Some(of), Some(&wf), Some(&bf)) = (
        as_f32(x),
        as_f32_mut(out),
        as_f32(core::slice::from_ref(&w)).and_then(|s| s.first()),
        as_f32(core::slice::from_ref(&b)).and_then(|s| s.first()),
    ) {
        let full = simd::affine(xf, of, wf, bf);
        for i in full..of.len() {
            of[i] = wf * xf[i] + bf;
        }
        return;
    }
    let n = out.len();
    let x = &x[..n];
    let full = n - n % LANES;
    let mut i = 0;
    while i < full {
        let xs: &[T; LANES] = x[i..i + LANES].try_into().expect("4 lanes");
        let os: &mut [T; LANES] = (&mut out[i..i + LANES]).try_into().expect("4 lanes");
        unroll4!(j, {
            os[j] = w * xs[j] + b;
        });
        i += LANES;
    }
    for i in full..n {
        out[i] = w * x[i] + b;
    }
}

/// One layer of back-propagation: returns `(Σ_i g_i·y_i, Σ_i g_i)`, each in 4 interleaved
/// partial sums, and sets `g_i ← w·g_i` (`y` as long as `g`).
#[inline(always)]
fn back_layer<T: Real>(g: &mut [T], y: &[T], w: T) -> (T, T) {
    let zero = T::from_f64(0.0);
    let (mut sw, mut sb) = ([zero; LANES], [zero; LANES]);
    let n = g.len();
    let y = &y[..n];
    let full = n - n % LANES;
    let mut i = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if let (Some(gf), Some(yf), Some(&wf)) = (
        as_f32_mut(g),
        as_f32(y),
        as_f32(core::slice::from_ref(&w)).and_then(|s| s.first()),
    ) {
        let (vw, vb, done) = simd::back_layer(gf, yf, wf);
        for j in 0..LANES {
            sw[j] = T::from_f64(f64::from(vw[j]));
            sb[j] = T::from_f64(f64::from(vb[j]));
        }
        i = done;
    }
    while i < full {
        let ys: &[T; LANES] = y[i..i + LANES].try_into().expect("4 lanes");
        let gs: &mut [T; LANES] = (&mut g[i..i + LANES]).try_into().expect("4 lanes");
        unroll4!(j, {
            sw[j] = sw[j] + gs[j] * ys[j];
            sb[j] = sb[j] + gs[j];
            gs[j] = w * gs[j];
        });
        i += LANES;
    }
    for (j, i) in (full..n).enumerate() {
        sw[j] = sw[j] + g[i] * y[i];
        sb[j] = sb[j] + g[i];
        g[i] = w * g[i];
    }
    (fold(sw), fold(sb))
}

/// PyTorch's `mean` of the squares of `d` (`b` values): each square rounded to `T`, added
/// in 4 interleaved lanes folded by [`fold`] and divided by `b`, in `T` for `f32` and `f64`, in `f32` for
/// the 16-bit formats (PyTorch accumulates a half-precision reduction in `f32`), then
/// rounded to `T`. Adding in `f32` keeps a 16-bit loss finite where its sum alone would
/// overflow the format.
fn mean_square<T: Real>(d: impl Iterator<Item = T>, b: usize) -> T {
    if std::mem::size_of::<T>() == 2 {
        let mut s = [0.0f32; LANES];
        for (i, x) in d.enumerate() {
            // A 16-bit square is exactly an `f32`.
            s[i % LANES] += (x * x).to_f64() as f32;
        }
        T::from_f64(f64::from(fold(s) / b as f32))
    } else {
        let mut s = [T::from_f64(0.0); LANES];
        for (i, x) in d.enumerate() {
            s[i % LANES] = s[i % LANES] + x * x;
        }
        fold(s) / T::from_f64(b as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::spec::TaskSpec;

    fn chain(depth: usize, w0: f64, b0: f64, init_noise: f64) -> ChainModel<f64> {
        let data = Dataset::generate(
            TaskSpec::Line {
                slope: 0.5,
                intercept: 0.1,
            },
            10,
            0.0,
            1,
        );
        let spec = ChainSpec {
            depth,
            w0,
            b0,
            init_noise,
            format: crate::sim::NumberFormat::F64,
        };
        ChainModel::new(&spec, &data, 10, false, 7)
    }

    #[test]
    fn every_gradient_matches_finite_differences() {
        let mut m = chain(6, 1.1, 0.2, 0.3);
        m.forward();
        m.backward(None);
        let grads = m.params.grads.clone();
        assert!(grads.iter().all(|g| g.abs() > 1e-3), "{grads:?}");
        for (i, &g) in grads.iter().enumerate() {
            let h = 1e-6;
            let p0 = m.params.values[i];
            m.params.values[i] = p0 + h;
            let up = m.forward();
            m.params.values[i] = p0 - h;
            let down = m.forward();
            m.params.values[i] = p0;
            let fd = (up - down) / (2.0 * h);
            assert!(
                (fd - g).abs() <= 1e-7 * (1.0 + g.abs()),
                "parameter {i}: {fd} vs {g}"
            );
        }
    }

    #[test]
    fn gradients_shrink_by_w_per_layer_at_init() {
        // All weights equal w0: dL/db_k = w0^(n-k)·Σ_i dL/dy_n,i.
        let (n, w0) = (30, 0.8);
        let mut m = chain(n, w0, 0.1, 0.0);
        m.forward();
        m.backward(None);
        let gb = |k: usize| m.params.grads[2 * k - 1];
        for k in 1..=n {
            let want = w0.powi((n - k) as i32) * gb(n);
            assert!((gb(k) - want).abs() <= 1e-13 * want.abs(), "layer {k}");
        }
    }

    #[test]
    fn a_frozen_chain_gives_the_forward_pass_bits() {
        let data = Dataset::generate(TaskSpec::Sine, 10, 0.1, 5);
        let spec = ChainSpec {
            depth: 7,
            w0: 1.1,
            b0: 0.2,
            init_noise: 0.3,
            format: crate::sim::NumberFormat::F16,
        };
        let live = ChainModel::<half::f16>::new(&spec, &data, 7, false, 7);
        crate::train::model::assert_freezing_keeps_the_bits(live);
    }

    #[test]
    fn a_16_bit_loss_is_added_in_f32_as_pytorch_does() {
        use half::f16;
        // 32 errors of 100: each square (10,000) fits f16, their sum (320,000) does not,
        // and PyTorch's f32 accumulation gives the mean 10,000 exactly.
        let d = [f16::from_f64(100.0); 32];
        assert_eq!(mean_square(d.iter().copied(), 32).to_f64(), 10_000.0);
        let mut s = [f16::from_f64(0.0); LANES];
        for (i, x) in d.iter().enumerate() {
            s[i % LANES] += *x * *x;
        }
        assert!(fold(s).to_f64().is_infinite(), "summed in f16 it overflows");
        // A square beyond f16's range is inf before any sum, as in PyTorch.
        let big = [f16::from_f64(300.0)];
        assert!(mean_square(big.iter().copied(), 1).to_f64().is_infinite());
    }

    #[test]
    fn partial_sums_follow_their_documented_order() {
        let v: Vec<f32> = (0..19).map(|i| 1.0 + i as f32 * 1e-7).collect();
        let mut s = [0.0f32; LANES];
        for (i, x) in v.iter().enumerate() {
            s[i % LANES] += x * x;
        }
        let want = (s[0] + s[2]) + (s[1] + s[3]);
        assert_eq!(
            mean_square(v.iter().copied(), 19).to_bits(),
            (want / 19.0).to_bits()
        );
        let mut g = v.clone();
        let (gw, gb) = back_layer(&mut g, &v, 2.0);
        assert_eq!(gw.to_bits(), want.to_bits());
        let mut s = [0.0f32; LANES];
        for (i, x) in v.iter().enumerate() {
            s[i % LANES] += x;
        }
        assert_eq!(gb.to_bits(), fold(s).to_bits());
        assert!(g.iter().zip(&v).all(|(g, v)| *g == 2.0 * v));
        let mut out = vec![0.0f32; 19];
        affine(&v, &mut out, 3.0, -1.0);
        assert!(out.iter().zip(&v).all(|(o, v)| *o == 3.0 * v - 1.0));
    }
}
