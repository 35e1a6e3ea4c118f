//! Dense matrix products for a small MLP's forward and backward pass, in `f32` and `f64`.
//!
//! All matrices are row-major slices. Each function **overwrites** `c` (it never adds to
//! what `c` held), and each panics unless every slice has exactly the length its shape
//! says:
//!
//! | function | computes | `a` | `b` | `c` | typical use |
//! |---|---|---|---|---|---|
//! | [`gemm_nn`] | `C = A·B` | `m×k` | `k×n` | `m×n` | forward: `Y = X·W` |
//! | [`gemm_nt`] | `C = A·Bᵀ` | `m×k` | `n×k` | `m×n` | input gradient: `dX = dY·Wᵀ` |
//! | [`gemm_tn`] | `C = Aᵀ·B` | `k×m` | `k×n` | `m×n` | weight gradient: `dW = Xᵀ·dY` |
//!
//! Any of `m`, `n`, `k` may be 0 (with `k = 0`, `C` becomes all zeros).
//!
//! # Same bits everywhere
//!
//! Every element of `C` is the sum, rounded one operation at a time, of exactly this
//! expression, with `A(i, p)` and `B(p, j)` read according to the layout of the function:
//!
//! ```text
//! c[i][j] = (((0 + A(i,0)·B(0,j)) + A(i,1)·B(1,j)) + …) + A(i,k-1)·B(k-1,j)
//! ```
//!
//! that is, the naive triple loop with `p` running from `0` to `k - 1`, each product
//! rounded, then added, never fused into a multiply-add. The result therefore does not
//! depend on the machine, the browser or the code path, for every output that is not NaN
//! (WebAssembly lets a NaN's sign and payload bits vary; a NaN stays a NaN).
//!
//! This holds by construction. The register tile (4 rows × 8 columns for `f32`, 4 × 4 for
//! `f64`) keeps one accumulator lane per output element; the lane starts at `+0` and, for
//! `p = 0, 1, …, k - 1` in that order, receives `lane + a·b`, one rounded multiply and one
//! rounded add per lane. Vector lanes never mix: there are no horizontal sums, no
//! reassociation and no splitting of `k` into partial sums that are added later. With
//! `target_feature = "simd128"` on `wasm32` the lanes are `f32x4`/`f64x2` vectors
//! (`f32x4.mul` and `f32x4.add` round each lane exactly as the scalar `f32.mul` and
//! `f32.add` do); everywhere else they are plain arrays with the same loop, and the
//! columns or rows left over at the matrix edges run through the same loop with fewer
//! lanes. Rust never contracts a multiply and an add into a fused multiply-add unless
//! asked to, and WebAssembly's `simd128` has no fused multiply-add. [`gemm_nt`] first
//! copies up to 256 (`f32`) or 512 (`f64`) steps of `p` of a panel of `B` into a transposed
//! buffer; when `k` is longer it continues from the partial sums already stored in `C`,
//! which are the very values the accumulators held, so the order is unchanged. (This
//! assumes IEEE-754 arithmetic without extended precision, as on `wasm32`, `x86_64` and
//! `aarch64`.)
//!
//! # Speed
//!
//! In WebAssembly with `simd128`, the `f32` products at the sizes above run about four
//! times as fast as the same code without `simd128`, and about twice as fast as a plain
//! `i`-`p`-`j` loop that the compiler vectorises itself; `f64` runs at about half the `f32`
//! rate. There is no packing step for [`gemm_nn`] and [`gemm_tn`] and no allocation in any
//! of the three.
//!
//! The register tile is written out rather than left to loop unrolling, so a build optimised
//! for size (`opt-level = "s"`, which unrolls no loop) keeps its accumulators in registers
//! too. With loops there, the training lab's MLPs trained 7 to 13 times slower at "s" than
//! at `opt-level = 3`; written out, at about 70 to 80% of its speed (README, Size).

/// An element type the matrix products accept: `f32` or `f64` (the trait is sealed).
pub trait Element: sealed::Sealed {}

impl Element for f32 {}
impl Element for f64 {}

/// `C = A·B` with `A` `m×k`, `B` `k×n` and `C` `m×n`, all row-major; overwrites `c`.
///
/// # Panics
/// If `a.len() != m * k`, `b.len() != k * n` or `c.len() != m * n`.
pub fn gemm_nn<T: Element>(m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &mut [T]) {
    check_lengths(m, n, k, a, b, c);
    T::gemm(Layout::Nn, m, n, k, a, b, c);
}

/// `C = A·Bᵀ` with `A` `m×k`, `B` `n×k` and `C` `m×n`, all row-major; overwrites `c`.
///
/// # Panics
/// If `a.len() != m * k`, `b.len() != n * k` or `c.len() != m * n`.
pub fn gemm_nt<T: Element>(m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &mut [T]) {
    check_lengths(m, n, k, a, b, c);
    T::gemm(Layout::Nt, m, n, k, a, b, c);
}

/// `C = Aᵀ·B` with `A` `k×m`, `B` `k×n` and `C` `m×n`, all row-major; overwrites `c`.
///
/// # Panics
/// If `a.len() != k * m`, `b.len() != k * n` or `c.len() != m * n`.
pub fn gemm_tn<T: Element>(m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &mut [T]) {
    check_lengths(m, n, k, a, b, c);
    T::gemm(Layout::Tn, m, n, k, a, b, c);
}

fn check_lengths<T>(m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &[T]) {
    assert_eq!(a.len(), m * k, "A must hold m·k = {m}·{k} elements");
    assert_eq!(b.len(), k * n, "B must hold k·n = {k}·{n} elements");
    assert_eq!(c.len(), m * n, "C must hold m·n = {m}·{n} elements");
}

use sealed::Layout;

mod sealed {
    use super::gemm;
    use core::ops::{Add, Mul};

    /// Which operand is stored transposed.
    #[derive(Clone, Copy)]
    pub enum Layout {
        /// `C = A·B`.
        Nn,
        /// `C = A·Bᵀ`.
        Nt,
        /// `C = Aᵀ·B`.
        Tn,
    }

    /// The arithmetic the products need, and the vector type each element type uses.
    pub trait Sealed: Copy + Add<Output = Self> + Mul<Output = Self> {
        /// Positive zero.
        const ZERO: Self;
        /// Runs the product for this element type.
        fn gemm(
            layout: Layout,
            m: usize,
            n: usize,
            k: usize,
            a: &[Self],
            b: &[Self],
            c: &mut [Self],
        );
    }

    impl Sealed for f32 {
        const ZERO: Self = 0.0;
        fn gemm(layout: Layout, m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            type V = super::simd::F32x4;
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            type V = super::Portable<f32, 4>;
            gemm::<V>(layout, m, n, k, a, b, c);
        }
    }

    impl Sealed for f64 {
        const ZERO: Self = 0.0;
        fn gemm(layout: Layout, m: usize, n: usize, k: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            type V = super::simd::F64x2;
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            type V = super::Portable<f64, 2>;
            gemm::<V>(layout, m, n, k, a, b, c);
        }
    }
}

/// A short vector of `N` lanes; each lane is an independent accumulator.
trait Lanes: Copy {
    /// The element type.
    type T: sealed::Sealed;
    /// The number of lanes.
    const N: usize;
    /// All lanes `+0`.
    fn zero() -> Self;
    /// All lanes `x`.
    fn splat(x: Self::T) -> Self;
    /// Lanes from `s[..N]`.
    fn load(s: &[Self::T]) -> Self;
    /// Lanes into `s[..N]`.
    fn store(self, s: &mut [Self::T]);
    /// Per lane, `self + a·b`: the product rounded, then the sum rounded.
    fn add_mul(self, a: Self, b: Self) -> Self;
}

/// `N` lanes as a plain array: the portable path, and the one-lane edge path everywhere.
#[derive(Clone, Copy)]
struct Portable<T, const N: usize>([T; N]);

impl<T: sealed::Sealed, const N: usize> Lanes for Portable<T, N> {
    type T = T;
    const N: usize = N;
    #[inline(always)]
    fn zero() -> Self {
        Portable([T::ZERO; N])
    }
    #[inline(always)]
    fn splat(x: T) -> Self {
        Portable([x; N])
    }
    #[inline(always)]
    fn load(s: &[T]) -> Self {
        let mut lanes = [T::ZERO; N];
        lanes.copy_from_slice(&s[..N]);
        Portable(lanes)
    }
    #[inline(always)]
    fn store(self, s: &mut [T]) {
        s[..N].copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn add_mul(self, a: Self, b: Self) -> Self {
        let mut lanes = self.0;
        // An index loop: plain enough to be inlined in a build optimised for size too.
        #[allow(clippy::needless_range_loop)]
        for l in 0..N {
            lanes[l] = lanes[l] + a.0[l] * b.0[l];
        }
        Portable(lanes)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    //! `simd128` lanes. `f32x4_mul`/`f32x4_add` (and the `f64x2` pair) round each lane
    //! exactly as the scalar instructions do.
    use super::Lanes;
    use core::arch::wasm32::{
        f32x4_add, f32x4_mul, f32x4_splat, f64x2_add, f64x2_mul, f64x2_splat, v128, v128_load,
        v128_store,
    };

    /// Four `f32` lanes.
    #[derive(Clone, Copy)]
    pub struct F32x4(v128);

    /// Two `f64` lanes.
    #[derive(Clone, Copy)]
    pub struct F64x2(v128);

    impl Lanes for F32x4 {
        type T = f32;
        const N: usize = 4;
        #[inline(always)]
        fn zero() -> Self {
            F32x4(f32x4_splat(0.0))
        }
        #[inline(always)]
        fn splat(x: f32) -> Self {
            F32x4(f32x4_splat(x))
        }
        #[inline(always)]
        fn load(s: &[f32]) -> Self {
            assert!(s.len() >= 4);
            // SAFETY: `s` holds at least 4 `f32`, that is 16 readable bytes, and
            // `v128_load` accepts any alignment.
            F32x4(unsafe { v128_load(s.as_ptr().cast()) })
        }
        #[inline(always)]
        fn store(self, s: &mut [f32]) {
            assert!(s.len() >= 4);
            // SAFETY: `s` holds at least 4 `f32`, that is 16 writable bytes, borrowed
            // exclusively, and `v128_store` accepts any alignment.
            unsafe { v128_store(s.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        fn add_mul(self, a: Self, b: Self) -> Self {
            F32x4(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
    }

    impl Lanes for F64x2 {
        type T = f64;
        const N: usize = 2;
        #[inline(always)]
        fn zero() -> Self {
            F64x2(f64x2_splat(0.0))
        }
        #[inline(always)]
        fn splat(x: f64) -> Self {
            F64x2(f64x2_splat(x))
        }
        #[inline(always)]
        fn load(s: &[f64]) -> Self {
            assert!(s.len() >= 2);
            // SAFETY: `s` holds at least 2 `f64`, that is 16 readable bytes, and
            // `v128_load` accepts any alignment.
            F64x2(unsafe { v128_load(s.as_ptr().cast()) })
        }
        #[inline(always)]
        fn store(self, s: &mut [f64]) {
            assert!(s.len() >= 2);
            // SAFETY: `s` holds at least 2 `f64`, that is 16 writable bytes, borrowed
            // exclusively, and `v128_store` accepts any alignment.
            unsafe { v128_store(s.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        fn add_mul(self, a: Self, b: Self) -> Self {
            F64x2(f64x2_add(self.0, f64x2_mul(a.0, b.0)))
        }
    }
}

/// Rows per register tile.
const MR: usize = 4;
/// Vectors per row of a register tile.
const NV: usize = 2;
/// Elements in [`gemm_nt`]'s transposed panel buffer (8 KiB of `f32`, 16 KiB of `f64`).
const PACK: usize = 2048;

/// One block of work: `C[i][j0 + jj] (+)= Σ_p A(i, p0 + p) · B(p, jj)` for all rows `i`,
/// `jj < w` and `p < kc`, where `B(p, jj) = b[p·ldb + jj]`.
struct Block<'a, T> {
    /// `A(i, p) = a[i·lda + p]`, or `a[p·lda + i]` when `a_transposed`.
    a: &'a [T],
    lda: usize,
    a_transposed: bool,
    b: &'a [T],
    ldb: usize,
    m: usize,
    p0: usize,
    kc: usize,
    /// Add to the partial sums already in `c` instead of starting from `+0`.
    resume: bool,
}

fn gemm<V: Lanes>(
    layout: Layout,
    m: usize,
    n: usize,
    k: usize,
    a: &[V::T],
    b: &[V::T],
    c: &mut [V::T],
) {
    if k == 0 {
        // Empty sums: `+0`, as the naive loop leaves them.
        c.fill(<V::T as sealed::Sealed>::ZERO);
        return;
    }
    let (lda, a_transposed) = match layout {
        Layout::Nn | Layout::Nt => (k, false),
        Layout::Tn => (m, true),
    };
    let whole = Block {
        a,
        lda,
        a_transposed,
        b,
        ldb: n,
        m,
        p0: 0,
        kc: k,
        resume: false,
    };
    match layout {
        Layout::Nn | Layout::Tn => columns::<V>(&whole, 0, n, c, n),
        Layout::Nt => {
            // Copy a panel of `w` rows of B, `kc` steps of `p` at a time, into `buf` as
            // `buf[p·w + jj] = B[j0 + jj][p0 + p]`: the layout `gemm_nn` reads.
            let width = NV * V::N;
            let kc_max = PACK / width;
            let mut buf = [<V::T as sealed::Sealed>::ZERO; PACK];
            for j0 in (0..n).step_by(width) {
                let w = width.min(n - j0);
                let mut p0 = 0;
                loop {
                    let kc = kc_max.min(k - p0);
                    for (jj, row) in b[j0 * k..].chunks_exact(k).take(w).enumerate() {
                        for (p, &x) in row[p0..p0 + kc].iter().enumerate() {
                            buf[p * w + jj] = x;
                        }
                    }
                    let panel = Block {
                        b: &buf[..kc * w],
                        ldb: w,
                        p0,
                        kc,
                        resume: p0 > 0,
                        ..whole
                    };
                    columns::<V>(&panel, j0, w, c, n);
                    p0 += kc;
                    if p0 >= k {
                        break;
                    }
                }
            }
        }
    }
}

/// Runs `blk` over columns `j0..j0 + w` of `c` (row stride `ldc`): full tiles of
/// `NV·N` columns, then one vector of `N` columns, then single columns.
fn columns<V: Lanes>(blk: &Block<V::T>, j0: usize, w: usize, c: &mut [V::T], ldc: usize) {
    let mut jj = 0;
    while jj + NV * V::N <= w {
        rows::<V, NV>(blk, jj, j0 + jj, c, ldc);
        jj += NV * V::N;
    }
    if jj + V::N <= w {
        rows::<V, 1>(blk, jj, j0 + jj, c, ldc);
        jj += V::N;
    }
    while jj < w {
        rows::<Portable<V::T, 1>, 1>(blk, jj, j0 + jj, c, ldc);
        jj += 1;
    }
}

/// Runs the tiles of `NW` vectors over all rows: `MR` rows at a time, then single rows.
fn rows<V: Lanes, const NW: usize>(
    blk: &Block<V::T>,
    jb: usize,
    jc: usize,
    c: &mut [V::T],
    ldc: usize,
) {
    let mut i = 0;
    while i + MR <= blk.m {
        if blk.a_transposed {
            tile::<V, MR, NW, true>(blk, i, jb, jc, c, ldc);
        } else {
            tile::<V, MR, NW, false>(blk, i, jb, jc, c, ldc);
        }
        i += MR;
    }
    while i < blk.m {
        if blk.a_transposed {
            tile::<V, 1, NW, true>(blk, i, jb, jc, c, ldc);
        } else {
            tile::<V, 1, NW, false>(blk, i, jb, jc, c, ldc);
        }
        i += 1;
    }
}

/// Runs `$body` with `$i` bound to `0`, `1`, … up to `$n - 1`, where `$n` is a constant of
/// at most 4, as straight-line code rather than a loop. A loop over a tile's rows or vectors
/// must be unrolled for its accumulators to live in registers, and a build optimised for
/// size unrolls no loop at all; this way every build gets the same register tile.
macro_rules! unroll {
    ($n:expr, $i:ident, $body:block) => {{
        const { assert!($n <= 4) };
        if $n > 0 {
            let $i = 0;
            $body
        }
        if $n > 1 {
            let $i = 1;
            $body
        }
        if $n > 2 {
            let $i = 2;
            $body
        }
        if $n > 3 {
            let $i = 3;
            $body
        }
    }};
}

/// The register tile: rows `i..i + R` and the `NW·N` columns starting at `jb` in the
/// block's B and at `jc` in C (`AT`: A is stored transposed). One accumulator lane per
/// output element; for each `p` in increasing order, each lane receives `lane + A·B`.
#[inline(always)]
fn tile<V: Lanes, const R: usize, const NW: usize, const AT: bool>(
    blk: &Block<V::T>,
    i: usize,
    jb: usize,
    jc: usize,
    c: &mut [V::T],
    ldc: usize,
) {
    let (a, lda, p0, kc) = (blk.a, blk.lda, blk.p0, blk.kc);
    let mut acc = [[V::zero(); NW]; R];
    if blk.resume {
        unroll!(R, r, {
            unroll!(NW, v, {
                acc[r][v] = V::load(&c[(i + r) * ldc + jc + v * V::N..]);
            });
        });
    }
    // Rows of A (untransposed case) cut to the `kc` steps, so `a_rows[r][p]` needs no
    // further bounds check.
    let mut a_rows: [&[V::T]; R] = [&[]; R];
    if !AT {
        unroll!(R, r, {
            a_rows[r] = &a[(i + r) * lda + p0..][..kc];
        });
    }
    // The extents read below, checked once here rather than at every step of `p` (the
    // checks in the loop cost WebAssembly about a third of the product's speed): B's last
    // row in the block, and for a transposed A its last column.
    assert!(kc == 0 || (kc - 1) * blk.ldb + jb + NW * V::N <= blk.b.len());
    assert!(!AT || kc == 0 || (p0 + kc - 1) * lda + i + R <= a.len());
    // `p` also indexes B's rows and A's columns, not only `a_rows`.
    #[allow(clippy::needless_range_loop)]
    for p in 0..kc {
        // SAFETY: `p < kc`, so this row of `NW·N` elements lies within `blk.b` by the
        // assertion above.
        let b_row =
            unsafe { core::slice::from_raw_parts(blk.b.as_ptr().add(p * blk.ldb + jb), NW * V::N) };
        let mut bv = [V::zero(); NW];
        unroll!(NW, v, {
            bv[v] = V::load(&b_row[v * V::N..]);
        });
        let mut av = [<V::T as sealed::Sealed>::ZERO; R];
        if AT {
            // SAFETY: `p < kc`, so these `R` elements lie within `a` by the assertion above.
            let col = unsafe { core::slice::from_raw_parts(a.as_ptr().add((p0 + p) * lda + i), R) };
            unroll!(R, r, {
                av[r] = col[r];
            });
        } else {
            unroll!(R, r, {
                av[r] = a_rows[r][p];
            });
        }
        unroll!(R, r, {
            let x = V::splat(av[r]);
            unroll!(NW, v, {
                acc[r][v] = acc[r][v].add_mul(x, bv[v]);
            });
        });
    }
    unroll!(R, r, {
        unroll!(NW, v, {
            acc[r][v].store(&mut c[(i + r) * ldc + jc + v * V::N..]);
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: `((0 + a0·b0) + a1·b1) + …`, one rounded operation at a time.
    fn naive<T: sealed::Sealed>(
        layout: Layout,
        m: usize,
        n: usize,
        k: usize,
        a: &[T],
        b: &[T],
    ) -> Vec<T> {
        let mut c = vec![T::ZERO; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = T::ZERO;
                for p in 0..k {
                    let (x, y) = match layout {
                        Layout::Nn => (a[i * k + p], b[p * n + j]),
                        Layout::Nt => (a[i * k + p], b[j * k + p]),
                        Layout::Tn => (a[p * m + i], b[p * n + j]),
                    };
                    s = s + x * y;
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    /// A small deterministic generator: SplitMix64 over a counter, the engine's own mix.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let z = crate::train::rng::splitmix64(self.0);
            self.0 = self.0.wrapping_add(crate::train::rng::GOLDEN);
            z
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        /// Mostly uniform values of both signs over many magnitudes, so that sums round
        /// differently in different orders; some exact zeros of both signs.
        fn value(&mut self) -> f64 {
            let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
            match self.below(16) {
                0 => 0.0,
                1 => -0.0,
                2 => (u - 0.5) * 1e6,
                3 => (u - 0.5) * 1e-6,
                _ => u - 0.5,
            }
        }
    }

    trait FromF64: sealed::Sealed + PartialEq + core::fmt::Debug {
        fn from_f64(x: f64) -> Self;
        fn bits(self) -> u64;
        fn is_nan(self) -> bool;
    }
    impl FromF64 for f32 {
        fn from_f64(x: f64) -> Self {
            x as f32
        }
        fn bits(self) -> u64 {
            self.to_bits().into()
        }
        fn is_nan(self) -> bool {
            f32::is_nan(self)
        }
    }
    impl FromF64 for f64 {
        fn from_f64(x: f64) -> Self {
            x
        }
        fn bits(self) -> u64 {
            self.to_bits()
        }
        fn is_nan(self) -> bool {
            f64::is_nan(self)
        }
    }

    fn run<T: Element + FromF64>(layout: Layout, m: usize, n: usize, k: usize, a: &[T], b: &[T]) {
        // Start C from garbage: every function must overwrite it.
        let mut c = vec![T::from_f64(7.5); m * n];
        match layout {
            Layout::Nn => gemm_nn(m, n, k, a, b, &mut c),
            Layout::Nt => gemm_nt(m, n, k, a, b, &mut c),
            Layout::Tn => gemm_tn(m, n, k, a, b, &mut c),
        }
        let want = naive(layout, m, n, k, a, b);
        for (idx, (&got, &want)) in c.iter().zip(&want).enumerate() {
            let same = got.bits() == want.bits() || (got.is_nan() && want.is_nan());
            assert!(
                same,
                "m={m} n={n} k={k} element {idx}: got {got:?}, want {want:?}"
            );
        }
    }

    fn check_shape<T: Element + FromF64>(rng: &mut Rng, m: usize, n: usize, k: usize) {
        let a: Vec<T> = (0..m * k).map(|_| T::from_f64(rng.value())).collect();
        let b: Vec<T> = (0..k * n).map(|_| T::from_f64(rng.value())).collect();
        for layout in [Layout::Nn, Layout::Nt, Layout::Tn] {
            run(layout, m, n, k, &a, &b);
        }
    }

    fn check_all<T: Element + FromF64>() {
        let mut rng = Rng(42);
        for m in 0..=9 {
            for n in 0..=17 {
                for k in 0..=9 {
                    check_shape::<T>(&mut rng, m, n, k);
                }
            }
        }
        // Random shapes (kept small enough for a debug build), then every dimension at
        // 256, and a `k` long enough for `gemm_nt` to resume from partial sums in C.
        for _ in 0..40 {
            let (m, n, k) = (1 + rng.below(80), 1 + rng.below(80), 1 + rng.below(80));
            check_shape::<T>(&mut rng, m, n, k);
        }
        for (m, n, k) in [
            (256, 256, 4),
            (3, 256, 256),
            (256, 5, 256),
            (64, 64, 128),
            (5, 13, 1100),
        ] {
            check_shape::<T>(&mut rng, m, n, k);
        }
    }

    #[test]
    fn f32_matches_the_naive_loop_bit_for_bit() {
        check_all::<f32>();
    }

    #[test]
    fn f64_matches_the_naive_loop_bit_for_bit() {
        check_all::<f64>();
    }

    #[test]
    fn infinities_and_nans_propagate_like_the_naive_loop() {
        let mut rng = Rng(7);
        let (m, n, k) = (9, 11, 6);
        let special = [f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0, -0.0, 1e-40];
        let pick = |rng: &mut Rng| {
            if rng.below(4) == 0 {
                special[rng.below(special.len())]
            } else {
                rng.value() as f32
            }
        };
        let a: Vec<f32> = (0..m * k).map(|_| pick(&mut rng)).collect();
        let b: Vec<f32> = (0..k * n).map(|_| pick(&mut rng)).collect();
        for layout in [Layout::Nn, Layout::Nt, Layout::Tn] {
            run(layout, m, n, k, &a, &b);
        }
    }

    #[test]
    #[should_panic(expected = "B must hold")]
    fn wrong_lengths_panic() {
        let mut c = [0.0f32; 4];
        gemm_nn(2, 2, 2, &[1.0; 4], &[1.0; 3], &mut c);
    }
}
