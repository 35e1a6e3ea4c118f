//! A recurrent run's spec and state as flat `f64` buffers, for an [`RnnSession`] trained in
//! a Web Worker and shown by the page, as the training lab's runs are
//! ([`crate::train::wire`], whose conventions this module shares): the worker owns the
//! session and sends, after each batch of steps, what the page lacks
//! ([`RnnOutbox::update`]); the page keeps an [`RnnMirror`] with the session's read API and
//! the very same bits ([`RnnMirror::apply`]). The spec goes across once ([`encode_spec`],
//! [`decode_spec`]). Every `f64` of the run goes across as it is (its bits, NaN payloads
//! included); integers as exact `f64`s; enums, options and booleans as small integer codes.
//! Decoding checks every code, count and integer, and never panics. Both implement the
//! traits of [`crate::train::remote`], so the worker and the page-side engine that serve the
//! training lab serve the recurrent lab too.
//!
//! **The spec** (variable length, read to the end): the cell (`0` RNN with its activation:
//! `0` tanh, `1` sigmoid, `2` ReLU, `3` linear; or `1` LSTM), hidden, length, the task (`0`
//! adding, `1` temporal order, `2` first sign), the init (`0` PyTorch's, `1` spectral with
//! `rho`, `2` orthogonal with `gain`, `3` identity with `gain`), `forget_bias`, format
//! (`0` f16, `1` bf16, `2` f32, `3` f64), samples, batch, lr, momentum, clip (`0` off, `1`
//! norm, `2` value, with the threshold), seed, baseline. Every `usize` and the seed go as
//! two `u32` halves, high first, so that any value is exact; a boolean as `0` or `1`.
//!
//! **An update**: the sequence length `T`, the steps (so that
//! [`crate::train::wire::steps_of`] reads an update of either lab); the halt (`0`, or `1`,
//! step, time step (`0`, or `1`, `t`), pass: `0` forward, `1` loss, `2` backward, `3`
//! gradient, `4` update); the latest step, its `‖∂L/∂h_t‖` (`0` before step 1, or `1` and
//! `T` values); step 1's (`1` and `T` values in the first update made once step 1 has run,
//! else `0`: the page keeps them); the history: stride, the rows the page keeps (`0`: all are
//! sent again), the rows sent, whether they hold a baseline loss, then column by column:
//! steps, loss, baseline loss, accuracy, gradient norm, clip factor, largest singular
//! value, and the grid of `‖∂L/∂h_t‖`, `T` values a row, row-major.
//!
//! The history only grows by appended rows, except when it is full, when every other row is
//! dropped and the stride doubles: so an update sends the rows appended since the last one
//! while the stride stays, and the whole history when it has changed.

use super::records::{RnnRecords, Row};
use super::session::{Pass, RnnHalt, RnnSession};
use super::spec::{Cell, RecAct, RnnInit, RnnSpec, SeqTask};
use crate::train::remote::{Remote, Run};
use crate::train::wire::{
    count, format_code, push_clip, push_halves, step, History, Reader, Rows, Sent,
};

/// The spec as `f64`s (see the [module's documentation](self) for the layout).
/// `decode_spec(&encode_spec(s))` gives `s` back, bit for bit.
pub fn encode_spec(spec: &RnnSpec) -> Vec<f64> {
    let mut out = Vec::with_capacity(24);
    match spec.cell {
        Cell::Rnn(act) => out.extend([
            0.0,
            match act {
                RecAct::Tanh => 0.0,
                RecAct::Sigmoid => 1.0,
                RecAct::Relu => 2.0,
                RecAct::Linear => 3.0,
            },
        ]),
        Cell::Lstm => out.push(1.0),
    }
    push_halves(&mut out, spec.hidden as u64);
    push_halves(&mut out, spec.length as u64);
    out.push(match spec.task {
        SeqTask::Adding => 0.0,
        SeqTask::TemporalOrder => 1.0,
        SeqTask::FirstSign => 2.0,
    });
    match spec.init {
        RnnInit::PyTorch => out.push(0.0),
        RnnInit::Spectral { rho } => out.extend([1.0, rho]),
        RnnInit::Orthogonal { gain } => out.extend([2.0, gain]),
        RnnInit::Identity { gain } => out.extend([3.0, gain]),
    }
    out.push(spec.forget_bias);
    out.push(format_code(spec.format));
    push_halves(&mut out, spec.samples as u64);
    push_halves(&mut out, spec.batch as u64);
    out.extend([spec.lr, spec.momentum]);
    push_clip(&mut out, spec.clip);
    push_halves(&mut out, spec.seed);
    out.push(f64::from(u8::from(spec.baseline)));
    out
}

/// The spec of [`encode_spec`]'s buffer; `None` for anything malformed: a wrong length, an
/// unknown code, a code, count or half that is not an integer in range (a `usize` beyond
/// this machine's too). Never panics.
pub fn decode_spec(data: &[f64]) -> Option<RnnSpec> {
    let mut r = Reader::new(data);
    let cell = match r.code(2)? {
        0 => Cell::Rnn(match r.code(4)? {
            0 => RecAct::Tanh,
            1 => RecAct::Sigmoid,
            2 => RecAct::Relu,
            _ => RecAct::Linear,
        }),
        _ => Cell::Lstm,
    };
    let spec = RnnSpec {
        cell,
        hidden: r.usize_halves()?,
        length: r.usize_halves()?,
        task: match r.code(3)? {
            0 => SeqTask::Adding,
            1 => SeqTask::TemporalOrder,
            _ => SeqTask::FirstSign,
        },
        init: match r.code(4)? {
            0 => RnnInit::PyTorch,
            1 => RnnInit::Spectral { rho: r.f64()? },
            2 => RnnInit::Orthogonal { gain: r.f64()? },
            _ => RnnInit::Identity { gain: r.f64()? },
        },
        forget_bias: r.f64()?,
        format: r.format()?,
        samples: r.usize_halves()?,
        batch: r.usize_halves()?,
        lr: r.f64()?,
        momentum: r.f64()?,
        clip: r.clip()?,
        seed: r.u64_halves()?,
        baseline: r.flag()?,
    };
    r.finish()?;
    Some(spec)
}

/// The worker's side of one recurrent session: what it has sent so far, so that each
/// update sends only what changed. One outbox per session (a new session needs a new
/// outbox, as its page needs a new [`RnnMirror`]).
#[derive(Clone, Debug, Default)]
pub struct RnnOutbox {
    /// What the last update sent of the history.
    sent: Sent,
    /// Whether step 1's `‖∂L/∂h_t‖` have been sent.
    first_sent: bool,
}

impl RnnOutbox {
    /// An outbox that has sent nothing yet.
    pub fn new() -> RnnOutbox {
        RnnOutbox::default()
    }

    /// Everything the page lacks of `session` since the last call, as one buffer for
    /// [`RnnMirror::apply`] (see the [module's documentation](self) for the layout): the
    /// steps, the halt, the latest step, step 1's `‖∂L/∂h_t‖` the first time they exist, and
    /// the history's rows appended since the last call, or all of them if the stride has
    /// changed (or on the first call). The buffers must be applied in the order they were
    /// made, each once.
    pub fn update(&mut self, session: &RnnSession) -> Vec<f64> {
        let rec = session.records();
        let t = rec.length();
        let history = History::from(rec);
        let from = self.sent.advance(&history);
        let n = rec.rows() - from;
        let latest = rec.latest_time_grads();
        let first = rec.first_time_grads();
        let send_first = !self.first_sent && !first.is_empty();
        let columns = 6 + usize::from(history.baseline.is_some()) + t;
        let mut out = Vec::with_capacity(
            16 + latest.len() + if send_first { first.len() } else { 0 } + n * columns,
        );

        out.extend([count(t), step(session.steps())]);
        match session.halt() {
            None => out.push(0.0),
            Some(h) => {
                out.extend([1.0, step(h.step)]);
                match h.time {
                    None => out.push(0.0),
                    Some(t) => out.extend([1.0, count(t)]),
                }
                out.push(match h.pass {
                    Pass::Forward => 0.0,
                    Pass::Loss => 1.0,
                    Pass::Backward => 2.0,
                    Pass::Gradient => 3.0,
                    Pass::Update => 4.0,
                });
            }
        }
        out.push(step(rec.latest_step()));
        out.push(f64::from(u8::from(!latest.is_empty())));
        out.extend_from_slice(latest);
        out.push(f64::from(u8::from(send_first)));
        if send_first {
            out.extend_from_slice(first);
            self.first_sent = true;
        }
        history.push(&mut out, from);
        out.extend_from_slice(&rec.accuracy()[from..]);
        out.extend_from_slice(&rec.grad_total()[from..]);
        out.extend_from_slice(&rec.clip_coef()[from..]);
        out.extend_from_slice(&rec.sigma_max()[from..]);
        out.extend_from_slice(&rec.time_grad_grid()[from * t..]);
        out
    }
}

/// The page's side of one recurrent session: its state as the worker last sent it, read as
/// an [`RnnSession`] is.
#[derive(Clone, Debug)]
pub struct RnnMirror {
    spec: RnnSpec,
    steps: u64,
    halt: Option<RnnHalt>,
    records: RnnRecords,
}

impl RnnMirror {
    /// The state of a session of `spec` before its first step: the spec brought into range
    /// as [`RnnSession::new`] does ([`RnnSpec::sanitized`]), no step, no halt, and empty
    /// records of the session's length and capacity.
    pub fn new(spec: &RnnSpec) -> RnnMirror {
        let spec = spec.sanitized();
        RnnMirror {
            records: RnnRecords::new(spec.length, spec.baseline),
            spec,
            steps: 0,
            halt: None,
        }
    }

    /// Applies one buffer of [`RnnOutbox::update`]. Returns `false`, and changes nothing, if
    /// it is malformed: a wrong length, an unknown code, a step or count that is not an
    /// exact integer, another sequence length, a time step outside `1..=T`, another
    /// baseline, more rows than the capacity, `‖∂L/∂h_t‖` of the latest or the first step
    /// missing after step 1 (or present before it), or rows that do not follow the ones
    /// held (an update applied twice, or one missed). Never panics.
    pub fn apply(&mut self, update: &[f64]) -> bool {
        match self.parse(update) {
            Some(u) => {
                self.commit(u);
                true
            }
            None => false,
        }
    }

    /// The update read and checked, changing nothing.
    fn parse<'a>(&self, update: &'a [f64]) -> Option<Parsed<'a>> {
        let mut r = Reader::new(update);
        let rec = &self.records;
        let t = rec.length();
        if r.count()? != t {
            return None;
        }
        let steps = r.step()?;
        let halt = if r.flag()? {
            let step = r.step()?;
            let time = if r.flag()? {
                Some(r.count().filter(|s| (1..=t).contains(s))?)
            } else {
                None
            };
            Some(RnnHalt {
                step,
                time,
                pass: match r.code(5)? {
                    0 => Pass::Forward,
                    1 => Pass::Loss,
                    2 => Pass::Backward,
                    3 => Pass::Gradient,
                    _ => Pass::Update,
                },
            })
        } else {
            None
        };
        let latest_step = r.step()?;
        let ran = latest_step > 0;
        let latest = if r.flag()? { r.slice(t)? } else { &[] };
        let first = if r.flag()? { Some(r.slice(t)?) } else { None };
        // The latest `‖∂L/∂h_t‖` exist from step 1 on; step 1's are sent once, then kept.
        let first = match (ran, first) {
            (false, None) => Some(&[][..]),
            (true, Some(f)) => Some(f),
            (true, None) if !rec.first_time_grads().is_empty() => None,
            _ => return None,
        };
        if latest.is_empty() == ran {
            return None;
        }
        let rows = Rows::read(&mut r, &History::from(rec), rec.capacity())?;
        let n = rows.steps.len();
        let accuracy = r.slice(n)?;
        let grad_total = r.slice(n)?;
        let clip_coef = r.slice(n)?;
        let sigma_max = r.slice(n)?;
        let grid = r.slice(n.checked_mul(t)?)?;
        r.finish()?;
        Some(Parsed {
            steps,
            halt,
            latest_step,
            latest,
            first,
            rows,
            accuracy,
            grad_total,
            clip_coef,
            sigma_max,
            grid,
        })
    }

    /// Makes a checked update the mirror's state.
    fn commit(&mut self, u: Parsed) {
        self.steps = u.steps;
        self.halt = u.halt;
        let rec = &mut self.records;
        rec.set_latest(u.latest_step, u.latest);
        if let Some(first) = u.first {
            rec.set_first_time_grads(first);
        }
        if u.rows.from == 0 {
            rec.restart_history(u.rows.stride);
        }
        let t = rec.length();
        for (r, &step) in u.rows.steps.iter().enumerate() {
            rec.push_row(
                Row {
                    step,
                    loss: u.rows.loss[r],
                    baseline_loss: u.rows.baseline_loss.map(|b| b[r]),
                    accuracy: u.accuracy[r],
                    grad_total: u.grad_total[r],
                    clip_coef: u.clip_coef[r],
                    sigma_max: u.sigma_max[r],
                },
                &u.grid[r * t..(r + 1) * t],
            );
        }
    }

    /// The spec as the session uses it (after [`RnnSpec::sanitized`]), as
    /// [`RnnSession::spec`].
    pub fn spec(&self) -> &RnnSpec {
        &self.spec
    }

    /// The number of steps run, as [`RnnSession::steps`].
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Where the run halted, once it has, as [`RnnSession::halt`].
    pub fn halt(&self) -> Option<RnnHalt> {
        self.halt
    }

    /// The history and the profiles through time, as [`RnnSession::records`].
    pub fn records(&self) -> &RnnRecords {
        &self.records
    }
}

/// An update read and checked, before it changes the mirror.
struct Parsed<'a> {
    steps: u64,
    halt: Option<RnnHalt>,
    latest_step: u64,
    latest: &'a [f64],
    /// Step 1's `‖∂L/∂h_t‖` to hold from now on (empty before step 1), or `None` to keep
    /// those held.
    first: Option<&'a [f64]>,
    rows: Rows<'a>,
    accuracy: &'a [f64],
    grad_total: &'a [f64],
    clip_coef: &'a [f64],
    sigma_max: &'a [f64],
    grid: &'a [f64],
}

/// The history of a recurrent run's records, as its outbox sends it and its mirror holds it.
impl<'a> From<&'a RnnRecords> for History<'a> {
    fn from(rec: &'a RnnRecords) -> History<'a> {
        History {
            stride: rec.stride(),
            steps: rec.steps(),
            loss: rec.loss(),
            baseline: rec.baseline_loss(),
        }
    }
}

impl Run for RnnSession {
    type Spec = RnnSpec;
    type Records = RnnRecords;
    type Halt = RnnHalt;
    fn spec(&self) -> &RnnSpec {
        RnnSession::spec(self)
    }
    fn steps(&self) -> u64 {
        RnnSession::steps(self)
    }
    fn halt(&self) -> Option<RnnHalt> {
        RnnSession::halt(self)
    }
    fn records(&self) -> &RnnRecords {
        RnnSession::records(self)
    }
}

impl Run for RnnMirror {
    type Spec = RnnSpec;
    type Records = RnnRecords;
    type Halt = RnnHalt;
    fn spec(&self) -> &RnnSpec {
        RnnMirror::spec(self)
    }
    fn steps(&self) -> u64 {
        RnnMirror::steps(self)
    }
    fn halt(&self) -> Option<RnnHalt> {
        RnnMirror::halt(self)
    }
    fn records(&self) -> &RnnRecords {
        RnnMirror::records(self)
    }
}

impl Remote for RnnSession {
    type Outbox = RnnOutbox;
    type Mirror = RnnMirror;
    fn start(spec: &RnnSpec) -> RnnSession {
        RnnSession::new(spec)
    }
    fn train(&mut self, n: u64) -> u64 {
        self.run(n)
    }
    fn update(&self, outbox: &mut RnnOutbox) -> Vec<f64> {
        outbox.update(self)
    }
    fn mirror(spec: &RnnSpec) -> RnnMirror {
        RnnMirror::new(spec)
    }
    fn apply(mirror: &mut RnnMirror, update: &[f64]) -> bool {
        mirror.apply(update)
    }
    fn encode(spec: &RnnSpec) -> Vec<f64> {
        encode_spec(spec)
    }
    fn decode(data: &[f64]) -> Option<RnnSpec> {
        decode_spec(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::format::NumberFormat;
    use crate::train::remote::checks::{self, bits};
    use crate::train::spec::Clip;
    use crate::train::wire::steps_of;

    /// Every variant of every enum of the spec, and the extremes of its numbers.
    fn hand_picked() -> Vec<RnnSpec> {
        let inits = [
            RnnInit::PyTorch,
            RnnInit::Spectral { rho: 1.8 },
            RnnInit::Spectral { rho: f64::NAN },
            RnnInit::Orthogonal { gain: -0.0 },
            RnnInit::Orthogonal { gain: 1.0 },
            RnnInit::Identity {
                gain: f64::INFINITY,
            },
            RnnInit::Identity {
                gain: f64::from_bits(0x7ff0_dead_beef_0001),
            },
        ];
        let clips = [
            Clip::Off,
            Clip::Norm(1.0),
            Clip::Value(0.25),
            Clip::Norm(f64::INFINITY),
            Clip::Value(-5e-324),
        ];
        let seeds = [0, 1, u64::from(u32::MAX), 1 << 32, (1 << 53) + 1, u64::MAX];
        // The default, and the default with a seed that differs in its high half only.
        let mut specs = vec![
            RnnSpec::default(),
            RnnSpec {
                seed: 1 << 32,
                ..RnnSpec::default()
            },
        ];
        for (i, cell) in Cell::ALL.into_iter().enumerate() {
            for (j, init) in inits.into_iter().enumerate() {
                for (k, task) in SeqTask::ALL.into_iter().enumerate() {
                    specs.push(RnnSpec {
                        cell,
                        init,
                        task,
                        hidden: 1 + i,
                        length: 2 + j,
                        format: NumberFormat::ALL[(i + j + k) % 4],
                        baseline: (i + j + k) % 2 == 0,
                        ..RnnSpec::default()
                    });
                }
            }
        }
        for (i, clip) in clips.into_iter().enumerate() {
            for (j, seed) in seeds.into_iter().enumerate() {
                for format in NumberFormat::ALL {
                    specs.push(RnnSpec {
                        clip,
                        seed,
                        format,
                        batch: j,
                        baseline: (i + j) % 2 == 1,
                        ..RnnSpec::default()
                    });
                }
            }
        }
        specs.push(RnnSpec {
            cell: Cell::Lstm,
            hidden: usize::MAX,
            length: usize::MAX - 1,
            forget_bias: f64::NEG_INFINITY,
            samples: usize::MAX,
            batch: usize::MAX - 7,
            lr: f64::MIN_POSITIVE,
            momentum: f64::MAX,
            seed: u64::MAX,
            baseline: false,
            ..RnnSpec::default()
        });
        specs.push(RnnSpec {
            hidden: 0,
            length: 0,
            forget_bias: -0.0,
            samples: 0,
            batch: 0,
            lr: f64::NAN,
            momentum: -f64::MAX,
            seed: 0,
            ..RnnSpec::default()
        });
        specs
    }

    #[test]
    fn every_hand_picked_spec_round_trips_bit_for_bit() {
        let specs = hand_picked();
        assert!(specs.len() > 200, "{}", specs.len());
        checks::specs_round_trip::<RnnSession>(&specs, RnnSpec::sanitized);
    }

    #[test]
    fn malformed_specs_are_refused() {
        checks::malformed_specs_are_refused::<RnnSession>(&hand_picked());
        // The default: [cell, activation, hidden hi, lo, length hi, lo, task, init,
        // forget_bias, format, samples hi, lo, batch hi, lo, lr, momentum, clip, seed hi,
        // lo, baseline].
        let data = encode_spec(&RnnSpec::default());
        assert_eq!(data.len(), 20);
        assert_eq!(decode_spec(&data), Some(RnnSpec::default()));
        let with = |i: usize, v: f64| {
            let mut d = data.clone();
            d[i] = v;
            decode_spec(&d)
        };
        for v in [f64::NAN, 2.0, 0.5, -1.0, -0.0, f64::INFINITY] {
            assert_eq!(with(0, v), None, "cell code {v}");
        }
        assert_eq!(with(1, 4.0), None, "activation code");
        assert_eq!(with(6, 3.0), None, "task code");
        assert_eq!(with(7, 4.0), None, "init code");
        assert_eq!(with(9, 4.0), None, "format code");
        assert_eq!(with(9, 2.5), None, "format code");
        assert_eq!(with(16, 3.0), None, "clip code");
        assert_eq!(with(2, 4_294_967_296.0), None, "a half beyond u32");
        assert_eq!(with(3, 0.25), None, "a fractional half");
        assert_eq!(with(19, 2.0), None, "baseline flag");
        assert_eq!(with(18, f64::NAN), None, "seed half");
        // A code that takes a number more, or one less: the length is wrong.
        assert_eq!(with(0, 1.0), None, "LSTM with an activation");
        assert_eq!(with(7, 1.0), None, "spectral without its rho");
        assert_eq!(with(16, 1.0), None, "norm clipping without its threshold");
        assert_eq!(decode_spec(&[]), None);
        assert_eq!(decode_spec(&[f64::NAN; 24]), None);
    }

    /// A small run that halts in its forward pass at a time step, at step 2: every section
    /// of an update is filled (halt with its time step, latest and first `‖∂L/∂h_t‖`,
    /// rows).
    fn halting_update() -> (RnnMirror, Vec<f64>) {
        let spec = RnnSpec {
            cell: Cell::Rnn(RecAct::Relu),
            init: RnnInit::Spectral { rho: 3.0 },
            hidden: 8,
            length: 100,
            samples: 8,
            batch: 4,
            ..RnnSpec::default()
        };
        let mut session = RnnSession::new(&spec);
        session.run(5);
        let halt = session.halt().expect("halts");
        assert!(halt.time.is_some(), "{halt:?}");
        assert!(session.steps() >= 2, "{halt:?}");
        let update = RnnOutbox::new().update(&session);
        let mut mirror = RnnMirror::new(&spec);
        assert!(mirror.clone().apply(&update));
        assert!(mirror.apply(&RnnOutbox::new().update(&RnnSession::new(&spec))));
        (mirror, update)
    }

    /// The property tests (proptest runs natively only).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use crate::train::remote::checks::props::{self, num};
        use proptest::prelude::*;

        fn any_spec() -> impl Strategy<Value = RnnSpec> {
            let init = prop_oneof![
                Just(RnnInit::PyTorch),
                num().prop_map(|rho| RnnInit::Spectral { rho }),
                num().prop_map(|gain| RnnInit::Orthogonal { gain }),
                num().prop_map(|gain| RnnInit::Identity { gain }),
            ];
            let clip = prop_oneof![
                Just(Clip::Off),
                num().prop_map(Clip::Norm),
                num().prop_map(Clip::Value),
            ];
            let model = (
                prop::sample::select(Cell::ALL.to_vec()),
                any::<usize>(),
                any::<usize>(),
                prop::sample::select(SeqTask::ALL.to_vec()),
                init,
                num(),
                prop::sample::select(NumberFormat::ALL.to_vec()),
            );
            let training = (
                any::<usize>(),
                any::<usize>(),
                num(),
                num(),
                clip,
                any::<u64>(),
                any::<bool>(),
            );
            (model, training).prop_map(
                |(
                    (cell, hidden, length, task, init, forget_bias, format),
                    (samples, batch, lr, momentum, clip, seed, baseline),
                )| RnnSpec {
                    cell,
                    hidden,
                    length,
                    task,
                    init,
                    forget_bias,
                    format,
                    samples,
                    batch,
                    lr,
                    momentum,
                    clip,
                    seed,
                    baseline,
                },
            )
        }

        #[test]
        fn any_spec_round_trips_bit_for_bit() {
            props::any_spec_round_trips::<RnnSession>(any_spec());
        }

        #[test]
        fn a_changed_number_is_refused_or_decodes_canonically() {
            props::a_changed_number_is_refused_or_decodes_canonically::<RnnSession>(any_spec());
        }

        #[test]
        fn arbitrary_buffers_never_panic() {
            let mirror = RnnMirror::new(&RnnSpec {
                length: 3,
                ..RnnSpec::default()
            });
            props::arbitrary_buffers_never_panic::<RnnSession>(&mirror, assert_mirrors);
        }

        #[test]
        fn a_changed_or_cut_update_is_applied_whole_or_not_at_all() {
            let (mirror, update) = halting_update();
            props::a_changed_or_cut_update_is_applied_whole_or_not_at_all::<RnnSession>(
                &mirror,
                &update,
                assert_mirrors,
            );
        }
    }

    #[test]
    fn every_cut_of_an_update_is_refused() {
        let (mirror, update) = halting_update();
        checks::every_cut_of_an_update_is_refused::<RnnSession>(&mirror, &update, assert_mirrors);
    }

    #[test]
    fn a_changed_code_or_count_is_refused_or_applied_whole() {
        let (mirror, update) = halting_update();
        // [T, steps, halt flag, step, time flag, t, pass, latest step, …]
        let t = mirror.records().length() as f64;
        for (i, v, what) in [
            (0, t + 1.0, "another length"),
            (0, t - 0.5, "a fractional length"),
            (2, 2.0, "a halt flag of 2"),
            (4, 2.0, "a time flag of 2"),
            (5, 0.0, "time step 0"),
            (5, t + 1.0, "a time step past T"),
            (6, 5.0, "pass code 5"),
            (6, -1.0, "pass code -1"),
            (7, 0.0, "latest step 0 with its gradients"),
            (8, 0.0, "no latest gradients after step 1"),
        ] {
            let mut bad = update.clone();
            bad[i] = v;
            let mut m = mirror.clone();
            assert!(!m.apply(&bad), "{what}");
            assert_mirrors(&mirror, &m);
        }
        // Every number anywhere: refused, changing nothing, or applied.
        checks::a_changed_number_is_refused_or_applied::<RnnSession>(
            &mirror,
            &update,
            assert_mirrors,
        );
    }

    /// Asserts that two records are the same, bit for bit (NaN payloads included).
    fn assert_same_records(a: &RnnRecords, b: &RnnRecords) {
        assert_eq!(a.length(), b.length());
        assert_eq!(a.capacity(), b.capacity());
        assert_eq!(a.stride(), b.stride());
        assert_eq!(a.rows(), b.rows());
        assert_eq!(a.steps(), b.steps());
        assert_eq!(bits(a.loss()), bits(b.loss()));
        assert_eq!(a.baseline_loss().map(bits), b.baseline_loss().map(bits));
        assert_eq!(bits(a.accuracy()), bits(b.accuracy()));
        assert_eq!(bits(a.grad_total()), bits(b.grad_total()));
        assert_eq!(bits(a.clip_coef()), bits(b.clip_coef()));
        assert_eq!(bits(a.sigma_max()), bits(b.sigma_max()));
        assert_eq!(bits(a.time_grad_grid()), bits(b.time_grad_grid()));
        assert_eq!(bits(a.first_time_grads()), bits(b.first_time_grads()));
        assert_eq!(bits(a.latest_time_grads()), bits(b.latest_time_grads()));
        assert_eq!(a.latest_step(), b.latest_step());
    }

    /// Asserts that two runs (sessions or mirrors) read the same, bit for bit.
    fn assert_mirrors<A, B>(a: &A, b: &B)
    where
        A: Run<Spec = RnnSpec, Records = RnnRecords, Halt = RnnHalt>,
        B: Run<Spec = RnnSpec, Records = RnnRecords, Halt = RnnHalt>,
    {
        checks::assert_same_spec::<RnnSession>(a.spec(), b.spec());
        assert_eq!(a.steps(), b.steps());
        assert_eq!(a.halt(), b.halt());
        assert_same_records(a.records(), b.records());
    }

    /// Runs `spec` for `steps` steps in uneven chunks through the [`Remote`] trait, sending
    /// an update after each, and checks the mirror after every one; returns the session.
    fn run_mirrored(spec: &RnnSpec, steps: u64) -> RnnSession {
        // At `T = 5` over 20,000 steps, twice the history is halved between two updates and
        // then holds more rows than were last sent: only the stride says to send it all.
        const CHUNKS: [u64; 12] = [1, 3, 7, 1, 50, 0, 2, 500, 1, 1500, 2500, 5000];
        let spec = RnnSession::decode(&RnnSession::encode(spec)).expect("decodes");
        let mut session = RnnSession::start(&spec);
        let mut mirror = RnnSession::mirror(&spec);
        assert_mirrors(&session, &mirror);
        let mut outbox = RnnOutbox::default();
        let mut chunks = CHUNKS.iter().cycle().enumerate();
        // Two chunks past the end or the halt, to check that nothing moves after it.
        let mut after = 0;
        while after < 2 {
            let (i, &n) = chunks.next().unwrap();
            if session.steps() >= steps || session.halt().is_some() {
                after += 1;
            }
            let n = n.min(steps.saturating_sub(session.steps()));
            let ran = session.train(n);
            assert!(ran == n || session.halt().is_some(), "chunk {i}");
            let update = session.update(&mut outbox);
            assert_eq!(steps_of(&update), Some(session.steps()), "chunk {i}");
            assert!(RnnSession::apply(&mut mirror, &update), "chunk {i}");
            assert_mirrors(&session, &mirror);
        }
        session
    }

    #[test]
    fn the_default_run_is_mirrored_bit_for_bit() {
        let s = run_mirrored(&RnnSpec::default(), 12);
        assert_eq!(s.steps(), 12);
        assert!(s.records().baseline_loss().is_some());
    }

    #[test]
    fn an_exploding_run_that_halts_is_mirrored_bit_for_bit() {
        let spec = RnnSpec {
            cell: Cell::Rnn(RecAct::Tanh),
            init: RnnInit::Spectral { rho: 1.8 },
            lr: 0.2,
            hidden: 32,
            length: 50,
            task: SeqTask::Adding,
            samples: 64,
            batch: 8,
            ..RnnSpec::default()
        };
        let s = run_mirrored(&spec, 200);
        let halt = s.halt().expect("halts");
        assert!(halt.step > 1 && halt.step < 200, "{halt:?}");
        let r = s.records();
        assert_eq!(*r.steps().last().unwrap(), halt.step);
        assert!(!r.loss().last().unwrap().is_finite());
    }

    #[test]
    fn an_lstm_is_mirrored_bit_for_bit() {
        let spec = RnnSpec {
            cell: Cell::Lstm,
            hidden: 8,
            length: 20,
            task: SeqTask::TemporalOrder,
            init: RnnInit::Orthogonal { gain: 1.2 },
            format: NumberFormat::F64,
            samples: 64,
            batch: 8,
            lr: 0.1,
            momentum: 0.9,
            clip: Clip::Norm(1.0),
            ..RnnSpec::default()
        };
        let s = run_mirrored(&spec, 60);
        assert_eq!(s.steps(), 60);
        assert!(s.records().accuracy().iter().all(|a| a.is_finite()));
    }

    #[test]
    fn a_run_without_a_baseline_is_mirrored_bit_for_bit() {
        let spec = RnnSpec {
            cell: Cell::Rnn(RecAct::Relu),
            hidden: 8,
            length: 15,
            task: SeqTask::FirstSign,
            init: RnnInit::Identity { gain: 1.0 },
            samples: 32,
            batch: 8,
            clip: Clip::Value(0.01),
            baseline: false,
            ..RnnSpec::default()
        };
        let s = run_mirrored(&spec, 80);
        assert!(s.records().baseline_loss().is_none());
    }

    #[test]
    fn a_decimated_history_is_mirrored_bit_for_bit() {
        // T = 5: 4,096 rows, halved three times in 20,000 steps.
        let spec = RnnSpec {
            cell: Cell::Rnn(RecAct::Sigmoid),
            hidden: 2,
            length: 5,
            samples: 4,
            batch: 2,
            ..RnnSpec::default()
        };
        let s = run_mirrored(&spec, 20_000);
        assert_eq!(s.records().capacity(), 4_096);
        assert_eq!(s.records().stride(), 8);
    }

    #[test]
    fn a_new_mirror_is_a_new_session() {
        let odd = RnnSpec {
            hidden: 0,
            length: 5000,
            samples: 0,
            lr: f64::NAN,
            format: NumberFormat::F16,
            init: RnnInit::Spectral { rho: f64::NAN },
            ..RnnSpec::default()
        };
        let lstm = RnnSpec {
            cell: Cell::Lstm,
            length: 1000,
            baseline: false,
            ..RnnSpec::default()
        };
        for spec in [RnnSpec::default(), odd, lstm] {
            assert_mirrors(&RnnSession::new(&spec), &RnnMirror::new(&spec));
        }
    }

    fn small() -> RnnSpec {
        RnnSpec {
            hidden: 4,
            length: 6,
            samples: 16,
            batch: 4,
            ..RnnSpec::default()
        }
    }

    #[test]
    fn an_update_sends_each_row_and_the_first_gradients_once() {
        let spec = small();
        let t = spec.length;
        let mut session = RnnSession::new(&spec);
        let mut mirror = RnnMirror::new(&spec);
        let mut outbox = RnnOutbox::new();
        let empty = outbox.update(&session);
        session.run(10);
        let first = outbox.update(&session);
        let second = outbox.update(&session);
        assert!(mirror.apply(&empty) && mirror.apply(&first) && mirror.apply(&second));
        assert_mirrors(&session, &mirror);
        // A row: step, loss, baseline loss, accuracy, gradient norm, clip factor, largest
        // singular value and T gradients; step 1's gradients once.
        let row = 7 + t;
        assert_eq!(first.len(), second.len() + 10 * row + t);
        assert_eq!(second.len(), empty.len() + t);
        // One more step sends one more row.
        session.step();
        let third = outbox.update(&session);
        assert_eq!(third.len(), second.len() + row);
        assert!(mirror.apply(&third));
        assert_mirrors(&session, &mirror);
    }

    #[test]
    fn the_first_gradients_are_kept_and_never_missed() {
        let spec = small();
        let t = spec.length;
        let mut session = RnnSession::new(&spec);
        session.run(3);
        let whole = RnnOutbox::new().update(&session);
        // The same update without step 1's gradients: [T, steps, 0 (no halt), latest
        // step, 1, T gradients, 1, T gradients, …].
        let at = 5 + t;
        assert_eq!(whole[at], 1.0);
        let mut without = whole[..at].to_vec();
        without.push(0.0);
        without.extend_from_slice(&whole[at + 1 + t..]);
        // A mirror that never had them refuses it; one that has them keeps them.
        let mut fresh = RnnMirror::new(&spec);
        assert!(!fresh.apply(&without));
        assert_mirrors(&RnnMirror::new(&spec), &fresh);
        assert!(fresh.apply(&whole));
        assert!(fresh.apply(&without));
        assert_mirrors(&session, &fresh);
        // Without the latest gradients: refused.
        let mut no_latest = whole[..4].to_vec();
        no_latest.push(0.0);
        no_latest.extend_from_slice(&whole[5 + t..]);
        let before = fresh.clone();
        assert!(!fresh.apply(&no_latest));
        assert_mirrors(&before, &fresh);
        // Before step 1 there are none to send, and a mirror holds none.
        let start = RnnOutbox::new().update(&RnnSession::new(&spec));
        assert!(fresh.apply(&start));
        assert_mirrors(&RnnSession::new(&spec), &fresh);
        // [T, 0, 0 (no halt), latest step 0, 0, 0, stride, …]: gradients are taken at a
        // step from 1 on, latest and first together.
        assert_eq!(start[3..6], [0.0; 3]);
        for latest_step in [0.0, 1.0] {
            for (latest, first) in [(false, false), (true, false), (false, true), (true, true)] {
                let mut data = start[..3].to_vec();
                data.push(latest_step);
                for sent in [latest, first] {
                    data.push(f64::from(u8::from(sent)));
                    if sent {
                        data.extend(vec![0.5; t]);
                    }
                }
                data.extend_from_slice(&start[6..]);
                let whole = latest == first && first == (latest_step == 1.0);
                assert_eq!(
                    RnnMirror::new(&spec).apply(&data),
                    whole,
                    "step {latest_step}, latest {latest}, first {first}"
                );
            }
        }
    }

    #[test]
    fn more_rows_than_the_capacity_are_refused() {
        let spec = small();
        let t = spec.length;
        let mut session = RnnSession::new(&spec);
        session.run(1);
        let update = RnnOutbox::new().update(&session);
        // [T, 1, 0 (no halt), 1, 1, T gradients, 1, T gradients, stride, from, rows,
        // baseline, then one row: 7 numbers and T gradients].
        let head = 10 + 2 * t;
        assert_eq!(update[head - 4..head], [1.0, 0.0, 1.0, 1.0]);
        assert_eq!(update.len(), head + 7 + t);
        let capacity = session.records().capacity();
        for rows in [capacity, capacity + 1] {
            let mut data = update[..head].to_vec();
            data[head - 2] = rows as f64;
            data.extend((1..=rows).map(|s| s as f64));
            for &v in &update[head + 1..head + 7] {
                data.extend(vec![v; rows]);
            }
            for _ in 0..rows {
                data.extend_from_slice(&update[head + 7..]);
            }
            let mut mirror = RnnMirror::new(&spec);
            let fits = rows == capacity;
            assert_eq!(mirror.apply(&data), fits, "{rows} rows");
            assert_eq!(mirror.records().rows(), if fits { rows } else { 0 });
        }
    }

    #[test]
    fn an_update_out_of_order_is_refused() {
        let spec = small();
        // Another run: another length, or no baseline.
        let others = [
            RnnSpec { length: 7, ..spec },
            RnnSpec {
                baseline: false,
                ..spec
            },
        ];
        let (session, mirror) =
            checks::updates_out_of_order_are_refused::<RnnSession>(&spec, &others, assert_mirrors);
        assert_mirrors(&session, &mirror);
    }

    #[test]
    fn an_update_of_another_stride_is_refused() {
        let spec = small();
        let mut session = RnnSession::new(&spec);
        let mut mirror = RnnMirror::new(&spec);
        let mut outbox = RnnOutbox::new();
        session.run(5);
        assert!(mirror.apply(&outbox.update(&session)));
        session.run(5);
        let second = outbox.update(&session);
        // The second with a stride the mirror does not hold: [T, steps, 0 (no halt), latest
        // step, 1, T gradients, 0 (step 1's were sent), stride, from, …].
        let at = 6 + spec.length;
        assert_eq!(second[at..at + 2], [1.0, 5.0]);
        let mut strided = second.clone();
        strided[at] = 2.0;
        let before = mirror.clone();
        assert!(!mirror.apply(&strided), "another stride");
        assert_mirrors(&before, &mirror);
        assert!(mirror.apply(&second));
        assert_mirrors(&session, &mirror);
    }
}
