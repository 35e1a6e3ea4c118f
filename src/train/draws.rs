//! The init generator's draws, remembered. Building a wide, deep MLP draws millions of
//! numbers from the seed's init generator ([`Stream::Init`]), and the remedies lab builds
//! four such networks after every slider change, from the same seed. Every init draws
//! either standard normals or uniforms on `[0, 1)`, scaled, from the start of the seed's
//! stream; which layer a draw lands in does not change the draw. So the draws already made
//! for the seed are kept, one list per kind, and a rebuild only scales them (and draws, and
//! keeps, the ones beyond). [`Draws`] yields exactly what the generator itself would.

use super::rng::{generator, Stream};
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use std::cell::RefCell;

/// The most draws kept of each kind: 4 Mi (32 MiB), a width-128 network of 250 layers.
/// Beyond them a generator carries on where the kept draws end.
const KEPT: usize = 1 << 22;
/// Draws kept at a time.
const CHUNK: usize = 4096;

/// What a draw is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A standard normal, as `rand_distr::StandardNormal` draws it.
    Normal = 0,
    /// A uniform on `[0, 1)`, as `rand`'s float ranges draw it before scaling: the top 52
    /// bits of a word as the mantissa of a number in `[1, 2)`, minus 1.
    Unit = 1,
}

/// A source of the init's draws, in the generator's order.
pub(crate) trait Draws {
    /// Fills `out` with the next draws of `kind`. One source serves one kind only.
    fn draw_into(&mut self, kind: Kind, out: &mut [f64]);
}

/// One draw of `kind` from `rng`.
fn draw(rng: &mut Pcg64, kind: Kind) -> f64 {
    match kind {
        Kind::Normal => rng.sample(StandardNormal),
        Kind::Unit => f64::from_bits((rng.next_u64() >> 12) | (1023 << 52)) - 1.0,
    }
}

impl Draws for Pcg64 {
    fn draw_into(&mut self, kind: Kind, out: &mut [f64]) {
        for x in out {
            *x = draw(self, kind);
        }
    }
}

/// One seed's draws of one kind, from the first on, and the generator that draws the next.
struct Memo {
    seed: u64,
    kind: Kind,
    values: Vec<f64>,
    next: Pcg64,
    /// At most this many draws are kept.
    cap: usize,
}

impl Memo {
    fn new(seed: u64, kind: Kind, cap: usize) -> Memo {
        Memo {
            seed,
            kind,
            values: Vec::new(),
            next: generator(seed, Stream::Init),
            cap,
        }
    }

    /// Keeps draws until there are `n` (within the cap, a chunk at a time).
    fn grow_to(&mut self, n: usize) {
        let n = n.next_multiple_of(CHUNK).min(self.cap);
        let (next, kind) = (&mut self.next, self.kind);
        let more = n.saturating_sub(self.values.len());
        self.values.extend((0..more).map(|_| draw(next, kind)));
    }
}

thread_local! {
    static MEMOS: RefCell<[Option<Memo>; 2]> = const { RefCell::new([None, None]) };
}

/// The init generator of `seed`, its draws replayed from those kept; `f` draws from it. Each
/// kind's draws are kept for the last seed asked for.
pub(crate) fn with_init_draws<T>(seed: u64, f: impl FnOnce(&mut Replay) -> T) -> T {
    MEMOS.with(|cell| f(&mut Replay::new(&mut cell.borrow_mut(), seed, KEPT)))
}

/// Replays the kept draws and extends them; past the cap, a copy of the generator at the
/// kept draws' end draws on.
pub(crate) struct Replay<'a> {
    memos: &'a mut [Option<Memo>; 2],
    seed: u64,
    cap: usize,
    at: usize,
    beyond: Option<Pcg64>,
    /// The kind drawn so far: `at` counts draws of that kind only.
    kind: Option<Kind>,
}

impl<'a> Replay<'a> {
    fn new(memos: &'a mut [Option<Memo>; 2], seed: u64, cap: usize) -> Replay<'a> {
        Replay {
            memos,
            seed,
            cap,
            at: 0,
            beyond: None,
            kind: None,
        }
    }
}

impl Draws for Replay<'_> {
    fn draw_into(&mut self, kind: Kind, out: &mut [f64]) {
        debug_assert!(
            *self.kind.get_or_insert(kind) == kind,
            "one kind per replay"
        );
        let (seed, cap) = (self.seed, self.cap);
        let slot = &mut self.memos[kind as usize];
        let memo = match slot.take() {
            Some(m) if m.seed == seed => slot.insert(m),
            _ => slot.insert(Memo::new(seed, kind, cap)),
        };
        let (mut at, mut out) = (self.at, out);
        if self.beyond.is_none() {
            memo.grow_to(at + out.len());
            let kept = memo.values.len().saturating_sub(at).min(out.len());
            let (here, rest) = out.split_at_mut(kept);
            here.copy_from_slice(&memo.values[at..at + kept]);
            at += kept;
            out = rest;
            if !out.is_empty() {
                self.beyond = Some(memo.next.clone());
            }
        }
        if let Some(rng) = &mut self.beyond {
            rng.draw_into(kind, out);
            at += out.len();
        }
        self.at = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(seed: u64, kind: Kind, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        generator(seed, Stream::Init).draw_into(kind, &mut out);
        out
    }

    /// `lengths` filled in turn from one replay.
    fn replayed(
        memos: &mut [Option<Memo>; 2],
        seed: u64,
        kind: Kind,
        lengths: &[usize],
    ) -> Vec<f64> {
        let mut replay = Replay::new(memos, seed, CHUNK + 3);
        let mut all = Vec::new();
        for &n in lengths {
            let mut out = vec![f64::NAN; n];
            replay.draw_into(kind, &mut out);
            all.extend(out);
        }
        all
    }

    #[test]
    fn units_are_rands_own_float_ranges() {
        // Scaled as an init scales them, the draws are exactly `random_range`'s.
        for bound in [1.0 / 3.0, 0.05, 2.5, 1e-300] {
            let mut rng = generator(9, Stream::Init);
            let units = direct(9, Kind::Unit, 1000);
            for u in units {
                let expected: f64 = rng.random_range(-bound..bound);
                assert_eq!(u * (bound - -bound) + -bound, expected);
            }
        }
    }

    #[test]
    fn replays_the_generator_first_time_again_and_past_the_cap() {
        let mut memos = [None, None];
        for kind in [Kind::Normal, Kind::Unit] {
            let expected = direct(7, kind, 3 * CHUNK + 5);
            assert_eq!(replayed(&mut memos, 7, kind, &[3, 7]), expected[..10]);
            // Again, in pieces that cross what was kept, the cap and on past it.
            let pieces = [5, CHUNK, 1, 2 * CHUNK - 1];
            assert_eq!(replayed(&mut memos, 7, kind, &pieces), expected);
            assert_eq!(
                memos[kind as usize].as_ref().unwrap().values.len(),
                CHUNK + 3
            );
            assert_eq!(replayed(&mut memos, 7, kind, &[expected.len()]), expected);
        }
        // A new seed replaces the kept draws of the kind it draws.
        assert_eq!(
            replayed(&mut memos, 8, Kind::Unit, &[100]),
            direct(8, Kind::Unit, 100)
        );
        assert_eq!(memos.each_ref().map(|m| m.as_ref().unwrap().seed), [7, 8]);
    }
}
