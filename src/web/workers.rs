//! The page's side of the engine's Web Workers: one bounded pool for the whole page,
//! shared by its view and every in-page figure, of `min(4, hardwareConcurrency − 1)`
//! workers, at least one, each started on first use. A worker runs this same module
//! (`worker.js` loads it with the compiled `WebAssembly.Module` the page sends, so it is
//! not compiled again): the same code, the same bits.
//!
//! A mounted view holds a [`Client`]: each frame it hands the client its [`Job`]s and
//! [`Measure`]s, and the client sends a worker only what changed (a new start, a new aim, a
//! run let go, a measurement not yet asked for). A
//! view off screen aims its runs at 0, which stops them where they are. The worker's news
//! lands in the view's [`Inbox`], which asks the view for a frame. If a worker cannot start
//! or fails, every view is told so and trains on the page's thread from then on.
//!
//! The page's loader says where the worker's script and the module's JavaScript are, in
//! `deepSignalWorker = {script, glue}` (addresses, relative to the page or whole); without
//! it (or without `Worker`), there is no pool.

use super::dom::window;
use crate::app::view::{Job, JobSpec, Measure, News};
use crate::train::wire::encode_spec;
use js_sys::{Float64Array, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, MessageEvent, Worker, WorkerOptions, WorkerType};

/// The most workers a page starts, whatever its number of cores.
const MAX_WORKERS: usize = 4;
/// The most runs one view hands the pool (the remedies lab's four configurations).
const RUNS_PER_CLIENT: u32 = 8;
/// The same, as a length.
const RUNS: usize = RUNS_PER_CLIENT as usize;

/// What arrived from a worker for one of a view's runs.
pub enum Arrival {
    /// A state of run `run`.
    News { run: usize, news: News },
    /// The result of measurement `generation` of configuration `run` (`Probe::to_wire`).
    Measured {
        run: usize,
        generation: u32,
        probe: Vec<f64>,
    },
}

/// What a view receives from the workers.
#[derive(Default)]
pub struct Inbox {
    /// What arrived, in order.
    arrivals: RefCell<Vec<Arrival>>,
    /// Whether the workers failed: the view must train here.
    failed: Cell<bool>,
    /// By run, the last of the view's messages its worker had read when it last sent.
    echoed: RefCell<[u32; RUNS]>,
    /// Asks the view for a frame.
    wake: RefCell<Option<Box<dyn Fn()>>>,
}

impl Inbox {
    /// Takes what arrived since the last call.
    pub fn take(&self) -> Vec<Arrival> {
        self.arrivals.take()
    }

    /// Whether the workers failed.
    pub fn failed(&self) -> bool {
        self.failed.get()
    }

    fn wake(&self) {
        if let Some(wake) = &*self.wake.borrow() {
            wake();
        }
    }
}

/// One worker of the pool.
struct PoolWorker {
    worker: Worker,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(Event)>,
}

/// The page's workers.
pub struct Pool {
    script: String,
    glue: String,
    size: usize,
    workers: RefCell<Vec<PoolWorker>>,
    /// The views' inboxes, with their client ids.
    clients: RefCell<Vec<(u32, Weak<Inbox>)>>,
    next_client: Cell<u32>,
    /// Where the next run goes.
    next_worker: Cell<usize>,
    failed: Cell<bool>,
}

thread_local! {
    static POOL: RefCell<Option<Option<Rc<Pool>>>> = const { RefCell::new(None) };
}

/// The page's pool, if workers can run here.
pub fn pool() -> Option<Rc<Pool>> {
    POOL.with(|p| {
        p.borrow_mut()
            .get_or_insert_with(|| Pool::new().map(Rc::new))
            .clone()
            .filter(|p| !p.failed.get())
    })
}

impl Pool {
    fn new() -> Option<Pool> {
        let global = js_sys::global();
        let info = Reflect::get(&global, &"deepSignalWorker".into()).ok()?;
        // Each as given, or relative to the page.
        let page = window().location().href().ok()?;
        let url = |name: &str| {
            let given = Reflect::get(&info, &name.into()).ok()?.as_string()?;
            Some(web_sys::Url::new_with_base(&given, &page).ok()?.href())
        };
        let (script, glue) = (url("script")?, url("glue")?);
        if !Reflect::has(&global, &"Worker".into()).unwrap_or(false) {
            return None;
        }
        let cores = window().navigator().hardware_concurrency() as usize;
        Some(Pool {
            script,
            glue,
            size: cores.saturating_sub(1).clamp(1, MAX_WORKERS),
            workers: RefCell::new(Vec::new()),
            clients: RefCell::new(Vec::new()),
            next_client: Cell::new(0),
            next_worker: Cell::new(0),
            failed: Cell::new(false),
        })
    }

    /// A client for a view, whose news goes to its inbox, which calls `wake`.
    pub fn client(self: &Rc<Self>, wake: impl Fn() + 'static) -> Client {
        let id = self.next_client.get();
        self.next_client.set(id.wrapping_add(1));
        let inbox = Rc::new(Inbox::default());
        *inbox.wake.borrow_mut() = Some(Box::new(wake));
        self.clients.borrow_mut().push((id, Rc::downgrade(&inbox)));
        Client {
            id,
            pool: self.clone(),
            inbox,
            sent: RefCell::new([None; RUNS]),
            measuring: RefCell::new([None; RUNS]),
            seq: Cell::new(0),
        }
    }

    /// The worker for a new run: the next in turn, started if need be.
    fn assign(self: &Rc<Self>) -> Option<usize> {
        let i = self.next_worker.get() % self.size;
        self.next_worker.set(i + 1);
        self.worker(i)
    }

    /// Worker `i` (or the one after the last started), started if need be.
    fn worker(self: &Rc<Self>, i: usize) -> Option<usize> {
        if self.workers.borrow().len() <= i {
            let worker = self.start().map_err(|_| self.fail()).ok()?;
            self.workers.borrow_mut().push(worker);
            return Some(self.workers.borrow().len() - 1);
        }
        Some(i)
    }

    /// Starts a worker and sends it the module.
    fn start(self: &Rc<Self>) -> Result<PoolWorker, JsValue> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&self.script, &options)?;
        let pool = Rc::downgrade(self);
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            if let Some(pool) = pool.upgrade() {
                pool.arrived(&m.data());
            }
        });
        worker.set_onmessage(Some(message.as_ref().unchecked_ref()));
        let pool = Rc::downgrade(self);
        let error = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            e.prevent_default();
            if let Some(pool) = pool.upgrade() {
                pool.fail();
            }
        });
        worker.set_onerror(Some(error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(error.as_ref().unchecked_ref()));
        let init = Object::new();
        Reflect::set(&init, &"glue".into(), &self.glue.clone().into())?;
        Reflect::set(&init, &"module".into(), &wasm_bindgen::module())?;
        worker.post_message(&init)?;
        Ok(PoolWorker {
            worker,
            _message: message,
            _error: error,
        })
    }

    /// A worker's message: a run's news, to its view; or that it could not start.
    fn arrived(&self, data: &JsValue) {
        let get = |name: &str| Reflect::get(data, &name.into()).ok();
        if get("failed").is_some_and(|f| !f.is_undefined()) {
            self.fail();
            return;
        }
        let numbers = |name: &str| get(name).and_then(|u| u.dyn_into::<Float64Array>().ok());
        let Some(key) = get("key").and_then(|k| k.as_f64()) else {
            return;
        };
        let generation = get("generation").and_then(|g| g.as_f64()).unwrap_or(0.0) as u32;
        let seq = get("seq").and_then(|g| g.as_f64()).unwrap_or(0.0) as u32;
        let key = key as u32;
        let id = key / RUNS_PER_CLIENT;
        let inbox = self
            .clients
            .borrow()
            .iter()
            .find(|c| c.0 == id)
            .and_then(|c| c.1.upgrade());
        let Some(inbox) = inbox else {
            return;
        };
        let run = (key % RUNS_PER_CLIENT) as usize;
        let arrival = if let Some(update) = numbers("update") {
            inbox.echoed.borrow_mut()[run] = seq;
            Arrival::News {
                run,
                news: News {
                    generation,
                    update: update.to_vec(),
                    step_ms: get("ms").and_then(|m| m.as_f64()),
                },
            }
        } else if let Some(probe) = numbers("probe") {
            Arrival::Measured {
                run,
                generation,
                probe: probe.to_vec(),
            }
        } else {
            return;
        };
        inbox.arrivals.borrow_mut().push(arrival);
        inbox.wake();
    }

    /// The workers failed: every view trains here from now on.
    fn fail(&self) {
        if self.failed.replace(true) {
            return;
        }
        for w in self.workers.take() {
            w.worker.terminate();
        }
        let inboxes: Vec<Rc<Inbox>> = self
            .clients
            .borrow()
            .iter()
            .filter_map(|c| c.1.upgrade())
            .collect();
        for inbox in inboxes {
            inbox.failed.set(true);
            inbox.wake();
        }
    }

    fn post(&self, worker: usize, message: &Object) {
        if let Some(w) = self.workers.borrow().get(worker) {
            if w.worker.post_message(message).is_err() {
                // Reported by the caller's next frame: the pool has failed.
                self.failed.set(true);
            }
        }
    }
}

/// What a view last sent about one of its runs.
#[derive(Clone, Copy)]
struct Sent {
    generation: u32,
    aim: u64,
    worker: usize,
    /// The number of the message if the view waits for its answer; 0 while it plays.
    waits: u32,
}

/// A view's link to the pool: what it asked of each of its runs.
pub struct Client {
    id: u32,
    pool: Rc<Pool>,
    inbox: Rc<Inbox>,
    /// By run: what was last sent about it, if it trains.
    sent: RefCell<[Option<Sent>; RUNS]>,
    /// By configuration: the last measurement asked for.
    measuring: RefCell<[Option<u32>; RUNS]>,
    /// The number of the last message sent.
    seq: Cell<u32>,
}

impl Client {
    /// What arrived for the view.
    pub fn inbox(&self) -> &Inbox {
        &self.inbox
    }

    /// Whether a worker has yet to answer the last message about one of the view's runs:
    /// until it has, what the view shows may not be final.
    pub fn pending(&self) -> bool {
        let echoed = self.inbox.echoed.borrow();
        self.sent
            .borrow()
            .iter()
            .zip(echoed.iter())
            .any(|(sent, &e)| sent.is_some_and(|s| s.waits > e))
    }

    /// Asks for each measurement in `measures` not asked for yet. Configuration `i`'s go to
    /// worker `i` (in turn over the pool), where a newer one takes the place of one still
    /// waiting.
    pub fn measure(&self, measures: &[Measure]) {
        let mut asked = self.measuring.borrow_mut();
        for m in measures.iter().filter(|m| m.run < RUNS) {
            if asked[m.run] == Some(m.generation) {
                continue;
            }
            let Some(worker) = self.pool.worker(m.run % self.pool.size) else {
                return;
            };
            let message = Object::new();
            let set = |k: &str, v: JsValue| Reflect::set(&message, &k.into(), &v).is_ok();
            set("key", self.key(m.run).into());
            set("generation", m.generation.into());
            set(
                "probe",
                Float64Array::from(&encode_spec(&m.spec)[..]).into(),
            );
            set("seeds", (m.seeds as f64).into());
            self.pool.post(worker, &message);
            asked[m.run] = Some(m.generation);
        }
        if self.pool.failed.get() {
            self.inbox.failed.set(true);
        }
    }

    /// Sends what changed in `jobs` since the last call. Off screen (`on_screen: false`) a
    /// run that plays is aimed at 0, which stops it where it is; a step asked for is still
    /// reached.
    pub fn sync(&self, jobs: &[Job], on_screen: bool) {
        let mut sent = self.sent.borrow_mut();
        for (run, slot) in sent.iter_mut().enumerate() {
            if !jobs.iter().any(|j| j.run == run) {
                if let Some(gone) = slot.take() {
                    self.drop_run(gone.worker, run);
                }
            }
        }
        for job in jobs.iter().filter(|j| j.run < RUNS) {
            let target = if on_screen || job.asked {
                job.target
            } else {
                0
            };
            let message = Object::new();
            let set = |k: &str, v: JsValue| Reflect::set(&message, &k.into(), &v).is_ok();
            set("key", self.key(job.run).into());
            set("generation", job.generation.into());
            let worker = match &mut sent[job.run] {
                Some(s) if s.generation == job.generation => {
                    if s.aim == target {
                        if job.playing {
                            // Played on: nobody waits for that answer any more.
                            s.waits = 0;
                        }
                        continue;
                    }
                    s.worker
                }
                previous => {
                    let worker = match previous {
                        Some(s) => s.worker,
                        None => match self.pool.assign() {
                            Some(w) => w,
                            None => return,
                        },
                    };
                    let (name, spec) = match &job.spec {
                        JobSpec::Mlp(spec) => ("spec", encode_spec(spec)),
                        #[cfg(feature = "rnn-lab")]
                        JobSpec::Rnn(spec) => ("rnn", crate::train::rnn::wire::encode_spec(spec)),
                    };
                    set(name, Float64Array::from(&spec[..]).into());
                    worker
                }
            };
            let aim = if target == u64::MAX {
                f64::INFINITY
            } else {
                target as f64
            };
            set("target", aim.into());
            let seq = self.seq.get() + 1;
            self.seq.set(seq);
            set("seq", seq.into());
            self.pool.post(worker, &message);
            sent[job.run] = Some(Sent {
                generation: job.generation,
                aim: target,
                worker,
                waits: if job.playing { 0 } else { seq },
            });
        }
        if self.pool.failed.get() {
            self.inbox.failed.set(true);
        }
    }

    fn key(&self, run: usize) -> u32 {
        self.id.wrapping_mul(RUNS_PER_CLIENT) + run as u32
    }

    fn drop_run(&self, worker: usize, run: usize) {
        let message = Object::new();
        let _ = Reflect::set(&message, &"key".into(), &self.key(run).into());
        let _ = Reflect::set(&message, &"drop".into(), &true.into());
        self.pool.post(worker, &message);
    }
}

impl Drop for Client {
    /// A view let go lets its runs go too.
    fn drop(&mut self) {
        for (run, sent) in self.sent.take().into_iter().enumerate() {
            if let Some(s) = sent {
                self.drop_run(s.worker, run);
            }
        }
        self.pool.clients.borrow_mut().retain(|c| c.0 != self.id);
    }
}
