//! The run's random numbers: one PCG64 generator per purpose, all derived from the seed, so
//! that changing one setting (say the batch size) leaves the others' draws alone.

use rand_pcg::Pcg64;

/// What a generator is for; its number selects the PCG stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// The data set: the 2-D inputs and the target noise.
    Data = 1,
    /// The parameters' starting values (the MLP's init, the chain's init noise).
    Init = 2,
    /// The order of the samples in mini-batches.
    Batches = 3,
}

/// The generator for `stream`: `Pcg64::new(state, stream)`, with the 128-bit state made from
/// the seed by two rounds of SplitMix64, so that neighbouring seeds start far apart.
pub(crate) fn generator(seed: u64, stream: Stream) -> Pcg64 {
    let hi = splitmix64(seed);
    let lo = splitmix64(hi);
    let state = (u128::from(hi) << 64) | u128::from(lo);
    Pcg64::new(state, stream as u128)
}

/// SplitMix64's increment, `2^64/φ`.
pub(crate) const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output for the state `x`: `x + GOLDEN`, mixed.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
