//! A run's spec and state as flat `f64` buffers, for a session trained in a Web Worker and
//! shown by the page: the worker owns the [`Session`] and sends, after each batch of steps,
//! what the page lacks ([`Outbox::update`]); the page keeps a [`Mirror`] with the session's
//! read API and the very same bits ([`Mirror::apply`]). The spec goes across once
//! ([`encode_spec`], [`decode_spec`]). Every `f64` of the run goes across as it is (its
//! bits, NaN payloads included); integers as exact `f64`s; enums, options and booleans as
//! small integer codes. Decoding checks every code, count and integer, and never panics.
//!
//! **The spec** (variable length, read to the end): the model, `0` chain (depth, `w0`,
//! `b0`, `init_noise`, format) or `1` MLP (width, depth, activation, init, gain (`0`, or
//! `1` and its value), format, norm (`0` none, `1` Layer, `2` Batch, with its place: `0`
//! before, `1` after), residual (`0` off, or `1`, `alpha`, `zero_init`)); the task (`0` Line
//! with slope and intercept, `1` Sine, `2` Circle, `3` Xor, `4` Spiral); samples, noise,
//! batch, lr, momentum, clip (`0` off, `1` norm, `2` value, with the threshold), seed,
//! baseline. A format is `0` f16, `1` bf16, `2` f32, `3` f64; an activation `0` linear,
//! `1` tanh, `2` ReLU, `3` sigmoid; an init `0` PyTorch's default, `1` Normal (`sigma`,
//! `sigma_b`), `2` standard, `3` Xavier uniform, `4` Xavier normal, `5` Kaiming normal,
//! `6` orthogonal. Every `usize` and the seed go as two `u32` halves, high first, so that
//! any value is exact; a boolean as `0` or `1`.
//!
//! **An update**: depth, steps; the halt (`0`, or `1`, step, first NaN step, origin (`0`, or `1`,
//! step, place)); the latest step (`0`, or `1`, step, loss, baseline loss (`0`, or `1`, value),
//! gradient norm, clip factor, profiled step, layer count, and per layer its [`LayerProfile`] in
//! field order, `grad_norm` to `output_grad`); the events (count, then step and kind of each); the
//! history: stride, the rows the page keeps (`0`: all are sent again), the rows sent, whether they
//! hold a baseline loss, then column by column: steps, loss, baseline loss, gradient norm, clip
//! factor, and the gradient norm grid, row-major. A place is `0` activation or `2` gradient, each
//! with its layer, or `1` loss; an event kind `0` non-finite (with its place), `1` loss non-finite,
//! `2` gradient NaN, `3` some parameters NaN, `4` all parameters NaN.
//!
//! The history only grows by appended rows, except when it is full, when every other row is
//! dropped and the stride doubles: so an update sends the rows appended since the last one
//! while the stride stays, and the whole history when it has changed.

use super::records::{Event, EventKind, Latest, LayerProfile, Origin, Place, Records, StepScalars};
use super::session::{Halt, Session};
use super::spec::{
    Activation, ChainSpec, Clip, Init, MlpSpec, ModelSpec, Norm, NormPlace, Residual, TaskSpec,
    TrainSpec,
};
use crate::sim::format::NumberFormat;

/// The largest step, count or layer an update carries: every integer up to it is exact in
/// `f64`.
pub(super) const MAX_EXACT: u64 = 1 << 53;

/// The numbers of a [`LayerProfile`] on the wire.
const PROFILE_FIELDS: usize = 8;

/// The step an update brings its run to, read without applying it (`None` if the update
/// is malformed there).
pub fn steps_of(update: &[f64]) -> Option<u64> {
    let mut r = Reader::new(update);
    r.count()?;
    r.step()
}

/// The spec as `f64`s (see the [module's documentation](self) for the layout).
/// `decode_spec(&encode_spec(s))` gives `s` back, bit for bit.
pub fn encode_spec(spec: &TrainSpec) -> Vec<f64> {
    let mut out = Vec::with_capacity(40);
    match spec.model {
        ModelSpec::Chain(c) => {
            out.push(0.0);
            push_halves(&mut out, c.depth as u64);
            out.extend([c.w0, c.b0, c.init_noise]);
            out.push(format_code(c.format));
        }
        ModelSpec::Mlp(m) => {
            out.push(1.0);
            push_halves(&mut out, m.width as u64);
            push_halves(&mut out, m.depth as u64);
            out.push(match m.activation {
                Activation::Linear => 0.0,
                Activation::Tanh => 1.0,
                Activation::Relu => 2.0,
                Activation::Sigmoid => 3.0,
            });
            match m.init {
                Init::PyTorchDefault => out.push(0.0),
                Init::Normal { sigma, sigma_b } => out.extend([1.0, sigma, sigma_b]),
                Init::Standard => out.push(2.0),
                Init::XavierUniform => out.push(3.0),
                Init::XavierNormal => out.push(4.0),
                Init::KaimingNormal => out.push(5.0),
                Init::Orthogonal => out.push(6.0),
            }
            match m.gain {
                None => out.push(0.0),
                Some(g) => out.extend([1.0, g]),
            }
            out.push(format_code(m.format));
            let place = |p: NormPlace| match p {
                NormPlace::Before => 0.0,
                NormPlace::After => 1.0,
            };
            match m.norm {
                Norm::None => out.push(0.0),
                Norm::Layer(p) => out.extend([1.0, place(p)]),
                Norm::Batch(p) => out.extend([2.0, place(p)]),
            }
            match m.residual {
                Residual::Off => out.push(0.0),
                Residual::On { alpha, zero_init } => {
                    out.extend([1.0, alpha, f64::from(u8::from(zero_init))])
                }
            }
        }
    }
    match spec.task {
        TaskSpec::Line { slope, intercept } => out.extend([0.0, slope, intercept]),
        TaskSpec::Sine => out.push(1.0),
        TaskSpec::Circle => out.push(2.0),
        TaskSpec::Xor => out.push(3.0),
        TaskSpec::Spiral => out.push(4.0),
    }
    push_halves(&mut out, spec.samples as u64);
    out.push(spec.noise);
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
pub fn decode_spec(data: &[f64]) -> Option<TrainSpec> {
    let mut r = Reader::new(data);
    let model = match r.code(2)? {
        0 => ModelSpec::Chain(ChainSpec {
            depth: r.usize_halves()?,
            w0: r.f64()?,
            b0: r.f64()?,
            init_noise: r.f64()?,
            format: r.format()?,
        }),
        _ => {
            let width = r.usize_halves()?;
            let depth = r.usize_halves()?;
            let activation = match r.code(4)? {
                0 => Activation::Linear,
                1 => Activation::Tanh,
                2 => Activation::Relu,
                _ => Activation::Sigmoid,
            };
            let init = match r.code(7)? {
                0 => Init::PyTorchDefault,
                1 => Init::Normal {
                    sigma: r.f64()?,
                    sigma_b: r.f64()?,
                },
                2 => Init::Standard,
                3 => Init::XavierUniform,
                4 => Init::XavierNormal,
                5 => Init::KaimingNormal,
                _ => Init::Orthogonal,
            };
            let gain = if r.flag()? { Some(r.f64()?) } else { None };
            let format = r.format()?;
            let norm = match r.code(3)? {
                0 => Norm::None,
                1 => Norm::Layer(r.norm_place()?),
                _ => Norm::Batch(r.norm_place()?),
            };
            let residual = if r.flag()? {
                Residual::On {
                    alpha: r.f64()?,
                    zero_init: r.flag()?,
                }
            } else {
                Residual::Off
            };
            ModelSpec::Mlp(MlpSpec {
                width,
                depth,
                activation,
                init,
                gain,
                format,
                norm,
                residual,
            })
        }
    };
    let task = match r.code(5)? {
        0 => TaskSpec::Line {
            slope: r.f64()?,
            intercept: r.f64()?,
        },
        1 => TaskSpec::Sine,
        2 => TaskSpec::Circle,
        3 => TaskSpec::Xor,
        _ => TaskSpec::Spiral,
    };
    let spec = TrainSpec {
        model,
        task,
        samples: r.usize_halves()?,
        noise: r.f64()?,
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

/// The worker's side of one session: what it has sent of the history so far, so that each
/// update sends only what changed. One outbox per session (a new session needs a new
/// outbox, as its page needs a new [`Mirror`]).
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    /// What the last update sent of the history.
    sent: Sent,
}

impl Outbox {
    /// An outbox that has sent nothing yet.
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// Everything the page lacks of `session` since the last call, as one buffer for
    /// [`Mirror::apply`] (see the [module's documentation](self) for the layout): the steps,
    /// the halt, the latest step, the events, and the history's rows appended since the last
    /// call, or all of them if the stride has changed (or on the first call). The buffers
    /// must be applied in the order they were made, each once.
    pub fn update(&mut self, session: &Session) -> Vec<f64> {
        let rec = session.records();
        let depth = rec.depth();
        let history = History::from(rec);
        let from = self.sent.advance(&history);
        let n = rec.rows() - from;
        let latest_len = rec
            .latest()
            .map_or(1, |l| 9 + PROFILE_FIELDS * l.layers.len());
        let columns = 4 + usize::from(history.baseline.is_some()) + depth;
        let mut out =
            Vec::with_capacity(12 + latest_len + 3 * rec.events().len() + 4 + n * columns);

        out.extend([count(depth), step(session.steps())]);
        match session.halt() {
            None => out.push(0.0),
            Some(h) => {
                out.extend([1.0, step(h.step), step(h.first_nan_step)]);
                match h.origin {
                    None => out.push(0.0),
                    Some(o) => {
                        out.extend([1.0, step(o.step)]);
                        push_place(&mut out, o.place);
                    }
                }
            }
        }
        match rec.latest() {
            None => out.push(0.0),
            Some(l) => {
                out.extend([1.0, step(l.step), l.loss]);
                match l.baseline_loss {
                    None => out.push(0.0),
                    Some(b) => out.extend([1.0, b]),
                }
                out.extend([
                    l.grad_total,
                    l.clip_coef,
                    step(l.layers_step),
                    count(l.layers.len()),
                ]);
                for p in &l.layers {
                    out.extend([
                        p.grad_norm,
                        p.weight_norm,
                        p.update_ratio,
                        p.act_mean,
                        p.act_std,
                        p.saturated,
                        p.dead,
                        p.output_grad,
                    ]);
                }
            }
        }
        out.push(count(rec.events().len()));
        for e in rec.events() {
            out.push(step(e.step));
            match e.kind {
                EventKind::NonFinite(place) => {
                    out.push(0.0);
                    push_place(&mut out, place);
                }
                EventKind::LossNonFinite => out.push(1.0),
                EventKind::GradientNan => out.push(2.0),
                EventKind::SomeParametersNan => out.push(3.0),
                EventKind::AllParametersNan => out.push(4.0),
            }
        }
        history.push(&mut out, from);
        out.extend_from_slice(&rec.grad_total()[from..]);
        out.extend_from_slice(&rec.clip_coef()[from..]);
        out.extend_from_slice(&rec.grad_norm_grid()[from * depth..]);
        out
    }
}

/// The page's side of one session: its state as the worker last sent it, read as a
/// [`Session`] is.
#[derive(Clone, Debug)]
pub struct Mirror {
    spec: TrainSpec,
    steps: u64,
    halt: Option<Halt>,
    records: Records,
}

impl Mirror {
    /// The state of a session of `spec` before its first step: the spec brought into range
    /// as [`Session::new`] does ([`TrainSpec::sanitized`]), no step, no halt, and empty
    /// records of the session's depth and capacity.
    pub fn new(spec: &TrainSpec) -> Mirror {
        let spec = spec.sanitized();
        Mirror {
            records: Records::new(spec.layers(), spec.baseline),
            spec,
            steps: 0,
            halt: None,
        }
    }

    /// Applies one buffer of [`Outbox::update`]. Returns `false`, and changes nothing, if it
    /// is malformed: a wrong length, an unknown code, a step or count that is not an exact
    /// integer, another depth, another baseline, more rows than the capacity, or rows that
    /// do not follow the ones held (an update applied twice, or one missed). Never panics.
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
        let depth = self.records.depth();
        if r.count()? != depth {
            return None;
        }
        let steps = r.step()?;
        let halt = if r.flag()? {
            Some(Halt {
                step: r.step()?,
                first_nan_step: r.step()?,
                origin: if r.flag()? {
                    Some(Origin {
                        step: r.step()?,
                        place: r.place()?,
                    })
                } else {
                    None
                },
            })
        } else {
            None
        };
        let latest = if r.flag()? {
            let step = r.step()?;
            let loss = r.f64()?;
            let baseline_loss = if r.flag()? { Some(r.f64()?) } else { None };
            let grad_total = r.f64()?;
            let clip_coef = r.f64()?;
            let layers_step = r.step()?;
            let n = r.count()?;
            let fields = r.slice(n.checked_mul(PROFILE_FIELDS)?)?;
            let layers = fields
                .chunks_exact(PROFILE_FIELDS)
                .map(|p| LayerProfile {
                    grad_norm: p[0],
                    weight_norm: p[1],
                    update_ratio: p[2],
                    act_mean: p[3],
                    act_std: p[4],
                    saturated: p[5],
                    dead: p[6],
                    output_grad: p[7],
                })
                .collect();
            Some(Latest {
                step,
                loss,
                baseline_loss,
                grad_total,
                clip_coef,
                layers_step,
                layers,
            })
        } else {
            None
        };
        let n = r.count()?;
        // Each event takes at least two numbers: a huge count runs out of data, not memory.
        let mut events = Vec::with_capacity(n.min(r.remaining() / 2));
        for _ in 0..n {
            let step = r.step()?;
            let kind = match r.code(5)? {
                0 => EventKind::NonFinite(r.place()?),
                1 => EventKind::LossNonFinite,
                2 => EventKind::GradientNan,
                3 => EventKind::SomeParametersNan,
                _ => EventKind::AllParametersNan,
            };
            events.push(Event { step, kind });
        }
        let rec = &self.records;
        let rows = Rows::read(&mut r, &History::from(rec), rec.capacity())?;
        let n = rows.steps.len();
        let grad_total = r.slice(n)?;
        let clip_coef = r.slice(n)?;
        let grid = r.slice(n.checked_mul(depth)?)?;
        r.finish()?;
        Some(Parsed {
            steps,
            halt,
            latest,
            events,
            rows,
            grad_total,
            clip_coef,
            grid,
        })
    }

    /// Makes a checked update the mirror's state.
    fn commit(&mut self, u: Parsed) {
        self.steps = u.steps;
        self.halt = u.halt;
        let rec = &mut self.records;
        rec.set_latest(u.latest);
        rec.set_events(u.events);
        if u.rows.from == 0 {
            rec.restart_history(u.rows.stride);
        }
        let depth = rec.depth();
        for (r, &step) in u.rows.steps.iter().enumerate() {
            rec.push_row(
                StepScalars {
                    step,
                    loss: u.rows.loss[r],
                    baseline_loss: u.rows.baseline_loss.map(|b| b[r]),
                    grad_total: u.grad_total[r],
                    clip_coef: u.clip_coef[r],
                },
                u.grid[r * depth..(r + 1) * depth].iter().copied(),
            );
        }
    }

    /// The spec as the session uses it (after [`TrainSpec::sanitized`]), as
    /// [`Session::spec`].
    pub fn spec(&self) -> &TrainSpec {
        &self.spec
    }

    /// The number of steps run, as [`Session::steps`].
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Why and where training stopped itself, once it has, as [`Session::halt`].
    pub fn halt(&self) -> Option<Halt> {
        self.halt
    }

    /// The history, the latest profiles and the events, as [`Session::records`].
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// The number of layers recorded, as [`Session::depth`].
    pub fn depth(&self) -> usize {
        self.records.depth()
    }
}

/// An update read and checked, before it changes the mirror.
struct Parsed<'a> {
    steps: u64,
    halt: Option<Halt>,
    latest: Option<Latest>,
    events: Vec<Event>,
    rows: Rows<'a>,
    grad_total: &'a [f64],
    clip_coef: &'a [f64],
    grid: &'a [f64],
}

/// What an outbox has sent of a history: the stride and the number of rows of the last
/// update, once there has been one. Both labs' outboxes keep one, so that an update sends
/// the rows appended since the last while the stride stays, and all of them once it has
/// changed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sent(Option<(u64, usize)>);

impl Sent {
    /// The first row of `history` to send (`0`: all of them, on the first update or once
    /// the stride has changed), noting that this update sends every row it holds.
    pub(crate) fn advance(&mut self, history: &History) -> usize {
        let rows = history.steps.len();
        let from = match self.0 {
            Some((stride, sent)) if stride == history.stride && sent <= rows => sent,
            _ => 0,
        };
        self.0 = Some((history.stride, rows));
        from
    }
}

/// A history as far as both labs' updates treat it alike: the stride and the columns every
/// history has (one row a step recorded), read from the records on either side.
pub(crate) struct History<'a> {
    /// The stride: a row every `stride` steps.
    pub(crate) stride: u64,
    /// The step of each row.
    pub(crate) steps: &'a [u64],
    /// The loss of each row.
    pub(crate) loss: &'a [f64],
    /// The baseline loss of each row, if the run has a baseline.
    pub(crate) baseline: Option<&'a [f64]>,
}

impl History<'_> {
    /// Pushes the history's head and its common columns from row `from` on: stride, `from`,
    /// the rows sent, whether they hold a baseline loss, then the steps, the loss and the
    /// baseline loss (if any). The lab's own columns follow.
    pub(crate) fn push(&self, out: &mut Vec<f64>, from: usize) {
        out.extend([
            step(self.stride),
            count(from),
            count(self.steps.len() - from),
            f64::from(u8::from(self.baseline.is_some())),
        ]);
        out.extend(self.steps[from..].iter().map(|&s| step(s)));
        out.extend_from_slice(&self.loss[from..]);
        if let Some(b) = self.baseline {
            out.extend_from_slice(&b[from..]);
        }
    }
}

/// The history of a training-lab run's records, as its outbox sends it and its mirror holds it.
impl<'a> From<&'a Records> for History<'a> {
    fn from(rec: &'a Records) -> History<'a> {
        History {
            stride: rec.stride(),
            steps: rec.steps(),
            loss: rec.loss(),
            baseline: rec.baseline_loss(),
        }
    }
}

/// The history's head and common columns of an update, read and checked (as
/// [`History::push`] wrote them).
pub(crate) struct Rows<'a> {
    /// The stride of the rows.
    pub(crate) stride: u64,
    /// The row the first one sent stands at (`0`: the history starts again).
    pub(crate) from: usize,
    /// The step of each row sent; its length is the number of rows sent.
    pub(crate) steps: Vec<u64>,
    /// The loss of each row sent.
    pub(crate) loss: &'a [f64],
    /// The baseline loss of each row sent, if the run has a baseline.
    pub(crate) baseline_loss: Option<&'a [f64]>,
}

impl<'a> Rows<'a> {
    /// Reads the history's head and common columns, for a mirror that holds `held` and at
    /// most `capacity` rows; `None` if a number is missing or not an exact integer, the
    /// stride is not a power of two, the rows do not follow the ones held (another stride,
    /// or another row than the next: an update applied twice, or one missed), there are
    /// more than `capacity`, or the baseline flag is not the one held. (As visible as the
    /// [`Reader`] it reads with.)
    pub(super) fn read(r: &mut Reader<'a>, held: &History, capacity: usize) -> Option<Rows<'a>> {
        let stride = r.step()?;
        let from = r.count()?;
        let n = r.count()?;
        let baseline = r.flag()?;
        let follows = from == 0 || (from == held.steps.len() && stride == held.stride);
        if stride == 0
            || !stride.is_power_of_two()
            || !follows
            || from.checked_add(n)? > capacity
            || baseline != held.baseline.is_some()
        {
            return None;
        }
        let steps = r.slice(n)?;
        let loss = r.slice(n)?;
        let baseline_loss = if baseline { Some(r.slice(n)?) } else { None };
        let steps = steps
            .iter()
            .map(|&v| exact(v, MAX_EXACT))
            .collect::<Option<Vec<u64>>>()?;
        Some(Rows {
            stride,
            from,
            steps,
            loss,
            baseline_loss,
        })
    }
}

/// A step as an exact `f64` (every step a run reaches is far below 2^53).
pub(super) fn step(s: u64) -> f64 {
    debug_assert!(s <= MAX_EXACT, "step {s} is not exact in f64");
    s as f64
}

/// A count or layer as an exact `f64`.
pub(super) fn count(n: usize) -> f64 {
    step(n as u64)
}

/// `v` as two exact `u32` halves, the high one first.
pub(super) fn push_halves(out: &mut Vec<f64>, v: u64) {
    out.extend([(v >> 32) as f64, (v & 0xffff_ffff) as f64]);
}

/// Clipping: `0` off, `1` by norm, `2` by value, with the threshold.
pub(super) fn push_clip(out: &mut Vec<f64>, clip: Clip) {
    match clip {
        Clip::Off => out.push(0.0),
        Clip::Norm(m) => out.extend([1.0, m]),
        Clip::Value(v) => out.extend([2.0, v]),
    }
}

pub(super) fn format_code(f: NumberFormat) -> f64 {
    match f {
        NumberFormat::F16 => 0.0,
        NumberFormat::Bf16 => 1.0,
        NumberFormat::F32 => 2.0,
        NumberFormat::F64 => 3.0,
    }
}

fn push_place(out: &mut Vec<f64>, place: Place) {
    match place {
        Place::Activation(l) => out.extend([0.0, count(l)]),
        Place::Loss => out.push(1.0),
        Place::Gradient(l) => out.extend([2.0, count(l)]),
    }
}

/// `v` if it is an integer from 0 to `max` (not `-0`, so that every buffer decoded encodes
/// back to the same bits).
pub(super) fn exact(v: f64, max: u64) -> Option<u64> {
    (v.is_sign_positive() && v <= max as f64 && v.fract() == 0.0).then_some(v as u64)
}

/// Reads a buffer front to back; every read checks that the number is there.
pub(super) struct Reader<'a> {
    data: &'a [f64],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [f64]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(super) fn f64(&mut self) -> Option<f64> {
        let v = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(v)
    }

    pub(super) fn slice(&mut self, n: usize) -> Option<&'a [f64]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A code from 0 to `n − 1`.
    pub(super) fn code(&mut self, n: u64) -> Option<u64> {
        exact(self.f64()?, n - 1)
    }

    pub(super) fn flag(&mut self) -> Option<bool> {
        Some(self.code(2)? == 1)
    }

    pub(super) fn step(&mut self) -> Option<u64> {
        exact(self.f64()?, MAX_EXACT)
    }

    pub(super) fn count(&mut self) -> Option<usize> {
        usize::try_from(self.step()?).ok()
    }

    pub(super) fn u64_halves(&mut self) -> Option<u64> {
        let hi = exact(self.f64()?, u32::MAX.into())?;
        let lo = exact(self.f64()?, u32::MAX.into())?;
        Some(hi << 32 | lo)
    }

    pub(super) fn usize_halves(&mut self) -> Option<usize> {
        usize::try_from(self.u64_halves()?).ok()
    }

    pub(super) fn format(&mut self) -> Option<NumberFormat> {
        Some(NumberFormat::ALL[self.code(4)? as usize])
    }

    /// Clipping as [`push_clip`] writes it.
    pub(super) fn clip(&mut self) -> Option<Clip> {
        Some(match self.code(3)? {
            0 => Clip::Off,
            1 => Clip::Norm(self.f64()?),
            _ => Clip::Value(self.f64()?),
        })
    }

    fn norm_place(&mut self) -> Option<NormPlace> {
        Some(if self.flag()? {
            NormPlace::After
        } else {
            NormPlace::Before
        })
    }

    fn place(&mut self) -> Option<Place> {
        Some(match self.code(3)? {
            0 => Place::Activation(self.count()?),
            1 => Place::Loss,
            _ => Place::Gradient(self.count()?),
        })
    }

    /// `Some` if every number has been read.
    pub(super) fn finish(&self) -> Option<()> {
        (self.pos == self.data.len()).then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::remote::checks::{self, bits};

    fn chain(depth: usize, w0: f64, lr: f64, format: NumberFormat) -> TrainSpec {
        TrainSpec {
            model: ModelSpec::Chain(ChainSpec {
                depth,
                w0,
                format,
                ..ChainSpec::default()
            }),
            lr,
            ..TrainSpec::default()
        }
    }

    fn mlp(m: MlpSpec) -> TrainSpec {
        TrainSpec {
            model: ModelSpec::Mlp(m),
            task: TaskSpec::Circle,
            samples: 64,
            batch: 16,
            lr: 0.05,
            ..TrainSpec::default()
        }
    }

    const ACTIVATIONS: [Activation; 4] = [
        Activation::Linear,
        Activation::Tanh,
        Activation::Relu,
        Activation::Sigmoid,
    ];

    /// Every variant of every enum of the spec, and the extremes of its integers.
    fn hand_picked() -> Vec<TrainSpec> {
        let inits = [
            Init::PyTorchDefault,
            Init::Normal {
                sigma: 2.5,
                sigma_b: 0.05,
            },
            Init::Normal {
                sigma: f64::NAN,
                sigma_b: -0.0,
            },
            Init::Standard,
            Init::XavierUniform,
            Init::XavierNormal,
            Init::KaimingNormal,
            Init::Orthogonal,
        ];
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
                alpha: 0.1,
                zero_init: true,
            },
            Residual::On {
                alpha: 1.0,
                zero_init: false,
            },
        ];
        let tasks = [
            TaskSpec::Line {
                slope: -3.5,
                intercept: 1e-300,
            },
            TaskSpec::Sine,
            TaskSpec::Circle,
            TaskSpec::Xor,
            TaskSpec::Spiral,
        ];
        let clips = [
            Clip::Off,
            Clip::Norm(1.0),
            Clip::Value(0.25),
            Clip::Norm(f64::INFINITY),
            Clip::Value(-5e-324),
        ];
        let seeds = [
            0,
            1,
            u64::from(u32::MAX),
            1 << 32,
            (1 << 53) + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        // The default, and the default with a seed that differs in its high half only.
        let mut specs = vec![
            TrainSpec::default(),
            TrainSpec {
                seed: 1 << 32,
                ..TrainSpec::default()
            },
        ];
        for format in NumberFormat::ALL {
            specs.push(chain(1000, 1.1, 1.0, format));
            specs.push(mlp(MlpSpec {
                format,
                ..MlpSpec::default()
            }));
        }
        for (i, init) in inits.into_iter().enumerate() {
            for activation in ACTIVATIONS {
                for gain in [None, Some(0.7), Some(f64::NEG_INFINITY)] {
                    specs.push(mlp(MlpSpec {
                        width: 16 + i,
                        depth: 6,
                        activation,
                        init,
                        gain,
                        ..MlpSpec::default()
                    }));
                }
            }
        }
        for norm in norms {
            for residual in residuals {
                specs.push(mlp(MlpSpec {
                    norm,
                    residual,
                    ..MlpSpec::default()
                }));
            }
        }
        for (i, task) in tasks.into_iter().enumerate() {
            for (j, clip) in clips.into_iter().enumerate() {
                for (k, seed) in seeds.into_iter().enumerate() {
                    specs.push(TrainSpec {
                        task,
                        clip,
                        seed,
                        baseline: (i + j + k) % 2 == 0,
                        batch: k,
                        ..TrainSpec::default()
                    });
                }
            }
        }
        specs.push(TrainSpec {
            model: ModelSpec::Chain(ChainSpec {
                depth: usize::MAX,
                w0: f64::NAN,
                b0: -0.0,
                init_noise: f64::from_bits(0x7ff0_dead_beef_0001),
                format: NumberFormat::Bf16,
            }),
            samples: usize::MAX,
            batch: usize::MAX - 7,
            noise: f64::NEG_INFINITY,
            lr: f64::MIN_POSITIVE,
            momentum: f64::MAX,
            seed: u64::MAX,
            baseline: false,
            ..TrainSpec::default()
        });
        specs.push(mlp(MlpSpec {
            width: usize::MAX,
            depth: usize::MAX - 1,
            ..MlpSpec::default()
        }));
        specs
    }

    #[test]
    fn every_hand_picked_spec_round_trips_bit_for_bit() {
        let specs = hand_picked();
        assert!(specs.len() > 250);
        checks::specs_round_trip::<Session>(&specs, TrainSpec::sanitized);
    }

    #[test]
    fn malformed_specs_are_refused() {
        checks::malformed_specs_are_refused::<Session>(&hand_picked());
        // The chain: [0, depth hi, depth lo, w0, b0, init_noise, format, task, …].
        let data = encode_spec(&TrainSpec::default());
        assert!(decode_spec(&data).is_some());
        let with = |i: usize, v: f64| {
            let mut d = data.clone();
            d[i] = v;
            decode_spec(&d)
        };
        for v in [f64::NAN, 2.0, 0.5, -1.0, -0.0, f64::INFINITY] {
            assert_eq!(with(0, v), None, "model code {v}");
        }
        for v in [f64::NAN, 4.0, 2.5, -1.0] {
            assert_eq!(with(6, v), None, "format code {v}");
        }
        assert_eq!(with(7, 5.0), None, "task code");
        assert_eq!(with(1, 4_294_967_296.0), None, "a half beyond u32");
        assert_eq!(with(2, 0.25), None, "a fractional half");
        let last = data.len() - 1;
        assert_eq!(with(last, 2.0), None, "baseline flag");
        assert_eq!(with(last - 1, f64::NAN), None, "seed half");
        assert_eq!(decode_spec(&[]), None);
        assert_eq!(decode_spec(&[f64::NAN; 40]), None);
    }

    /// A small run that halts: every section of an update is filled (halt, origin, events).
    fn halting_update() -> (Mirror, Vec<f64>) {
        let spec = chain(20, 3.0, 0.0, NumberFormat::F16);
        let mut session = Session::new(&spec);
        session.run(10);
        assert!(session.halt().is_some());
        let update = Outbox::new().update(&session);
        (Mirror::new(&spec), update)
    }

    /// The property tests (proptest runs natively only).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use crate::train::remote::checks::props::{self, num};
        use proptest::prelude::*;

        fn any_format() -> impl Strategy<Value = NumberFormat> {
            prop::sample::select(NumberFormat::ALL.to_vec())
        }

        fn any_place() -> impl Strategy<Value = NormPlace> {
            prop::sample::select(vec![NormPlace::Before, NormPlace::After])
        }

        fn any_model() -> impl Strategy<Value = ModelSpec> {
            let chain = (any::<usize>(), num(), num(), num(), any_format()).prop_map(
                |(depth, w0, b0, init_noise, format)| {
                    ModelSpec::Chain(ChainSpec {
                        depth,
                        w0,
                        b0,
                        init_noise,
                        format,
                    })
                },
            );
            let init = prop_oneof![
                prop::sample::select(vec![
                    Init::PyTorchDefault,
                    Init::Standard,
                    Init::XavierUniform,
                    Init::XavierNormal,
                    Init::KaimingNormal,
                    Init::Orthogonal,
                ]),
                (num(), num()).prop_map(|(sigma, sigma_b)| Init::Normal { sigma, sigma_b }),
            ];
            let norm = prop_oneof![
                Just(Norm::None),
                any_place().prop_map(Norm::Layer),
                any_place().prop_map(Norm::Batch),
            ];
            let residual = prop_oneof![
                Just(Residual::Off),
                (num(), any::<bool>())
                    .prop_map(|(alpha, zero_init)| Residual::On { alpha, zero_init }),
            ];
            let mlp = (
                any::<usize>(),
                any::<usize>(),
                prop::sample::select(ACTIVATIONS.to_vec()),
                init,
                prop::option::of(num()),
                any_format(),
                norm,
                residual,
            )
                .prop_map(
                    |(width, depth, activation, init, gain, format, norm, residual)| {
                        ModelSpec::Mlp(MlpSpec {
                            width,
                            depth,
                            activation,
                            init,
                            gain,
                            format,
                            norm,
                            residual,
                        })
                    },
                );
            prop_oneof![chain, mlp]
        }

        fn any_spec() -> impl Strategy<Value = TrainSpec> {
            let task = prop_oneof![
                (num(), num()).prop_map(|(slope, intercept)| TaskSpec::Line { slope, intercept }),
                prop::sample::select(vec![
                    TaskSpec::Sine,
                    TaskSpec::Circle,
                    TaskSpec::Xor,
                    TaskSpec::Spiral
                ]),
            ];
            let clip = prop_oneof![
                Just(Clip::Off),
                num().prop_map(Clip::Norm),
                num().prop_map(Clip::Value),
            ];
            (
                any_model(),
                task,
                any::<usize>(),
                num(),
                any::<usize>(),
                num(),
                num(),
                clip,
                any::<u64>(),
                any::<bool>(),
            )
                .prop_map(
                    |(model, task, samples, noise, batch, lr, momentum, clip, seed, baseline)| {
                        TrainSpec {
                            model,
                            task,
                            samples,
                            noise,
                            batch,
                            lr,
                            momentum,
                            clip,
                            seed,
                            baseline,
                        }
                    },
                )
        }

        #[test]
        fn any_spec_round_trips_bit_for_bit() {
            props::any_spec_round_trips::<Session>(any_spec());
        }

        #[test]
        fn a_changed_number_is_refused_or_decodes_canonically() {
            props::a_changed_number_is_refused_or_decodes_canonically::<Session>(any_spec());
        }

        #[test]
        fn arbitrary_buffers_never_panic() {
            let mirror = Mirror::new(&TrainSpec::default());
            props::arbitrary_buffers_never_panic::<Session>(&mirror, assert_same_state);
        }

        #[test]
        fn a_changed_or_cut_update_is_applied_whole_or_not_at_all() {
            let (mirror, update) = halting_update();
            props::a_changed_or_cut_update_is_applied_whole_or_not_at_all::<Session>(
                &mirror,
                &update,
                assert_same_state,
            );
        }
    }

    #[test]
    fn every_cut_of_an_update_is_refused() {
        let (mirror, update) = halting_update();
        checks::every_cut_of_an_update_is_refused::<Session>(&mirror, &update, assert_same_state);
    }

    #[test]
    fn a_changed_number_is_refused_or_applied() {
        let (mirror, update) = halting_update();
        checks::a_changed_number_is_refused_or_applied::<Session>(
            &mirror,
            &update,
            assert_same_state,
        );
    }

    /// Asserts that two `Option<f64>` are the same bits.
    fn same_option(a: Option<f64>, b: Option<f64>) -> bool {
        a.map(f64::to_bits) == b.map(f64::to_bits)
    }

    /// Asserts that two records are the same, bit for bit (NaN payloads included).
    fn assert_same_records(a: &Records, b: &Records) {
        assert_eq!(a.depth(), b.depth());
        assert_eq!(a.capacity(), b.capacity());
        assert_eq!(a.stride(), b.stride());
        assert_eq!(a.rows(), b.rows());
        assert_eq!(a.steps(), b.steps());
        assert_eq!(bits(a.loss()), bits(b.loss()));
        assert_eq!(a.baseline_loss().map(bits), b.baseline_loss().map(bits));
        assert_eq!(bits(a.grad_total()), bits(b.grad_total()));
        assert_eq!(bits(a.clip_coef()), bits(b.clip_coef()));
        assert_eq!(bits(a.grad_norm_grid()), bits(b.grad_norm_grid()));
        match (a.latest(), b.latest()) {
            (None, None) => {}
            (Some(x), Some(y)) => {
                assert_eq!((x.step, x.layers_step), (y.step, y.layers_step));
                assert_eq!(x.loss.to_bits(), y.loss.to_bits());
                assert!(same_option(x.baseline_loss, y.baseline_loss));
                assert_eq!(x.grad_total.to_bits(), y.grad_total.to_bits());
                assert_eq!(x.clip_coef.to_bits(), y.clip_coef.to_bits());
                assert_eq!(x.layers.len(), y.layers.len());
                let fields = |p: &LayerProfile| {
                    [
                        p.grad_norm,
                        p.weight_norm,
                        p.update_ratio,
                        p.act_mean,
                        p.act_std,
                        p.saturated,
                        p.dead,
                        p.output_grad,
                    ]
                    .map(f64::to_bits)
                };
                for (p, q) in x.layers.iter().zip(&y.layers) {
                    assert_eq!(fields(p), fields(q));
                }
            }
            (x, y) => panic!("latest {x:?} against {y:?}"),
        }
        assert_eq!(a.events(), b.events());
    }

    fn assert_same_state(a: &Mirror, b: &Mirror) {
        checks::assert_same_spec::<Session>(a.spec(), b.spec());
        assert_eq!(
            (a.steps(), a.halt(), a.depth()),
            (b.steps(), b.halt(), b.depth())
        );
        assert_same_records(a.records(), b.records());
    }

    fn assert_mirrors(session: &Session, mirror: &Mirror) {
        checks::assert_same_spec::<Session>(session.spec(), mirror.spec());
        assert_eq!(session.steps(), mirror.steps());
        assert_eq!(session.halt(), mirror.halt());
        assert_eq!(session.depth(), mirror.depth());
        assert_same_records(session.records(), mirror.records());
    }

    /// Runs `spec` for `steps` steps in uneven chunks, sending an update after each, and
    /// checks the mirror after every one; returns the session.
    fn run_mirrored(spec: &TrainSpec, steps: u64) -> Session {
        const CHUNKS: [u64; 10] = [1, 7, 100, 1, 3, 1000, 1, 2500, 64, 0];
        let mut session = Session::new(spec);
        let mut mirror = Mirror::new(&decode_spec(&encode_spec(spec)).unwrap());
        assert_mirrors(&session, &mirror);
        let mut outbox = Outbox::new();
        let mut chunks = CHUNKS.iter().cycle().enumerate();
        // Two chunks past the end or the halt, to check that nothing moves after it.
        let mut after = 0;
        while after < 2 {
            let (i, &n) = chunks.next().unwrap();
            if session.steps() >= steps || session.halt().is_some() {
                after += 1;
            }
            if i % 4 == 2 {
                // A step begun in one frame and finished in another.
                session.begin();
            }
            session.run(n.min(steps.saturating_sub(session.steps())));
            let update = outbox.update(&session);
            assert!(mirror.apply(&update), "chunk {i}");
            assert_mirrors(&session, &mirror);
        }
        session
    }

    #[test]
    fn the_default_chain_is_mirrored_bit_for_bit() {
        let s = run_mirrored(&TrainSpec::default(), 400);
        assert_eq!(s.steps(), 400);
        assert!(s.records().baseline_loss().is_some());
    }

    #[test]
    fn a_chain_that_halts_is_mirrored_bit_for_bit() {
        let s = run_mirrored(&chain(50, 1.1, 1.0, NumberFormat::F32), 500);
        let halt = s.halt().expect("halts");
        assert!(halt.origin.is_some());
        let r = s.records();
        assert!(r.events().len() >= 3, "{:?}", r.events());
        assert!(r.loss().iter().any(|l| l.is_nan()));
        assert_eq!(*r.steps().last().unwrap(), halt.step);
    }

    #[test]
    fn an_mlp_is_mirrored_bit_for_bit() {
        let spec = mlp(MlpSpec {
            width: 16,
            depth: 6,
            activation: Activation::Tanh,
            ..MlpSpec::default()
        });
        assert!(spec.baseline);
        let s = run_mirrored(&spec, 300);
        assert_eq!(s.depth(), 7);
        assert!(s.records().baseline_loss().is_some());
    }

    #[test]
    fn an_f64_mlp_is_mirrored_bit_for_bit() {
        let spec = TrainSpec {
            momentum: 0.9,
            clip: Clip::Norm(0.5),
            task: TaskSpec::Spiral,
            baseline: false,
            ..mlp(MlpSpec {
                width: 8,
                depth: 4,
                activation: Activation::Relu,
                init: Init::KaimingNormal,
                format: NumberFormat::F64,
                norm: Norm::Layer(NormPlace::Before),
                ..MlpSpec::default()
            })
        };
        let s = run_mirrored(&spec, 300);
        assert!(s.records().baseline_loss().is_none());
    }

    #[test]
    fn a_decimated_history_is_mirrored_bit_for_bit() {
        // One layer: the most rows, 10,000, halved twice in 25,000 steps.
        let s = run_mirrored(&chain(1, 0.5, 0.01, NumberFormat::F32), 25_000);
        assert_eq!(s.records().capacity(), 10_000);
        assert_eq!(s.records().stride(), 4);
        // 1,000 layers: the fewest rows, 1,000, halved twice in 2,100 steps.
        let s = run_mirrored(&chain(1000, 1.0, 0.001, NumberFormat::F32), 2_100);
        assert_eq!(s.records().capacity(), 1_000);
        assert_eq!(s.records().stride(), 4);
    }

    #[test]
    fn a_new_mirror_is_a_new_session() {
        let odd = TrainSpec {
            samples: 0,
            lr: f64::NAN,
            ..mlp(MlpSpec {
                depth: 0,
                format: NumberFormat::F16,
                ..MlpSpec::default()
            })
        };
        for spec in [
            TrainSpec::default(),
            odd,
            chain(5000, 1.0, 1.0, NumberFormat::F64),
        ] {
            assert_mirrors(&Session::new(&spec), &Mirror::new(&spec));
        }
    }

    #[test]
    fn an_update_of_an_unchanged_session_resends_no_row() {
        let spec = TrainSpec::default();
        let mut session = Session::new(&spec);
        let mut mirror = Mirror::new(&spec);
        let mut outbox = Outbox::new();
        session.run(100);
        let first = outbox.update(&session);
        let second = outbox.update(&session);
        assert!(mirror.apply(&first) && mirror.apply(&second));
        assert_mirrors(&session, &mirror);
        // A row: step, loss, baseline loss, gradient norm, clip factor and 50 layers.
        let row = 5 + session.depth();
        assert_eq!(first.len(), second.len() + 100 * row);
        assert!(second.len() < first.len() / 10, "{}", second.len());
        // One more step sends one more row.
        session.step();
        let third = outbox.update(&session);
        assert_eq!(third.len(), second.len() + row);
        assert!(mirror.apply(&third));
        assert_mirrors(&session, &mirror);
    }

    #[test]
    fn an_update_out_of_order_is_refused() {
        let spec = chain(3, 1.0, 0.01, NumberFormat::F32);
        // Another run: another depth, or no baseline.
        let others = [
            chain(4, 1.0, 0.01, NumberFormat::F32),
            TrainSpec {
                baseline: false,
                ..spec
            },
        ];
        let (session, mirror) =
            checks::updates_out_of_order_are_refused::<Session>(&spec, &others, assert_same_state);
        assert_mirrors(&session, &mirror);
    }
}
