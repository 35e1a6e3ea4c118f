//! Where a run trains: here, on the page's thread in slices of a frame, or away, in a Web
//! Worker that trains the very same engine and sends its state back, of which the page
//! keeps a mirror (`train::wire`). A view reads a run the same way wherever it trains.
//!
//! Whether a view's runs train away is decided when the view is made: the web shell sets
//! [`train_away`] just before, once it knows whether a worker can start, and the view reads
//! [`trains_away`] once and keeps the answer.

use crate::train::wire::Mirror;
use crate::train::{Halt, Records, Session, TrainSpec};
use std::cell::Cell;

thread_local! {
    /// Whether views made now train away from the page.
    static AWAY: Cell<bool> = const { Cell::new(false) };
    /// The last start handed out: each run away gets the next one.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// Makes the views made from now on train away from the page (`true`), or here.
pub fn train_away(away: bool) {
    AWAY.with(|a| a.set(away));
}

/// Whether a view made now trains away from the page.
pub fn trains_away() -> bool {
    AWAY.with(Cell::get)
}

/// A run away: the mirror of its worker's state, and which start of the run it is.
pub struct Away {
    mirror: Box<Mirror>,
    generation: u32,
}

/// One training run, here or away.
pub enum Engine {
    /// Trained on the page's thread.
    Here(Box<Session>),
    /// Trained in a worker; the page holds what it last sent.
    Away(Away),
}

impl Engine {
    /// A new run of `spec`, here or `away`. Away, it costs nothing here: the worker builds
    /// the data set and the network.
    pub fn new(spec: &TrainSpec, away: bool) -> Engine {
        if away {
            let generation = GENERATION.with(|g| {
                g.set(g.get().wrapping_add(1));
                g.get()
            });
            Engine::Away(Away {
                mirror: Box::new(Mirror::new(spec)),
                generation,
            })
        } else {
            Engine::Here(Box::new(Session::new(spec)))
        }
    }

    /// The run's spec, brought into range.
    pub fn spec(&self) -> &TrainSpec {
        match self {
            Engine::Here(s) => s.spec(),
            Engine::Away(a) => a.mirror.spec(),
        }
    }

    /// Steps run so far.
    pub fn steps(&self) -> u64 {
        match self {
            Engine::Here(s) => s.steps(),
            Engine::Away(a) => a.mirror.steps(),
        }
    }

    /// Where training stopped itself, if it did.
    pub fn halt(&self) -> Option<Halt> {
        match self {
            Engine::Here(s) => s.halt(),
            Engine::Away(a) => a.mirror.halt(),
        }
    }

    /// What the run recorded.
    pub fn records(&self) -> &Records {
        match self {
            Engine::Here(s) => s.records(),
            Engine::Away(a) => a.mirror.records(),
        }
    }

    /// The number of layers.
    pub fn depth(&self) -> usize {
        match self {
            Engine::Here(s) => s.depth(),
            Engine::Away(a) => a.mirror.depth(),
        }
    }

    /// The session, while the run trains here.
    pub fn here(&mut self) -> Option<&mut Session> {
        match self {
            Engine::Here(s) => Some(s.as_mut()),
            Engine::Away(_) => None,
        }
    }

    /// The start of the run, while it trains away.
    pub fn generation(&self) -> Option<u32> {
        match self {
            Engine::Here(_) => None,
            Engine::Away(a) => Some(a.generation),
        }
    }

    /// Applies a state its worker sent for start `generation`; returns whether it was this
    /// start's and well formed.
    pub fn receive(&mut self, generation: u32, update: &[f64]) -> bool {
        match self {
            Engine::Away(a) if a.generation == generation => a.mirror.apply(update),
            _ => false,
        }
    }

    /// Trains the run here from now on, brought to the step it had reached: the same run
    /// again, which gives the same bits.
    pub fn bring_home(&mut self) {
        if let Engine::Away(a) = self {
            let mut session = Session::new(a.mirror.spec());
            session.run(a.mirror.steps());
            *self = Engine::Here(Box::new(session));
        }
    }
}
