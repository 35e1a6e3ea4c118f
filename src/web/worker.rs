//! Inside a Web Worker: the engine's side. The worker trains the runs the page hands it,
//! each toward the step the page aims it at, in turn, in slices of about
//! [`SLICE_MS`]; between slices it reads the page's messages. After each slice it sends each
//! run's news (`train::wire`) as a transferred buffer, never a message per step; the very
//! first step of a run goes alone, so the page keeps its per-layer profile as the start.
//!
//! The page's messages (see `workers`): `{key, generation, spec}` starts run `key` of
//! `spec` (a `train::wire` buffer) again, and `{key, generation, rnn}` a recurrent run of
//! `rnn` (a `train::rnn::wire` buffer); `{key, generation, target}` aims it
//! (`Infinity` plays on); `{key, drop: true}` lets it go; `{key, generation, probe, seeds}`
//! asks for the measurement at initialisation of the network `probe` (a spec), in place of
//! one for `key` still waiting. The worker's: `{ready: true}` once it listens,
//! `{key, generation, update}` with a run's news, and `{key, generation, probe}` with a
//! measurement (`Probe::to_wire`). A slice measures one network, if any waits, before it
//! trains.

use crate::app::lab::player::adapt_chunk;
use crate::train::remote::{Host, Hosted, Remote};
#[cfg(feature = "rnn-lab")]
use crate::train::rnn::session::RnnSession;
#[cfg(feature = "remedies-lab")]
use crate::train::wire::decode_spec;
use crate::train::{Session, TrainSpec};
use js_sys::{Array, Float64Array, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

/// How long the worker trains before it sends its news and reads its messages.
const SLICE_MS: f64 = 25.0;

/// A new run of the spec a message carries (`spec`, or `rnn` for a recurrent one), if it
/// carries one that decodes.
fn hosted<S: Remote + 'static>(spec: &JsValue) -> Option<Box<dyn Hosted>> {
    let spec = S::decode(&spec.dyn_ref::<Float64Array>()?.to_vec())?;
    Some(Box::new(Host::<S>::new(&spec)))
}

/// One run the worker trains.
struct Run {
    generation: u32,
    session: Box<dyn Hosted>,
    target: u64,
    /// Steps per call of the engine, adapted to take about a millisecond.
    chunk: u64,
    /// Whether it has news the page has not had.
    news: bool,
    /// The number of the page's last message about it, sent back with its news.
    seq: u32,
    /// What its last step took, in milliseconds.
    step_ms: Option<f64>,
}

impl Run {
    fn going(&self) -> bool {
        !self.session.halted() && self.session.steps() < self.target
    }
}

/// The worker's state.
struct Engine {
    scope: DedicatedWorkerGlobalScope,
    /// The runs, with the page's keys.
    runs: RefCell<Vec<(u32, Run)>>,
    /// The measurements asked for: key, generation, network and seeds, in order.
    measures: RefCell<Vec<(u32, u32, TrainSpec, usize)>>,
    /// Whether a slice is asked for.
    scheduled: Cell<bool>,
    /// The channel on which the worker asks itself for the next slice: unlike a timer, its
    /// message is not delayed.
    channel: MessageChannel,
}

thread_local! {
    static ENGINE: RefCell<Option<Rc<Engine>>> = const { RefCell::new(None) };
}

/// Starts the worker's engine: listens to the page, handles the messages `queued` while the
/// module loaded, and says it is ready.
#[wasm_bindgen]
pub fn worker_start(queued: Array) -> Result<(), JsValue> {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let engine = Rc::new(Engine {
        scope: scope.clone(),
        runs: RefCell::new(Vec::new()),
        measures: RefCell::new(Vec::new()),
        scheduled: Cell::new(false),
        channel: MessageChannel::new()?,
    });
    let e = engine.clone();
    let slice = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| e.slice());
    engine
        .channel
        .port1()
        .set_onmessage(Some(slice.as_ref().unchecked_ref()));
    slice.forget();
    let e = engine.clone();
    let message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| e.handle(&m.data()));
    scope.set_onmessage(Some(message.as_ref().unchecked_ref()));
    message.forget();
    for m in queued.iter() {
        engine.handle(&m);
    }
    ENGINE.with(|slot| *slot.borrow_mut() = Some(engine));
    let ready = Object::new();
    Reflect::set(&ready, &"ready".into(), &true.into())?;
    scope.post_message(&ready)
}

/// A field of a message.
fn field(data: &JsValue, name: &str) -> JsValue {
    Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

impl Engine {
    fn now(&self) -> f64 {
        self.scope.performance().map_or(0.0, |p| p.now())
    }

    /// One message of the page.
    fn handle(&self, data: &JsValue) {
        let Some(key) = field(data, "key").as_f64().map(|k| k as u32) else {
            return;
        };
        let generation = field(data, "generation").as_f64().unwrap_or(0.0) as u32;
        // Only the remedies lab measures at initialisation: a module without it ignores such
        // a message (its page never sends one).
        #[cfg(feature = "remedies-lab")]
        if let Some(spec) = field(data, "probe").dyn_ref::<Float64Array>() {
            if let Some(spec) = decode_spec(&spec.to_vec()) {
                let seeds = field(data, "seeds").as_f64().unwrap_or(1.0) as usize;
                let mut measures = self.measures.borrow_mut();
                measures.retain(|m| m.0 != key);
                measures.push((key, generation, spec, seeds));
            }
            self.schedule();
            return;
        }
        let mut runs = self.runs.borrow_mut();
        let (spec, rnn) = (field(data, "spec"), field(data, "rnn"));
        if field(data, "drop").is_truthy() || spec.is_object() || rnn.is_object() {
            runs.retain(|r| r.0 != key);
        }
        let started = hosted::<Session>(&spec);
        // Only the recurrent lab trains recurrent networks: a module without it ignores
        // such a run (its page never sends one).
        #[cfg(feature = "rnn-lab")]
        let started = started.or_else(|| hosted::<RnnSession>(&rnn));
        if let Some(session) = started {
            runs.push((
                key,
                Run {
                    generation,
                    session,
                    target: 0,
                    chunk: 1,
                    news: false,
                    seq: 0,
                    step_ms: None,
                },
            ));
        }
        let run = runs.iter_mut().find(|r| r.0 == key).map(|r| &mut r.1);
        if let (Some(target), Some(run)) = (field(data, "target").as_f64(), run) {
            // Answered with the run's news, even if it has none: the page then knows that
            // what it shows is final.
            run.seq = field(data, "seq").as_f64().unwrap_or(0.0) as u32;
            run.news = true;
            if run.generation == generation && target >= 0.0 {
                run.target = if target.is_finite() {
                    target as u64
                } else {
                    u64::MAX
                };
            }
        }
        drop(runs);
        self.schedule();
    }

    /// Asks for a slice, unless one is asked for.
    fn schedule(&self) {
        if !self.scheduled.replace(true) {
            let _ = self.channel.port2().post_message(&JsValue::NULL);
        }
    }

    /// One slice: each run still going trains for its share of [`SLICE_MS`], then every
    /// run with news sends it.
    fn slice(&self) {
        self.scheduled.set(false);
        #[cfg(feature = "remedies-lab")]
        self.measure_one();
        let mut runs = self.runs.borrow_mut();
        let going = runs.iter().filter(|(_, r)| r.going()).count();
        let share = SLICE_MS / going.max(1) as f64;
        for (_, run) in runs.iter_mut().filter(|(_, r)| r.going()) {
            run.news = true;
            let (start, before) = (self.now(), run.session.steps());
            if before == 0 {
                // The first step alone: the page keeps its profile as the start.
                run.session.train(1);
            } else {
                while run.going() && self.now() - start < share {
                    let n = run.chunk.min(run.target - run.session.steps());
                    let t0 = self.now();
                    run.session.train(n);
                    run.chunk = adapt_chunk(run.chunk, self.now() - t0);
                }
            }
            let ran = run.session.steps() - before;
            if ran > 0 {
                run.step_ms = Some((self.now() - start) / ran as f64);
            }
        }
        for (key, run) in runs.iter_mut().filter(|(_, r)| r.news) {
            run.news = false;
            let update = run.session.update();
            let _ = self.post(*key, run.generation, "update", &update, Some(&*run));
        }
        let more = runs.iter().any(|(_, r)| r.going()) || !self.measures.borrow().is_empty();
        drop(runs);
        if more {
            self.schedule();
        }
    }

    /// Makes the first measurement asked for, if any, and sends it.
    #[cfg(feature = "remedies-lab")]
    fn measure_one(&self) {
        let waiting = {
            let mut measures = self.measures.borrow_mut();
            (!measures.is_empty()).then(|| measures.remove(0))
        };
        if let Some((key, generation, spec, seeds)) = waiting {
            let measured = crate::train::probe::probe(&spec, seeds).to_wire();
            let _ = self.post(key, generation, "probe", &measured, None);
        }
    }

    /// Sends a run's news or a measurement as `name`, its buffer transferred rather than
    /// copied; news carries the number of the page's last message about the run and what
    /// its last step took (`ms`).
    fn post(
        &self,
        key: u32,
        generation: u32,
        name: &str,
        numbers: &[f64],
        run: Option<&Run>,
    ) -> Result<(), JsValue> {
        let buffer = Float64Array::new_with_length(numbers.len() as u32);
        buffer.copy_from(numbers);
        let message = Object::new();
        Reflect::set(&message, &"key".into(), &key.into())?;
        Reflect::set(&message, &"generation".into(), &generation.into())?;
        if let Some(run) = run {
            Reflect::set(&message, &"seq".into(), &run.seq.into())?;
            if let Some(ms) = run.step_ms {
                Reflect::set(&message, &"ms".into(), &ms.into())?;
            }
        }
        Reflect::set(&message, &name.into(), &buffer)?;
        self.scope
            .post_message_with_transfer(&message, &Array::of1(&buffer.buffer()))
    }
}
