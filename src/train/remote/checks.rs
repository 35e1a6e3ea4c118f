//! The checks every [`Remote`] run's wire passes, written once for the training lab's
//! ([`crate::train::wire`]) and the recurrent lab's ([`crate::train::rnn::wire`]): a spec
//! goes across and back bit for bit, a malformed spec is refused (or decodes to a spec that
//! encodes back to the same bits), and a malformed update is refused whole, changing
//! nothing; none of it panics.
//!
//! Each wire's tests call these with what is its own: its specs (hand-picked, or a
//! strategy), a mirror and an update to apply to it (a run that halts, so that every
//! section of the update is filled), and `same`, which asserts that two mirrors hold the
//! same state, bit for bit (each engine records other things).

use super::{Remote, Run};
use std::collections::HashMap;

/// The bits of each number (NaN payloads included).
pub(crate) fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// The numbers put anywhere in a spec or an update, one at a time: NaN, fractions, signed
/// zero and a negative, small codes and counts, a `u32` half too large, huge and infinite.
pub(crate) const ODD: [f64; 11] = [
    f64::NAN,
    0.5,
    -1.0,
    -0.0,
    1.0,
    2.0,
    3.0,
    7.0,
    4_294_967_296.0,
    1e300,
    f64::INFINITY,
];

/// Asserts that two specs are the same, bit for bit (NaN payloads included).
pub(crate) fn assert_same_spec<S: Remote>(a: &S::Spec, b: &S::Spec) {
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(bits(&S::encode(a)), bits(&S::encode(b)), "{a:?}");
    if S::encode(a).iter().all(|v| !v.is_nan()) {
        assert_eq!(a, b);
    }
}

/// Asserts that `spec` decodes from its encoding, bit for bit.
pub(crate) fn assert_round_trip<S: Remote>(spec: &S::Spec) {
    let decoded = S::decode(&S::encode(spec)).unwrap_or_else(|| panic!("{spec:?}"));
    assert_same_spec::<S>(&decoded, spec);
}

/// [`Remote::decode`] of `data`, and if it decodes, checks that it encodes back to `data`'s
/// bits.
pub(crate) fn decode_canonical<S: Remote>(data: &[f64]) -> Option<S::Spec> {
    let spec = S::decode(data)?;
    assert_eq!(bits(&S::encode(&spec)), bits(data), "{spec:?}");
    Some(spec)
}

/// Every spec of `specs`, and each brought into range by `sanitized`, round-trips bit for
/// bit; different specs of `specs` give different buffers.
pub(crate) fn specs_round_trip<S: Remote>(specs: &[S::Spec], sanitized: fn(&S::Spec) -> S::Spec) {
    let mut seen = HashMap::new();
    for spec in specs {
        assert_round_trip::<S>(spec);
        assert_round_trip::<S>(&sanitized(spec));
        let shown = format!("{spec:?}");
        if let Some(other) = seen.insert(bits(&S::encode(spec)), shown.clone()) {
            assert_eq!(other, shown, "the same buffer");
        }
    }
}

/// Of each spec of `specs`, every cut of its encoding and the encoding with a number more
/// are refused; any [`ODD`] number anywhere is refused or decodes to a spec that encodes
/// back to the same bits.
pub(crate) fn malformed_specs_are_refused<S: Remote>(specs: &[S::Spec]) {
    for spec in specs {
        let data = S::encode(spec);
        for n in 0..data.len() {
            assert_eq!(S::decode(&data[..n]), None, "{n} of {spec:?}");
        }
        let mut longer = data.clone();
        longer.push(0.0);
        assert_eq!(S::decode(&longer), None);
        for i in 0..data.len() {
            for v in ODD {
                let mut bad = data.clone();
                bad[i] = v;
                decode_canonical::<S>(&bad);
            }
        }
    }
}

/// `mirror` refuses every cut of `update` and `update` with a number more, each changing
/// nothing (`same`); then it applies `update`.
pub(crate) fn every_cut_of_an_update_is_refused<S: Remote>(
    mirror: &S::Mirror,
    update: &[f64],
    same: fn(&S::Mirror, &S::Mirror),
) where
    S::Mirror: Clone,
{
    for n in 0..update.len() {
        let mut m = mirror.clone();
        assert!(!S::apply(&mut m, &update[..n]), "{n}");
        same(mirror, &m);
    }
    let mut longer = update.to_vec();
    longer.push(0.0);
    let mut m = mirror.clone();
    assert!(!S::apply(&mut m, &longer));
    same(mirror, &m);
    assert!(S::apply(&mut m, update));
}

/// With any [`ODD`] number anywhere in `update`, `mirror` applies it or refuses it,
/// changing nothing (`same`).
pub(crate) fn a_changed_number_is_refused_or_applied<S: Remote>(
    mirror: &S::Mirror,
    update: &[f64],
    same: fn(&S::Mirror, &S::Mirror),
) where
    S::Mirror: Clone,
{
    for i in 0..update.len() {
        for v in ODD {
            let mut bad = update.to_vec();
            bad[i] = v;
            let mut m = mirror.clone();
            if !S::apply(&mut m, &bad) {
                same(mirror, &m);
            }
        }
    }
}

/// Three updates of a run of `spec`, 5 steps apart, applied out of order to its mirror:
/// the second before the first, the third before the second, the second twice, and an
/// update of each run of `others` (another size of the records, or no baseline) are
/// refused, changing nothing (`same`); the first again starts over. Returns the run and
/// the mirror, which has applied the three in order: the caller checks that they are the
/// same.
pub(crate) fn updates_out_of_order_are_refused<S: Remote>(
    spec: &S::Spec,
    others: &[S::Spec],
    same: fn(&S::Mirror, &S::Mirror),
) -> (S, S::Mirror)
where
    S::Mirror: Clone,
{
    let mut session = S::start(spec);
    let mut mirror = S::mirror(spec);
    let mut outbox = S::Outbox::default();
    let [first, second, third] = [(); 3].map(|()| {
        assert_eq!(session.train(5), 5);
        session.update(&mut outbox)
    });
    let before = mirror.clone();
    assert!(!S::apply(&mut mirror, &second), "second before first");
    same(&before, &mirror);
    assert!(S::apply(&mut mirror, &first));
    let before = mirror.clone();
    assert!(!S::apply(&mut mirror, &third), "second missed");
    same(&before, &mirror);
    assert!(S::apply(&mut mirror, &second));
    let before = mirror.clone();
    assert!(!S::apply(&mut mirror, &second), "second twice");
    same(&before, &mirror);
    assert!(S::apply(&mut mirror, &third));
    let in_order = mirror.clone();
    // The first update sends the whole history: applied again, it starts over.
    assert!(S::apply(&mut mirror, &first));
    assert_eq!(mirror.steps(), 5);
    assert!(S::apply(&mut mirror, &second) && S::apply(&mut mirror, &third));
    same(&in_order, &mirror);
    for other in others {
        let mut other = S::start(other);
        assert_eq!(other.train(1), 1);
        assert!(!S::apply(
            &mut mirror,
            &other.update(&mut S::Outbox::default())
        ));
        same(&in_order, &mirror);
    }
    (session, mirror)
}

/// The same checks over random specs and numbers (proptest runs natively only), each run
/// as one property of proptest's default number of cases.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod props {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// Any `f64`: the usual ones and every bit pattern (NaN payloads too).
    pub(crate) fn num() -> impl Strategy<Value = f64> {
        prop_oneof![any::<f64>(), any::<u64>().prop_map(f64::from_bits)]
    }

    /// Any spec of `specs` round-trips bit for bit.
    pub(crate) fn any_spec_round_trips<S: Remote>(specs: impl Strategy<Value = S::Spec>) {
        proptest!(|(spec in specs)| assert_round_trip::<S>(&spec));
    }

    /// Any spec of `specs` with any number anywhere is refused, or decodes to a spec that
    /// encodes back to the same bits.
    pub(crate) fn a_changed_number_is_refused_or_decodes_canonically<S: Remote>(
        specs: impl Strategy<Value = S::Spec>,
    ) {
        proptest!(|(spec in specs, at in any::<Index>(), v in num())| {
            let mut data = S::encode(&spec);
            let i = at.index(data.len());
            data[i] = v;
            decode_canonical::<S>(&data);
        });
    }

    /// Any buffer of up to 80 numbers, as a spec, is refused or decodes canonically; as an
    /// update, `mirror` applies it or refuses it, changing nothing (`same`).
    pub(crate) fn arbitrary_buffers_never_panic<S: Remote>(
        mirror: &S::Mirror,
        same: fn(&S::Mirror, &S::Mirror),
    ) where
        S::Mirror: Clone,
    {
        proptest!(|(data in prop::collection::vec(num(), 0..80))| {
            decode_canonical::<S>(&data);
            let mut m = mirror.clone();
            if !S::apply(&mut m, &data) {
                same(mirror, &m);
            }
        });
    }

    /// `update` with any number anywhere, whole or cut anywhere: `mirror` applies it or
    /// refuses it, changing nothing (`same`).
    pub(crate) fn a_changed_or_cut_update_is_applied_whole_or_not_at_all<S: Remote>(
        mirror: &S::Mirror,
        update: &[f64],
        same: fn(&S::Mirror, &S::Mirror),
    ) where
        S::Mirror: Clone,
    {
        proptest!(|(at in any::<Index>(), v in num(), cut in any::<Index>())| {
            let mut update = update.to_vec();
            let i = at.index(update.len());
            update[i] = v;
            for data in [&update[..], &update[..cut.index(update.len())]] {
                let mut m = mirror.clone();
                if !S::apply(&mut m, data) {
                    same(mirror, &m);
                }
            }
        });
    }
}
